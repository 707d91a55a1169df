//! The public pages: start page with the login form, customer service, error pages, and the
//! operational endpoints.

use std::any::Any;

use askama::Template;
use axum::extract::{Form, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use erecept_app::LoginOutcome;
use erecept_domain::{NoActiveLicence, PersonNumber};
use serde::Deserialize;

use crate::session::ClientAddress;
use crate::{Chrome, FieldErrors, Page, WebState, cookies};

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/", get(start))
        .route("/logga-in", get(start).post(login))
        .route("/logga-ut", post(logout))
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
pub(crate) struct StartPage {
    pub(crate) chrome: Chrome,
    pub(crate) personnummer: String,
    pub(crate) errors: FieldErrors,
    pub(crate) notice: Option<Notice>,
}

/// A message about the account that is not an error in the form: why login cannot go on yet.
pub struct Notice {
    pub heading: String,
    pub emphasis: Option<String>,
    pub paragraphs: Vec<String>,
    /// A link to what the visitor can do about it.
    pub action: Option<(String, String)>,
}

async fn start(State(state): State<WebState>, page: Page) -> Response {
    if page.visitor.account_id().is_some() {
        return Redirect::to("/min-profil").into_response();
    }
    render(&StartPage {
        chrome: Chrome::new(&state, &page, "inloggning"),
        personnummer: String::new(),
        errors: FieldErrors::default(),
        notice: None,
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
pub const THROTTLED: &str = "För många misslyckade inloggningsförsök. Vänta en kvart och försök sedan igen, eller använd Glömt lösenord?.";
pub const NOT_VERIFIED: &str = "Behörighetskontroll ej slutförd";
pub const VERIFICATION_EXPLAINED: &str = "Vid nyregistrering kontrolleras förskrivarkoden hos Socialstyrelsen. Först när Socialstyrelsen bekräftat förskrivarkoden går det att logga in. Räkna med att det kan ta upp till 48 timmar (kontorstid) innan förskrivarkoden blivit verifierad. Ett mejl skickas som bekräftar att behörighetskontrollen är slutförd och att det går att logga in.";

/// Swedish local time for people: "2026-12-07 kl. 12:00".
pub fn swedish_time(at: jiff::Timestamp) -> String {
    at.to_zoned_datetime(erecept_domain::clock::stockholm())
        .strftime("%Y-%m-%d kl. %H:%M")
        .to_string()
}

pub(crate) fn licence_notice(reason: NoActiveLicence) -> Notice {
    let action = match reason {
        NoActiveLicence::Unpaid => Some(("/kundtjanst".to_owned(), "Kontakta support".to_owned())),
        NoActiveLicence::Expired => {
            Some(("/licens/fornya".to_owned(), "Förnya licensen".to_owned()))
        }
        NoActiveLicence::GroupForbidsWebLogin => None,
        NoActiveLicence::LeftGroup => {
            Some(("/licens/egen".to_owned(), "Teckna egen licens".to_owned()))
        }
    };
    Notice {
        heading: NoActiveLicence::HEADING.to_owned(),
        emphasis: Some(reason.reason().to_owned()),
        paragraphs: vec![reason.explanation().to_owned()],
        action,
    }
}

async fn login(
    State(state): State<WebState>,
    page: Page,
    ClientAddress(address): ClientAddress,
    Form(form): Form<LoginForm>,
) -> Response {
    let mut errors = FieldErrors::default();
    let typed = form.personnummer.trim();
    let person_number = if typed.is_empty() {
        errors.add("personnummer", "Fyll i ditt personnummer.");
        None
    } else {
        PersonNumber::parse(typed, state.app.clock.today())
            .map_err(|error| errors.add("personnummer", error.to_string()))
            .ok()
    };
    if form.losenord.is_empty() {
        errors.add("losenord", "Fyll i ditt lösenord.");
    }
    let mut notice = None;
    if let (Some(person_number), true) = (person_number, errors.is_empty()) {
        let outcome = state
            .app
            .auth
            .login(
                &person_number,
                &form.losenord,
                address,
                page.visitor.token.as_ref(),
            )
            .await;
        match outcome {
            Err(error) => return server_error(&state, &page, &error.to_string()),
            Ok(LoginOutcome::LoggedIn { token, .. }) => {
                let cookie = cookies::session_cookie(&token, state.config.production);
                return ([(header::SET_COOKIE, cookie)], Redirect::to("/min-profil"))
                    .into_response();
            }
            Ok(LoginOutcome::WrongCredentials) => errors.add("personnummer", WRONG_CREDENTIALS),
            Ok(LoginOutcome::Throttled) => errors.add("personnummer", THROTTLED),
            Ok(LoginOutcome::NotVerified { expected_by }) => {
                notice = Some(not_verified_notice(expected_by));
            }
            Ok(
                outcome @ (LoginOutcome::NoActiveLicence(_)
                | LoginOutcome::CertificateMissing { .. }),
            ) => {
                // The credentials were right: where the visitor can do something about it,
                // remember for which account.
                if let Some(response) = refusal_page(&state, &page, &person_number, &outcome).await
                {
                    return response;
                }
                notice = Some(match outcome {
                    LoginOutcome::CertificateMissing { submitted } => certificate_notice(submitted),
                    LoginOutcome::NoActiveLicence(reason) => licence_notice(reason),
                    _ => not_verified_notice(None),
                });
            }
        }
    }
    let status = if notice.is_some() {
        StatusCode::FORBIDDEN
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = render(&StartPage {
        chrome: Chrome::new(&state, &page, "inloggning"),
        personnummer: form.personnummer,
        errors,
        notice,
    });
    (status, body).into_response()
}

/// "Behörighetskontroll ej slutförd", with the expected time when there is one.
pub(crate) fn not_verified_notice(expected_by: Option<jiff::Timestamp>) -> Notice {
    let mut paragraphs = vec![VERIFICATION_EXPLAINED.to_owned()];
    if let Some(at) = expected_by {
        paragraphs.push(format!(
            "Kontrollen beräknas vara klar senast {}.",
            swedish_time(at)
        ));
    } else {
        paragraphs
            .push("Kontrollen behöver göras av vår support. Vi hör av oss via e-post.".to_owned());
    }
    Notice {
        heading: NOT_VERIFIED.to_owned(),
        emphasis: None,
        paragraphs,
        action: None,
    }
}

/// After correct credentials that still may not log in: a session (not logged in) that lets
/// this visitor do the one thing that helps (renew the licence, upload a certificate) for that
/// account, and the start page with the notice. `grant` is the session key naming the account.
pub(crate) async fn remember_for(
    state: &WebState,
    page: &Page,
    person_number: &PersonNumber,
    grant: &str,
    notice: Notice,
) -> Option<Response> {
    let account = state
        .app
        .store
        .account_by_person_number(person_number)
        .await
        .ok()??;
    let data = serde_json::json!({ grant: account.id.0 });
    let (token, _) = state
        .app
        .sessions
        .renew(page.visitor.token.as_ref(), None)
        .await
        .ok()?;
    state.app.sessions.save(&token, &data).await.ok()?;
    let body = render(&StartPage {
        chrome: Chrome::new(state, page, "inloggning"),
        personnummer: person_number.as_12_digits(),
        errors: FieldErrors::default(),
        notice: Some(notice),
    });
    let cookie = cookies::session_cookie(&token, state.config.production);
    Some((StatusCode::FORBIDDEN, [(header::SET_COOKIE, cookie)], body).into_response())
}

/// The session key that lets a visitor renew an account's expired licence.
pub(crate) const RENEWAL_GRANT: &str = "renew_licence_for";
/// The session key that lets a visitor upload a certificate for an account.
pub(crate) const CERTIFICATE_GRANT: &str = "certificate_for";

/// The answer for an outcome that is not "logged in" and not a form error: the notice, with
/// the grant that its action needs.
pub(crate) async fn refusal_page(
    state: &WebState,
    page: &Page,
    person_number: &PersonNumber,
    outcome: &LoginOutcome,
) -> Option<Response> {
    let (grant, notice) = match outcome {
        LoginOutcome::NoActiveLicence(NoActiveLicence::Expired) => {
            (RENEWAL_GRANT, licence_notice(NoActiveLicence::Expired))
        }
        LoginOutcome::CertificateMissing { submitted: false } => {
            (CERTIFICATE_GRANT, certificate_notice(false))
        }
        _ => return None,
    };
    remember_for(state, page, person_number, grant, notice).await
}

pub(crate) fn certificate_notice(submitted: bool) -> Notice {
    let (paragraph, action) = if submitted {
        (
            "Ditt intyg från verksamhetschefen granskas av support. När intyget är godkänt kan du logga in.",
            None,
        )
    } else {
        (
            "Som AT-läkare eller sjuksköterska behöver du skicka in ett intyg från din verksamhetschef. När support har godkänt intyget kan du logga in.",
            Some(("/intyg".to_owned(), "Ladda upp intyg".to_owned())),
        )
    };
    Notice {
        heading: NOT_VERIFIED.to_owned(),
        emphasis: Some("Intyg saknas".to_owned()),
        paragraphs: vec![paragraph.to_owned()],
        action,
    }
}

async fn logout(State(state): State<WebState>, page: Page) -> Response {
    if let Some(token) = &page.visitor.token
        && let Err(error) = state.app.sessions.end(token).await
    {
        tracing::error!(%error, "ending session");
    }
    let cookie = cookies::clear_session_cookie(state.config.production);
    ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
}

/// A technical fault the visitor cannot mend: the Swedish error page with a reference.
pub fn server_error(state: &WebState, page: &Page, error: &str) -> Response {
    let reference = uuid::Uuid::new_v4().simple().to_string();
    tracing::error!(%reference, %error, "request failed");
    let body = message_page(
        state,
        page,
        "start",
        "Något gick fel",
        vec![
            "Ett tekniskt fel uppstod och ingenting har sparats. Försök igen om en stund."
                .to_owned(),
        ],
        Some(reference),
    );
    (StatusCode::INTERNAL_SERVER_ERROR, body).into_response()
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
    page: &Page,
    help: &'static str,
    heading: &str,
    paragraphs: Vec<String>,
    reference: Option<String>,
) -> Response {
    render(&MessagePage {
        chrome: Chrome::new(state, page, help),
        heading: heading.to_owned(),
        paragraphs,
        reference,
    })
}

pub async fn not_found(State(state): State<WebState>, page: Page) -> Response {
    let page = message_page(
        &state,
        &page,
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
