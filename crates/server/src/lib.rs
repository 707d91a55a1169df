//! Wiring of the `erecept` binary: opens the store, builds the application, starts the
//! background worker and the web server, and stops them in order.

pub mod config;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use erecept_app::{App, AppConfig, Clients, MailDelivery};
use erecept_bankid::{BankIdClient, BankIdConfig};
use erecept_domain::clock::{AdjustableClock, Clock, SystemClock};
use erecept_mail::{Brand, SmtpClient};
use erecept_prescriber_register::PrescriberRegisterClient;
use erecept_store::Store;
use erecept_store_postgres::PostgresStore;
use erecept_store_sqlite::SqliteStore;
use erecept_web::{Simulator, SupportContact, WebConfig};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::{Config, Mode};

/// Opens the database named by the URL and applies its migrations.
pub async fn open_store(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PostgresStore::open(url).await?))
    } else {
        Ok(Arc::new(SqliteStore::open(url).await?))
    }
}

pub fn app_config(config: &Config) -> AppConfig {
    AppConfig {
        brand: Brand {
            service_name: config.service_name.clone(),
            public_url: config.public_url.clone(),
            support_email: config.support_email.clone(),
            support_phone: config.support_phone.clone(),
        },
        session_idle: jiff::SignedDuration::from_mins(config.session_idle_minutes),
        licence_price: config.licence_price,
        addon_price: config.addon_price,
        journal_systems: config.journal_systems.clone(),
    }
}

pub fn mail_delivery(config: &Config) -> anyhow::Result<MailDelivery> {
    match &config.smtp_url {
        Some(url) => Ok(MailDelivery::Smtp(Box::new(
            SmtpClient::new(url, &config.mail_from).context("ERECEPT_SMTP_URL")?,
        ))),
        None if config.mode == Mode::Production => {
            anyhow::bail!("production mode needs ERECEPT_SMTP_URL")
        }
        None => Ok(MailDelivery::DevMailbox),
    }
}

/// A running service.
pub struct Running {
    pub addr: SocketAddr,
    pub app: App,
    /// The movable clock of development mode.
    pub dev_clock: Option<Arc<AdjustableClock>>,
    stop: watch::Sender<bool>,
    done: JoinHandle<()>,
}

/// The external systems of a running service, and the simulators behind them in development.
struct External {
    clients: Clients,
    simulators: Vec<Simulator>,
    bankid_simulator: Option<erecept_bankid::simulator::RunningSimulator>,
}

fn read_pem(path: &Option<String>, name: &str) -> anyhow::Result<String> {
    let path = path
        .as_deref()
        .with_context(|| format!("{name} is not set"))?;
    std::fs::read_to_string(path).with_context(|| format!("{name}: reading {path}"))
}

/// Real clients in production; in development the simulators, started here, with clients that
/// reach them over the same protocols.
async fn external_systems(
    config: &Config,
    clock: Arc<dyn Clock>,
    addr: SocketAddr,
) -> anyhow::Result<External> {
    if config.mode == Mode::Production {
        let e = &config.external;
        let bankid = BankIdClient::new(&BankIdConfig {
            base_url: e
                .bankid_url
                .clone()
                .context("ERECEPT_BANKID_URL is not set")?,
            server_ca_pem: read_pem(&e.bankid_ca_file, "ERECEPT_BANKID_CA_FILE")?,
            client_identity_pem: read_pem(
                &e.bankid_client_identity_file,
                "ERECEPT_BANKID_CLIENT_IDENTITY_FILE",
            )?,
            timeout: erecept_bankid::DEFAULT_TIMEOUT,
        })
        .context("BankID client")?;
        let register = PrescriberRegisterClient::new(
            e.prescriber_register_url
                .as_deref()
                .context("ERECEPT_PRESCRIBER_REGISTER_URL is not set")?,
            erecept_prescriber_register::DEFAULT_TIMEOUT,
        )
        .context("prescriber register client")?;
        let spar = erecept_spar::SparClient::new(
            &erecept_spar::SparConfig::new(
                e.population_register_url
                    .clone()
                    .context("ERECEPT_SPAR_URL is not set")?,
                erecept_spar::CustomerIds {
                    delivery_customer: e
                        .spar_customer
                        .clone()
                        .context("ERECEPT_SPAR_CUSTOMER is not set")?,
                    end_customer: e
                        .spar_customer
                        .clone()
                        .context("ERECEPT_SPAR_CUSTOMER is not set")?,
                    assignment_id: e
                        .spar_assignment
                        .clone()
                        .context("ERECEPT_SPAR_ASSIGNMENT is not set")?,
                },
                erecept_spar::DEFAULT_TIMEOUT,
            )
            .with_client_identity(read_pem(
                &e.spar_client_identity_file,
                "ERECEPT_SPAR_CLIENT_IDENTITY_FILE",
            )?)
            .with_server_ca(read_pem(&e.spar_ca_file, "ERECEPT_SPAR_CA_FILE")?),
        )
        .context("SPAR client")?;
        let mut nll_config = erecept_nll::NllConfig::new(
            e.prescription_list_url
                .as_deref()
                .context("ERECEPT_NLL_URL is not set")?,
            e.nll_token
                .as_deref()
                .context("ERECEPT_NLL_TOKEN is not set")?,
        );
        nll_config.client_identity_pem = Some(read_pem(
            &e.nll_client_identity_file,
            "ERECEPT_NLL_CLIENT_IDENTITY_FILE",
        )?);
        nll_config.server_ca_pem = Some(read_pem(&e.nll_ca_file, "ERECEPT_NLL_CA_FILE")?);
        let nll = erecept_nll::NllClient::new(&nll_config).context("NLL client")?;
        return Ok(External {
            clients: Clients {
                bankid: Some(bankid),
                prescriber_register: Some(register),
                population_register: Some(spar),
                prescription_list: Some(nll),
            },
            simulators: Vec::new(),
            bankid_simulator: None,
        });
    }
    let bankid_sim = erecept_bankid::simulator::Simulator::start(clock.clone())
        .await
        .context("BankID simulator")?;
    let bankid = BankIdClient::new(&bankid_sim.client_config()).context("BankID client")?;
    let (register_router, _register) = erecept_prescriber_register::simulator::Simulator::new(
        clock.clone(),
        config.sim_verify_delay,
    );
    // The official test personnummer when the reference data is beside the checkout; numbers of
    // the same shape generated otherwise. Never real persons.
    let persons = std::env::var_os("ERECEPT_SIM_PERSONS_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from("../shared/data/persons"));
    let identities = erecept_spar::simulator::Identities::from_dir_or_generated(
        Some(&persons),
        erecept_spar::simulator::DEFAULT_SEED,
    );
    let (spar_router, _spar) = erecept_spar::simulator::Simulator::new(clock.clone(), identities);
    let spar = erecept_spar::SparClient::new(&erecept_spar::SparConfig::new(
        format!("http://{addr}{}/", erecept_spar::simulator::DEFAULT_MOUNT),
        erecept_spar::CustomerIds {
            delivery_customer: "500243".to_owned(),
            end_customer: "500243".to_owned(),
            assignment_id: "637".to_owned(),
        },
        erecept_spar::DEFAULT_TIMEOUT,
    ))
    .context("SPAR client")?;
    let (nll_router, _nll) = erecept_nll::simulator::Simulator::new(clock);
    // A national-list simulator of its own (ERECEPT_NLL_URL) outlives this server, so that
    // tests can restart the service while prescriptions are on their way.
    let nll_url = config
        .external
        .prescription_list_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}{}", erecept_nll::simulator::DEFAULT_MOUNT));
    let nll =
        erecept_nll::NllClient::new(&erecept_nll::NllConfig::new(&nll_url, "development-token"))
            .context("NLL client")?;
    let register = PrescriberRegisterClient::new(
        &format!(
            "http://{addr}{}",
            erecept_prescriber_register::simulator::DEFAULT_MOUNT
        ),
        erecept_prescriber_register::DEFAULT_TIMEOUT,
    )
    .context("prescriber register client")?;
    let simulators = vec![
        Simulator {
            name: "bankid",
            title: "BankID (testapp)",
            router: bankid_sim.router(erecept_bankid::simulator::DEFAULT_MOUNT),
        },
        Simulator {
            name: erecept_prescriber_register::simulator::NAME,
            title: erecept_prescriber_register::simulator::TITLE,
            router: register_router,
        },
        Simulator {
            name: erecept_spar::simulator::NAME,
            title: erecept_spar::simulator::TITLE,
            router: spar_router,
        },
        Simulator {
            name: erecept_nll::simulator::NAME,
            title: erecept_nll::simulator::TITLE,
            router: nll_router,
        },
    ];
    Ok(External {
        clients: Clients {
            bankid: Some(bankid),
            prescriber_register: Some(register),
            population_register: Some(spar),
            prescription_list: Some(nll),
        },
        simulators,
        bankid_simulator: Some(bankid_sim),
    })
}

impl Running {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops taking requests, lets the ones in progress and the current job finish, then closes
    /// the database.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.done.await;
    }

    /// Resolves when the service has stopped (after [`Running::stop`] or a signal).
    pub async fn wait(self) {
        let _ = self.done.await;
    }

    pub fn stopper(&self) -> watch::Sender<bool> {
        self.stop.clone()
    }
}

/// Starts the service as configured. `simulators` are mounted under /sim in development mode.
pub async fn start(config: Config, simulators: Vec<Simulator>) -> anyhow::Result<Running> {
    let store = open_store(&config.database_url)
        .await
        .with_context(|| format!("opening the database {}", redact(&config.database_url)))?;
    let dev_clock = (config.mode == Mode::Development).then(|| Arc::new(AdjustableClock::new()));
    let clock: Arc<dyn Clock> = match &dev_clock {
        Some(c) => c.clone(),
        None => Arc::new(SystemClock),
    };
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let external = external_systems(&config, clock.clone(), addr).await?;
    let app = App::new(app_config(&config), store.clone(), clock).with_clients(external.clients);
    let delivery = mail_delivery(&config)?;
    if config.mode == Mode::Development
        && app
            .drugs
            .load_demo_if_empty()
            .await
            .context("loading the demo catalogue")?
    {
        tracing::info!("demo catalogue and REK lists loaded");
    }
    app.drugs
        .refresh()
        .await
        .context("loading the drug register")?;

    let (stop, stopped) = watch::channel(false);
    let worker_name = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
    let worker = tokio::spawn(app.worker(worker_name, delivery).run(stopped.clone()));
    let janitor = tokio::spawn(purge_sessions(app.clone(), stopped.clone()));
    let register_watch = tokio::spawn(follow_drug_register(app.clone(), stopped.clone()));

    let web = WebConfig {
        service_name: config.service_name.clone(),
        support: SupportContact {
            phone: config.support_phone.clone(),
            fax: config.support_fax.clone(),
            email: config.support_email.clone(),
        },
        production: config.mode == Mode::Production,
        behind_proxy: config.behind_proxy,
        metrics_token: config.metrics_token.clone(),
    };
    let mut mounted = external.simulators;
    if config.mode == Mode::Development {
        mounted.extend(simulators);
    }
    let router = erecept_web::router(app.clone(), web, dev_clock.clone(), mounted);
    tracing::info!(%addr, mode = ?config.mode, database = store.backend(), "eRecept started");

    let mut until_stopped = stopped.clone();
    let bankid_simulator = external.bankid_simulator;
    let done = tokio::spawn(async move {
        let served = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = until_stopped.wait_for(|s| *s).await;
        })
        .await;
        if let Err(error) = served {
            tracing::error!(%error, "web server failed");
        }
        let _ = worker.await;
        let _ = janitor.await;
        let _ = register_watch.await;
        if let Some(sim) = bankid_simulator {
            sim.shutdown();
        }
        store.close().await;
        tracing::info!("eRecept stopped");
    });
    Ok(Running {
        addr,
        app,
        dev_clock,
        stop,
        done,
    })
}

/// Swaps in a new search index when an import (by any process) changed the register.
async fn follow_drug_register(app: App, mut stopped: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(30)) => {}
            _ = stopped.wait_for(|s| *s) => return,
        }
        if let Err(error) = app.drugs.refresh().await {
            tracing::warn!(%error, "refreshing the drug register");
        }
    }
}

/// Removes expired sessions now and then.
async fn purge_sessions(app: App, mut stopped: watch::Receiver<bool>) {
    loop {
        match app.sessions.purge_expired().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(sessions = n, "expired sessions removed"),
            Err(error) => tracing::warn!(%error, "removing expired sessions"),
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(600)) => {}
            _ = stopped.wait_for(|s| *s) => return,
        }
    }
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user_info = &url[scheme + 3..at];
            let user = user_info.split(':').next().unwrap_or("");
            format!("{}{}:***{}", &url[..scheme + 3], user, &url[at..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            super::redact("postgres://app:hemligt@db:5432/erecept"),
            "postgres://app:***@db:5432/erecept"
        );
        assert_eq!(super::redact("sqlite://erecept.db"), "sqlite://erecept.db");
    }
}
