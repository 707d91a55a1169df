//! Registration and the prescriber-code check through the application layer: the rules of each
//! step with their Swedish messages, the one transaction of [Registrera], and the background
//! check against the prescriber-register simulator over real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use erecept_app::registration::{
    BillingForm, Draft, Identity, PersonalForm, RegisterOutcome, VERIFY_JOB, WorkplaceForm,
    check_billing, check_personal, check_workplace,
};
use erecept_app::{App, AppConfig, Clients, MailDelivery};
use erecept_domain::clock::{Clock, FixedClock};
use erecept_domain::{County, Money, PersonNumber, PrescriberCode, Profession, add_office_hours};
use erecept_mail::Brand;
use erecept_prescriber_register::PrescriberRegisterClient;
use erecept_prescriber_register::simulator::{Fault, Simulator, SimulatorHandle};
use erecept_store::{JobStatus, Store, Verification};
use erecept_store_sqlite::SqliteStore;
use jiff::SignedDuration;
use uuid::Uuid;

const PNR: &str = "191212121212";

fn identity() -> Identity {
    Identity {
        person_number: PNR.into(),
        given_name: "Tolvan".into(),
        surname: "Tolvansson".into(),
    }
}

fn personal() -> PersonalForm {
    PersonalForm {
        yrke: "lakare".into(),
        forskrivarkod: "1234567".into(),
        epost: "tolvan@example.se".into(),
        upprepa_epost: "Tolvan@Example.se".into(),
        mobiltelefon: "070-123 45 67".into(),
    }
}

fn workplace() -> WorkplaceForm {
    WorkplaceForm {
        arbetsplatsens_namn: "Läkarhuset".into(),
        arbetsplatskod: "0112345".into(),
        adress: "Sveavägen 1".into(),
        postnummer: "11122".into(),
        ort: "Stockholm".into(),
        telefon: "08-123 456 78".into(),
        region: String::new(),
        journalsystem: String::new(),
    }
}

fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 12, 3)
}

#[test]
fn personal_data_rules_and_messages() {
    let pnr = PersonNumber::parse_12(PNR).unwrap();
    assert_eq!(
        check_personal(&personal(), "Hemligt-42", "Hemligt-42", &pnr, false).unwrap(),
        (
            Profession::Lakare,
            PrescriberCode::parse("1234567").unwrap()
        )
    );
    let empty = check_personal(&PersonalForm::default(), "", "", &pnr, false).unwrap_err();
    let fields: Vec<_> = empty.iter().map(|(f, _)| *f).collect();
    assert_eq!(
        fields,
        [
            "yrke",
            "forskrivarkod",
            "epost",
            "upprepa_epost",
            "mobiltelefon",
            "losenord"
        ]
    );
    assert!(empty.contains(&("yrke", "Välj ditt yrke i listan.".into())));
    assert!(empty.contains(&("forskrivarkod", "Fyll i din förskrivarkod.".into())));

    let mut bad = personal();
    bad.forskrivarkod = "0000000".into();
    bad.epost = "tolvan.example.se".into();
    bad.mobiltelefon = "ring mig".into();
    let problems = check_personal(&bad, "Hemligt-42", "Hemligt-43", &pnr, false).unwrap_err();
    let find = |f: &str| {
        problems
            .iter()
            .find(|(field, _)| *field == f)
            .map(|(_, m)| m.clone())
            .unwrap()
    };
    assert!(!find("forskrivarkod").is_empty());
    assert_eq!(
        find("epost"),
        "Skriv en giltig e-postadress, t.ex. namn@exempel.se."
    );
    assert_eq!(
        find("mobiltelefon"),
        "Skriv mobilnumret med siffror, t.ex. 070-123 45 67."
    );
    assert_eq!(
        find("upprepa_losenord"),
        "Lösenorden är inte lika. Skriv samma lösenord i båda fälten."
    );

    let mut other = personal();
    other.upprepa_epost = "annan@example.se".into();
    let problems = check_personal(&other, "kort", "kort", &pnr, false).unwrap_err();
    assert!(problems.contains(&(
        "upprepa_epost",
        "E-postadresserna är inte lika. Skriv samma adress i båda fälten.".into()
    )));
    assert!(problems.contains(&(
        "losenord",
        "Lösenordet måste vara minst 6 tecken långt.".into()
    )));
    // A password already chosen in the wizard is kept when both fields are left empty.
    assert!(check_personal(&personal(), "", "", &pnr, true).is_ok());
}

#[test]
fn workplace_code_must_begin_with_a_county_code_and_proposes_the_region() {
    let form = workplace();
    let w = check_workplace(&form, &[]).unwrap();
    assert_eq!(w.county, County::from_code("01").unwrap());
    assert_eq!(
        form.region, "",
        "the proposal is not written into the form: it follows the code"
    );
    assert_eq!(w.postal_code, "111 22");

    let mut wrong = workplace();
    wrong.arbetsplatskod = "0212345".into();
    let problems = check_workplace(&wrong, &[]).unwrap_err();
    let (_, message) = problems
        .iter()
        .find(|(f, _)| *f == "arbetsplatskod")
        .unwrap();
    assert!(
        message.contains(
            "Arbetsplatskoden inleds med länskoden. Ex 01 för Region Stockholm, 12 för Region Skåne"
        ),
        "{message}"
    );

    let mut chosen = workplace();
    chosen.region = "12".into();
    assert_eq!(
        check_workplace(&chosen, &[]).unwrap().county,
        County::from_code("12").unwrap()
    );

    let mut journal = workplace();
    journal.journalsystem = "Okänt system".into();
    let problems = check_workplace(&journal, &["Demojournal".into()]).unwrap_err();
    assert!(problems.contains(&(
        "journalsystem",
        "Välj journalsystem i listan, eller inget.".into()
    )));
    journal.journalsystem = "Demojournal".into();
    assert_eq!(
        check_workplace(&journal, &["Demojournal".into()])
            .unwrap()
            .journal_system
            .as_deref(),
        Some("Demojournal")
    );

    let empty = WorkplaceForm::default();
    let fields: Vec<_> = check_workplace(&empty, &[])
        .unwrap_err()
        .iter()
        .map(|(f, _)| *f)
        .collect();
    assert_eq!(
        fields,
        [
            "arbetsplatsens_namn",
            "arbetsplatskod",
            "adress",
            "postnummer",
            "ort",
            "telefon"
        ]
    );
}

#[test]
fn billing_party_copies_my_details_and_checks_the_number_for_its_kind() {
    let mut form = BillingForm {
        anvand_mina_uppgifter: true,
        adress: "Sveavägen 1".into(),
        postnummer: "111 22".into(),
        ort: "Stockholm".into(),
        ..BillingForm::default()
    };
    let billing = check_billing(&mut form, &identity(), &personal(), today()).unwrap();
    assert_eq!(billing.name, "Tolvan Tolvansson");
    assert_eq!(billing.identity, "19121212-1212");
    assert_eq!(billing.email, "tolvan@example.se");
    assert_eq!(billing.kind, erecept_store::BillingKind::Private);

    let mut employer = BillingForm {
        typ: "employer".into(),
        namn: "Vårdbolaget AB".into(),
        identitet: "556016-0680".into(),
        adress: "Box 1".into(),
        postnummer: "111 22".into(),
        ort: "Stockholm".into(),
        epost: "faktura@vardbolaget.se".into(),
        ..BillingForm::default()
    };
    assert_eq!(
        check_billing(&mut employer, &identity(), &personal(), today())
            .unwrap()
            .identity,
        "556016-0680"
    );
    employer.identitet = "556016-0681".into();
    let problems = check_billing(&mut employer, &identity(), &personal(), today()).unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].0, "identitet");

    let mut empty = BillingForm::default();
    let fields: Vec<_> = check_billing(&mut empty, &identity(), &personal(), today())
        .unwrap_err()
        .iter()
        .map(|(f, _)| *f)
        .collect();
    assert_eq!(
        fields,
        [
            "typ",
            "namn",
            "identitet",
            "adress",
            "postnummer",
            "ort",
            "epost"
        ]
    );
}

struct World {
    app: App,
    store: Arc<dyn Store>,
    clock: Arc<FixedClock>,
    register: SimulatorHandle,
}

async fn world() -> World {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("registration-{}.db", Uuid::new_v4()));
    let store: Arc<dyn Store> = Arc::new(
        SqliteStore::open(&format!("sqlite://{}", path.display()))
            .await
            .unwrap(),
    );
    // Thursday 3 December 2026, 10:00 in Stockholm.
    let clock = Arc::new(FixedClock::at("2026-12-03T09:00:00Z".parse().unwrap()));
    let (router, register) = Simulator::new(clock.clone(), Duration::from_secs(10));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    let client =
        PrescriberRegisterClient::new(&format!("http://{addr}"), Duration::from_secs(5)).unwrap();
    let config = AppConfig {
        brand: Brand {
            service_name: "eRecept".into(),
            public_url: "https://erecept.example".into(),
            support_email: "support@erecept.example".into(),
            support_phone: "08-123".into(),
        },
        session_idle: SignedDuration::from_mins(60),
        licence_price: Money::from_kronor(1250),
        addon_price: Money::from_kronor(375),
        journal_systems: Vec::new(),
    };
    let app = App::new(config, store.clone(), clock.clone()).with_clients(Clients {
        prescriber_register: Some(client),
        ..Clients::default()
    });
    World {
        app,
        store,
        clock,
        register,
    }
}

fn complete_draft(profession: &str) -> Draft {
    let mut p = personal();
    p.yrke = profession.into();
    Draft {
        terms_accepted: true,
        population_register_addon: true,
        identity: Some(identity()),
        personal: p,
        password_hash: Some(erecept_app::auth::hash_password("Hemligt-42")),
        personal_done: true,
        workplace: workplace(),
        workplace_done: true,
        billing: BillingForm {
            anvand_mina_uppgifter: true,
            adress: "Sveavägen 1".into(),
            postnummer: "111 22".into(),
            ort: "Stockholm".into(),
            ..BillingForm::default()
        },
    }
}

#[tokio::test]
async fn registration_stores_everything_at_once_and_the_register_confirms_the_code_later() {
    let w = world().await;
    let RegisterOutcome::Registered(done) = w
        .app
        .registration
        .register(&complete_draft("lakare"))
        .await
        .unwrap()
    else {
        panic!("expected registration")
    };
    assert_eq!(
        done.verification_expected_by,
        add_office_hours(w.clock.now(), 48)
    );
    assert_eq!(
        done.price_ore,
        Money::from_kronor(1625).ore(),
        "licence and add-on"
    );
    assert_eq!(done.payment_due_on, jiff::civil::date(2026, 12, 24));
    assert!(!done.certificate_required);

    let account = w
        .store
        .account_by_person_number(&PersonNumber::parse_12(PNR).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        account.verification,
        Verification::Pending {
            expected_by: done.verification_expected_by
        }
    );
    assert!(account.population_register_addon);
    let mail = w.store.recent_mail(1).await.unwrap().pop().unwrap();
    assert_eq!(mail.subject, "Du är registrerad för eRecept");
    assert!(mail.text_body.contains("1 625,00 kr"));

    // The register has not answered yet: the check waits and asks again.
    let worker = w.app.worker("test".into(), MailDelivery::DevMailbox);
    worker.drain().await.unwrap();
    let job = w
        .store
        .job_by_key(&format!("verify:{}", account.id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.kind, VERIFY_JOB);
    assert_eq!(job.status, JobStatus::Pending);
    assert!(matches!(
        w.store
            .account(account.id)
            .await
            .unwrap()
            .unwrap()
            .verification,
        Verification::Pending { .. }
    ));

    // After the register's delay and the job's backoff, the code is confirmed and mailed.
    w.clock.advance(SignedDuration::from_secs(30));
    worker.drain().await.unwrap();
    let account = w.store.account(account.id).await.unwrap().unwrap();
    assert_eq!(
        account.verification,
        Verification::Verified { at: w.clock.now() }
    );
    let mail = w.store.recent_mail(1).await.unwrap().pop().unwrap();
    assert_eq!(
        mail.subject,
        "Behörighetskontrollen är slutförd – du kan logga in i eRecept"
    );

    // The same personnummer cannot register twice.
    let again = w
        .app
        .registration
        .register(&complete_draft("lakare"))
        .await
        .unwrap();
    assert!(matches!(again, RegisterOutcome::AlreadyRegistered));
}

#[tokio::test]
async fn a_code_the_register_does_not_confirm_goes_to_manual_review() {
    let w = world().await;
    let pnr = PersonNumber::parse_12(PNR).unwrap();
    w.register.register(
        &pnr,
        Profession::Lakare,
        Some(&PrescriberCode::parse("7654321").unwrap()),
    );
    let RegisterOutcome::Registered(_) = w
        .app
        .registration
        .register(&complete_draft("lakare"))
        .await
        .unwrap()
    else {
        panic!()
    };
    w.app
        .worker("test".into(), MailDelivery::DevMailbox)
        .drain()
        .await
        .unwrap();
    let account = w
        .store
        .account_by_person_number(&pnr)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.verification, Verification::ManualReview);
    let mail = w.store.recent_mail(1).await.unwrap().pop().unwrap();
    assert_eq!(mail.subject, "Vi kontrollerar din förskrivarkod – eRecept");

    // Support refuses the code: the prescriber is told.
    let decided = w
        .app
        .support
        .decide_verification(&pnr, false)
        .await
        .unwrap();
    assert_eq!(decided, erecept_app::support::Decision::Done);
    let mail = w.store.recent_mail(1).await.unwrap().pop().unwrap();
    assert_eq!(
        mail.subject,
        "Din förskrivarkod kunde inte bekräftas – eRecept"
    );
}

#[tokio::test]
async fn a_register_that_does_not_answer_for_days_leaves_the_case_to_support() {
    let w = world().await;
    let pnr = PersonNumber::parse_12(PNR).unwrap();
    w.register.set_fault(Fault::Error);
    let RegisterOutcome::Registered(_) = w
        .app
        .registration
        .register(&complete_draft("lakare"))
        .await
        .unwrap()
    else {
        panic!()
    };
    let account = w
        .store
        .account_by_person_number(&pnr)
        .await
        .unwrap()
        .unwrap();
    let key = format!("verify:{}", account.id);
    let worker = w.app.worker("test".into(), MailDelivery::DevMailbox);
    // Asked again and again, at most hourly; pending all the while.
    let mut asked = 0;
    loop {
        worker.drain().await.unwrap();
        let job = w.store.job_by_key(&key).await.unwrap().unwrap();
        if job.status != JobStatus::Pending {
            assert_eq!(job.status, JobStatus::Done);
            assert_eq!(job.attempts, job.max_attempts, "every attempt was used");
            break;
        }
        asked += 1;
        assert!(asked < 1000, "the job never ends");
        assert!(matches!(
            w.store
                .account(account.id)
                .await
                .unwrap()
                .unwrap()
                .verification,
            Verification::Pending { .. }
        ));
        w.clock.advance(SignedDuration::from_hours(1));
    }
    // The last attempt hands the case to support, and the prescriber is told.
    assert_eq!(
        w.store
            .account(account.id)
            .await
            .unwrap()
            .unwrap()
            .verification,
        Verification::ManualReview
    );
    let mail = w.store.recent_mail(1).await.unwrap().pop().unwrap();
    assert_eq!(mail.subject, "Vi kontrollerar din förskrivarkod – eRecept");
}

#[tokio::test]
async fn at_lakare_and_nurses_are_told_about_the_certificate() {
    let w = world().await;
    let RegisterOutcome::Registered(done) = w
        .app
        .registration
        .register(&complete_draft("sjukskoterska"))
        .await
        .unwrap()
    else {
        panic!()
    };
    assert!(done.certificate_required);
    let mail = w.store.recent_mail(1).await.unwrap().pop().unwrap();
    assert!(mail.text_body.contains("intyg från din verksamhetschef"));
}

#[tokio::test]
async fn an_incomplete_draft_registers_nothing() {
    let w = world().await;
    let mut draft = complete_draft("lakare");
    draft.workplace_done = false;
    assert!(matches!(
        w.app.registration.register(&draft).await.unwrap(),
        RegisterOutcome::Incomplete("arbetsplats")
    ));
    let mut draft = complete_draft("lakare");
    draft.identity = None;
    assert!(matches!(
        w.app.registration.register(&draft).await.unwrap(),
        RegisterOutcome::Incomplete("bankid")
    ));
    assert!(
        w.store
            .account_by_person_number(&PersonNumber::parse_12(PNR).unwrap())
            .await
            .unwrap()
            .is_none()
    );
    assert!(w.store.recent_mail(5).await.unwrap().is_empty());
}
