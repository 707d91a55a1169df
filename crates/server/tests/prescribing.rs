//! Prescribing end to end over HTTP against the real server, its worker and the simulators of
//! the population register and the national prescription list: a prescriber finds products by
//! typing, prescribes for a test patient, sends, sees the items registered; cancels and renews;
//! and deliveries survive a failing national list and a restart of the service, exactly once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{Browser, TestPrescriber, location};
use erecept_server::Running;
use serde_json::{Value, json};

/// An official test personnummer, given a name and address in the SPAR simulator.
const PATIENT: &str = "198501012382";

async fn logged_in(server: &Running, prescriber: &TestPrescriber) -> Browser {
    prescriber.create(server).await;
    let browser = Browser::new(server);
    let response = browser
        .login(prescriber.person_number, prescriber.password)
        .await;
    assert_eq!(response.status(), 303, "login");
    browser
}

async fn define_patient(browser: &Browser) {
    let response = browser
        .client
        .post(format!("{}/sim/spar/control/persons", browser.base))
        .json(&json!({
            "personNumber": PATIENT,
            "givenNames": "Anna Maria",
            "callingName": "Anna",
            "surname": "Ångström",
            "address": {"line1": "Storgatan 1", "postalCode": "22223", "postTown": "LUND"}
        }))
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{}",
        response.text().await.unwrap()
    );
}

async fn set_patient(browser: &Browser) -> String {
    let response = browser
        .submit(
            "/recept/nytt",
            "/recept/nytt/patient",
            &[("personnummer", PATIENT), ("patient_namn", "")],
        )
        .await;
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
    browser.page("/recept/nytt").await
}

/// The first "Välj" link of the hits for `query`, as typing in the search field shows them.
async fn choose(browser: &Browser, query: &str) -> String {
    let hits = browser
        .page(&format!("/recept/nytt/traffar?q={query}"))
        .await;
    let start = hits
        .find("href=\"/recept/nytt/artikel?")
        .unwrap_or_else(|| panic!("no package to choose for {query}: {hits}"));
    let href = &hits[start + 6..];
    href[..href.find('"').unwrap()].replace("&amp;", "&")
}

async fn add_item(browser: &Browser, query: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let form_path = choose(browser, query).await;
    let form = browser.page(&form_path).await;
    let hidden = |name: &str| -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = form.find(&marker).unwrap() + marker.len();
        form[start..].split('"').next().unwrap().to_owned()
    };
    let (npl, paket) = (hidden("npl"), hidden("paket"));
    let mut all: Vec<(&str, &str)> = vec![("npl", &npl), ("paket", &paket), ("rad", "")];
    all.extend_from_slice(fields);
    browser
        .submit(&form_path, "/recept/nytt/artikel", &all)
        .await
}

fn standard<'a>(dosage: &'a str, purpose: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("antal_forpackningar", "1"),
        ("dosering", dosage),
        ("behandlingsandamal", purpose),
        ("antal_uttag", "1"),
        ("expeditionsintervall", ""),
        ("expeditionsintervall_enhet", "dagar"),
        ("giltig_till", ""),
        ("forman", "ja"),
        ("meddelande_till_apoteket", ""),
    ]
}

/// Sends the draft; returns the batch's status page path.
async fn send(browser: &Browser) -> String {
    let page = browser.page("/recept/nytt").await;
    let marker = "name=\"utkast\" value=\"";
    let start = page.find(marker).expect("draft has items to send") + marker.len();
    let draft = page[start..].split('"').next().unwrap().to_owned();
    let response = browser
        .submit("/recept/nytt", "/recept/nytt/skicka", &[("utkast", &draft)])
        .await;
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
    location(&response).to_owned()
}

/// Waits until no item of the batch is on its way; returns the status fragment.
async fn settled(browser: &Browser, batch_page: &str) -> String {
    for _ in 0..200 {
        let fragment = browser.page(&format!("{batch_page}/status")).await;
        if !fragment.contains("hx-trigger=\"every 2s\"") {
            return fragment;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("items never settled");
}

async fn national_list(browser: &Browser, base: &str) -> Vec<Value> {
    browser
        .client
        .get(format!("{base}/control/prescriptions"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn nll_fault(browser: &Browser, base: &str, body: Value) {
    let response = browser
        .client
        .post(format!("{base}/control/fault"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

fn prescription_ids(html: &str) -> Vec<String> {
    html.match_indices("href=\"/recept/")
        .filter_map(|(i, _)| {
            let rest = &html[i + 14..];
            let id = &rest[..rest.find('"')?];
            (id.len() == 36).then(|| id.to_owned())
        })
        .collect()
}

#[tokio::test]
async fn three_items_are_registered_then_one_cancelled_and_one_renewed() {
    let server = common::start(common::dev_config()).await;
    let browser = logged_in(&server, &TestPrescriber::doctor()).await;
    define_patient(&browser).await;

    // The patient's name and address come from the population register.
    let page = set_patient(&browser).await;
    assert!(page.contains("Anna Ångström"), "{page}");
    assert!(page.contains("Storgatan 1"));
    assert!(page.contains("19850101-2382"));

    // Typing finds products; three items go on the prescription.
    for (query, dosage, purpose) in [
        (
            "alvedon",
            "1 tablett vid behov, högst 4 per dygn",
            "mot smärta",
        ),
        ("omeprazol", "1 kapsel på morgonen", "mot magsår"),
        (
            "simvastatin",
            "1 tablett till kvällen",
            "mot höga blodfetter",
        ),
    ] {
        let response = add_item(&browser, query, &standard(dosage, purpose)).await;
        assert_eq!(
            response.status(),
            303,
            "{query}: {}",
            response.text().await.unwrap()
        );
    }
    let page = browser.page("/recept/nytt").await;
    assert_eq!(page.matches("id=\"rad-").count(), 3);
    assert!(page.contains("Skicka recept"));

    let batch_page = send(&browser).await;
    let fragment = settled(&browser, &batch_page).await;
    assert_eq!(fragment.matches(">Registrerad<").count(), 3, "{fragment}");
    let nll = format!("{}/sim/nll", server.url());
    let stored = national_list(&browser, &nll).await;
    assert_eq!(stored.len(), 3);
    assert!(stored.iter().all(|p| p["createCalls"] == 1));
    let subject = &stored[0]["resource"]["subject"]["identifier"]["value"];
    assert_eq!(subject, PATIENT);

    // The draft is empty again, and sending the same draft twice stores nothing more.
    assert!(!browser.page("/recept/nytt").await.contains("id=\"rad-"));

    let ids = prescription_ids(&fragment);
    assert_eq!(ids.len(), 3, "{fragment}");

    // Makulera: a reason and the patient informed are required.
    let detail = format!("/recept/{}", ids[0]);
    let response = browser
        .submit(
            &detail,
            &format!("{detail}/makulera"),
            &[("orsak", "utsatt")],
        )
        .await;
    let body = response.text().await.unwrap();
    assert!(
        body.contains("Patienten ska vara informerad om makuleringen"),
        "{body}"
    );
    let response = browser
        .submit(
            &detail,
            &format!("{detail}/makulera"),
            &[("orsak", "utsatt"), ("samtycke", "ja")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let mut cancelled = false;
    for _ in 0..200 {
        if browser.page(&detail).await.contains(">Makulerad<") {
            cancelled = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(cancelled, "never cancelled");
    let stored = national_list(&browser, &nll).await;
    assert_eq!(stored.iter().filter(|p| !p["ended"].is_null()).count(), 1);

    // Förnya: the second item becomes a new item of a new prescription, sent again.
    let response = browser
        .submit(
            &format!("/recept/{}", ids[1]),
            &format!("/recept/{}/fornya", ids[1]),
            &[],
        )
        .await;
    assert_eq!(response.status(), 303);
    let page = browser.page("/recept/nytt").await;
    assert_eq!(page.matches("id=\"rad-").count(), 1);
    assert!(page.contains("1 kapsel på morgonen"));
    let renewed = send(&browser).await;
    let fragment = settled(&browser, &renewed).await;
    assert!(fragment.contains(">Registrerad<"), "{fragment}");
    assert_eq!(national_list(&browser, &nll).await.len(), 4);

    // Mina recept lists all four, newest first; a search by status finds the cancelled one.
    let history = browser.page("/recept").await;
    assert!(history.contains("4 recept"), "{history}");
    let history = browser.page("/recept?status=cancelled").await;
    assert!(history.contains("1 recept"), "{history}");

    // Every look at and change of the patient's data is in the prescriber's own log.
    let log = browser.page("/logg").await;
    for text in [
        "Uppslag i befolkningsregistret",
        "Recept skapat och köat",
        "Makulering begärd",
        "Förnyelse påbörjad",
        "Visade recept",
    ] {
        assert!(log.contains(text), "{text} missing from the log");
    }

    // The patient's summary is a PDF naming the items.
    let pdf = browser
        .get(&format!("{batch_page}/sammanfattning.pdf"))
        .await;
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let bytes = pdf.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-1.4"));
    server.stop().await;
}

#[tokio::test]
async fn rules_are_enforced_beside_the_fields_and_what_was_typed_is_kept() {
    let server = common::start(common::dev_config()).await;
    let browser = logged_in(&server, &TestPrescriber::doctor()).await;
    define_patient(&browser).await;
    set_patient(&browser).await;

    // Missing dosage, purpose and förmån decision.
    let mut fields = standard("", "");
    fields.retain(|(k, _)| !matches!(*k, "forman" | "meddelande_till_apoteket"));
    fields.push(("meddelande_till_apoteket", "Ring mig"));
    let response = add_item(&browser, "alvedon", &fields).await;
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    assert!(body.contains("id=\"dosering-error\""), "{body}");
    assert!(body.contains("id=\"behandlingsandamal-error\""));
    assert!(body.contains("id=\"forman-error\""));
    assert!(body.contains("Ring mig"), "typed text kept");

    // A code-3 special drug cannot be iterated.
    let mut fields = standard("1 tablett dagligen", "opioidberoende");
    fields.retain(|(k, _)| *k != "antal_uttag");
    fields.push(("antal_uttag", "3"));
    let response = add_item(&browser, "subutex", &fields).await;
    let body = response.text().await.unwrap();
    assert!(body.contains("id=\"antal_uttag-error\""), "{body}");
    assert!(body.contains("kod 3"), "{body}");

    // An unknown patient is refused, a bad number gets its message.
    let response = browser
        .submit(
            "/recept/nytt",
            "/recept/nytt/patient",
            &[("personnummer", "19850101-2383")],
        )
        .await;
    let body = response.text().await.unwrap();
    assert!(body.contains("id=\"personnummer-error\""), "{body}");
    server.stop().await;
}

#[tokio::test]
async fn a_failing_national_list_delays_delivery_which_then_happens_exactly_once() {
    let server = common::start(common::dev_config()).await;
    let browser = logged_in(&server, &TestPrescriber::doctor()).await;
    define_patient(&browser).await;
    set_patient(&browser).await;
    let nll = format!("{}/sim/nll", server.url());
    // The list registers the first create but the answer never arrives.
    nll_fault(&browser, &nll, json!({"mode": "drop", "count": 1})).await;
    let response = add_item(
        &browser,
        "alvedon",
        &standard("1 tablett vid behov", "mot smärta"),
    )
    .await;
    assert_eq!(response.status(), 303);
    let batch = send(&browser).await;

    let mut waiting = String::new();
    for _ in 0..200 {
        waiting = browser.page(&batch).await;
        if waiting.contains("Väntar på överföring") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(waiting.contains("Väntar på överföring"), "{waiting}");

    // The retry is due after the backoff: move the clock past it.
    let clock = server.dev_clock.as_ref().unwrap();
    clock.advance(jiff::SignedDuration::from_secs(60));
    let fragment = settled(&browser, &batch).await;
    assert!(fragment.contains(">Registrerad<"), "{fragment}");
    let stored = national_list(&browser, &nll).await;
    assert_eq!(stored.len(), 1, "one prescription, not two");
    assert_eq!(
        stored[0]["createCalls"], 2,
        "the retry carried the same key"
    );

    let id = &prescription_ids(&fragment)[0];
    let detail = browser.page(&format!("/recept/{id}")).await;
    assert!(
        detail.contains("Förbindelsen med Nationella läkemedelslistan bröts"),
        "{detail}"
    );
    server.stop().await;
}

#[tokio::test]
async fn items_queued_when_the_service_stops_are_delivered_after_the_restart_exactly_once() {
    // The national list runs on its own, so that it outlives the service.
    let clock: std::sync::Arc<dyn erecept_domain::clock::Clock> =
        std::sync::Arc::new(erecept_domain::SystemClock);
    let (router, _handle) = erecept_nll::simulator::Simulator::new(clock);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let nll = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });

    let mut config = common::dev_config();
    config.external.prescription_list_url = Some(nll.clone());
    let server = common::start(config.clone()).await;
    let browser = logged_in(&server, &TestPrescriber::doctor()).await;
    define_patient(&browser).await;
    set_patient(&browser).await;
    nll_fault(&browser, &nll, json!({"mode": "error", "status": 503})).await;
    for query in ["alvedon", "omeprazol"] {
        let response = add_item(&browser, query, &standard("1 dagligen", "behandling")).await;
        assert_eq!(response.status(), 303);
    }
    let batch = send(&browser).await;
    let mut page = String::new();
    for _ in 0..200 {
        page = browser.page(&batch).await;
        if page.matches("Väntar på överföring").count() >= 2 && !page.contains(">Skickat<") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(page.matches("Väntar på överföring").count(), 2, "{page}");
    server.stop().await;

    // The list recovers; a new service process on the same database delivers.
    nll_fault(&browser, &nll, json!({"mode": "none"})).await;
    let server = common::start(config).await;
    server
        .dev_clock
        .as_ref()
        .unwrap()
        .advance(jiff::SignedDuration::from_secs(60));
    let browser = Browser::new(&server);
    let prescriber = TestPrescriber::doctor();
    browser
        .login(prescriber.person_number, prescriber.password)
        .await;
    let fragment = settled(&browser, &batch).await;
    assert_eq!(fragment.matches(">Registrerad<").count(), 2, "{fragment}");
    let stored = national_list(&browser, &nll).await;
    assert_eq!(stored.len(), 2);
    assert!(stored.iter().all(|p| p["createCalls"] == 1));
    server.stop().await;
}

#[tokio::test]
async fn pages_of_prescribing_need_a_login_and_show_only_ones_own() {
    let server = common::start(common::dev_config()).await;
    let anonymous = Browser::new(&server);
    for path in ["/recept/nytt", "/recept", "/logg"] {
        let response = anonymous.get(path).await;
        assert_eq!(response.status(), 303, "{path}");
        assert_eq!(location(&response), "/");
    }
    let browser = logged_in(&server, &TestPrescriber::doctor()).await;
    let unknown = browser
        .get("/recept/0190f5f0-0000-7000-8000-000000000000")
        .await;
    assert_eq!(unknown.status(), 404);
    server.stop().await;
}

#[tokio::test]
async fn protected_identity_unknown_person_and_a_patient_without_a_number() {
    let server = common::start(common::dev_config()).await;
    let browser = logged_in(&server, &TestPrescriber::doctor()).await;
    let spar = format!("{}/sim/spar/control/persons", server.url());
    for person in [
        json!({"personNumber": "198501012390", "givenNames": "Hemlig", "surname": "Person", "protected": true}),
        json!({"personNumber": "198501022381", "unknown": true}),
    ] {
        let response = browser
            .client
            .post(&spar)
            .json(&person)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
    }

    // A protected identity is marked and shows neither name nor address.
    let response = browser
        .submit(
            "/recept/nytt",
            "/recept/nytt/patient",
            &[("personnummer", "198501012390")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let page = browser.page("/recept/nytt").await;
    assert!(page.contains("Skyddad identitet"), "{page}");
    assert!(!page.contains("Hemlig"), "the name must not be shown");

    // A number the population register does not know is refused beside the field.
    let response = browser
        .submit(
            "/recept/nytt",
            "/recept/nytt/patient",
            &[("personnummer", "198501022381")],
        )
        .await;
    let body = response.text().await.unwrap();
    assert!(
        body.contains("Personnumret finns inte i folkbokföringen. Kontrollera numret."),
        "{body}"
    );

    // Without a Swedish number: name, birth date and a pharmacy from the list are required.
    let response = browser
        .submit(
            "/recept/nytt",
            "/recept/nytt/patient",
            &[
                ("utan_personnummer", "ja"),
                ("patient_namn", "John Smith"),
                ("patient_fodelsedatum", "1970-05-01"),
                ("apotek", ""),
            ],
        )
        .await;
    let body = response.text().await.unwrap();
    assert!(
        body.contains("Välj det apotek som ska ta emot receptet."),
        "{body}"
    );
    assert!(body.contains("John Smith"), "typed name kept");
    let response = browser
        .submit(
            "/recept/nytt",
            "/recept/nytt/patient",
            &[
                ("utan_personnummer", "ja"),
                ("patient_namn", "John Smith"),
                ("patient_fodelsedatum", "1970-05-01"),
                ("apotek", "7350000000054"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let page = browser.page("/recept/nytt").await;
    assert!(page.contains("Apoteket Demo Sergel, Stockholm"), "{page}");
    let response = add_item(&browser, "alvedon", &standard("1 vid behov", "mot smärta")).await;
    assert_eq!(response.status(), 303);
    let batch = send(&browser).await;
    let fragment = settled(&browser, &batch).await;
    assert!(fragment.contains(">Registrerad<"), "{fragment}");
    let stored = national_list(&browser, &format!("{}/sim/nll", server.url())).await;
    let performer = &stored[0]["resource"]["dispenseRequest"]["performer"]["identifier"]["value"];
    assert_eq!(performer, "7350000000054");
    server.stop().await;
}

#[tokio::test]
async fn without_the_addon_the_name_is_typed() {
    let server = common::start(common::dev_config()).await;
    let prescriber = TestPrescriber {
        population_register_addon: false,
        ..TestPrescriber::doctor()
    };
    let browser = logged_in(&server, &prescriber).await;
    let response = browser
        .submit(
            "/recept/nytt",
            "/recept/nytt/patient",
            &[("personnummer", PATIENT), ("patient_namn", "")],
        )
        .await;
    let body = response.text().await.unwrap();
    assert!(body.contains("id=\"patient_namn-error\""), "{body}");
    let response = browser
        .submit(
            "/recept/nytt",
            "/recept/nytt/patient",
            &[
                ("personnummer", PATIENT),
                ("patient_namn", "Anna Andersson"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let page = browser.page("/recept/nytt").await;
    assert!(page.contains("Anna Andersson"));
    assert!(!page.contains("Uppgifterna kommer från befolkningsregistret"));
    server.stop().await;
}

#[tokio::test]
async fn a_veterinarian_prescribes_for_an_animal_and_its_owner() {
    let server = common::start(common::dev_config()).await;
    let vet = TestPrescriber {
        profession: erecept_domain::Profession::Veterinar,
        population_register_addon: false,
        ..TestPrescriber::doctor()
    };
    let browser = logged_in(&server, &vet).await;
    let page = browser.page("/recept/nytt").await;
    assert!(page.contains("Ange djur och djurägare"), "{page}");

    // Missing species and scope are named beside their fields.
    let response = browser
        .submit(
            "/recept/nytt",
            "/recept/nytt/patient",
            &[
                ("djur", "ja"),
                ("agare_namn", "Anna Ångström"),
                ("agare_nummer", PATIENT),
            ],
        )
        .await;
    let body = response.text().await.unwrap();
    assert!(body.contains("id=\"djurslag-error\""), "{body}");
    assert!(body.contains("id=\"djurkategori-error\""), "{body}");
    assert!(body.contains("Anna Ångström"), "typed owner kept");

    let response = browser
        .submit(
            "/recept/nytt",
            "/recept/nytt/patient",
            &[
                ("djur", "ja"),
                ("djurslag", "Hund"),
                ("djurkategori", "individ"),
                ("djur_id", "Fido"),
                ("agare_namn", "Anna Ångström"),
                ("agare_nummer", PATIENT),
            ],
        )
        .await;
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());

    // An antibiotic needs the antimicrobial purpose, and animals have no förmån.
    let mut fields = standard("1 tablett 2 gånger dagligen i 7 dagar", "hudinfektion");
    fields.push(("djur", "ja"));
    let response = add_item(&browser, "amoxicillin", &fields).await;
    let body = response.text().await.unwrap();
    assert!(
        body.contains("id=\"antimikrobiellt_syfte-error\""),
        "{body}"
    );
    assert!(body.contains("id=\"forman-error\""), "{body}");
    fields.retain(|(k, _)| *k != "forman");
    fields.extend([("forman", "nej"), ("antimikrobiellt_syfte", "terapi")]);
    let response = add_item(&browser, "amoxicillin", &fields).await;
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());

    let batch = send(&browser).await;
    let fragment = settled(&browser, &batch).await;
    assert!(fragment.contains(">Registrerad<"), "{fragment}");
    let stored = national_list(&browser, &format!("{}/sim/nll", server.url())).await;
    let extensions = stored[0]["resource"]["extension"].as_array().unwrap();
    let animal = extensions
        .iter()
        .find(|e| e["url"] == erecept_nll::fhir::EXT_ANIMAL)
        .expect("the animal travels with the prescription");
    assert!(animal.to_string().contains("Hund"));
    assert!(animal.to_string().contains("terapi"));
    server.stop().await;
}

#[tokio::test]
async fn a_double_click_sends_once_and_others_never_see_ones_prescriptions() {
    let server = common::start(common::dev_config()).await;
    let browser = logged_in(&server, &TestPrescriber::doctor()).await;
    define_patient(&browser).await;
    set_patient(&browser).await;
    let response = add_item(&browser, "alvedon", &standard("1 vid behov", "mot smärta")).await;
    assert_eq!(response.status(), 303);

    // The same form posted twice: the second answer leads to the first batch.
    let page = browser.page("/recept/nytt").await;
    let marker = "name=\"utkast\" value=\"";
    let start = page.find(marker).unwrap() + marker.len();
    let draft = page[start..].split('"').next().unwrap().to_owned();
    let csrf = common::csrf_field(&page);
    let post = || {
        browser
            .client
            .post(format!("{}/recept/nytt/skicka", browser.base))
            .form(&[("csrf", csrf.as_str()), ("utkast", draft.as_str())])
            .send()
    };
    let first = post().await.unwrap();
    let second = post().await.unwrap();
    assert_eq!(first.status(), 303);
    assert_eq!(second.status(), 303);
    assert_eq!(location(&first), location(&second));
    let batch = location(&first).to_owned();
    let fragment = settled(&browser, &batch).await;
    assert_eq!(fragment.matches(">Registrerad<").count(), 1);
    assert_eq!(
        national_list(&browser, &format!("{}/sim/nll", server.url()))
            .await
            .len(),
        1
    );
    let id = prescription_ids(&fragment)[0].clone();

    // Förnya is refused while the draft holds another patient's items.
    let response = browser
        .client
        .post(format!("{}/sim/spar/control/persons", browser.base))
        .json(&json!({"personNumber": "197501079292", "givenNames": "Bo", "surname": "Berg"}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let response = browser
        .submit(
            "/recept/nytt",
            "/recept/nytt/patient",
            &[("personnummer", "197501079292"), ("patient_namn", "")],
        )
        .await;
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
    let response = add_item(&browser, "omeprazol", &standard("1 dagligen", "mot magsår")).await;
    assert_eq!(response.status(), 303);
    let response = browser
        .submit(
            &format!("/recept/{id}"),
            &format!("/recept/{id}/fornya"),
            &[],
        )
        .await;
    let body = response.text().await.unwrap();
    assert!(
        body.contains("Du har ett påbörjat recept till en annan patient"),
        "{body}"
    );

    // Another prescriber sees neither the item, its batch nor its summary.
    let other = TestPrescriber {
        person_number: "198501012390",
        ..TestPrescriber::doctor()
    };
    let stranger = logged_in(&server, &other).await;
    for path in [
        format!("/recept/{id}"),
        batch.clone(),
        format!("{batch}/sammanfattning.pdf"),
    ] {
        assert_eq!(stranger.get(&path).await.status(), 404, "{path}");
    }
    assert!(stranger.page("/recept").await.contains("0 recept"));
    let response = stranger
        .submit(
            "/recept",
            &format!("/recept/{id}/makulera"),
            &[("orsak", "fel-patient")],
        )
        .await;
    assert_eq!(response.status(), 404);
    server.stop().await;
}
