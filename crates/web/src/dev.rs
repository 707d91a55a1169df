//! Development mode only: the mailbox, the movable clock, the list of simulators. Never mounted
//! in production (see `router`).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use erecept_store::MailId;
use jiff::SignedDuration;
use serde::Deserialize;

use crate::pages::{not_found, render};
use crate::{Chrome, Page, WebState};

/// Pages for people, behind the CSRF check like every other page.
pub fn html_routes() -> Router<WebState> {
    Router::new()
        .route("/dev", get(index))
        .route("/dev/mail", get(mailbox))
        .route("/dev/mail/{id}", get(one_mail))
        .route("/sim", get(simulators))
}

/// Machine endpoints for tests and scripts (JSON, no form).
pub fn api_routes() -> Router<WebState> {
    Router::new()
        .route("/dev/clock", get(clock).post(advance_clock))
        .route("/dev/mail/{id}/html", get(mail_html))
}

fn swedish_time(at: jiff::Timestamp) -> String {
    at.to_zoned_datetime(erecept_domain::clock::stockholm())
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string()
}

#[derive(Template)]
#[template(path = "dev_index.html")]
struct DevIndex {
    chrome: Chrome,
    now: String,
    offset_days: i64,
}

async fn index(State(state): State<WebState>, page: Page) -> Response {
    let Some(dev) = &state.dev else {
        return StatusCode::NOT_FOUND.into_response();
    };
    render(&DevIndex {
        chrome: Chrome::new(&state, &page, "start"),
        now: swedish_time(state.app.clock.now()),
        offset_days: dev.clock.offset().as_hours() / 24,
    })
}

async fn clock(State(state): State<WebState>) -> Response {
    let Some(dev) = &state.dev else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let offset = dev.clock.offset();
    Json(serde_json::json!({
        "now": state.app.clock.now().to_string(),
        "now_local": swedish_time(state.app.clock.now()),
        "offset_seconds": offset.as_secs(),
        "offset_days": offset.as_hours() / 24,
    }))
    .into_response()
}

#[derive(Debug, Deserialize)]
struct Advance {
    advance_days: i64,
}

/// Accepts JSON `{"advance_days": N}` from scripts, or the form of the /dev page.
async fn advance_clock(
    State(state): State<WebState>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let Some(dev) = &state.dev else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let parsed: Option<Advance> = if is_json {
        serde_json::from_slice(&body).ok()
    } else {
        serde_urlencoded_days(&body)
    };
    let Some(Advance { advance_days }) = parsed.filter(|a| (1..=3660).contains(&a.advance_days))
    else {
        return (
            StatusCode::BAD_REQUEST,
            Json(
                serde_json::json!({ "error": "advance_days ska vara ett heltal från 1 till 3660" }),
            ),
        )
            .into_response();
    };
    dev.clock
        .advance(SignedDuration::from_hours(24 * advance_days));
    tracing::info!(advance_days, "development clock moved forward");
    if is_json {
        clock(State(state)).await
    } else {
        Redirect::to("/dev").into_response()
    }
}

fn serde_urlencoded_days(body: &[u8]) -> Option<Advance> {
    let text = std::str::from_utf8(body).ok()?;
    let value = text
        .split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| *k == "advance_days")?
        .1;
    Some(Advance {
        advance_days: value.trim().parse().ok()?,
    })
}

struct MailRow {
    id: String,
    to: String,
    subject: String,
    created: String,
    status: String,
}

fn status_text(m: &erecept_store::Mail) -> String {
    match (&m.sent_at, m.transport.as_deref()) {
        (Some(at), Some("dev-mailbox")) => {
            format!("Levererad till utvecklingsbrevlådan {}", swedish_time(*at))
        }
        (Some(at), Some(t)) => format!("Skickad via {t} {}", swedish_time(*at)),
        (Some(at), None) => format!("Skickad {}", swedish_time(*at)),
        (None, _) => "I kö".to_owned(),
    }
}

#[derive(Template)]
#[template(path = "dev_mail.html")]
struct Mailbox {
    chrome: Chrome,
    mails: Vec<MailRow>,
}

async fn mailbox(State(state): State<WebState>, page: Page) -> Response {
    let mails = match state.app.store.recent_mail(200).await {
        Ok(mails) => mails,
        Err(error) => {
            tracing::error!(%error, "reading mailbox");
            Vec::new()
        }
    };
    render(&Mailbox {
        chrome: Chrome::new(&state, &page, "start"),
        mails: mails
            .iter()
            .map(|m| MailRow {
                id: m.id.to_string(),
                to: m.to.clone(),
                subject: m.subject.clone(),
                created: swedish_time(m.created_at),
                status: status_text(m),
            })
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "dev_mail_one.html")]
struct OneMail {
    chrome: Chrome,
    id: String,
    to: String,
    subject: String,
    created: String,
    status: String,
    text_body: String,
}

async fn find_mail(state: &WebState, id: &str) -> Option<erecept_store::Mail> {
    let id = uuid::Uuid::parse_str(id).ok()?;
    state.app.store.mail(MailId(id)).await.ok().flatten()
}

async fn one_mail(State(state): State<WebState>, page: Page, Path(id): Path<String>) -> Response {
    let Some(m) = find_mail(&state, &id).await else {
        return not_found(State(state), page).await;
    };
    render(&OneMail {
        chrome: Chrome::new(&state, &page, "start"),
        id: m.id.to_string(),
        to: m.to.clone(),
        subject: m.subject.clone(),
        created: swedish_time(m.created_at),
        status: status_text(&m),
        text_body: m.text_body.clone(),
    })
}

/// The HTML body as the recipient would see it, in a sandbox: no script, no forms, no
/// requests to anywhere.
async fn mail_html(State(state): State<WebState>, Path(id): Path<String>) -> Response {
    let Some(m) = find_mail(&state, &id).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:",
            ),
        ],
        m.html_body,
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "sim_index.html")]
struct SimIndex {
    chrome: Chrome,
    simulators: Vec<(&'static str, &'static str)>,
}

async fn simulators(State(state): State<WebState>, page: Page) -> Response {
    let simulators = state
        .dev
        .as_ref()
        .map(|d| d.simulators.as_ref().clone())
        .unwrap_or_default();
    render(&SimIndex {
        chrome: Chrome::new(&state, &page, "start"),
        simulators,
    })
}
