//! Patient look-up through the population-register simulator over real HTTP: the add-on
//! decides, protected identities show nothing, deceased and unknown persons are refused, and
//! every look-up is in the audit log.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use erecept_app::patients::PatientLookup;
use erecept_app::{App, AppConfig, Clients};
use erecept_domain::clock::{Clock, FixedClock};
use erecept_domain::{
    County, Licence, Licensing, Money, PersonNumber, PrescriberCode, Profession, WorkplaceCode,
};
use erecept_mail::Brand;
use erecept_spar::simulator::{Identities, SimPerson, Simulator, generate};
use erecept_spar::{CustomerIds, SparClient, SparConfig};
use erecept_store::{
    AccountId, BillingKind, BillingParty, NewRegistration, Outbox, Store, Verification, Workplace,
};
use erecept_store_sqlite::SqliteStore;
use jiff::SignedDuration;
use uuid::Uuid;

struct World {
    app: App,
    store: Arc<dyn Store>,
    clock: Arc<FixedClock>,
    identities: Identities,
}

async fn world() -> World {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("patients-{}.db", Uuid::new_v4()));
    let store: Arc<dyn Store> = Arc::new(
        SqliteStore::open(&format!("sqlite://{}", path.display()))
            .await
            .unwrap(),
    );
    let clock = Arc::new(FixedClock::at("2026-12-03T09:00:00Z".parse().unwrap()));
    let identities = Identities::generated(7);
    let (router, handle) = Simulator::new(clock.clone(), identities.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    let client = SparClient::new(&SparConfig::new(
        format!("http://{addr}/"),
        CustomerIds {
            delivery_customer: "500243".into(),
            end_customer: "500243".into(),
            assignment_id: "637".into(),
        },
        Duration::from_secs(5),
    ))
    .unwrap();
    // Known answers for the numbers the tests use.
    let numbers = identities.personnummer();
    let mut protected = generate(&numbers[1]);
    protected.protected = true;
    handle.set_person(protected);
    let mut deceased = generate(&numbers[2]);
    deceased.deceased = true;
    handle.set_person(deceased);
    handle.set_person(SimPerson {
        unknown: true,
        ..generate(&numbers[3])
    });
    let mut ordinary = generate(&numbers[0]);
    ordinary.protected = false;
    ordinary.deceased = false;
    ordinary.unknown = false;
    handle.set_person(ordinary);
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
        population_register: Some(client),
        ..Clients::default()
    });
    World {
        app,
        store,
        clock,
        identities,
    }
}

async fn prescriber(w: &World, addon: bool) -> AccountId {
    let id = AccountId(Uuid::now_v7());
    let registration = NewRegistration {
        id,
        person_number: PersonNumber::parse_12(if addon {
            "191212121212"
        } else {
            "189001019802"
        })
        .unwrap(),
        given_name: "Tolvan".into(),
        surname: "Tolvansson".into(),
        email: "tolvan@example.se".into(),
        mobile: "0701234567".into(),
        password_hash: "x".into(),
        profession: Profession::Lakare,
        prescriber_code: PrescriberCode::parse("1234567").unwrap(),
        verification_expected_by: w.clock.now(),
        workplace: Workplace {
            id: Uuid::now_v7(),
            name: "Mottagningen".into(),
            code: WorkplaceCode::parse("0112345").unwrap(),
            address: "Gatan 1".into(),
            postal_code: "111 22".into(),
            city: "Stockholm".into(),
            phone: "08-1".into(),
            county: County::from_code("01").unwrap(),
            journal_system: None,
        },
        billing: BillingParty {
            kind: BillingKind::Private,
            name: "Tolvan".into(),
            identity: "191212121212".into(),
            address: "Gatan 1".into(),
            postal_code: "111 22".into(),
            city: "Stockholm".into(),
            email: "tolvan@example.se".into(),
            reference: String::new(),
        },
        licensing: Licensing::Own(Licence::starting(w.clock.today())),
        population_register_addon: addon,
    };
    w.store
        .register(&registration, &Outbox::new(), w.clock.now())
        .await
        .unwrap();
    w.store
        .set_verification(
            id,
            Verification::Verified { at: w.clock.now() },
            &Outbox::new(),
            w.clock.now(),
        )
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn with_the_add_on_the_register_answers_and_every_look_up_is_audited() {
    let w = world().await;
    let id = prescriber(&w, true).await;
    let numbers = w.identities.personnummer().to_vec();

    let PatientLookup::Found { name, address } =
        w.app.patients.lookup(id, &numbers[0]).await.unwrap()
    else {
        panic!("expected a found person")
    };
    assert!(!name.is_empty());
    assert!(!address.is_empty(), "the address is shown");

    let protected = w.app.patients.lookup(id, &numbers[1]).await.unwrap();
    assert_eq!(protected, PatientLookup::Protected);
    assert_eq!(
        protected.message(),
        Some("Personen har skyddad identitet. Namn och adress visas inte.")
    );
    assert!(protected.may_prescribe());

    let deceased = w.app.patients.lookup(id, &numbers[2]).await.unwrap();
    assert_eq!(deceased, PatientLookup::Deceased);
    assert!(!deceased.may_prescribe());
    assert_eq!(
        deceased.message(),
        Some("Personen är avliden enligt folkbokföringen. Recept kan inte skrivas.")
    );

    let unknown = w.app.patients.lookup(id, &numbers[3]).await.unwrap();
    assert_eq!(unknown, PatientLookup::Unknown);
    assert!(!unknown.may_prescribe());

    let log = w.store.audit_of_account(id, 10).await.unwrap();
    assert_eq!(
        log.len(),
        4,
        "who, when, which patient, what: one entry per look-up"
    );
    assert!(
        log.iter()
            .all(|e| e.action == "patient.lookup" && e.account_id == id)
    );
    assert_eq!(log[3].patient, numbers[0].as_12_digits());
    assert_eq!(
        log[0].detail,
        "Uppslag i befolkningsregistret: okänt personnummer"
    );
}

#[tokio::test]
async fn without_the_add_on_the_name_is_typed_by_hand() {
    let w = world().await;
    let id = prescriber(&w, false).await;
    let number = w.identities.personnummer()[0];
    assert_eq!(
        w.app.patients.lookup(id, &number).await.unwrap(),
        PatientLookup::WithoutAddon
    );
    assert!(
        w.store.audit_of_account(id, 10).await.unwrap().is_empty(),
        "no register was asked"
    );
}
