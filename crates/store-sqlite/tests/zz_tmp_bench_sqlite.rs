#![allow(clippy::unwrap_used)]
mod zz_tmp_bench;
use erecept_store::*;
#[tokio::test]
async fn bench() {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("bench-{}.db", uuid::Uuid::new_v4()));
    let store = erecept_store_sqlite::SqliteStore::open(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let id = register(&store).await;
    zz_tmp_bench::run(&store, id).await;
}
async fn register(store: &dyn Store) -> AccountId {
    // reuse contract's registration through a contract case is not possible; build minimal one
    let r = NewRegistration {
        id: AccountId(uuid::Uuid::now_v7()),
        person_number: erecept_domain::PersonNumber::parse_12("191212121212").unwrap(),
        given_name: "T".into(),
        surname: "T".into(),
        email: "t@e.se".into(),
        mobile: "1".into(),
        password_hash: "x".into(),
        profession: erecept_domain::Profession::Sjukskoterska,
        prescriber_code: erecept_domain::PrescriberCode::parse("1234567").unwrap(),
        verification_expected_by: jiff::Timestamp::UNIX_EPOCH,
        workplace: Workplace {
            id: uuid::Uuid::now_v7(),
            name: "V".into(),
            code: erecept_domain::WorkplaceCode::parse("2312345").unwrap(),
            address: "a".into(),
            postal_code: "1".into(),
            city: "c".into(),
            phone: "1".into(),
            county: erecept_domain::County::from_code("23").unwrap(),
            journal_system: None,
        },
        billing: BillingParty {
            kind: BillingKind::Private,
            name: "n".into(),
            identity: "191212121212".into(),
            address: "a".into(),
            postal_code: "1".into(),
            city: "c".into(),
            email: "e".into(),
            reference: String::new(),
        },
        licensing: erecept_domain::Licensing::Own(erecept_domain::Licence::starting(
            jiff::civil::date(2026, 12, 3),
        )),
        population_register_addon: false,
    };
    store
        .register(&r, &Outbox::new(), jiff::Timestamp::UNIX_EPOCH)
        .await
        .unwrap();
    r.id
}
