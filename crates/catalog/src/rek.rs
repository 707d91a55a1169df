//! REK-lists: each region's recommended drugs (rekommendationslista), which the search ranks
//! first for a prescriber of that region.
//!
//! # File format
//!
//! UTF-8 text, one recommendation a line, fields separated by `;`:
//!
//! ```text
//! # Kommentar: rader som börjar med # och tomma rader hoppas över.
//! region;id;kommentar
//! 01;504949;Förstahandsval vid smärta
//! 01;20080809018523;
//! 12;C10AA01
//! ```
//!
//! - `region`: the county code of the region, two digits (`01` Stockholm … `25` Norrbotten);
//! - `id`: a varunummer (6 digits: that package), an NPL-id (14 digits: every package of the
//!   product) or an ATC code at substance level (7 characters, e.g. `C10AA01`: every product
//!   with that code);
//! - `kommentar`: optional free text (e.g. the indication), shown as a hint.
//!
//! The header line `region;id;kommentar` is optional. A file with any bad line is refused as a
//! whole, every bad line reported as "rad N: …". Importing a file replaces the lists of the
//! regions it names and keeps the others.

use std::collections::BTreeMap;

use erecept_domain::{AtcCode, County, NplId, Varunummer};
use serde::{Deserialize, Serialize};

use crate::model::Product;
use crate::report::ImportIssue;

/// What a recommendation points at.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RekTarget {
    Varunummer(Varunummer),
    Product(NplId),
    Substance(AtcCode),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RekEntry {
    pub target: RekTarget,
    pub comment: String,
}

/// One region's list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RekList {
    pub entries: Vec<RekEntry>,
}

impl RekList {
    /// Whether a product is recommended: its NPL-id, one of its packages' varunummer or its
    /// ATC code is on the list.
    pub fn recommends(&self, product: &Product) -> bool {
        self.entries.iter().any(|e| match &e.target {
            RekTarget::Product(id) => *id == product.npl_id,
            RekTarget::Varunummer(v) => product
                .packages
                .iter()
                .any(|p| p.varunummer.as_ref() == Some(v)),
            RekTarget::Substance(atc) => product.atc.as_ref() == Some(atc),
        })
    }

    /// Whether a package (its varunummer) is recommended, directly or through its product.
    pub fn recommends_package(&self, product: &Product, varunummer: Option<&Varunummer>) -> bool {
        self.entries.iter().any(|e| match &e.target {
            RekTarget::Product(id) => *id == product.npl_id,
            RekTarget::Varunummer(v) => varunummer == Some(v),
            RekTarget::Substance(atc) => product.atc.as_ref() == Some(atc),
        })
    }
}

/// The lists of all regions that have one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RekLists {
    pub regions: BTreeMap<County, RekList>,
}

impl RekLists {
    pub fn get(&self, region: County) -> Option<&RekList> {
        self.regions.get(&region)
    }

    /// Replaces the lists of the regions in `other`, keeps the rest.
    pub fn replace_regions(&mut self, other: RekLists) {
        self.regions.extend(other.regions);
    }

    /// Parses a file in the format above. Refuses the whole file if any line is bad.
    pub fn parse(text: &str) -> Result<RekLists, Vec<ImportIssue>> {
        let mut lists = RekLists::default();
        let mut issues = Vec::new();
        let mut seen_data = false;
        for (i, raw) in text.lines().enumerate() {
            let n = i + 1;
            let line = raw.trim_start_matches('\u{feff}').trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut fields = line.splitn(3, ';').map(str::trim);
            let region = fields.next().unwrap_or_default();
            let id = fields.next();
            let comment = fields.next().unwrap_or_default();
            if !seen_data && region.eq_ignore_ascii_case("region") {
                seen_data = true;
                continue;
            }
            seen_data = true;
            let Some(county) = County::from_code(region) else {
                issues.push(ImportIssue::new(
                    n,
                    format!("okänd regionkod {region:?} (ska vara länskoden, t.ex. 01 eller 12)."),
                ));
                continue;
            };
            let Some(id) = id.filter(|s| !s.is_empty()) else {
                issues.push(ImportIssue::new(
                    n,
                    "varunummer, NPL-id eller ATC-kod saknas (raden ska vara region;id;kommentar).",
                ));
                continue;
            };
            let target = match parse_target(id) {
                Ok(t) => t,
                Err(message) => {
                    issues.push(ImportIssue::new(n, message));
                    continue;
                }
            };
            lists
                .regions
                .entry(county)
                .or_default()
                .entries
                .push(RekEntry {
                    target,
                    comment: comment.to_owned(),
                });
        }
        if issues.is_empty() {
            Ok(lists)
        } else {
            Err(issues)
        }
    }
}

fn parse_target(id: &str) -> Result<RekTarget, String> {
    let digits = id.bytes().all(|b| b.is_ascii_digit());
    if digits && id.len() == 6 {
        Varunummer::parse(id)
            .map(RekTarget::Varunummer)
            .map_err(|e| e.to_string())
    } else if digits && id.len() == 14 {
        NplId::parse(id)
            .map(RekTarget::Product)
            .map_err(|e| e.to_string())
    } else if !digits {
        match AtcCode::parse(id) {
            Ok(atc) if atc.level() == 5 => Ok(RekTarget::Substance(atc)),
            Ok(_) => Err(format!(
                "ATC-koden {id} är en grupp; ange en substans (7 tecken, t.ex. C10AA01)."
            )),
            Err(e) => Err(format!(
                "{id:?} är varken varunummer, NPL-id eller ATC-kod: {e}"
            )),
        }
    } else {
        Err(format!(
            "{id:?} är varken ett varunummer (6 siffror) eller ett NPL-id (14 siffror)."
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Package;
    use crate::test_data::{pack_id, product_id};

    #[test]
    fn parses_all_id_kinds_and_header() {
        let pid = product_id(7);
        let text = format!(
            "\u{feff}# REK\nregion;id;kommentar\n01;012345;Förstahandsval\n\n01;{pid}\n12 ; C10AA01 ; statin; högdos\n"
        );
        let lists = RekLists::parse(&text).unwrap();
        let sthlm = lists.get(County::Stockholm).unwrap();
        assert_eq!(sthlm.entries.len(), 2);
        assert_eq!(sthlm.entries[0].comment, "Förstahandsval");
        assert_eq!(sthlm.entries[1].target, RekTarget::Product(pid));
        let skane = lists.get(County::Skane).unwrap();
        assert_eq!(skane.entries[0].comment, "statin; högdos");
        assert!(lists.get(County::Uppsala).is_none());

        let mut p = Product::new(product_id(8), "Simvastatin");
        assert!(!sthlm.recommends(&p));
        p.atc = Some(AtcCode::parse("C10AA01").unwrap());
        assert!(skane.recommends(&p));
        let mut pack = Package::new(pack_id(81), "30 st");
        pack.varunummer = Some(Varunummer::parse("012345").unwrap());
        p.packages.push(pack);
        assert!(sthlm.recommends(&p));
        assert!(sthlm.recommends_package(&p, p.packages[0].varunummer.as_ref()));
        assert!(!sthlm.recommends_package(&p, None));
    }

    #[test]
    fn bad_file_is_refused_with_line_numbers() {
        let text = "region;id\n01;012345\n99;012345\n01\n01;12345\n01;C10\n01;X99ZZ99\n01;20240101100015\n";
        let issues = RekLists::parse(text).unwrap_err();
        let lines: Vec<usize> = issues.iter().map(|i| i.line).collect();
        assert_eq!(lines, [3, 4, 5, 6, 7, 8]);
        assert!(
            issues[0]
                .to_string()
                .starts_with("rad 3: okänd regionkod \"99\"")
        );
        assert!(issues[2].to_string().contains("6 siffror"));
        assert!(issues[3].to_string().contains("grupp"));
        assert!(issues[5].to_string().contains("NPL-pack-id"));
    }

    #[test]
    fn replace_regions_keeps_others() {
        let mut a = RekLists::parse("01;012345\n12;012345").unwrap();
        a.replace_regions(RekLists::parse("12;111111").unwrap());
        assert_eq!(a.regions.len(), 2);
        assert_eq!(
            a.get(County::Skane).unwrap().entries[0].target,
            RekTarget::Varunummer(Varunummer::parse("111111").unwrap())
        );
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<RekLists>(&json).unwrap(), a);
    }
}
