//! Tests of the finished file, read back with a small parser of its own structure.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use erecept_pdf::Document;
use proptest::prelude::*;

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find(haystack, needle, 0).is_some()
}

/// The decimal number at the start of `bytes`.
fn number_at(bytes: &[u8]) -> usize {
    let digits: Vec<u8> = bytes
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .copied()
        .collect();
    String::from_utf8(digits).unwrap().parse().unwrap()
}

/// Checks the structure of the file: header, every cross-reference entry pointing exactly at
/// "N 0 obj", as many entries as objects, /Size, startxref and the end. Gives the offsets.
fn check_structure(pdf: &[u8]) -> Vec<usize> {
    assert!(pdf.starts_with(b"%PDF-1.4\n"));
    assert!(pdf.ends_with(b"%%EOF\n"));

    let startxref = rfind(pdf, b"startxref\n").expect("startxref");
    let xref = number_at(&pdf[startxref + 10..]);
    assert!(
        pdf[xref..].starts_with(b"xref\n0 "),
        "startxref points at the table"
    );
    let size = number_at(&pdf[xref + 7..]);
    let entries = find(pdf, b"\n", xref + 5).unwrap() + 1;
    assert_eq!(&pdf[entries..entries + 20], b"0000000000 65535 f \n");

    let mut offsets = Vec::new();
    for id in 1..size {
        let entry = &pdf[entries + 20 * id..entries + 20 * (id + 1)];
        assert_eq!(&entry[10..], b" 00000 n \n", "entry {id}");
        let offset = number_at(entry);
        let header = format!("{id} 0 obj\n");
        assert!(
            pdf[offset..].starts_with(header.as_bytes()),
            "entry {id} points at {:?}",
            String::from_utf8_lossy(&pdf[offset..(offset + 12).min(pdf.len())])
        );
        offsets.push(offset);
    }
    let trailer = entries + 20 * size;
    assert!(pdf[trailer..].starts_with(b"trailer\n"));
    assert!(contains(
        &pdf[trailer..],
        format!("/Size {size} /Root 1 0 R /Info 5 0 R").as_bytes()
    ));
    // As many objects as entries, and the entries in file order: every object is covered.
    assert_eq!(count(pdf, b" 0 obj\n"), size - 1);
    assert_eq!(count(pdf, b"\nendobj\n"), size - 1);
    assert!(offsets.windows(2).all(|w| w[0] < w[1]));
    offsets
}

/// The data of every stream, checked against its /Length.
fn streams(pdf: &[u8]) -> Vec<Vec<u8>> {
    let mut streams = Vec::new();
    let mut from = 0;
    while let Some(start) = find(pdf, b" >>\nstream\n", from) {
        let length_at = rfind(&pdf[..start], b"/Length ").unwrap() + 8;
        let length = number_at(&pdf[length_at..]);
        let data = start + 11;
        assert!(pdf[data + length..].starts_with(b"\nendstream\nendobj\n"));
        streams.push(pdf[data..data + length].to_vec());
        from = data + length;
    }
    streams
}

fn page_count(pdf: &[u8]) -> usize {
    let at = find(pdf, b"/Type /Pages ", 0).unwrap();
    let count = find(pdf, b"/Count ", at).unwrap();
    number_at(&pdf[count + 7..])
}

#[test]
fn cross_reference_offsets_point_at_each_object() {
    let mut doc = Document::new("Receptsammanfattning");
    doc.heading("Receptsammanfattning");
    doc.field("Patient", "Åsa Öberg");
    doc.rule();
    doc.paragraph(&"Ta 1 tablett morgon och kväll. ".repeat(200));
    let pdf = doc.to_bytes();
    let offsets = check_structure(&pdf);
    // Catalog, pages, two fonts, information, and a page object and a stream for each page.
    let pages = page_count(&pdf);
    assert!(pages >= 2);
    assert_eq!(offsets.len(), 5 + 2 * pages);
    assert_eq!(streams(&pdf).len(), pages);
}

#[test]
fn long_text_gives_more_pages_and_the_footer_counts_them() {
    let mut doc = Document::new("Receptsammanfattning");
    doc.paragraph("Kort.");
    let one = doc.to_bytes();
    assert_eq!(page_count(&one), 1);
    assert!(contains(&one, b"(Sida 1 av 1) Tj"));
    assert!(!contains(&one, b"Sida 2"));

    doc.paragraph(&"Läkemedlet tas med ett glas vatten. ".repeat(150));
    let two = doc.to_bytes();
    check_structure(&two);
    assert_eq!(page_count(&two), 2);
    let streams = streams(&two);
    assert_eq!(streams.len(), 2);
    assert!(contains(&streams[0], b"(Sida 1 av 2) Tj"));
    assert!(contains(&streams[1], b"(Sida 2 av 2) Tj"));
    // The title is in the footer of every page.
    for stream in &streams {
        assert!(contains(stream, b"(Receptsammanfattning) Tj"));
    }

    doc.paragraph(&"Läkemedlet tas med ett glas vatten. ".repeat(300));
    let more = doc.to_bytes();
    let pages = page_count(&more);
    assert!(pages > 2);
    assert!(contains(
        &more,
        format!("(Sida {pages} av {pages}) Tj").as_bytes()
    ));
}

#[test]
fn swedish_letters_are_code_page_1252_bytes() {
    let mut doc = Document::new("Sammanfattning");
    doc.paragraph("åäö ÅÄÖ é – …");
    let pdf = doc.to_bytes();
    let content = &streams(&pdf)[0];
    assert!(
        contains(content, b"(\xE5\xE4\xF6 \xC5\xC4\xD6 \xE9 \x96 \x85) Tj"),
        "{}",
        String::from_utf8_lossy(content)
    );
    // Not UTF-8.
    assert!(!contains(&pdf, "å".as_bytes()));
    // Both fonts say how their bytes are to be read.
    assert_eq!(count(&pdf, b"/Encoding /WinAnsiEncoding"), 2);
    assert!(contains(&pdf, b"/BaseFont /Helvetica /"));
    assert!(contains(&pdf, b"/BaseFont /Helvetica-Bold /"));
}

#[test]
fn characters_outside_code_page_1252_become_question_marks() {
    let mut doc = Document::new("t");
    doc.paragraph("Łódź → 😀");
    let content = &streams(&doc.to_bytes())[0];
    assert!(contains(content, b"(?\xF3d? ? ?) Tj"));
}

#[test]
fn parentheses_and_backslashes_are_escaped() {
    let mut doc = Document::new("t");
    doc.paragraph(r"a (b) c\d ((");
    doc.field("x)", r"\)");
    let content = &streams(&doc.to_bytes())[0];
    assert!(contains(content, br"(a \(b\) c\\d \(\() Tj"));
    assert!(contains(content, br"(x\): ) Tj"));
    assert!(contains(content, br"(\\\)) Tj"));
}

#[test]
fn title_is_in_the_document_information_as_utf16() {
    let doc = Document::new("Receptsammanfattning – Åsa");
    let pdf = doc.to_bytes();
    let hex: String = "Receptsammanfattning – Åsa"
        .encode_utf16()
        .map(|u| format!("{u:04X}"))
        .collect();
    assert!(contains(
        &pdf,
        format!("<< /Title <FEFF{hex}> /Producer (eRecept) >>").as_bytes()
    ));
    assert!(contains(&pdf, b"<FEFF0052006500630065"));
}

#[test]
fn empty_document_is_one_page_with_a_footer() {
    let pdf = Document::new("").to_bytes();
    check_structure(&pdf);
    assert_eq!(page_count(&pdf), 1);
    let streams = streams(&pdf);
    assert_eq!(streams.len(), 1);
    assert!(contains(&streams[0], b"(Sida 1 av 1) Tj"));
    assert!(contains(&pdf, b"/MediaBox [0 0 595.28 841.89]"));
}

#[test]
fn line_breaks_in_the_title_are_spaces_in_the_footer() {
    let pdf = Document::new("Rad ett\nRad två").to_bytes();
    assert!(contains(&streams(&pdf)[0], b"(Rad ett Rad tv\xE5) Tj"));
}

#[test]
fn a_long_title_is_shortened_in_the_footer() {
    let title = "Receptsammanfattning för en patient med ett mycket långt namn ".repeat(5);
    let pdf = Document::new(&title).to_bytes();
    let content = &streams(&pdf)[0];
    // The title ends in an ellipsis and the page number is still there.
    assert!(contains(content, b"\x85) Tj"));
    assert!(contains(content, b"(Sida 1 av 1) Tj"));
    // The full title is kept in the document information.
    let hex: String = title.encode_utf16().map(|u| format!("{u:04X}")).collect();
    assert!(contains(&pdf, format!("/Title <FEFF{hex}>").as_bytes()));
}

#[test]
fn output_is_deterministic() {
    let build = || {
        let mut doc = Document::new("Receptsammanfattning");
        doc.heading("Receptsammanfattning");
        doc.subheading("Alvedon 500 mg");
        doc.field("Dosering", "1–2 tabletter vid behov, högst 8 per dygn");
        doc.rule();
        doc.space(12.0);
        doc.paragraph("Frågor om recepten besvaras av din förskrivare.");
        doc.to_bytes()
    };
    assert_eq!(build(), build());
}

#[derive(Debug, Clone)]
enum Part {
    Heading(String),
    Subheading(String),
    Paragraph(String),
    Field(String, String),
    Rule,
    Space(f32),
}

fn part() -> impl Strategy<Value = Part> {
    // Arbitrary strings, and text that looks like what the service writes (Swedish, long words,
    // line breaks, the characters that must be escaped).
    let text = prop_oneof![
        any::<String>(),
        "[a-zåäöÅÄÖé()\\\\ \n–…\t]{0,400}",
        "[A-Z]{100,700}",
    ];
    prop_oneof![
        text.clone().prop_map(Part::Heading),
        text.clone().prop_map(Part::Subheading),
        text.clone().prop_map(Part::Paragraph),
        (text.clone(), text).prop_map(|(l, v)| Part::Field(l, v)),
        Just(Part::Rule),
        any::<f32>().prop_map(Part::Space),
        (0.0f32..900.0).prop_map(Part::Space),
    ]
}

proptest! {
    #[test]
    fn any_input_gives_a_valid_file(
        title in any::<String>(),
        parts in prop::collection::vec(part(), 0..40),
    ) {
        let mut doc = Document::new(&title);
        for part in &parts {
            match part {
                Part::Heading(t) => doc.heading(t),
                Part::Subheading(t) => doc.subheading(t),
                Part::Paragraph(t) => doc.paragraph(t),
                Part::Field(l, v) => doc.field(l, v),
                Part::Rule => doc.rule(),
                Part::Space(p) => doc.space(*p),
            }
        }
        let pdf = doc.to_bytes();
        let offsets = check_structure(&pdf);
        let pages = page_count(&pdf);
        prop_assert!(pages >= 1);
        prop_assert_eq!(offsets.len(), 5 + 2 * pages);
        let streams = streams(&pdf);
        prop_assert_eq!(streams.len(), pages);
        let last = format!("(Sida {pages} av {pages}) Tj");
        prop_assert!(contains(&streams[pages - 1], last.as_bytes()));
        // No byte that would end a string or a line early in a content stream.
        for stream in &streams {
            prop_assert!(!stream.iter().any(|&b| b == b'\r' || b == 0));
        }
    }
}
