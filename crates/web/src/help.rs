//! The Swedish user manual (`docs/manual/`), served as help pages and as one PDF ("Ladda ner
//! manual (PDF)"). Each page's "Hjälp" button opens the section that describes it.

use std::sync::OnceLock;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use erecept_pdf::Document;
use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

use crate::pages::{not_found, render};
use crate::{Chrome, Page, WebState};

pub struct Section {
    pub slug: &'static str,
    pub title: &'static str,
    markdown: &'static str,
}

/// The manual's sections in reading order; the slug is the address under /hjalp/.
pub const SECTIONS: &[Section] = &[
    Section {
        slug: "start",
        title: "Om tjänsten",
        markdown: include_str!("../../../docs/manual/start.md"),
    },
    Section {
        slug: "inloggning",
        title: "Logga in",
        markdown: include_str!("../../../docs/manual/inloggning.md"),
    },
    Section {
        slug: "ny-forskrivare",
        title: "Ny förskrivare",
        markdown: include_str!("../../../docs/manual/ny-forskrivare.md"),
    },
    Section {
        slug: "glomt-losenord",
        title: "Glömt lösenord",
        markdown: include_str!("../../../docs/manual/glomt-losenord.md"),
    },
    Section {
        slug: "min-profil",
        title: "Min profil",
        markdown: include_str!("../../../docs/manual/min-profil.md"),
    },
    Section {
        slug: "lakemedel",
        title: "Sök läkemedel",
        markdown: include_str!("../../../docs/manual/lakemedel.md"),
    },
    Section {
        slug: "recept",
        title: "Nytt recept",
        markdown: include_str!("../../../docs/manual/recept.md"),
    },
    Section {
        slug: "mina-recept",
        title: "Mina recept",
        markdown: include_str!("../../../docs/manual/mina-recept.md"),
    },
    Section {
        slug: "kundtjanst",
        title: "Kontakta kundtjänst",
        markdown: include_str!("../../../docs/manual/kundtjanst.md"),
    },
];

#[derive(Template)]
#[template(path = "help.html")]
struct HelpPage {
    chrome: Chrome,
    title: &'static str,
    current: &'static str,
    sections: &'static [Section],
    body: String,
}

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/hjalp", get(index))
        .route(MANUAL_PDF_PATH, get(manual_pdf))
        .route("/hjalp/{section}", get(section))
}

/// Where "Ladda ner manual (PDF)" leads.
pub const MANUAL_PDF_PATH: &str = "/hjalp/manual.pdf";

/// The manual as one PDF, made once per process: the text is compiled in, and the service name
/// in its footer is configuration that does not change while the service runs.
async fn manual_pdf(State(state): State<WebState>) -> Response {
    static PDF: OnceLock<Vec<u8>> = OnceLock::new();
    let name = &state.app.config.brand.service_name;
    let bytes = PDF.get_or_init(|| manual_document(name).to_bytes());
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}-manual.pdf\"",
                    name.replace('"', "")
                ),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        axum::body::Bytes::from_static(bytes),
    )
        .into_response()
}

/// Every section in reading order, each from a new page: headings, paragraphs and list items
/// (numbered as in the text, or with a bullet) as plain text.
pub fn manual_document(service_name: &str) -> Document {
    let mut doc = Document::new(&format!("{service_name} – manual"));
    for section in SECTIONS {
        doc.page_break();
        write_markdown(&mut doc, section.markdown);
    }
    doc
}

fn write_markdown(doc: &mut Document, markdown: &str) {
    let mut text = String::new();
    // The next number of each open list (None: bulleted), innermost last.
    let mut lists: Vec<Option<u64>> = Vec::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::List(first)) => {
                paragraph(doc, &mut text);
                lists.push(first);
            }
            Event::End(TagEnd::List(_)) => {
                lists.pop();
            }
            Event::Start(Tag::Item) => {
                text.push_str(&"    ".repeat(lists.len().saturating_sub(1)));
                match lists.last_mut() {
                    Some(Some(number)) => {
                        text.push_str(&format!("{number}. "));
                        *number += 1;
                    }
                    _ => text.push_str("• "),
                }
            }
            Event::End(TagEnd::Heading(level)) => {
                let heading = std::mem::take(&mut text);
                if level == HeadingLevel::H1 {
                    doc.heading(heading.trim());
                } else {
                    doc.subheading(heading.trim());
                }
            }
            Event::End(
                TagEnd::Paragraph | TagEnd::Item | TagEnd::CodeBlock | TagEnd::BlockQuote(_),
            ) => paragraph(doc, &mut text),
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak => text.push(' '),
            Event::HardBreak => text.push('\n'),
            _ => {}
        }
    }
    paragraph(doc, &mut text);
}

/// The text gathered so far as a paragraph, if there is any.
fn paragraph(doc: &mut Document, text: &mut String) {
    let gathered = std::mem::take(text);
    if !gathered.trim().is_empty() {
        doc.paragraph(gathered.trim_end());
    }
}

async fn index(state: State<WebState>, page: Page) -> Response {
    section(state, page, Path("start".to_owned())).await
}

async fn section(State(state): State<WebState>, page: Page, Path(slug): Path<String>) -> Response {
    let Some(section) = SECTIONS.iter().find(|s| s.slug == slug) else {
        return not_found(State(state), page).await.into_response();
    };
    let mut body = String::new();
    pulldown_cmark::html::push_html(&mut body, pulldown_cmark::Parser::new(section.markdown));
    render(&HelpPage {
        chrome: Chrome::new(&state, &page, section.slug),
        title: section.title,
        current: section.slug,
        sections: SECTIONS,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text of the PDF's content streams (uncompressed, WinAnsi), as a string.
    fn pdf_text(bytes: &[u8]) -> String {
        bytes.iter().map(|&b| char::from(b)).collect()
    }

    #[test]
    fn the_manual_pdf_holds_every_section_in_order() {
        let bytes = manual_document("eRecept").to_bytes();
        assert!(bytes.starts_with(b"%PDF-"));
        let text = pdf_text(&bytes);
        let mut at = 0;
        for s in SECTIONS {
            let heading = s.markdown.lines().next().unwrap().trim_start_matches("# ");
            let found = text[at..]
                .find(&format!("({heading})"))
                .unwrap_or_else(|| panic!("{heading} missing or out of order"));
            at += found;
        }
        // Numbered steps keep their numbers, other items get a bullet.
        assert!(
            text.contains("(1. Klicka p\u{e5} [Ändra kontaktuppgifter] under personuppgifterna.)")
        );
        assert!(text.contains("(\u{95} "), "a bullet");
        assert!(
            text.contains("eRecept \u{96} manual"),
            "the title in the footer"
        );
    }

    #[test]
    fn every_section_has_a_heading_and_unique_slug() {
        for s in SECTIONS {
            assert!(s.markdown.starts_with("# "), "{} lacks a heading", s.slug);
            assert_eq!(SECTIONS.iter().filter(|o| o.slug == s.slug).count(), 1);
        }
    }
}
