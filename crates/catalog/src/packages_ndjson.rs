//! The package and price list as NDJSON (one JSON object a line), as in
//! `shared/data/npl/lakemedel-packages.ndjson`:
//!
//! ```text
//! { "NPLID" : "19450927000016", "NPLPACKAGEID" : "19771001100010", "VARUNR" : "424432",
//!   "ANTAL_NUMERISKT" : 300, "ANTAL_KLARTEXT" : "300 styck", "PRODUKTNAMN" : "Salazopyrin®",
//!   "BENEMNING" : "Salazopyrin, tablett 500 mg Pfizer AB", "PRIS" : "331,27" }
//! ```
//!
//! `PRIS` is kronor with a decimal comma (",98" is 0,98 kr). A line that is not strict JSON
//! (the real file has numbers with a decimal comma, `"ANTAL_NUMERISKT" : 7,5`), lacks a field
//! or has an invalid NPL-id, NPL-pack-id or varunummer is skipped and reported as "rad N: …";
//! nothing here panics on any input. A bad price or amount keeps the row without that value
//! and warns.

use std::collections::HashMap;
use std::io::BufRead;

use erecept_domain::{Money, NplId, NplPackId, Varunummer};
use serde::Deserialize;

use crate::model::{Package, Product, Quantity};
use crate::report::{ImportIssue, ImportReport, Imported};

/// One valid row of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageRow {
    /// 1-based line in the file.
    pub line: usize,
    pub npl_id: NplId,
    pub npl_pack_id: NplPackId,
    pub varunummer: Varunummer,
    /// `ANTAL_NUMERISKT`.
    pub amount: Option<Quantity>,
    /// `ANTAL_KLARTEXT`, e.g. "100 styck".
    pub size_text: String,
    /// `PRODUKTNAMN` as given (may carry ® or ™).
    pub product_name: String,
    /// `BENEMNING`: name, form, strength and sometimes the parallel importer.
    pub description: String,
    pub price: Option<Money>,
}

#[derive(Deserialize)]
struct Raw {
    #[serde(rename = "NPLID")]
    npl_id: String,
    #[serde(rename = "NPLPACKAGEID")]
    npl_pack_id: String,
    #[serde(rename = "VARUNR")]
    varunummer: String,
    #[serde(rename = "ANTAL_NUMERISKT", default)]
    amount: Option<serde_json::Value>,
    #[serde(rename = "ANTAL_KLARTEXT", default)]
    size_text: Option<String>,
    #[serde(rename = "PRODUKTNAMN")]
    product_name: String,
    #[serde(rename = "BENEMNING", default)]
    description: Option<String>,
    #[serde(rename = "PRIS", default)]
    price: Option<serde_json::Value>,
}

/// Reads the whole list. I/O errors end the import early with a report line; all other
/// problems skip or warn per line.
pub fn parse<R: BufRead>(reader: R) -> Imported<PackageRow> {
    let mut report = ImportReport::default();
    let mut items = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let n = i + 1;
        report.read += 1;
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                report.skipped.push(ImportIssue::new(
                    n,
                    format!("raden kunde inte läsas ({e}); importen avbröts här."),
                ));
                break;
            }
        };
        let text = line.trim_start_matches('\u{feff}').trim();
        if text.is_empty() {
            continue;
        }
        match parse_line(n, text, &mut report.warnings) {
            Ok(row) => {
                report.accepted += 1;
                items.push(row);
            }
            Err(message) => report.skipped.push(ImportIssue::new(n, message)),
        }
    }
    Imported { items, report }
}

fn parse_line(n: usize, text: &str, warnings: &mut Vec<ImportIssue>) -> Result<PackageRow, String> {
    let raw: Raw = serde_json::from_str(text).map_err(|e| {
        format!(
            "raden är inte giltig JSON (kolumn {}: {}); raden hoppades över.",
            e.column(),
            json_reason(&e)
        )
    })?;
    let npl_id = NplId::parse(&raw.npl_id).map_err(|e| format!("NPLID {:?}: {e}", raw.npl_id))?;
    let npl_pack_id = NplPackId::parse(&raw.npl_pack_id)
        .map_err(|e| format!("NPLPACKAGEID {:?}: {e}", raw.npl_pack_id))?;
    let varunummer = Varunummer::parse(&raw.varunummer)
        .map_err(|e| format!("VARUNR {:?}: {e}", raw.varunummer))?;
    let product_name = raw.product_name.trim().to_owned();
    if product_name.is_empty() {
        return Err("PRODUKTNAMN saknas.".into());
    }
    if !npl_id.gs1_check_ok() {
        warnings.push(ImportIssue::new(
            n,
            format!("NPL-id:t {npl_id} klarar inte GS1-kontrollen (varning)."),
        ));
    }
    if !npl_pack_id.gs1_check_ok() {
        warnings.push(ImportIssue::new(
            n,
            format!("NPL-pack-id:t {npl_pack_id} klarar inte GS1-kontrollen (varning)."),
        ));
    }
    let amount = match &raw.amount {
        None | Some(serde_json::Value::Null) => None,
        Some(v) => {
            let s = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let q = Quantity::parse(&s);
            if q.is_none() {
                warnings.push(ImportIssue::new(
                    n,
                    format!("ANTAL_NUMERISKT {s:?} är inte ett antal; det lämnades tomt."),
                ));
            }
            q
        }
    };
    let price = match &raw.price {
        None | Some(serde_json::Value::Null) => None,
        Some(v) => {
            let s = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            match Money::parse_swedish(&s) {
                Ok(m) if !m.is_negative() => Some(m),
                _ => {
                    warnings.push(ImportIssue::new(
                        n,
                        format!("PRIS {s:?} är inte ett belopp; priset lämnades tomt."),
                    ));
                    None
                }
            }
        }
    };
    Ok(PackageRow {
        line: n,
        npl_id,
        npl_pack_id,
        varunummer,
        amount,
        size_text: raw.size_text.unwrap_or_default().trim().to_owned(),
        product_name,
        description: raw.description.unwrap_or_default().trim().to_owned(),
        price,
    })
}

fn json_reason(e: &serde_json::Error) -> String {
    // serde_json's message ends with " at line 1 column N"; the column is given separately.
    let s = e.to_string();
    match s.find(" at line ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

/// The product name without trade-mark signs: "Inolaxol®" → "Inolaxol".
pub fn clean_name(name: &str) -> String {
    let s: String = name
        .chars()
        .filter(|c| !matches!(c, '®' | '™' | '©'))
        .collect();
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Form and strength from `BENEMNING` (best effort): "Salazopyrin, tablett 500 mg Pfizer AB"
/// → ("Tablett", "500 mg"). The form is the lower-case words after the name up to the first
/// number or capitalised word; the strength runs from the first number to the last number and
/// the unit words after it, leaving out a trailing company name.
pub fn split_description(product_name: &str, description: &str) -> (String, String) {
    let name = clean_name(product_name);
    let rest = match description.strip_prefix(name.as_str()) {
        Some(r) => r.trim_start_matches([',', ' ']),
        None => match description.split_once(", ") {
            Some((_, r)) => r,
            None => "",
        },
    };
    let tokens: Vec<&str> = rest.split_whitespace().collect();
    let first_num = tokens
        .iter()
        .position(|t| t.chars().next().is_some_and(|c| c.is_ascii_digit()));
    let form_end = tokens
        .iter()
        .position(|t| {
            t.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        })
        .unwrap_or(tokens.len());
    let form = tokens[..form_end].join(" ");
    let form = form.trim_end_matches([',', ' ']);
    let strength = match first_num {
        None => String::new(),
        Some(start) => {
            let last_num = tokens
                .iter()
                .rposition(|t| t.chars().any(|c| c.is_ascii_digit()))
                .unwrap_or(start);
            let mut end = last_num + 1;
            while let Some(t) = tokens.get(end) {
                let unit = t.chars().next().is_some_and(|c| c.is_lowercase())
                    || matches!(*t, "IE" | "E" | "%" | "+" | "U" | "KIE");
                if !unit {
                    break;
                }
                end += 1;
            }
            tokens[start..end].join(" ")
        }
    };
    (capitalise(form), strength)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Groups rows into products (in order of first appearance): name from `PRODUKTNAMN`, form
/// and strength from `BENEMNING`, one package per row. Nothing else is known from this list
/// (ATC, classes, prescription status stay empty).
pub fn to_products(rows: &[PackageRow]) -> Vec<Product> {
    let mut order: Vec<Product> = Vec::new();
    let mut index: HashMap<NplId, usize> = HashMap::new();
    for row in rows {
        let i = *index.entry(row.npl_id).or_insert_with(|| {
            let mut p = Product::new(row.npl_id, clean_name(&row.product_name));
            let (form, strength) = split_description(&row.product_name, &row.description);
            p.form = form;
            p.strength = strength;
            order.push(p);
            order.len() - 1
        });
        if let Some(p) = order.get_mut(i) {
            p.packages.push(package_of(row));
        }
    }
    order
}

fn package_of(row: &PackageRow) -> Package {
    Package {
        varunummer: Some(row.varunummer),
        amount: row.amount,
        price: row.price,
        ..Package::new(row.npl_pack_id, row.size_text.clone())
    }
}

/// Joins the package list into products read from the NPL export: packages get varunummer,
/// amount and price (and a size text if they had none); packages and products only in the list
/// are added as [`to_products`] builds them.
pub fn join(mut products: Vec<Product>, rows: &[PackageRow]) -> Vec<Product> {
    let index: HashMap<NplId, usize> = products
        .iter()
        .enumerate()
        .map(|(i, p)| (p.npl_id, i))
        .collect();
    let mut orphans = Vec::new();
    for row in rows {
        let Some(product) = index.get(&row.npl_id).and_then(|&i| products.get_mut(i)) else {
            orphans.push(row.clone());
            continue;
        };
        match product
            .packages
            .iter_mut()
            .find(|p| p.npl_pack_id == row.npl_pack_id)
        {
            Some(pack) => {
                pack.varunummer = Some(row.varunummer);
                pack.amount = row.amount.or(pack.amount);
                pack.price = row.price.or(pack.price);
                if pack.size_text.is_empty() {
                    pack.size_text = row.size_text.clone();
                }
            }
            None => product.packages.push(package_of(row)),
        }
    }
    products.extend(to_products(&orphans));
    products
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(s: &str) -> Imported<PackageRow> {
        parse(s.as_bytes())
    }

    const GOOD: &str = r#"{ "NPLID" : "19450927000016", "NPLPACKAGEID" : "19771001100010", "VARUNR" : "424432", "ANTAL_NUMERISKT" : 300, "ANTAL_KLARTEXT" : "300 styck", "PRODUKTNAMN" : "Salazopyrin®", "BENEMNING" : "Salazopyrin, tablett 500 mg Pfizer AB", "PRIS" : "331,27" }"#;

    #[test]
    fn good_line() {
        let r = parse_str(GOOD);
        assert!(r.report.is_clean(), "{:?}", r.report);
        let row = &r.items[0];
        assert_eq!(row.line, 1);
        assert_eq!(row.varunummer.as_str(), "424432");
        assert_eq!(row.amount, Some(Quantity::whole(300)));
        assert_eq!(row.price, Some(Money::from_ore(33127)));
        assert_eq!(row.price.unwrap().to_string(), "331,27 kr");
    }

    #[test]
    fn bad_lines_are_reported_with_numbers_and_skipped() {
        let decimal_comma = GOOD.replace(": 300,", ": 7,5,");
        let bad_id = GOOD.replace("19450927000016", "SB450927000016");
        let bad_varunr = GOOD.replace("424432", "42443");
        let missing = r#"{ "NPLID" : "19450927000016" }"#;
        let text = [
            GOOD,
            "",
            &decimal_comma,
            &bad_id,
            "not json at all",
            &bad_varunr,
            missing,
            "{",
            "\u{0}\u{1}",
            GOOD,
        ]
        .join("\n");
        let r = parse_str(&text);
        assert_eq!(r.report.read, 10);
        assert_eq!(r.report.accepted, 2);
        let lines: Vec<usize> = r.report.skipped.iter().map(|i| i.line).collect();
        assert_eq!(lines, [3, 4, 5, 6, 7, 8, 9]);
        assert!(
            r.report.skipped[0]
                .to_string()
                .starts_with("rad 3: raden är inte giltig JSON")
        );
        assert!(r.report.skipped[1].to_string().contains("NPLID"));
        assert!(r.report.skipped[3].to_string().contains("Varunumret"));
        assert_eq!(r.items[1].line, 10);
    }

    #[test]
    fn odd_prices_and_amounts() {
        let r = parse_str(&GOOD.replace("\"331,27\"", "\",98\""));
        assert_eq!(r.items[0].price, Some(Money::from_ore(98)));
        let r = parse_str(&GOOD.replace("\"331,27\"", "\"16187\""));
        assert_eq!(r.items[0].price, Some(Money::from_kronor(16187)));
        let r = parse_str(&GOOD.replace("\"331,27\"", "\"gratis\""));
        assert_eq!(r.items[0].price, None);
        assert_eq!(r.report.warnings.len(), 1);
        assert!(r.report.warnings[0].to_string().starts_with("rad 1: PRIS"));
        let r = parse_str(&GOOD.replace(": 300,", ": 3.5,"));
        assert_eq!(r.items[0].amount.unwrap().to_string(), "3,5");
        let r = parse_str(&GOOD.replace(": 300,", ": -3,"));
        assert_eq!(r.items[0].amount, None);
        assert_eq!(r.report.warnings.len(), 1);
    }

    #[test]
    fn description_split() {
        let cases = [
            (
                "Salazopyrin®",
                "Salazopyrin, tablett 500 mg Pfizer AB",
                "Tablett",
                "500 mg",
            ),
            ("Inolaxol®", "Inolaxol, granulat", "Granulat", ""),
            (
                "Epanutin®",
                "Epanutin, kapsel, hård 100 mg",
                "Kapsel, hård",
                "100 mg",
            ),
            (
                "Locacorten®-Vioform®",
                "Locacorten-Vioform, örondroppar, lösning 0,2 mg/ml + 10 mg/ml",
                "Örondroppar, lösning",
                "0,2 mg/ml + 10 mg/ml",
            ),
            (
                "IntronA (flerdospenna)",
                "IntronA (flerdospenna), inj-vätska, lösning 18 milj IE Orifarm AB",
                "Inj-vätska, lösning",
                "18 milj IE",
            ),
            (
                "Terracortril® med Polymyxin B",
                "Terracortril med Polymyxin B, ögon-/öronsalva Pfizer AB",
                "Ögon-/öronsalva",
                "",
            ),
            (
                "Ficortril®",
                "Ficortril, ögonsalva 0,5 %",
                "Ögonsalva",
                "0,5 %",
            ),
        ];
        for (name, desc, form, strength) in cases {
            assert_eq!(
                split_description(name, desc),
                (form.to_owned(), strength.to_owned()),
                "{desc}"
            );
        }
        assert_eq!(clean_name("Locacorten®-Vioform®"), "Locacorten-Vioform");
    }

    #[test]
    fn grouping_and_join() {
        let second = GOOD
            .replace("19771001100010", "19410401100014")
            .replace("424432", "162354")
            .replace(": 300,", ": 100,");
        let r = parse_str(&format!("{GOOD}\n{second}"));
        let products = to_products(&r.items);
        assert_eq!(products.len(), 1);
        assert_eq!(products[0].name, "Salazopyrin");
        assert_eq!(products[0].form, "Tablett");
        assert_eq!(products[0].packages.len(), 2);

        let mut xml_product = Product::new(products[0].npl_id, "Salazopyrin");
        xml_product.atc = Some(erecept_domain::AtcCode::parse("A07EC01").unwrap());
        xml_product
            .packages
            .push(Package::new(r.items[0].npl_pack_id, "300 tablett(er)"));
        let joined = join(vec![xml_product], &r.items);
        assert_eq!(joined.len(), 1);
        let p = &joined[0];
        assert!(p.atc.is_some());
        assert_eq!(p.packages.len(), 2);
        assert_eq!(p.packages[0].size_text, "300 tablett(er)");
        assert_eq!(p.packages[0].varunummer.unwrap().as_str(), "424432");
        assert_eq!(p.packages[1].varunummer.unwrap().as_str(), "162354");
    }
}
