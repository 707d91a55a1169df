//! Writing a laid-out [`Document`] as a PDF 1.4 file.
//!
//! Objects: 1 catalog, 2 page tree, 3 and 4 the fonts, 5 document information, then for each
//! page its page object and its content stream.

use std::fmt::Write as _;

use crate::encoding::{NEWLINE, SPACE, encode, utf16_hex};
use crate::metrics::{Font, points};
use crate::{Document, MARGIN, Mark, PAGE_HEIGHT, PAGE_WIDTH, Page, TEXT_WIDTH};

const CATALOG: usize = 1;
const PAGES: usize = 2;
const FONTS: [(Font, usize); 2] = [(Font::Regular, 3), (Font::Bold, 4)];
const INFO: usize = 5;
const FIRST_PAGE: usize = 6;

const FOOTER_SIZE: f32 = 8.0;
/// Baseline of the footer: in the middle of the bottom margin.
const FOOTER_Y: f32 = MARGIN / 2.0;
/// Least space between the title and the page number in the footer.
const FOOTER_GAP: f32 = 12.0;
/// The first and last code given a width in the font dictionaries.
const FIRST_CHAR: usize = 32;
const LAST_CHAR: usize = 255;

pub(crate) fn write(doc: &Document) -> Vec<u8> {
    let mut pdf = Pdf::default();
    // The comment of bytes above 127 tells transfer programs that the file is binary.
    pdf.out.extend_from_slice(b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n");

    let pages: &[Page] = if doc.pages.is_empty() {
        &[Page { marks: Vec::new() }]
    } else {
        &doc.pages
    };
    let page_ids: Vec<usize> = (0..pages.len()).map(|i| FIRST_PAGE + 2 * i).collect();

    pdf.object(
        CATALOG,
        format!("<< /Type /Catalog /Pages {PAGES} 0 R >>").as_bytes(),
    );
    let kids: Vec<String> = page_ids.iter().map(|id| format!("{id} 0 R")).collect();
    pdf.object(
        PAGES,
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            pages.len()
        )
        .as_bytes(),
    );
    for (font, id) in FONTS {
        pdf.object(id, font_dictionary(font).as_bytes());
    }
    pdf.object(
        INFO,
        format!("<< /Title {} /Producer (eRecept) >>", utf16_hex(&doc.title)).as_bytes(),
    );

    let resources = FONTS
        .iter()
        .map(|(font, id)| format!("/{} {id} 0 R", font.resource()))
        .collect::<Vec<_>>()
        .join(" ");
    let footer_title = encode(&doc.title);
    for (i, (page, &id)) in pages.iter().zip(&page_ids).enumerate() {
        let contents = id + 1;
        pdf.object(
            id,
            format!(
                "<< /Type /Page /Parent {PAGES} 0 R /MediaBox [0 0 {} {}] \
                 /Resources << /Font << {resources} >> >> /Contents {contents} 0 R >>",
                number(PAGE_WIDTH),
                number(PAGE_HEIGHT),
            )
            .as_bytes(),
        );
        let mut content = Vec::new();
        for mark in &page.marks {
            draw(&mut content, mark);
        }
        for mark in footer(&footer_title, i + 1, pages.len()) {
            draw(&mut content, &mark);
        }
        pdf.stream(contents, &content);
    }
    pdf.finish()
}

/// The footer of page `number` of `count`: the title at left, "Sida N av M" at right. A title
/// too long to leave room for the page number is shortened with "…".
fn footer(title: &[u8], number: usize, count: usize) -> Vec<Mark> {
    let font = Font::Regular;
    let page = format!("Sida {number} av {count}").into_bytes();
    let page_width = points(font.units(&page), FOOTER_SIZE);
    let room = TEXT_WIDTH - page_width - FOOTER_GAP;

    // Measured only as far as the footer reaches: the title may be long.
    const ELLIPSIS: u8 = 0x85;
    let budget = room - points(font.units(&[ELLIPSIS]), FOOTER_SIZE);
    let mut units = 0;
    let mut fits_before_ellipsis = 0;
    let mut fits_whole = true;
    for (i, &glyph) in title.iter().enumerate() {
        units += font.units(&[glyph]);
        let width = points(units, FOOTER_SIZE);
        if width > room {
            fits_whole = false;
            break;
        }
        if width <= budget {
            fits_before_ellipsis = i + 1;
        }
    }
    let mut title: Vec<u8> = if fits_whole {
        title.to_vec()
    } else {
        title[..fits_before_ellipsis].to_vec()
    };
    for glyph in &mut title {
        if *glyph == NEWLINE {
            *glyph = SPACE;
        }
    }
    if !fits_whole {
        while title.last() == Some(&SPACE) {
            title.pop();
        }
        if budget >= 0.0 {
            title.push(ELLIPSIS);
        }
    }

    let mut marks = vec![Mark::Text {
        font,
        size: FOOTER_SIZE,
        x: MARGIN + TEXT_WIDTH - page_width,
        y: FOOTER_Y,
        text: page,
    }];
    if !title.is_empty() {
        marks.insert(
            0,
            Mark::Text {
                font,
                size: FOOTER_SIZE,
                x: MARGIN,
                y: FOOTER_Y,
                text: title,
            },
        );
    }
    marks
}

/// Appends the content stream operators that draw `mark`.
fn draw(content: &mut Vec<u8>, mark: &Mark) {
    match mark {
        Mark::Text {
            font,
            size,
            x,
            y,
            text,
        } => {
            content.extend_from_slice(
                format!(
                    "BT /{} {} Tf {} {} Td (",
                    font.resource(),
                    number(*size),
                    number(*x),
                    number(*y)
                )
                .as_bytes(),
            );
            content.extend_from_slice(&escape(text));
            content.extend_from_slice(b") Tj ET\n");
        }
        Mark::Rule { x1, x2, y } => {
            content.extend_from_slice(
                format!(
                    "{} w 0.6 G {} {y} m {} {y} l S\n",
                    number(crate::RULE_WIDTH),
                    number(*x1),
                    number(*x2),
                    y = number(*y)
                )
                .as_bytes(),
            );
        }
    }
}

/// `text` for a PDF literal string: `(`, `)` and `\` escaped with a backslash.
fn escape(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 8);
    for &b in text {
        if matches!(b, b'(' | b')' | b'\\') {
            out.push(b'\\');
        }
        out.push(b);
    }
    out
}

/// A number for the file: at most two decimals, no exponent, no "-0".
fn number(value: f32) -> String {
    if !value.is_finite() {
        return "0".to_owned();
    }
    let rounded = (f64::from(value) * 100.0).round() / 100.0;
    if rounded == 0.0 {
        "0".to_owned()
    } else {
        format!("{rounded}")
    }
}

fn font_dictionary(font: Font) -> String {
    let mut widths = String::new();
    for (i, width) in font.widths()[FIRST_CHAR..=LAST_CHAR].iter().enumerate() {
        widths.push(if i % 16 == 0 { '\n' } else { ' ' });
        let _ = write!(widths, "{width}");
    }
    format!(
        "<< /Type /Font /Subtype /Type1 /BaseFont /{} /Encoding /WinAnsiEncoding \
         /FirstChar {FIRST_CHAR} /LastChar {LAST_CHAR} /Widths [{widths}\n] >>",
        font.base_font()
    )
}

/// A file being written: its bytes and where each object starts.
#[derive(Default)]
struct Pdf {
    out: Vec<u8>,
    /// Byte offset of object `n` at index `n - 1`.
    offsets: Vec<usize>,
}

impl Pdf {
    fn begin(&mut self, id: usize) {
        if self.offsets.len() < id {
            self.offsets.resize(id, 0);
        }
        if let Some(offset) = id.checked_sub(1).and_then(|i| self.offsets.get_mut(i)) {
            *offset = self.out.len();
        }
        self.out
            .extend_from_slice(format!("{id} 0 obj\n").as_bytes());
    }

    fn object(&mut self, id: usize, body: &[u8]) {
        self.begin(id);
        self.out.extend_from_slice(body);
        self.out.extend_from_slice(b"\nendobj\n");
    }

    fn stream(&mut self, id: usize, data: &[u8]) {
        self.begin(id);
        self.out
            .extend_from_slice(format!("<< /Length {} >>\nstream\n", data.len()).as_bytes());
        self.out.extend_from_slice(data);
        self.out.extend_from_slice(b"\nendstream\nendobj\n");
    }

    /// Appends the cross-reference table and the trailer.
    fn finish(mut self) -> Vec<u8> {
        let xref = self.out.len();
        let size = self.offsets.len() + 1;
        let mut table = format!("xref\n0 {size}\n0000000000 65535 f \n");
        for offset in &self.offsets {
            // Each entry is exactly 20 bytes, the end of line being " \n".
            let _ = writeln!(table, "{offset:010} 00000 n ");
        }
        let _ = write!(
            table,
            "trailer\n<< /Size {size} /Root {CATALOG} 0 R /Info {INFO} 0 R >>\nstartxref\n{xref}\n%%EOF\n"
        );
        self.out.extend_from_slice(table.as_bytes());
        self.out
    }
}
