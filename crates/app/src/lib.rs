//! The use cases of eRecept. The web layer calls these; they apply the rules (from `domain`)
//! in order, and persist through the `Store` port in one transaction per use case, with the
//! mail and jobs that the change causes in the same transaction (the outbox).

pub mod auth;
pub mod certificates;
pub mod customer_service;
pub mod drugs;
pub mod identification;
pub mod jobs;
pub mod licences;
pub mod mail;
pub mod patients;
pub mod prescribing;
pub mod profile;
pub mod registration;
pub mod sessions;
pub mod support;

use std::sync::Arc;

use erecept_domain::clock::Clock;
use erecept_mail::Brand;
use erecept_store::{Store, StoreError};

pub use auth::{Auth, LoginOutcome, NewPasswordError, PasswordChange, ResetOutcome};
pub use identification::{Identification, Identity, PendingOrder, Progress};
pub use jobs::{JobError, JobHandler, Worker};
pub use licences::Licences;
pub use mail::{MailDelivery, Mailer};
pub use sessions::{SessionService, SessionToken};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mail(#[from] erecept_mail::MailError),
}

pub type AppResult<T> = Result<T, AppError>;

/// Settings the use cases need (the server reads them from the configuration).
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub brand: Brand,
    /// How long a session lives without activity.
    pub session_idle: jiff::SignedDuration,
    /// The annual licence, VAT included.
    pub licence_price: erecept_domain::Money,
    /// The Befolkningsregister add-on, per year, VAT included.
    pub addon_price: erecept_domain::Money,
    /// Journal systems that can connect to the service (chosen at registration).
    pub journal_systems: Vec<String>,
}

/// The application: the ports and the services built on them. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub config: Arc<AppConfig>,
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub sessions: SessionService,
    pub mailer: Mailer,
    pub auth: Auth,
    pub licences: Licences,
    pub certificates: certificates::Certificates,
    pub support: support::Support,
    pub drugs: drugs::Drugs,
    pub patients: patients::Patients,
    pub prescribing: prescribing::Prescribing,
    pub registration: registration::Registration,
    /// The workplaces added, edited and removed under Min profil.
    pub workplaces: profile::Workplaces,
    /// The e-mail address and mobile number changed under Min profil.
    pub contact: profile::ContactDetails,
    /// The billing party changed under Min profil.
    pub billing: profile::Billing,
    /// Tickets to support from the customer-service page.
    pub customer_service: customer_service::CustomerService,
    /// Wakes the background worker when something was queued, so that it need not poll.
    pub jobs_queued: Arc<tokio::sync::Notify>,
    /// The external systems (real ones, or the simulators in development mode and tests).
    pub clients: Clients,
}

/// Clients of the external systems. Absent only in tests of parts that do not need them.
#[derive(Clone, Default)]
pub struct Clients {
    pub bankid: Option<erecept_bankid::BankIdClient>,
    pub prescriber_register: Option<erecept_prescriber_register::PrescriberRegisterClient>,
    /// The population register (SPAR), for the Befolkningsregister add-on.
    pub population_register: Option<erecept_spar::SparClient>,
    /// The national prescription list (NLL).
    pub prescription_list: Option<erecept_nll::NllClient>,
}

impl App {
    pub fn new(config: AppConfig, store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        let config = Arc::new(config);
        let jobs_queued = Arc::new(tokio::sync::Notify::new());
        let sessions = SessionService::new(store.clone(), clock.clone(), config.session_idle);
        let mailer = Mailer::new(
            store.clone(),
            clock.clone(),
            config.brand.clone(),
            jobs_queued.clone(),
        );
        let auth = Auth::new(
            store.clone(),
            clock.clone(),
            sessions.clone(),
            mailer.clone(),
            config.brand.public_url.clone(),
        );
        let drugs = drugs::Drugs::new(store.clone(), clock.clone());
        let patients = patients::Patients::new(store.clone(), clock.clone(), None);
        Self {
            prescribing: prescribing::Prescribing::new(
                store.clone(),
                clock.clone(),
                drugs.clone(),
                patients.clone(),
                jobs_queued.clone(),
            ),
            licences: Licences::new(store.clone(), clock.clone()),
            certificates: certificates::Certificates::new(store.clone(), clock.clone()),
            support: support::Support::new(store.clone(), clock.clone(), mailer.clone()),
            drugs,
            patients,
            workplaces: profile::Workplaces::new(
                store.clone(),
                clock.clone(),
                config.journal_systems.clone(),
            ),
            contact: profile::ContactDetails::new(store.clone(), clock.clone(), mailer.clone()),
            billing: profile::Billing::new(store.clone(), clock.clone()),
            customer_service: customer_service::CustomerService::new(
                store.clone(),
                clock.clone(),
                mailer.clone(),
                config.brand.support_email.clone(),
            ),
            registration: registration::Registration::new(
                store.clone(),
                clock.clone(),
                mailer.clone(),
                config.licence_price,
                config.addon_price,
                config.journal_systems.clone(),
            ),
            sessions,
            mailer,
            auth,
            config,
            store,
            clock,
            jobs_queued,
            clients: Clients::default(),
        }
    }

    /// The same application talking to these external systems.
    pub fn with_clients(mut self, clients: Clients) -> Self {
        self.patients = patients::Patients::new(
            self.store.clone(),
            self.clock.clone(),
            clients.population_register.clone(),
        );
        self.prescribing = prescribing::Prescribing::new(
            self.store.clone(),
            self.clock.clone(),
            self.drugs.clone(),
            self.patients.clone(),
            self.jobs_queued.clone(),
        );
        self.clients = clients;
        self
    }

    /// An account with its workplaces, for Min profil.
    pub async fn profile(
        &self,
        id: erecept_store::AccountId,
    ) -> AppResult<Option<(erecept_store::Account, Vec<erecept_store::Workplace>)>> {
        let Some(account) = self.store.account(id).await? else {
            return Ok(None);
        };
        let workplaces = self.store.workplaces(id).await?;
        Ok(Some((account, workplaces)))
    }

    /// The background worker with every job handler of the application.
    pub fn worker(&self, name: String, delivery: MailDelivery) -> Worker {
        let worker = Worker::new(
            name,
            self.store.clone(),
            self.clock.clone(),
            self.jobs_queued.clone(),
        )
        .handle(Arc::new(mail::SendMailHandler::new(
            self.store.clone(),
            self.clock.clone(),
            delivery,
            self.config.brand.public_url.clone(),
        )));
        let worker = match &self.clients.prescriber_register {
            Some(register) => worker.handle(Arc::new(registration::VerifyHandler::new(
                self.store.clone(),
                self.clock.clone(),
                self.mailer.clone(),
                register.clone(),
            ))),
            None => worker,
        };
        match &self.clients.prescription_list {
            Some(nll) => {
                let delivery = prescribing::delivery::Delivery::new(
                    self.store.clone(),
                    self.clock.clone(),
                    nll.clone(),
                );
                worker
                    .handle(Arc::new(prescribing::delivery::SendHandler(
                        delivery.clone(),
                    )))
                    .handle(Arc::new(prescribing::delivery::EndHandler(delivery)))
            }
            None => worker,
        }
    }
}
