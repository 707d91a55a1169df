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
