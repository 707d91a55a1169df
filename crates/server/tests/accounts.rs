//! The account flows over HTTP against the real server: login with its outcomes in the
//! manual's order, logout, Min profil, licence renewal, Glömt lösenord with the mailed link,
//! throttling. Accounts are created directly in the store (registration has its own tests).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Browser, location};

use erecept_domain::{Licence, Licensing};
use erecept_server::Running;
use erecept_store::{AccountId, Outbox, Verification};
use reqwest::StatusCode;

const PNR: &str = "191212121212";
const PASSWORD: &str = "Rätt-lösenord-42";

async fn create_account(server: &Running, verification: Verification) -> AccountId {
    common::TestPrescriber::dentist()
        .create_with(server, verification)
        .await
}

async fn verified_account(server: &Running) -> AccountId {
    common::TestPrescriber::dentist().create(server).await
}

/// Logs in as the test prescriber.
async fn login(browser: &Browser, password: &str) -> reqwest::Response {
    browser.login("19121212-1212", password).await
}

#[tokio::test]
async fn verified_prescriber_logs_in_sees_min_profil_and_logs_out() {
    let server = common::start(common::dev_config()).await;
    verified_account(&server).await;
    let browser = Browser::new(&server);

    let response = login(&browser, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/min-profil");
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.starts_with("erecept_session=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    let profile = browser.page("/min-profil").await;
    for expected in [
        "<h1>Min profil</h1>",
        "Tolvan Tolvansson",
        "19121212-1212",
        "Tandläkare",
        "7654321",
        "Tandläkarna i Lund",
        "Region Skåne",
        "Väntar på betalning",
        ">Logga ut</button>",
    ] {
        assert!(profile.contains(expected), "Min profil lacks {expected:?}");
    }
    // Logged in, the start page leads to Min profil.
    assert_eq!(location(&browser.get("/").await), "/min-profil");

    let response = browser.submit("/min-profil", "/logga-ut", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/");
    assert_eq!(location(&browser.get("/min-profil").await), "/");
    server.stop().await;
}

#[tokio::test]
async fn wrong_password_gets_the_one_answer() {
    let server = common::start(common::dev_config()).await;
    verified_account(&server).await;
    let browser = Browser::new(&server);
    let response = login(&browser, "fel-lösenord").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("Fel personnummer eller lösenord."));
    assert!(html.contains("value=\"19121212-1212\""));
    server.stop().await;
}

#[tokio::test]
async fn unverified_prescriber_is_told_when_the_check_is_expected() {
    let server = common::start(common::dev_config()).await;
    let expected = server.app.clock.now() + jiff::SignedDuration::from_hours(48);
    create_account(
        &server,
        Verification::Pending {
            expected_by: expected,
        },
    )
    .await;
    let browser = Browser::new(&server);
    let response = login(&browser, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let html = response.text().await.unwrap();
    assert!(html.contains("<h2 id=\"meddelanderubrik\">Behörighetskontroll ej slutförd</h2>"));
    assert!(
        html.contains("Först när Socialstyrelsen bekräftat förskrivarkoden går det att logga in.")
    );
    assert!(html.contains("Räkna med att det kan ta upp till 48 timmar (kontorstid) innan förskrivarkoden blivit verifierad."));
    let when = expected
        .to_zoned_datetime(erecept_domain::clock::stockholm())
        .strftime("%Y-%m-%d kl. %H:%M")
        .to_string();
    assert!(
        html.contains(&format!("Kontrollen beräknas vara klar senast {when}.")),
        "{html}"
    );
    assert!(!html.contains("erecept_session"), "no session");
    server.stop().await;
}

#[tokio::test]
async fn unpaid_licence_after_three_weeks_blocks_login_with_reason_a() {
    let server = common::start(common::dev_config()).await;
    verified_account(&server).await;
    let browser = Browser::new(&server);
    assert_eq!(
        login(&browser, PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let moved = browser
        .client
        .post(format!("{}/dev/clock", server.url()))
        .json(&serde_json::json!({ "advance_days": 22 }))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), StatusCode::OK);
    let browser = Browser::new(&server);
    let response = login(&browser, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let html = response.text().await.unwrap();
    assert!(html.contains("Det finns ingen aktiv licens"));
    assert!(html.contains("<strong>Licensen är inte betald</strong>"));
    assert!(html.contains("Har du betalat, ber vi dig kontakta support"));
    assert!(html.contains(">Kontakta support</a>"));
    server.stop().await;
}

#[tokio::test]
async fn expired_licence_is_renewed_and_login_works_at_once() {
    let server = common::start(common::dev_config()).await;
    let id = verified_account(&server).await;
    let mut old = Licence::starting(jiff::civil::date(2025, 11, 1));
    old.paid_on = Some(jiff::civil::date(2025, 11, 3));
    server
        .app
        .store
        .set_licensing(
            id,
            Licensing::Own(old),
            &Outbox::new(),
            server.app.clock.now(),
        )
        .await
        .unwrap();
    let browser = Browser::new(&server);

    // Nobody can renew without having given the right password.
    assert_eq!(location(&browser.get("/licens/fornya").await), "/");

    let response = login(&browser, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let html = response.text().await.unwrap();
    assert!(html.contains("<strong>Årslicensen har gått ut</strong>"));
    assert!(html.contains("<a class=\"button\" href=\"/licens/fornya\">Förnya licensen</a>"));

    let offer = browser.page("/licens/fornya").await;
    let today = server.app.clock.today();
    let next = Licence::starting(today);
    assert!(
        offer.contains(&format!("{} – {}", next.starts_on, next.ends_on)),
        "{offer}"
    );
    assert!(offer.contains(&next.payment_due_on.to_string()));
    let response = browser
        .submit("/licens/fornya", "/licens/fornya", &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/min-profil");
    let profile = browser.page("/min-profil").await;
    assert!(
        profile.contains(&format!("Aktiv, {} – {}", next.starts_on, next.ends_on)),
        "{profile}"
    );
    let account = server.app.store.account(id).await.unwrap().unwrap();
    assert_eq!(account.licensing, Licensing::Own(next));
    server.stop().await;
}

#[tokio::test]
async fn group_licence_reasons_c_and_d() {
    let server = common::start(common::dev_config()).await;
    let id = verified_account(&server).await;
    let store = &server.app.store;
    store
        .set_licensing(
            id,
            Licensing::Group {
                web_login_allowed: false,
            },
            &Outbox::new(),
            server.app.clock.now(),
        )
        .await
        .unwrap();
    let html = login(&Browser::new(&server), PASSWORD)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(
        "<strong>Du ingår i en grupplicens som inte tillåter inloggning via webben</strong>"
    ));
    assert!(html.contains("journalsystemet"));
    store
        .set_licensing(
            id,
            Licensing::LeftGroup,
            &Outbox::new(),
            server.app.clock.now(),
        )
        .await
        .unwrap();
    let html = login(&Browser::new(&server), PASSWORD)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("<strong>Du har tidigare tillhört en grupplicens</strong>"));
    assert!(html.contains("Det kräver BankID."));
    server.stop().await;
}

#[tokio::test]
async fn too_many_wrong_passwords_hold_the_account_back() {
    let server = common::start(common::dev_config()).await;
    verified_account(&server).await;
    let browser = Browser::new(&server);
    for _ in 0..erecept_app::auth::MAX_FAILURES_PER_ACCOUNT {
        login(&browser, "gissning").await;
    }
    let html = login(&browser, PASSWORD).await.text().await.unwrap();
    assert!(
        html.contains("För många misslyckade inloggningsförsök. Vänta en kvart"),
        "{html}"
    );
    server.stop().await;
}

/// The reset link in the newest mail of the development mailbox.
async fn mailed_link(server: &Running) -> String {
    for _ in 0..100 {
        if let Some(mail) = server.app.store.recent_mail(1).await.unwrap().pop()
            && let Some(start) = mail.text_body.find("/glomt-losenord/")
        {
            let rest = &mail.text_body[start..];
            return rest.split_whitespace().next().unwrap().to_owned();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no reset mail");
}

#[tokio::test]
async fn forgotten_password_is_replaced_through_the_mailed_link_once() {
    let server = common::start(common::dev_config()).await;
    verified_account(&server).await;
    let browser = Browser::new(&server);

    let form = browser.page("/glomt-losenord").await;
    assert!(form.contains("<label for=\"personnummer\">Personnummer</label>"));
    assert!(form.contains("ååååmmddnnnn"));
    assert!(form.contains("<button type=\"submit\">Skicka</button>"));

    let empty = browser
        .submit(
            "/glomt-losenord",
            "/glomt-losenord",
            &[("personnummer", "")],
        )
        .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty
            .text()
            .await
            .unwrap()
            .contains("Fyll i ditt personnummer.")
    );

    // The same answer for an unknown personnummer…
    let unknown = browser
        .submit(
            "/glomt-losenord",
            "/glomt-losenord",
            &[("personnummer", "189001019802")],
        )
        .await;
    let unknown = unknown.text().await.unwrap();
    assert!(unknown.contains("Kontrollera din e-post"));
    assert!(server.app.store.recent_mail(5).await.unwrap().is_empty());
    // …as for a registered one.
    let known = browser
        .submit(
            "/glomt-losenord",
            "/glomt-losenord",
            &[("personnummer", "19121212-1212")],
        )
        .await;
    assert_eq!(
        known.text().await.unwrap(),
        unknown.replace("189001019802", "19121212-1212")
    );

    let link = mailed_link(&server).await;
    let page = browser.page(&link).await;
    assert!(page.contains("<label for=\"nytt_losenord\">Nytt lösenord</label>"));
    assert!(page.contains("<label for=\"upprepa_losenord\">Upprepa lösenord</label>"));

    let mismatch = browser
        .submit(
            &link,
            &link,
            &[
                ("nytt_losenord", "Nytt-lösen-7"),
                ("upprepa_losenord", "Nytt-lösen-8"),
            ],
        )
        .await;
    assert_eq!(mismatch.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        mismatch
            .text()
            .await
            .unwrap()
            .contains("Lösenorden är inte lika.")
    );
    let short = browser
        .submit(
            &link,
            &link,
            &[("nytt_losenord", "kort"), ("upprepa_losenord", "kort")],
        )
        .await;
    assert!(
        short
            .text()
            .await
            .unwrap()
            .contains("Lösenordet måste vara minst 6 tecken långt.")
    );

    let done = browser
        .submit(
            &link,
            &link,
            &[
                ("nytt_losenord", "Nytt-lösen-7"),
                ("upprepa_losenord", "Nytt-lösen-7"),
            ],
        )
        .await;
    assert_eq!(done.status(), StatusCode::OK);
    assert!(done.text().await.unwrap().contains("Lösenordet är bytt"));

    // Once only.
    let again = browser.get(&link).await;
    assert_eq!(again.status(), StatusCode::GONE);
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("Länken för att byta lösenord gäller inte längre")
    );

    assert_eq!(
        login(&browser, PASSWORD).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        login(&browser, "Nytt-lösen-7").await.status(),
        StatusCode::SEE_OTHER
    );
    let confirmation = server
        .app
        .store
        .recent_mail(1)
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(
        confirmation.subject,
        "Ditt lösenord till eRecept har ändrats"
    );
    server.stop().await;
}

#[tokio::test]
async fn reset_link_expires_after_24_hours() {
    let server = common::start(common::dev_config()).await;
    verified_account(&server).await;
    let browser = Browser::new(&server);
    browser
        .submit(
            "/glomt-losenord",
            "/glomt-losenord",
            &[("personnummer", PNR)],
        )
        .await;
    let link = mailed_link(&server).await;
    assert_eq!(browser.get(&link).await.status(), StatusCode::OK);
    server
        .dev_clock
        .as_ref()
        .unwrap()
        .advance(jiff::SignedDuration::from_hours(24));
    let expired = browser.get(&link).await;
    assert_eq!(expired.status(), StatusCode::GONE);
    let html = expired.text().await.unwrap();
    assert!(html.contains("gäller i 24 timmar och kan bara användas en gång"));
    let response = browser
        .submit(
            "/",
            &link,
            &[
                ("nytt_losenord", "Nytt-lösen-7"),
                ("upprepa_losenord", "Nytt-lösen-7"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::GONE);
    assert!(matches!(
        browser
            .get("/glomt-losenord/inte-en-riktig-lank")
            .await
            .status(),
        StatusCode::GONE
    ));
    server.stop().await;
}

#[tokio::test]
async fn a_logged_in_prescriber_searches_the_drug_register() {
    let server = common::start(common::dev_config()).await;
    verified_account(&server).await;
    let browser = Browser::new(&server);
    // Not logged in: no search.
    assert_eq!(location(&browser.get("/lakemedel?q=alvedon").await), "/");
    assert_eq!(
        login(&browser, PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );

    let page = browser.page("/lakemedel?q=alvedon").await;
    assert!(
        page.contains("<label for=\"q\">Sök läkemedel, livsmedel eller ickeläkemedelsvara</label>")
    );
    assert!(
        page.contains("<label for=\"ej_tillgangliga\">Inkludera ej tillgängliga produkter</label>")
    );
    assert!(
        page.contains("Region Skåne"),
        "REK region from the workplace"
    );
    assert!(page.contains("<h2>Alvedon"), "{page}");
    assert!(page.contains("Varunummer"));
    // The htmx fragment is the list only.
    let fragment = browser.page("/lakemedel/traffar?q=paracetamol").await;
    assert!(!fragment.contains("<html") && fragment.contains("<h2>Alvedon"));
    // Filters: livsmedel only.
    let food = browser.page("/lakemedel/traffar?q=a&typ=livsmedel").await;
    assert!(food.contains("Livsmedel") && !food.contains("<h2>Alvedon"));
    // Unavailable products only when asked for.
    let snapshot = server.app.drugs.snapshot();
    let withdrawn = snapshot
        .catalog
        .products()
        .iter()
        .find(|p| p.withdrawn || p.sales_stopped)
        .expect("demo has one");
    let name = withdrawn.name.clone();
    let hidden = browser
        .page(&format!("/lakemedel/traffar?q={}", name.replace(' ', "+")))
        .await;
    assert!(!hidden.contains("Ej tillgänglig"), "{hidden}");
    let shown = browser
        .page(&format!(
            "/lakemedel/traffar?q={}&ej_tillgangliga=ja",
            name.replace(' ', "+")
        ))
        .await;
    assert!(shown.contains("Ej tillgänglig"), "{shown}");
    let nothing = browser.page("/lakemedel/traffar?q=xyzzyqq").await;
    assert!(nothing.contains("Inga träffar på ”xyzzyqq”."));
    server.stop().await;
}
