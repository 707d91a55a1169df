//! The client against the simulator over real HTTP, mounted as the main server would mount it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use erecept_domain::{FixedClock, PersonNumber, PersonNumberKind, Sex};
use erecept_spar::simulator::{
    DEFAULT_MOUNT, DEFAULT_SEED, Identities, ReceivedRequest, Simulator, SimulatorHandle,
    UNDANTAG_SIMULATED, generate,
};
use erecept_spar::types::SOAP_ACTION;
use erecept_spar::{CustomerIds, Lookup, Person, SparClient, SparConfig, SparError};
use jiff::Timestamp;
use serde_json::{Value, json};

fn customer() -> CustomerIds {
    CustomerIds {
        delivery_customer: "500243".into(),
        end_customer: "500244".into(),
        assignment_id: "637".into(),
    }
}

/// `persons` of the shared reference data: `ERECEPT_SHARED_DATA` if set, else `shared/data` beside
/// the repository.
fn persons_dir() -> PathBuf {
    match std::env::var_os("ERECEPT_SHARED_DATA") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    }
    .join("persons")
}

/// Skatteverket's test numbers when the shared data is there, else generated ones.
fn identities() -> Identities {
    Identities::from_dir_or_generated(Some(&persons_dir()), DEFAULT_SEED)
}

struct Harness {
    handle: SimulatorHandle,
    /// `http://127.0.0.1:{port}/sim/spar`
    base: String,
    client: SparClient,
    http: reqwest::Client,
}

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    format!("http://{addr}")
}

impl Harness {
    async fn start() -> Self {
        Self::start_with(identities(), Duration::from_secs(5)).await
    }

    async fn start_with(identities: Identities, timeout: Duration) -> Self {
        let clock = Arc::new(FixedClock::at(Timestamp::now()));
        let (router, handle) = Simulator::new(clock, identities);
        let app = axum::Router::new().nest_service(DEFAULT_MOUNT, router);
        let base = format!("{}{DEFAULT_MOUNT}", serve(app).await);
        let client = SparClient::new(&SparConfig::new(
            format!("{base}/2021.1/"),
            customer(),
            timeout,
        ))
        .unwrap();
        Self {
            handle,
            base,
            client,
            http: reqwest::Client::new(),
        }
    }

    async fn lookup(&self, number: &PersonNumber) -> Result<Lookup, SparError> {
        self.client.lookup(number, "anvandare-42").await
    }

    async fn found(&self, number: &PersonNumber) -> Person {
        match self.lookup(number).await.unwrap() {
            Lookup::Found(person) => person,
            Lookup::NotFound => panic!("{number} not found"),
        }
    }

    async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    async fn requests(&self) -> Vec<ReceivedRequest> {
        let response = self
            .http
            .get(format!("{}/control/requests", self.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }
}

fn pnr(s: &str) -> PersonNumber {
    PersonNumber::parse_12(s).unwrap()
}

#[tokio::test]
async fn a_normal_person_comes_with_name_and_address_and_is_always_the_same() {
    let h = Harness::start().await;
    let number = h.handle.examples().normal[0];
    let person = h.found(&number).await;
    let generated = generate(&number);
    assert_eq!(person.person_number, number);
    assert_eq!(person.kind, PersonNumberKind::Personnummer);
    assert_eq!(person.given_names, generated.given_names);
    assert_eq!(person.calling_name, generated.calling_name);
    assert_eq!(person.middle_name, generated.middle_name);
    assert_eq!(person.surname, generated.surname);
    assert!(person.display_name().is_some());
    assert_eq!(person.birth_date, number.birth_date());
    assert_eq!(person.sex, Some(number.sex()));
    assert!(!person.protected && !person.deceased);
    let address = person.address.clone().expect("an address");
    assert_eq!(address.postal_code.len(), 5);
    assert!(address.postal_code.bytes().all(|b| b.is_ascii_digit()));
    assert!(!address.post_town.is_empty());
    assert!(address.line2.is_some());
    // Deterministic: asking again gives the same person.
    assert_eq!(h.found(&number).await, person);
}

#[tokio::test]
async fn a_samordningsnummer_is_found_as_such() {
    let h = Harness::start().await;
    let number = h.handle.examples().samordningsnummer[0];
    let person = h.found(&number).await;
    assert_eq!(person.person_number, number);
    assert_eq!(person.kind, PersonNumberKind::Samordningsnummer);
    assert!(person.surname.is_some());
    assert!(person.address.is_some());
}

#[tokio::test]
async fn a_protected_identity_is_flagged_without_name_or_address() {
    let h = Harness::start().await;
    for number in h.handle.examples().protected.clone() {
        let person = h.found(&number).await;
        assert!(person.protected, "{number}");
        assert_eq!(person.address, None);
        assert_eq!(person.given_names, None);
        assert_eq!(person.surname, None);
        assert_eq!(person.display_name(), None);
        assert!(!person.deceased);
    }
}

#[tokio::test]
async fn a_deceased_person_is_flagged() {
    let h = Harness::start().await;
    let number = h.handle.examples().deceased[0];
    let person = h.found(&number).await;
    assert!(person.deceased);
    assert_eq!(person.deregistration_code.as_deref(), Some("AV"));
    assert!(person.surname.is_some());
}

#[tokio::test]
async fn unknown_and_non_test_numbers_are_not_found() {
    let h = Harness::start().await;
    let number = h.handle.examples().unknown[0];
    assert_eq!(h.lookup(&number).await.unwrap(), Lookup::NotFound);
    // A valid number outside the test set: the simulator never invents a real person.
    let outside = ["199001011239", "198507099805", "200001022384"]
        .into_iter()
        .filter_map(|s| PersonNumber::parse_12(s).ok())
        .find(|n| !h.handle.identities().contains(n))
        .expect("a valid number outside the test set");
    assert_eq!(h.lookup(&outside).await.unwrap(), Lookup::NotFound);
    let answers: Vec<String> = h.requests().await.into_iter().map(|r| r.answer).collect();
    assert_eq!(answers, vec!["notFound", "notFound"]);
}

#[tokio::test]
async fn the_request_carries_the_customer_numbers_and_the_end_user() {
    let h = Harness::start().await;
    let number = h.handle.examples().normal[1];
    h.client
        .lookup(&number, "  förskrivare <7> & co ")
        .await
        .unwrap();
    let requests = h.requests().await;
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.kund_nr_leverans_mottagare, "500243");
    assert_eq!(r.kund_nr_slutkund, "500244");
    assert_eq!(r.uppdrag_id, "637");
    assert_eq!(r.slut_anvandar_id, "förskrivare <7> & co");
    assert_eq!(r.id_nummer, number.as_12_digits());
    assert_eq!(
        r.soap_action.as_deref(),
        Some(&*format!("\"{SOAP_ACTION}\""))
    );
    assert_eq!(r.answer, "found");
    // An empty end user is refused before anything is sent.
    let err = h.client.lookup(&number, "  ").await.unwrap_err();
    assert!(matches!(err, SparError::InvalidRequest(_)), "{err:?}");
    assert!(!err.is_transient());
    assert_eq!(h.requests().await.len(), 1);
}

#[tokio::test]
async fn a_person_set_through_the_control_api_is_answered_exactly() {
    let h = Harness::start().await;
    let number = "189001019802";
    let response = h
        .post(
            "/control/persons",
            json!({
                "personNumber": number,
                "givenNames": "Karl-Erik Johan",
                "callingName": "Karl-Erik",
                "middleName": "Berg",
                "surname": "Testsson",
                "address": {
                    "careOf": "Lund",
                    "line1": "Box 12",
                    "line2": "Storgatan 3",
                    "postalCode": "75320",
                    "postTown": "UPPSALA"
                }
            }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["found"], true);
    assert_eq!(body["person"]["callingName"], "Karl-Erik");
    let person = h.found(&pnr(number)).await;
    assert_eq!(person.given_names.as_deref(), Some("Karl-Erik Johan"));
    assert_eq!(person.calling_name.as_deref(), Some("Karl-Erik"));
    assert_eq!(person.middle_name.as_deref(), Some("Berg"));
    assert_eq!(person.surname.as_deref(), Some("Testsson"));
    assert_eq!(
        person.display_name().as_deref(),
        Some("Karl-Erik Berg Testsson")
    );
    assert_eq!(person.sex, Some(Sex::Female)); // from the number: 9th digit 0
    assert_eq!(
        person.address.unwrap().lines(),
        vec!["c/o Lund", "Box 12", "Storgatan 3", "753 20 UPPSALA"]
    );

    // Protected and deceased through the control API; any valid number.
    h.post(
        "/control/persons",
        json!({"personNumber": number, "givenNames": "Anna", "surname": "X",
               "address": {"line2": "Gatan 1", "postalCode": "11120", "postTown": "STOCKHOLM"},
               "protectedRegistration": true}),
    )
    .await;
    let person = h.found(&pnr(number)).await;
    assert!(person.protected);
    assert_eq!(person.address, None);
    assert_eq!(person.surname, None);

    h.post(
        "/control/persons",
        json!({"personNumber": number, "surname": "X", "deceased": true, "deceasedOn": "2024-05-06"}),
    )
    .await;
    let person = h.found(&pnr(number)).await;
    assert!(person.deceased);

    h.post(
        "/control/persons",
        json!({"personNumber": number, "unknown": true}),
    )
    .await;
    assert_eq!(h.lookup(&pnr(number)).await.unwrap(), Lookup::NotFound);

    // Refused control bodies.
    for bad in [
        json!({"personNumber": "189001019803"}),
        json!({"personNumber": number, "givenNames": "Anna", "callingName": "Lisa"}),
        json!({"surname": "X"}),
    ] {
        assert_eq!(h.post("/control/persons", bad).await.status(), 400);
    }
    assert_eq!(
        h.post("/control/persons/clear", json!({})).await.status(),
        200
    );
    // Cleared, the number is answered as the simulator's identities say.
    if h.handle.identities().contains(&pnr(number)) {
        assert_eq!(h.found(&pnr(number)).await.person_number, pnr(number));
    } else {
        assert_eq!(h.lookup(&pnr(number)).await.unwrap(), Lookup::NotFound);
    }
}

#[tokio::test]
async fn the_error_fault_is_a_transient_error_and_none_restores() {
    let h = Harness::start().await;
    let number = h.handle.examples().normal[0];
    assert_eq!(
        h.post("/control/fault", json!({"mode": "error"}))
            .await
            .status(),
        200
    );
    let err = h.lookup(&number).await.unwrap_err();
    assert!(
        matches!(&err, SparError::Fault { server: true, .. }),
        "{err:?}"
    );
    assert!(err.is_transient());
    h.post("/control/fault", json!({"mode": "none"})).await;
    assert!(matches!(h.lookup(&number).await, Ok(Lookup::Found(_))));
}

#[tokio::test]
async fn the_slow_fault_times_out_as_a_transient_error() {
    let h = Harness::start_with(identities(), Duration::from_millis(300)).await;
    let number = h.handle.examples().normal[0];
    h.post("/control/fault", json!({"mode": "slow", "delayMs": 2000}))
        .await;
    let err = h.lookup(&number).await.unwrap_err();
    assert!(matches!(err, SparError::Timeout(_)), "{err:?}");
    assert!(err.is_transient());
    assert_eq!(
        h.post("/control/fault", json!({"mode": "slow", "delayMs": 120001}))
            .await
            .status(),
        400
    );
    assert_eq!(
        h.post("/control/fault", json!({"mode": "broken"}))
            .await
            .status(),
        400
    );
}

#[tokio::test]
async fn undantag_is_a_permanent_error() {
    let h = Harness::start().await;
    let number = h.handle.examples().normal[0];
    h.post("/control/fault", json!({"mode": "undantag"})).await;
    let err = h.lookup(&number).await.unwrap_err();
    match &err {
        SparError::Undantag { code, description } => {
            assert_eq!(code, UNDANTAG_SIMULATED);
            assert!(!description.is_empty());
        }
        other => panic!("expected Undantag, got {other:?}"),
    }
    assert!(!err.is_transient());
}

#[tokio::test]
async fn broken_requests_get_soap_faults_and_undantag() {
    let h = Harness::start().await;
    // Not an envelope: SOAP fault Client, HTTP 500.
    let response = h
        .http
        .post(format!("{}/", h.base))
        .body("<nonsense/>")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    let text = response.text().await.unwrap();
    assert!(text.contains("Client"), "{text}");
    // An envelope without identification: Undantag.
    let body = erecept_spar::types::PersonsokningFraga {
        id_nummer: "189001019802".into(),
        ..Default::default()
    }
    .to_xml();
    let response = h
        .http
        .post(format!("{}/", h.base))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(
        text.contains("Undantag") && text.contains("SIM02"),
        "{text}"
    );
}

#[tokio::test]
async fn transport_and_status_errors_are_classified() {
    let h = Harness::start().await;
    let number = h.handle.examples().normal[0];
    // A wrong path: 404 without a SOAP body → permanent.
    let client = SparClient::new(&SparConfig::new(
        format!("{}/wrong", h.base),
        customer(),
        Duration::from_secs(5),
    ))
    .unwrap();
    let err = client.lookup(&number, "u").await.unwrap_err();
    assert!(
        matches!(err, SparError::Refused { status: 404, .. }),
        "{err:?}"
    );
    assert!(!err.is_transient());
    // Nobody listening → transient.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let client = SparClient::new(&SparConfig::new(
        format!("http://127.0.0.1:{port}/"),
        customer(),
        Duration::from_secs(5),
    ))
    .unwrap();
    let err = client.lookup(&number, "u").await.unwrap_err();
    assert!(matches!(err, SparError::Connection(_)), "{err:?}");
    assert!(err.is_transient());
}

#[test]
fn bad_configuration_is_refused() {
    let ok = SparConfig::new(
        "https://example.invalid/2021.1/",
        customer(),
        Duration::from_secs(1),
    );
    assert!(SparClient::new(&ok).is_ok());
    let mut bad = ok.clone();
    bad.customer.assignment_id = "63x".into();
    assert!(matches!(SparClient::new(&bad), Err(SparError::Config(_))));
    let bad = SparConfig::new("ftp://x/", customer(), Duration::from_secs(1));
    assert!(matches!(SparClient::new(&bad), Err(SparError::Config(_))));
    let bad = ok.clone().with_server_ca("not a pem");
    assert!(matches!(SparClient::new(&bad), Err(SparError::Config(_))));
    let bad = ok.clone().with_client_identity("not a pem");
    assert!(matches!(SparClient::new(&bad), Err(SparError::Config(_))));
    // The key never shows in Debug.
    let secret = ok.with_client_identity("-----BEGIN PRIVATE KEY-----secret");
    assert!(!format!("{secret:?}").contains("secret"));
}

#[tokio::test]
async fn the_page_lists_examples_of_every_kind_in_swedish() {
    let h = Harness::start().await;
    let response = h.http.get(format!("{}/", h.base)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = response.text().await.unwrap();
    assert!(page.contains("<html lang=\"sv\">"));
    for heading in [
        "Vanliga personer",
        "Samordningsnummer",
        "Skyddad identitet",
        "Avlidna",
        "Okända",
    ] {
        assert!(page.contains(heading), "{heading}");
    }
    let ex = h.handle.examples();
    for n in [
        ex.normal[0],
        ex.samordningsnummer[0],
        ex.protected[0],
        ex.deceased[0],
        ex.unknown[0],
    ] {
        assert!(page.contains(&n.as_12_digits()), "{n}");
    }
}

#[tokio::test]
async fn generated_identities_work_without_the_shared_data() {
    let h = Harness::start_with(Identities::generated(5), Duration::from_secs(5)).await;
    let ex = h.handle.examples().clone();
    assert!(matches!(
        h.lookup(&ex.normal[0]).await,
        Ok(Lookup::Found(_))
    ));
    let s = h.found(&ex.samordningsnummer[0]).await;
    assert_eq!(s.kind, PersonNumberKind::Samordningsnummer);
    assert!(h.found(&ex.protected[0]).await.protected);
    assert!(h.found(&ex.deceased[0]).await.deceased);
    assert_eq!(h.lookup(&ex.unknown[0]).await.unwrap(), Lookup::NotFound);
}

#[test]
fn the_shared_test_numbers_load_when_present() {
    let dir = persons_dir();
    if !dir.exists() {
        // Outside CI the shared data may be absent; in CI it must be there.
        assert!(
            std::env::var_os("CI").is_none(),
            "{} is missing; set ERECEPT_SHARED_DATA",
            dir.display()
        );
        return;
    }
    let ids = Identities::from_dir(&dir).unwrap();
    assert!(ids.personnummer().len() > 40_000);
    assert!(ids.samordningsnummer().len() > 2_000);
    assert!(ids.contains(&pnr("189001019802")));
    assert!(ids.contains(&pnr("191401682396")));
}
