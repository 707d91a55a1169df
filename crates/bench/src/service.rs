//! The real application for the send-path and page-render figures: `erecept_app::App` on a
//! SQLite store in a file of its own (opened by `SqliteStore::open`, as the server opens it: WAL,
//! `synchronous=FULL`), the demo drug register, and one verified prescriber with a paid licence,
//! created as the server's end-to-end tests create theirs.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use erecept_app::prescribing::{ArticleChoice, PatientInput};
use erecept_app::{App, AppConfig};
use erecept_catalog::ProductKind;
use erecept_domain::clock::{Clock, SystemClock};
use erecept_domain::prescription::ItemDraft;
use erecept_domain::{
    County, Licence, Licensing, Money, PersonNumber, PrescriberCode, Profession, WorkplaceCode,
};
use erecept_mail::Brand;
use erecept_store::{
    AccountId, BillingKind, BillingParty, NewRegistration, Outbox, Store, Verification, Workplace,
};
use erecept_store_sqlite::SqliteStore;

/// The prescriber (Tolvan, the tax agency's test person) and the password to log in with.
pub const PRESCRIBER: &str = "19121212-1212";
pub const PASSWORD: &str = "Benchmark-losenord-42";
/// An official test personnummer; the name is typed (no population-register add-on).
const PATIENT: &str = "198501012382";
const PATIENT_NAME: &str = "Anna Ångström";

pub struct Service {
    pub app: App,
    pub account: AccountId,
    /// Packages of the demo catalogue that any doctor may prescribe, in catalogue order.
    pub articles: Vec<(ArticleChoice, String)>,
    pub dir: PathBuf,
}

impl Service {
    pub async fn start() -> Result<Self> {
        let dir = scratch_dir()?;
        let url = format!("sqlite://{}", dir.join("erecept.db").display());
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&url).await?);
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let app = App::new(config(), store, clock);
        app.drugs.load_demo_if_empty().await?;
        app.drugs.refresh().await?;
        let account = create_prescriber(&app).await?;
        let articles = prescribable(&app);
        if articles.len() < 2 {
            bail!("the demo catalogue has fewer than two packages a doctor may prescribe");
        }
        Ok(Self {
            app,
            account,
            articles,
            dir,
        })
    }

    /// The draft's patient, as typed in "Ange patientuppgifter" (sending empties the draft).
    pub async fn set_patient(&self) -> Result<()> {
        let input = PatientInput {
            person_number: PATIENT.to_owned(),
            name: PATIENT_NAME.to_owned(),
            ..PatientInput::default()
        };
        self.app
            .prescribing
            .set_patient(self.account, &input)
            .await?
            .map_err(|errors| anyhow!("patient refused: {errors:?}"))?;
        Ok(())
    }

    /// Adds article `n` to the draft with ordinary fields, as the item form would.
    pub async fn add_item(&self, n: usize) -> Result<()> {
        let (choice, name) = self.articles.get(n).context("no such article")?;
        self.app
            .prescribing
            .add_item(self.account, choice, fields(), None)
            .await?
            .map_err(|errors| anyhow!("{name} refused: {errors:?}"))
    }

    pub async fn close(self) {
        self.app.store.close().await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A fresh folder under the system's temporary folder (`TMPDIR`).
pub fn scratch_dir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("erecept-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

/// The file system a folder is on, as `/proc/mounts` names it (durable writes cost what the
/// disk below costs: tmpfs would make them free).
pub fn file_system(dir: &Path) -> String {
    let Ok(mounts) = std::fs::read_to_string("/proc/mounts") else {
        return "unknown".to_owned();
    };
    mounts
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            Some((*fields.get(1)?, *fields.get(2)?))
        })
        .filter(|(mount, _)| dir.starts_with(mount))
        .max_by_key(|(mount, _)| mount.len())
        .map_or_else(|| "unknown".to_owned(), |(_, kind)| kind.to_owned())
}

/// The development defaults of the server's configuration.
fn config() -> AppConfig {
    AppConfig {
        brand: Brand {
            service_name: "eRecept".to_owned(),
            public_url: "http://127.0.0.1:8080".to_owned(),
            support_email: "support@erecept.localhost".to_owned(),
            support_phone: "08-000 00 00".to_owned(),
        },
        session_idle: jiff::SignedDuration::from_mins(60),
        licence_price: Money::from_kronor(1250),
        addon_price: Money::from_kronor(375),
        journal_systems: Vec::new(),
    }
}

/// A doctor without the population-register add-on, verified, with a paid licence.
async fn create_prescriber(app: &App) -> Result<AccountId> {
    let id = AccountId(uuid::Uuid::now_v7());
    let person_number = PersonNumber::parse(PRESCRIBER, app.clock.today())?;
    let registration = NewRegistration {
        id,
        person_number,
        given_name: "Tolvan".into(),
        surname: "Tolvansson".into(),
        email: "tolvan@example.se".into(),
        mobile: "070-1234567".into(),
        password_hash: erecept_app::auth::hash_password(PASSWORD),
        profession: Profession::Lakare,
        prescriber_code: PrescriberCode::parse("7654321")?,
        verification_expected_by: app.clock.now() + jiff::SignedDuration::from_hours(48),
        workplace: Workplace {
            id: uuid::Uuid::now_v7(),
            name: "Mottagningen i Lund".into(),
            code: WorkplaceCode::parse("1234567")?,
            address: "Stora Södergatan 1".into(),
            postal_code: "222 23".into(),
            city: "Lund".into(),
            phone: "046-12 34 56".into(),
            county: County::from_code("12").context("county 12")?,
            journal_system: None,
        },
        billing: BillingParty {
            kind: BillingKind::Private,
            name: "Tolvan Tolvansson".into(),
            identity: "191212121212".into(),
            address: "Stora Södergatan 1".into(),
            postal_code: "222 23".into(),
            city: "Lund".into(),
            email: "tolvan@example.se".into(),
            reference: String::new(),
        },
        licensing: Licensing::Own(Licence::starting(app.clock.today())),
        population_register_addon: false,
    };
    let now = app.clock.now();
    app.store
        .register(&registration, &Outbox::new(), now)
        .await?;
    app.store
        .set_verification(id, Verification::Verified { at: now }, &Outbox::new(), now)
        .await?;
    Ok(id)
}

/// Available packages (in the benefit scheme or not known to be out) of drugs without narcotics, special-drug or licence rules.
fn prescribable(app: &App) -> Vec<(ArticleChoice, String)> {
    let snapshot = app.drugs.snapshot();
    snapshot
        .catalog
        .products()
        .iter()
        .filter(|p| {
            p.kind == ProductKind::Lakemedel
                && !p.withdrawn
                && !p.licence_product
                && p.special_drug.is_none()
                && !p.narcotics_class.is_narcotic()
        })
        .filter_map(|p| {
            let package = p
                .packages
                .iter()
                .find(|k| k.available && k.in_benefit_scheme != Some(false))?;
            let choice = ArticleChoice::Package {
                npl_id: p.npl_id.as_str().to_owned(),
                npl_pack_id: package.npl_pack_id.as_str().to_owned(),
            };
            Some((
                choice,
                format!("{} {}, {}", p.name, p.strength, package.size_text),
            ))
        })
        .collect()
}

/// One package, a dosage and a purpose, benefit chosen: what the item form sends most often.
fn fields() -> ItemDraft {
    ItemDraft {
        package_count: "1".to_owned(),
        dosage: "1 tablett vid behov, högst 4 per dygn".to_owned(),
        purpose: "mot smärta".to_owned(),
        dispensings: "1".to_owned(),
        interval_unit: "dagar".to_owned(),
        benefit: Some(true),
        ..ItemDraft::default()
    }
}
