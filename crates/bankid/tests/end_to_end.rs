//! The client against the simulator over real HTTPS with client certificates, and the fake
//! app / control API over plain HTTP, mounted as the main server mounts it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use erecept_bankid::simulator::{DEFAULT_MOUNT, RunningSimulator, Simulator, TestPki};
use erecept_bankid::{
    AuthRequest, BankIdClient, BankIdConfig, BankIdError, CollectStatus, ErrorCode, Flow, HintCode,
    Requirement, Rfa, SignRequest, WebInfo, collect_message, qr_data,
};
use erecept_domain::FixedClock;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

const KARL: &str = "189001019802";
const LISA: &str = "189001029819";

struct Harness {
    clock: Arc<FixedClock>,
    sim: RunningSimulator,
    client: BankIdClient,
    /// `http://127.0.0.1:{port}/sim/bankid`
    control: String,
    http: reqwest::Client,
}

impl Harness {
    async fn start() -> Self {
        let clock = Arc::new(FixedClock::at(Timestamp::now()));
        let sim = Simulator::start(clock.clone()).await.unwrap();
        let client = BankIdClient::new(&sim.client_config()).unwrap();
        let app = axum::Router::new().nest_service(DEFAULT_MOUNT, sim.router(DEFAULT_MOUNT));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let control = format!("http://{}{DEFAULT_MOUNT}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            clock,
            sim,
            client,
            control,
            http,
        }
    }

    fn advance(&self, seconds: i64) {
        self.clock.advance(SignedDuration::from_secs(seconds));
    }

    async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.control))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    async fn pending(&self) -> Vec<Value> {
        let response = self
            .http
            .get(format!("{}/api/orders", self.control))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json::<Vec<Value>>().await.unwrap()
    }

    async fn hint(&self, order_ref: &str) -> (CollectStatus, Option<HintCode>) {
        let answer = self.client.collect(order_ref).await.unwrap();
        assert_eq!(answer.order_ref, order_ref);
        (answer.status, answer.hint_code)
    }
}

fn auth_request() -> AuthRequest {
    let mut request = AuthRequest::new("192.0.2.10");
    request.web = Some(WebInfo {
        referring_domain: Some("erecept.localhost".into()),
        user_agent: Some("test".into()),
        device_identifier: None,
    });
    request
}

fn for_person(personal_number: &str) -> AuthRequest {
    let mut request = auth_request();
    request.requirement = Some(Requirement {
        personal_number: Some(personal_number.into()),
        ..Requirement::default()
    });
    request
}

fn api_error(error: BankIdError) -> (u16, ErrorCode) {
    match error {
        BankIdError::Api {
            status, error_code, ..
        } => (status, error_code),
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn auth_from_outstanding_transaction_to_complete() {
    let h = Harness::start().await;
    let order = h.client.auth(&auth_request()).await.unwrap();
    for token in [
        &order.order_ref,
        &order.auto_start_token,
        &order.qr_start_token,
        &order.qr_start_secret,
    ] {
        assert!(uuid::Uuid::parse_str(token).is_ok(), "{token}");
    }

    let answer = h.client.collect(&order.order_ref).await.unwrap();
    assert_eq!(answer.status, CollectStatus::Pending);
    assert_eq!(answer.hint_code, Some(HintCode::OutstandingTransaction));
    assert_eq!(answer.completion_data, None);
    assert_eq!(
        collect_message(&answer.status, answer.hint_code.as_ref(), Flow::SameDevice),
        Some(Rfa::Rfa13)
    );

    let pending = h.pending().await;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0]["orderRef"], order.order_ref.as_str());
    assert!(
        pending[0]["startedAt"]
            .as_str()
            .unwrap()
            .parse::<Timestamp>()
            .is_ok()
    );
    assert_eq!(pending[0]["hintCode"], "outstandingTransaction");
    assert_eq!(pending[0]["kind"], "auth");

    // The app opens the order: started once, then it waits for the security code.
    let response = h
        .post(&format!("/api/orders/{}/start", order.order_ref), json!({}))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        h.hint(&order.order_ref).await,
        (CollectStatus::Pending, Some(HintCode::Started))
    );
    assert_eq!(
        h.hint(&order.order_ref).await,
        (CollectStatus::Pending, Some(HintCode::UserSign))
    );
    assert_eq!(
        h.hint(&order.order_ref).await,
        (CollectStatus::Pending, Some(HintCode::UserSign))
    );

    let response = h
        .post(
            &format!("/api/orders/{}/complete", order.order_ref),
            json!({"personalNumber": KARL, "givenName": "Karl", "surname": "Karlsson"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert!(h.pending().await.is_empty());

    let answer = h.client.collect(&order.order_ref).await.unwrap();
    assert_eq!(answer.status, CollectStatus::Complete);
    assert_eq!(answer.hint_code, None);
    let data = answer.completion_data.unwrap();
    assert_eq!(data.user.personal_number, KARL);
    assert_eq!(data.user.name, "Karl Karlsson");
    assert_eq!(data.user.given_name, "Karl");
    assert_eq!(data.user.surname, "Karlsson");
    assert_eq!(data.device.unwrap().ip_address, "192.0.2.10");
    assert!(data.signature.is_some() && data.ocsp_response.is_some());
    assert_eq!(data.step_up, None);
    assert_eq!(data.risk, None);
    assert_eq!(
        collect_message(&CollectStatus::Complete, None, Flow::SameDevice),
        None
    );

    // Collectable for three minutes after completion, then unknown.
    h.advance(179);
    assert_eq!(h.hint(&order.order_ref).await.0, CollectStatus::Complete);
    h.advance(1);
    let error = h.client.collect(&order.order_ref).await.unwrap_err();
    assert_eq!(api_error(error), (400, ErrorCode::InvalidParameters));
}

#[tokio::test]
async fn sign_with_requirements() {
    let h = Harness::start().await;
    let mut request = SignRequest::new("2001:db8::1", "Jag skriver under receptet.");
    request.requirement = Some(Requirement {
        personal_number: Some(LISA.into()),
        mrtd: Some(true),
        ..Requirement::default()
    });
    request.return_risk = Some(true);
    request.user_visible_data_format = Some("simpleMarkdownV1".into());
    let order = h.client.sign(&request).await.unwrap();

    let pending = h.pending().await;
    assert_eq!(pending[0]["kind"], "sign");
    assert_eq!(pending[0]["personalNumber"], LISA);
    assert_eq!(pending[0]["userVisibleText"], "Jag skriver under receptet.");

    // The order is for Lisa only.
    let response = h
        .post(
            &format!("/api/orders/{}/complete", order.order_ref),
            json!({"personalNumber": KARL, "givenName": "Karl", "surname": "Karlsson"}),
        )
        .await;
    assert_eq!(response.status(), 400);
    // A 10-digit form is normalised (`+`: born more than 100 years ago).
    let response = h
        .post(
            &format!("/api/orders/{}/complete", order.order_ref),
            json!({"personalNumber": "900102+9819", "givenName": "Lisa", "surname": "Larsson"}),
        )
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());

    let data = h
        .client
        .collect(&order.order_ref)
        .await
        .unwrap()
        .completion_data
        .unwrap();
    assert_eq!(data.user.personal_number, LISA);
    assert_eq!(data.user.name, "Lisa Larsson");
    assert_eq!(data.step_up.map(|s| s.mrtd), Some(true));
    assert_eq!(data.risk.as_deref(), Some("low"));
    let xml = base64::engine::general_purpose::STANDARD
        .decode(data.signature.unwrap())
        .unwrap();
    let xml = String::from_utf8(xml).unwrap();
    assert!(xml.contains(&request.user_visible_data), "{xml}");
}

#[tokio::test]
async fn already_in_progress_cancels_both() {
    let h = Harness::start().await;
    let first = h.client.auth(&for_person(KARL)).await.unwrap();
    let error = h.client.auth(&for_person(KARL)).await.unwrap_err();
    assert_eq!(error.user_message(), Rfa::Rfa4);
    assert_eq!(api_error(error), (400, ErrorCode::AlreadyInProgress));
    assert_eq!(
        h.hint(&first.order_ref).await,
        (CollectStatus::Failed, Some(HintCode::Cancelled))
    );
    assert!(h.pending().await.is_empty());
    // Another person is not affected, and Karl can start again now.
    h.client.auth(&for_person(LISA)).await.unwrap();
    h.client.auth(&for_person(KARL)).await.unwrap();
    assert_eq!(h.pending().await.len(), 2);
}

#[tokio::test]
async fn cancel_by_relying_party_and_by_user() {
    let h = Harness::start().await;
    let order = h.client.auth(&auth_request()).await.unwrap();
    h.client.cancel(&order.order_ref).await.unwrap();
    let (status, hint) = h.hint(&order.order_ref).await;
    assert_eq!(
        (&status, &hint),
        (&CollectStatus::Failed, &Some(HintCode::Cancelled))
    );
    assert_eq!(
        collect_message(&status, hint.as_ref(), Flow::QrCode),
        Some(Rfa::Rfa3)
    );

    let order = h.client.auth(&auth_request()).await.unwrap();
    let response = h
        .post(
            &format!("/api/orders/{}/cancel", order.order_ref),
            json!({}),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        h.hint(&order.order_ref).await,
        (CollectStatus::Failed, Some(HintCode::UserCancel))
    );
    // A finished order cannot be approved any more.
    let response = h
        .post(
            &format!("/api/orders/{}/complete", order.order_ref),
            json!({"personalNumber": KARL, "givenName": "Karl", "surname": "Karlsson"}),
        )
        .await;
    assert_eq!(response.status(), 409);
}

#[tokio::test]
async fn orders_expire_after_three_minutes() {
    let h = Harness::start().await;
    let order = h.client.auth(&auth_request()).await.unwrap();
    h.advance(179);
    assert_eq!(h.hint(&order.order_ref).await.0, CollectStatus::Pending);
    assert_eq!(h.pending().await.len(), 1);
    h.advance(1);
    let (status, hint) = h.hint(&order.order_ref).await;
    assert_eq!(
        (&status, &hint),
        (&CollectStatus::Failed, &Some(HintCode::ExpiredTransaction))
    );
    assert_eq!(
        collect_message(&status, hint.as_ref(), Flow::QrCode),
        Some(Rfa::Rfa8)
    );
    assert!(h.pending().await.is_empty());
    // Failed orders can be collected for five minutes.
    h.advance(299);
    assert_eq!(h.hint(&order.order_ref).await.0, CollectStatus::Failed);
    h.advance(1);
    let error = h.client.collect(&order.order_ref).await.unwrap_err();
    assert_eq!(api_error(error), (400, ErrorCode::InvalidParameters));
}

async fn raw_post(
    sim: &RunningSimulator,
    path: &str,
    content_type: Option<&str>,
    body: &str,
) -> (u16, Value) {
    let http = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(sim.ca_pem.as_bytes()).unwrap())
        .identity(reqwest::Identity::from_pem(sim.client_identity_pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let mut request = http
        .post(format!("{}{path}", sim.base_url))
        .body(body.to_owned());
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn wrong_content_type_is_415() {
    let h = Harness::start().await;
    let body = r#"{"endUserIp":"192.0.2.1"}"#;
    for content_type in [
        Some("application/json; charset=utf-8"),
        Some("application/json;charset=UTF-8"),
        Some("text/plain"),
        None,
    ] {
        let (status, answer) = raw_post(&h.sim, "auth", content_type, body).await;
        assert_eq!(status, 415, "{content_type:?}");
        assert_eq!(answer["errorCode"], "unsupportedMediaType");
    }
    let (status, answer) = raw_post(&h.sim, "auth", Some("application/json"), body).await;
    assert_eq!(status, 200);
    assert!(answer["orderRef"].is_string());
}

#[tokio::test]
async fn bad_requests_are_invalid_parameters() {
    let h = Harness::start().await;
    let error = h
        .client
        .collect("00000000-0000-0000-0000-000000000000")
        .await
        .unwrap_err();
    assert_eq!(error.user_message(), Rfa::Rfa22);
    assert_eq!(api_error(error), (400, ErrorCode::InvalidParameters));
    let error = h.client.cancel("nope").await.unwrap_err();
    assert_eq!(api_error(error), (400, ErrorCode::InvalidParameters));
    let error = h
        .client
        .auth(&AuthRequest::new("not an ip"))
        .await
        .unwrap_err();
    assert_eq!(api_error(error), (400, ErrorCode::InvalidParameters));
    let error = h.client.auth(&for_person("19900101")).await.unwrap_err();
    assert_eq!(api_error(error), (400, ErrorCode::InvalidParameters));
    let mut sign = SignRequest::new("192.0.2.1", "x");
    sign.user_visible_data = "***".into();
    let error = h.client.sign(&sign).await.unwrap_err();
    assert_eq!(api_error(error), (400, ErrorCode::InvalidParameters));

    for body in ["", "{", "[]", r#"{"endUser":"x"}"#] {
        let (status, answer) = raw_post(&h.sim, "auth", Some("application/json"), body).await;
        assert_eq!(
            (status, answer["errorCode"].as_str()),
            (400, Some("invalidParameters")),
            "{body}"
        );
    }
    let (status, answer) = raw_post(
        &h.sim,
        "sign",
        Some("application/json"),
        r#"{"endUserIp":"192.0.2.1"}"#,
    )
    .await;
    assert_eq!(
        (status, answer["errorCode"].as_str()),
        (400, Some("invalidParameters"))
    );
    let (status, answer) = raw_post(&h.sim, "nothing", Some("application/json"), "{}").await;
    assert_eq!(
        (status, answer["errorCode"].as_str()),
        (404, Some("notFound"))
    );
}

#[tokio::test]
async fn wrong_method_is_405() {
    let h = Harness::start().await;
    let http = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(h.sim.ca_pem.as_bytes()).unwrap())
        .identity(reqwest::Identity::from_pem(h.sim.client_identity_pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let response = http
        .get(format!("{}auth", h.sim.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["errorCode"], "methodNotAllowed");
}

fn config_with(sim: &RunningSimulator, ca_pem: &str, identity_pem: &str) -> BankIdConfig {
    BankIdConfig {
        base_url: sim.base_url.clone(),
        server_ca_pem: ca_pem.to_owned(),
        client_identity_pem: identity_pem.to_owned(),
        timeout: Duration::from_secs(5),
    }
}

#[tokio::test]
async fn tls_requires_a_client_certificate_from_the_ca() {
    let h = Harness::start().await;

    // No client certificate at all.
    let http = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(h.sim.ca_pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let result = http
        .post(format!("{}auth", h.sim.base_url))
        .header("content-type", "application/json")
        .body(r#"{"endUserIp":"192.0.2.1"}"#)
        .send()
        .await;
    assert!(result.is_err(), "{result:?}");

    // A client certificate from another CA.
    let foreign = TestPki::generate().unwrap();
    let client = BankIdClient::new(&config_with(
        &h.sim,
        &h.sim.ca_pem,
        &foreign.client_identity_pem,
    ))
    .unwrap();
    let error = client.auth(&auth_request()).await.unwrap_err();
    assert!(matches!(error, BankIdError::Transport(_)), "{error:?}");
    assert_eq!(error.user_message(), Rfa::Rfa5);

    // The server is pinned: a client trusting another CA refuses the simulator.
    let client = BankIdClient::new(&config_with(
        &h.sim,
        &foreign.ca_pem,
        &h.sim.client_identity_pem,
    ))
    .unwrap();
    let error = client.auth(&auth_request()).await.unwrap_err();
    assert!(matches!(error, BankIdError::Transport(_)), "{error:?}");

    // The right identity still works, and no order was created by the refused attempts.
    h.client.auth(&auth_request()).await.unwrap();
    assert_eq!(h.pending().await.len(), 1);
}

#[tokio::test]
async fn client_refuses_bad_configuration() {
    let sim = Harness::start().await.sim;
    let bad = [
        config_with(&sim, "not a pem", &sim.client_identity_pem),
        config_with(&sim, &sim.ca_pem, "not a pem"),
        BankIdConfig {
            base_url: "not a url".into(),
            ..sim.client_config()
        },
    ];
    for config in bad {
        assert!(
            matches!(BankIdClient::new(&config), Err(BankIdError::Config(_))),
            "{config:?}"
        );
    }
    // A base URL without the final slash works the same.
    let client = BankIdClient::new(&BankIdConfig {
        base_url: sim.base_url.trim_end_matches('/').to_owned(),
        ..sim.client_config()
    })
    .unwrap();
    client.auth(&auth_request()).await.unwrap();
}

#[tokio::test]
async fn qr_scan_starts_the_order() {
    let h = Harness::start().await;
    let order = h.client.auth(&auth_request()).await.unwrap();
    h.advance(5);

    let forged = qr_data(&order.qr_start_token, "wrong secret", 5);
    let response = h.post("/api/qr", json!({"qrData": forged})).await;
    assert_eq!(response.status(), 400);
    let stale = qr_data(&order.qr_start_token, &order.qr_start_secret, 5);
    let future = qr_data(&order.qr_start_token, &order.qr_start_secret, 8);
    let response = h.post("/api/qr", json!({"qrData": future})).await;
    assert_eq!(response.status(), 400);
    let response = h
        .post("/api/qr", json!({"qrData": "bankid.unknown.1.00"}))
        .await;
    assert_eq!(response.status(), 404);
    let response = h.post("/api/qr", json!({"qrData": "hello"})).await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        h.hint(&order.order_ref).await.1,
        Some(HintCode::OutstandingTransaction)
    );

    h.advance(2);
    let response = h.post("/api/qr", json!({"qrData": stale})).await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["orderRef"], order.order_ref.as_str());
    assert_eq!(
        h.hint(&order.order_ref).await,
        (CollectStatus::Pending, Some(HintCode::Started))
    );

    // Codes older than the tolerance are refused.
    let other = h.client.auth(&auth_request()).await.unwrap();
    h.advance(20);
    let old = qr_data(&other.qr_start_token, &other.qr_start_secret, 2);
    let response = h.post("/api/qr", json!({"qrData": old})).await;
    assert_eq!(response.status(), 400);
    let fresh = qr_data(&other.qr_start_token, &other.qr_start_secret, 19);
    let response = h.post("/api/qr", json!({"qrData": fresh})).await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn chosen_failures_and_unknown_hint_codes() {
    let h = Harness::start().await;
    let order = h.client.auth(&auth_request()).await.unwrap();
    let response = h
        .post(
            &format!("/api/orders/{}/hint", order.order_ref),
            json!({"hintCode": "userIsThinking"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let (status, hint) = h.hint(&order.order_ref).await;
    assert_eq!(hint, Some(HintCode::Other("userIsThinking".into())));
    assert_eq!(
        collect_message(&status, hint.as_ref(), Flow::QrCode),
        Some(Rfa::Rfa21)
    );

    let response = h
        .post(
            &format!("/api/orders/{}/fail", order.order_ref),
            json!({"hintCode": "certificateErr"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let (status, hint) = h.hint(&order.order_ref).await;
    assert_eq!(
        (&status, &hint),
        (&CollectStatus::Failed, &Some(HintCode::CertificateErr))
    );
    assert_eq!(
        collect_message(&status, hint.as_ref(), Flow::QrCode),
        Some(Rfa::Rfa16)
    );

    let order = h.client.auth(&auth_request()).await.unwrap();
    h.post(
        &format!("/api/orders/{}/fail", order.order_ref),
        json!({"hintCode": "brandNewFailure"}),
    )
    .await;
    let (status, hint) = h.hint(&order.order_ref).await;
    assert_eq!(hint, Some(HintCode::Other("brandNewFailure".into())));
    assert_eq!(
        collect_message(&status, hint.as_ref(), Flow::SameDevice),
        Some(Rfa::Rfa22)
    );

    let response = h
        .post(
            "/api/orders/unknown/fail",
            json!({"hintCode": "userCancel"}),
        )
        .await;
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn simulated_maintenance() {
    let h = Harness::start().await;
    let order = h.client.auth(&auth_request()).await.unwrap();
    let response = h
        .post("/api/fault", json!({"errorCode": "maintenance"}))
        .await;
    assert_eq!(response.status(), 200);
    let error = h.client.collect(&order.order_ref).await.unwrap_err();
    assert_eq!(error.user_message(), Rfa::Rfa5);
    assert_eq!(api_error(error), (503, ErrorCode::Maintenance));
    h.post("/api/fault", json!({"errorCode": "internalError"}))
        .await;
    let error = h.client.auth(&auth_request()).await.unwrap_err();
    assert_eq!(api_error(error), (500, ErrorCode::InternalError));
    h.post("/api/fault", json!({"errorCode": null})).await;
    assert_eq!(h.hint(&order.order_ref).await.0, CollectStatus::Pending);
}

#[tokio::test]
async fn fake_app_page() {
    let h = Harness::start().await;
    let page = h.http.get(format!("{}/", h.control)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Inga väntande ordrar."), "{html}");

    let mut request = for_person(KARL);
    request.user_visible_data = Some(erecept_bankid::encode_user_data("<b>Logga in</b>"));
    let order = h.client.auth(&request).await.unwrap();
    let other = h.client.auth(&auth_request()).await.unwrap();
    let html = h
        .http
        .get(format!("{}/", h.control))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<html lang=\"sv\">"));
    for needle in [
        ">Personnummer</label>",
        ">Förnamn</label>",
        ">Efternamn</label>",
        ">Godkänn</button>",
        ">Avbryt</button>",
        ">Läs av</button>",
    ] {
        assert_eq!(
            html.matches(needle).count(),
            if needle.contains("Läs av") { 1 } else { 2 },
            "{needle}"
        );
    }
    let complete_action = format!("action=\"/sim/bankid/orders/{}/complete\"", order.order_ref);
    assert!(html.contains(&complete_action), "{html}");
    assert!(html.contains(&format!(
        "formaction=\"/sim/bankid/orders/{}/cancel\"",
        other.order_ref
    )));
    assert!(
        html.contains(&format!("value=\"{KARL}\"")),
        "personnummer prefilled"
    );
    assert!(html.contains("&lt;b&gt;Logga in&lt;/b&gt;"), "escaped");
    assert!(
        !html.contains("<script") && !html.contains("style"),
        "no script or style"
    );

    // A mistyped personnummer: 422, message beside the form, typed values kept.
    let response = h
        .http
        .post(format!("{}/orders/{}/complete", h.control, other.order_ref))
        .form(&[
            ("personal_number", "12345"),
            ("given_name", "Karl"),
            ("surname", "Karlsson"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("role=\"alert\""), "{html}");
    assert!(html.contains("value=\"12345\""));
    assert_eq!(h.hint(&other.order_ref).await.0, CollectStatus::Pending);

    let response = h
        .http
        .post(format!("{}/orders/{}/complete", h.control, order.order_ref))
        .form(&[
            ("personal_number", KARL),
            ("given_name", "Karl"),
            ("surname", "Karlsson"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/sim/bankid/");
    let data = h
        .client
        .collect(&order.order_ref)
        .await
        .unwrap()
        .completion_data
        .unwrap();
    assert_eq!(data.user.name, "Karl Karlsson");

    let response = h
        .http
        .post(format!("{}/orders/{}/start", h.control, other.order_ref))
        .form(&[("personal_number", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(h.hint(&other.order_ref).await.1, Some(HintCode::Started));
    let response = h
        .http
        .post(format!("{}/orders/{}/cancel", h.control, other.order_ref))
        .form(&[("personal_number", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        h.hint(&other.order_ref).await,
        (CollectStatus::Failed, Some(HintCode::UserCancel))
    );

    // QR text through the page.
    let third = h.client.auth(&auth_request()).await.unwrap();
    let text = qr_data(&third.qr_start_token, &third.qr_start_secret, 0);
    let response = h
        .http
        .post(format!("{}/qr", h.control))
        .form(&[("qr_data", text.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(h.hint(&third.order_ref).await.1, Some(HintCode::Started));
    let response = h
        .http
        .post(format!("{}/qr", h.control))
        .form(&[("qr_data", "bankid.x")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Det är ingen BankID-QR-kod.")
    );
}
