//! Tickets to support.

use async_trait::async_trait;
use erecept_store::codec::{instant, micros};
use erecept_store::{
    AccountId, Attachment, NewTicket, Outbox, StoreError, StoreResult, Ticket, Tickets,
};
use jiff::Timestamp;
use sqlx::Row;
use uuid::Uuid;

use crate::{PostgresStore, db_err, insert_outbox};

#[async_trait]
impl Tickets for PostgresStore {
    async fn create_ticket(
        &self,
        t: &NewTicket,
        mails: &(dyn Fn(u64) -> Result<Outbox, String> + Send + Sync),
        now: Timestamp,
    ) -> StoreResult<u64> {
        let mut tx = self.write().await?;
        let number: i64 = sqlx::query_scalar(
            "INSERT INTO tickets (id, account_id, name, email, phone, subject, description,
                                  attachment_name, attachment_type, attachment, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             RETURNING number",
        )
        .bind(t.id)
        .bind(t.account_id.map(|a| a.0))
        .bind(&t.name)
        .bind(&t.email)
        .bind(&t.phone)
        .bind(&t.subject)
        .bind(&t.description)
        .bind(t.attachment.as_ref().map(|a| a.filename.as_str()))
        .bind(t.attachment.as_ref().map(|a| a.content_type.as_str()))
        .bind(t.attachment.as_ref().map(|a| a.content.as_slice()))
        .bind(micros(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        let number = u64::try_from(number).unwrap_or_default();
        let outbox = mails(number).map_err(|e| {
            StoreError::Database(format!(
                "the mail of ticket {number} could not be made: {e}"
            ))
        })?;
        insert_outbox(&mut tx, &outbox, now).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(number)
    }

    async fn ticket(&self, number: u64) -> StoreResult<Option<Ticket>> {
        let Ok(number) = i64::try_from(number) else {
            return Ok(None);
        };
        let Some(row) = sqlx::query("SELECT * FROM tickets WHERE number = $1")
            .bind(number)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?
        else {
            return Ok(None);
        };
        let text = |name: &str| row.try_get::<String, _>(name).map_err(db_err);
        let attachment = match row
            .try_get::<Option<Vec<u8>>, _>("attachment")
            .map_err(db_err)?
        {
            Some(content) => Some(Attachment {
                filename: row
                    .try_get::<Option<String>, _>("attachment_name")
                    .map_err(db_err)?
                    .unwrap_or_default(),
                content_type: row
                    .try_get::<Option<String>, _>("attachment_type")
                    .map_err(db_err)?
                    .unwrap_or_default(),
                content,
            }),
            None => None,
        };
        Ok(Some(Ticket {
            number: u64::try_from(row.try_get::<i64, _>("number").map_err(db_err)?)
                .unwrap_or_default(),
            ticket: NewTicket {
                id: row.try_get::<Uuid, _>("id").map_err(db_err)?,
                account_id: row
                    .try_get::<Option<Uuid>, _>("account_id")
                    .map_err(db_err)?
                    .map(AccountId),
                name: text("name")?,
                email: text("email")?,
                phone: text("phone")?,
                subject: text("subject")?,
                description: text("description")?,
                attachment,
            },
            created_at: instant(row.try_get("created_at").map_err(db_err)?)?,
        }))
    }
}
