use crate::{NewJob, NewMail};

/// The job kind that sends one queued mail; its payload is `{"mail_id": "<uuid>"}`.
pub const SEND_MAIL_JOB: &str = "mail.send";

/// Side effects of a change, stored in the same transaction as the change itself, so that a
/// mail or a delivery is neither lost (the change committed, the mail not) nor sent for a change
/// that was rolled back.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outbox {
    pub mails: Vec<NewMail>,
    pub jobs: Vec<NewJob>,
}

impl Outbox {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn is_empty(&self) -> bool {
        self.mails.is_empty() && self.jobs.is_empty()
    }

    pub fn mail(mut self, mail: NewMail) -> Self {
        self.mails.push(mail);
        self
    }

    pub fn job(mut self, job: NewJob) -> Self {
        self.jobs.push(job);
        self
    }

    /// Every job to insert: the explicit ones and one send job per mail, due at `now`.
    pub fn all_jobs(&self, now: jiff::Timestamp) -> Vec<NewJob> {
        let mut jobs = self.jobs.clone();
        for mail in &self.mails {
            jobs.push(NewJob::new(
                SEND_MAIL_JOB,
                serde_json::json!({ "mail_id": mail.id.0 }),
                format!("mail:{}", mail.id),
                now,
            ));
        }
        jobs
    }
}
