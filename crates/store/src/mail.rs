use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MailId(pub Uuid);

impl std::fmt::Display for MailId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A rendered e-mail, ready to be sent.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMail {
    pub id: MailId,
    pub to: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Mail {
    pub id: MailId,
    pub to: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    pub transport: Option<String>,
}

impl Mail {
    /// The Message-ID header: stable per mail, so that a resend after a crash can be recognised.
    pub fn message_id(&self, domain: &str) -> String {
        format!("<{}@{}>", self.id, domain)
    }
}
