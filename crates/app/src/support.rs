//! Support's decisions until the back-office exists: prescriber codes that the register did not
//! confirm, and certificates to approve (used by `erecept admin`).

use std::sync::Arc;

use erecept_domain::PersonNumber;
use erecept_domain::clock::Clock;
use erecept_mail::{CertificateDecided, PrescriberNotConfirmed, PrescriberVerified};
use erecept_store::{Account, CertificateStatus, Outbox, Store, Verification};

use crate::{AppResult, Mailer};

#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    Done,
    NoSuchAccount,
    /// Nothing waits for this decision (already decided, or no certificate submitted).
    NothingToDecide,
}

#[derive(Clone)]
pub struct Support {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    mailer: Mailer,
}

impl Support {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, mailer: Mailer) -> Self {
        Self {
            store,
            clock,
            mailer,
        }
    }

    /// Prescribers whose code awaits a person's decision.
    pub async fn verifications_to_review(&self) -> AppResult<Vec<Account>> {
        Ok(self.store.accounts_in_review().await?)
    }

    /// Confirms (or rejects) a prescriber's code by hand, and mails the prescriber the outcome.
    pub async fn decide_verification(
        &self,
        person_number: &PersonNumber,
        approve: bool,
    ) -> AppResult<Decision> {
        let Some(account) = self.store.account_by_person_number(person_number).await? else {
            return Ok(Decision::NoSuchAccount);
        };
        if matches!(account.verification, Verification::Verified { .. }) {
            return Ok(Decision::NothingToDecide);
        }
        let now = self.clock.now();
        if approve {
            let mail = self.mailer.compose(
                &account.email,
                &PrescriberVerified {
                    name: account.given_name.clone(),
                },
            )?;
            self.store
                .set_verification(
                    account.id,
                    Verification::Verified { at: now },
                    &Outbox::new().mail(mail),
                    now,
                )
                .await?;
            self.mailer.wake();
        } else {
            let mail = self.mailer.compose(
                &account.email,
                &PrescriberNotConfirmed {
                    name: account.given_name.clone(),
                },
            )?;
            self.store
                .set_verification(
                    account.id,
                    Verification::Rejected,
                    &Outbox::new().mail(mail),
                    now,
                )
                .await?;
            self.mailer.wake();
        }
        tracing::info!(account = %account.id, approve, "prescriber code decided by support");
        Ok(Decision::Done)
    }

    /// Approves (or rejects) the newest certificate waiting for review, and mails the outcome.
    pub async fn decide_certificate(
        &self,
        person_number: &PersonNumber,
        approve: bool,
    ) -> AppResult<Decision> {
        let Some(account) = self.store.account_by_person_number(person_number).await? else {
            return Ok(Decision::NoSuchAccount);
        };
        let certificates = self.store.certificates(account.id).await?;
        let Some(waiting) = certificates
            .iter()
            .find(|c| c.status == CertificateStatus::Submitted)
        else {
            return Ok(Decision::NothingToDecide);
        };
        let status = if approve {
            CertificateStatus::Approved
        } else {
            CertificateStatus::Rejected
        };
        let mail = self.mailer.compose(
            &account.email,
            &CertificateDecided {
                name: account.given_name.clone(),
                approved: approve,
            },
        )?;
        self.store
            .decide_certificate(
                waiting.id,
                status,
                &Outbox::new().mail(mail),
                self.clock.now(),
            )
            .await?;
        self.mailer.wake();
        tracing::info!(account = %account.id, certificate = %waiting.id, approve, "certificate decided by support");
        Ok(Decision::Done)
    }
}
