//! The demo catalogue and demo REK-lists, written for this project (not copied from NPL):
//! `demo/catalog.csv` and `demo/rek.csv`, compiled into the crate.
//!
//! # Catalogue format (`demo/catalog.csv`)
//!
//! UTF-8, `;`-separated, `#` starts a comment line. A `P` line starts a product, the `F`
//! lines after it are its packages:
//!
//! ```text
//! P;npl-id;namn;styrka;form;typ;produktklass;atc;substanser;narkotikaklass;särskilt;recept;status
//! F;npl-pack-id;varunummer;storlek;antal;pris;förmån;tillgänglig
//! ```
//!
//! - `typ`: `L` läkemedel, `LM` livsmedel, `IL` ickeläkemedelsvara;
//! - `produktklass`: NPL's class code (`LIC` = licence product) or empty;
//! - `substanser`: separated by `|`; `narkotikaklass`: NPL code (0 none, 6 I, 1 II, 3 III,
//!   4 IV, 5 V, 2 IV/V); `särskilt`: 1–4 or empty;
//! - `recept`: `R` receptbelagt, `F` receptfritt, empty unknown;
//! - `status`: `M` marketed, `E` not marketed, `S` sales-stopped, `U` withdrawn (utgått);
//! - `antal`: decimal comma allowed; `pris`: kronor, decimal comma, empty if unknown;
//!   `förmån`: `J`, `N` or empty; `tillgänglig`: `J` or `N`.
//!
//! Ids must be valid NPL-ids / NPL-pack-ids passing the GS1 check (the demo test prints the
//! right check digit for a hand-written id) and varunummer 6 digits.

use erecept_domain::{AtcCode, Money, NplId, NplPackId, Varunummer};

use crate::catalog::Catalog;
use crate::model::{
    NarcoticsClass, Package, PrescriptionStatus, Product, ProductKind, Quantity, SpecialDrugCode,
};
use crate::rek::RekLists;
use crate::report::ImportIssue;

pub const CATALOG_CSV: &str = include_str!("../demo/catalog.csv");
pub const REK_CSV: &str = include_str!("../demo/rek.csv");

/// The demo catalogue.
pub fn catalog() -> Result<Catalog, Vec<ImportIssue>> {
    parse_catalog(CATALOG_CSV).map(Catalog::new)
}

/// The demo REK-lists of Region Stockholm (01) and Region Skåne (12).
pub fn rek_lists() -> Result<RekLists, Vec<ImportIssue>> {
    RekLists::parse(REK_CSV)
}

/// Parses the catalogue format above; any bad line refuses the whole text ("rad N: …").
pub fn parse_catalog(text: &str) -> Result<Vec<Product>, Vec<ImportIssue>> {
    let mut products: Vec<Product> = Vec::new();
    let mut issues = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim_start_matches('\u{feff}').trim_end();
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split(';').map(str::trim).collect();
        let result = match f.first().copied() {
            Some("P") => product_line(&f).map(|p| products.push(p)),
            Some("F") => match products.last_mut() {
                Some(p) => package_line(&f).map(|pack| p.packages.push(pack)),
                None => Err("förpackningsrad (F) före första produktraden (P).".to_owned()),
            },
            _ => Err("raden ska börja med P (produkt) eller F (förpackning).".to_owned()),
        };
        if let Err(message) = result {
            issues.push(ImportIssue::new(n, message));
        }
    }
    if issues.is_empty() {
        Ok(products)
    } else {
        Err(issues)
    }
}

fn field<'a>(f: &[&'a str], i: usize) -> &'a str {
    f.get(i).copied().unwrap_or_default()
}

fn product_line(f: &[&str]) -> Result<Product, String> {
    if f.len() != 13 {
        return Err(format!("produktraden ska ha 13 fält, har {}.", f.len()));
    }
    let id = NplId::parse(field(f, 1)).map_err(|e| e.to_string())?;
    if !id.gs1_check_ok() {
        return Err(format!(
            "NPL-id:t {id} klarar inte GS1-kontrollen (med rätt kontrollsiffra: {}).",
            gs1_fixed(id.as_str())
        ));
    }
    let name = field(f, 2);
    if name.is_empty() {
        return Err("namn saknas.".into());
    }
    let mut p = Product::new(id, name);
    p.strength = field(f, 3).to_owned();
    p.form = field(f, 4).to_owned();
    p.kind = match field(f, 5) {
        "L" => ProductKind::Lakemedel,
        "LM" => ProductKind::Livsmedel,
        "IL" => ProductKind::Ickelakemedelsvara,
        other => return Err(format!("okänd typ {other:?} (L, LM eller IL).")),
    };
    let class = field(f, 6);
    p.licence_product = class == "LIC";
    p.product_class = (!class.is_empty()).then(|| class.to_owned());
    let atc = field(f, 7);
    if !atc.is_empty() {
        p.atc = Some(AtcCode::parse(atc).map_err(|e| e.to_string())?);
    }
    p.substances = field(f, 8)
        .split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let narc = field(f, 9);
    p.narcotics_class = NarcoticsClass::from_npl_code(if narc.is_empty() { "0" } else { narc })
        .ok_or_else(|| format!("okänd narkotikaklass {narc:?}."))?;
    let special = field(f, 10);
    if !special.is_empty() {
        p.special_drug = Some(
            special
                .parse::<u8>()
                .ok()
                .and_then(SpecialDrugCode::from_code)
                .ok_or_else(|| format!("okänd kod för särskilt läkemedel {special:?}."))?,
        );
    }
    p.prescription = match field(f, 11) {
        "R" => PrescriptionStatus::Receptbelagt,
        "F" => PrescriptionStatus::Receptfritt,
        "" => PrescriptionStatus::Okant,
        other => return Err(format!("okänd receptstatus {other:?} (R, F eller tomt).")),
    };
    match field(f, 12) {
        "M" => {}
        "E" => p.marketed = false,
        "S" => p.sales_stopped = true,
        "U" => p.withdrawn = true,
        other => return Err(format!("okänd status {other:?} (M, E, S eller U).")),
    }
    Ok(p)
}

fn gs1_fixed(id: &str) -> String {
    id.get(..13)
        .and_then(crate::with_gs1_check_digit)
        .unwrap_or_default()
}

fn package_line(f: &[&str]) -> Result<Package, String> {
    if f.len() != 8 {
        return Err(format!("förpackningsraden ska ha 8 fält, har {}.", f.len()));
    }
    let id = NplPackId::parse(field(f, 1)).map_err(|e| e.to_string())?;
    if !id.gs1_check_ok() {
        return Err(format!(
            "NPL-pack-id:t {id} klarar inte GS1-kontrollen (med rätt kontrollsiffra: {}).",
            gs1_fixed(id.as_str())
        ));
    }
    let mut pack = Package::new(id, field(f, 3));
    pack.varunummer = Some(Varunummer::parse(field(f, 2)).map_err(|e| e.to_string())?);
    let amount = field(f, 4);
    if !amount.is_empty() {
        pack.amount =
            Some(Quantity::parse(amount).ok_or_else(|| format!("ogiltigt antal {amount:?}."))?);
    }
    let price = field(f, 5);
    if !price.is_empty() {
        pack.price = Some(Money::parse_swedish(price).map_err(|e| e.to_string())?);
    }
    pack.in_benefit_scheme = match field(f, 6) {
        "J" => Some(true),
        "N" => Some(false),
        "" => None,
        other => return Err(format!("förmån ska vara J, N eller tomt, inte {other:?}.")),
    };
    pack.available = match field(f, 7) {
        "J" => true,
        "N" => false,
        other => return Err(format!("tillgänglig ska vara J eller N, inte {other:?}.")),
    };
    Ok(pack)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use erecept_domain::County;

    use super::*;

    #[test]
    fn demo_catalog_parses_and_covers_everything() {
        let c = catalog().unwrap_or_else(|issues| {
            panic!(
                "{}",
                issues
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        });
        let ps = c.products();
        assert!(ps.len() >= 150, "{}", ps.len());
        let count = |f: &dyn Fn(&Product) -> bool| ps.iter().filter(|p| f(p)).count();
        for kind in ProductKind::ALL {
            assert!(count(&|p| p.kind == kind) >= 2, "{kind}");
        }
        assert!(count(&|p| p.licence_product) >= 1);
        for class in [
            NarcoticsClass::II,
            NarcoticsClass::III,
            NarcoticsClass::IV,
            NarcoticsClass::V,
        ] {
            assert!(count(&|p| p.narcotics_class == class) >= 1, "{class}");
        }
        assert!(count(&|p| p.special_drug == Some(SpecialDrugCode::SpecialNotIterable)) >= 1);
        assert!(count(&|p| !p.may_be_iterated()) >= 1);
        assert!(count(&|p| p.withdrawn) >= 1);
        assert!(count(&|p| p.sales_stopped) >= 1);
        assert!(count(&|p| !p.marketed) >= 1);
        assert!(count(&|p| p.is_available()) >= 150);
        let atc_groups: HashSet<char> = ps
            .iter()
            .filter_map(|p| p.atc.as_ref()?.as_str().chars().next())
            .collect();
        assert!(atc_groups.len() >= 12, "{atc_groups:?}");
        let forms: HashSet<&str> = ps.iter().map(|p| p.form.as_str()).collect();
        assert!(forms.len() >= 30, "{}", forms.len());
        for name in [
            "Alvedon",
            "Ipren",
            "Omeprazol Actavis",
            "Metformin Teva",
            "Simvastatin Actavis",
            "Atorvastatin Krka",
            "Enalapril Ebb",
            "Amlodipin Bluefish",
            "Levaxin",
            "Sertralin Accord",
            "Waran",
            "Eliquis",
            "Kåvepenin",
            "Amoxicillin Sandoz",
            "Doxycyklin Meda",
            "Nitrofurantoin Alternova",
        ] {
            assert!(ps.iter().any(|p| p.name == name), "{name}");
        }

        // Every id valid and unique; every package priced unless a licence package.
        let mut pack_ids = HashSet::new();
        for p in ps {
            assert!(p.npl_id.gs1_check_ok());
            assert!(!p.packages.is_empty(), "{}", p.name);
            for pack in &p.packages {
                assert!(pack.npl_pack_id.gs1_check_ok());
                assert!(pack_ids.insert(pack.npl_pack_id), "{}", pack.npl_pack_id);
                assert!(pack.varunummer.is_some());
                assert!(pack.price.is_some() || p.licence_product, "{}", p.name);
            }
        }
    }

    #[test]
    fn demo_rek_lists_point_at_demo_products() {
        let c = catalog().unwrap();
        let rek = rek_lists().unwrap();
        for county in [County::Stockholm, County::Skane] {
            let list = rek.get(county).unwrap();
            assert!(list.entries.len() >= 10);
            for e in &list.entries {
                let single = crate::rek::RekList {
                    entries: vec![e.clone()],
                };
                assert!(
                    c.products().iter().any(|p| single.recommends(p)),
                    "{:?}",
                    e.target
                );
            }
        }
    }

    #[test]
    fn format_errors_name_the_line() {
        let good = "P;20080809018523;Alvedon;500 mg;Tablett;L;;N02BE01;paracetamol;0;;F;M";
        let text = format!(
            "# x\nF;20081105178874;504949;20 st;20;27,00;J;J\n{good}\n{}\n{}\nF;20081105178874;504949;20 st;20;27,00;X;J\nQ;1\n",
            good.replace("20080809018523", "20080809018524"),
            good.replace(";L;", ";Z;"),
        );
        let issues = parse_catalog(&text).unwrap_err();
        let lines: Vec<usize> = issues.iter().map(|i| i.line).collect();
        assert_eq!(lines, [2, 4, 5, 6, 7]);
        assert!(
            issues[1].to_string().starts_with("rad 4: NPL-id:t"),
            "{}",
            issues[1]
        );
        assert!(issues[1].message.contains("GS1"));
        assert!(
            issues[1].message.contains("20080809018523"),
            "{}",
            issues[1]
        );
    }
}
