//! The client against the simulator over real HTTP, mounted as the main server mounts it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use erecept_domain::{FixedClock, PersonNumber, PrescriberCode, Profession};
use erecept_prescriber_register::simulator::{
    DEFAULT_MOUNT, Fault, ReceivedRequest, Simulator, SimulatorHandle,
};
use erecept_prescriber_register::{
    CheckAnswer, LicenceCode, PrescriberRegisterClient, RegisterError, Verdict, compare,
};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

const KARL: &str = "189001019802";
const LISA: &str = "189001029819";
const NILS: &str = "189001039800";
const VERIFY_DELAY: Duration = Duration::from_secs(10);

struct Harness {
    clock: Arc<FixedClock>,
    handle: SimulatorHandle,
    /// `http://127.0.0.1:{port}/sim/prescriber-register`
    base: String,
    client: PrescriberRegisterClient,
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
        let clock = Arc::new(FixedClock::at(Timestamp::now()));
        let (router, handle) = Simulator::new(clock.clone(), VERIFY_DELAY);
        let app = axum::Router::new().nest_service(DEFAULT_MOUNT, router);
        let base = format!("{}{DEFAULT_MOUNT}", serve(app).await);
        let client = PrescriberRegisterClient::new(&base, Duration::from_secs(5)).unwrap();
        Self {
            clock,
            handle,
            base,
            client,
            http: reqwest::Client::new(),
        }
    }

    fn advance(&self, seconds: i64) {
        self.clock.advance(SignedDuration::from_secs(seconds));
    }

    async fn check(&self, person: &str, code: &str, profession: Profession) -> CheckAnswer {
        self.client
            .check(&pnr(person), &prescriber_code(code), profession)
            .await
            .unwrap()
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

fn prescriber_code(s: &str) -> PrescriberCode {
    PrescriberCode::parse(s).unwrap()
}

fn found(answer: CheckAnswer) -> erecept_prescriber_register::Credentials {
    match answer {
        CheckAnswer::Found(credentials) => credentials,
        other => panic!("expected credentials, got {other:?}"),
    }
}

#[tokio::test]
async fn a_well_formed_claim_is_confirmed_after_the_delay_since_the_first_request() {
    let h = Harness::start().await;
    assert_eq!(
        h.check(KARL, "1234567", Profession::Lakare).await,
        CheckAnswer::Pending
    );
    h.advance(5);
    // Lisa's clock starts at her own first request.
    assert_eq!(
        h.check(LISA, "7654321", Profession::Sjukskoterska).await,
        CheckAnswer::Pending
    );
    h.advance(4);
    assert_eq!(
        h.check(KARL, "1234567", Profession::Lakare).await,
        CheckAnswer::Pending
    );
    h.advance(1);
    let karl = found(h.check(KARL, "1234567", Profession::Lakare).await);
    assert_eq!(karl.personal_identity_number, KARL);
    assert_eq!(karl.personal_prescription_code.as_deref(), Some("1234567"));
    assert_eq!(karl.health_care_professional_licence.len(), 1);
    assert_eq!(
        karl.health_care_professional_licence[0].code,
        LicenceCode::Lakare
    );
    assert_eq!(karl.health_care_professional_licence[0].name, "Läkare");
    assert!(karl.nurse_prescription_right.is_empty());
    assert_eq!(
        compare(
            &karl,
            &pnr(KARL),
            &prescriber_code("1234567"),
            Profession::Lakare
        ),
        Verdict::Confirmed
    );

    assert_eq!(
        h.check(LISA, "7654321", Profession::Sjukskoterska).await,
        CheckAnswer::Pending
    );
    h.advance(5);
    let lisa = found(h.check(LISA, "7654321", Profession::Sjukskoterska).await);
    assert_eq!(
        lisa.health_care_professional_licence[0].code,
        LicenceCode::Sjukskoterska
    );
    assert!(lisa.nurse_prescription_right[0].prescription_right);
    assert!(
        compare(
            &lisa,
            &pnr(LISA),
            &prescriber_code("7654321"),
            Profession::Sjukskoterska
        )
        .is_confirmed()
    );

    let statuses: Vec<(String, u16)> = h
        .requests()
        .await
        .into_iter()
        .map(|r| (r.personal_identity_number, r.status))
        .collect();
    assert_eq!(
        statuses,
        [
            (KARL.to_owned(), 202),
            (LISA.to_owned(), 202),
            (KARL.to_owned(), 202),
            (KARL.to_owned(), 200),
            (LISA.to_owned(), 202),
            (LISA.to_owned(), 200),
        ]
    );
    let first = &h.requests().await[0];
    assert_eq!(first.claimed_prescription_code, "1234567");
    assert_eq!(first.claimed_profession, "lakare");
}

#[tokio::test]
async fn every_profession_is_confirmed_with_its_licence() {
    let h = Harness::start().await;
    let persons = [
        "189001019802",
        "189001029819",
        "189001039800",
        "189001049817",
        "189001059808",
        "189001069815",
        "189001079806",
    ];
    for (person, profession) in persons.iter().zip(Profession::ALL) {
        assert_eq!(
            h.check(person, "1111111", profession).await,
            CheckAnswer::Pending
        );
    }
    h.advance(10);
    for (person, profession) in persons.iter().zip(Profession::ALL) {
        let c = found(h.check(person, "1111111", profession).await);
        assert_eq!(
            c.health_care_professional_licence[0].code,
            LicenceCode::of(profession)
        );
        assert_eq!(
            compare(&c, &pnr(person), &prescriber_code("1111111"), profession),
            Verdict::Confirmed,
            "{profession:?}"
        );
    }
}

#[tokio::test]
async fn an_explicit_person_is_answered_at_once_with_their_own_data() {
    let h = Harness::start().await;
    let response = h
        .post(
            "/control/persons",
            json!({"personalIdentityNumber": KARL, "profession": "lakare", "prescriptionCode": "7654321"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["personalPrescriptionCode"], "7654321");
    assert_eq!(body["healthCareProfessionalLicence"][0]["code"], "LK");

    let karl = found(h.check(KARL, "1234567", Profession::Lakare).await);
    assert_eq!(karl.personal_prescription_code.as_deref(), Some("7654321"));
    let verdict = compare(
        &karl,
        &pnr(KARL),
        &prescriber_code("1234567"),
        Profession::Lakare,
    );
    let Verdict::Mismatch { reason } = verdict else {
        panic!("expected a mismatch");
    };
    assert_eq!(
        reason,
        "Förskrivarkoden 1234567 stämmer inte med registret (registrerad personlig \
         förskrivarkod är 7654321)."
    );
    assert!(
        compare(
            &karl,
            &pnr(KARL),
            &prescriber_code("7654321"),
            Profession::Lakare
        )
        .is_confirmed()
    );

    // Another profession claimed: the licence differs.
    let karl = found(h.check(KARL, "7654321", Profession::Tandlakare).await);
    let verdict = compare(
        &karl,
        &pnr(KARL),
        &prescriber_code("7654321"),
        Profession::Tandlakare,
    );
    assert!(matches!(verdict, Verdict::Mismatch { reason } if reason.contains("tandläkare (TL)")));

    // Without a code: a licence but no personal förskrivarkod.
    let response = h
        .post(
            "/control/persons",
            json!({"personalIdentityNumber": LISA, "profession": "at_lakare", "prescriptionCode": null}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let lisa = found(h.check(LISA, "1234567", Profession::AtLakare).await);
    assert_eq!(lisa.personal_prescription_code, None);
    assert_eq!(
        lisa.health_care_professional_licence[0].code,
        LicenceCode::AtLakare
    );
    assert!(
        !compare(
            &lisa,
            &pnr(LISA),
            &prescriber_code("1234567"),
            Profession::AtLakare
        )
        .is_confirmed()
    );
}

#[tokio::test]
async fn control_api_refuses_bad_input() {
    let h = Harness::start().await;
    for body in [
        json!({"personalIdentityNumber": "18900101980", "profession": "lakare", "prescriptionCode": "1234567"}),
        json!({"personalIdentityNumber": "189001019803", "profession": "lakare", "prescriptionCode": "1234567"}),
        json!({"personalIdentityNumber": KARL, "profession": "kirurg", "prescriptionCode": "1234567"}),
        json!({"personalIdentityNumber": KARL, "profession": "lakare", "prescriptionCode": "0000000"}),
        json!({"profession": "lakare"}),
    ] {
        let response = h.post("/control/persons", body.clone()).await;
        assert_eq!(response.status(), 400, "{body}");
        let error: Value = response.json().await.unwrap();
        assert!(error["error"].is_string());
    }
    let response = h.post("/control/persons/12345/reject", json!({})).await;
    assert_eq!(response.status(), 400);
    for body in [
        json!({"mode": "broken"}),
        json!({"mode": "slow", "delayMs": 1_000_000}),
    ] {
        assert_eq!(h.post("/control/fault", body).await.status(), 400);
    }
    assert!(h.handle.registered().is_empty());
    assert_eq!(h.handle.fault(), Fault::None);
}

#[tokio::test]
async fn a_rejected_person_is_not_found_until_registered_again() {
    let h = Harness::start().await;
    // Confirmed by default first …
    assert_eq!(
        h.check(KARL, "1234567", Profession::Lakare).await,
        CheckAnswer::Pending
    );
    h.advance(10);
    found(h.check(KARL, "1234567", Profession::Lakare).await);
    // … then rejected.
    let response = h
        .post(&format!("/control/persons/{KARL}/reject"), json!({}))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        h.check(KARL, "1234567", Profession::Lakare).await,
        CheckAnswer::NotFound
    );
    h.advance(3600);
    assert_eq!(
        h.check(KARL, "1234567", Profession::Lakare).await,
        CheckAnswer::NotFound
    );
    // An explicit person can be rejected as well.
    h.post(
        "/control/persons",
        json!({"personalIdentityNumber": LISA, "profession": "barnmorska", "prescriptionCode": "2222222"}),
    )
    .await;
    h.post(&format!("/control/persons/{LISA}/reject"), json!({}))
        .await;
    assert_eq!(
        h.check(LISA, "2222222", Profession::Barnmorska).await,
        CheckAnswer::NotFound
    );
    // Registering again undoes the rejection.
    h.post(
        "/control/persons",
        json!({"personalIdentityNumber": KARL, "profession": "lakare", "prescriptionCode": "1234567"}),
    )
    .await;
    found(h.check(KARL, "1234567", Profession::Lakare).await);
    assert_eq!(h.handle.rejected(), [LISA]);
}

#[tokio::test]
async fn a_malformed_claim_is_not_found_and_a_bad_body_is_refused() {
    let h = Harness::start().await;
    h.advance(3600);
    for claim in [
        json!({"personalIdentityNumber": "18900101980", "claimedPrescriptionCode": "1234567", "claimedProfession": "lakare"}),
        json!({"personalIdentityNumber": "189001019803", "claimedPrescriptionCode": "1234567", "claimedProfession": "lakare"}),
        json!({"personalIdentityNumber": NILS, "claimedPrescriptionCode": "0000000", "claimedProfession": "lakare"}),
        json!({"personalIdentityNumber": NILS, "claimedPrescriptionCode": "123456", "claimedProfession": "lakare"}),
        json!({"personalIdentityNumber": NILS, "claimedPrescriptionCode": " 1234567", "claimedProfession": "lakare"}),
        json!({"personalIdentityNumber": NILS, "claimedPrescriptionCode": "1234567", "claimedProfession": "kirurg"}),
    ] {
        let response = h.post("/credentials", claim.clone()).await;
        assert_eq!(response.status(), 404, "{claim}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body, json!({"error": "personNotFound"}));
    }
    let response = h
        .http
        .post(format!("{}/credentials", h.base))
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    // Extra fields in the request are ignored; Nils's well-formed claim now starts his clock.
    let response = h
        .post(
            "/credentials",
            json!({"personalIdentityNumber": NILS, "claimedPrescriptionCode": "1234567", "claimedProfession": "lakare", "extra": true}),
        )
        .await;
    assert_eq!(response.status(), 202);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"status": "pending"})
    );
    let statuses: Vec<u16> = h.requests().await.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [404, 404, 404, 404, 404, 404, 400, 202]);
}

#[tokio::test]
async fn a_fault_is_a_transient_error() {
    let h = Harness::start().await;
    let response = h.post("/control/fault", json!({"mode": "error"})).await;
    assert_eq!(response.status(), 200);
    let error = h
        .client
        .check(&pnr(KARL), &prescriber_code("1234567"), Profession::Lakare)
        .await
        .unwrap_err();
    assert!(
        matches!(error, RegisterError::Unavailable { status: 503, .. }),
        "{error:?}"
    );
    assert!(error.is_transient());
    // The failed request did not start Karl's clock.
    h.advance(60);
    h.post("/control/fault", json!({"mode": "none"})).await;
    assert_eq!(
        h.check(KARL, "1234567", Profession::Lakare).await,
        CheckAnswer::Pending
    );
    let statuses: Vec<u16> = h.requests().await.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 202]);
}

#[tokio::test]
async fn a_slow_register_makes_the_client_time_out_transiently() {
    let h = Harness::start().await;
    h.post("/control/fault", json!({"mode": "slow", "delayMs": 2000}))
        .await;
    assert_eq!(h.handle.fault(), Fault::Slow(Duration::from_millis(2000)));
    let impatient = PrescriberRegisterClient::new(&h.base, Duration::from_millis(300)).unwrap();
    let started = std::time::Instant::now();
    let error = impatient
        .check(&pnr(KARL), &prescriber_code("1234567"), Profession::Lakare)
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(1500));
    assert!(matches!(error, RegisterError::Timeout(_)), "{error:?}");
    assert!(error.is_transient());
    // A patient client gets the normal answer.
    h.post("/control/fault", json!({"mode": "slow", "delayMs": 200}))
        .await;
    assert_eq!(
        h.check(KARL, "1234567", Profession::Lakare).await,
        CheckAnswer::Pending
    );
}

#[tokio::test]
async fn unreachable_is_transient_and_a_wrong_address_is_permanent() {
    // Nothing listens on a port just released.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client =
        PrescriberRegisterClient::new(&format!("http://{addr}/"), Duration::from_secs(2)).unwrap();
    let error = client
        .check(&pnr(KARL), &prescriber_code("1234567"), Profession::Lakare)
        .await
        .unwrap_err();
    assert!(matches!(error, RegisterError::Connection(_)), "{error:?}");
    assert!(error.is_transient());

    // A 404 that is not `personNotFound` is not a rejection of the person.
    let h = Harness::start().await;
    let wrong = PrescriberRegisterClient::new(&format!("{}/wrong", h.base), Duration::from_secs(2))
        .unwrap();
    let error = wrong
        .check(&pnr(KARL), &prescriber_code("1234567"), Profession::Lakare)
        .await
        .unwrap_err();
    assert!(
        matches!(error, RegisterError::Refused { status: 404, .. }),
        "{error:?}"
    );
    assert!(!error.is_transient());

    assert!(matches!(
        PrescriberRegisterClient::new("not a url", Duration::from_secs(1)),
        Err(RegisterError::Config(_))
    ));
    assert!(matches!(
        PrescriberRegisterClient::new("ftp://example.org/", Duration::from_secs(1)),
        Err(RegisterError::Config(_))
    ));
}

#[tokio::test]
async fn odd_answers_are_classified() {
    use axum::http::StatusCode;
    use axum::routing::post;
    async fn answer(
        axum::extract::Path(kind): axum::extract::Path<String>,
    ) -> (StatusCode, &'static str) {
        match kind.as_str() {
            "garbage" => (StatusCode::OK, "<html>not json</html>"),
            "forbidden" => (StatusCode::FORBIDDEN, "{\"error\": \"forbidden\"}"),
            "busy" => (StatusCode::TOO_MANY_REQUESTS, ""),
            "extra" => (
                StatusCode::OK,
                "{\"personalIdentityNumber\": \"189001019802\", \"personalPrescriptionCode\": \"1234567\", \
                 \"healthCareProfessionalLicence\": [{\"code\": \"LK\", \"name\": \"Läkare\", \"validFrom\": \"2001\"}, {\"code\": \"ZZ\", \"name\": \"Okänd\"}], \
                 \"restrictions\": []}",
            ),
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "boom"),
        }
    }
    let base = serve(axum::Router::new().route("/{kind}/credentials", post(answer))).await;
    let client = |kind: &str| {
        PrescriberRegisterClient::new(&format!("{base}/{kind}"), Duration::from_secs(2)).unwrap()
    };
    let check = |c: PrescriberRegisterClient| async move {
        c.check(&pnr(KARL), &prescriber_code("1234567"), Profession::Lakare)
            .await
    };

    let error = check(client("garbage")).await.unwrap_err();
    assert!(matches!(error, RegisterError::Decode(_)), "{error:?}");
    assert!(!error.is_transient());
    let error = check(client("forbidden")).await.unwrap_err();
    assert!(
        matches!(error, RegisterError::Refused { status: 403, .. }),
        "{error:?}"
    );
    assert!(!error.is_transient());
    let error = check(client("busy")).await.unwrap_err();
    assert!(error.is_transient(), "{error:?}");
    let error = check(client("fail")).await.unwrap_err();
    assert!(
        matches!(error, RegisterError::Unavailable { status: 500, ref body } if body == "boom"),
        "{error:?}"
    );
    assert!(error.is_transient());

    let c = found(check(client("extra")).await.unwrap());
    assert_eq!(
        c.health_care_professional_licence[1].code,
        LicenceCode::Other("ZZ".into())
    );
    assert!(
        compare(
            &c,
            &pnr(KARL),
            &prescriber_code("1234567"),
            Profession::Lakare
        )
        .is_confirmed()
    );
}

#[tokio::test]
async fn the_page_lists_persons_and_requests_in_swedish() {
    let h = Harness::start().await;
    h.post(
        "/control/persons",
        json!({"personalIdentityNumber": LISA, "profession": "tandhygienist", "prescriptionCode": "3333333"}),
    )
    .await;
    h.check(KARL, "1234567", Profession::Lakare).await;
    h.handle.reject(&pnr(NILS));
    // Mounted with nest_service: the prefix alone and with a slash both reach the page.
    for url in [h.base.clone(), format!("{}/", h.base)] {
        let response = h.http.get(url).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let page = response.text().await.unwrap();
        assert!(page.contains("<html lang=\"sv\">"));
        assert!(page.contains("<h1>Simulator: förskrivarregistret</h1>"));
        assert!(page.contains("10 sekunder"));
        assert!(page.contains("<td>Tandhygienist</td><td>3333333</td>"));
        assert!(page.contains(NILS));
        assert!(page.contains("202 väntar"));
        assert!(!page.contains("<script"));
        assert!(!page.contains("style"));
    }
}
