//! Prescriber accounts on SQLite.

use async_trait::async_trait;
use erecept_domain::{Licensing, PersonNumber};
use erecept_store::codec::{
    billing_kind, county, instant, licence_columns, licensing, micros, person_number,
    prescriber_code, profession, verification, verification_columns, workplace_code,
};
use erecept_store::{
    Account, AccountId, Accounts, BillingParty, Certificate, CertificateStatus, NewCertificate,
    NewRegistration, Outbox, ResetLink, StoreResult, Verification, Workplace, WorkplaceRemoval,
};
use jiff::Timestamp;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite, Transaction};
use uuid::Uuid;

use crate::{SqliteStore, commit_if_found, db_err, insert_outbox};

const ACCOUNT_SELECT: &str =
    "SELECT a.*, l.kind AS licence_kind, l.starts_on, l.ends_on, l.payment_due_on,
        l.paid_on, l.web_login_allowed
     FROM accounts a
     JOIN licences l ON l.id = (SELECT id FROM licences WHERE account_id = a.id
                                ORDER BY created_at DESC, id DESC LIMIT 1)";

fn account_from_row(row: &SqliteRow) -> StoreResult<Account> {
    let get_text = |name: &str| row.try_get::<String, _>(name).map_err(db_err);
    Ok(Account {
        id: AccountId(row.try_get("id").map_err(db_err)?),
        person_number: person_number(&get_text("person_number")?)?,
        given_name: get_text("given_name")?,
        surname: get_text("surname")?,
        email: get_text("email")?,
        mobile: get_text("mobile")?,
        password_hash: get_text("password_hash")?,
        profession: profession(&get_text("profession")?)?,
        prescriber_code: prescriber_code(&get_text("prescriber_code")?)?,
        verification: verification(
            &get_text("verification")?,
            row.try_get("verification_expected_by").map_err(db_err)?,
            row.try_get("verified_at").map_err(db_err)?,
        )?,
        licensing: licensing(
            &get_text("licence_kind")?,
            row.try_get("starts_on").map_err(db_err)?,
            row.try_get("ends_on").map_err(db_err)?,
            row.try_get("payment_due_on").map_err(db_err)?,
            row.try_get("paid_on").map_err(db_err)?,
            row.try_get("web_login_allowed").map_err(db_err)?,
        )?,
        population_register_addon: row.try_get("population_register_addon").map_err(db_err)?,
        created_at: instant(row.try_get("created_at").map_err(db_err)?)?,
    })
}

async fn insert_licence(
    tx: &mut Transaction<'static, Sqlite>,
    id: AccountId,
    l: &Licensing,
    now: Timestamp,
) -> StoreResult<()> {
    let c = licence_columns(l);
    sqlx::query(
        "INSERT INTO licences (id, account_id, kind, starts_on, ends_on, payment_due_on, paid_on,
                               web_login_allowed, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(Uuid::now_v7())
    .bind(id.0)
    .bind(c.kind)
    .bind(c.starts_on)
    .bind(c.ends_on)
    .bind(c.payment_due_on)
    .bind(c.paid_on)
    .bind(c.web_login_allowed)
    .bind(micros(now))
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// One workplace of an account: at registration and from Min profil.
async fn insert_workplace(
    tx: &mut Transaction<'static, Sqlite>,
    id: AccountId,
    w: &Workplace,
    now: Timestamp,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO workplaces (id, account_id, name, code, address, postal_code, city, phone,
                                 county_code, journal_system, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(w.id)
    .bind(id.0)
    .bind(&w.name)
    .bind(w.code.as_str())
    .bind(&w.address)
    .bind(&w.postal_code)
    .bind(&w.city)
    .bind(&w.phone)
    .bind(w.county.code())
    .bind(&w.journal_system)
    .bind(micros(now))
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

fn link_state(used_at: Option<i64>, expires_at: i64, now: Timestamp, account: Uuid) -> ResetLink {
    if used_at.is_some() {
        ResetLink::Used
    } else if expires_at <= micros(now) {
        ResetLink::Expired
    } else {
        ResetLink::Valid(AccountId(account))
    }
}

#[async_trait]
impl Accounts for SqliteStore {
    async fn register(
        &self,
        r: &NewRegistration,
        outbox: &Outbox,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let (status, expected_by, verified_at) = verification_columns(Verification::Pending {
            expected_by: r.verification_expected_by,
        });
        sqlx::query(
            "INSERT INTO accounts (id, person_number, given_name, surname, email, mobile, password_hash,
                                   profession, prescriber_code, verification, verification_expected_by,
                                   verified_at, population_register_addon, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
        )
        .bind(r.id.0)
        .bind(r.person_number.as_12_digits())
        .bind(&r.given_name)
        .bind(&r.surname)
        .bind(&r.email)
        .bind(&r.mobile)
        .bind(&r.password_hash)
        .bind(r.profession.code())
        .bind(r.prescriber_code.as_str())
        .bind(status)
        .bind(expected_by)
        .bind(verified_at)
        .bind(r.population_register_addon)
        .bind(micros(now))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        insert_workplace(&mut tx, r.id, &r.workplace, now).await?;
        let b = &r.billing;
        sqlx::query(
            "INSERT INTO billing_parties (account_id, kind, name, identity, address, postal_code, city,
                                          email, reference, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(r.id.0)
        .bind(b.kind.code())
        .bind(&b.name)
        .bind(&b.identity)
        .bind(&b.address)
        .bind(&b.postal_code)
        .bind(&b.city)
        .bind(&b.email)
        .bind(&b.reference)
        .bind(micros(now))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        insert_licence(&mut tx, r.id, &r.licensing, now).await?;
        insert_outbox(&mut tx, outbox, now).await?;
        tx.commit().await.map_err(db_err)
    }

    async fn account(&self, id: AccountId) -> StoreResult<Option<Account>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{ACCOUNT_SELECT} WHERE a.id = $1"
        )))
        .bind(id.0)
        .fetch_optional(&self.readers)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(account_from_row)
        .transpose()
    }

    async fn account_by_person_number(&self, pnr: &PersonNumber) -> StoreResult<Option<Account>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{ACCOUNT_SELECT} WHERE a.person_number = $1"
        )))
        .bind(pnr.as_12_digits())
        .fetch_optional(&self.readers)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(account_from_row)
        .transpose()
    }

    async fn workplaces(&self, id: AccountId) -> StoreResult<Vec<Workplace>> {
        let rows = sqlx::query(
            "SELECT * FROM workplaces WHERE account_id = $1 AND active ORDER BY created_at, id",
        )
        .bind(id.0)
        .fetch_all(&self.readers)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                let text = |name: &str| row.try_get::<String, _>(name).map_err(db_err);
                Ok(Workplace {
                    id: row.try_get("id").map_err(db_err)?,
                    name: text("name")?,
                    code: workplace_code(&text("code")?)?,
                    address: text("address")?,
                    postal_code: text("postal_code")?,
                    city: text("city")?,
                    phone: text("phone")?,
                    county: county(&text("county_code")?)?,
                    journal_system: row.try_get("journal_system").map_err(db_err)?,
                })
            })
            .collect()
    }

    async fn add_workplace(
        &self,
        id: AccountId,
        w: &Workplace,
        limit: usize,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let mut tx = self.write().await?;
        let active: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM workplaces WHERE account_id = $1 AND active")
                .bind(id.0)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
        if usize::try_from(active).unwrap_or(usize::MAX) >= limit {
            return Ok(false);
        }
        insert_workplace(&mut tx, id, w, now).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(true)
    }

    async fn update_workplace(
        &self,
        id: AccountId,
        w: &Workplace,
        _now: Timestamp,
    ) -> StoreResult<bool> {
        let result = sqlx::query(
            "UPDATE workplaces SET name = $3, code = $4, address = $5, postal_code = $6, city = $7,
                                   phone = $8, county_code = $9, journal_system = $10
             WHERE id = $1 AND account_id = $2 AND active",
        )
        .bind(w.id)
        .bind(id.0)
        .bind(&w.name)
        .bind(w.code.as_str())
        .bind(&w.address)
        .bind(&w.postal_code)
        .bind(&w.city)
        .bind(&w.phone)
        .bind(w.county.code())
        .bind(&w.journal_system)
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(result.rows_affected() == 1)
    }

    async fn remove_workplace(
        &self,
        id: AccountId,
        workplace: Uuid,
        _now: Timestamp,
    ) -> StoreResult<WorkplaceRemoval> {
        let mut tx = self.write().await?;
        let (active, this): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN id = $2 THEN 1 ELSE 0 END), 0)
             FROM workplaces WHERE account_id = $1 AND active",
        )
        .bind(id.0)
        .bind(workplace)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        if this == 0 {
            return Ok(WorkplaceRemoval::NotFound);
        }
        if active <= 1 {
            return Ok(WorkplaceRemoval::LastOne);
        }
        sqlx::query("UPDATE workplaces SET active = FALSE WHERE id = $1 AND account_id = $2")
            .bind(workplace)
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(WorkplaceRemoval::Removed)
    }

    async fn billing_party(&self, id: AccountId) -> StoreResult<Option<BillingParty>> {
        let Some(row) = sqlx::query("SELECT * FROM billing_parties WHERE account_id = $1")
            .bind(id.0)
            .fetch_optional(&self.readers)
            .await
            .map_err(db_err)?
        else {
            return Ok(None);
        };
        let text = |name: &str| row.try_get::<String, _>(name).map_err(db_err);
        Ok(Some(BillingParty {
            kind: billing_kind(&text("kind")?)?,
            name: text("name")?,
            identity: text("identity")?,
            address: text("address")?,
            postal_code: text("postal_code")?,
            city: text("city")?,
            email: text("email")?,
            reference: text("reference")?,
        }))
    }

    async fn update_billing_party(
        &self,
        id: AccountId,
        b: &BillingParty,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let result = sqlx::query(
            "UPDATE billing_parties SET kind = $2, name = $3, identity = $4, address = $5,
                                        postal_code = $6, city = $7, email = $8, reference = $9,
                                        updated_at = $10
             WHERE account_id = $1",
        )
        .bind(id.0)
        .bind(b.kind.code())
        .bind(&b.name)
        .bind(&b.identity)
        .bind(&b.address)
        .bind(&b.postal_code)
        .bind(&b.city)
        .bind(&b.email)
        .bind(&b.reference)
        .bind(micros(now))
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(result.rows_affected() == 1)
    }

    async fn set_verification(
        &self,
        id: AccountId,
        v: Verification,
        outbox: &Outbox,
        now: Timestamp,
    ) -> StoreResult<()> {
        let (status, expected_by, verified_at) = verification_columns(v);
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE accounts SET verification = $2, verification_expected_by = $3, verified_at = $4,
                    updated_at = $5
             WHERE id = $1",
        )
        .bind(id.0)
        .bind(status)
        .bind(expected_by)
        .bind(verified_at)
        .bind(micros(now))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        insert_outbox(&mut tx, outbox, now).await?;
        tx.commit().await.map_err(db_err)
    }

    async fn set_licensing(
        &self,
        id: AccountId,
        l: Licensing,
        outbox: &Outbox,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        insert_licence(&mut tx, id, &l, now).await?;
        insert_outbox(&mut tx, outbox, now).await?;
        tx.commit().await.map_err(db_err)
    }

    async fn create_reset_link(
        &self,
        token_hash: &str,
        id: AccountId,
        expires_at: Timestamp,
        outbox: &Outbox,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO password_resets (token_hash, account_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(id.0)
        .bind(micros(now))
        .bind(micros(expires_at))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        insert_outbox(&mut tx, outbox, now).await?;
        tx.commit().await.map_err(db_err)
    }

    async fn reset_link(&self, token_hash: &str, now: Timestamp) -> StoreResult<Option<ResetLink>> {
        let row = sqlx::query(
            "SELECT account_id, expires_at, used_at FROM password_resets WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.readers)
        .await
        .map_err(db_err)?;
        row.map(|row| {
            Ok(link_state(
                row.try_get("used_at").map_err(db_err)?,
                row.try_get("expires_at").map_err(db_err)?,
                now,
                row.try_get("account_id").map_err(db_err)?,
            ))
        })
        .transpose()
    }

    async fn use_reset_link(
        &self,
        token_hash: &str,
        password_hash: &str,
        outbox: &Outbox,
        now: Timestamp,
    ) -> StoreResult<Option<ResetLink>> {
        let mut tx = self.write().await?;
        let Some(row) = sqlx::query(
            "SELECT account_id, expires_at, used_at FROM password_resets WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?
        else {
            return Ok(None);
        };
        let account: Uuid = row.try_get("account_id").map_err(db_err)?;
        let state = link_state(
            row.try_get("used_at").map_err(db_err)?,
            row.try_get("expires_at").map_err(db_err)?,
            now,
            account,
        );
        if state != ResetLink::Valid(AccountId(account)) {
            return Ok(Some(state));
        }
        sqlx::query("UPDATE password_resets SET used_at = $2 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(micros(now))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        sqlx::query("UPDATE accounts SET password_hash = $2, updated_at = $3 WHERE id = $1")
            .bind(account)
            .bind(password_hash)
            .bind(micros(now))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        sqlx::query("DELETE FROM sessions WHERE account_id = $1")
            .bind(account)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        insert_outbox(&mut tx, outbox, now).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(Some(state))
    }

    async fn update_contact(
        &self,
        id: AccountId,
        email: &str,
        mobile: &str,
        outbox: &Outbox,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let mut tx = self.write().await?;
        let rows = sqlx::query(
            "UPDATE accounts SET email = $2, mobile = $3, updated_at = $4 WHERE id = $1",
        )
        .bind(id.0)
        .bind(email)
        .bind(mobile)
        .bind(micros(now))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?
        .rows_affected();
        commit_if_found(tx, rows, outbox, now).await
    }

    async fn change_password(
        &self,
        id: AccountId,
        password_hash: &str,
        outbox: &Outbox,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let mut tx = self.write().await?;
        let rows =
            sqlx::query("UPDATE accounts SET password_hash = $2, updated_at = $3 WHERE id = $1")
                .bind(id.0)
                .bind(password_hash)
                .bind(micros(now))
                .execute(&mut *tx)
                .await
                .map_err(db_err)?
                .rows_affected();
        commit_if_found(tx, rows, outbox, now).await
    }

    async fn set_password_hash(
        &self,
        id: AccountId,
        password_hash: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE accounts SET password_hash = $2, updated_at = $3 WHERE id = $1")
            .bind(id.0)
            .bind(password_hash)
            .bind(micros(now))
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn count_login_failure(
        &self,
        key: &str,
        since: Timestamp,
        now: Timestamp,
    ) -> StoreResult<u32> {
        let mut tx = self.write().await?;
        // Old failures are of no use: forget them as new ones come.
        sqlx::query("DELETE FROM login_failures WHERE key = $1 AND at < $2")
            .bind(key)
            .bind(micros(since))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)")
            .bind(key)
            .bind(micros(now))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE key = $1 AND at >= $2")
                .bind(key)
                .bind(micros(since))
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    async fn login_failures(&self, key: &str, since: Timestamp) -> StoreResult<u32> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE key = $1 AND at >= $2")
                .bind(key)
                .bind(micros(since))
                .fetch_one(&self.readers)
                .await
                .map_err(db_err)?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    async fn clear_login_failures(&self, key: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(key)
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn add_certificate(
        &self,
        c: &NewCertificate,
        outbox: &Outbox,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO certificates (id, account_id, filename, content_type, content, status, uploaded_at)
             VALUES ($1, $2, $3, $4, $5, 'submitted', $6)",
        )
        .bind(c.id)
        .bind(c.account_id.0)
        .bind(&c.filename)
        .bind(c.content_type)
        .bind(&c.content)
        .bind(micros(now))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        insert_outbox(&mut tx, outbox, now).await?;
        tx.commit().await.map_err(db_err)
    }

    async fn certificates(&self, id: AccountId) -> StoreResult<Vec<Certificate>> {
        let rows = sqlx::query(
            "SELECT id, filename, content_type, LENGTH(content) AS size, status, uploaded_at FROM certificates
             WHERE account_id = $1 ORDER BY uploaded_at DESC, id DESC",
        )
        .bind(id.0)
        .fetch_all(&self.readers)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|row| {
                let status: String = row.try_get("status").map_err(db_err)?;
                Ok(Certificate {
                    id: row.try_get("id").map_err(db_err)?,
                    filename: row.try_get("filename").map_err(db_err)?,
                    content_type: row.try_get("content_type").map_err(db_err)?,
                    size: u64::try_from(row.try_get::<i64, _>("size").map_err(db_err)?)
                        .unwrap_or(0),
                    status: CertificateStatus::parse(&status).ok_or_else(|| {
                        erecept_store::StoreError::Corrupt(format!("certificate status {status:?}"))
                    })?,
                    uploaded_at: instant(row.try_get("uploaded_at").map_err(db_err)?)?,
                })
            })
            .collect()
    }

    async fn decide_certificate(
        &self,
        certificate: Uuid,
        status: CertificateStatus,
        outbox: &Outbox,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let mut tx = self.write().await?;
        let done =
            sqlx::query("UPDATE certificates SET status = $2, decided_at = $3 WHERE id = $1")
                .bind(certificate)
                .bind(status.code())
                .bind(micros(now))
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        commit_if_found(tx, done.rows_affected(), outbox, now).await
    }

    async fn accounts_in_review(&self) -> StoreResult<Vec<Account>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{ACCOUNT_SELECT} WHERE a.verification = 'manual_review' ORDER BY a.created_at, a.id"
        )))
        .fetch_all(&self.readers)
        .await
        .map_err(db_err)?
        .iter()
        .map(account_from_row)
        .collect()
    }
}
