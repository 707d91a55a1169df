//! Searching the drug register as you type (SPEC §3 "Sök läkemedel/livsmedel/
//! ickeläkemedelsvaror"): the page works as an ordinary form without JavaScript, and htmx
//! replaces only the list of hits while typing.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use erecept_catalog::{Hit, ProductKind, SearchOptions};
use erecept_store::AccountId;
use serde::Deserialize;

use crate::pages::{render, server_error};
use crate::{Chrome, Page, WebState};

/// Hits shown at most: enough to choose from while typing.
pub(crate) const LIMIT: usize = 20;

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/lakemedel", get(page))
        .route("/lakemedel/traffar", get(hits))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SearchQuery {
    #[serde(default)]
    pub(crate) q: String,
    #[serde(default)]
    pub(crate) typ: String,
    #[serde(default)]
    pub(crate) ej_tillgangliga: Option<String>,
}

struct Choice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

/// One package of a hit.
pub(crate) struct PackageView {
    pub(crate) size: String,
    pub(crate) varunummer: String,
    pub(crate) price: String,
    pub(crate) pack_id: String,
    pub(crate) available: bool,
}

/// One hit as the list shows it.
pub(crate) struct HitView {
    pub(crate) npl_id: String,
    pub(crate) name: String,
    pub(crate) strength: String,
    pub(crate) form: String,
    pub(crate) kind: String,
    pub(crate) rek: bool,
    pub(crate) narcotics: String,
    pub(crate) licence: bool,
    pub(crate) benefit: &'static str,
    pub(crate) available: bool,
    pub(crate) packages: Vec<PackageView>,
}

fn view(hit: &Hit<'_>) -> HitView {
    let product = hit.product;
    HitView {
        npl_id: product.npl_id.as_str().to_owned(),
        name: product.name.clone(),
        strength: product.strength.clone(),
        form: product.form.clone(),
        kind: if product.kind == ProductKind::Lakemedel {
            String::new()
        } else {
            product.kind.to_string()
        },
        rek: hit.rek,
        narcotics: if product.narcotics_class.is_narcotic() {
            product.narcotics_class.to_string()
        } else {
            String::new()
        },
        licence: product.licence_product,
        benefit: match hit.in_benefit_scheme {
            Some(true) => "Inom förmånen",
            Some(false) => "Utanför förmånen",
            None => "",
        },
        available: hit.available,
        packages: hit
            .packages
            .iter()
            .map(|p| PackageView {
                size: p.size_text.clone(),
                varunummer: p
                    .varunummer
                    .as_ref()
                    .map(|v| v.as_str().to_owned())
                    .unwrap_or_default(),
                price: p
                    .price
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| "–".to_owned()),
                pack_id: p.npl_pack_id.as_str().to_owned(),
                available: p.available,
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "drug_search.html")]
struct SearchPage {
    chrome: Chrome,
    query: String,
    region: String,
    kinds: Vec<Choice>,
    include_unavailable: bool,
    hits: Vec<HitView>,
    limit: usize,
    choose: bool,
}

#[derive(Template)]
#[template(path = "drug_hits.html")]
pub(crate) struct HitsFragment {
    pub(crate) query: String,
    pub(crate) hits: Vec<HitView>,
    pub(crate) limit: usize,
    /// In the prescription form: each package has a "Välj" link.
    pub(crate) choose: bool,
}

/// Searches for the logged-in prescriber, ranking their region's REK list first.
pub(crate) async fn search(
    state: &WebState,
    page: &Page,
    query: &SearchQuery,
) -> Result<(Vec<HitView>, String), Response> {
    let Some(id) = page.visitor.account_id() else {
        return Err(Redirect::to("/").into_response());
    };
    let county = match state.app.store.workplaces(AccountId(id)).await {
        Ok(w) => w.first().map(|w| w.county),
        Err(e) => return Err(server_error(state, page, &e.to_string())),
    };
    let kind = match query.typ.as_str() {
        "lakemedel" => Some(ProductKind::Lakemedel),
        "livsmedel" => Some(ProductKind::Livsmedel),
        "ickelakemedel" => Some(ProductKind::Ickelakemedelsvara),
        _ => None,
    };
    let options = SearchOptions {
        kind,
        include_unavailable: query.ej_tillgangliga.is_some(),
        region: county,
        limit: LIMIT,
    };
    let snapshot = state.app.drugs.snapshot();
    let hits = snapshot
        .index
        .search(query.q.trim(), &options)
        .iter()
        .map(view)
        .collect();
    let region = county
        .map(|c| c.region_name().to_owned())
        .unwrap_or_else(|| "din region".to_owned());
    Ok((hits, region))
}

async fn page(
    State(state): State<WebState>,
    page: Page,
    Query(query): Query<SearchQuery>,
) -> Response {
    let (hits, region) = match search(&state, &page, &query).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let kinds = [
        ("", "Alla"),
        ("lakemedel", "Läkemedel"),
        ("livsmedel", "Livsmedel"),
        ("ickelakemedel", "Ickeläkemedelsvaror"),
    ]
    .into_iter()
    .map(|(value, label)| Choice {
        value,
        label,
        selected: value == query.typ,
    })
    .collect();
    render(&SearchPage {
        chrome: Chrome::new(&state, &page, "lakemedel"),
        query: query.q.clone(),
        region,
        kinds,
        include_unavailable: query.ej_tillgangliga.is_some(),
        hits,
        limit: LIMIT,
        choose: false,
    })
}

async fn hits(
    State(state): State<WebState>,
    page: Page,
    Query(query): Query<SearchQuery>,
) -> Response {
    match search(&state, &page, &query).await {
        Ok((hits, _)) => render(&HitsFragment {
            query: query.q,
            hits,
            limit: LIMIT,
            choose: false,
        }),
        Err(response) => response,
    }
}
