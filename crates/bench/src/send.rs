//! The send path: one prescription item validated, stored and queued through the application
//! (`Prescribing::send`: every item checked again, stored and queued; `add_item` before it is
//! reported beside it), against a raw durable SQLite insert of
//! one row the size of the stored prescription document.
//!
//! No worker runs, so the delivery jobs stay queued: the prescriber's click must not wait on
//! the national prescription list, and this measures the click.

use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use erecept_app::prescribing::SendOutcome;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Connection, Row};
use uuid::Uuid;

use crate::service::Service;
use crate::stats::nanos;
use crate::turns::take_turns;

pub struct SendRun {
    /// `add_item` + `send` of one item, in nanoseconds.
    pub send: Vec<u64>,
    /// Of which `send` (the "Skicka recept" click), in nanoseconds.
    pub send_only: Vec<u64>,
    /// One raw insert, in nanoseconds.
    pub insert: Vec<u64>,
    /// The stored `prescriptions.document` of a sent item, in bytes (the baseline's row).
    pub document_bytes: usize,
    /// The package prescribed.
    pub article: String,
}

pub async fn measure(service: &Service) -> Result<SendRun> {
    // One item sent first: its stored document is the baseline's row.
    let draft = new_draft(service).await?;
    send_one(service, draft).await?;
    let stored = service.app.store.prescription_batch(draft).await?;
    let document = stored
        .first()
        .context("the sent item is not stored")?
        .document
        .to_string(); // as the store writes it (`codec::json_text`)
    let mut raw = RawInsert::open(service).await?;

    let mut send_only = Vec::new();
    let (send, insert) = take_turns(
        // Sending empties the draft, so each item gets its patient again: not recorded.
        async || {
            let draft = new_draft(service).await?;
            let t = Instant::now();
            service.add_item(0).await?;
            let added = t.elapsed();
            send_draft(service, draft).await?;
            let total = t.elapsed();
            send_only.push(nanos(total - added));
            Ok(total)
        },
        async || {
            let t = Instant::now();
            raw.insert(&document).await?;
            Ok(t.elapsed())
        },
    )
    .await?;
    raw.close().await?;
    // The warm-up's samples are not recorded: keep the last of them, one per recorded item.
    let send_only = send_only.split_off(send_only.len() - send.len());
    Ok(SendRun {
        send,
        send_only,
        insert,
        document_bytes: document.len(),
        article: service.articles[0].1.clone(),
    })
}

/// A draft with its patient, ready for an item; its id is the batch id.
async fn new_draft(service: &Service) -> Result<Uuid> {
    service.set_patient().await?;
    Ok(service.app.prescribing.draft(service.account).await?.id)
}

/// The item is checked and put in the draft, then checked again, stored and queued.
async fn send_one(service: &Service, draft: Uuid) -> Result<()> {
    service.add_item(0).await?;
    send_draft(service, draft).await
}

/// "Skicka recept".
async fn send_draft(service: &Service, draft: Uuid) -> Result<()> {
    match service.app.prescribing.send(service.account, draft).await? {
        SendOutcome::Sent(_) => Ok(()),
        other => bail!("send refused: {other:?}"),
    }
}

/// The baseline: one connection to a database file of its own beside the store's, with the
/// store's settings (WAL, `synchronous=FULL`); each row its own transaction.
struct RawInsert {
    conn: SqliteConnection,
}

impl RawInsert {
    async fn open(service: &Service) -> Result<Self> {
        let path = service.dir.join("baseline.db");
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let mut conn = SqliteConnection::connect_with(&options)
            .await
            .context("opening the baseline database")?;
        let mode: String = sqlx::query("PRAGMA journal_mode")
            .fetch_one(&mut conn)
            .await?
            .try_get(0)?;
        if mode != "wal" {
            bail!("the baseline database is in journal mode {mode}, not WAL");
        }
        sqlx::query("CREATE TABLE documents (id INTEGER PRIMARY KEY, document TEXT NOT NULL)")
            .execute(&mut conn)
            .await?;
        Ok(Self { conn })
    }

    async fn insert(&mut self, document: &str) -> Result<()> {
        sqlx::query("INSERT INTO documents (document) VALUES ($1)")
            .bind(document)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn close(self) -> Result<()> {
        Ok(self.conn.close().await?)
    }
}
