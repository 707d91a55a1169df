//! `erecept`: the eRecept service and its operator commands.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use erecept_server::{Config, Mode};

#[derive(Parser)]
#[command(
    name = "erecept",
    version,
    about = "eRecept: e-prescriptions for prescribers without a journal system"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service (the default). Configured by ERECEPT_* variables; none means development mode.
    Serve,
    /// Apply the database migrations and exit.
    Migrate,
    /// Check a JSON file of personnummer/samordningsnummer (an array of strings): prints how many
    /// are valid and lists the refused ones with the reason; exits non-zero if any is refused.
    CheckIds { file: PathBuf },
    /// Queue a test e-mail to ADDRESS and deliver it now, to check the mail set-up.
    SendTestMail { address: String },
    /// Write a consistent copy of the SQLite database to PATH (PostgreSQL: use pg_dump).
    Backup { path: PathBuf },
    /// Support's decisions until the back-office exists.
    #[command(subcommand)]
    Admin(Admin),
}

#[derive(Subcommand)]
enum Admin {
    /// List prescribers whose code the register did not confirm.
    Reviews,
    /// Confirm a prescriber's code by hand (mails that login works).
    ApproveCode { personnummer: String },
    /// Reject a prescriber's code.
    RejectCode { personnummer: String },
    /// Approve the certificate (intyg) a prescriber sent in.
    ApproveCertificate { personnummer: String },
    /// Reject the certificate (intyg) a prescriber sent in.
    RejectCertificate { personnummer: String },
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ERECEPT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if json {
        builder.json().flatten_event(true).init();
    } else {
        builder.init();
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::from_env()?;
    init_logging(config.log_json);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            let store = erecept_server::open_store(&config.database_url).await?;
            store.close().await;
            println!(
                "migrations applied to {}",
                erecept_server::redact(&config.database_url)
            );
            Ok(())
        }
        Command::CheckIds { file } => check_ids(&file),
        Command::SendTestMail { address } => send_test_mail(config, &address).await,
        Command::Backup { path } => backup(config, &path).await,
        Command::Admin(admin) => run_admin(config, admin).await,
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    if config.mode == Mode::Development {
        tracing::warn!(
            "development mode: simulated external systems, mail at /dev/mail, movable clock at /dev/clock"
        );
    }
    let running = erecept_server::start(config, Vec::new()).await?;
    println!("eRecept listens on {}", running.url());
    let stopper = running.stopper();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down: finishing requests and the current job");
        let _ = stopper.send(true);
    });
    running.wait().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}

fn check_ids(file: &std::path::Path) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let numbers: Vec<String> = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a JSON array of strings", file.display()))?;
    let today = jiff::Timestamp::now()
        .to_zoned_datetime(erecept_domain::clock::stockholm())
        .date();
    let mut refused = 0usize;
    for (i, n) in numbers.iter().enumerate() {
        if let Err(error) = erecept_domain::PersonNumber::parse(n, today) {
            refused += 1;
            println!("rad {}: {n}: {error}", i + 1);
        }
    }
    println!(
        "check-ids: {} valid, {refused} refused, of {} in {}",
        numbers.len() - refused,
        numbers.len(),
        file.display()
    );
    if refused > 0 {
        anyhow::bail!("{refused} numbers refused");
    }
    Ok(())
}

async fn send_test_mail(config: Config, address: &str) -> anyhow::Result<()> {
    let store = erecept_server::open_store(&config.database_url).await?;
    let clock: std::sync::Arc<dyn erecept_domain::Clock> =
        std::sync::Arc::new(erecept_domain::SystemClock);
    let app = erecept_app::App::new(erecept_server::app_config(&config), store.clone(), clock);
    let requested_by =
        std::env::var("USER").unwrap_or_else(|_| "erecept send-test-mail".to_owned());
    let id = app
        .mailer
        .queue(address, &erecept_mail::TestMessage { requested_by })
        .await?;
    let worker = app.worker(
        format!("send-test-mail-{}", std::process::id()),
        erecept_server::mail_delivery(&config)?,
    );
    worker.drain().await?;
    let mail = store
        .mail(id)
        .await?
        .context("the queued mail disappeared")?;
    store.close().await;
    match mail.sent_at {
        Some(_) => {
            println!(
                "test mail {id} sent to {address} via {}",
                mail.transport.unwrap_or_default()
            );
            Ok(())
        }
        None => anyhow::bail!(
            "test mail {id} not sent yet; it stays queued and is retried by the service"
        ),
    }
}

async fn backup(config: Config, path: &std::path::Path) -> anyhow::Result<()> {
    if !config.database_url.starts_with("sqlite:") {
        anyhow::bail!("backup copies SQLite databases; for PostgreSQL use pg_dump");
    }
    if path.exists() {
        anyhow::bail!("{} exists already; choose a new file", path.display());
    }
    let store = erecept_store_sqlite::SqliteStore::open(&config.database_url).await?;
    store
        .backup_to(&path.to_string_lossy())
        .await
        .with_context(|| format!("writing {}", path.display()))?;
    erecept_store::Health::close(&store).await;
    println!("backup written to {}", path.display());
    Ok(())
}

async fn run_admin(config: Config, admin: Admin) -> anyhow::Result<()> {
    let store = erecept_server::open_store(&config.database_url).await?;
    let clock: std::sync::Arc<dyn erecept_domain::Clock> =
        std::sync::Arc::new(erecept_domain::SystemClock);
    let app = erecept_app::App::new(erecept_server::app_config(&config), store.clone(), clock);
    let today = jiff::Timestamp::now()
        .to_zoned_datetime(erecept_domain::clock::stockholm())
        .date();
    let person = |text: &str| {
        erecept_domain::PersonNumber::parse(text, today).map_err(|e| anyhow::anyhow!("{text}: {e}"))
    };
    let decision = match admin {
        Admin::Reviews => {
            for account in app.support.verifications_to_review().await? {
                println!(
                    "code to review: {} {} {}, {} {}",
                    account.person_number,
                    account.given_name,
                    account.surname,
                    account.profession,
                    account.prescriber_code.as_str()
                );
            }
            None
        }
        Admin::ApproveCode { personnummer } => Some(
            app.support
                .decide_verification(&person(&personnummer)?, true)
                .await?,
        ),
        Admin::RejectCode { personnummer } => Some(
            app.support
                .decide_verification(&person(&personnummer)?, false)
                .await?,
        ),
        Admin::ApproveCertificate { personnummer } => Some(
            app.support
                .decide_certificate(&person(&personnummer)?, true)
                .await?,
        ),
        Admin::RejectCertificate { personnummer } => Some(
            app.support
                .decide_certificate(&person(&personnummer)?, false)
                .await?,
        ),
    };
    // Mail caused by a decision is delivered by the running service's worker.
    store.close().await;
    match decision {
        None | Some(erecept_app::support::Decision::Done) => Ok(()),
        Some(erecept_app::support::Decision::NoSuchAccount) => {
            anyhow::bail!("no account has that personnummer")
        }
        Some(erecept_app::support::Decision::NothingToDecide) => {
            anyhow::bail!("nothing waits for that decision")
        }
    }
}
