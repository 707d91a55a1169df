//! The PostgreSQL adapter: for several stateless web servers on one database.
//!
//! Job claims use `FOR UPDATE SKIP LOCKED`, so any number of workers on any number of servers
//! take distinct jobs without waiting on each other.

mod accounts;
mod audit;
mod catalogue;
mod prescriptions;
mod tickets;

use async_trait::async_trait;
use erecept_store::codec::{count, instant, micros, opt_instant, status};
use erecept_store::{
    Health, Job, JobCounts, JobId, Jobs, Mail, MailId, Mailbox, NewSession, Outbox, Session,
    SessionKey, Sessions, StoreError, StoreResult,
};
use jiff::Timestamp;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{Postgres, Row, Transaction};
use std::str::FromStr;
use uuid::Uuid;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub struct PostgresStore {
    pub(crate) pool: PgPool,
}

pub(crate) fn db_err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Conflict(d.message().to_owned())
        }
        _ => StoreError::Database(e.to_string()),
    }
}

impl PostgresStore {
    /// Connects to `url` (`postgres://…`) and applies the migrations.
    pub async fn open(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Database(format!("invalid PostgreSQL address: {e}")))?;
        Self::open_with(options).await
    }

    /// Like [`open`](Self::open), but every table lives in `schema` (created if missing): the
    /// tests give each case a schema of its own in one database.
    pub async fn open_in_schema(url: &str, schema: &str) -> StoreResult<Self> {
        if !schema
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(StoreError::Database(format!(
                "invalid schema name {schema:?}"
            )));
        }
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Database(format!("invalid PostgreSQL address: {e}")))?;
        let admin = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .map_err(db_err)?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE SCHEMA IF NOT EXISTS {schema}"
        )))
        .execute(&admin)
        .await
        .map_err(db_err)?;
        admin.close().await;
        Self::open_with(options.options([("search_path", schema)])).await
    }

    async fn open_with(options: PgConnectOptions) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Database(format!("cannot connect to PostgreSQL: {e}")))?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| StoreError::Database(format!("migrating PostgreSQL: {e}")))?;
        Ok(Self { pool })
    }

    pub(crate) async fn write(&self) -> StoreResult<Transaction<'static, Postgres>> {
        self.pool.begin().await.map_err(db_err)
    }
}

/// Finishes a change of one row: when the row was there (`rows` is 1) the outbox is written
/// with it and the transaction committed; otherwise nothing is written. Returns which.
pub(crate) async fn commit_if_found(
    mut tx: Transaction<'static, Postgres>,
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
    tx: &mut Transaction<'static, Postgres>,
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
        .bind(&job.payload)
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

fn job_from_row(row: &PgRow) -> StoreResult<Job> {
    Ok(Job {
        id: JobId(row.try_get("id").map_err(db_err)?),
        kind: row.try_get("kind").map_err(db_err)?,
        payload: row.try_get("payload").map_err(db_err)?,
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

fn session_from_row(row: &PgRow) -> StoreResult<Session> {
    Ok(Session {
        key: SessionKey(row.try_get("key").map_err(db_err)?),
        account_id: row.try_get("account_id").map_err(db_err)?,
        data: row.try_get("data").map_err(db_err)?,
        created_at: instant(row.try_get("created_at").map_err(db_err)?)?,
        updated_at: instant(row.try_get("updated_at").map_err(db_err)?)?,
        expires_at: instant(row.try_get("expires_at").map_err(db_err)?)?,
    })
}

fn mail_from_row(row: &PgRow) -> StoreResult<Mail> {
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
impl Health for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl Sessions for PostgresStore {
    async fn create_session(&self, s: &NewSession) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (key, account_id, data, created_at, updated_at, expires_at)
             VALUES ($1, $2, $3, $4, $4, $5)",
        )
        .bind(&s.key.0)
        .bind(s.account_id)
        .bind(&s.data)
        .bind(micros(s.created_at))
        .bind(micros(s.expires_at))
        .execute(&self.pool)
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
        .fetch_optional(&self.pool)
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
        .bind(data)
        .bind(micros(expires_at))
        .bind(micros(now))
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn delete_session(&self, key: &SessionKey) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE key = $1")
            .bind(&key.0)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn delete_account_sessions(
        &self,
        account_id: Uuid,
        keep: Option<&SessionKey>,
    ) -> StoreResult<u64> {
        let done =
            sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND key IS DISTINCT FROM $2")
                .bind(account_id)
                .bind(keep.map(|k| k.0.as_str()))
                .execute(&self.pool)
                .await
                .map_err(db_err)?;
        Ok(done.rows_affected())
    }

    async fn purge_expired_sessions(&self, now: Timestamp) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(micros(now))
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected())
    }
}

#[async_trait]
impl Jobs for PostgresStore {
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
        // SKIP LOCKED: a row another worker is claiming right now is passed over, not waited for;
        // the lease columns make the claim last beyond this transaction.
        let sql = format!(
            "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $1,
                    locked_until = $2, updated_at = $3
             WHERE id = (SELECT id FROM jobs
                         WHERE (status = 'pending' AND run_at <= $3)
                            OR (status = 'running' AND locked_until <= $3)
                         ORDER BY run_at, id LIMIT 1
                         FOR UPDATE SKIP LOCKED)
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
        .execute(&self.pool)
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
                    status = CASE WHEN $4::BIGINT IS NULL THEN 'dead' ELSE 'pending' END,
                    run_at = COALESCE($4, run_at),
                    finished_at = CASE WHEN $4::BIGINT IS NULL THEN $5 ELSE NULL END,
                    last_error = $3, locked_by = NULL, locked_until = NULL, updated_at = $5
             WHERE id = $1 AND status = 'running' AND locked_by = $2",
        )
        .bind(id.0)
        .bind(worker)
        .bind(error)
        .bind(retry_at.map(micros))
        .bind(micros(now))
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn job(&self, id: JobId) -> StoreResult<Option<Job>> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&self.pool)
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
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?
            .as_ref()
            .map(job_from_row)
            .transpose()
    }

    async fn job_counts(&self) -> StoreResult<JobCounts> {
        let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status")
            .fetch_all(&self.pool)
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
impl Mailbox for PostgresStore {
    async fn mail(&self, id: MailId) -> StoreResult<Option<Mail>> {
        sqlx::query("SELECT * FROM mails WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
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
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn recent_mail(&self, limit: u32) -> StoreResult<Vec<Mail>> {
        sqlx::query("SELECT * FROM mails ORDER BY created_at DESC, id DESC LIMIT $1")
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?
            .iter()
            .map(mail_from_row)
            .collect()
    }
}
