//! Tests of the layout, which look at the marks placed on each page.

use super::*;

/// Every line of text on every page: (page index, baseline, left edge, right edge).
fn lines(doc: &Document) -> Vec<(usize, f32, f32, f32)> {
    let mut lines: Vec<(usize, f32, f32, f32)> = Vec::new();
    for (p, page) in doc.pages.iter().enumerate() {
        for mark in &page.marks {
            if let Mark::Text {
                font,
                size,
                x,
                y,
                text,
            } = mark
            {
                let right = x + points(font.units(text), *size);
                match lines.iter_mut().find(|l| l.0 == p && l.1 == *y) {
                    Some(line) => {
                        line.2 = line.2.min(*x);
                        line.3 = line.3.max(right);
                    }
                    None => lines.push((p, *y, *x, right)),
                }
            }
        }
    }
    lines
}

fn text_of(doc: &Document) -> Vec<Vec<u8>> {
    doc.pages
        .iter()
        .flat_map(|p| &p.marks)
        .filter_map(|m| match m {
            Mark::Text { text, .. } => Some(text.clone()),
            Mark::Rule { .. } => None,
        })
        .collect()
}

#[test]
fn no_line_is_wider_than_the_text_width() {
    let mut doc = Document::new("Receptsammanfattning");
    let long_word = "W".repeat(300);
    let text = format!(
        "Behandlingsändamål: mot högt blodtryck – tas med vatten… {long_word} \
         Läkemedelsförmånen iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii \
         {} slut",
        "Ta 1 tablett morgon och kväll i samband med måltid. ".repeat(40)
    );
    doc.heading(&format!("Rubrik {long_word}"));
    doc.paragraph(&text);
    doc.field("Dosering", &text);
    doc.field(&format!("En mycket lång etikett {long_word}"), &text);
    doc.subheading(&text);

    let lines = lines(&doc);
    assert!(lines.len() > 100, "{} lines", lines.len());
    for &(page, y, left, right) in &lines {
        assert!(left >= MARGIN, "page {page} line at {y} starts at {left}");
        assert!(
            right <= MARGIN + TEXT_WIDTH + 0.001,
            "page {page} line at {y} ends at {right}, past {}",
            MARGIN + TEXT_WIDTH
        );
    }
    // The lines are filled, not merely short: many come close to the margin.
    let full = lines
        .iter()
        .filter(|l| l.3 - l.2 > 0.9 * TEXT_WIDTH)
        .count();
    assert!(full > 20, "only {full} full lines");
    // The long word was broken over lines of its own.
    let texts = text_of(&doc);
    assert!(
        texts
            .iter()
            .filter(|t| !t.is_empty() && t.iter().all(|&b| b == b'W'))
            .count()
            >= 3
    );
}

#[test]
fn text_stays_between_the_margins_vertically() {
    let mut doc = Document::new("t");
    for i in 0..200 {
        doc.heading(&format!("Rubrik {i}"));
        doc.paragraph("Ett stycke text som fyller sidan, rad för rad.");
        doc.rule();
    }
    assert!(doc.pages.len() > 5);
    for page in &doc.pages {
        for mark in &page.marks {
            let (bottom, top) = match mark {
                Mark::Text { size, y, .. } => (y - DESCENT * size, y + 0.93 * size),
                Mark::Rule { y, .. } => (*y, *y),
            };
            assert!(bottom >= MARGIN - 0.001, "{mark:?} below the margin");
            assert!(top <= TOP + 0.001, "{mark:?} above the margin");
        }
    }
}

#[test]
fn field_label_is_bold_and_the_value_hangs() {
    let mut doc = Document::new("t");
    doc.field("Dosering", &"1 tablett morgon och kväll. ".repeat(10));
    let marks = &doc.pages[0].marks;
    let Mark::Text {
        font, text, x: x0, ..
    } = &marks[0]
    else {
        panic!("{marks:?}")
    };
    assert_eq!((font, text.as_slice()), (&Font::Bold, &b"Dosering: "[..]));
    let indent = points(Font::Bold.units(b"Dosering: "), FIELD.size);
    let Mark::Text { font, x: x1, .. } = &marks[1] else {
        panic!("{marks:?}")
    };
    assert_eq!(*font, Font::Regular);
    assert!((x1 - (x0 + indent)).abs() < 0.001);
    // Continuation lines start under the value, not under the label.
    let continuation: Vec<f32> = marks[2..]
        .iter()
        .filter_map(|m| match m {
            Mark::Text { x, .. } => Some(*x),
            Mark::Rule { .. } => None,
        })
        .collect();
    assert!(!continuation.is_empty());
    for x in continuation {
        assert!((x - (MARGIN + indent)).abs() < 0.001, "{x}");
    }
}

#[test]
fn label_colon_is_not_doubled_and_an_empty_label_gives_the_value_alone() {
    let mut doc = Document::new("t");
    doc.field("Status:", "Aktivt");
    doc.field("", "Bara värde");
    doc.field("Tom", "");
    let texts = text_of(&doc);
    assert_eq!(
        texts,
        [
            b"Status: ".to_vec(),
            b"Aktivt".to_vec(),
            b"Bara v\xE4rde".to_vec(),
            b"Tom:".to_vec(),
        ]
    );
}

#[test]
fn pages_break_when_full() {
    let mut doc = Document::new("t");
    let lines_per_page = ((TOP - MARGIN) / PARAGRAPH.leading).floor() as usize;
    doc.paragraph(&"rad\n".repeat(lines_per_page));
    assert_eq!(doc.pages.len(), 1);
    doc.paragraph("en till");
    assert_eq!(doc.pages.len(), 2);
}

#[test]
fn a_heading_is_not_left_alone_at_the_bottom_of_a_page() {
    let mut doc = Document::new("t");
    let lines_per_page = ((TOP - MARGIN) / PARAGRAPH.leading).floor() as usize;
    doc.paragraph(&"rad\n".repeat(lines_per_page - 2));
    doc.heading("Rubrik");
    assert_eq!(doc.pages.len(), 2);
    assert!(matches!(
        &doc.pages[1].marks[..],
        [Mark::Text { text, .. }] if text == b"Rubrik"
    ));
}

#[test]
fn odd_space_amounts() {
    let mut doc = Document::new("t");
    doc.space(f32::NAN);
    doc.space(-100.0);
    doc.space(f32::NEG_INFINITY);
    assert_eq!((doc.pages.len(), doc.y), (1, TOP));
    doc.space(10.0);
    assert_eq!(doc.y, TOP - 10.0);
    doc.space(f32::INFINITY);
    assert_eq!((doc.pages.len(), doc.y), (1, MARGIN));
    doc.space(f32::MAX);
    assert_eq!((doc.pages.len(), doc.y), (1, MARGIN));
    doc.paragraph("Efter");
    assert_eq!(doc.pages.len(), 2);
    // The space did not follow the text to the new page.
    assert_eq!(doc.y, TOP - PARAGRAPH.leading - PARAGRAPH.after);
}

#[test]
fn space_at_the_end_adds_no_empty_page() {
    let mut doc = Document::new("t");
    let lines_per_page = ((TOP - MARGIN) / PARAGRAPH.leading).floor() as usize;
    doc.paragraph(&"rad\n".repeat(lines_per_page));
    doc.space(100.0);
    doc.rule();
    assert_eq!(doc.pages.len(), 2, "the rule goes to a new page");
    let mut doc = Document::new("t");
    doc.paragraph(&"rad\n".repeat(lines_per_page));
    doc.space(100.0);
    assert_eq!(doc.pages.len(), 1);
}

#[test]
fn empty_parts_place_nothing() {
    let mut doc = Document::new("t");
    doc.heading("");
    doc.subheading(" \n ");
    doc.paragraph("");
    doc.field("", "");
    assert_eq!(doc, Document::new("t"));
}

#[test]
fn a_page_break_starts_a_new_page_but_never_an_empty_one() {
    let mut doc = Document::new("Test");
    doc.page_break();
    assert_eq!(doc.pages.len(), 1, "nothing on the first page yet");
    doc.heading("Första");
    doc.page_break();
    doc.page_break();
    assert_eq!(doc.pages.len(), 2, "one new page, however many breaks");
    doc.paragraph("Andra");
    assert_eq!(
        doc.pages[1].marks.len(),
        1,
        "the paragraph is on the new page"
    );
}
