use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The stored key of a session: a hash of the secret token in the cookie, so that a copy of
/// the database does not hand out live sessions.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SessionKey(pub String);

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Enough to tell sessions apart in a log, not enough to use one.
        let shown: String = self.0.chars().take(8).collect();
        write!(f, "SessionKey({shown}…)")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewSession {
    pub key: SessionKey,
    pub account_id: Option<Uuid>,
    pub data: serde_json::Value,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub key: SessionKey,
    pub account_id: Option<Uuid>,
    pub data: serde_json::Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub expires_at: Timestamp,
}
