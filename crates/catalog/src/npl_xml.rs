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
//! The nightly export is a zip file of such documents: [`import`] reads the zip or an unpacked
//! folder of them, one document at a time.

use std::io::Read;
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

/// The largest document read from a zip. The register's documents are tens of kilobytes; an
/// entry that unpacks to more is a damaged or hostile file, not a product.
pub const MAX_DOCUMENT_BYTES: u64 = 16 * 1024 * 1024;

/// Reads the NPL export at `path`: the nightly zip, or a folder it was unpacked into. Every
/// `*.xml` document is read in name order (a folder not recursively, a zip with its inner
/// folders); a document that cannot be read or parsed is skipped and reported with its name and
/// line, and `read` counts documents. `progress` is told (documents done, documents in all)
/// after each one. An error means the folder or zip itself could not be opened.
pub fn import(
    path: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> std::io::Result<Imported<Product>> {
    if path.is_dir() {
        import_dir(path, progress)
    } else {
        import_zip(path, progress)
    }
}

/// [`import`] of an unpacked folder.
pub fn import_dir(
    dir: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> std::io::Result<Imported<Product>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| is_xml(&p.to_string_lossy()))
        .collect();
    files.sort();
    let mut documents = Documents::default();
    for (done, path) in files.iter().enumerate() {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = std::fs::read(path).map_err(|e| format!("Filen kunde inte läsas ({e})."));
        documents.add(name, bytes);
        progress(done + 1, files.len());
    }
    Ok(documents.into_imported())
}

/// [`import`] of the zip file itself.
pub fn import_zip(
    file: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> std::io::Result<Imported<Product>> {
    let opened = std::fs::File::open(file)?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(opened)).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not a folder or a readable zip file ({e})"),
        )
    })?;
    // (name, index) of the documents, in name order; a name that cannot be decoded is named by
    // its place in the zip and reported.
    let mut entries: Vec<(String, usize, Option<String>)> = Vec::new();
    for index in 0..archive.len() {
        match archive.name_for_index(index) {
            Some(Ok(name)) if !name.ends_with('/') && is_xml(&name) => {
                entries.push((name.into_owned(), index, None));
            }
            Some(Err(e)) => entries.push((
                format!("post {}", index + 1),
                index,
                Some(format!("Filnamnet kunde inte läsas ({e}).")),
            )),
            _ => {}
        }
    }
    entries.sort();
    let mut documents = Documents::default();
    for (done, (name, index, bad_name)) in entries.iter().enumerate() {
        let bytes = match bad_name {
            Some(why) => Err(why.clone()),
            None => archive
                .by_index(*index)
                .map_err(|e| format!("Filen kunde inte packas upp ({e})."))
                .and_then(unpack),
        };
        documents.add(name.clone(), bytes);
        progress(done + 1, entries.len());
    }
    Ok(documents.into_imported())
}

/// One zip entry's bytes, at most [`MAX_DOCUMENT_BYTES`] whatever its header claims.
fn unpack(entry: impl Read) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    entry
        .take(MAX_DOCUMENT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("Filen kunde inte packas upp ({e})."))?;
    if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
        return Err(format!(
            "Filen är större än {} MB och lästes inte.",
            MAX_DOCUMENT_BYTES / (1024 * 1024)
        ));
    }
    Ok(bytes)
}

fn is_xml(name: &str) -> bool {
    Path::new(name)
        .extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("xml"))
}

/// The documents read so far, whatever they came from.
#[derive(Default)]
struct Documents {
    items: Vec<Product>,
    report: ImportReport,
}

impl Documents {
    /// One document: its bytes, or why they could not be had (a Swedish sentence).
    fn add(&mut self, name: String, bytes: Result<Vec<u8>, String>) {
        self.report.read += 1;
        let text = match bytes.map(String::from_utf8) {
            Ok(Ok(text)) => text,
            Ok(Err(_)) => {
                self.report
                    .skipped
                    .push(ImportIssue::new(1, "Filen är inte UTF-8-kodad.").in_file(name));
                return;
            }
            Err(why) => {
                self.report
                    .skipped
                    .push(ImportIssue::new(1, why).in_file(name));
                return;
            }
        };
        match parse_product(&text) {
            Ok(parsed) => {
                self.report.accepted += 1;
                self.report
                    .warnings
                    .extend(parsed.warnings.into_iter().map(|w| w.in_file(name.clone())));
                self.items.push(parsed.product);
            }
            Err(issue) => self.report.skipped.push(issue.in_file(name)),
        }
    }

    fn into_imported(self) -> Imported<Product> {
        Imported {
            items: self.items,
            report: self.report,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_data::read_shared;

    fn celectol() -> String {
        read_shared("npl/10010101000011.xml")
    }

    /// A scratch file that is removed when dropped.
    struct Scratch(std::path::PathBuf);

    impl Scratch {
        fn new(name: &str) -> Self {
            Self(std::env::temp_dir().join(format!("erecept-npl-{}-{name}", std::process::id())))
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Writes a deflated zip of (name, bytes); a name ending in `/` is a folder entry.
    fn zip_of(name: &str, entries: &[(&str, &[u8])]) -> Scratch {
        use std::io::Write;
        let scratch = Scratch::new(name);
        let mut writer = zip::ZipWriter::new(std::fs::File::create(&scratch.0).unwrap());
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (entry, bytes) in entries {
            if entry.ends_with('/') {
                writer.add_directory(*entry, options).unwrap();
            } else {
                writer.start_file(*entry, options).unwrap();
                writer.write_all(bytes).unwrap();
            }
        }
        writer.finish().unwrap();
        scratch
    }

    #[test]
    fn the_nightly_zip_is_read_like_the_folder() {
        let nifehexal = read_shared("npl/10010101000035.xml");
        let zip = zip_of(
            "total.zip",
            &[
                ("NPL/", b""),
                ("NPL/10010101000035.xml", nifehexal.as_bytes()),
                ("NPL/10010101000011.XML", celectol().as_bytes()),
                ("NPL/LASMIG.txt", b"inte ett dokument"),
            ],
        );
        let mut seen = Vec::new();
        let imported = import(&zip.0, &mut |done, total| seen.push((done, total))).unwrap();
        assert_eq!(seen, [(1, 2), (2, 2)], "progress after each document");
        assert_eq!(imported.report.read, 2, "only the XML documents count");
        assert_eq!(imported.report.accepted, 2);
        assert!(imported.report.is_clean(), "{:?}", imported.report);

        let folder = Scratch::new("folder");
        std::fs::create_dir(&folder.0).unwrap();
        std::fs::write(folder.0.join("10010101000035.xml"), &nifehexal).unwrap();
        std::fs::write(folder.0.join("10010101000011.XML"), celectol()).unwrap();
        std::fs::write(folder.0.join("LASMIG.txt"), "inte ett dokument").unwrap();
        let from_folder = import(&folder.0, &mut |_, _| {}).unwrap();
        assert_eq!(
            imported.items, from_folder.items,
            "same products, same order"
        );
        let names: Vec<&str> = imported.items.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Celectol", "Nifehexal"], "in name order");
    }

    #[test]
    fn a_bad_document_in_the_zip_is_skipped_with_its_name() {
        let oversized = vec![b' '; usize::try_from(MAX_DOCUMENT_BYTES).unwrap() + 1];
        let zip = zip_of(
            "bad.zip",
            &[
                ("a-latin1.xml", b"<npl:product>\xe5</npl:product>"),
                ("b-huge.xml", &oversized),
                ("c-broken.xml", b"<npl:product>"),
                ("d-celectol.xml", celectol().as_bytes()),
            ],
        );
        let imported = import(&zip.0, &mut |_, _| {}).unwrap();
        assert_eq!(imported.report.read, 4);
        assert_eq!(imported.report.accepted, 1);
        assert_eq!(imported.items[0].name, "Celectol");
        let skipped: Vec<(Option<&str>, &str)> = imported
            .report
            .skipped
            .iter()
            .map(|i| (i.file.as_deref(), i.message.as_str()))
            .collect();
        assert_eq!(
            skipped[0],
            (Some("a-latin1.xml"), "Filen är inte UTF-8-kodad.")
        );
        assert_eq!(
            skipped[1],
            (
                Some("b-huge.xml"),
                "Filen är större än 16 MB och lästes inte."
            )
        );
        assert_eq!(skipped[2].0, Some("c-broken.xml"));
        assert_eq!(skipped.len(), 3);
    }

    #[test]
    fn a_file_that_is_no_zip_is_refused_whole() {
        let file = Scratch::new("not.zip");
        std::fs::write(&file.0, "id;namn\n1;Alvedon\n").unwrap();
        let err = import(&file.0, &mut |_, _| {}).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
        assert!(
            err.to_string()
                .contains("not a folder or a readable zip file"),
            "{err}"
        );
        let missing = Scratch::new("missing.zip");
        assert_eq!(
            import(&missing.0, &mut |_, _| {}).unwrap_err().kind(),
            std::io::ErrorKind::NotFound
        );
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
