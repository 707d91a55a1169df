//! Prescription drafts, items and their timelines on PostgreSQL.

use std::collections::BTreeSet;

use async_trait::async_trait;
use erecept_store::codec::{count, date, date_text, instant, micros};
use erecept_store::{
    AccountId, AuditEntry, NewPrescription, Outbox, Prescription, PrescriptionEvent,
    PrescriptionFilter, PrescriptionPage, PrescriptionStatus, Prescriptions, StatusChange,
    StoreError, StoreResult,
};
use jiff::Timestamp;
use sqlx::postgres::PgRow;
use sqlx::{Postgres, QueryBuilder, Row};
use uuid::Uuid;

use crate::audit::insert_audit;
use crate::{PostgresStore, db_err, insert_outbox};

/// The first line of every item's timeline.
const QUEUED_TEXT: &str = "Recept skapat och köat för överföring till Nationella läkemedelslistan.";

const COLUMNS: &str = "id, account_id, batch_id, position, patient_key, patient_name, product_name,
     issued_on, idempotency_key, document, status, national_id, messages, created_at, updated_at";

/// Newest first; a batch stays together, in position order.
const ORDER: &str = "created_at DESC, batch_id DESC, position ASC";

fn prescription_status(code: &str) -> StoreResult<PrescriptionStatus> {
    PrescriptionStatus::parse(code)
        .ok_or_else(|| StoreError::Corrupt(format!("prescription status {code:?}")))
}

fn prescription_from_row(row: &PgRow) -> StoreResult<Prescription> {
    let text = |name: &str| row.try_get::<String, _>(name).map_err(db_err);
    Ok(Prescription {
        id: row.try_get("id").map_err(db_err)?,
        account_id: AccountId(row.try_get("account_id").map_err(db_err)?),
        batch_id: row.try_get("batch_id").map_err(db_err)?,
        position: count(row.try_get("position").map_err(db_err)?)?,
        patient_key: text("patient_key")?,
        patient_name: text("patient_name")?,
        product_name: text("product_name")?,
        issued_on: date(&text("issued_on")?)?,
        idempotency_key: text("idempotency_key")?,
        document: row.try_get("document").map_err(db_err)?,
        status: prescription_status(&text("status")?)?,
        national_id: row.try_get("national_id").map_err(db_err)?,
        messages: row.try_get("messages").map_err(db_err)?,
        created_at: instant(row.try_get("created_at").map_err(db_err)?)?,
        updated_at: instant(row.try_get("updated_at").map_err(db_err)?)?,
    })
}

/// `needle` as a LIKE pattern matching it anywhere, lower-cased like the search columns, with
/// the pattern's own characters escaped (ESCAPE '\').
fn contains_pattern(needle: &str) -> String {
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for c in needle.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Appends the filter's conditions (after `WHERE account_id = …`) to `q`.
fn push_filter(q: &mut QueryBuilder<Postgres>, account: AccountId, f: &PrescriptionFilter) {
    q.push(" WHERE account_id = ").push_bind(account.0);
    if !f.patient.is_empty() {
        let pattern = contains_pattern(&f.patient);
        q.push(" AND (patient_key_search LIKE ")
            .push_bind(pattern.clone())
            .push(" ESCAPE '\\' OR patient_name_search LIKE ")
            .push_bind(pattern)
            .push(" ESCAPE '\\')");
    }
    if !f.product.is_empty() {
        q.push(" AND product_search LIKE ")
            .push_bind(contains_pattern(&f.product))
            .push(" ESCAPE '\\'");
    }
    if let Some(from) = f.issued_from {
        q.push(" AND issued_on >= ").push_bind(date_text(from));
    }
    if let Some(to) = f.issued_to {
        q.push(" AND issued_on <= ").push_bind(date_text(to));
    }
    if let Some(status) = f.status {
        q.push(" AND status = ").push_bind(status.as_str());
    }
}

#[async_trait]
impl Prescriptions for PostgresStore {
    async fn prescription_draft(
        &self,
        account: AccountId,
    ) -> StoreResult<Option<serde_json::Value>> {
        sqlx::query_scalar("SELECT document FROM prescription_drafts WHERE account_id = $1")
            .bind(account.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)
    }

    async fn save_prescription_draft(
        &self,
        account: AccountId,
        draft: &serde_json::Value,
        now: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO prescription_drafts (account_id, document, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (account_id) DO UPDATE SET document = excluded.document,
                                                    updated_at = excluded.updated_at",
        )
        .bind(account.0)
        .bind(draft)
        .bind(micros(now))
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn delete_prescription_draft(&self, account: AccountId) -> StoreResult<()> {
        sqlx::query("DELETE FROM prescription_drafts WHERE account_id = $1")
            .bind(account.0)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn submit_prescriptions(
        &self,
        items: &[NewPrescription],
        audit: &[AuditEntry],
        outbox: &Outbox,
        now: Timestamp,
    ) -> StoreResult<()> {
        if items.is_empty() {
            return Ok(());
        }
        let mut tx = self.write().await?;
        // A batch is stored once. UNIQUE (batch_id, position) catches the same items again; this
        // also refuses a batch sent again with other positions.
        for batch in items.iter().map(|p| p.batch_id).collect::<BTreeSet<_>>() {
            let used: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM prescriptions WHERE batch_id = $1)",
            )
            .bind(batch)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
            if used {
                return Err(StoreError::Conflict(format!(
                    "prescription batch {batch} was stored before"
                )));
            }
        }
        for p in items {
            sqlx::query(
                "INSERT INTO prescriptions (id, account_id, batch_id, position, patient_key,
                        patient_name, product_name, patient_key_search, patient_name_search,
                        product_search, issued_on, idempotency_key, status, national_id, document,
                        messages, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'queued', NULL, $13,
                         'null'::jsonb, $14, $14)",
            )
            .bind(p.id)
            .bind(p.account_id.0)
            .bind(p.batch_id)
            .bind(i64::from(p.position))
            .bind(&p.patient_key)
            .bind(&p.patient_name)
            .bind(&p.product_name)
            .bind(p.patient_key.to_lowercase())
            .bind(p.patient_name.to_lowercase())
            .bind(p.product_name.to_lowercase())
            .bind(date_text(p.issued_on))
            .bind(&p.idempotency_key)
            .bind(&p.document)
            .bind(micros(now))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            sqlx::query(
                "INSERT INTO prescription_events (prescription_id, at, status, text)
                 VALUES ($1, $2, 'queued', $3)",
            )
            .bind(p.id)
            .bind(micros(now))
            .bind(QUEUED_TEXT)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        for account in items
            .iter()
            .map(|p| p.account_id.0)
            .collect::<BTreeSet<_>>()
        {
            sqlx::query("DELETE FROM prescription_drafts WHERE account_id = $1")
                .bind(account)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        for entry in audit {
            insert_audit(&mut tx, entry).await?;
        }
        insert_outbox(&mut tx, outbox, now).await?;
        tx.commit().await.map_err(db_err)
    }

    async fn prescription(&self, id: Uuid) -> StoreResult<Option<Prescription>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM prescriptions WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(prescription_from_row)
        .transpose()
    }

    async fn prescription_batch(&self, batch: Uuid) -> StoreResult<Vec<Prescription>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM prescriptions WHERE batch_id = $1 ORDER BY position"
        )))
        .bind(batch)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(prescription_from_row)
        .collect()
    }

    async fn prescription_events(&self, id: Uuid) -> StoreResult<Vec<PrescriptionEvent>> {
        let rows = sqlx::query(
            "SELECT at, status, text FROM prescription_events WHERE prescription_id = $1
             ORDER BY at, id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                Ok(PrescriptionEvent {
                    at: instant(row.try_get("at").map_err(db_err)?)?,
                    status: prescription_status(row.try_get("status").map_err(db_err)?)?,
                    text: row.try_get("text").map_err(db_err)?,
                })
            })
            .collect()
    }

    async fn change_prescription_status(
        &self,
        change: &StatusChange,
        audit: &[AuditEntry],
        outbox: &Outbox,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let from: Vec<&str> = change.from.iter().map(|s| s.as_str()).collect();
        // One conditional UPDATE: a second worker changing the same item waits for the row lock,
        // then finds the status no longer in `from` and changes nothing.
        let mut tx = self.write().await?;
        let done = sqlx::query(
            "UPDATE prescriptions SET status = $2, national_id = COALESCE($3, national_id),
                    messages = COALESCE($4, messages), updated_at = $5
             WHERE id = $1 AND status = ANY($6)",
        )
        .bind(change.id)
        .bind(change.to.as_str())
        .bind(change.national_id.as_deref())
        .bind(change.messages.as_ref())
        .bind(micros(now))
        .bind(&from)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO prescription_events (prescription_id, at, status, text)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(change.id)
        .bind(micros(now))
        .bind(change.to.as_str())
        .bind(&change.text)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        for entry in audit {
            insert_audit(&mut tx, entry).await?;
        }
        insert_outbox(&mut tx, outbox, now).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(true)
    }

    async fn search_prescriptions(
        &self,
        account: AccountId,
        filter: &PrescriptionFilter,
        offset: u64,
        limit: u32,
    ) -> StoreResult<PrescriptionPage> {
        // The count and the page from one snapshot, so that they agree.
        let mut tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .map_err(db_err)?;
        let mut q = QueryBuilder::<Postgres>::new("SELECT COUNT(*) FROM prescriptions");
        push_filter(&mut q, account, filter);
        let total: i64 = q
            .build_query_scalar()
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
        let mut q = QueryBuilder::<Postgres>::new(format!("SELECT {COLUMNS} FROM prescriptions"));
        push_filter(&mut q, account, filter);
        q.push(format!(" ORDER BY {ORDER} LIMIT "))
            .push_bind(i64::from(limit))
            .push(" OFFSET ")
            .push_bind(i64::try_from(offset).unwrap_or(i64::MAX));
        let rows = q.build().fetch_all(&mut *tx).await.map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(PrescriptionPage {
            items: rows
                .iter()
                .map(prescription_from_row)
                .collect::<StoreResult<_>>()?,
            total: u64::try_from(total)
                .map_err(|_| StoreError::Corrupt(format!("count {total}")))?,
        })
    }
}
