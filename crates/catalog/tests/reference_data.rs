//! The importers on the real files in `shared/data/npl`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::BufReader;

use erecept_catalog::{
    Catalog, ImportScope, ProductKind, SearchIndex, SearchOptions, npl_xml, packages_ndjson,
};
use erecept_domain::Money;

#[test]
fn ndjson_real_file() {
    let imported = packages_ndjson::parse(BufReader::new(common::open(
        "npl/lakemedel-packages.ndjson",
    )));
    let r = &imported.report;
    for issue in r.skipped.iter().chain(&r.warnings) {
        println!("{issue}");
    }
    assert_eq!(r.read, 8337);
    assert_eq!(r.accepted, 8328);
    assert_eq!(imported.items.len(), 8328);
    // 7 lines with a decimal comma in a JSON number, 2 rows with "SB…" ids.
    let skipped: Vec<usize> = r.skipped.iter().map(|i| i.line).collect();
    assert_eq!(
        skipped,
        [160, 709, 1355, 1356, 1563, 2381, 3277, 8336, 8337]
    );
    assert!(
        r.skipped[0]
            .to_string()
            .starts_with("rad 160: raden är inte giltig JSON")
    );
    assert!(
        r.skipped[7]
            .to_string()
            .starts_with("rad 8336: NPLID \"SB160108000001\"")
    );
    assert!(
        r.warnings.is_empty(),
        "every id passes GS1, every price parses"
    );

    let first = &imported.items[0];
    assert_eq!(first.line, 1);
    assert_eq!(first.npl_id.as_str(), "19360121000012");
    assert_eq!(first.npl_pack_id.as_str(), "19880401100022");
    assert_eq!(first.varunummer.as_str(), "417139");
    assert_eq!(first.size_text, "500 gram");
    assert_eq!(first.amount.unwrap().to_string(), "500");
    assert_eq!(first.price, Some(Money::from_ore(7507)));

    let ficortril = imported.items.iter().find(|r| r.line == 22).unwrap();
    assert_eq!(ficortril.amount.unwrap().to_string(), "3,5");
    assert_eq!(ficortril.price.unwrap().to_string(), "27,94 kr");

    let losartan = imported.items.iter().find(|r| r.line == 5400).unwrap();
    assert_eq!(losartan.varunummer.as_str(), "373411");
    assert_eq!(
        losartan.price,
        Some(Money::from_ore(98)),
        "\",98\" is 0,98 kr"
    );

    let products = packages_ndjson::to_products(&imported.items);
    println!("{} products", products.len());
    assert_eq!(products.len(), 5180);
    let salazopyrin = products
        .iter()
        .find(|p| p.npl_id.as_str() == "19450927000016")
        .unwrap();
    assert_eq!(salazopyrin.name, "Salazopyrin");
    assert_eq!(salazopyrin.form, "Tablett");
    assert_eq!(salazopyrin.strength, "500 mg");
    assert_eq!(salazopyrin.packages.len(), 2);
    assert_eq!(salazopyrin.kind, ProductKind::Lakemedel);

    // Merge: a total import twice is idempotent.
    let mut catalog = Catalog::default();
    let t0 = jiff::Timestamp::from_second(1_700_000_000).unwrap();
    let counts = catalog.apply_import(products.clone(), ImportScope::Total, t0);
    assert_eq!(counts.new, 5180);
    let counts = catalog.apply_import(products, ImportScope::Total, t0);
    assert_eq!(
        (
            counts.new,
            counts.changed,
            counts.withdrawn,
            counts.unchanged
        ),
        (0, 0, 0, 5180)
    );

    // And it is searchable.
    let index = SearchIndex::build(&catalog, &Default::default());
    let hits = index.search("salazopyrin", &SearchOptions::default());
    assert_eq!(hits[0].product.name, "Salazopyrin");
}

#[test]
fn npl_xml_real_folder() {
    let imported = npl_xml::import(&common::data_dir().join("npl"), &mut |_, _| {}).unwrap();
    assert_eq!(imported.report.read, 2);
    assert_eq!(imported.report.accepted, 2);
    assert!(imported.report.is_clean(), "{:?}", imported.report);
    let names: Vec<&str> = imported.items.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Celectol", "Nifehexal"]);
    assert!(imported.items.iter().all(|p| p.licence_product));

    // Joined with the package list: these licence products have no rows there, so they keep
    // their own data and the list adds its products.
    let rows = packages_ndjson::parse(BufReader::new(common::open(
        "npl/lakemedel-packages.ndjson",
    )))
    .items;
    let joined = packages_ndjson::join(imported.items, &rows);
    assert_eq!(joined.len(), 5182);
    assert_eq!(joined[0].name, "Celectol");
    assert_eq!(joined[0].packages.len(), 1);
}
