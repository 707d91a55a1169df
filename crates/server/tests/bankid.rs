//! Identification with BankID over HTTP against the real server in development mode, with the
//! BankID simulator driven through its control API (DESIGN §5): the QR and same-device flows,
//! the htmx fragment, cancelling, a failed order, and login with BankID.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::location;
use erecept_server::Running;
use erecept_store::{AccountId, Verification};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PNR: &str = "191212121212";

struct Browser {
    client: reqwest::Client,
    base: String,
    /// The service's clock: moved past the collect interval after the phone acts, as the
    /// seconds of a real user would pass.
    clock: Option<std::sync::Arc<erecept_domain::clock::AdjustableClock>>,
}

impl Browser {
    fn new(server: &Running) -> Self {
        Self {
            clock: server.dev_clock.clone(),
            client: common::client(),
            base: server.url(),
        }
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    async fn page(&self, path: &str) -> String {
        self.get(path).await.text().await.unwrap()
    }

    /// What htmx asks for when it polls.
    async fn htmx(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .header("HX-Request", "true")
            .send()
            .await
            .unwrap()
    }

    /// Posts a form the way the browser would after loading `page`: with its CSRF field.
    async fn submit(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let csrf = common::csrf_field(&self.page(page).await);
        let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        self.client
            .post(format!("{}{action}", self.base))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// Presses one of the BankID buttons of the start page.
    async fn start(&self, flow: &str, purpose: &str) -> reqwest::Response {
        self.submit(
            "/",
            "/bankid/start",
            &[("flow", flow), ("purpose", purpose)],
        )
        .await
    }

    /// The simulator's control API.
    async fn sim(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/sim/bankid/api{path}", self.base);
        let request = match method {
            "GET" => self.client.get(url),
            _ => self.client.post(url),
        };
        let request = match body {
            Some(body) => request
                .header("content-type", "application/json")
                .body(body.to_string()),
            None => request,
        };
        let response = request.send().await.unwrap();
        assert!(
            response.status().is_success(),
            "{method} {path}: {}",
            response.status()
        );
        serde_json::from_str(&response.text().await.unwrap()).unwrap()
    }

    /// The one pending order of the simulator.
    async fn only_order(&self) -> String {
        let orders = self.sim("GET", "/orders", None).await;
        let orders = orders.as_array().unwrap();
        assert_eq!(orders.len(), 1, "{orders:?}");
        assert!(orders[0]["startedAt"].is_string());
        orders[0]["orderRef"].as_str().unwrap().to_owned()
    }

    async fn complete(&self, order_ref: &str) {
        self.sim(
            "POST",
            &format!("/orders/{order_ref}/complete"),
            Some(json!({"personalNumber": PNR, "givenName": "Tolvan", "surname": "Tolvansson"})),
        )
        .await;
        self.let_time_pass();
    }

    fn let_time_pass(&self) {
        if let Some(clock) = &self.clock {
            clock.advance(jiff::SignedDuration::from_secs(3));
        }
    }
}

async fn create_account(server: &Running, verification: Verification) -> AccountId {
    common::TestPrescriber::dentist()
        .create_with(server, verification)
        .await
}

#[tokio::test]
async fn start_page_offers_both_bankid_choices() {
    let server = common::start(common::dev_config()).await;
    let page = Browser::new(&server).page("/").await;
    assert!(page.contains("Logga in med BankID"));
    assert!(page.contains("BankID på den här enheten"));
    assert!(page.contains("Mobilt BankID på annan enhet"));
    assert!(page.contains(r#"action="/bankid/start""#));
    assert!(page.contains(r#"name="purpose" value="inloggning""#));
}

#[tokio::test]
async fn qr_flow_completes_and_says_when_there_is_no_account() {
    let server = common::start(common::dev_config()).await;
    let browser = Browser::new(&server);

    let started = browser.start("qr", "inloggning").await;
    assert_eq!(started.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&started), "/bankid");

    let status = browser.get("/bankid").await;
    assert_eq!(status.status(), StatusCode::OK);
    let page = status.text().await.unwrap();
    assert!(page.contains("<h1>Logga in med BankID</h1>"), "{page}");
    assert!(page.contains(r#"role="status""#));
    assert!(page.contains("Starta BankID-appen."), "{page}");
    assert!(page.contains(r#"alt="QR-kod för Mobilt BankID""#));
    assert!(page.contains(r#"src="/bankid/qr.svg?t="#));
    assert!(page.contains(r#"<meta http-equiv="refresh" content="2">"#));
    assert!(page.contains(r#"hx-get="/bankid/status""#));
    assert!(page.contains(r#"hx-trigger="every 1s""#));
    assert!(page.contains(r#"action="/bankid/avbryt""#));
    assert!(page.contains(">Avbryt</button>"));
    assert!(!page.contains("autostarttoken"));

    let qr = browser.get("/bankid/qr.svg").await;
    assert_eq!(qr.status(), StatusCode::OK);
    assert_eq!(qr.headers()["content-type"], "image/svg+xml");
    assert_eq!(qr.headers()["cache-control"], "no-store");
    let svg = qr.text().await.unwrap();
    assert!(svg.contains("<svg"), "{svg}");

    // The fragment htmx polls: the QR image, the code of the message it shows.
    let fragment = browser.htmx("/bankid/status?visat=RFA1").await;
    assert_eq!(fragment.status(), StatusCode::OK);
    let fragment = fragment.text().await.unwrap();
    assert!(fragment.contains(r#"alt="QR-kod för Mobilt BankID""#));
    assert!(fragment.contains(r#"name="visat" value="RFA1""#));
    assert!(
        !fragment.contains("hx-swap-oob"),
        "unchanged message: {fragment}"
    );
    let changed = browser
        .htmx("/bankid/status?visat=RFA13")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        changed.contains(r#"id="bankid-message" hx-swap-oob="innerHTML">Starta BankID-appen."#)
    );
    // Without htmx the fragment's address leads to the page.
    let plain = browser.get("/bankid/status").await;
    assert_eq!(plain.status(), StatusCode::SEE_OTHER);

    let order_ref = browser.only_order().await;
    browser.complete(&order_ref).await;

    let done = browser.get("/bankid").await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&done), "/bankid/inloggning");
    // The order is gone from the session; its QR code too.
    assert_eq!(
        browser.get("/bankid/qr.svg").await.status(),
        StatusCode::NOT_FOUND
    );

    let login = browser.get("/bankid/inloggning").await;
    assert_eq!(login.status(), StatusCode::FORBIDDEN);
    let page = login.text().await.unwrap();
    assert!(
        page.contains(
            "Det finns inget konto för ditt personnummer. Registrera dig som Ny förskrivare."
        ),
        "{page}"
    );
    // The identification is used once.
    let again = browser.get("/bankid/inloggning").await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&again), "/");
}

#[tokio::test]
async fn login_with_bankid_reaches_min_profil_through_htmx() {
    let server = common::start(common::dev_config()).await;
    create_account(
        &server,
        Verification::Verified {
            at: server.app.clock.now(),
        },
    )
    .await;
    let browser = Browser::new(&server);
    browser.start("qr", "inloggning").await;
    let order_ref = browser.only_order().await;
    browser.complete(&order_ref).await;

    let fragment = browser.htmx("/bankid/status?visat=RFA1").await;
    assert_eq!(fragment.status(), StatusCode::OK);
    assert_eq!(fragment.headers()["hx-redirect"], "/bankid/inloggning");

    let login = browser.get("/bankid/inloggning").await;
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&login), "/min-profil");
    let profile = browser.page("/min-profil").await;
    assert!(profile.contains("Tolvan Tolvansson"), "{profile}");
    assert!(profile.contains("Logga ut"));
}

#[tokio::test]
async fn login_with_bankid_applies_the_verification_check() {
    let server = common::start(common::dev_config()).await;
    create_account(
        &server,
        Verification::Pending {
            expected_by: server.app.clock.now(),
        },
    )
    .await;
    let browser = Browser::new(&server);
    browser.start("same_device", "inloggning").await;
    let order_ref = browser.only_order().await;
    browser.complete(&order_ref).await;
    let done = browser.get("/bankid").await;
    assert_eq!(location(&done), "/bankid/inloggning");
    let login = browser.get("/bankid/inloggning").await;
    assert_eq!(login.status(), StatusCode::FORBIDDEN);
    let page = login.text().await.unwrap();
    assert!(page.contains("Behörighetskontroll ej slutförd"), "{page}");
    assert!(!browser.page("/min-profil").await.contains("Tolvan"));
}

#[tokio::test]
async fn same_device_flow_shows_the_autostart_link_and_can_be_cancelled() {
    let server = common::start(common::dev_config()).await;
    let browser = Browser::new(&server);
    let started = browser.start("same_device", "inloggning").await;
    assert_eq!(location(&started), "/bankid");

    let page = browser.page("/bankid").await;
    assert!(page.contains("Öppna BankID-appen"), "{page}");
    assert!(page.contains("bankid:///?autostarttoken="), "{page}");
    assert!(page.contains("redirect=null"));
    assert!(page.contains("Försöker starta BankID-appen."), "{page}");
    assert!(!page.contains("QR-kod"));
    assert_eq!(
        browser.get("/bankid/qr.svg").await.status(),
        StatusCode::NOT_FOUND
    );
    browser.only_order().await;

    let cancelled = browser.submit("/bankid", "/bankid/avbryt", &[]).await;
    assert_eq!(cancelled.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&cancelled), "/");
    let orders = browser.sim("GET", "/orders", None).await;
    assert_eq!(orders.as_array().unwrap().len(), 0, "{orders}");
    let page = browser.page("/bankid").await;
    assert!(page.contains("Det finns ingen pågående identifiering med BankID."));
    let fragment = browser.htmx("/bankid/status").await;
    assert_eq!(fragment.status().as_u16(), 286);
}

#[tokio::test]
async fn failed_order_shows_the_message_and_a_way_to_try_again() {
    let server = common::start(common::dev_config()).await;
    let browser = Browser::new(&server);
    browser.start("qr", "registrering").await;
    let order_ref = browser.only_order().await;
    browser
        .sim(
            "POST",
            &format!("/orders/{order_ref}/fail"),
            Some(json!({"hintCode": "certificateErr"})),
        )
        .await;

    // htmx: the failure stops the polling (286) and replaces the actions.
    let fragment = browser.htmx("/bankid/status?visat=RFA1").await;
    assert_eq!(fragment.status().as_u16(), 286);
    let fragment = fragment.text().await.unwrap();
    assert!(fragment.contains("Det BankID du försöker använda är för gammalt eller spärrat."));
    assert!(fragment.contains(r#"href="/ny-forskrivare/bankid""#));

    // The order was forgotten at the failure: start again for the page.
    browser.start("qr", "registrering").await;
    let order_ref = browser.only_order().await;
    browser
        .sim(
            "POST",
            &format!("/orders/{order_ref}/fail"),
            Some(json!({"hintCode": "certificateErr"})),
        )
        .await;
    let page = browser.get("/bankid").await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(
        page.contains(
            "Det BankID du försöker använda är för gammalt eller spärrat. Använd ett annat BankID eller skaffa ett nytt hos din bank."
        ),
        "{page}"
    );
    assert!(page.contains(r#"href="/ny-forskrivare/bankid""#));
    assert!(page.contains("Försök igen"));
    assert!(!page.contains("http-equiv=\"refresh\""));
    assert!(!page.contains("hx-trigger"));
}

#[tokio::test]
async fn registration_goes_on_to_the_wizard_and_cancel_returns_there() {
    let server = common::start(common::dev_config()).await;
    let browser = Browser::new(&server);
    browser.start("qr", "registrering").await;
    let cancelled = browser.submit("/bankid", "/bankid/avbryt", &[]).await;
    assert_eq!(location(&cancelled), "/ny-forskrivare/bankid");

    browser.start("same_device", "registrering").await;
    let order_ref = browser.only_order().await;
    browser.complete(&order_ref).await;
    let done = browser.get("/bankid").await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&done), "/ny-forskrivare/identifierad");
    // An identification for registration does not log in.
    let login = browser.get("/bankid/inloggning").await;
    assert_eq!(location(&login), "/");
}

#[tokio::test]
async fn bad_choices_are_refused() {
    let server = common::start(common::dev_config()).await;
    let browser = Browser::new(&server);
    let bad_flow = browser.start("brevduva", "inloggning").await;
    assert_eq!(bad_flow.status(), StatusCode::BAD_REQUEST);
    let bad_purpose = browser.start("qr", "annat").await;
    assert_eq!(bad_purpose.status(), StatusCode::BAD_REQUEST);
    let orders = browser.sim("GET", "/orders", None).await;
    assert_eq!(orders.as_array().unwrap().len(), 0);
    // Without the CSRF field nothing starts.
    let forged = browser
        .client
        .post(format!("{}/bankid/start", browser.base))
        .form(&[("flow", "qr"), ("purpose", "inloggning")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    // Nothing to show without an order.
    assert_eq!(
        browser.get("/bankid/qr.svg").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        browser.get("/bankid/inloggning").await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_prescriber_who_left_a_group_licence_starts_an_own_one_with_bankid() {
    let server = common::start(common::dev_config()).await;
    let id = create_account(
        &server,
        Verification::Verified {
            at: server.app.clock.now(),
        },
    )
    .await;
    server
        .app
        .store
        .set_licensing(
            id,
            erecept_domain::Licensing::LeftGroup,
            &erecept_store::Outbox::new(),
            server.app.clock.now(),
        )
        .await
        .unwrap();
    let browser = Browser::new(&server);
    // Reason d, with the way forward.
    let refused = browser.start("qr", "inloggning").await;
    assert_eq!(refused.status(), StatusCode::SEE_OTHER);
    let order_ref = browser.only_order().await;
    browser.complete(&order_ref).await;
    let done = browser.get("/bankid").await;
    assert_eq!(location(&done), "/bankid/inloggning");
    let notice = browser
        .get("/bankid/inloggning")
        .await
        .text()
        .await
        .unwrap();
    assert!(notice.contains("Du har tidigare tillhört en grupplicens"));
    assert!(
        notice.contains("<a class=\"button\" href=\"/licens/egen\">Teckna egen licens</a>"),
        "{notice}"
    );

    let offer = browser.page("/licens/egen").await;
    assert!(offer.contains("<h1>Teckna egen licens</h1>"));
    assert!(offer.contains("name=\"purpose\" value=\"egenlicens\""));
    let started = browser.start("qr", "egenlicens").await;
    assert_eq!(location(&started), "/bankid");
    let order_ref = browser.only_order().await;
    browser.complete(&order_ref).await;
    let done = browser.get("/bankid").await;
    assert_eq!(location(&done), "/licens/egen/identifierad");
    let logged_in = browser.get("/licens/egen/identifierad").await;
    assert_eq!(location(&logged_in), "/min-profil");
    let account = server.app.store.account(id).await.unwrap().unwrap();
    assert_eq!(
        account.licensing,
        erecept_domain::Licensing::Own(erecept_domain::Licence::starting(server.app.clock.today()))
    );
    assert!(
        browser
            .page("/min-profil")
            .await
            .contains("Väntar på betalning")
    );
    server.stop().await;
}
