//! In a real browser, with the keyboard only, like a new user: Debian's Chromium driven through
//! ChromeDriver (WebDriver) against the server started in-process.
//!
//! Needs the Debian packages `chromium` and `chromium-driver`; nothing is downloaded. Without
//! `/usr/bin/chromedriver` (or the path in `ERECEPT_CHROMEDRIVER`) the tests say they are skipped
//! and pass, except when `CI` is set: then they fail. `ERECEPT_CHROMIUM` overrides the browser
//! binary (default `/usr/bin/chromium` when it exists, else ChromeDriver's own choice).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::future::Future;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use erecept_server::Running;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

/// The longest any single wait (driver start, page change) may take.
const TIMEOUT: Duration = Duration::from_secs(10);

const CHECK_DIGIT: &str = "Personnumret är inte giltigt: kontrollsiffran stämmer inte.";
const NO_PERSONNUMMER: &str = "Fyll i ditt personnummer.";
const NO_PASSWORD: &str = "Fyll i ditt lösenord.";
const WRONG_CREDENTIALS: &str = "Fel personnummer eller lösenord.";
/// The heading of the page that the CSRF protection answers a refused form post with.
const REFUSED: &str = "Formuläret kunde inte skickas";

/// 1. Title and language, fields found by their visible labels, the tab order from the top of
///    the page, visible focus, and Enter in the password field submitting an invalid
///    personnummer: message beside the field, error summary, typed value kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyboard_user_tabs_through_the_login_form_and_gets_the_check_digit_message() {
    let Some(session) = Session::start().await else {
        return;
    };
    session
        .run(|c, base| async move {
            c.goto(&base).await.unwrap();
            assert_eq!(c.title().await.unwrap(), "Logga in – eRecept");
            let lang = c
                .find(Locator::Css("html"))
                .await
                .unwrap()
                .attr("lang")
                .await
                .unwrap();
            assert_eq!(lang.as_deref(), Some("sv"));

            let personnummer = field_by_label(&c, "Personnummer").await;
            let losenord = field_by_label(&c, "Lösenord").await;
            assert_eq!(
                personnummer.attr("type").await.unwrap().as_deref(),
                Some("text")
            );
            assert_eq!(
                losenord.attr("type").await.unwrap().as_deref(),
                Some("password")
            );
            let pnr_id = personnummer.attr("id").await.unwrap().unwrap();
            let pwd_id = losenord.attr("id").await.unwrap().unwrap();
            // The format hint is read out with the field.
            assert!(
                descriptions(&c, &pnr_id)
                    .await
                    .iter()
                    .any(|d| d == "ååååmmddnnnn"),
                "the personnummer field is not described by its hint"
            );

            // Tab from the top of the page until the submit button has focus.
            let mut sequence: Vec<Focus> = Vec::new();
            for _ in 0..30 {
                press(&c, Key::Tab).await;
                let focus = focused(&c).await;
                let done = focus.is_button("Logga in");
                sequence.push(focus);
                if done {
                    break;
                }
            }
            let shown: Vec<String> = sequence.iter().map(Focus::to_string).collect();
            println!("tab order from the top: {}", shown.join(" → "));

            let first = &sequence[0];
            assert!(
                first.tag == "a" && first.name == "Hoppa till innehållet",
                "the first Tab should reach the skip link, got {first}"
            );
            assert!(first.on_screen, "the focused skip link is not on screen");
            let at = |pred: &dyn Fn(&Focus) -> bool, what: &str| {
                sequence
                    .iter()
                    .position(pred)
                    .unwrap_or_else(|| panic!("Tab never reaches {what}: {}", shown.join(" → ")))
            };
            let pnr_at = at(&|f| f.id == pnr_id, "the Personnummer field");
            let pwd_at = at(&|f| f.id == pwd_id, "the Lösenord field");
            let button_at = at(&|f| f.is_button("Logga in"), "the Logga in button");
            assert!(
                pnr_at < pwd_at && pwd_at < button_at,
                "tab order should be Personnummer, Lösenord, Logga in: {}",
                shown.join(" → ")
            );
            // Every stop must show where the focus is.
            let invisible: Vec<&String> = sequence
                .iter()
                .zip(&shown)
                .filter(|(f, _)| f.outline == "none" || !f.on_screen)
                .map(|(_, s)| s)
                .collect();
            assert!(
                invisible.is_empty(),
                "focus is not visible on {invisible:?}"
            );

            // Back to the personnummer field, type, on to the password, Enter.
            shift_tab(&c).await;
            shift_tab(&c).await;
            let focus = focused(&c).await;
            assert_eq!(
                focus.id, pnr_id,
                "Shift+Tab twice from the button, got {focus}"
            );
            assert_ne!(
                focus.outline, "none",
                "focus on the personnummer field is invisible"
            );
            type_text(&c, "19121212-1213").await;
            press(&c, Key::Tab).await;
            let focus = focused(&c).await;
            assert_eq!(focus.id, pwd_id, "Tab from personnummer, got {focus}");
            assert_ne!(
                focus.outline, "none",
                "focus on the password field is invisible"
            );
            type_text(&c, "hemligt lösenord").await;
            press(&c, Key::Enter).await;

            wait_for_text(&c, CHECK_DIGIT).await;
            assert_eq!(
                summary_links(&c).await,
                [(CHECK_DIGIT.to_owned(), format!("#{pnr_id}"))]
            );
            assert_field_error(&c, "Personnummer", CHECK_DIGIT).await;
            let personnummer = field_by_label(&c, "Personnummer").await;
            assert_eq!(
                personnummer.prop("value").await.unwrap().as_deref(),
                Some("19121212-1213")
            );
            let losenord = field_by_label(&c, "Lösenord").await;
            assert_eq!(losenord.prop("value").await.unwrap().as_deref(), Some(""));
            assert_eq!(losenord.attr("aria-invalid").await.unwrap(), None);
            // The page says at once that something is wrong: in the title, and by taking
            // the focus to the error summary.
            assert_eq!(c.title().await.unwrap(), "Fel: Logga in – eRecept");
            let focus = focused(&c).await;
            assert!(
                focus.tag == "div" && focus.name.starts_with("Kontrollera uppgifterna"),
                "the error summary should have the focus, got {focus}"
            );
        })
        .await;
}

/// 2. Enter in the empty form gives both "fill in" messages; the summary link takes the keyboard
///    to the field; a well-formed personnummer with a password gives the wrong-credentials answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyboard_user_submits_empty_then_wrong_credentials() {
    let Some(session) = Session::start().await else {
        return;
    };
    session
        .run(|c, base| async move {
            c.goto(&base).await.unwrap();
            let pnr_id = field_id(&c, "Personnummer").await;
            let pwd_id = field_id(&c, "Lösenord").await;
            tab_until(&c, |f| f.id == pnr_id, "the Personnummer field").await;
            press(&c, Key::Enter).await;

            wait_for_text(&c, NO_PASSWORD).await;
            assert_eq!(
                summary_links(&c).await,
                [
                    (NO_PERSONNUMMER.to_owned(), format!("#{pnr_id}")),
                    (NO_PASSWORD.to_owned(), format!("#{pwd_id}")),
                ]
            );
            assert_field_error(&c, "Personnummer", NO_PERSONNUMMER).await;
            assert_field_error(&c, "Lösenord", NO_PASSWORD).await;
            let shot = std::env::temp_dir().join(format!(
                "erecept-browser-login-errors-{}.png",
                uuid::Uuid::new_v4().simple()
            ));
            std::fs::write(&shot, c.screenshot().await.unwrap()).unwrap();
            println!(
                "screenshot of the login form with errors: {}",
                shot.display()
            );

            // The error summary has the focus; its first link takes the keyboard into the field.
            let focus = focused(&c).await;
            assert!(
                focus.tag == "div" && focus.name.starts_with("Kontrollera uppgifterna"),
                "the error summary should have the focus, got {focus}"
            );
            press(&c, Key::Tab).await;
            let focus = focused(&c).await;
            assert!(
                focus.tag == "a" && focus.name == NO_PERSONNUMMER,
                "Tab from the summary should reach its first link, got {focus}"
            );
            press(&c, Key::Enter).await;
            let focus = focused(&c).await;
            assert_eq!(
                focus.id, pnr_id,
                "the summary link should move focus to the field"
            );
            assert_ne!(
                focus.outline, "none",
                "focus on the personnummer field is invisible"
            );

            type_text(&c, "191212121212").await;
            press(&c, Key::Tab).await;
            assert_eq!(focused(&c).await.id, pwd_id);
            type_text(&c, "fel-lösenord").await;
            press(&c, Key::Enter).await;

            wait_for_text(&c, WRONG_CREDENTIALS).await;
            let page = body_text(&c).await.unwrap();
            assert!(
                !page.contains(NO_PERSONNUMMER) && !page.contains(NO_PASSWORD),
                "{page}"
            );
            assert!(
                summary_links(&c)
                    .await
                    .iter()
                    .any(|(text, _)| text == WRONG_CREDENTIALS)
            );
            assert_eq!(
                field_by_label(&c, "Personnummer")
                    .await
                    .prop("value")
                    .await
                    .unwrap()
                    .as_deref(),
                Some("191212121212")
            );
        })
        .await;
}

// ---------------------------------------------------------------------------------------------
// The browser session.

/// A running server, ChromeDriver and a WebDriver session against them.
struct Session {
    server: Running,
    client: Client,
    // Dropped last: kills ChromeDriver and the browser whatever happened.
    _driver: Driver,
}

impl Session {
    /// `None` (after saying so) when there is no ChromeDriver on this machine, outside CI.
    async fn start() -> Option<Session> {
        let program = std::env::var_os("ERECEPT_CHROMEDRIVER")
            .map_or_else(|| PathBuf::from("/usr/bin/chromedriver"), PathBuf::from);
        if !program.exists() {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must run the browser tests: no ChromeDriver at {} \
                 (apt-get install chromium chromium-driver, or set ERECEPT_CHROMEDRIVER)",
                program.display()
            );
            eprintln!(
                "browser test skipped: no ChromeDriver at {} \
                 (apt-get install chromium chromium-driver, or set ERECEPT_CHROMEDRIVER)",
                program.display()
            );
            return None;
        }
        let driver = Driver::start(&program).await;
        let server = common::start(common::dev_config()).await;

        let mut chrome = json!({
            "args": [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1280,1000",
                format!("--user-data-dir={}", driver.profile.display()),
            ],
        });
        let binary = std::env::var_os("ERECEPT_CHROMIUM")
            .map(PathBuf::from)
            .or_else(|| Some(PathBuf::from("/usr/bin/chromium")).filter(|p| p.exists()));
        if let Some(binary) = binary {
            chrome["binary"] = json!(binary);
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".to_owned(), json!("chrome"));
        capabilities.insert("goog:chromeOptions".to_owned(), chrome);
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url)
            .await
            .expect("a WebDriver session with Chromium");
        Some(Session {
            server,
            client,
            _driver: driver,
        })
    }

    /// Runs the test body; closes the browser and stops the server also when it fails.
    async fn run<F, Fut>(self, body: F)
    where
        F: FnOnce(Client, String) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let started = Instant::now();
        let outcome = tokio::spawn(body(self.client.clone(), self.server.url())).await;
        println!(
            "browser steps took {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let _ = tokio::time::timeout(TIMEOUT, self.client.close()).await;
        self.server.stop().await;
        if let Err(error) = outcome {
            std::panic::resume_unwind(error.into_panic());
        }
    }
}

/// ChromeDriver on a free loopback port, in its own process group so that the browser it starts
/// goes with it.
struct Driver {
    child: Child,
    url: String,
    profile: PathBuf,
}

impl Driver {
    async fn start(program: &Path) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let profile = common::scratch_dir().join("chromium-profile");
        std::fs::create_dir_all(&profile).unwrap();
        let child = Command::new(program)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", program.display()));
        let mut driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            profile,
        };

        let status = format!("{}/status", driver.url);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Ok(response) = reqwest::get(&status).await
                && let Ok(body) = response.json::<Value>().await
                && body["value"]["ready"] == json!(true)
            {
                return driver;
            }
            if let Some(exit) = driver.child.try_wait().unwrap() {
                panic!("{} exited early: {exit}", program.display());
            }
            assert!(
                Instant::now() < deadline,
                "ChromeDriver did not answer on {status}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole process group: ChromeDriver and any browser left behind by a failed test.
        let group = format!("-{}", self.child.id());
        let killed = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !killed {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
        if let Some(scratch) = self.profile.parent() {
            let _ = std::fs::remove_dir_all(scratch);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The keyboard.

async fn keys(c: &Client, actions: KeyActions) {
    c.perform_actions(actions).await.unwrap();
}

/// Presses and releases one key.
async fn press(c: &Client, key: Key) {
    let key = char::from(key);
    keys(
        c,
        KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key }),
    )
    .await;
}

async fn shift_tab(c: &Client) {
    let (shift, tab) = (char::from(Key::Shift), char::from(Key::Tab));
    keys(
        c,
        KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: shift })
            .then(KeyAction::Down { value: tab })
            .then(KeyAction::Up { value: tab })
            .then(KeyAction::Up { value: shift }),
    )
    .await;
}

/// Types into whatever has focus, one key at a time.
async fn type_text(c: &Client, text: &str) {
    let mut actions = KeyActions::new("keyboard".to_owned());
    for ch in text.chars() {
        actions = actions
            .then(KeyAction::Down { value: ch })
            .then(KeyAction::Up { value: ch });
    }
    keys(c, actions).await;
}

/// Presses Tab until `wanted` has focus (at most 40 times).
async fn tab_until(c: &Client, wanted: impl Fn(&Focus) -> bool, what: &str) {
    let mut seen = Vec::new();
    for _ in 0..40 {
        press(c, Key::Tab).await;
        let focus = focused(c).await;
        if wanted(&focus) {
            return;
        }
        seen.push(focus.to_string());
    }
    panic!("Tab never reaches {what}: {}", seen.join(" → "));
}

// ---------------------------------------------------------------------------------------------
// Looking at the page.

/// What has focus, as a keyboard user would see it.
#[derive(Debug)]
struct Focus {
    tag: String,
    id: String,
    /// The visible text of a link or button, the label of a field.
    name: String,
    /// The computed `outline-style` of the focused element.
    outline: String,
    /// Whether the focused element is at least partly within the viewport.
    on_screen: bool,
}

impl Focus {
    fn is_button(&self, text: &str) -> bool {
        self.tag == "button" && self.name == text
    }
}

impl std::fmt::Display for Focus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.tag)?;
        if !self.id.is_empty() {
            write!(f, "#{}", self.id)?;
        }
        write!(f, " {:?}", self.name)
    }
}

const FOCUSED: &str = r#"
    const e = document.activeElement;
    if (!e || e === document.body || e === document.documentElement) {
        return { tag: "(nothing)", id: "", name: "", outline: "", onScreen: false };
    }
    const label = e.labels && e.labels.length ? e.labels[0].innerText : null;
    const r = e.getBoundingClientRect();
    return {
        tag: e.tagName.toLowerCase(),
        id: e.id,
        name: (label ?? e.innerText ?? "").trim(),
        outline: getComputedStyle(e).outlineStyle,
        onScreen: r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0
            && r.left < window.innerWidth && r.top < window.innerHeight,
    };
"#;

async fn focused(c: &Client) -> Focus {
    let v = c.execute(FOCUSED, vec![]).await.unwrap();
    let text = |key: &str| v[key].as_str().unwrap_or_default().to_owned();
    Focus {
        tag: text("tag"),
        id: text("id"),
        name: text("name"),
        outline: text("outline"),
        on_screen: v["onScreen"].as_bool().unwrap_or(false),
    }
}

/// The form field whose visible `<label>` says exactly `label`, by the label's `for`.
async fn field_by_label(c: &Client, label: &str) -> Element {
    let id = field_id(c, label).await;
    let field = c
        .find(Locator::Id(&id))
        .await
        .unwrap_or_else(|_| panic!("label {label:?} points at #{id}, which does not exist"));
    let tag = field.tag_name().await.unwrap().to_lowercase();
    assert!(
        ["input", "select", "textarea"].contains(&tag.as_str()),
        "label {label:?} → {tag}"
    );
    field
}

async fn field_id(c: &Client, label: &str) -> String {
    let xpath = format!("//label[normalize-space(.)='{label}']");
    let element = c
        .find(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|_| panic!("no visible label {label:?}"));
    assert!(
        element.is_displayed().await.unwrap(),
        "label {label:?} is hidden"
    );
    let id = element.attr("for").await.unwrap();
    id.filter(|id| !id.is_empty())
        .unwrap_or_else(|| panic!("label {label:?} has no `for`"))
}

/// The texts of the elements that `aria-describedby` of the element `id` names, each required
/// to sit next to the field (inside the field's parent).
async fn descriptions(c: &Client, id: &str) -> Vec<String> {
    let script = r#"
        const input = document.getElementById(arguments[0]);
        const ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
        return ids.map(id => {
            const e = document.getElementById(id);
            if (!e) return "(missing #" + id + ")";
            if (!input.parentElement.contains(e)) return "(not beside the field: #" + id + ")";
            return e.innerText.trim();
        });
    "#;
    let v = c.execute(script, vec![json!(id)]).await.unwrap();
    serde_json::from_value(v).unwrap()
}

/// The field labelled `label` is marked invalid and has `message` beside it, read with it.
async fn assert_field_error(c: &Client, label: &str, message: &str) {
    let field = field_by_label(c, label).await;
    let id = field.attr("id").await.unwrap().unwrap();
    assert_eq!(
        field.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true"),
        "{label}"
    );
    let read = descriptions(c, &id).await;
    assert!(
        read.iter().any(|d| d == message),
        "{label}: expected {message:?} beside it, {read:?}"
    );
}

/// The error summary: it must be an alert headed "Kontrollera uppgifterna"; its links as
/// (text, href).
async fn summary_links(c: &Client) -> Vec<(String, String)> {
    let summary = c
        .find(Locator::Css("[role=alert]"))
        .await
        .expect("an error summary");
    assert!(summary.is_displayed().await.unwrap());
    let heading = summary.find(Locator::Css("h2")).await.unwrap();
    assert_eq!(heading.text().await.unwrap(), "Kontrollera uppgifterna");
    let mut links = Vec::new();
    for link in summary.find_all(Locator::Css("a")).await.unwrap() {
        links.push((
            link.text().await.unwrap(),
            link.attr("href").await.unwrap().unwrap(),
        ));
    }
    links
}

async fn body_text(c: &Client) -> Option<String> {
    let v = c
        .execute(
            "return document.body ? document.body.innerText : null;",
            vec![],
        )
        .await;
    v.ok()?.as_str().map(str::to_owned)
}

/// Waits (at most [`TIMEOUT`]) until the page shows `text`; the page may be loading meanwhile.
async fn wait_for_text(c: &Client, text: &str) {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let page = body_text(c).await;
        if page.as_deref().is_some_and(|p| p.contains(text)) {
            return;
        }
        // The CSRF protection's refusal page: no point waiting for the answer.
        assert!(
            !page.as_deref().is_some_and(|p| p.contains(REFUSED)),
            "the server refused the browser's own form post as forged (403 {REFUSED:?}) \
             instead of showing {text:?}. A known cause: under `Referrer-Policy: no-referrer` \
             Chromium posts a same-origin form with `Origin: null` (and `Sec-Fetch-Site: \
             same-origin`), which the CSRF check takes for another site"
        );
        assert!(
            Instant::now() < deadline,
            "the page never showed {text:?}; it shows {page:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
