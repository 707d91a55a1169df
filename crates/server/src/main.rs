//! `erecept`: the eRecept service and its operator commands.

mod progress;

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
    /// Import Läkemedelsverket's NPL register: the nightly zip of product XML files, or a folder
    /// it was unpacked into (--xml), and/or the package and price rows (--packages, NDJSON).
    /// Total: products missing are marked withdrawn.
    ImportNpl {
        #[arg(long)]
        xml: Option<PathBuf>,
        #[arg(long)]
        packages: Option<PathBuf>,
        /// The files hold only changes: products missing from them are left as they are.
        #[arg(long)]
        delta: bool,
    },
    /// Import REK lists (one recommendation a line: region;id;kommentar). A file with any bad
    /// line is refused whole.
    ImportRek { file: PathBuf },
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

fn main() -> std::process::ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("erecept: cannot start: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            // The chain of causes, for an operator; no backtrace.
            eprintln!("erecept: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
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
        Command::ImportNpl {
            xml,
            packages,
            delta,
        } => import_npl(config, xml, packages, delta).await,
        Command::ImportRek { file } => import_rek(config, &file).await,
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

fn operator_app(
    config: &Config,
    store: std::sync::Arc<dyn erecept_store::Store>,
) -> erecept_app::App {
    let clock: std::sync::Arc<dyn erecept_domain::Clock> =
        std::sync::Arc::new(erecept_domain::SystemClock);
    erecept_app::App::new(erecept_server::app_config(config), store, clock)
}

/// Prints each problem of an import ("rad N: …") and a count.
fn print_issues(kind: &str, issues: &[erecept_catalog::ImportIssue]) {
    for issue in issues.iter().take(200) {
        eprintln!("{kind}: {issue}");
    }
    if issues.len() > 200 {
        eprintln!("{kind}: … and {} more", issues.len() - 200);
    }
}

async fn import_npl(
    config: Config,
    xml: Option<PathBuf>,
    packages: Option<PathBuf>,
    delta: bool,
) -> anyhow::Result<()> {
    use erecept_catalog::{ImportScope, npl_xml, packages_ndjson};
    if xml.is_none() && packages.is_none() {
        anyhow::bail!("give --xml ZIP-OR-FOLDER and/or --packages FILE");
    }
    let steps = 4;
    progress::step(1, steps, "reading the files");
    let mut products = Vec::new();
    if let Some(dir) = &xml {
        let mut bar = progress::Counting::new(format!("reading {}", dir.display()), "documents");
        let imported = npl_xml::import(dir, &mut |done, total| bar.show(done, total))
            .with_context(|| format!("reading {}", dir.display()))?;
        print_issues("skipped", &imported.report.skipped);
        print_issues("warning", &imported.report.warnings);
        eprintln!(
            "{}: {} documents read, {} products",
            dir.display(),
            imported.report.read,
            imported.items.len()
        );
        products = imported.items;
    }
    if let Some(file) = &packages {
        let opened =
            std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
        let size = opened.metadata().map(|m| m.len()).unwrap_or(0);
        let reader = std::io::BufReader::new(progress::Reading::new(
            opened,
            size,
            format!("reading {}", file.display()),
        ));
        let rows = packages_ndjson::parse(reader);
        print_issues("skipped", &rows.report.skipped);
        print_issues("warning", &rows.report.warnings);
        eprintln!(
            "{}: {} rows read, {} accepted, {} skipped",
            file.display(),
            rows.report.read,
            rows.report.accepted,
            rows.report.skipped.len()
        );
        products = if products.is_empty() {
            packages_ndjson::to_products(&rows.items)
        } else {
            packages_ndjson::join(products, &rows.items)
        };
    }
    progress::step(2, steps, "opening the database");
    let store = erecept_server::open_store(&config.database_url).await?;
    let app = operator_app(&config, store.clone());
    progress::step(
        3,
        steps,
        &format!("merging {} products into the register", products.len()),
    );
    let scope = if delta {
        ImportScope::Delta
    } else {
        ImportScope::Total
    };
    let counts = app.drugs.import_products(products, scope).await?;
    progress::step(4, steps, "done");
    store.close().await;
    println!(
        "import-npl: {} new, {} changed, {} withdrawn, {} unchanged",
        counts.new, counts.changed, counts.withdrawn, counts.unchanged
    );
    Ok(())
}

async fn import_rek(config: Config, file: &std::path::Path) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let store = erecept_server::open_store(&config.database_url).await?;
    let app = operator_app(&config, store.clone());
    let result = app.drugs.import_rek(&text).await?;
    store.close().await;
    match result {
        Ok(regions) => {
            println!("import-rek: lists of {regions} regions replaced");
            Ok(())
        }
        Err(issues) => {
            print_issues("refused", &issues);
            anyhow::bail!("{} bad lines: nothing was imported", issues.len())
        }
    }
}
