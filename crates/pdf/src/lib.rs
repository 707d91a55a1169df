//! Simple text documents as PDF: the printable patient summary of a prescription
//! ("Receptsammanfattning").
//!
//! A [`Document`] is built from headings, paragraphs, "label: value" fields and rules, laid out
//! on A4 portrait pages with 2 cm margins, and written as PDF 1.4 by [`Document::to_bytes`]:
//!
//! ```
//! let mut doc = erecept_pdf::Document::new("Receptsammanfattning");
//! doc.heading("Receptsammanfattning");
//! doc.field("Dosering", "1 tablett 2 gånger dagligen");
//! doc.rule();
//! doc.paragraph("Ta med legitimation till apoteket.");
//! let pdf = doc.to_bytes();
//! assert!(pdf.starts_with(b"%PDF-1.4"));
//! ```
//!
//! The file is written by hand, with no PDF library:
//!
//! - Text is set in the standard fonts Helvetica and Helvetica-Bold, which every viewer has, so
//!   no font is embedded. Both use `/WinAnsiEncoding` (code page 1252): Swedish letters, `–`,
//!   `…`, `€` and the typographic quotes print as such; any other character prints as `?`.
//! - Lines are wrapped with the real Helvetica glyph widths (the Adobe AFM metrics, which are also
//!   written into the font dictionaries), so no line reaches past the right margin. Kerning is
//!   not applied, which only makes lines a little looser than they could be.
//! - Pages break by themselves. Every page has a footer with the title at left and "Sida N av M"
//!   at right.
//! - The content streams are left uncompressed (no `/FlateDecode`): the files of a summary are
//!   small, and uncompressed text is simple to test and to inspect.
//! - The output is deterministic (no dates, no random file identifier): the same document always
//!   gives the same bytes.

mod encoding;
mod layout;
mod metrics;
mod writer;

use encoding::encode;
use layout::{Line, wrap};
use metrics::{Font, points};

/// A4 portrait, in points (1/72 inch): 210 × 297 mm.
const PAGE_WIDTH: f32 = 595.2756;
const PAGE_HEIGHT: f32 = 841.8898;
/// 2 cm on every side.
const MARGIN: f32 = 56.692_91;
const TEXT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
const TOP: f32 = PAGE_HEIGHT - MARGIN;

/// Descender of Helvetica, in font sizes: how far below the baseline a line's glyphs reach.
const DESCENT: f32 = 0.207;

/// Font size, line height and the space after each kind of text, in points.
struct Style {
    font: Font,
    size: f32,
    leading: f32,
    before: f32,
    after: f32,
}

const HEADING: Style = Style {
    font: Font::Bold,
    size: 16.0,
    leading: 20.0,
    before: 6.0,
    after: 8.0,
};
const SUBHEADING: Style = Style {
    font: Font::Bold,
    size: 12.0,
    leading: 15.0,
    before: 8.0,
    after: 3.0,
};
const PARAGRAPH: Style = Style {
    font: Font::Regular,
    size: 10.5,
    leading: 14.0,
    before: 0.0,
    after: 6.0,
};
const FIELD: Style = Style {
    after: 2.0,
    ..PARAGRAPH
};
/// A heading is kept on the same page as this many lines of what follows it.
const KEEP_WITH_NEXT: f32 = 2.0 * PARAGRAPH.leading;
/// The continuation lines of a field are indented by the width of its label, but by no more
/// than this share of the text width.
const MAX_INDENT: f32 = 0.35 * TEXT_WIDTH;
/// Space above and below a rule, and its thickness.
const RULE_BEFORE: f32 = 4.0;
const RULE_AFTER: f32 = 8.0;
const RULE_WIDTH: f32 = 0.5;

/// Something drawn on a page, in points from the bottom left corner.
#[derive(Clone, Debug, PartialEq)]
enum Mark {
    /// WinAnsi-encoded text starting at (`x`, `y`), `y` being the baseline.
    Text {
        font: Font,
        size: f32,
        x: f32,
        y: f32,
        text: Vec<u8>,
    },
    /// A horizontal line.
    Rule { x1: f32, x2: f32, y: f32 },
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Page {
    marks: Vec<Mark>,
}

/// A text document being laid out, page by page, as its parts are added.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    title: String,
    /// Never empty: the last page is the one being filled.
    pages: Vec<Page>,
    /// Top of the free space on the last page.
    y: f32,
}

impl Document {
    /// An empty document, A4 portrait with 2 cm margins. The title is shown in the footer of
    /// every page and in the document properties.
    pub fn new(title: &str) -> Self {
        Self {
            title: title.to_owned(),
            pages: vec![Page::default()],
            y: TOP,
        }
    }

    /// A heading: Helvetica-Bold 16 pt, with space after it.
    pub fn heading(&mut self, text: &str) {
        self.block(&HEADING, &[(HEADING.font, &encode(text))], 0.0, true);
    }

    /// A subheading: Helvetica-Bold 12 pt.
    pub fn subheading(&mut self, text: &str) {
        self.block(&SUBHEADING, &[(SUBHEADING.font, &encode(text))], 0.0, true);
    }

    /// A paragraph: Helvetica 10.5 pt, wrapped to the text width; `'\n'` starts a new line.
    pub fn paragraph(&mut self, text: &str) {
        self.block(&PARAGRAPH, &[(PARAGRAPH.font, &encode(text))], 0.0, false);
    }

    /// A field, "Label: value", with the label in bold. A value too long for the line continues
    /// on lines indented by the width of the label (a hanging indent); `'\n'` in the value starts
    /// a new line. An empty label gives the value alone.
    pub fn field(&mut self, label: &str, value: &str) {
        let label = label.trim();
        let mut label = encode(label);
        if !label.is_empty() && label.last() != Some(&b':') {
            label.push(b':');
        }
        let indent = if label.is_empty() {
            0.0
        } else {
            let units = Font::Bold.units(&label) + Font::Bold.units(b" ");
            points(units, FIELD.size).min(MAX_INDENT)
        };
        let value = encode(value);
        self.block(
            &FIELD,
            &[(Font::Bold, &label), (FIELD.font, &value)],
            indent,
            false,
        );
    }

    /// A thin horizontal line across the text width.
    pub fn rule(&mut self) {
        self.vertical_space(RULE_BEFORE);
        if self.y - RULE_AFTER < MARGIN {
            self.new_page();
        }
        let y = self.y;
        self.page().marks.push(Mark::Rule {
            x1: MARGIN,
            x2: MARGIN + TEXT_WIDTH,
            y,
        });
        self.vertical_space(RULE_AFTER);
    }

    /// Vertical space of `points` points. Space that does not fit on the page fills the rest of
    /// it (what follows starts a new page) and is not carried over to the next one. Negative
    /// amounts and NaN are ignored.
    pub fn space(&mut self, points: f32) {
        if points > 0.0 {
            self.y = (self.y - points).max(MARGIN);
        }
    }

    /// What follows starts on a new page; nothing happens on a page still empty.
    pub fn page_break(&mut self) {
        if !self.page_is_empty() {
            self.new_page();
        }
    }

    /// The finished PDF file.
    pub fn to_bytes(&self) -> Vec<u8> {
        writer::write(self)
    }

    fn page(&mut self) -> &mut Page {
        if self.pages.is_empty() {
            self.pages.push(Page::default());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = TOP;
    }

    /// Whether nothing has been placed on the page being filled.
    fn page_is_empty(&self) -> bool {
        self.pages.last().is_none_or(|p| p.marks.is_empty())
    }

    /// Space between blocks: none at the top of a page.
    fn vertical_space(&mut self, points: f32) {
        if !self.page_is_empty() {
            self.space(points);
        }
    }

    /// Wraps `pieces` to the text width (lines after the first indented by `indent`) and
    /// places the lines, breaking pages where needed.
    fn block(
        &mut self,
        style: &Style,
        pieces: &[(Font, &[u8])],
        indent: f32,
        keep_with_next: bool,
    ) {
        let lines = wrap(pieces, style.size, TEXT_WIDTH, TEXT_WIDTH - indent);
        if lines.is_empty() {
            return;
        }
        self.vertical_space(style.before);
        if keep_with_next {
            let height = lines.len() as f32 * style.leading + style.after + KEEP_WITH_NEXT;
            if self.y - height < MARGIN && !self.page_is_empty() && height <= TOP - MARGIN {
                self.new_page();
            }
        }
        for (i, line) in lines.iter().enumerate() {
            let x = if i == 0 { MARGIN } else { MARGIN + indent };
            self.line(style, x, line);
        }
        self.vertical_space(style.after);
    }

    fn line(&mut self, style: &Style, x: f32, line: &Line) {
        if self.y - style.leading < MARGIN {
            self.new_page();
        }
        self.y -= style.leading;
        let baseline = self.y + DESCENT * style.size;
        let mut x = x;
        for span in &line.spans {
            let width = points(span.font.units(&span.text), style.size);
            self.page().marks.push(Mark::Text {
                font: span.font,
                size: style.size,
                x,
                y: baseline,
                text: span.text.clone(),
            });
            x += width;
        }
    }
}

#[cfg(test)]
mod tests;
