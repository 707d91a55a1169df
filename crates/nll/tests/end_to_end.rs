//! The client against the simulator over real HTTP, mounted as the main server mounts it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use erecept_domain::{Clock, FixedClock, PersonNumber, PrescriberCode, WorkplaceCode};
use erecept_nll::fhir::{
    Annotation, CodeableConcept, Coding, DispenseRequest, Dosage, DoseAndRate, EXT_BENEFIT,
    EXT_DOSE_ABOVE_MAXIMUM, EXT_DOSE_DISPENSING, EXT_EXTEMPORE, EXT_SPECIAL_DRUG_CODE,
    EXT_STARTER_PACK, Extension, HumanName, Identifier, Ingredient, InitialFill, Medication,
    MedicationRequest, MedicationRequestStatus, Patient, Period, Practitioner, Provenance,
    ProvenanceAgent, Quantity, Reference, Resource, SYSTEM_COURSE_OF_THERAPY, SYSTEM_NPL_PACK_ID,
    SYSTEM_PHARMACY_GLN, SYSTEM_SPECIAL_DRUG_CODE, SYSTEM_VARUNUMMER, Substitution, Timing,
    TimingRepeat,
};
use erecept_nll::simulator::{DEFAULT_MOUNT, ReceivedRequest, Simulator, SimulatorHandle};
use erecept_nll::{
    BearerToken, CreateOutcome, EndActivity, EndOutcome, EndReason, Issue, NllClient, NllConfig,
    NllError, RequestContext, Severity, TokenSource,
};
use jiff::Timestamp;
use serde_json::{Value, json};

const KARL: &str = "189001019802";
const SAMORDNING: &str = "197010632391";
const CODE: &str = "1234567";

struct Harness {
    clock: Arc<FixedClock>,
    handle: SimulatorHandle,
    /// `http://127.0.0.1:{port}/sim/nll`
    base: String,
    client: NllClient,
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
        let (router, handle) = Simulator::new(clock.clone());
        let app = axum::Router::new().nest_service(DEFAULT_MOUNT, router);
        let base = format!("{}{DEFAULT_MOUNT}", serve(app).await);
        let mut config = NllConfig::new(&base, "test-token");
        config.timeout = Duration::from_secs(5);
        let client = NllClient::new(&config).unwrap();
        Self {
            clock,
            handle,
            base,
            client,
            http: reqwest::Client::new(),
        }
    }

    fn client_with(&self, change: impl FnOnce(&mut NllConfig)) -> NllClient {
        let mut config = NllConfig::new(&self.base, "test-token");
        change(&mut config);
        NllClient::new(&config).unwrap()
    }

    async fn create(&self, mr: &MedicationRequest, key: &str) -> CreateOutcome {
        self.client.create(mr, key, &context()).await.unwrap()
    }

    async fn fault(&self, body: Value) {
        let response = self
            .http
            .post(format!("{}/control/fault", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    }

    async fn stored(&self) -> Vec<Value> {
        let response = self
            .http
            .get(format!("{}/control/prescriptions", self.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    async fn requests(&self) -> Vec<Value> {
        self.http
            .get(format!("{}/control/requests", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    fn today(&self) -> jiff::civil::Date {
        self.clock.today()
    }

    /// A complete, valid prescription for Karl.
    fn prescription(&self) -> MedicationRequest {
        let today = self.today();
        let year_later = today
            .checked_add(jiff::Span::new().years(1))
            .unwrap()
            .to_string();
        MedicationRequest {
            contained: vec![Resource::Practitioner(Box::new(Practitioner::prescriber(
                "prescriber",
                &PrescriberCode::parse(CODE).unwrap(),
                "LK",
                "Läkare",
                Some(&WorkplaceCode::parse("0112345").unwrap()),
            )))],
            extension: vec![
                Extension::boolean(EXT_BENEFIT, true),
                Extension::boolean(EXT_STARTER_PACK, true),
            ],
            course_of_therapy_type: Some(CodeableConcept::coding(Coding::new(
                SYSTEM_COURSE_OF_THERAPY,
                "continuous",
            ))),
            medication_codeable_concept: Some(CodeableConcept {
                coding: vec![
                    Coding::new(SYSTEM_NPL_PACK_ID, "20010518100034"),
                    Coding::new(SYSTEM_VARUNUMMER, "012345"),
                ],
                text: Some("Alvedon 500 mg tablett, 100 st".to_owned()),
            }),
            subject: Reference::patient(&PersonNumber::parse_12(KARL).unwrap()),
            authored_on: Some(
                self.clock
                    .now_zoned()
                    .strftime("%Y-%m-%dT%H:%M:%S%:z")
                    .to_string(),
            ),
            requester: Some(Reference::to("#prescriber")),
            reason_code: vec![CodeableConcept::text("mot smärta")],
            note: vec![Annotation {
                text: "Meddelande till apoteket".to_owned(),
            }],
            dosage_instruction: vec![Dosage {
                text: Some("1 tablett vid behov, högst 4 per dygn".to_owned()),
                as_needed_boolean: Some(true),
                ..Dosage::default()
            }],
            dispense_request: Some(DispenseRequest {
                validity_period: Some(Period {
                    start: Some(today.to_string()),
                    end: Some(year_later),
                }),
                number_of_repeats_allowed: Some(2),
                quantity: Some(Quantity::new(1.0, "förpackning")),
                dispense_interval: Some(Quantity::weeks(4)),
                initial_fill: Some(InitialFill {
                    quantity: Some(Quantity::new(10.0, "tablett")),
                    duration: None,
                }),
                ..DispenseRequest::default()
            }),
            substitution: Some(Substitution {
                allowed_boolean: Some(false),
                reason: None,
            }),
            ..MedicationRequest::default()
        }
    }
}

fn context() -> RequestContext {
    RequestContext {
        purpose: "prescribe".to_owned(),
        access: "prescriber".to_owned(),
        provenance: Provenance {
            target: Vec::new(),
            recorded: Timestamp::now().to_string(),
            agent: vec![ProvenanceAgent {
                type_: None,
                who: Reference {
                    identifier: Some(Identifier::new(
                        erecept_nll::fhir::SYSTEM_PRESCRIBER_CODE,
                        CODE,
                    )),
                    ..Reference::default()
                },
                on_behalf_of: None,
            }],
        },
    }
}

fn registered(outcome: CreateOutcome) -> (String, Vec<Issue>, bool) {
    match outcome {
        CreateOutcome::Registered {
            id,
            warnings,
            replayed,
        } => (id, warnings, replayed),
        other => panic!("expected registered, got {other:?}"),
    }
}

fn rejected_codes(outcome: CreateOutcome) -> Vec<String> {
    match outcome {
        CreateOutcome::Rejected { issues } => {
            assert!(issues.iter().all(|i| !i.text.is_empty()));
            issues
                .into_iter()
                .filter(|i| i.severity == Severity::Error)
                .map(|i| i.code)
                .collect()
        }
        other => panic!("expected rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn a_valid_prescription_is_registered_and_can_be_read_and_found() {
    let h = Harness::start().await;
    let mr = h.prescription();
    let (id, warnings, replayed) = registered(h.create(&mr, "item-1").await);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(!replayed);

    let read = h.client.read(&id, &context()).await.unwrap().unwrap();
    assert_eq!(read.id.as_deref(), Some(id.as_str()));
    // Everything sent comes back as sent.
    let mut expected = mr.clone();
    expected.id = read.id.clone();
    expected.meta = read.meta.clone();
    assert_eq!(read, expected);
    assert_eq!(read.flag(EXT_STARTER_PACK), Some(true));
    assert_eq!(read.status, MedicationRequestStatus::Active);
    assert_eq!(read.prescriber_code(), Some(CODE));
    assert_eq!(read.dispensings(), 3);
    assert_eq!(
        read.meta.unwrap().profile,
        vec!["http://electronichealth.se/fhir/StructureDefinition/NLLMedicationRequest"]
    );

    let found = h
        .client
        .search_by_patient(&PersonNumber::parse_12(KARL).unwrap(), &context())
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id.as_deref(), Some(id.as_str()));
    let nobody = h
        .client
        .search_by_patient(&PersonNumber::parse_12(SAMORDNING).unwrap(), &context())
        .await
        .unwrap();
    assert!(nobody.is_empty());

    assert!(
        h.client
            .read("no-such-id", &context())
            .await
            .unwrap()
            .is_none()
    );

    // The wire shape, as the simulator stored it.
    let stored = h.stored().await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["createCalls"], 1);
    assert_eq!(stored[0]["idempotencyKey"], "item-1");
    let resource = &stored[0]["resource"];
    assert_eq!(resource["dispenseRequest"]["numberOfRepeatsAllowed"], 2);
    assert_eq!(
        resource["dispenseRequest"]["dispenseInterval"]["code"],
        "wk"
    );
    assert_eq!(resource["requester"]["reference"], "#prescriber");
    assert_eq!(
        resource["subject"]["identifier"]["system"],
        "http://electronichealth.se/identifier/personnummer"
    );
    assert_eq!(resource["contained"][0]["resourceType"], "Practitioner");
    assert_eq!(
        resource["contained"][0]["identifier"][0]["system"],
        "urn:oid:1.2.752.116.3.1.2"
    );
    assert_eq!(resource["substitution"]["allowedBoolean"], false);

    // The headers the client sent.
    let requests = h.requests().await;
    assert_eq!(requests[0]["method"], "POST");
    assert_eq!(requests[0]["idempotencyKey"], "item-1");
    assert_eq!(requests[0]["status"], 201);

    let page = h
        .http
        .get(format!("{}/", h.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<html lang=\"sv\">"));
    assert!(page.contains("Registrerade recept"));
    assert!(page.contains(&id));
    assert!(page.contains("Alvedon 500 mg tablett"));
}

#[tokio::test]
async fn the_same_idempotency_key_twice_gives_one_prescription_with_the_same_id() {
    let h = Harness::start().await;
    let mr = h.prescription();
    let (first, _, replayed) = registered(h.create(&mr, "item-7").await);
    assert!(!replayed);
    let (second, _, replayed) = registered(h.create(&mr, "item-7").await);
    assert!(replayed);
    assert_eq!(first, second);

    let stored = h.stored().await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["createCalls"], 2);
    assert_eq!(h.handle.create_calls("item-7"), 2);

    // Another key is another prescription.
    let (third, _, _) = registered(h.create(&mr, "item-8").await);
    assert_ne!(third, first);
    assert_eq!(h.stored().await.len(), 2);

    // The same key with another body is refused, and creates nothing.
    let mut other = mr.clone();
    other.dosage_instruction[0].text = Some("2 tabletter".to_owned());
    match h.client.create(&other, "item-7", &context()).await {
        Err(NllError::Refused { status, issues, .. }) => {
            assert_eq!(status, 409);
            assert_eq!(issues[0].code, "K.001");
        }
        other => panic!("expected 409, got {other:?}"),
    }
    assert_eq!(h.stored().await.len(), 2);
}

#[tokio::test]
async fn each_quality_rule_rejects_with_its_code() {
    let h = Harness::start().await;
    let base = h.prescription();
    let mut cases: Vec<(&str, MedicationRequest)> = Vec::new();

    for bad_code in ["0000000", "123456", "12345678", "12a4567"] {
        let mut mr = base.clone();
        mr.contained = vec![Resource::Practitioner(Box::new(Practitioner {
            id: Some("prescriber".to_owned()),
            identifier: vec![Identifier::new(
                erecept_nll::fhir::SYSTEM_PRESCRIBER_CODE,
                bad_code,
            )],
            ..Practitioner::default()
        }))];
        cases.push(("F.001", mr));
    }
    let mut mr = base.clone();
    mr.requester = None;
    cases.push(("F.001", mr));

    let mut mr = base.clone();
    mr.dosage_instruction[0].text = Some("  ".to_owned());
    cases.push(("D.001", mr));
    let mut mr = base.clone();
    mr.dosage_instruction.clear();
    cases.push(("D.001", mr));

    // Special-drug code 3 iterated: by extension, and by a coding of the medication.
    let mut mr = base.clone();
    mr.extension.push(Extension::coding(
        EXT_SPECIAL_DRUG_CODE,
        Coding::new(SYSTEM_SPECIAL_DRUG_CODE, "3"),
    ));
    cases.push(("S.003", mr));
    let mut mr = base.clone();
    mr.medication_codeable_concept
        .as_mut()
        .unwrap()
        .coding
        .push(Coding::new(SYSTEM_SPECIAL_DRUG_CODE, "3"));
    cases.push(("S.003", mr));

    let mut mr = base.clone();
    mr.dispense_request.as_mut().unwrap().validity_period = Some(Period {
        start: None,
        end: Some(
            h.today()
                .checked_add(jiff::Span::new().years(1).days(1))
                .unwrap()
                .to_string(),
        ),
    });
    cases.push(("G.001", mr));

    let mut mr = base.clone();
    mr.subject = Reference {
        identifier: Some(Identifier::new(
            erecept_nll::fhir::SYSTEM_PERSONNUMMER,
            "189001019803",
        )),
        ..Reference::default()
    };
    cases.push(("P.001", mr));
    let mut mr = base.clone();
    // A samordningsnummer in the personnummer system.
    mr.subject = Reference {
        identifier: Some(Identifier::new(
            erecept_nll::fhir::SYSTEM_PERSONNUMMER,
            SAMORDNING,
        )),
        ..Reference::default()
    };
    cases.push(("P.001", mr));

    let mut mr = base.clone();
    mr.medication_codeable_concept = Some(CodeableConcept::coding(Coding::new(
        SYSTEM_VARUNUMMER,
        "12345",
    )));
    cases.push(("L.001", mr));

    let mut mr = base.clone();
    mr.dispense_request.as_mut().unwrap().quantity = None;
    cases.push(("M.001", mr));

    let mut mr = base.clone();
    mr.subject = Reference::to("#patient");
    mr.contained.push(Resource::Patient(Box::new(Patient {
        id: Some("patient".to_owned()),
        name: vec![HumanName {
            text: Some("Okänd Utländsk".to_owned()),
            ..HumanName::default()
        }],
        birth_date: Some("1980-05-01".to_owned()),
        ..Patient::default()
    })));
    cases.push(("P.002", mr)); // no receiving pharmacy

    for (i, (code, mr)) in cases.iter().enumerate() {
        let codes = rejected_codes(h.create(mr, &format!("bad-{i}")).await);
        assert_eq!(codes, vec![code.to_string()], "case {i}");
    }
    assert!(h.stored().await.is_empty());

    // A rejection is replayed for its key, and still nothing is stored.
    let codes = rejected_codes(h.create(&cases[0].1, "bad-0").await);
    assert_eq!(codes, vec!["F.001"]);
    assert_eq!(h.handle.create_calls("bad-0"), 2);
    assert!(h.stored().await.is_empty());

    // Several faults at once are all reported, with the Swedish text.
    let mut mr = base.clone();
    mr.requester = None;
    mr.dosage_instruction.clear();
    match h.create(&mr, "bad-many").await {
        CreateOutcome::Rejected { issues } => {
            let messages: Vec<String> = issues.iter().map(Issue::message).collect();
            assert!(messages.contains(&"F.001 Giltig förskrivarkod saknas.".to_owned()));
            assert!(messages.contains(&"D.001 Doseringsanvisning saknas.".to_owned()));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn allowed_variants_are_registered() {
    let h = Harness::start().await;

    // Code 3 with one dispensing only.
    let mut mr = h.prescription();
    mr.extension.push(Extension::coding(
        EXT_SPECIAL_DRUG_CODE,
        Coding::new(SYSTEM_SPECIAL_DRUG_CODE, "3"),
    ));
    mr.dispense_request
        .as_mut()
        .unwrap()
        .number_of_repeats_allowed = Some(0);
    registered(h.create(&mr, "code-3-once").await);

    // A samordningsnummer in its own system.
    let mut mr = h.prescription();
    mr.subject = Reference::patient(&PersonNumber::parse_12(SAMORDNING).unwrap());
    registered(h.create(&mr, "samordning").await);

    // A patient without a Swedish number, with name, birth date and receiving pharmacy.
    let mut mr = h.prescription();
    mr.subject = Reference::to("#patient");
    mr.contained.push(Resource::Patient(Box::new(Patient {
        id: Some("patient".to_owned()),
        name: vec![HumanName {
            family: Some("Smith".to_owned()),
            given: vec!["Anna".to_owned()],
            ..HumanName::default()
        }],
        birth_date: Some("1980-05-01".to_owned()),
        ..Patient::default()
    })));
    mr.dispense_request.as_mut().unwrap().performer = Some(Reference {
        identifier: Some(Identifier::new(SYSTEM_PHARMACY_GLN, "7350045510019")),
        ..Reference::default()
    });
    registered(h.create(&mr, "no-number").await);

    // Extempore: a contained Medication.
    let mut mr = h.prescription();
    mr.medication_codeable_concept = None;
    mr.medication_reference = Some(Reference::to("#extempore"));
    mr.contained.push(Resource::Medication(Box::new(Medication {
        id: Some("extempore".to_owned()),
        extension: vec![Extension::boolean(EXT_EXTEMPORE, true)],
        code: Some(CodeableConcept::text("Kräm med hydrokortison 1 %")),
        form: Some(CodeableConcept::text("kräm")),
        ingredient: vec![Ingredient {
            item_codeable_concept: Some(CodeableConcept::text("Hydrokortison")),
            strength: None,
        }],
    })));
    registered(h.create(&mr, "extempore").await);

    // Dose dispensing: intake times and amounts, start date.
    let mut mr = h.prescription();
    mr.extension
        .push(Extension::boolean(EXT_DOSE_DISPENSING, true));
    mr.dosage_instruction = ["08:00:00", "20:00:00"]
        .iter()
        .enumerate()
        .map(|(i, time)| Dosage {
            sequence: Some(u32::try_from(i).unwrap() + 1),
            text: Some(format!("1 tablett kl {}", &time[..5])),
            timing: Some(Timing {
                repeat: Some(TimingRepeat {
                    bounds_period: Some(Period {
                        start: Some(h.today().to_string()),
                        end: None,
                    }),
                    time_of_day: vec![(*time).to_owned()],
                    ..TimingRepeat::default()
                }),
                code: None,
            }),
            dose_and_rate: vec![DoseAndRate {
                dose_quantity: Some(Quantity::new(1.0, "tablett")),
            }],
            ..Dosage::default()
        })
        .collect();
    let (id, _, _) = registered(h.create(&mr, "dos").await);
    let read = h.client.read(&id, &context()).await.unwrap().unwrap();
    assert_eq!(read.dosage_instruction, mr.dosage_instruction);

    assert_eq!(h.stored().await.len(), 5);
}

#[tokio::test]
async fn warnings_let_the_prescription_through() {
    let h = Harness::start().await;

    let mut mr = h.prescription();
    mr.reason_code.clear();
    let (_, warnings, _) = registered(h.create(&mr, "no-purpose").await);
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].code, "V.001");
    assert_eq!(warnings[0].severity, Severity::Warning);
    assert_eq!(warnings[0].message(), "V.001 Behandlingsändamål saknas.");

    let mut mr = h.prescription();
    mr.dosage_instruction[0].text = Some("2 tabletter 4 gånger dagligen, obs".to_owned());
    let (_, warnings, _) = registered(h.create(&mr, "obs-text").await);
    assert_eq!(
        warnings.iter().map(|w| w.code.as_str()).collect::<Vec<_>>(),
        ["V.002"]
    );

    let mut mr = h.prescription();
    mr.dosage_instruction[0]
        .extension
        .push(Extension::boolean(EXT_DOSE_ABOVE_MAXIMUM, true));
    mr.reason_code.clear();
    let (id, warnings, _) = registered(h.create(&mr, "obs-flag").await);
    assert_eq!(
        warnings.iter().map(|w| w.code.as_str()).collect::<Vec<_>>(),
        ["V.001", "V.002"]
    );
    // The replay carries the same warnings.
    let (again, replayed_warnings, replayed) = registered(h.create(&mr, "obs-flag").await);
    assert!(replayed);
    assert_eq!(again, id);
    assert_eq!(replayed_warnings, warnings);

    // "Observera" is not "obs".
    let mut mr = h.prescription();
    mr.dosage_instruction[0].text = Some("1 tablett. Observera: med mat".to_owned());
    let (_, warnings, _) = registered(h.create(&mr, "observera").await);
    assert!(warnings.is_empty());

    // Förmån without arbetsplatskod.
    let mut mr = h.prescription();
    mr.contained = vec![Resource::Practitioner(Box::new(Practitioner::prescriber(
        "prescriber",
        &PrescriberCode::parse(CODE).unwrap(),
        "LK",
        "Läkare",
        None,
    )))];
    let (_, warnings, _) = registered(h.create(&mr, "no-workplace").await);
    assert_eq!(warnings[0].code, "V.003");
}

#[tokio::test]
async fn end_and_cancel_change_the_status_and_are_safe_to_repeat() {
    let h = Harness::start().await;
    let mr = h.prescription();
    let (cancelled, _, _) = registered(h.create(&mr, "a").await);
    let (stopped, _, _) = registered(h.create(&mr, "b").await);

    let outcome = h
        .client
        .end(
            &cancelled,
            EndReason::WrongPatient,
            EndActivity::Cancel,
            &context(),
        )
        .await
        .unwrap();
    assert!(matches!(
        outcome,
        EndOutcome::Ended {
            status: MedicationRequestStatus::Cancelled,
            ..
        }
    ));
    let read = h
        .client
        .read(&cancelled, &context())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.status, MedicationRequestStatus::Cancelled);
    assert_eq!(
        read.status_reason
            .unwrap()
            .code_in(erecept_nll::fhir::SYSTEM_END_REASON),
        Some("fel-patient")
    );
    // Again: the same answer.
    let again = h
        .client
        .end(
            &cancelled,
            EndReason::WrongPatient,
            EndActivity::Cancel,
            &context(),
        )
        .await
        .unwrap();
    assert!(matches!(
        again,
        EndOutcome::Ended {
            status: MedicationRequestStatus::Cancelled,
            ..
        }
    ));
    // Ending a cancelled prescription is refused.
    match h
        .client
        .end(
            &cancelled,
            EndReason::Discontinued,
            EndActivity::End,
            &context(),
        )
        .await
        .unwrap()
    {
        EndOutcome::Rejected { issues } => assert_eq!(issues[0].code, "E.002"),
        other => panic!("{other:?}"),
    }

    let outcome = h
        .client
        .end(
            &stopped,
            EndReason::Discontinued,
            EndActivity::End,
            &context(),
        )
        .await
        .unwrap();
    assert!(matches!(
        outcome,
        EndOutcome::Ended {
            status: MedicationRequestStatus::Stopped,
            ..
        }
    ));
    let read = h.client.read(&stopped, &context()).await.unwrap().unwrap();
    assert_eq!(read.status, MedicationRequestStatus::Stopped);

    match h
        .client
        .end("unknown", EndReason::Other, EndActivity::Cancel, &context())
        .await
        .unwrap()
    {
        EndOutcome::Rejected { issues } => {
            assert_eq!(issues[0].message(), "E.001 Receptet finns inte.");
        }
        other => panic!("{other:?}"),
    }

    let stored = h.stored().await;
    assert_eq!(stored[0]["ended"]["activity"], "cancel");
    assert_eq!(stored[1]["ended"]["activity"], "end");
}

#[tokio::test]
async fn a_server_error_is_transient_and_the_retry_with_the_same_key_stores_exactly_one() {
    let h = Harness::start().await;
    let mr = h.prescription();
    h.fault(json!({"mode": "error", "count": 2})).await;
    for _ in 0..2 {
        match h.client.create(&mr, "retry-me", &context()).await {
            Err(e @ NllError::Unavailable { status: 503, .. }) => assert!(e.is_transient()),
            other => panic!("expected 503, got {other:?}"),
        }
    }
    assert!(h.stored().await.is_empty());
    // The fault has run out: the retry registers.
    let (id, _, replayed) = registered(h.create(&mr, "retry-me").await);
    assert!(!replayed, "the failed calls did nothing");
    let stored = h.stored().await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["id"], id.as_str());
    assert_eq!(stored[0]["createCalls"], 1);

    // 429 is transient too, also for reads.
    h.fault(json!({"mode": "error", "status": 429, "count": 1}))
        .await;
    let error = h.client.read(&id, &context()).await.unwrap_err();
    assert!(matches!(error, NllError::Unavailable { status: 429, .. }));
    assert!(error.is_transient());
    assert!(h.client.read(&id, &context()).await.unwrap().is_some());
}

#[tokio::test]
async fn a_dropped_connection_is_transient_and_the_retry_finds_what_was_registered() {
    let h = Harness::start().await;
    let mr = h.prescription();
    h.fault(json!({"mode": "drop", "count": 1})).await;
    let error = h
        .client
        .create(&mr, "dropped", &context())
        .await
        .unwrap_err();
    assert!(matches!(error, NllError::Connection(_)), "{error:?}");
    assert!(error.is_transient());

    // The simulator did the work before dropping: the answer was lost, not the prescription.
    assert_eq!(h.stored().await.len(), 1);
    let (id, _, replayed) = registered(h.create(&mr, "dropped").await);
    assert!(replayed);
    let stored = h.stored().await;
    assert_eq!(stored.len(), 1, "never twice");
    assert_eq!(stored[0]["id"], id.as_str());
    assert_eq!(stored[0]["createCalls"], 2);

    let requests: Vec<Value> = h.requests().await;
    let statuses: Vec<u64> = requests
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [0, 200]);
    let _: Vec<ReceivedRequest> = h.handle.requests();
}

#[tokio::test]
async fn a_slow_answer_times_out_as_transient_and_the_retry_does_not_duplicate() {
    let h = Harness::start().await;
    let client = h.client_with(|c| c.timeout = Duration::from_millis(300));
    let mr = h.prescription();
    h.fault(json!({"mode": "slow", "delayMs": 2000, "count": 1}))
        .await;
    let error = client.create(&mr, "slow", &context()).await.unwrap_err();
    assert!(matches!(error, NllError::Timeout(_)), "{error:?}");
    assert!(error.is_transient());

    let (id, _, replayed) = match client.create(&mr, "slow", &context()).await.unwrap() {
        CreateOutcome::Registered {
            id,
            warnings,
            replayed,
        } => (id, warnings, replayed),
        other => panic!("{other:?}"),
    };
    assert!(replayed, "the slow call registered it");
    let stored = h.stored().await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["id"], id.as_str());
    assert_eq!(stored[0]["createCalls"], 2);
}

#[tokio::test]
async fn the_fault_switch_without_count_lasts_until_turned_off() {
    let h = Harness::start().await;
    h.fault(json!({"mode": "error"})).await;
    for _ in 0..3 {
        assert!(
            h.client
                .read("x", &context())
                .await
                .unwrap_err()
                .is_transient()
        );
    }
    h.fault(json!({"mode": "none"})).await;
    assert!(h.client.read("x", &context()).await.unwrap().is_none());

    // Bad control requests.
    for body in [
        json!({"mode": "sideways"}),
        json!({"mode": "slow", "delayMs": 500_000}),
        json!({"mode": "error", "status": 404}),
    ] {
        let response = h
            .http
            .post(format!("{}/control/fault", h.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
    }
}

#[tokio::test]
async fn missing_token_or_headers_are_refused_permanently() {
    let h = Harness::start().await;
    let client = h.client_with(|c| c.token = BearerToken::Static(String::new()));
    let error = client
        .create(&h.prescription(), "k", &context())
        .await
        .unwrap_err();
    assert!(
        matches!(error, NllError::Refused { status: 401, .. }),
        "{error:?}"
    );
    assert!(!error.is_transient());

    // Without x-purpose (a raw request).
    let body =
        serde_json::to_vec(&Resource::MedicationRequest(Box::new(h.prescription()))).unwrap();
    let response = h
        .http
        .post(format!("{}/MedicationRequest", h.base))
        .header("authorization", "Bearer t")
        .header("content-type", "application/fhir+json")
        .header("x-request-id", "1")
        .header("x-access", "a")
        .header("x-provenance", "e30=")
        .header("x-user-agent", "test")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let outcome: Value = response.json().await.unwrap();
    assert_eq!(outcome["resourceType"], "OperationOutcome");
    assert_eq!(outcome["issue"][0]["severity"], "error");
    assert!(h.stored().await.is_empty());
}

struct CountingToken {
    calls: AtomicU32,
    fail: bool,
}

impl TokenSource for CountingToken {
    fn token(&self) -> Pin<Box<dyn Future<Output = Result<String, String>> + Send + '_>> {
        Box::pin(async move {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if self.fail {
                Err("token service down".to_owned())
            } else {
                Ok("fresh-token".to_owned())
            }
        })
    }
}

#[tokio::test]
async fn a_token_source_is_asked_before_every_call() {
    let h = Harness::start().await;
    let source = Arc::new(CountingToken {
        calls: AtomicU32::new(0),
        fail: false,
    });
    let client = h.client_with(|c| c.token = BearerToken::Source(source.clone()));
    registered(
        client
            .create(&h.prescription(), "t", &context())
            .await
            .unwrap(),
    );
    assert!(client.read("x", &context()).await.unwrap().is_none());
    assert_eq!(source.calls.load(Ordering::SeqCst), 2);

    let failing = Arc::new(CountingToken {
        calls: AtomicU32::new(0),
        fail: true,
    });
    let client = h.client_with(|c| c.token = BearerToken::Source(failing));
    let error = client.read("x", &context()).await.unwrap_err();
    assert!(matches!(error, NllError::Token(_)));
    assert!(error.is_transient());
}

#[tokio::test]
async fn an_unreachable_service_is_transient() {
    // A port nobody listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let mut config = NllConfig::new(&format!("http://{addr}/fhir"), "t");
    config.timeout = Duration::from_secs(2);
    let client = NllClient::new(&config).unwrap();
    let error = client.read("x", &context()).await.unwrap_err();
    assert!(error.is_transient(), "{error:?}");
}
