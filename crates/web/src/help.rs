//! The Swedish user manual (`docs/manual/`), served as help pages. Each page's "Hjälp" button
//! opens the section that describes it.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

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
        .route("/hjalp/{section}", get(section))
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

    #[test]
    fn every_section_has_a_heading_and_unique_slug() {
        for s in SECTIONS {
            assert!(s.markdown.starts_with("# "), "{} lacks a heading", s.slug);
            assert_eq!(SECTIONS.iter().filter(|o| o.slug == s.slug).count(), 1);
        }
    }
}
