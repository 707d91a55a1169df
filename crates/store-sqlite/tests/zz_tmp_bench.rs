#![allow(clippy::unwrap_used)]
use erecept_store::*;
use std::time::Instant;

pub async fn run(store: &dyn Store, account: AccountId) {
    let names = [
        "Åsa Öberg",
        "Lars Ärlig",
        "Björn Ödegård",
        "Eva Svensson",
        "Per Karlsson",
        "Märta Ek",
    ];
    let products = [
        "Alvedon 500 mg",
        "Ipren 200 mg",
        "Waran 2,5 mg",
        "Omeprazol 20 mg",
        "Xylocain 2% gel",
    ];
    let statuses = PrescriptionStatus::ALL;
    let t = Instant::now();
    for b in 0..1000u32 {
        let batch = uuid::Uuid::now_v7();
        let items: Vec<NewPrescription> = (0..100u32)
            .map(|i| {
                let n = b * 100 + i;
                let id = uuid::Uuid::now_v7();
                NewPrescription {
                    id,
                    account_id: account,
                    batch_id: batch,
                    position: i,
                    patient_key: format!("19{:010}", n % 5000),
                    patient_name: format!("{} {}", names[(n % 6) as usize], n % 5000),
                    product_name: products[(n % 5) as usize].to_owned(),
                    issued_on: jiff::civil::date(2020, 1, 1)
                        .checked_add(jiff::Span::new().days(i64::from(b)))
                        .unwrap(),
                    idempotency_key: format!("k{id}"),
                    document: serde_json::json!({"n": n}),
                }
            })
            .collect();
        store
            .submit_prescriptions(
                &items,
                &[],
                &Outbox::new(),
                jiff::Timestamp::from_second(1_700_000_000 + i64::from(b)).unwrap(),
            )
            .await
            .unwrap();
        let _ = statuses;
    }
    eprintln!("insert 100k: {:?}", t.elapsed());
    let f = |patient: &str,
             product: &str,
             status: Option<PrescriptionStatus>,
             from: Option<jiff::civil::Date>| PrescriptionFilter {
        patient: patient.into(),
        product: product.into(),
        issued_from: from,
        issued_to: None,
        status,
    };
    for (label, filter, offset) in [
        ("all first page", f("", "", None, None), 0u64),
        ("all deep page", f("", "", None, None), 90_000),
        ("patient number", f("0000001234", "", None, None), 0),
        ("patient name å", f("ÅSA", "", None, None), 0),
        ("rare patient", f("nobody", "", None, None), 0),
        ("product", f("", "alvedon", None, None), 0),
        (
            "status sent (none)",
            f("", "", Some(PrescriptionStatus::Sent), None),
            0,
        ),
        (
            "status queued",
            f("", "", Some(PrescriptionStatus::Queued), None),
            0,
        ),
        (
            "recent dates",
            f("", "", None, Some(jiff::civil::date(2022, 9, 1))),
            0,
        ),
    ] {
        for _ in 0..2 {
            let t = Instant::now();
            let page = store
                .search_prescriptions(account, &filter, offset, 25)
                .await
                .unwrap();
            eprintln!(
                "{label}: total {} items {} in {:?}",
                page.total,
                page.items.len(),
                t.elapsed()
            );
        }
    }
}
