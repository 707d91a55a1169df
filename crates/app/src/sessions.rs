//! Server-side sessions. The browser holds only a random token; the store holds its SHA-256,
//! the account (once logged in) and the session's data (wizard steps, BankID orders).

use std::sync::Arc;

use base64::Engine;
use erecept_domain::clock::Clock;
use erecept_store::{NewSession, Session, SessionKey, Store};
use jiff::SignedDuration;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::AppResult;

/// The secret in the session cookie. Never logged.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(…)")
    }
}

impl SessionToken {
    fn generate() -> Self {
        let bytes: [u8; 32] = rand::random();
        Self(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A token as the browser sent it; anything malformed is simply not a session.
    pub fn from_cookie(value: &str) -> Option<Self> {
        let ok = value.len() == 43
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| Self(value.to_owned()))
    }

    pub fn as_cookie_value(&self) -> &str {
        &self.0
    }

    fn key(&self) -> SessionKey {
        SessionKey(hex::encode(Sha256::digest(self.0.as_bytes())))
    }
}

#[derive(Clone)]
pub struct SessionService {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    idle: SignedDuration,
}

impl SessionService {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, idle: SignedDuration) -> Self {
        Self { store, clock, idle }
    }

    /// Starts a session, anonymous or for an account.
    pub async fn start(
        &self,
        account_id: Option<Uuid>,
        data: serde_json::Value,
    ) -> AppResult<(SessionToken, Session)> {
        let token = SessionToken::generate();
        let now = self.clock.now();
        let new = NewSession {
            key: token.key(),
            account_id,
            data,
            created_at: now,
            expires_at: now + self.idle,
        };
        self.store.create_session(&new).await?;
        let session = Session {
            key: new.key,
            account_id: new.account_id,
            data: new.data,
            created_at: now,
            updated_at: now,
            expires_at: new.expires_at,
        };
        Ok((token, session))
    }

    /// The live session of a token, its expiry pushed forward when it is used (written at most
    /// once a minute, so that reading pages does not mean writing the database each time).
    pub async fn load(&self, token: &SessionToken) -> AppResult<Option<Session>> {
        let now = self.clock.now();
        let Some(mut session) = self.store.session(&token.key(), now).await? else {
            return Ok(None);
        };
        if now.duration_since(session.updated_at) >= SignedDuration::from_mins(1) {
            session.expires_at = now + self.idle;
            session.updated_at = now;
            self.store
                .update_session(&session.key, &session.data, session.expires_at, now)
                .await?;
        }
        Ok(Some(session))
    }

    pub async fn save(&self, token: &SessionToken, data: &serde_json::Value) -> AppResult<()> {
        let now = self.clock.now();
        self.store
            .update_session(&token.key(), data, now + self.idle, now)
            .await?;
        Ok(())
    }

    /// Replaces a session by a new one with a new token (at login, against session fixation),
    /// keeping its data.
    pub async fn renew(
        &self,
        old: Option<&SessionToken>,
        account_id: Option<Uuid>,
    ) -> AppResult<(SessionToken, Session)> {
        let mut data = serde_json::json!({});
        if let Some(old) = old {
            if let Some(previous) = self.store.session(&old.key(), self.clock.now()).await? {
                data = previous.data;
            }
            self.store.delete_session(&old.key()).await?;
        }
        self.start(account_id, data).await
    }

    pub async fn end(&self, token: &SessionToken) -> AppResult<()> {
        self.store.delete_session(&token.key()).await?;
        Ok(())
    }

    /// Ends every session of an account but the given one (after a password change).
    pub async fn end_others(
        &self,
        account_id: Uuid,
        keep: Option<&SessionToken>,
    ) -> AppResult<u64> {
        let keep = keep.map(SessionToken::key);
        Ok(self
            .store
            .delete_account_sessions(account_id, keep.as_ref())
            .await?)
    }

    pub async fn purge_expired(&self) -> AppResult<u64> {
        Ok(self.store.purge_expired_sessions(self.clock.now()).await?)
    }
}
