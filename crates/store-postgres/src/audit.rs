//! The audit log on PostgreSQL.

use async_trait::async_trait;
use erecept_store::codec::{instant, micros};
use erecept_store::{AccountId, Audit, AuditEntry, StoreResult};
use sqlx::{Postgres, Row, Transaction};

use crate::{PostgresStore, db_err};

/// Adds one entry in the caller's transaction: changes of patient data write their entries with
/// the change itself.
pub(crate) async fn insert_audit(
    tx: &mut Transaction<'static, Postgres>,
    e: &AuditEntry,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, account_id, patient, action, detail) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(e.id)
    .bind(micros(e.at))
    .bind(e.account_id.0)
    .bind(&e.patient)
    .bind(&e.action)
    .bind(&e.detail)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

#[async_trait]
impl Audit for PostgresStore {
    async fn record_audit(&self, e: &AuditEntry) -> StoreResult<()> {
        let mut tx = self.write().await?;
        insert_audit(&mut tx, e).await?;
        tx.commit().await.map_err(db_err)
    }

    async fn audit_of_account(
        &self,
        account: AccountId,
        limit: u32,
    ) -> StoreResult<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT id, at, account_id, patient, action, detail FROM audit_log WHERE account_id = $1
             ORDER BY at DESC, id DESC LIMIT $2",
        )
        .bind(account.0)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                Ok(AuditEntry {
                    id: row.try_get("id").map_err(db_err)?,
                    at: instant(row.try_get("at").map_err(db_err)?)?,
                    account_id: AccountId(row.try_get("account_id").map_err(db_err)?),
                    patient: row.try_get("patient").map_err(db_err)?,
                    action: row.try_get("action").map_err(db_err)?,
                    detail: row.try_get("detail").map_err(db_err)?,
                })
            })
            .collect()
    }
}
