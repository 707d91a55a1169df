//! Licence periods: renewal of an expired own licence (reason b of the login page).

use std::sync::Arc;

use erecept_domain::clock::Clock;
use erecept_domain::{Licence, LicenceStatus, Licensing};
use erecept_store::{AccountId, Outbox, Store};

use crate::AppResult;

#[derive(Clone)]
pub struct Licences {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl Licences {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    /// The next licence year if the account's own licence has expired: it would start today.
    pub async fn renewal_offer(&self, id: AccountId) -> AppResult<Option<Licence>> {
        let today = self.clock.today();
        Ok(match self.store.account(id).await?.map(|a| a.licensing) {
            Some(Licensing::Own(l)) if l.status(today) == LicenceStatus::Expired => {
                Some(Licence::starting(today))
            }
            _ => None,
        })
    }

    /// Starts an own licence for a prescriber who has left a group licence (reason d): a year
    /// from today, payment due in three weeks. `None` when the account is not in that state.
    pub async fn start_own_after_group(&self, id: AccountId) -> AppResult<Option<Licence>> {
        let Some(Licensing::LeftGroup) = self.store.account(id).await?.map(|a| a.licensing) else {
            return Ok(None);
        };
        let licence = Licence::starting(self.clock.today());
        self.store
            .set_licensing(
                id,
                Licensing::Own(licence),
                &Outbox::new(),
                self.clock.now(),
            )
            .await?;
        tracing::info!(account = %id, "own licence started after a group licence");
        Ok(Some(licence))
    }

    /// Starts a new licence year today for an expired own licence: login works at once and
    /// the payment is due in three weeks. `None` when there is nothing to renew.
    pub async fn renew_expired(&self, id: AccountId) -> AppResult<Option<Licence>> {
        let Some(next) = self.renewal_offer(id).await? else {
            return Ok(None);
        };
        self.store
            .set_licensing(id, Licensing::Own(next), &Outbox::new(), self.clock.now())
            .await?;
        tracing::info!(account = %id, "licence renewed");
        Ok(Some(next))
    }
}
