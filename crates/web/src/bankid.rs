//! Identification with BankID: start an order, follow it, show the animated QR code or the
//! autostart link, and go on by itself when it is complete (SPEC §2.1 step 2, §2.2).
//!
//! The order (with its QR secret) lives in the server-side session under `bankid_order`; the
//! browser only ever sees the order's state, the QR image and the autostart token. A completed
//! identification is stored under `identified` for the next step: the registration wizard
//! (`/ny-forskrivare/identifierad`) or the login with BankID (`/bankid/inloggning`).
//!
//! Without JavaScript the status page reloads itself every two seconds; with htmx the fragment
//! `/bankid/status` is polled every second instead. Each load collects the order once.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use erecept_app::identification::{Flow, Rfa, flow_name};
use erecept_app::{Identification, LoginOutcome, PendingOrder, Progress, SessionToken};
use erecept_domain::PersonNumber;
use erecept_store::Session;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::pages::{
    Notice, StartPage, THROTTLED, certificate_notice, licence_notice, message_page,
    not_verified_notice, refusal_page, render, server_error,
};
use crate::session::ClientAddress;
use crate::{Chrome, FieldErrors, Page, WebState, cookies, session};

/// The session key of the order in progress.
pub const ORDER_KEY: &str = "bankid_order";
/// The session key of a completed identification.
pub const IDENTIFIED_KEY: &str = "identified";
/// How long a completed identification may be used to log in.
const IDENTIFIED_VALID: SignedDuration = SignedDuration::from_mins(5);
/// htmx stops polling an element when the answer has this status.
const STOP_POLLING: u16 = 286;

pub const NO_ACCOUNT: &str =
    "Det finns inget konto för ditt personnummer. Registrera dig som Ny förskrivare.";

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/bankid/start", post(start))
        .route("/bankid", get(status_page))
        .route("/bankid/status", get(status_fragment))
        .route("/bankid/qr.svg", get(qr_svg))
        .route("/bankid/avbryt", post(cancel))
        .route(
            "/bankid/inloggning",
            get(|state, page| login(state, page, Purpose::Inloggning)),
        )
        .route("/licens/egen", get(own_licence))
        .route(
            "/licens/egen/identifierad",
            get(|state, page| login(state, page, Purpose::Egenlicens)),
        )
}

/// What the identification is for: it decides where the visitor goes afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Purpose {
    Registrering,
    Inloggning,
    /// An own licence for a prescriber who has left a group licence (login reason d).
    Egenlicens,
}

impl Purpose {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "registrering" => Some(Purpose::Registrering),
            "inloggning" => Some(Purpose::Inloggning),
            "egenlicens" => Some(Purpose::Egenlicens),
            _ => None,
        }
    }

    /// Where the identification was chosen: "Avbryt" and "Försök igen" lead back there.
    fn origin(self) -> &'static str {
        match self {
            Purpose::Registrering => "/ny-forskrivare/bankid",
            Purpose::Inloggning => "/",
            Purpose::Egenlicens => "/licens/egen",
        }
    }

    /// Where a completed identification goes on to.
    fn next(self) -> &'static str {
        match self {
            Purpose::Registrering => "/ny-forskrivare/identifierad",
            Purpose::Inloggning => "/bankid/inloggning",
            Purpose::Egenlicens => "/licens/egen/identifierad",
        }
    }

    fn heading(self) -> &'static str {
        match self {
            Purpose::Registrering => "Identifiera dig med BankID",
            Purpose::Inloggning => "Logga in med BankID",
            Purpose::Egenlicens => "Teckna egen licens med BankID",
        }
    }

    fn help(self) -> &'static str {
        match self {
            Purpose::Registrering => "ny-forskrivare",
            Purpose::Inloggning => "inloggning",
            Purpose::Egenlicens => "inloggning",
        }
    }
}

/// What the session holds under [`ORDER_KEY`].
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredOrder {
    purpose: Purpose,
    order: PendingOrder,
    /// The last collect and its message: BankID asks relying parties to collect every two
    /// seconds, while the page refreshes the QR code every second.
    #[serde(default)]
    last_collect: Option<jiff::Timestamp>,
    #[serde(default)]
    last_rfa: Option<String>,
}

/// How often an order is collected at most.
const COLLECT_INTERVAL: jiff::SignedDuration = jiff::SignedDuration::from_secs(2);

/// What the session holds under [`IDENTIFIED_KEY`].
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Identified {
    /// 12 digits.
    person_number: String,
    given_name: String,
    surname: String,
    at: Timestamp,
    purpose: Purpose,
}

fn identification(state: &WebState) -> Option<Identification> {
    state
        .app
        .clients
        .bankid
        .clone()
        .map(|client| Identification::new(client, state.app.clock.clone()))
}

/// The visitor's session and the order in it, if there is one.
fn current(page: &Page) -> Option<(SessionToken, Session, StoredOrder)> {
    let token = page.visitor.token.clone()?;
    let session = page.visitor.session.clone()?;
    let stored = serde_json::from_value(session.data.get(ORDER_KEY)?.clone()).ok()?;
    Some((token, session, stored))
}

/// Sets (or, with `Null`, removes) several keys of the session's data and saves it once.
async fn update(
    state: &WebState,
    token: &SessionToken,
    session: &mut Session,
    changes: Vec<(&str, serde_json::Value)>,
) -> Result<(), erecept_app::AppError> {
    if !session.data.is_object() {
        session.data = serde_json::json!({});
    }
    if let Some(map) = session.data.as_object_mut() {
        for (key, value) in changes {
            if value.is_null() {
                map.remove(key);
            } else {
                map.insert(key.to_owned(), value);
            }
        }
    }
    state.app.sessions.save(token, &session.data).await
}

fn is_htmx(headers: &HeaderMap) -> bool {
    headers
        .get("hx-request")
        .is_some_and(|v| v.as_bytes() == b"true")
}

// Starting an order.

#[derive(Debug, Deserialize)]
struct StartForm {
    #[serde(default)]
    flow: String,
    #[serde(default)]
    purpose: String,
}

async fn start(
    State(state): State<WebState>,
    page: Page,
    ClientAddress(address): ClientAddress,
    Form(form): Form<StartForm>,
) -> Response {
    let (Some(flow), Some(purpose)) = (
        flow_name::parse(form.flow.trim()),
        Purpose::parse(form.purpose.trim()),
    ) else {
        let body = message_page(
            &state,
            &page,
            "start",
            "Ogiltigt val",
            vec!["Välj BankID på den här enheten eller Mobilt BankID på annan enhet och försök igen.".to_owned()],
            None,
        );
        return (StatusCode::BAD_REQUEST, body).into_response();
    };
    match state.app.auth.may_start_identification(address).await {
        Ok(true) => {}
        Ok(false) => {
            let body = message_page(
                &state,
                &page,
                "start",
                "För många försök",
                vec!["Det har startats för många legitimeringar med BankID från din uppkoppling. Vänta en kvart och försök igen.".to_owned()],
                None,
            );
            return (StatusCode::TOO_MANY_REQUESTS, body).into_response();
        }
        Err(error) => return server_error(&state, &page, &error.to_string()),
    }
    let identification = identification(&state);
    // One order per session: an earlier one is cancelled (BankID would refuse a second order
    // for the same person anyway).
    if let Some((token, mut session, old)) = current(&page) {
        if let Some(identification) = &identification {
            // Best effort: the order may already be over.
            let _ = identification.cancel(&old.order).await;
        }
        if let Err(error) = update(
            &state,
            &token,
            &mut session,
            vec![(ORDER_KEY, serde_json::Value::Null)],
        )
        .await
        {
            return server_error(&state, &page, &error.to_string());
        }
    }
    let started = match &identification {
        Some(identification) => identification.start(flow, address).await,
        None => {
            tracing::error!("BankID is not configured");
            Err(Rfa::Rfa5)
        }
    };
    let order = match started {
        Ok(order) => order,
        Err(rfa) => {
            return status_page_of(&state, &page, View::failed(purpose, rfa));
        }
    };
    let (token, mut session, cookie) = match session::ensure(&state, &page.visitor).await {
        Ok(found) => found,
        Err(error) => return server_error(&state, &page, &error.to_string()),
    };
    let stored = match serde_json::to_value(StoredOrder {
        purpose,
        order,
        last_collect: None,
        last_rfa: None,
    }) {
        Ok(value) => value,
        Err(error) => return server_error(&state, &page, &error.to_string()),
    };
    if let Err(error) = update(
        &state,
        &token,
        &mut session,
        vec![
            (ORDER_KEY, stored),
            // A new identification replaces any earlier one.
            (IDENTIFIED_KEY, serde_json::Value::Null),
        ],
    )
    .await
    {
        return server_error(&state, &page, &error.to_string());
    }
    let redirect = Redirect::to("/bankid");
    match cookie {
        Some(cookie) => ([(header::SET_COOKIE, cookie)], redirect).into_response(),
        None => redirect.into_response(),
    }
}

// Following an order.

/// Where the order stands after one collect, with the session already updated.
enum Step {
    Pending {
        purpose: Purpose,
        order: PendingOrder,
        rfa: Rfa,
    },
    Failed {
        purpose: Purpose,
        rfa: Rfa,
    },
    Complete {
        next: &'static str,
    },
}

/// Collects the order once. A failed order is removed from the session; a completed one is
/// replaced by the identity.
async fn advance(
    state: &WebState,
    token: &SessionToken,
    mut session: Session,
    stored: StoredOrder,
) -> Result<Step, erecept_app::AppError> {
    let StoredOrder {
        purpose,
        order,
        last_collect,
        last_rfa,
    } = stored;
    let now = state.app.clock.now();
    let recent = last_collect.is_some_and(|at| now.duration_since(at) < COLLECT_INTERVAL);
    if let (true, Some(rfa)) = (recent, last_rfa.as_deref().and_then(Rfa::from_code)) {
        return Ok(Step::Pending {
            purpose,
            order,
            rfa,
        });
    }
    let progress = match identification(state) {
        Some(identification) => identification.poll(&order).await,
        None => Progress::Failed { rfa: Rfa::Rfa5 },
    };
    match progress {
        Progress::Pending { rfa } => {
            let stored = StoredOrder {
                purpose,
                order: order.clone(),
                last_collect: Some(now),
                last_rfa: Some(rfa.code().to_owned()),
            };
            let value = serde_json::to_value(stored).unwrap_or(serde_json::Value::Null);
            update(state, token, &mut session, vec![(ORDER_KEY, value)]).await?;
            Ok(Step::Pending {
                purpose,
                order,
                rfa,
            })
        }
        Progress::Failed { rfa } => {
            update(
                state,
                token,
                &mut session,
                vec![(ORDER_KEY, serde_json::Value::Null)],
            )
            .await?;
            Ok(Step::Failed { purpose, rfa })
        }
        Progress::Complete(identity) => {
            let identified = Identified {
                person_number: identity.person_number.as_12_digits(),
                given_name: identity.given_name,
                surname: identity.surname,
                at: state.app.clock.now(),
                purpose,
            };
            let value = serde_json::to_value(identified).unwrap_or(serde_json::Value::Null);
            update(
                state,
                token,
                &mut session,
                vec![
                    (ORDER_KEY, serde_json::Value::Null),
                    (IDENTIFIED_KEY, value),
                ],
            )
            .await?;
            Ok(Step::Complete {
                next: purpose.next(),
            })
        }
    }
}

/// What the status page and its fragment show.
struct View {
    /// The manual section of the page's "Hjälp" button.
    help: &'static str,
    heading: &'static str,
    message: &'static str,
    /// The RFA code of the message, so that the fragment knows what the page already shows.
    code: &'static str,
    pending: bool,
    /// The QR image's address (changing every second, so that the browser loads it again).
    qr_src: Option<String>,
    /// `bankid:///?autostarttoken=…&redirect=null` for the app on this device.
    autostart: Option<String>,
    /// "Försök igen" after a failure.
    retry: Option<&'static str>,
    /// In the fragment: whether the message changed, so that the live region is updated.
    message_changed: bool,
}

impl View {
    fn pending(state: &WebState, purpose: Purpose, order: &PendingOrder, rfa: Rfa) -> Self {
        let (qr_src, autostart) = match order.flow {
            Flow::QrCode => {
                let seconds = state
                    .app
                    .clock
                    .now()
                    .duration_since(order.started_at)
                    .as_secs()
                    .max(0);
                (Some(format!("/bankid/qr.svg?t={seconds}")), None)
            }
            Flow::SameDevice => (
                None,
                Some(format!(
                    "bankid:///?autostarttoken={}&redirect=null",
                    order.auto_start_token
                )),
            ),
        };
        Self {
            help: purpose.help(),
            heading: purpose.heading(),
            message: rfa.message(),
            code: rfa.code(),
            pending: true,
            qr_src,
            autostart,
            retry: None,
            message_changed: true,
        }
    }

    fn failed(purpose: Purpose, rfa: Rfa) -> Self {
        Self {
            help: purpose.help(),
            heading: purpose.heading(),
            message: rfa.message(),
            code: rfa.code(),
            pending: false,
            qr_src: None,
            autostart: None,
            retry: Some(purpose.origin()),
            message_changed: true,
        }
    }

    /// No order in the session (never started, already finished, or the session expired).
    fn none() -> Self {
        Self {
            help: "inloggning",
            heading: "Identifiera dig med BankID",
            message: "Det finns ingen pågående identifiering med BankID.",
            code: "",
            pending: false,
            qr_src: None,
            autostart: None,
            retry: Some("/"),
            message_changed: true,
        }
    }
}

#[derive(Template)]
#[template(path = "bankid.html")]
struct StatusPage {
    chrome: Chrome,
    view: View,
}

#[derive(Template)]
#[template(path = "bankid_status.html")]
struct StatusFragment {
    chrome: Chrome,
    view: View,
}

fn status_page_of(state: &WebState, page: &Page, view: View) -> Response {
    render(&StatusPage {
        chrome: Chrome::new(state, page, view.help),
        view,
    })
}

fn status_fragment_of(state: &WebState, page: &Page, view: View) -> Response {
    render(&StatusFragment {
        chrome: Chrome::new(state, page, view.help),
        view,
    })
}

async fn status_page(State(state): State<WebState>, page: Page) -> Response {
    let Some((token, session, stored)) = current(&page) else {
        return status_page_of(&state, &page, View::none());
    };
    match advance(&state, &token, session, stored).await {
        Err(error) => server_error(&state, &page, &error.to_string()),
        Ok(Step::Complete { next }) => Redirect::to(next).into_response(),
        Ok(Step::Pending {
            purpose,
            order,
            rfa,
        }) => status_page_of(&state, &page, View::pending(&state, purpose, &order, rfa)),
        Ok(Step::Failed { purpose, rfa }) => {
            status_page_of(&state, &page, View::failed(purpose, rfa))
        }
    }
}

#[derive(Debug, Deserialize)]
struct FragmentQuery {
    /// The RFA code the page shows now.
    #[serde(default)]
    visat: String,
}

async fn status_fragment(
    State(state): State<WebState>,
    page: Page,
    headers: HeaderMap,
    Query(query): Query<FragmentQuery>,
) -> Response {
    if !is_htmx(&headers) {
        return Redirect::to("/bankid").into_response();
    }
    let stop = StatusCode::from_u16(STOP_POLLING).unwrap_or(StatusCode::OK);
    let Some((token, session, stored)) = current(&page) else {
        let body = status_fragment_of(&state, &page, View::none());
        return (stop, body).into_response();
    };
    match advance(&state, &token, session, stored).await {
        Err(error) => server_error(&state, &page, &error.to_string()),
        Ok(Step::Complete { next }) => {
            let mut response = StatusCode::OK.into_response();
            if let Ok(value) = HeaderValue::from_str(next) {
                response.headers_mut().insert("hx-redirect", value);
            }
            response
        }
        Ok(Step::Pending {
            purpose,
            order,
            rfa,
        }) => {
            let mut view = View::pending(&state, purpose, &order, rfa);
            view.message_changed = query.visat != view.code;
            status_fragment_of(&state, &page, view)
        }
        Ok(Step::Failed { purpose, rfa }) => {
            let body = status_fragment_of(&state, &page, View::failed(purpose, rfa));
            (stop, body).into_response()
        }
    }
}

/// The animated QR code as it is now. The QR secret stays on the server.
async fn qr_svg(State(state): State<WebState>, page: Page) -> Response {
    let not_found = || {
        (
            StatusCode::NOT_FOUND,
            [(header::CACHE_CONTROL, "no-store")],
            "",
        )
            .into_response()
    };
    let Some((_, _, stored)) = current(&page) else {
        return not_found();
    };
    if stored.order.flow != Flow::QrCode {
        return not_found();
    }
    let Some(identification) = identification(&state) else {
        return not_found();
    };
    let text = identification.qr_content_now(&stored.order);
    let code = match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => code,
        Err(error) => {
            tracing::error!(%error, "drawing the BankID QR code");
            return not_found();
        }
    };
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        svg,
    )
        .into_response()
}

/// "Avbryt": cancels the order and returns to where it was chosen.
async fn cancel(State(state): State<WebState>, page: Page) -> Response {
    let Some((token, mut session, stored)) = current(&page) else {
        return Redirect::to("/").into_response();
    };
    if let Some(identification) = identification(&state) {
        // Best effort: the order may already be over; it is forgotten either way.
        let _ = identification.cancel(&stored.order).await;
    }
    if let Err(error) = update(
        &state,
        &token,
        &mut session,
        vec![(ORDER_KEY, serde_json::Value::Null)],
    )
    .await
    {
        return server_error(&state, &page, &error.to_string());
    }
    Redirect::to(stored.purpose.origin()).into_response()
}

// Login with BankID.

/// After a completed identification for login: the same answers as the password login.
/// After a completed identification: logs the person in as the password login would. For an
/// own licence after a group licence (reason d) the licence is started first.
async fn login(State(state): State<WebState>, page: Page, purpose: Purpose) -> Response {
    let (Some(token), Some(mut session)) =
        (page.visitor.token.clone(), page.visitor.session.clone())
    else {
        return Redirect::to("/").into_response();
    };
    let identified = session
        .data
        .get(IDENTIFIED_KEY)
        .and_then(|v| serde_json::from_value::<Identified>(v.clone()).ok());
    let Some(identified) = identified.filter(|i| i.purpose == purpose) else {
        return Redirect::to("/").into_response();
    };
    // Used once, and only while fresh.
    if let Err(error) = update(
        &state,
        &token,
        &mut session,
        vec![(IDENTIFIED_KEY, serde_json::Value::Null)],
    )
    .await
    {
        return server_error(&state, &page, &error.to_string());
    }
    let now = state.app.clock.now();
    if identified.at + IDENTIFIED_VALID < now || identified.at > now + SignedDuration::from_mins(1)
    {
        return Redirect::to("/").into_response();
    }
    let Ok(person_number) = PersonNumber::parse_12(&identified.person_number) else {
        return Redirect::to("/").into_response();
    };
    if purpose == Purpose::Egenlicens {
        let started = match state
            .app
            .store
            .account_by_person_number(&person_number)
            .await
        {
            Ok(Some(account)) => state.app.licences.start_own_after_group(account.id).await,
            Ok(None) => Ok(None),
            Err(e) => Err(e.into()),
        };
        if let Err(error) = started {
            return server_error(&state, &page, &error.to_string());
        }
    }
    let outcome = state
        .app
        .auth
        .login_identified(&person_number, Some(&token))
        .await;
    let mut errors = FieldErrors::default();
    let notice = match outcome {
        Err(error) => return server_error(&state, &page, &error.to_string()),
        Ok(LoginOutcome::LoggedIn { token, .. }) => {
            let cookie = cookies::session_cookie(&token, state.config.production);
            return ([(header::SET_COOKIE, cookie)], Redirect::to("/min-profil")).into_response();
        }
        Ok(LoginOutcome::WrongCredentials) => Notice {
            heading: "Inget konto".to_owned(),
            emphasis: None,
            paragraphs: vec![NO_ACCOUNT.to_owned()],
            action: Some((
                "/ny-forskrivare".to_owned(),
                "Till registreringen".to_owned(),
            )),
        },
        Ok(LoginOutcome::Throttled) => {
            errors.add("personnummer", THROTTLED);
            let body = render(&StartPage {
                chrome: Chrome::new(&state, &page, "inloggning"),
                personnummer: String::new(),
                errors,
                notice: None,
            });
            return (StatusCode::TOO_MANY_REQUESTS, body).into_response();
        }
        Ok(LoginOutcome::NotVerified { expected_by }) => not_verified_notice(expected_by),
        Ok(
            outcome @ (LoginOutcome::NoActiveLicence(_) | LoginOutcome::CertificateMissing { .. }),
        ) => {
            if let Some(response) = refusal_page(&state, &page, &person_number, &outcome).await {
                return response;
            }
            match outcome {
                LoginOutcome::CertificateMissing { submitted } => certificate_notice(submitted),
                LoginOutcome::NoActiveLicence(reason) => licence_notice(reason),
                _ => not_verified_notice(None),
            }
        }
    };
    let body = render(&StartPage {
        chrome: Chrome::new(&state, &page, "inloggning"),
        personnummer: String::new(),
        errors,
        notice: Some(notice),
    });
    (StatusCode::FORBIDDEN, body).into_response()
}

#[derive(Template)]
#[template(path = "own_licence.html")]
struct OwnLicencePage {
    chrome: Chrome,
}

/// Reason d: a prescriber who has left a group licence starts an own licence, identified with
/// BankID.
async fn own_licence(State(state): State<WebState>, page: Page) -> Response {
    render(&OwnLicencePage {
        chrome: Chrome::new(&state, &page, "inloggning"),
    })
}
