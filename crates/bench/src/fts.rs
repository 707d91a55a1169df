//! The baseline: SQLite FTS5 (the SQLite bundled with sqlx) over the same searchable text as
//! the `SearchIndex`, queried through sqlx the way the application would query a database.
//!
//! One row per product: name, strength, form, substances, ATC code and the ids (NPL-id,
//! NPL-pack-ids, varunummer), `prefix='2 3 4'`, tokenizer `unicode61 remove_diacritics 2`
//! (folds å/ä/ö to a/o both ways). A query becomes `"word"* "word"* …` (every word as a prefix,
//! all required) and is run unranked (`LIMIT 20`) or ranked (`ORDER BY rank LIMIT 20`, bm25).
//! FTS5 has no typo tolerance.

use std::str::FromStr;

use anyhow::{Context, Result, bail};
use erecept_catalog::Product;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, Row};

pub struct Fts {
    conn: SqliteConnection,
}

/// Which FTS5 query to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ranking {
    /// `MATCH … LIMIT 20`: the first 20 matches in rowid order.
    Unranked,
    /// `MATCH … ORDER BY rank LIMIT 20`: the 20 best by bm25.
    Bm25,
}

impl Fts {
    /// An in-memory database on one connection (an in-memory database lives only as long as its
    /// connection). Fails if the bundled SQLite lacks FTS5.
    pub async fn open() -> Result<Self> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?;
        let mut conn = SqliteConnection::connect_with(&options)
            .await
            .context("opening an in-memory SQLite database")?;
        let fts5: i64 = sqlx::query_scalar("SELECT sqlite_compileoption_used('ENABLE_FTS5')")
            .fetch_one(&mut conn)
            .await?;
        if fts5 != 1 {
            bail!("the SQLite bundled with sqlx was built without FTS5 (ENABLE_FTS5 not set)");
        }
        sqlx::query(
            "CREATE VIRTUAL TABLE products USING fts5(
                npl_id UNINDEXED, name, strength, form, substances, atc, ids,
                prefix = '2 3 4',
                tokenize = 'unicode61 remove_diacritics 2'
            )",
        )
        .execute(&mut conn)
        .await
        .context("creating the FTS5 table")?;
        Ok(Self { conn })
    }

    /// The SQLite version, for the report.
    pub async fn sqlite_version(&mut self) -> Result<String> {
        Ok(sqlx::query_scalar("SELECT sqlite_version()")
            .fetch_one(&mut self.conn)
            .await?)
    }

    /// Inserts every product (one transaction).
    pub async fn load(&mut self, products: &[Product]) -> Result<()> {
        let mut tx = self.conn.begin().await?;
        for p in products {
            let mut ids = String::from(p.npl_id.as_str());
            for pack in &p.packages {
                ids.push(' ');
                ids.push_str(pack.npl_pack_id.as_str());
                if let Some(v) = pack.varunummer {
                    ids.push(' ');
                    ids.push_str(v.as_str());
                }
            }
            sqlx::query(
                "INSERT INTO products (npl_id, name, strength, form, substances, atc, ids)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .bind(p.npl_id.as_str())
            .bind(&p.name)
            .bind(&p.strength)
            .bind(&p.form)
            .bind(p.substances.join(" "))
            .bind(p.atc.as_ref().map(|a| a.as_str()).unwrap_or_default())
            .bind(ids)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        // One segment, as after a bulk import.
        sqlx::query("INSERT INTO products (products) VALUES ('optimize')")
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    /// The number of products found (at most 20), names fetched as a result page would.
    pub async fn search(&mut self, query: &str, ranking: Ranking) -> Result<usize> {
        let Some(expression) = match_expression(query) else {
            return Ok(0);
        };
        let sql = match ranking {
            Ranking::Unranked => {
                "SELECT npl_id, name FROM products WHERE products MATCH ?1 LIMIT 20"
            }
            Ranking::Bm25 => {
                "SELECT npl_id, name FROM products WHERE products MATCH ?1 ORDER BY rank LIMIT 20"
            }
        };
        let rows = sqlx::query(sql)
            .bind(expression)
            .fetch_all(&mut self.conn)
            .await?;
        let mut found = 0;
        for row in &rows {
            let _: &str = row.try_get(0)?;
            let _: &str = row.try_get(1)?;
            found += 1;
        }
        Ok(found)
    }

    /// The round trip of `SELECT 1` through sqlx: the floor under every baseline figure.
    pub async fn select_one(&mut self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT 1")
            .fetch_one(&mut self.conn)
            .await?)
    }
}

/// `"word"* "word"* …` over the words of the query, normalised as the index does; `None` when
/// the query has no words.
pub fn match_expression(query: &str) -> Option<String> {
    let mut words = Vec::new();
    erecept_catalog::search::tokenize(query, &mut words);
    if words.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(query.len() + 4 * words.len());
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        // Tokens are letters and digits only, so no quote needs escaping.
        out.push('"');
        out.push_str(w);
        out.push_str("\"*");
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn match_expression_quotes_each_word_as_a_prefix() {
        assert_eq!(
            super::match_expression("Alvedon 500").as_deref(),
            Some("\"alvedon\"* \"500\"*")
        );
        assert_eq!(super::match_expression("  ,; ").as_deref(), None);
        assert_eq!(
            super::match_expression("N02BE01").as_deref(),
            Some("\"n02be01\"*")
        );
    }
}
