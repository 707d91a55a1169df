//! Läkemedelsverket's NPL export: one XML document per product (DOMAIN §6).
//!
//! Read fields: `mpa:nplid`, `npl:names/mpa:medprodname@v`, `mpa:strength-text/mpa:v`,
//! `mpa:pharmaceutical-form-lx@v`, `mpa:productclass-lx@v`, `mpa:prescription-lx@v`,
//! `npl:classifications/mpa:atc-code-lx@v` and `mpa:narcotic-class-lx@v`,
//! `npl:flags/mpa:salesstopped@v`, and per `npl:packages/npl:package` its `mpa:nplpackid`,
//! `mpa:pack-text/mpa:v` and `npl:prescription/mpa:otc@v`.
//!
//! Elements are matched by namespace (`urn:schemas-npl:instance:12` and
//! `urn:schemas-npl:mpa:12`), not by prefix. The export carries substances only as lexicon
//! ids, and no prices, varunummer or special-drug code: those stay empty here and come from the
//! package list ([`crate::packages_ndjson`], joined with [`crate::packages_ndjson::join`]).
//!
//! The nightly export is a zip file of such documents; this crate reads an unpacked folder
//! ([`import_dir`]) and has no zip reader (it would add a heavy dependency).

use std::path::Path;

use erecept_domain::{AtcCode, NplId, NplPackId};
use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

use crate::model::{NarcoticsClass, Package, PrescriptionStatus, Product, ProductKind, form_name};
use crate::report::{ImportIssue, ImportReport, Imported, line_of};

pub const NS_INSTANCE: &[u8] = b"urn:schemas-npl:instance:12";
pub const NS_MPA: &[u8] = b"urn:schemas-npl:mpa:12";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    Npl,
    Mpa,
    Other,
}

/// A product read from one document, and remarks that did not stop it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedProduct {
    pub product: Product,
    pub warnings: Vec<ImportIssue>,
}

#[derive(Default)]
struct PackDraft {
    id: Option<(String, usize)>,
    text: String,
    otc: Option<bool>,
    line: usize,
}

#[derive(Default)]
struct Draft {
    npl_id: Option<(String, usize)>,
    name: Option<String>,
    strength: String,
    form_code: Option<String>,
    product_class: Option<String>,
    prescription: Option<String>,
    atc: Option<(String, usize)>,
    narcotic: Option<(String, usize)>,
    sales_stopped: Option<String>,
    packages: Vec<PackDraft>,
}

fn yes_no(v: &str) -> Option<bool> {
    match v.trim() {
        "Y" | "J" | "y" | "j" | "true" | "1" => Some(true),
        "N" | "n" | "false" | "0" => Some(false),
        _ => None,
    }
}

/// Parses one NPL product document. A document that is not well-formed, is not an
/// `npl:medprod`, or lacks a valid NPL-id or name is an error naming its line; a bad ATC code,
/// narcotics class or package id is a warning and that field or package is left out.
pub fn parse_product(xml: &str) -> Result<ParsedProduct, ImportIssue> {
    let mut reader = NsReader::from_str(xml);
    // Element path as (namespace, local name) and the text of the innermost element.
    let mut path: Vec<(Ns, String)> = Vec::new();
    let mut text = String::new();
    let mut draft = Draft::default();
    let mut root_seen = false;
    let mut warnings = Vec::new();

    loop {
        let pos = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let line = line_of(xml, pos);
        let (ns, event) = match reader.read_resolved_event() {
            Ok(r) => r,
            Err(e) => {
                let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
                return Err(ImportIssue::new(
                    line_of(xml, at),
                    format!("XML-filen är inte välformad ({e})."),
                ));
            }
        };
        let ns = match ns {
            ResolveResult::Bound(n) if n.as_ref() == NS_INSTANCE => Ns::Npl,
            ResolveResult::Bound(n) if n.as_ref() == NS_MPA => Ns::Mpa,
            _ => Ns::Other,
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if !root_seen {
                    if ns != Ns::Npl || local != "medprod" {
                        return Err(ImportIssue::new(
                            line,
                            "Filen är inte en NPL-produkt (rotelementet ska vara npl:medprod i namnrymden urn:schemas-npl:instance:12).",
                        ));
                    }
                    root_seen = true;
                }
                let mut v = None;
                for attr in e.attributes().flatten() {
                    if attr.key.local_name().as_ref() == b"v" {
                        v = attr
                            .decode_and_unescape_value(reader.decoder())
                            .ok()
                            .map(|c| c.trim().to_owned());
                    }
                }
                path.push((ns, local));
                text.clear();
                on_element(&path, v, line, &mut draft);
                if matches!(event, Event::Empty(_)) {
                    path.pop();
                }
            }
            Event::Text(t) => {
                if let Ok(s) = t.xml_content() {
                    text.push_str(&s);
                }
            }
            Event::CData(t) => {
                if let Ok(s) = t.decode() {
                    text.push_str(&s);
                }
            }
            Event::GeneralRef(r) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text.push(c);
                } else if let Ok(name) = r.decode()
                    && let Some(s) = quick_xml::escape::resolve_predefined_entity(&name)
                {
                    text.push_str(s);
                }
            }
            Event::End(_) => {
                on_text(&path, text.trim(), line, &mut draft);
                text.clear();
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !root_seen {
        return Err(ImportIssue::new(1, "Filen innehåller ingen NPL-produkt."));
    }
    build(draft, &mut warnings).map(|product| ParsedProduct { product, warnings })
}

fn is(path: &[(Ns, String)], want: &[(Ns, &str)]) -> bool {
    path.len() >= want.len()
        && path[path.len() - want.len()..]
            .iter()
            .zip(want)
            .all(|((ns, l), (wns, wl))| ns == wns && l == wl)
}

fn on_element(path: &[(Ns, String)], v: Option<String>, line: usize, d: &mut Draft) {
    use Ns::{Mpa, Npl};
    if is(path, &[(Npl, "package")]) && path.len() == 3 {
        d.packages.push(PackDraft {
            line,
            ..PackDraft::default()
        });
        return;
    }
    let Some(v) = v else { return };
    let top = path.len() == 2; // directly under npl:medprod
    if is(path, &[(Npl, "names"), (Mpa, "medprodname")]) && path.len() == 3 {
        d.name = Some(v);
    } else if top && is(path, &[(Mpa, "pharmaceutical-form-lx")]) {
        d.form_code = Some(v);
    } else if top && is(path, &[(Mpa, "productclass-lx")]) {
        d.product_class = Some(v);
    } else if top && is(path, &[(Mpa, "prescription-lx")]) {
        d.prescription = Some(v);
    } else if is(path, &[(Npl, "classifications"), (Mpa, "atc-code-lx")]) {
        d.atc.get_or_insert((v, line));
    } else if is(
        path,
        &[(Npl, "classifications"), (Mpa, "narcotic-class-lx")],
    ) {
        d.narcotic = Some((v, line));
    } else if is(path, &[(Npl, "flags"), (Mpa, "salesstopped")]) {
        d.sales_stopped = Some(v);
    } else if is(
        path,
        &[(Npl, "package"), (Npl, "prescription"), (Mpa, "otc")],
    ) && let Some(p) = d.packages.last_mut()
    {
        p.otc = yes_no(&v);
    }
}

fn on_text(path: &[(Ns, String)], text: &str, line: usize, d: &mut Draft) {
    use Ns::{Mpa, Npl};
    if text.is_empty() {
        return;
    }
    if path.len() == 2 && is(path, &[(Mpa, "nplid")]) {
        d.npl_id = Some((text.to_owned(), line));
    } else if path.len() == 3 && is(path, &[(Mpa, "strength-text"), (Mpa, "v")]) {
        d.strength = text.to_owned();
    } else if is(path, &[(Npl, "package"), (Mpa, "nplpackid")])
        && let Some(p) = d.packages.last_mut()
    {
        p.id = Some((text.to_owned(), line));
    } else if is(path, &[(Npl, "package"), (Mpa, "pack-text"), (Mpa, "v")])
        && let Some(p) = d.packages.last_mut()
    {
        p.text = text.to_owned();
    }
}

fn build(d: Draft, warnings: &mut Vec<ImportIssue>) -> Result<Product, ImportIssue> {
    let (id_text, id_line) = d
        .npl_id
        .ok_or_else(|| ImportIssue::new(1, "mpa:nplid saknas."))?;
    let npl_id = NplId::parse(&id_text).map_err(|e| ImportIssue::new(id_line, e.to_string()))?;
    if !npl_id.gs1_check_ok() {
        warnings.push(ImportIssue::new(
            id_line,
            format!("NPL-id:t {npl_id} klarar inte GS1-kontrollen (varning)."),
        ));
    }
    let name = d
        .name
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ImportIssue::new(id_line, "Produktnamn (mpa:medprodname) saknas."))?;
    let mut product = Product::new(npl_id, name);
    product.strength = d.strength;
    product.form = d
        .form_code
        .map(|c| form_name(&c).map_or(c, str::to_owned))
        .unwrap_or_default();
    product.licence_product = d.product_class.as_deref() == Some("LIC");
    product.product_class = d.product_class;
    product.kind = ProductKind::Lakemedel;
    if let Some((atc, line)) = d.atc {
        match AtcCode::parse(&atc) {
            Ok(code) => product.atc = Some(code),
            Err(e) => warnings.push(ImportIssue::new(line, format!("{e} ({atc})"))),
        }
    }
    if let Some((code, line)) = d.narcotic {
        match NarcoticsClass::from_npl_code(&code) {
            Some(c) => product.narcotics_class = c,
            None => warnings.push(ImportIssue::new(
                line,
                format!("Okänd narkotikaklass {code:?}; produkten visas utan klass."),
            )),
        }
    }
    product.sales_stopped = d.sales_stopped.as_deref().and_then(yes_no) == Some(true);
    for p in d.packages {
        let Some((id_text, line)) = p.id else {
            warnings.push(ImportIssue::new(
                p.line,
                "Förpackning utan mpa:nplpackid hoppades över.",
            ));
            continue;
        };
        match NplPackId::parse(&id_text) {
            Ok(id) => {
                if !id.gs1_check_ok() {
                    warnings.push(ImportIssue::new(
                        line,
                        format!("NPL-pack-id:t {id} klarar inte GS1-kontrollen (varning)."),
                    ));
                }
                let mut pack = Package::new(id, p.text);
                if p.otc == Some(true) {
                    product.prescription = PrescriptionStatus::Receptfritt;
                }
                pack.available = !product.sales_stopped;
                product.packages.push(pack);
            }
            Err(e) => warnings.push(ImportIssue::new(
                line,
                format!("{e} Förpackningen hoppades över."),
            )),
        }
    }
    if product.prescription == PrescriptionStatus::Okant && d.prescription.is_some() {
        product.prescription = PrescriptionStatus::Receptbelagt;
    }
    Ok(product)
}

/// Reads every `*.xml` file of a folder (not recursive), in file-name order. A file that cannot
/// be read or parsed is skipped and reported with its name and line; `read` counts files.
pub fn import_dir(dir: &Path) -> std::io::Result<Imported<Product>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("xml")))
        .collect();
    files.sort();
    let mut report = ImportReport::default();
    let mut items = Vec::new();
    for path in files {
        report.read += 1;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = match std::fs::read(&path).map(String::from_utf8) {
            Ok(Ok(t)) => t,
            Ok(Err(_)) => {
                report
                    .skipped
                    .push(ImportIssue::new(1, "Filen är inte UTF-8-kodad.").in_file(name.clone()));
                continue;
            }
            Err(e) => {
                report.skipped.push(
                    ImportIssue::new(1, format!("Filen kunde inte läsas ({e}).")).in_file(name),
                );
                continue;
            }
        };
        match parse_product(&text) {
            Ok(parsed) => {
                report.accepted += 1;
                report
                    .warnings
                    .extend(parsed.warnings.into_iter().map(|w| w.in_file(name.clone())));
                items.push(parsed.product);
            }
            Err(issue) => report.skipped.push(issue.in_file(name)),
        }
    }
    Ok(Imported { items, report })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_data::read_shared;

    fn celectol() -> String {
        read_shared("npl/10010101000011.xml")
    }

    #[test]
    fn real_celectol() {
        let p = parse_product(&celectol()).unwrap();
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        let p = p.product;
        assert_eq!(p.npl_id.as_str(), "10010101000011");
        assert_eq!(p.name, "Celectol");
        assert_eq!(p.strength, "200 mg");
        assert_eq!(p.form, "Filmdragerad tablett");
        assert_eq!(p.product_class.as_deref(), Some("LIC"));
        assert!(p.licence_product);
        assert_eq!(p.kind, ProductKind::Lakemedel);
        assert_eq!(p.atc.as_ref().unwrap().as_str(), "C07AB08");
        assert_eq!(p.narcotics_class, NarcoticsClass::None);
        assert_eq!(p.prescription, PrescriptionStatus::Receptbelagt);
        assert!(!p.sales_stopped && p.marketed && !p.withdrawn);
        assert_eq!(p.packages.len(), 1);
        assert_eq!(p.packages[0].npl_pack_id.as_str(), "20131105100082");
        assert_eq!(p.packages[0].size_text, "Licensförpackning");
        assert_eq!(p.packages[0].varunummer, None);
        assert!(p.is_available());
    }

    #[test]
    fn real_nifehexal() {
        let p = parse_product(&read_shared("npl/10010101000035.xml"))
            .unwrap()
            .product;
        assert_eq!(p.npl_id.as_str(), "10010101000035");
        assert_eq!(p.name, "Nifehexal");
        assert_eq!(p.strength, "20 mg/ml");
        assert_eq!(p.form, "Orala droppar, lösning");
        assert!(p.licence_product);
        assert_eq!(p.atc.as_ref().unwrap().as_str(), "C08CA05");
        assert_eq!(p.packages.len(), 1);
        assert_eq!(p.packages[0].npl_pack_id.as_str(), "20131219100060");
        assert_eq!(p.packages[0].size_text, "Licensförpackning");
    }

    #[test]
    fn other_prefixes_same_namespaces() {
        let xml = celectol()
            .replace("<mpa:", "<m:")
            .replace("</mpa:", "</m:")
            .replace("xmlns:mpa=", "xmlns:m=");
        let p = parse_product(&xml).unwrap().product;
        assert_eq!(p.name, "Celectol");
        assert_eq!(p.packages.len(), 1);
    }

    #[test]
    fn flags_and_narcotics() {
        let xml = celectol()
            .replace(r#"<mpa:salesstopped v="N""#, r#"<mpa:salesstopped v="Y""#)
            .replace(r#"narcotic-class-lx v="0""#, r#"narcotic-class-lx v="4""#)
            .replace(r#"<mpa:otc v="N""#, r#"<mpa:otc v="Y""#);
        let p = parse_product(&xml).unwrap().product;
        assert!(p.sales_stopped);
        assert!(!p.is_available());
        assert_eq!(p.narcotics_class, NarcoticsClass::IV);
        assert_eq!(p.prescription, PrescriptionStatus::Receptfritt);
    }

    #[test]
    fn errors_name_the_line() {
        let broken = celectol().replace("</npl:names>", "</npl:namez>");
        let e = parse_product(&broken).unwrap_err();
        assert_eq!(e.line, 7, "{e}");
        assert!(
            e.to_string()
                .starts_with("rad 7: XML-filen är inte välformad"),
            "{e}"
        );

        let bad_id = celectol().replace(">10010101000011<", ">10010101100011<");
        let e = parse_product(&bad_id).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.to_string().contains("NPL-pack-id"), "{e}");

        let e = parse_product("<root/>").unwrap_err();
        assert!(e.message.contains("npl:medprod"));
        assert!(parse_product("").is_err());
    }

    #[test]
    fn warnings_keep_the_product() {
        let xml = celectol()
            .replace(r#"atc-code-lx v="C07AB08""#, r#"atc-code-lx v="X99""#)
            .replace(">20131105100082<", ">20131105100083<");
        let p = parse_product(&xml).unwrap();
        assert_eq!(p.product.atc, None);
        assert_eq!(p.warnings.len(), 2, "{:?}", p.warnings);
        assert_eq!(p.warnings[0].line, 27);
        assert!(p.warnings[0].message.contains("ATC"), "{}", p.warnings[0]);
        assert_eq!(p.warnings[1].line, 56);
        assert!(p.warnings[1].message.contains("GS1"));
        assert_eq!(p.product.packages.len(), 1);
    }
}
