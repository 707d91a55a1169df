//! Conformance of counties and drug identifiers with `shared/data/geo` and `shared/data/npl`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use erecept_domain::{County, NplId, NplPackId, Varunummer};

#[test]
fn county_table_matches_counties_csv() {
    let csv = common::read("geo/counties.csv");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().map(str::trim),
        Some("county_code,county_name,county_name_short")
    );
    let rows: Vec<Vec<&str>> = lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.trim().split(',').collect())
        .collect();
    assert_eq!(rows.len(), 21);
    assert_eq!(County::all().len(), rows.len());
    for (county, row) in County::all().iter().zip(&rows) {
        assert_eq!(
            row.as_slice(),
            [county.code(), county.name(), county.short_name()]
        );
        assert_eq!(County::from_code(row[0]), Some(*county));
    }
}

#[test]
fn npl_packages_parse() {
    let text = common::read("npl/lakemedel-packages.ndjson");
    let mut rows = 0;
    let mut skipped = 0;
    let mut placeholders = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        // About 7 lines have unquoted decimal commas: not JSON, skipped like an importer would.
        let Ok(row) = serde_json::from_str::<serde_json::Value>(line) else {
            skipped += 1;
            continue;
        };
        rows += 1;
        let field = |name: &str| row[name].as_str().unwrap_or_default().to_owned();
        let (npl_id, pack_id, varunr) = (field("NPLID"), field("NPLPACKAGEID"), field("VARUNR"));
        assert!(Varunummer::parse(&varunr).is_ok(), "VARUNR {varunr}");
        if npl_id.starts_with("SB") {
            // Placeholder rows for drugs without an NPL identity (e.g. a government
            // dispensation): not NPL-ids, and rightly refused.
            assert!(NplId::parse(&npl_id).is_err());
            assert!(NplPackId::parse(&pack_id).is_err());
            placeholders.push(npl_id);
            continue;
        }
        let id = NplId::parse(&npl_id).unwrap_or_else(|e| panic!("NPLID {npl_id}: {e}"));
        assert!(id.gs1_check_ok(), "NPLID {npl_id} fails GS1");
        let pack =
            NplPackId::parse(&pack_id).unwrap_or_else(|e| panic!("NPLPACKAGEID {pack_id}: {e}"));
        assert!(pack.gs1_check_ok(), "NPLPACKAGEID {pack_id} fails GS1");
    }
    assert_eq!(rows + skipped, 8_337);
    assert!(skipped <= 10, "{skipped} lines skipped");
    assert!(placeholders.len() <= 2, "placeholders: {placeholders:?}");
}
