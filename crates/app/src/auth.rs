//! Login with personnummer and password, and "Glömt lösenord" (SPEC §2.2–2.3).
//!
//! The checks of a login run in the manual's order: credentials, then the prescriber-code
//! verification, then the licence. Failures are throttled per account and per address, and no
//! answer tells whether a personnummer has an account.

use std::net::IpAddr;
use std::sync::{Arc, LazyLock};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Argon2, Params};
use base64::Engine;
use erecept_domain::clock::{Clock, stockholm};
use erecept_domain::{NoActiveLicence, PasswordError, PasswordPolicy, PersonNumber, may_log_in};
use erecept_mail::{PasswordChanged, PasswordResetLink};
use erecept_store::{
    Account, AccountId, CertificateStatus, Outbox, ResetLink, Store, Verification,
};
use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};

use crate::{AppResult, Mailer, SessionService, SessionToken};

/// Failures of one account within the window before it is held back.
pub const MAX_FAILURES_PER_ACCOUNT: u32 = 5;
/// Failures from one address within the window before it is held back (an office behind one
/// address has many users).
pub const MAX_FAILURES_PER_ADDRESS: u32 = 30;
/// Reset links one account may be sent within the window.
pub const MAX_RESETS_PER_ACCOUNT: u32 = 3;
pub const MAX_RESETS_PER_ADDRESS: u32 = 10;
pub const THROTTLE_WINDOW: SignedDuration = SignedDuration::from_mins(15);
/// BankID orders one address may start within the window (each costs a call to BankID, and
/// an office behind one address has many users).
pub const MAX_BANKID_STARTS_PER_ADDRESS: u32 = 60;
/// How long a reset link works.
pub const RESET_LINK_HOURS: u32 = 24;

/// Argon2id with the parameters of OWASP's recommendation (m = 19 MiB, t = 2, p = 1).
fn hasher() -> Argon2<'static> {
    Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        Params::default(),
    )
}

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).unwrap_or_else(|_| {
        // 16 bytes always encode; this branch cannot be reached.
        SaltString::from_b64("c2FsdHNhbHRzYWx0c2FsdA").unwrap_or_else(|_| unreachable!())
    });
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
}

/// Checks a password against a stored hash. Returns whether it matched and whether the hash
/// should be renewed (made with other parameters than today's).
fn verify_password(password: &str, stored: &str) -> (bool, bool) {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return (false, false);
    };
    let ok = hasher()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    let current = Params::default();
    let outdated = parsed.algorithm.as_str() != "argon2id"
        || Params::try_from(&parsed)
            .map(|p| p != current)
            .unwrap_or(true);
    (ok, ok && outdated)
}

/// A hash to check against when the personnummer has no account, so that the answer takes as
/// long as for a real account.
static DECOY_HASH: LazyLock<String> = LazyLock::new(|| hash_password("decoy-password-never-used"));

#[derive(Debug)]
pub enum LoginOutcome {
    LoggedIn {
        token: SessionToken,
        account: Box<Account>,
    },
    /// "Fel personnummer eller lösenord." — never more specific.
    WrongCredentials,
    /// Too many failures: try again later.
    Throttled,
    /// "Behörighetskontroll ej slutförd", with the expected time when there is one.
    NotVerified { expected_by: Option<Timestamp> },
    /// An AT-läkare or sjuksköterska whose certificate (intyg) from the head of the unit has
    /// not been approved yet; `submitted` tells whether one is waiting for support.
    CertificateMissing { submitted: bool },
    /// "Det finns ingen aktiv licens" and why.
    NoActiveLicence(NoActiveLicence),
}

/// Why a new password was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewPasswordError {
    Policy(PasswordError),
    Mismatch,
}

impl std::fmt::Display for NewPasswordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NewPasswordError::Policy(e) => e.fmt(f),
            NewPasswordError::Mismatch => {
                f.write_str("Lösenorden är inte lika. Skriv samma lösenord i båda fälten.")
            }
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum ResetOutcome {
    Changed,
    /// The link is unknown, expired or used: the procedure must be repeated.
    LinkNotValid(Option<ResetLink>),
    Rejected(NewPasswordError),
}

/// What became of "Byt lösenord" under Min profil.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordChange {
    /// Changed; every other session of the account has ended and a confirmation is mailed.
    Changed,
    /// The current password typed does not match (counted like a failed login).
    WrongCurrent,
    /// Too many failures on the account within [`THROTTLE_WINDOW`].
    Throttled,
    Rejected(NewPasswordError),
    /// The account does not exist (any more).
    NotFound,
}

#[derive(Clone)]
pub struct Auth {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    sessions: SessionService,
    mailer: Mailer,
    public_url: String,
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn account_key(account: &Account) -> String {
    format!("login:account:{}", account.id)
}

fn address_key(address: IpAddr) -> String {
    format!("login:address:{address}")
}

/// Checks a new password typed twice against the policy.
pub fn check_new_password(
    password: &str,
    repeated: &str,
    person_number: Option<&PersonNumber>,
) -> Result<(), NewPasswordError> {
    PasswordPolicy::check(password, person_number).map_err(NewPasswordError::Policy)?;
    if password != repeated {
        return Err(NewPasswordError::Mismatch);
    }
    Ok(())
}

impl Auth {
    /// Counts a BankID order started from `address`; false when the address has started too
    /// many within [`THROTTLE_WINDOW`] (the order must then not be started).
    pub async fn may_start_identification(&self, address: IpAddr) -> AppResult<bool> {
        let now = self.clock.now();
        let count = self
            .store
            .count_login_failure(
                &format!("bankid:address:{address}"),
                now - THROTTLE_WINDOW,
                now,
            )
            .await?;
        Ok(count <= MAX_BANKID_STARTS_PER_ADDRESS)
    }
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        sessions: SessionService,
        mailer: Mailer,
        public_url: String,
    ) -> Self {
        Self {
            store,
            clock,
            sessions,
            mailer,
            public_url,
        }
    }

    /// Logs in with personnummer and password. On success the old session (if any) is replaced
    /// by a new one for the account, against session fixation.
    pub async fn login(
        &self,
        person_number: &PersonNumber,
        password: &str,
        address: IpAddr,
        current: Option<&SessionToken>,
    ) -> AppResult<LoginOutcome> {
        let now = self.clock.now();
        let since = now - THROTTLE_WINDOW;
        let by_address = address_key(address);
        if self.store.login_failures(&by_address, since).await? >= MAX_FAILURES_PER_ADDRESS {
            return Ok(LoginOutcome::Throttled);
        }
        let account = self.store.account_by_person_number(person_number).await?;
        if let Some(account) = &account
            && self
                .store
                .login_failures(&account_key(account), since)
                .await?
                >= MAX_FAILURES_PER_ACCOUNT
        {
            return Ok(LoginOutcome::Throttled);
        }

        let stored = account
            .as_ref()
            .map_or(DECOY_HASH.as_str(), |a| a.password_hash.as_str())
            .to_owned();
        let typed = password.to_owned();
        let (matched, rehash) =
            tokio::task::spawn_blocking(move || verify_password(&typed, &stored))
                .await
                .unwrap_or((false, false));
        let Some(account) = account.filter(|_| matched) else {
            self.store
                .count_login_failure(&by_address, since, now)
                .await?;
            if let Some(a) = self.store.account_by_person_number(person_number).await? {
                self.store
                    .count_login_failure(&account_key(&a), since, now)
                    .await?;
            }
            return Ok(LoginOutcome::WrongCredentials);
        };
        self.store
            .clear_login_failures(&account_key(&account))
            .await?;

        if let Some(refusal) = self.refusal(&account).await? {
            return Ok(refusal);
        }
        if rehash {
            // Made with older parameters: store a hash with today's, now that we know the password.
            let typed = password.to_owned();
            let renewed = tokio::task::spawn_blocking(move || hash_password(&typed))
                .await
                .unwrap_or_default();
            if !renewed.is_empty() {
                self.store
                    .set_password_hash(account.id, &renewed, now)
                    .await?;
            }
        }
        self.open_session(account, current).await
    }

    /// "Glömt lösenord": sends a link to the address on file if the personnummer has an account.
    /// The caller answers the same either way.
    pub async fn request_reset(
        &self,
        person_number: &PersonNumber,
        address: IpAddr,
    ) -> AppResult<()> {
        let now = self.clock.now();
        let since = now - SignedDuration::from_hours(1);
        let by_address = format!("reset:address:{address}");
        if self
            .store
            .count_login_failure(&by_address, since, now)
            .await?
            > MAX_RESETS_PER_ADDRESS
        {
            tracing::warn!(%address, "password-reset requests throttled for address");
            return Ok(());
        }
        let Some(account) = self.store.account_by_person_number(person_number).await? else {
            return Ok(());
        };
        let by_account = format!("reset:account:{}", account.id);
        if self
            .store
            .count_login_failure(&by_account, since, now)
            .await?
            > MAX_RESETS_PER_ACCOUNT
        {
            tracing::warn!(account = %account.id, "password-reset requests throttled for account");
            return Ok(());
        }
        let token =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
        let link = format!(
            "{}/glomt-losenord/{token}",
            self.public_url.trim_end_matches('/')
        );
        let mail = self.mailer.compose(
            &account.email,
            &PasswordResetLink {
                name: account.given_name.clone(),
                link,
                valid_hours: RESET_LINK_HOURS,
            },
        )?;
        let expires_at = now + SignedDuration::from_hours(i64::from(RESET_LINK_HOURS));
        self.store
            .create_reset_link(
                &token_hash(&token),
                account.id,
                expires_at,
                &Outbox::new().mail(mail),
                now,
            )
            .await?;
        self.mailer.wake();
        Ok(())
    }

    /// The state of a reset link, to show the right page before the form is filled in.
    pub async fn reset_link(&self, token: &str) -> AppResult<Option<ResetLink>> {
        Ok(self
            .store
            .reset_link(&token_hash(token), self.clock.now())
            .await?)
    }

    /// Sets a new password through a reset link: valid once, within 24 hours. Ends every
    /// session of the account and confirms by e-mail.
    pub async fn reset_password(
        &self,
        token: &str,
        password: &str,
        repeated: &str,
    ) -> AppResult<ResetOutcome> {
        let now = self.clock.now();
        let hash = token_hash(token);
        let account = match self.store.reset_link(&hash, now).await? {
            Some(ResetLink::Valid(id)) => self.store.account(id).await?,
            other => return Ok(ResetOutcome::LinkNotValid(other)),
        };
        let Some(account) = account else {
            return Ok(ResetOutcome::LinkNotValid(None));
        };
        if let Err(e) = check_new_password(password, repeated, Some(&account.person_number)) {
            return Ok(ResetOutcome::Rejected(e));
        }
        let password = password.to_owned();
        let new_hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .unwrap_or_default();
        let changed_at = now
            .to_zoned_datetime(stockholm())
            .strftime("%Y-%m-%d %H:%M")
            .to_string();
        let mail = self.mailer.compose(
            &account.email,
            &PasswordChanged {
                name: account.given_name.clone(),
                changed_at,
            },
        )?;
        let outcome = self
            .store
            .use_reset_link(&hash, &new_hash, &Outbox::new().mail(mail), now)
            .await?;
        self.mailer.wake();
        Ok(match outcome {
            Some(ResetLink::Valid(_)) => {
                tracing::info!(account = %account.id, "password changed through reset link");
                ResetOutcome::Changed
            }
            other => ResetOutcome::LinkNotValid(other),
        })
    }

    /// "Byt lösenord" under Min profil: the current password proves that it is the prescriber
    /// and not someone at an unattended computer (a wrong one counts against the account as a
    /// failed login does). The new password must pass the policy; it replaces the old one with
    /// the confirmation mail in one transaction, and every other session of the account ends.
    pub async fn change_password(
        &self,
        account: AccountId,
        keep: Option<&SessionToken>,
        current: &str,
        password: &str,
        repeated: &str,
    ) -> AppResult<PasswordChange> {
        let now = self.clock.now();
        let since = now - THROTTLE_WINDOW;
        let Some(account) = self.store.account(account).await? else {
            return Ok(PasswordChange::NotFound);
        };
        let key = account_key(&account);
        if self.store.login_failures(&key, since).await? >= MAX_FAILURES_PER_ACCOUNT {
            return Ok(PasswordChange::Throttled);
        }
        let typed = current.to_owned();
        let stored = account.password_hash.clone();
        let (matched, _) = tokio::task::spawn_blocking(move || verify_password(&typed, &stored))
            .await
            .unwrap_or((false, false));
        if !matched {
            self.store.count_login_failure(&key, since, now).await?;
            return Ok(PasswordChange::WrongCurrent);
        }
        if let Err(e) = check_new_password(password, repeated, Some(&account.person_number)) {
            return Ok(PasswordChange::Rejected(e));
        }
        let password = password.to_owned();
        let new_hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .unwrap_or_default();
        let mail = self.mailer.compose(
            &account.email,
            &PasswordChanged {
                name: account.given_name.clone(),
                changed_at: now
                    .to_zoned_datetime(stockholm())
                    .strftime("%Y-%m-%d %H:%M")
                    .to_string(),
            },
        )?;
        if !self
            .store
            .change_password(account.id, &new_hash, &Outbox::new().mail(mail), now)
            .await?
        {
            return Ok(PasswordChange::NotFound);
        }
        self.mailer.wake();
        self.store.clear_login_failures(&key).await?;
        let ended = self.sessions.end_others(account.id.0, keep).await?;
        tracing::info!(account = %account.id, other_sessions_ended = ended, "password changed in Min profil");
        Ok(PasswordChange::Changed)
    }

    /// Logs in the person BankID just identified: the same checks as [`Self::login`] after the
    /// credentials (prescriber-code verification, then the licence). The identification stands
    /// in for the password, so failures are neither counted nor throttled. A personnummer
    /// without an account is `WrongCredentials`; since the person proved who they are, the page
    /// may say that there is no account.
    pub async fn login_identified(
        &self,
        person_number: &PersonNumber,
        current: Option<&SessionToken>,
    ) -> AppResult<LoginOutcome> {
        let Some(account) = self.store.account_by_person_number(person_number).await? else {
            tracing::info!(person = %person_number.masked(), "BankID login without an account");
            return Ok(LoginOutcome::WrongCredentials);
        };
        self.store
            .clear_login_failures(&account_key(&account))
            .await?;
        if let Some(refusal) = self.refusal(&account).await? {
            return Ok(refusal);
        }
        self.open_session(account, current).await
    }

    /// Why an account whose identity is proven may not log in yet, in the manual's order:
    /// the prescriber-code verification, the certificate where one is required, the licence.
    async fn refusal(&self, account: &Account) -> AppResult<Option<LoginOutcome>> {
        match account.verification {
            Verification::Verified { .. } => {}
            Verification::Pending { expected_by } => {
                return Ok(Some(LoginOutcome::NotVerified {
                    expected_by: Some(expected_by),
                }));
            }
            Verification::ManualReview | Verification::Rejected => {
                return Ok(Some(LoginOutcome::NotVerified { expected_by: None }));
            }
        }
        if account.profession.needs_certificate() {
            let certificates = self.store.certificates(account.id).await?;
            if !certificates
                .iter()
                .any(|c| c.status == CertificateStatus::Approved)
            {
                let submitted = certificates
                    .iter()
                    .any(|c| c.status == CertificateStatus::Submitted);
                return Ok(Some(LoginOutcome::CertificateMissing { submitted }));
            }
        }
        if let Err(reason) = may_log_in(&account.licensing, self.clock.today()) {
            return Ok(Some(LoginOutcome::NoActiveLicence(reason)));
        }
        Ok(None)
    }

    /// Replaces the visitor's session (if any) by a new one for the account, against session
    /// fixation.
    async fn open_session(
        &self,
        account: Account,
        current: Option<&SessionToken>,
    ) -> AppResult<LoginOutcome> {
        let (token, _) = self.sessions.renew(current, Some(account.id.0)).await?;
        tracing::info!(account = %account.id, person = ?account.person_number, "logged in");
        Ok(LoginOutcome::LoggedIn {
            token,
            account: Box::new(account),
        })
    }
}
