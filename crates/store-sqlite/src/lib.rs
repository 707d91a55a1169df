//! The SQLite adapter: the embedded default, one file, no server.
//!
//! One writer connection takes every write in a `BEGIN IMMEDIATE` transaction (SQLite has one
//! writer anyway; taking the lock up front means a read-then-write never fails half-way), and a
//! pool of read-only connections serves reads concurrently under WAL. `synchronous=FULL`: an
//! acknowledged prescription must survive a power loss, not only a crash.

mod accounts;
mod audit;
mod catalogue;
mod prescriptions;
mod tickets;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use erecept_store::codec::{count, instant, json_text, json_value, micros, opt_instant, status};
use erecept_store::{
    Health, Job, JobCounts, JobId, Jobs, Mail, MailId, Mailbox, NewSession, Outbox, Session,
    SessionKey, Sessions, StoreError, StoreResult,
};
use jiff::Timestamp;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Row, Sqlite, Transaction};
use uuid::Uuid;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub struct SqliteStore {
    pub(crate) writer: SqlitePool,
    pub(crate) readers: SqlitePool,
}

pub(crate) fn db_err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Conflict(d.message().to_owned())
        }
        _ => StoreError::Database(e.to_string()),
    }
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` (`sqlite://path` or `sqlite:path`) and
    /// applies the migrations.
    pub async fn open(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Database(format!("invalid SQLite address {url:?}: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .connect_with(options.clone())
            .await
            .map_err(|e| StoreError::Database(format!("cannot open {url}: {e}")))?;
        MIGRATOR
            .run(&writer)
            .await
            .map_err(|e| StoreError::Database(format!("migrating {url}: {e}")))?;
        let readers = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await
            .map_err(|e| StoreError::Database(format!("cannot open {url} for reading: {e}")))?;
        Ok(Self { writer, readers })
    }

    pub(crate) async fn write(&self) -> StoreResult<Transaction<'static, Sqlite>> {
        self.writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db_err)
    }

    /// A consistent copy of the whole database into a new file (online backup).
    pub async fn backup_to(&self, path: &str) -> StoreResult<()> {
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}

/// Finishes a change of one row: when the row was there (`rows` is 1) the outbox is written
/// with it and the transaction committed; otherwise nothing is written. Returns which.
pub(crate) async fn commit_if_found(
    mut tx: Transaction<'static, Sqlite>,
    rows: u64,
    outbox: &Outbox,
    now: Timestamp,
) -> StoreResult<bool> {
    if rows != 1 {
        return Ok(false);
    }
    insert_outbox(&mut tx, outbox, now).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(true)
}

pub(crate) async fn insert_outbox(
    tx: &mut Transaction<'static, Sqlite>,
    outbox: &Outbox,
    now: Timestamp,
) -> StoreResult<()> {
    for mail in &outbox.mails {
        sqlx::query(
            "INSERT INTO mails (id, recipient, subject, text_body, html_body, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(mail.id.0)
        .bind(&mail.to)
        .bind(&mail.subject)
        .bind(&mail.text_body)
        .bind(&mail.html_body)
        .bind(micros(now))
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    }
    for job in outbox.all_jobs(now) {
        sqlx::query(
            "INSERT INTO jobs (id, kind, payload, idempotency_key, status, max_attempts, run_at,
                               created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $7) ON CONFLICT DO NOTHING",
        )
        .bind(job.id.0)
        .bind(&job.kind)
        .bind(json_text(&job.payload))
        .bind(&job.idempotency_key)
        .bind(i64::from(job.max_attempts))
        .bind(micros(job.run_at))
        .bind(micros(now))
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}

const JOB_COLUMNS: &str =
    "id, kind, payload, idempotency_key, status, attempts, max_attempts, run_at,
     locked_by, locked_until, last_error, created_at, finished_at";

fn job_from_row(row: &SqliteRow) -> StoreResult<Job> {
    Ok(Job {
        id: JobId(row.try_get("id").map_err(db_err)?),
        kind: row.try_get("kind").map_err(db_err)?,
        payload: json_value(row.try_get("payload").map_err(db_err)?)?,
        idempotency_key: row.try_get("idempotency_key").map_err(db_err)?,
        status: status(row.try_get("status").map_err(db_err)?)?,
        attempts: count(row.try_get("attempts").map_err(db_err)?)?,
        max_attempts: count(row.try_get("max_attempts").map_err(db_err)?)?,
        run_at: instant(row.try_get("run_at").map_err(db_err)?)?,
        locked_by: row.try_get("locked_by").map_err(db_err)?,
        locked_until: opt_instant(row.try_get("locked_until").map_err(db_err)?)?,
        last_error: row.try_get("last_error").map_err(db_err)?,
        created_at: instant(row.try_get("created_at").map_err(db_err)?)?,
        finished_at: opt_instant(row.try_get("finished_at").map_err(db_err)?)?,
    })
}

fn session_from_row(row: &SqliteRow) -> StoreResult<Session> {
    Ok(Session {
        key: SessionKey(row.try_get("key").map_err(db_err)?),
        account_id: row.try_get("account_id").map_err(db_err)?,
        data: json_value(row.try_get("data").map_err(db_err)?)?,
        created_at: instant(row.try_get("created_at").map_err(db_err)?)?,
        updated_at: instant(row.try_get("updated_at").map_err(db_err)?)?,
        expires_at: instant(row.try_get("expires_at").map_err(db_err)?)?,
    })
}

fn mail_from_row(row: &SqliteRow) -> StoreResult<Mail> {
    Ok(Mail {
        id: MailId(row.try_get("id").map_err(db_err)?),
        to: row.try_get("recipient").map_err(db_err)?,
        subject: row.try_get("subject").map_err(db_err)?,
        text_body: row.try_get("text_body").map_err(db_err)?,
        html_body: row.try_get("html_body").map_err(db_err)?,
        created_at: instant(row.try_get("created_at").map_err(db_err)?)?,
        sent_at: opt_instant(row.try_get("sent_at").map_err(db_err)?)?,
        transport: row.try_get("transport").map_err(db_err)?,
    })
}

#[async_trait]
impl Health for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.readers)
            .await
            .map_err(db_err)?;
        let tx = self.write().await?;
        tx.rollback().await.map_err(db_err)
    }

    async fn close(&self) {
        self.readers.close().await;
        self.writer.close().await;
    }
}

#[async_trait]
impl Sessions for SqliteStore {
    async fn create_session(&self, s: &NewSession) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (key, account_id, data, created_at, updated_at, expires_at)
             VALUES ($1, $2, $3, $4, $4, $5)",
        )
        .bind(&s.key.0)
        .bind(s.account_id)
        .bind(json_text(&s.data))
        .bind(micros(s.created_at))
        .bind(micros(s.expires_at))
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn session(&self, key: &SessionKey, now: Timestamp) -> StoreResult<Option<Session>> {
        sqlx::query(
            "SELECT key, account_id, data, created_at, updated_at, expires_at FROM sessions
             WHERE key = $1 AND expires_at > $2",
        )
        .bind(&key.0)
        .bind(micros(now))
        .fetch_optional(&self.readers)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(session_from_row)
        .transpose()
    }

    async fn update_session(
        &self,
        key: &SessionKey,
        data: &serde_json::Value,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE sessions SET data = $2, expires_at = $3, updated_at = $4
             WHERE key = $1 AND expires_at > $4",
        )
        .bind(&key.0)
        .bind(json_text(data))
        .bind(micros(expires_at))
        .bind(micros(now))
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn delete_session(&self, key: &SessionKey) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE key = $1")
            .bind(&key.0)
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn delete_account_sessions(
        &self,
        account_id: Uuid,
        keep: Option<&SessionKey>,
    ) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND key IS NOT $2")
            .bind(account_id)
            .bind(keep.map(|k| k.0.as_str()))
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected())
    }

    async fn purge_expired_sessions(&self, now: Timestamp) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(micros(now))
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected())
    }
}

#[async_trait]
impl Jobs for SqliteStore {
    async fn enqueue(&self, outbox: &Outbox, now: Timestamp) -> StoreResult<()> {
        let mut tx = self.write().await?;
        insert_outbox(&mut tx, outbox, now).await?;
        tx.commit().await.map_err(db_err)
    }

    async fn claim_job(
        &self,
        worker: &str,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<Option<Job>> {
        // The single writer serialises claims, so the inner SELECT and the UPDATE see the same
        // state and no two workers can take one job.
        let sql = format!(
            "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $1,
                    locked_until = $2, updated_at = $3
             WHERE id = (SELECT id FROM jobs
                         WHERE (status = 'pending' AND run_at <= $3)
                            OR (status = 'running' AND locked_until <= $3)
                         ORDER BY run_at, id LIMIT 1)
             RETURNING {JOB_COLUMNS}"
        );
        let mut tx = self.write().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(worker)
            .bind(micros(lease_until))
            .bind(micros(now))
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        row.as_ref().map(job_from_row).transpose()
    }

    async fn complete_job(&self, id: JobId, worker: &str, now: Timestamp) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE jobs SET status = 'done', locked_by = NULL, locked_until = NULL,
                    finished_at = $3, updated_at = $3
             WHERE id = $1 AND status = 'running' AND locked_by = $2",
        )
        .bind(id.0)
        .bind(worker)
        .bind(micros(now))
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn fail_job(
        &self,
        id: JobId,
        worker: &str,
        error: &str,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE jobs SET
                    status = CASE WHEN $4 IS NULL THEN 'dead' ELSE 'pending' END,
                    run_at = COALESCE($4, run_at),
                    finished_at = CASE WHEN $4 IS NULL THEN $5 ELSE NULL END,
                    last_error = $3, locked_by = NULL, locked_until = NULL, updated_at = $5
             WHERE id = $1 AND status = 'running' AND locked_by = $2",
        )
        .bind(id.0)
        .bind(worker)
        .bind(error)
        .bind(retry_at.map(micros))
        .bind(micros(now))
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn job(&self, id: JobId) -> StoreResult<Option<Job>> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&self.readers)
            .await
            .map_err(db_err)?
            .as_ref()
            .map(job_from_row)
            .transpose()
    }

    async fn job_by_key(&self, idempotency_key: &str) -> StoreResult<Option<Job>> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE idempotency_key = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(idempotency_key)
            .fetch_optional(&self.readers)
            .await
            .map_err(db_err)?
            .as_ref()
            .map(job_from_row)
            .transpose()
    }

    async fn job_counts(&self) -> StoreResult<JobCounts> {
        let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status")
            .fetch_all(&self.readers)
            .await
            .map_err(db_err)?;
        let mut counts = JobCounts::default();
        for row in rows {
            let n = u64::try_from(row.try_get::<i64, _>("n").map_err(db_err)?).unwrap_or(0);
            match status(row.try_get("status").map_err(db_err)?)? {
                erecept_store::JobStatus::Pending => counts.pending = n,
                erecept_store::JobStatus::Running => counts.running = n,
                erecept_store::JobStatus::Done => counts.done = n,
                erecept_store::JobStatus::Dead => counts.dead = n,
            }
        }
        Ok(counts)
    }
}

#[async_trait]
impl Mailbox for SqliteStore {
    async fn mail(&self, id: MailId) -> StoreResult<Option<Mail>> {
        sqlx::query("SELECT * FROM mails WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.readers)
            .await
            .map_err(db_err)?
            .as_ref()
            .map(mail_from_row)
            .transpose()
    }

    async fn mark_mail_sent(&self, id: MailId, transport: &str, at: Timestamp) -> StoreResult<()> {
        sqlx::query("UPDATE mails SET sent_at = $2, transport = $3 WHERE id = $1")
            .bind(id.0)
            .bind(micros(at))
            .bind(transport)
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn recent_mail(&self, limit: u32) -> StoreResult<Vec<Mail>> {
        sqlx::query("SELECT * FROM mails ORDER BY created_at DESC, id DESC LIMIT $1")
            .bind(i64::from(limit))
            .fetch_all(&self.readers)
            .await
            .map_err(db_err)?
            .iter()
            .map(mail_from_row)
            .collect()
    }
}
