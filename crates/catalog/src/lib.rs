//! The drug register of eRecept (crate `erecept-catalog`): pure library, no database.
//!
//! - [`model`]: [`Product`], [`Package`] and their classifications ([`ProductKind`],
//!   [`NarcoticsClass`], [`SpecialDrugCode`], [`PrescriptionStatus`], [`Quantity`]).
//! - Importers, each returning the items and an [`ImportReport`] whose problems name the line
//!   ("rad N: …"): [`npl_xml`] (Läkemedelsverket's per-product XML, the nightly zip or a folder of them),
//!   [`packages_ndjson`] (the package and price list), [`rek`] (REK-lists, CSV).
//! - [`Catalog`]: all products, and [`Catalog::apply_import`], the idempotent merge of a total
//!   or delta import (withdraws, never removes).
//! - [`demo`]: an embedded demo catalogue (251 invented products) and demo REK-lists.
//! - [`search`]: [`SearchIndex`], the as-you-type search with Swedish normalisation, typo
//!   tolerance, REK ranking and the filters of SPEC §3.
//!
//! All types are plain data (serde) so that the application can persist them and load them
//! back.

#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod catalog;
pub mod demo;
pub mod model;
pub mod npl_xml;
pub mod packages_ndjson;
pub mod rek;
pub mod report;
pub mod search;

pub use catalog::{Catalog, ImportScope, MergeCounts};
pub use model::{
    NarcoticsClass, Package, PrescriptionStatus, Product, ProductKind, Quantity, SpecialDrugCode,
};
pub use rek::{RekEntry, RekList, RekLists, RekTarget};
pub use report::{ImportIssue, ImportReport, Imported};
pub use search::{Hit, MatchQuality, SearchIndex, SearchOptions};

/// `first13` (13 digits) with its GS1 mod-10 check digit appended (weights 3, 1 from the
/// right), e.g. for writing demo NPL-ids by hand; `None` unless exactly 13 ASCII digits.
pub fn with_gs1_check_digit(first13: &str) -> Option<String> {
    if first13.len() != 13 || !first13.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first13
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    let check = (10 - sum % 10) % 10;
    Some(format!("{first13}{check}"))
}

#[cfg(test)]
pub(crate) mod test_data {
    use std::path::PathBuf;

    use erecept_domain::{NplId, NplPackId};

    /// `ERECEPT_SHARED_DATA` if set, else `<crate>/../../../shared/data` (as in the domain
    /// crate's conformance tests).
    pub fn shared_dir() -> PathBuf {
        match std::env::var_os("ERECEPT_SHARED_DATA") {
            Some(dir) => PathBuf::from(dir),
            None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
        }
    }

    /// Reads a shared data file; a missing file fails the test.
    pub fn read_shared(relative: &str) -> String {
        let path = shared_dir().join(relative);
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "reference data {} is missing ({e}); set ERECEPT_SHARED_DATA",
                path.display()
            )
        })
    }

    /// A valid NPL-id numbered `n` (< 10 000).
    pub fn product_id(n: u32) -> NplId {
        NplId::parse(&super::with_gs1_check_digit(&format!("202401010{n:04}")).unwrap()).unwrap()
    }

    /// A valid NPL-pack-id numbered `n` (< 10 000).
    pub fn pack_id(n: u32) -> NplPackId {
        NplPackId::parse(&super::with_gs1_check_digit(&format!("202401011{n:04}")).unwrap())
            .unwrap()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn gs1_check_digit() {
        assert_eq!(
            super::with_gs1_check_digit("1001010100001").as_deref(),
            Some("10010101000011")
        );
        assert_eq!(
            super::with_gs1_check_digit("2013110510008").as_deref(),
            Some("20131105100082")
        );
        assert_eq!(super::with_gs1_check_digit("123"), None);
    }
}
