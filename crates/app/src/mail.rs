//! Queueing and delivering e-mail. A mail is rendered when the change that causes it happens and
//! stored in the outbox in the same transaction; the `mail.send` job delivers it later.

use std::sync::Arc;

use async_trait::async_trait;
use erecept_domain::clock::Clock;
use erecept_mail::{Brand, MailTemplate, Rendered, SendError, SmtpClient};
use erecept_store::{Job, MailId, NewMail, Outbox, SEND_MAIL_JOB, Store};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::AppResult;
use crate::jobs::{JobError, JobHandler};

/// Where queued mail goes.
#[derive(Debug, Clone)]
pub enum MailDelivery {
    Smtp(Box<SmtpClient>),
    /// Development mode: mail stays in the database and is shown at `/dev/mail`.
    DevMailbox,
}

impl MailDelivery {
    pub fn transport_name(&self) -> &'static str {
        match self {
            MailDelivery::Smtp(_) => "smtp",
            MailDelivery::DevMailbox => "dev-mailbox",
        }
    }
}

#[derive(Clone)]
pub struct Mailer {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    brand: Brand,
    wake: Arc<Notify>,
}

impl Mailer {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        brand: Brand,
        wake: Arc<Notify>,
    ) -> Self {
        Self {
            store,
            clock,
            brand,
            wake,
        }
    }

    /// Renders a mail for an outbox; the caller stores it with its own change.
    pub fn compose(&self, to: &str, template: &dyn MailTemplate) -> AppResult<NewMail> {
        let Rendered {
            subject,
            text,
            html,
        } = template.render(&self.brand)?;
        Ok(NewMail {
            id: MailId(Uuid::now_v7()),
            to: to.to_owned(),
            subject,
            text_body: text,
            html_body: html,
        })
    }

    /// Tells the worker that something was queued, so that it need not wait for its next poll.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Queues a mail on its own (for mail that no other change causes).
    pub async fn queue(&self, to: &str, template: &dyn MailTemplate) -> AppResult<MailId> {
        let mail = self.compose(to, template)?;
        let id = mail.id;
        self.store
            .enqueue(&Outbox::new().mail(mail), self.clock.now())
            .await?;
        self.wake.notify_one();
        Ok(id)
    }
}

/// The handler of `mail.send` jobs.
pub struct SendMailHandler {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    delivery: MailDelivery,
    message_id_domain: String,
}

impl SendMailHandler {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        delivery: MailDelivery,
        public_url: String,
    ) -> Self {
        let host = public_url
            .split("://")
            .nth(1)
            .unwrap_or(&public_url)
            .split(['/', ':'])
            .next()
            .unwrap_or("erecept.local")
            .to_owned();
        Self {
            store,
            clock,
            delivery,
            message_id_domain: host,
        }
    }
}

#[async_trait]
impl JobHandler for SendMailHandler {
    fn kind(&self) -> &'static str {
        SEND_MAIL_JOB
    }

    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let id = job
            .payload
            .get("mail_id")
            .and_then(|v| v.as_str())
            .and_then(|s| Uuid::parse_str(s).ok())
            .map(MailId)
            .ok_or_else(|| {
                JobError::Permanent(format!("mail job without mail id: {}", job.payload))
            })?;
        let mail = self
            .store
            .mail(id)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?
            .ok_or_else(|| JobError::Permanent(format!("mail {id} not found")))?;
        if mail.sent_at.is_some() {
            // Sent by an earlier attempt whose completion was not recorded: never send twice.
            return Ok(());
        }
        if let MailDelivery::Smtp(client) = &self.delivery {
            let rendered = Rendered {
                subject: mail.subject.clone(),
                text: mail.text_body.clone(),
                html: mail.html_body.clone(),
            };
            client
                .send(
                    &mail.to,
                    &rendered,
                    &mail.message_id(&self.message_id_domain),
                )
                .await
                .map_err(|e| match e {
                    SendError::Permanent(m) => JobError::Permanent(m),
                    SendError::Transient(m) => JobError::Retry(m),
                })?;
        }
        self.store
            .mark_mail_sent(id, self.delivery.transport_name(), self.clock.now())
            .await
            .map_err(|e| JobError::Retry(e.to_string()))
    }
}
