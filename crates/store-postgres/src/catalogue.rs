//! The drug register on PostgreSQL.

use async_trait::async_trait;
use erecept_store::codec::micros;
use erecept_store::{Catalogue, StoreResult};
use jiff::Timestamp;
use sqlx::Row;

use crate::{PostgresStore, db_err};

#[async_trait]
impl Catalogue for PostgresStore {
    async fn catalogue_products(&self) -> StoreResult<Vec<serde_json::Value>> {
        let rows = sqlx::query("SELECT document FROM catalogue_products ORDER BY npl_id")
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                row.try_get::<serde_json::Value, _>("document")
                    .map_err(db_err)
            })
            .collect()
    }

    async fn save_products(
        &self,
        products: &[(String, serde_json::Value)],
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        for (npl_id, document) in products {
            sqlx::query(
                "INSERT INTO catalogue_products (npl_id, document, updated_at) VALUES ($1, $2, $3)
                 ON CONFLICT (npl_id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at",
            )
            .bind(npl_id)
            .bind(document)
            .bind(micros(now))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        sqlx::query("UPDATE catalogue_version SET version = version + 1 WHERE id = 1")
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)
    }

    async fn rek_lists(&self) -> StoreResult<Vec<(String, String)>> {
        let rows = sqlx::query("SELECT region_code, csv FROM rek_lists ORDER BY region_code")
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get("region_code").map_err(db_err)?,
                    row.try_get("csv").map_err(db_err)?,
                ))
            })
            .collect()
    }

    async fn save_rek_lists(&self, lists: &[(String, String)], now: Timestamp) -> StoreResult<()> {
        let mut tx = self.write().await?;
        for (region, csv) in lists {
            sqlx::query(
                "INSERT INTO rek_lists (region_code, csv, updated_at) VALUES ($1, $2, $3)
                 ON CONFLICT (region_code) DO UPDATE SET csv = excluded.csv, updated_at = excluded.updated_at",
            )
            .bind(region)
            .bind(csv)
            .bind(micros(now))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        sqlx::query("UPDATE catalogue_version SET version = version + 1 WHERE id = 1")
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)
    }

    async fn catalogue_version(&self) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT version FROM catalogue_version WHERE id = 1")
            .fetch_one(&self.pool)
            .await
            .map_err(db_err)
    }
}
