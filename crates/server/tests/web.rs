//! End to end over HTTP against the real server: the page frame, the login form's Swedish
//! messages, CSRF, security headers, operational endpoints, development mode and production mode.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::routing::get;
use common::Browser;
use erecept_web::Simulator;
use reqwest::StatusCode;

#[tokio::test]
async fn start_page_has_the_labelled_login_form_and_the_layout() {
    let server = common::start(common::dev_config()).await;
    let response = reqwest::get(server.url()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    for expected in [
        "<html lang=\"sv\">",
        "<title>Logga in – eRecept</title>",
        "<label for=\"personnummer\">Personnummer</label>",
        "ååååmmddnnnn",
        "<label for=\"losenord\">Lösenord</label>",
        "<button type=\"submit\">Logga in</button>",
        ">Glömt lösenord?</a>",
        ">Ny förskrivare</a>",
        "<a href=\"/kundtjanst\">Kontakta kundtjänst</a>",
        "action=\"/hjalp/inloggning\"",
        ">Hjälp</button>",
        "<main id=\"innehall\"",
        "<footer",
        "Utvecklingsläge.",
        "<script src=\"/static/htmx.min.js\" defer></script>",
    ] {
        assert!(html.contains(expected), "start page lacks {expected:?}");
    }
    // Nothing inline that the CSP would have to allow.
    assert!(!html.contains("<script>"));
    assert!(!html.contains(" style=\""));
    // Logged out: no logout button.
    assert!(!html.contains("Logga ut"));
    server.stop().await;
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let server = common::start(common::dev_config()).await;
    for path in [
        "/",
        "/kundtjanst",
        "/finns-inte",
        "/healthz",
        "/static/style.css",
    ] {
        let response = reqwest::get(format!("{}{path}", server.url()))
            .await
            .unwrap();
        let h = response.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        assert!(h.contains_key("x-request-id"), "{path}");
        // Development mode runs on plain HTTP: no HSTS.
        assert!(!h.contains_key("strict-transport-security"), "{path}");
    }
    let page = reqwest::get(server.url()).await.unwrap();
    assert_eq!(page.headers()["cache-control"], "no-store");
    let cookie = page.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("erecept_csrf="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
            && !cookie.contains("Secure")
    );
    server.stop().await;
}

#[tokio::test]
async fn a_request_id_from_a_proxy_is_kept() {
    let server = common::start(common::dev_config()).await;
    let response = common::client()
        .get(server.url())
        .header("x-request-id", "proxy-4711")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "proxy-4711");
    server.stop().await;
}

async fn login_page(server: &erecept_server::Running, client: &reqwest::Client) -> String {
    let html = client
        .get(server.url())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    common::csrf_field(&html)
}

async fn post_login(
    server: &erecept_server::Running,
    client: &reqwest::Client,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let response = client
        .post(format!("{}/logga-in", server.url()))
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn login_form_answers_in_swedish_beside_the_fields_and_keeps_what_was_typed() {
    let server = common::start(common::dev_config()).await;
    let client = common::client();
    let csrf = login_page(&server, &client).await;

    let (status, html) = post_login(
        &server,
        &client,
        &[("csrf", &csrf), ("personnummer", ""), ("losenord", "")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Kontrollera uppgifterna"));
    assert!(
        html.contains(
            "<p class=\"field-error\" id=\"personnummer-error\">Fyll i ditt personnummer.</p>"
        ),
        "{html}"
    );
    assert!(
        html.contains("<p class=\"field-error\" id=\"losenord-error\">Fyll i ditt lösenord.</p>")
    );
    assert!(html.contains("<a href=\"#personnummer\">Fyll i ditt personnummer.</a>"));

    let (_, html) = post_login(
        &server,
        &client,
        &[
            ("csrf", &csrf),
            ("personnummer", "19121212-1213"),
            ("losenord", "hemligt"),
        ],
    )
    .await;
    assert!(html.contains("Personnumret är inte giltigt: kontrollsiffran stämmer inte."));
    assert!(html.contains("value=\"19121212-1213\""), "typed value kept");
    assert!(html.contains("aria-invalid=\"true\""));

    let (_, html) = post_login(
        &server,
        &client,
        &[
            ("csrf", &csrf),
            ("personnummer", "1912 1212 1212"),
            ("losenord", "hemligt"),
        ],
    )
    .await;
    assert!(html.contains("Skriv personnumret utan mellanslag"));

    // A well-formed personnummer gets the one answer that does not tell what was wrong.
    for pnr in ["191212121212", "19121212-1212", "121212-1212"] {
        let (status, html) = post_login(
            &server,
            &client,
            &[
                ("csrf", &csrf),
                ("personnummer", pnr),
                ("losenord", "hemligt"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Fel personnummer eller lösenord."), "{pnr}");
        assert!(!html.contains("Fyll i ditt lösenord."));
    }
    server.stop().await;
}

#[tokio::test]
async fn forms_without_this_sites_token_are_refused() {
    let server = common::start(common::dev_config()).await;
    let url = format!("{}/logga-in", server.url());
    let form = [("personnummer", "191212121212"), ("losenord", "hemligt")];

    // No cookie and no token: a forged post from another site.
    let response = reqwest::Client::new()
        .post(&url)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let html = response.text().await.unwrap();
    assert!(html.contains("Formuläret kunde inte skickas"));
    assert!(html.contains("Gå tillbaka, ladda om sidan och försök igen."));

    let client = common::client();
    let csrf = login_page(&server, &client).await;
    let with_token = [
        ("csrf", csrf.as_str()),
        ("personnummer", "191212121212"),
        ("losenord", "hemligt"),
    ];
    // A wrong token.
    let wrong = [
        ("csrf", "A".repeat(43)),
        ("personnummer", "191212121212".to_owned()),
    ];
    let response = client.post(&url).form(&wrong).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // The right token, but the browser says the post comes from another site.
    let response = client
        .post(&url)
        .header("origin", "https://angripare.example")
        .form(&with_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = client
        .post(&url)
        .header("sec-fetch-site", "cross-site")
        .form(&with_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // A browser may hide the origin ("null") but still say the post is its own site's.
    let response = client
        .post(&url)
        .header("origin", "null")
        .header("sec-fetch-site", "same-origin")
        .form(&with_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Without Sec-Fetch-Site (older browsers) a null origin is refused.
    let response = client
        .post(&url)
        .header("origin", "null")
        .form(&with_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // The same post from this site is answered.
    let response = client
        .post(&url)
        .header("origin", server.url())
        .header("sec-fetch-site", "same-origin")
        .form(&with_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    server.stop().await;
}

#[tokio::test]
async fn unknown_pages_get_the_swedish_404_page() {
    let server = common::start(common::dev_config()).await;
    let response = reqwest::get(format!("{}/finns/inte", server.url()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let html = response.text().await.unwrap();
    assert!(html.contains("<h1>Sidan finns inte</h1>"));
    assert!(html.contains("Kontakta kundtjänst"));
    let response = reqwest::get(format!("{}/hjalp/finns-inte", server.url()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    server.stop().await;
}

#[tokio::test]
async fn customer_service_and_help_pages() {
    let mut config = common::dev_config();
    config.support_phone = "08-555 123 45".to_owned();
    config.support_fax = Some("08-555 123 46".to_owned());
    config.support_email = "hjalp@erecept.example".to_owned();
    let server = common::start(config).await;
    let html = reqwest::get(format!("{}/kundtjanst", server.url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<h1>Kontakta kundtjänst</h1>"));
    assert!(html.contains("<a href=\"tel:0855512345\">08-555 123 45</a>"));
    assert!(html.contains("08-555 123 46"));
    assert!(html.contains("mailto:hjalp@erecept.example"));
    assert!(
        html.contains("action=\"/hjalp/kundtjanst\""),
        "help opens the customer-service section"
    );

    for (path, heading) in [
        ("/hjalp", "Om tjänsten"),
        ("/hjalp/inloggning", "Logga in"),
        ("/hjalp/kundtjanst", "Kontakta kundtjänst"),
    ] {
        let response = reqwest::get(format!("{}{path}", server.url()))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let html = response.text().await.unwrap();
        assert!(
            html.contains(&format!("<title>{heading} – Hjälp – eRecept</title>")),
            "{path}"
        );
        assert!(html.contains("<h1>"), "{path}: the manual text is rendered");
    }

    // "Ladda ner manual (PDF)": the whole manual as a PDF file to save.
    assert!(html.contains("<a href=\"/hjalp/manual.pdf\">Ladda ner manual (PDF)</a>"));
    let pdf = reqwest::get(format!("{}/hjalp/manual.pdf", server.url()))
        .await
        .unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert_eq!(
        pdf.headers()["content-disposition"],
        "attachment; filename=\"eRecept-manual.pdf\""
    );
    let bytes = pdf.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(
        bytes
            .windows(b"(Kontakta kundtj\xe4nst)".len())
            .any(|w| w == b"(Kontakta kundtj\xe4nst)"),
        "the sections are in it"
    );
    server.stop().await;
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let server = common::start(common::dev_config()).await;
    let health = reqwest::get(format!("{}/healthz", server.url()))
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let ready: serde_json::Value = reqwest::get(format!("{}/readyz", server.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        ready,
        serde_json::json!({ "status": "ready", "database": "sqlite" })
    );
    reqwest::get(server.url()).await.unwrap();
    let metrics = reqwest::get(format!("{}/metrics", server.url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics
            .contains("erecept_http_requests_total{method=\"GET\",route=\"/\",status=\"200\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("erecept_http_request_duration_seconds_count{route=\"/\"} 1"));
    assert!(metrics.contains("erecept_jobs{status=\"pending\"} 0"));
    assert!(metrics.contains("erecept_database_up 1"));
    server.stop().await;
}

#[tokio::test]
async fn development_clock_moves_forward_only() {
    let server = common::start(common::dev_config()).await;
    let client = common::client();
    let url = format!("{}/dev/clock", server.url());
    let before: serde_json::Value = client.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(before["offset_days"], 0);
    let moved = client
        .post(&url)
        .json(&serde_json::json!({ "advance_days": 22 }))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), StatusCode::OK);
    let moved: serde_json::Value = moved.json().await.unwrap();
    assert_eq!(moved["offset_days"], 22);
    let today = server.app.clock.today();
    let real_today = jiff::Timestamp::now()
        .to_zoned_datetime(erecept_domain::clock::stockholm())
        .date();
    assert_eq!(real_today.until(today).unwrap().get_days(), 22);
    for bad in [
        serde_json::json!({ "advance_days": -1 }),
        serde_json::json!({ "advance_days": 0 }),
        serde_json::json!({ "dagar": 3 }),
    ] {
        let response = client.post(&url).json(&bad).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    let after: serde_json::Value = client.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(after["offset_days"], 22);
    server.stop().await;
}

async fn wait_until_sent(
    server: &erecept_server::Running,
    id: erecept_store::MailId,
) -> erecept_store::Mail {
    for _ in 0..200 {
        let mail = server.app.store.mail(id).await.unwrap().unwrap();
        if mail.sent_at.is_some() {
            return mail;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("mail {id} was not delivered");
}

#[tokio::test]
async fn queued_mail_reaches_the_development_mailbox() {
    let server = common::start(common::dev_config()).await;
    let id = server
        .app
        .mailer
        .queue(
            "anna@example.se",
            &erecept_mail::TestMessage {
                requested_by: "test <t@example.se>".into(),
            },
        )
        .await
        .unwrap();
    let mail = wait_until_sent(&server, id).await;
    assert_eq!(mail.transport.as_deref(), Some("dev-mailbox"));

    let html = reqwest::get(format!("{}/dev/mail", server.url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Testmeddelande från eRecept"));
    assert!(html.contains("anna@example.se"));
    assert!(html.contains("Levererad till utvecklingsbrevlådan"));
    let one = reqwest::get(format!("{}/dev/mail/{id}", server.url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(one.contains("Det här är ett testmeddelande från eRecept."));
    assert!(
        one.contains("test &#60;t@example.se&#62;"),
        "escaped in the page"
    );
    let raw = reqwest::get(format!("{}/dev/mail/{id}/html", server.url()))
        .await
        .unwrap();
    let csp = raw.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.starts_with("sandbox"), "{csp}");
    assert!(raw.text().await.unwrap().contains("<html lang=\"sv\">"));
    let missing = reqwest::get(format!(
        "{}/dev/mail/{}",
        server.url(),
        uuid::Uuid::now_v7()
    ))
    .await
    .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    server.stop().await;
}

#[tokio::test]
async fn mail_queued_before_a_restart_is_delivered_after_it_exactly_once() {
    let config = common::dev_config();
    let server = common::start(config.clone()).await;
    // Stop first, then queue straight into the database: the worker is gone.
    let clock = server.app.clock.clone();
    server.stop().await;
    let store = erecept_server::open_store(&config.database_url)
        .await
        .unwrap();
    let app = erecept_app::App::new(erecept_server::app_config(&config), store.clone(), clock);
    let id = app
        .mailer
        .queue(
            "bertil@example.se",
            &erecept_mail::TestMessage {
                requested_by: "t".into(),
            },
        )
        .await
        .unwrap();
    assert!(store.mail(id).await.unwrap().unwrap().sent_at.is_none());
    store.close().await;

    let server = common::start(config).await;
    let mail = wait_until_sent(&server, id).await;
    assert_eq!(mail.to, "bertil@example.se");
    let counts = server.app.store.job_counts().await.unwrap();
    assert_eq!(
        (counts.done, counts.pending, counts.running, counts.dead),
        (1, 0, 0, 0)
    );
    assert_eq!(server.app.store.recent_mail(10).await.unwrap().len(), 1);
    server.stop().await;
}

fn echo_simulator() -> Simulator {
    Simulator {
        name: "eko",
        title: "Ekosimulator",
        router: axum::Router::new().route("/api/ping", get(|| async { "pong" })),
    }
}

#[tokio::test]
async fn simulators_plug_into_development_mode() {
    let server = common::start_with(common::dev_config(), vec![echo_simulator()]).await;
    let pong = reqwest::get(format!("{}/sim/eko/api/ping", server.url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(pong, "pong");
    let index = reqwest::get(format!("{}/sim", server.url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(index.contains("<a href=\"/sim/eko\">Ekosimulator</a>"));
    for title in [
        "BankID (testapp)",
        "Befolkningsregistret SPAR",
        "Nationella läkemedelslistan",
        "Förskrivarregistret",
    ] {
        assert!(index.contains(title), "{title} not listed on /sim");
    }
    // The real clients reach the simulators over HTTP.
    let spar = server
        .app
        .clients
        .population_register
        .as_ref()
        .expect("SPAR client in development mode");
    let pnr = erecept_domain::PersonNumber::parse_12("191212121212").unwrap();
    spar.lookup(&pnr, "test")
        .await
        .expect("the SPAR simulator answers");
    assert!(
        server.app.clients.prescription_list.is_some(),
        "NLL client in development mode"
    );
    server.stop().await;
}

#[tokio::test]
async fn production_mode_mounts_no_development_pages_or_simulators() {
    let server = common::start_with(common::production_config(), vec![echo_simulator()]).await;
    for path in [
        "/dev",
        "/dev/mail",
        "/dev/clock",
        "/sim",
        "/sim/eko/api/ping",
    ] {
        let response = reqwest::get(format!("{}{path}", server.url()))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let client = common::client();
    let response = client
        .post(format!("{}/dev/clock", server.url()))
        .json(&serde_json::json!({ "advance_days": 5 }))
        .send()
        .await
        .unwrap();
    assert_ne!(response.status(), StatusCode::OK);
    assert!(server.dev_clock.is_none());

    let page = reqwest::get(server.url()).await.unwrap();
    assert_eq!(
        page.headers()["strict-transport-security"],
        "max-age=63072000; includeSubDomains"
    );
    let cookie = page.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("__Host-erecept_csrf=") && cookie.contains("; Secure"),
        "{cookie}"
    );
    let html = page.text().await.unwrap();
    assert!(!html.contains("Utvecklingsläge"));

    // Metrics only for the monitoring system that has the token.
    let metrics = format!("{}/metrics", server.url());
    assert_eq!(
        reqwest::get(&metrics).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let wrong = client
        .get(&metrics)
        .bearer_auth("gissning")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let right = client
        .get(&metrics)
        .bearer_auth("matartoken-for-test")
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), StatusCode::OK);
    server.stop().await;
}

#[tokio::test]
async fn stopping_finishes_and_releases_the_port() {
    let server = common::start(common::dev_config()).await;
    let addr = server.addr;
    assert_eq!(
        reqwest::get(format!("http://{addr}/healthz"))
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    server.stop().await;
    assert!(
        reqwest::get(format!("http://{addr}/healthz"))
            .await
            .is_err()
    );
    // The address can be taken again at once.
    tokio::net::TcpListener::bind(addr).await.unwrap();
}

#[tokio::test]
async fn the_same_service_runs_on_postgresql() {
    let Some(url) = common::postgres_database().await else {
        return;
    };
    let mut config = common::dev_config();
    config.database_url = url;
    let server = common::start(config).await;
    let ready: serde_json::Value = reqwest::get(format!("{}/readyz", server.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["database"], "postgres");
    let id = server
        .app
        .mailer
        .queue(
            "cecilia@example.se",
            &erecept_mail::TestMessage {
                requested_by: "t".into(),
            },
        )
        .await
        .unwrap();
    let mail = wait_until_sent(&server, id).await;
    assert_eq!(mail.transport.as_deref(), Some("dev-mailbox"));
    let client = common::client();
    let csrf = login_page(&server, &client).await;
    let (_, html) = post_login(
        &server,
        &client,
        &[
            ("csrf", &csrf),
            ("personnummer", "191212121212"),
            ("losenord", "x"),
        ],
    )
    .await;
    assert!(html.contains("Fel personnummer eller lösenord."));
    server.stop().await;
}

/// Posts "Registrera ett ärende hos support" as the browser does (multipart, CSRF in the
/// address) with these fields and an optional file.
async fn send_ticket(
    browser: &Browser,
    fields: &[(&str, &str)],
    file: Option<(&str, Vec<u8>)>,
) -> reqwest::Response {
    let page = browser.page("/kundtjanst").await;
    let marker = "action=\"/kundtjanst?csrf=";
    let start = page.find(marker).expect("ticket form") + marker.len();
    let csrf = page[start..].split('"').next().unwrap().to_owned();
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    if let Some((name, bytes)) = file {
        form = form.part(
            "bifoga_fil",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
    }
    browser
        .client
        .post(format!("{}/kundtjanst?csrf={csrf}", browser.base))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

const TICKET: &[(&str, &str)] = &[
    ("namn", "Anna Andersson"),
    ("epost", "anna@example.se"),
    ("telefon", ""),
    ("amne", "Kan inte logga in"),
    (
        "beskrivning",
        "Det står att förskrivarkoden inte är kontrollerad.\nVad gör jag?",
    ),
];

#[tokio::test]
async fn a_visitor_registers_a_ticket_and_is_given_its_number() {
    let mut config = common::dev_config();
    config.support_email = "hjalp@erecept.example".to_owned();
    let server = common::start(config).await;
    let browser = Browser::new(&server);
    let page = browser.page("/kundtjanst").await;
    assert!(page.contains("Registrera ett ärende hos support"));
    for label in [
        "Namn",
        "E-post",
        "Telefon",
        "Ämne",
        "Beskrivning",
        "Bifoga fil",
    ] {
        assert!(page.contains(&format!("\">{label}</label>")), "{label}");
    }
    assert!(page.contains("<button type=\"submit\">Skicka</button>"));

    // Missing and wrong: each message beside its field, what was typed kept, nothing stored.
    let wrong = send_ticket(
        &browser,
        &[
            ("namn", ""),
            ("epost", "anna(at)example.se"),
            ("telefon", "ring mig"),
            ("amne", ""),
            ("beskrivning", "Hjälp"),
        ],
        Some(("skärmbild.gif", b"GIF89a....".to_vec())),
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let wrong = wrong.text().await.unwrap();
    for message in [
        "Fyll i ditt namn.",
        "Skriv en giltig e-postadress, t.ex. namn@exempel.se.",
        "Skriv telefonnumret med siffror, t.ex. 08-123 456 78.",
        "Skriv vad ärendet gäller.",
        "Filen måste vara en PDF-, PNG- eller JPEG-fil.",
    ] {
        assert!(wrong.contains(message), "{message}");
    }
    assert!(wrong.contains("value=\"anna(at)example.se\""));
    assert!(wrong.contains(">Hjälp</textarea>"));
    assert_eq!(server.app.store.ticket(1).await.unwrap(), None);

    // Right, with a screenshot: the number is shown, both mails are queued, the file is kept.
    let png = b"\x89PNG\r\n\x1a\nscreenshot".to_vec();
    let sent = send_ticket(
        &browser,
        TICKET,
        Some(("C:\\bilder\\skärmbild.png", png.clone())),
    )
    .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let number: u64 = common::location(&sent)
        .strip_prefix("/kundtjanst?arende=")
        .and_then(|rest| rest.strip_suffix("#arende"))
        .unwrap()
        .parse()
        .unwrap();
    let shown = browser.page(common::location(&sent)).await;
    assert!(shown.contains("Tack! Ditt ärende är registrerat."));
    assert!(
        shown.contains(&format!("<dt>Ärendenummer</dt><dd>{number}</dd>")),
        "{shown}"
    );
    let ticket = server.app.store.ticket(number).await.unwrap().unwrap();
    assert_eq!(ticket.ticket.subject, "Kan inte logga in");
    assert_eq!(ticket.ticket.account_id, None);
    let attachment = ticket.ticket.attachment.unwrap();
    assert_eq!(attachment.filename, "skärmbild.png");
    assert_eq!(attachment.content_type, "image/png");
    assert_eq!(attachment.content, png);
    let mails = server.app.store.recent_mail(2).await.unwrap();
    let receipt = mails.iter().find(|m| m.to == "anna@example.se").unwrap();
    assert_eq!(
        receipt.subject,
        format!("Ditt ärende {number} hos eRecept är registrerat")
    );
    let notice = mails
        .iter()
        .find(|m| m.to == "hjalp@erecept.example")
        .unwrap();
    assert_eq!(
        notice.subject,
        format!("Ärende {number}: Kan inte logga in")
    );
    assert!(notice.text_body.contains("Vad gör jag?"));
    assert!(notice.text_body.contains("Bifogad fil: skärmbild.png"));

    // Without a file, the next number.
    let next = send_ticket(&browser, TICKET, None).await;
    assert_eq!(
        common::location(&next),
        format!("/kundtjanst?arende={}#arende", number + 1)
    );
    server.stop().await;
}

#[tokio::test]
async fn a_logged_in_prescribers_ticket_is_linked_and_the_form_filled_in() {
    let server = common::start(common::dev_config()).await;
    let doctor = common::TestPrescriber::doctor();
    let id = doctor.create(&server).await;
    let browser = Browser::new(&server);
    browser.login("19121212-1212", doctor.password).await;
    let page = browser.page("/kundtjanst").await;
    assert!(page.contains("value=\"tolvan@example.se\""), "{page}");
    assert!(page.contains("value=\"070-1234567\""));
    let sent = send_ticket(&browser, TICKET, None).await;
    let number: u64 = common::location(&sent)
        .trim_start_matches("/kundtjanst?arende=")
        .trim_end_matches("#arende")
        .parse()
        .unwrap();
    let ticket = server.app.store.ticket(number).await.unwrap().unwrap();
    assert_eq!(ticket.ticket.account_id, Some(id));
    let notice = server.app.store.recent_mail(2).await.unwrap();
    assert!(
        notice.iter().any(|m| m
            .text_body
            .contains("Inloggad förskrivare: Tolvan Tolvansson, 19121212-1212")),
        "{notice:?}"
    );
    server.stop().await;
}

#[tokio::test]
async fn many_tickets_from_one_address_are_refused_for_a_while() {
    let server = common::start(common::dev_config()).await;
    let browser = Browser::new(&server);
    for _ in 0..10 {
        assert_eq!(
            send_ticket(&browser, TICKET, None).await.status(),
            StatusCode::SEE_OTHER
        );
    }
    let refused = send_ticket(&browser, TICKET, None).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let refused = refused.text().await.unwrap();
    assert!(refused.contains(
        "Du har skickat många ärenden på kort tid. Vänta en stund och försök igen, eller ring kundtjänst."
    ));
    assert!(
        refused.contains("value=\"Anna Andersson\""),
        "what was typed is kept"
    );
    assert_eq!(server.app.store.ticket(11).await.unwrap(), None);
    server.stop().await;
}
