//! Starting the real server for end-to-end tests: port 0 on loopback, a fresh database (SQLite
//! in a temporary file, or a new PostgreSQL database when `ERECEPT_TEST_POSTGRES_URL` is set and
//! the test asks for it), development mode unless the test says otherwise.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use erecept_server::{Config, Running};
use erecept_web::Simulator;

/// A new folder for one test's files, under cargo's folder for test scratch files in `target/`
/// (so that `cargo clean` removes them), not in the system's temporary folder.
pub fn scratch_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("erecept-test-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A development-mode configuration on a free loopback port with its own SQLite file.
pub fn dev_config() -> Config {
    let mut config = Config::development();
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.public_url = "http://127.0.0.1".to_owned();
    config.database_url = format!("sqlite://{}", scratch_dir().join("erecept.db").display());
    config
}

/// A complete production configuration (addresses that are never contacted by these tests).
pub fn production_config() -> Config {
    let dir = scratch_dir();
    let pki = erecept_bankid::simulator::TestPki::generate().unwrap();
    let ca = dir.join("bankid-ca.pem");
    let identity = dir.join("bankid-rp.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    std::fs::write(&identity, &pki.client_identity_pem).unwrap();
    let vars: std::collections::HashMap<String, String> = [
        ("ERECEPT_MODE", "production"),
        ("ERECEPT_LISTEN", "127.0.0.1:0"),
        ("ERECEPT_PUBLIC_URL", "https://erecept.example"),
        ("ERECEPT_SMTP_URL", "smtp://mail.example:25"),
        ("ERECEPT_MAIL_FROM", "eRecept <noreply@erecept.example>"),
        ("ERECEPT_SUPPORT_EMAIL", "support@erecept.example"),
        ("ERECEPT_SUPPORT_PHONE", "08-123 45 67"),
        ("ERECEPT_METRICS_TOKEN", "matartoken-for-test"),
        ("ERECEPT_SPAR_CUSTOMER", "500243"),
        ("ERECEPT_SPAR_ASSIGNMENT", "637"),
        ("ERECEPT_NLL_TOKEN", "token-for-test"),
        ("ERECEPT_BANKID_URL", "https://bankid.example/rp/v6.0/"),
        ("ERECEPT_SPAR_URL", "https://spar.example/"),
        (
            "ERECEPT_PRESCRIBER_REGISTER_URL",
            "https://register.example/",
        ),
        ("ERECEPT_NLL_URL", "https://nll.example/fhir"),
        ("ERECEPT_CARD_PAYMENTS_URL", "https://payments.example/"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .chain([
        (
            "ERECEPT_DATABASE_URL".to_owned(),
            format!("sqlite://{}", dir.join("erecept.db").display()),
        ),
        (
            "ERECEPT_BANKID_CA_FILE".to_owned(),
            ca.display().to_string(),
        ),
        (
            "ERECEPT_BANKID_CLIENT_IDENTITY_FILE".to_owned(),
            identity.display().to_string(),
        ),
        // The same throw-away certificates stand in for SPAR's and NLL's.
        (
            "ERECEPT_SPAR_CLIENT_IDENTITY_FILE".to_owned(),
            identity.display().to_string(),
        ),
        ("ERECEPT_SPAR_CA_FILE".to_owned(), ca.display().to_string()),
        (
            "ERECEPT_NLL_CLIENT_IDENTITY_FILE".to_owned(),
            identity.display().to_string(),
        ),
        ("ERECEPT_NLL_CA_FILE".to_owned(), ca.display().to_string()),
    ])
    .collect();
    Config::from_vars(&vars).unwrap()
}

/// A new, empty PostgreSQL database for one test, or `None` when no server is configured
/// (allowed outside CI only).
pub async fn postgres_database() -> Option<String> {
    let Ok(url) = std::env::var("ERECEPT_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must set ERECEPT_TEST_POSTGRES_URL"
        );
        eprintln!("ERECEPT_TEST_POSTGRES_URL is not set: PostgreSQL end-to-end case skipped");
        return None;
    };
    let name = format!("e2e_{}", uuid::Uuid::new_v4().simple());
    let status = tokio::process::Command::new("psql")
        .arg(&url)
        .args(["-q", "-c", &format!("CREATE DATABASE {name}")])
        .status()
        .await
        .expect("psql");
    assert!(status.success(), "creating database {name}");
    let base = url.rsplit_once('/').map(|(b, _)| b).unwrap_or(&url);
    Some(format!("{base}/{name}"))
}

pub async fn start(config: Config) -> Running {
    start_with(config, Vec::new()).await
}

pub async fn start_with(config: Config, simulators: Vec<Simulator>) -> Running {
    erecept_server::start(config, simulators)
        .await
        .expect("server starts")
}

/// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of the hidden CSRF field of the first form on a page.
pub fn csrf_field(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("page has a CSRF field") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// A prescriber account created directly in the store (registration has its own tests).
pub struct TestPrescriber {
    pub person_number: &'static str,
    pub password: &'static str,
    pub profession: erecept_domain::Profession,
    pub population_register_addon: bool,
    pub workplace_name: &'static str,
}

impl TestPrescriber {
    /// A doctor with the Befolkningsregister add-on.
    pub fn doctor() -> Self {
        Self {
            person_number: "191212121212",
            password: "Rätt-lösenord-42",
            profession: erecept_domain::Profession::Lakare,
            population_register_addon: true,
            workplace_name: "Mottagningen i Lund",
        }
    }

    /// A dentist without the add-on.
    pub fn dentist() -> Self {
        Self {
            profession: erecept_domain::Profession::Tandlakare,
            population_register_addon: false,
            workplace_name: "Tandläkarna i Lund",
            ..Self::doctor()
        }
    }

    /// Creates the account, verified and with a paid licence.
    pub async fn create(&self, server: &Running) -> erecept_store::AccountId {
        self.create_with(
            server,
            erecept_store::Verification::Verified {
                at: server.app.clock.now(),
            },
        )
        .await
    }

    /// Creates the account with a paid licence and this state of the prescriber-code check.
    pub async fn create_with(
        &self,
        server: &Running,
        verification: erecept_store::Verification,
    ) -> erecept_store::AccountId {
        use erecept_domain::{
            County, Licence, Licensing, PersonNumber, PrescriberCode, WorkplaceCode,
        };
        use erecept_store::{
            BillingKind, BillingParty, NewRegistration, Outbox, Verification, Workplace,
        };
        let app = &server.app;
        let id = erecept_store::AccountId(uuid::Uuid::now_v7());
        let registration = NewRegistration {
            id,
            person_number: PersonNumber::parse_12(self.person_number).unwrap(),
            given_name: "Tolvan".into(),
            surname: "Tolvansson".into(),
            email: "tolvan@example.se".into(),
            mobile: "070-1234567".into(),
            password_hash: erecept_app::auth::hash_password(self.password),
            profession: self.profession,
            prescriber_code: PrescriberCode::parse("7654321").unwrap(),
            verification_expected_by: app.clock.now() + jiff::SignedDuration::from_hours(48),
            workplace: Workplace {
                id: uuid::Uuid::now_v7(),
                name: self.workplace_name.into(),
                code: WorkplaceCode::parse("1234567").unwrap(),
                address: "Stora Södergatan 1".into(),
                postal_code: "222 23".into(),
                city: "Lund".into(),
                phone: "046-12 34 56".into(),
                county: County::from_code("12").unwrap(),
                journal_system: None,
            },
            billing: BillingParty {
                kind: BillingKind::Private,
                name: "Tolvan Tolvansson".into(),
                identity: self.person_number.into(),
                address: "Stora Södergatan 1".into(),
                postal_code: "222 23".into(),
                city: "Lund".into(),
                email: "tolvan@example.se".into(),
                reference: String::new(),
            },
            licensing: Licensing::Own(Licence::starting(app.clock.today())),
            population_register_addon: self.population_register_addon,
        };
        app.store
            .register(&registration, &Outbox::new(), app.clock.now())
            .await
            .unwrap();
        if !matches!(verification, Verification::Pending { .. }) {
            app.store
                .set_verification(id, verification, &Outbox::new(), app.clock.now())
                .await
                .unwrap();
        }
        id
    }
}

/// A browser-like session against a running server: keeps cookies, posts forms with the CSRF
/// field of the page they are on.
pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
}

impl Browser {
    pub fn new(server: &Running) -> Self {
        Self {
            client: client(),
            base: server.url(),
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    pub async fn page(&self, path: &str) -> String {
        self.get(path).await.text().await.unwrap()
    }

    /// Posts a form the way the browser would after loading `page`: with its CSRF field.
    pub async fn submit(
        &self,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let csrf = csrf_field(&self.page(page).await);
        let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        self.client
            .post(format!("{}{action}", self.base))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    pub async fn login(&self, person_number: &str, password: &str) -> reqwest::Response {
        self.submit(
            "/",
            "/logga-in",
            &[("personnummer", person_number), ("losenord", password)],
        )
        .await
    }
}

pub fn location(response: &reqwest::Response) -> &str {
    response.headers()["location"].to_str().unwrap()
}
