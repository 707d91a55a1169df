//! The persistence port of eRecept.
//!
//! The application talks to storage only through [`Store`], a trait at the level of aggregates
//! (a session, a job, a queued e-mail; later accounts, licences, prescriptions). Each adapter
//! (SQLite, PostgreSQL) implements all of it with its own SQL and migrations, and both must pass
//! the same [`contract`] suite.
//!
//! Timestamps always come from the caller (the application's clock), never from the database,
//! so that tests and development mode can move time.

mod accounts;
pub mod codec;
pub mod contract;
mod error;
mod jobs;
mod mail;
mod outbox;
mod prescriptions;
mod sessions;
mod tickets;

use async_trait::async_trait;

pub use accounts::{
    Account, AccountId, BillingKind, BillingParty, Certificate, CertificateStatus, NewCertificate,
    NewRegistration, ResetLink, Verification, Workplace, WorkplaceRemoval,
};
pub use error::StoreError;
pub use jobs::{Job, JobCounts, JobId, JobStatus, NewJob};
pub use mail::{Mail, MailId, NewMail};
pub use outbox::{Outbox, SEND_MAIL_JOB};
pub use prescriptions::{
    NewPrescription, Prescription, PrescriptionEvent, PrescriptionFilter, PrescriptionPage,
    PrescriptionStatus, StatusChange,
};
pub use sessions::{NewSession, Session, SessionKey};
pub use tickets::{Attachment, NewTicket, Ticket};

pub type StoreResult<T> = Result<T, StoreError>;

/// Everything the application persists. Adapters implement each part; the application holds an
/// `Arc<dyn Store>`.
pub trait Store:
    Health + Sessions + Jobs + Mailbox + Accounts + Catalogue + Audit + Prescriptions + Tickets
{
}

impl<T: Health + Sessions + Jobs + Mailbox + Accounts + Catalogue + Audit + Prescriptions + Tickets>
    Store for T
{
}

#[async_trait]
pub trait Health: Send + Sync + 'static {
    /// A short name of the backend for logs and metrics: "sqlite" or "postgres".
    fn backend(&self) -> &'static str;

    /// Answers when the database can be read and written (readiness).
    async fn ping(&self) -> StoreResult<()>;

    /// Closes every connection; pending writes are finished first.
    async fn close(&self);
}

#[async_trait]
pub trait Sessions: Send + Sync + 'static {
    async fn create_session(&self, session: &NewSession) -> StoreResult<()>;

    /// The session, unless it is unknown or expired at `now`.
    async fn session(&self, key: &SessionKey, now: jiff::Timestamp)
    -> StoreResult<Option<Session>>;

    /// Stores new data and a new expiry (sliding expiry) for a live session.
    async fn update_session(
        &self,
        key: &SessionKey,
        data: &serde_json::Value,
        expires_at: jiff::Timestamp,
        now: jiff::Timestamp,
    ) -> StoreResult<()>;

    async fn delete_session(&self, key: &SessionKey) -> StoreResult<()>;

    /// Ends every session of an account but `keep` (password change, logout everywhere).
    /// Returns how many were ended.
    async fn delete_account_sessions(
        &self,
        account_id: uuid::Uuid,
        keep: Option<&SessionKey>,
    ) -> StoreResult<u64>;

    /// Removes sessions that expired before `now`.
    async fn purge_expired_sessions(&self, now: jiff::Timestamp) -> StoreResult<u64>;
}

#[async_trait]
pub trait Jobs: Send + Sync + 'static {
    /// Stores an outbox on its own. Aggregate operations that cause mail or jobs take an
    /// [`Outbox`] and store it in their own transaction instead.
    async fn enqueue(&self, outbox: &Outbox, now: jiff::Timestamp) -> StoreResult<()>;

    /// Takes the oldest due job (pending and due, or running with an expired lease) for
    /// `worker` until `lease_until`, counting an attempt. No two workers get the same job at once.
    async fn claim_job(
        &self,
        worker: &str,
        now: jiff::Timestamp,
        lease_until: jiff::Timestamp,
    ) -> StoreResult<Option<Job>>;

    /// Marks a job done, if `worker` still holds it. Returns false when the lease was lost.
    async fn complete_job(
        &self,
        id: JobId,
        worker: &str,
        now: jiff::Timestamp,
    ) -> StoreResult<bool>;

    /// Records a failed attempt, if `worker` still holds the job: it runs again at `retry_at`, or
    /// is given up (dead) when `retry_at` is `None`. Returns false when the lease was lost.
    async fn fail_job(
        &self,
        id: JobId,
        worker: &str,
        error: &str,
        retry_at: Option<jiff::Timestamp>,
        now: jiff::Timestamp,
    ) -> StoreResult<bool>;

    async fn job(&self, id: JobId) -> StoreResult<Option<Job>>;

    async fn job_by_key(&self, idempotency_key: &str) -> StoreResult<Option<Job>>;

    async fn job_counts(&self) -> StoreResult<JobCounts>;
}

#[async_trait]
pub trait Mailbox: Send + Sync + 'static {
    async fn mail(&self, id: MailId) -> StoreResult<Option<Mail>>;

    /// Records that a mail was handed to a transport ("smtp", "dev-mailbox").
    async fn mark_mail_sent(
        &self,
        id: MailId,
        transport: &str,
        at: jiff::Timestamp,
    ) -> StoreResult<()>;

    /// The newest mail first, sent or not.
    async fn recent_mail(&self, limit: u32) -> StoreResult<Vec<Mail>>;
}

#[async_trait]
pub trait Accounts: Send + Sync + 'static {
    /// Creates account, prescriber, workplace, billing party and licence at once, with the
    /// outbox. `Conflict` when the personnummer already has an account.
    async fn register(
        &self,
        registration: &NewRegistration,
        outbox: &Outbox,
        now: jiff::Timestamp,
    ) -> StoreResult<()>;

    async fn account(&self, id: AccountId) -> StoreResult<Option<Account>>;

    async fn account_by_person_number(
        &self,
        person_number: &erecept_domain::PersonNumber,
    ) -> StoreResult<Option<Account>>;

    /// The account's active workplaces, oldest first.
    async fn workplaces(&self, id: AccountId) -> StoreResult<Vec<Workplace>>;

    /// Adds a workplace to the account (Min profil), with the id it carries, unless the account
    /// has `limit` active workplaces already; returns whether it was added. The count and the
    /// insert are one transaction, so two saves at the same moment cannot pass the limit.
    async fn add_workplace(
        &self,
        id: AccountId,
        workplace: &Workplace,
        limit: usize,
        now: jiff::Timestamp,
    ) -> StoreResult<bool>;

    /// Replaces the data of the account's active workplace `workplace.id`. Returns false, and
    /// changes nothing, when the account has no such workplace (another account's included).
    /// The table keeps no time of change, so `now` is not stored.
    async fn update_workplace(
        &self,
        id: AccountId,
        workplace: &Workplace,
        now: jiff::Timestamp,
    ) -> StoreResult<bool>;

    /// Takes the account's active workplace `workplace` out of use (`active` false) unless it is
    /// the account's last active one; the count and the change are one transaction.
    async fn remove_workplace(
        &self,
        id: AccountId,
        workplace: uuid::Uuid,
        now: jiff::Timestamp,
    ) -> StoreResult<WorkplaceRemoval>;

    async fn billing_party(&self, id: AccountId) -> StoreResult<Option<BillingParty>>;

    /// Replaces the account's billing party (Min profil). False, and nothing written, when the
    /// account has none.
    async fn update_billing_party(
        &self,
        id: AccountId,
        billing: &BillingParty,
        now: jiff::Timestamp,
    ) -> StoreResult<bool>;

    async fn set_verification(
        &self,
        id: AccountId,
        verification: Verification,
        outbox: &Outbox,
        now: jiff::Timestamp,
    ) -> StoreResult<()>;

    /// Starts a new licence period (or records a change of licensing), with the outbox.
    async fn set_licensing(
        &self,
        id: AccountId,
        licensing: erecept_domain::Licensing,
        outbox: &Outbox,
        now: jiff::Timestamp,
    ) -> StoreResult<()>;

    async fn create_reset_link(
        &self,
        token_hash: &str,
        id: AccountId,
        expires_at: jiff::Timestamp,
        outbox: &Outbox,
        now: jiff::Timestamp,
    ) -> StoreResult<()>;

    async fn reset_link(
        &self,
        token_hash: &str,
        now: jiff::Timestamp,
    ) -> StoreResult<Option<ResetLink>>;

    /// Uses a valid link once: the new password is set, the link marked used and every session
    /// of the account ended, in one transaction with the outbox. Returns the link's state
    /// before use (`Valid` means it was used now).
    async fn use_reset_link(
        &self,
        token_hash: &str,
        password_hash: &str,
        outbox: &Outbox,
        now: jiff::Timestamp,
    ) -> StoreResult<Option<ResetLink>>;

    /// Replaces the account's e-mail address and mobile number (Min profil), with the outbox
    /// (the notice to the address used before) in the same transaction. False, and nothing
    /// written, when there is no such account.
    async fn update_contact(
        &self,
        id: AccountId,
        email: &str,
        mobile: &str,
        outbox: &Outbox,
        now: jiff::Timestamp,
    ) -> StoreResult<bool>;

    /// Replaces the password the prescriber chose anew (Min profil), with the outbox (the
    /// confirmation mail) in the same transaction. False, and nothing written, without such an
    /// account.
    async fn change_password(
        &self,
        id: AccountId,
        password_hash: &str,
        outbox: &Outbox,
        now: jiff::Timestamp,
    ) -> StoreResult<bool>;

    /// Replaces the password hash (a re-hash with new parameters at login).
    async fn set_password_hash(
        &self,
        id: AccountId,
        password_hash: &str,
        now: jiff::Timestamp,
    ) -> StoreResult<()>;

    /// Records a failed login for `key` (an account or an address) and returns how many
    /// failures it has had since `since`.
    async fn count_login_failure(
        &self,
        key: &str,
        since: jiff::Timestamp,
        now: jiff::Timestamp,
    ) -> StoreResult<u32>;

    /// How many failures `key` has had since `since`, without recording one.
    async fn login_failures(&self, key: &str, since: jiff::Timestamp) -> StoreResult<u32>;

    async fn clear_login_failures(&self, key: &str) -> StoreResult<()>;

    async fn add_certificate(
        &self,
        certificate: &NewCertificate,
        outbox: &Outbox,
        now: jiff::Timestamp,
    ) -> StoreResult<()>;

    /// The account's certificates, newest first.
    async fn certificates(&self, id: AccountId) -> StoreResult<Vec<Certificate>>;

    /// Support's decision on a certificate. Returns false when there is no such certificate.
    async fn decide_certificate(
        &self,
        certificate: uuid::Uuid,
        status: CertificateStatus,
        outbox: &Outbox,
        now: jiff::Timestamp,
    ) -> StoreResult<bool>;

    /// Accounts whose prescriber code awaits a person's decision, oldest first.
    async fn accounts_in_review(&self) -> StoreResult<Vec<Account>>;
}

/// The drug register as the store keeps it: products as JSON documents keyed by NPL-id (the
/// catalog crate owns their shape), and each region's REK list in its documented text format.
#[async_trait]
pub trait Catalogue: Send + Sync + 'static {
    /// Every product document, in NPL-id order.
    async fn catalogue_products(&self) -> StoreResult<Vec<serde_json::Value>>;

    /// Inserts or replaces products by NPL-id, all in one transaction; never deletes.
    async fn save_products(
        &self,
        products: &[(String, serde_json::Value)],
        now: jiff::Timestamp,
    ) -> StoreResult<()>;

    /// Every region's REK list: (county code, rows).
    async fn rek_lists(&self) -> StoreResult<Vec<(String, String)>>;

    /// Replaces the named regions' lists, all in one transaction.
    async fn save_rek_lists(
        &self,
        lists: &[(String, String)],
        now: jiff::Timestamp,
    ) -> StoreResult<()>;

    /// Grows with every change of products or REK lists.
    async fn catalogue_version(&self) -> StoreResult<i64>;
}

/// One look at or change of a patient's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: uuid::Uuid,
    pub at: jiff::Timestamp,
    /// Who: the prescriber's account.
    pub account_id: AccountId,
    /// Which patient: the personnummer (12 digits) or another key of the patient.
    pub patient: String,
    /// What, as a short code ("patient.lookup", "prescription.send", …).
    pub action: String,
    /// What, for a person reading the log.
    pub detail: String,
}

/// The audit log of patient data: rows are only ever added.
#[async_trait]
pub trait Tickets: Send + Sync + 'static {
    /// Stores a ticket and returns its number, one more than the last ticket's. The mail that
    /// names the number (the receipt to the visitor, the notice to support) is made by `mails`
    /// once the number is known and stored in the same transaction; when `mails` fails,
    /// nothing is stored.
    async fn create_ticket(
        &self,
        ticket: &NewTicket,
        mails: &(dyn Fn(u64) -> Result<Outbox, String> + Send + Sync),
        now: jiff::Timestamp,
    ) -> StoreResult<u64>;

    async fn ticket(&self, number: u64) -> StoreResult<Option<Ticket>>;
}

#[async_trait]
pub trait Audit: Send + Sync + 'static {
    async fn record_audit(&self, entry: &AuditEntry) -> StoreResult<()>;

    /// The account's own entries, newest first.
    async fn audit_of_account(
        &self,
        account: AccountId,
        limit: u32,
    ) -> StoreResult<Vec<AuditEntry>>;
}

/// Prescription drafts and items, with their timelines. Every change that concerns a patient
/// takes the audit entries to write with it, in the same transaction.
#[async_trait]
pub trait Prescriptions: Send + Sync + 'static {
    /// The account's draft of a new prescription (kept between visits), if any.
    async fn prescription_draft(
        &self,
        account: AccountId,
    ) -> StoreResult<Option<serde_json::Value>>;

    /// Replaces the account's draft.
    async fn save_prescription_draft(
        &self,
        account: AccountId,
        draft: &serde_json::Value,
        now: jiff::Timestamp,
    ) -> StoreResult<()>;

    async fn delete_prescription_draft(&self, account: AccountId) -> StoreResult<()>;

    /// Stores the items of one batch as queued, each with a first timeline line, together with
    /// the audit entries and the outbox (the delivery jobs), and removes the account's draft,
    /// all in one transaction. `Conflict` when the batch id was used before: nothing is stored.
    async fn submit_prescriptions(
        &self,
        items: &[NewPrescription],
        audit: &[AuditEntry],
        outbox: &Outbox,
        now: jiff::Timestamp,
    ) -> StoreResult<()>;

    async fn prescription(&self, id: uuid::Uuid) -> StoreResult<Option<Prescription>>;

    /// The items of a batch, in position order.
    async fn prescription_batch(&self, batch: uuid::Uuid) -> StoreResult<Vec<Prescription>>;

    /// The item's timeline, oldest first.
    async fn prescription_events(&self, id: uuid::Uuid) -> StoreResult<Vec<PrescriptionEvent>>;

    /// Applies a change of status if the item is in one of `change.from`, adding its timeline
    /// line, the audit entries and the outbox in the same transaction. Returns false (and
    /// changes nothing) when the item is unknown or in another status.
    async fn change_prescription_status(
        &self,
        change: &StatusChange,
        audit: &[AuditEntry],
        outbox: &Outbox,
        now: jiff::Timestamp,
    ) -> StoreResult<bool>;

    /// The account's items matching the filter, newest first (`created_at`, then position),
    /// `limit` of them after skipping `offset`.
    async fn search_prescriptions(
        &self,
        account: AccountId,
        filter: &PrescriptionFilter,
        offset: u64,
        limit: u32,
    ) -> StoreResult<PrescriptionPage>;
}
