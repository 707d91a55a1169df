//! The public pages: start page with the login form, customer service, error pages, and the
//! operational endpoints.

use std::any::Any;

use askama::Template;
use axum::extract::{Extension, Form, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use erecept_domain::PersonNumber;
use serde::Deserialize;

use crate::csrf::CsrfToken;
use crate::{Chrome, FieldErrors, WebState};

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/", get(start))
        .route("/logga-in", get(start).post(login))
        .route("/kundtjanst", get(customer_service))
}

/// Renders a template, or the Swedish error page if rendering fails (a bug, logged).
pub fn render<T: Template>(template: &T) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            tracing::error!(%error, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, Html(FALLBACK_ERROR)).into_response()
        }
    }
}

/// The last resort when even the error template cannot be rendered: plain, no dependencies.
const FALLBACK_ERROR: &str = "<!DOCTYPE html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>Något gick fel</title></head><body><main><h1>Något gick fel</h1><p>Ett tekniskt fel uppstod. Försök igen om en stund. Om felet kvarstår, kontakta kundtjänst.</p><p><a href=\"/\">Till startsidan</a> · <a href=\"/kundtjanst\">Kontakta kundtjänst</a></p></main></body></html>";

#[derive(Template)]
#[template(path = "start.html")]
struct StartPage {
    chrome: Chrome,
    personnummer: String,
    errors: FieldErrors,
}

async fn start(State(state): State<WebState>, Extension(csrf): Extension<CsrfToken>) -> Response {
    render(&StartPage {
        chrome: Chrome::new(&state, &csrf, "inloggning"),
        personnummer: String::new(),
        errors: FieldErrors::default(),
    })
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    #[serde(default)]
    personnummer: String,
    #[serde(default)]
    losenord: String,
}

/// The one answer for a wrong personnummer or password: it must not reveal which was wrong,
/// nor whether the personnummer has an account.
pub const WRONG_CREDENTIALS: &str = "Fel personnummer eller lösenord.";

async fn login(
    State(state): State<WebState>,
    Extension(csrf): Extension<CsrfToken>,
    Form(form): Form<LoginForm>,
) -> Response {
    let mut errors = FieldErrors::default();
    let typed = form.personnummer.trim();
    if typed.is_empty() {
        errors.add("personnummer", "Fyll i ditt personnummer.");
    } else if let Err(error) = PersonNumber::parse(typed, state.app.clock.today()) {
        errors.add("personnummer", error.to_string());
    }
    if form.losenord.is_empty() {
        errors.add("losenord", "Fyll i ditt lösenord.");
    }
    if errors.is_empty() {
        // No account exists yet that could match: the account flows are not part of this
        // release, so every well-formed attempt gets the one answer for wrong credentials.
        errors.add("personnummer", WRONG_CREDENTIALS);
    }
    let page = render(&StartPage {
        chrome: Chrome::new(&state, &csrf, "inloggning"),
        personnummer: form.personnummer,
        errors,
    });
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

struct SupportView {
    phone: String,
    phone_link: String,
    fax: Option<String>,
    email: String,
}

#[derive(Template)]
#[template(path = "customer_service.html")]
struct CustomerServicePage {
    chrome: Chrome,
    support: SupportView,
}

async fn customer_service(
    State(state): State<WebState>,
    Extension(csrf): Extension<CsrfToken>,
) -> Response {
    let s = &state.config.support;
    render(&CustomerServicePage {
        chrome: Chrome::new(&state, &csrf, "kundtjanst"),
        support: SupportView {
            phone: s.phone.clone(),
            phone_link: s
                .phone
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect(),
            fax: s.fax.clone(),
            email: s.email.clone(),
        },
    })
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    chrome: Chrome,
    heading: String,
    paragraphs: Vec<String>,
    reference: Option<String>,
}

/// A page with a heading and a few paragraphs: errors and confirmations.
pub fn message_page(
    state: &WebState,
    csrf: &CsrfToken,
    help: &'static str,
    heading: &str,
    paragraphs: Vec<String>,
    reference: Option<String>,
) -> Response {
    render(&MessagePage {
        chrome: Chrome::new(state, csrf, help),
        heading: heading.to_owned(),
        paragraphs,
        reference,
    })
}

pub async fn not_found(
    State(state): State<WebState>,
    csrf: Option<Extension<CsrfToken>>,
) -> Response {
    let csrf = csrf
        .map(|Extension(c)| c)
        .unwrap_or_else(|| CsrfToken(String::new()));
    let page = message_page(
        &state,
        &csrf,
        "start",
        "Sidan finns inte",
        vec![
            "Sidan du söker finns inte. Kontrollera adressen eller gå till startsidan.".to_owned(),
        ],
        None,
    );
    (StatusCode::NOT_FOUND, page).into_response()
}

/// The answer when a handler panicked: a Swedish page, never a bare 500.
pub fn panic_page(_: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        FALLBACK_ERROR,
    )
        .into_response()
}

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(state): State<WebState>) -> Response {
    match state.app.store.ping().await {
        Ok(()) => {
            Json(serde_json::json!({ "status": "ready", "database": state.app.store.backend() }))
                .into_response()
        }
        Err(error) => {
            tracing::error!(%error, "database not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "unavailable", "database": state.app.store.backend() })),
            )
                .into_response()
        }
    }
}
