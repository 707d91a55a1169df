//! The simulator's HTTP routes: the credentials service, the control API and the page.

use std::fmt::Write as _;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use erecept_domain::PersonNumber;
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::json;

use super::state::{
    Answer, ControlError, DEFAULT_SLOW_DELAY, Fault, MAX_SLOW_DELAY, SimulatorHandle, parse_person,
};
use crate::types::{CredentialsRequest, ErrorBody, PERSON_NOT_FOUND, PendingBody};

pub fn router(handle: SimulatorHandle) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/credentials", post(credentials))
        .route("/control/persons", post(control_register))
        .route("/control/persons/{pnr}/reject", post(control_reject))
        .route("/control/fault", post(control_fault))
        .route("/control/requests", get(control_requests))
        .with_state(handle)
}

// ---- the credentials service ----

async fn credentials(State(sim): State<SimulatorHandle>, body: Bytes) -> Response {
    if let Fault::Slow(delay) = sim.fault() {
        tokio::time::sleep(delay).await;
    }
    let request = serde_json::from_slice::<CredentialsRequest>(&body).ok();
    match sim.answer(request.as_ref()) {
        Some(Answer::Found(credentials)) => (StatusCode::OK, Json(credentials)).into_response(),
        Some(Answer::Pending) => (
            StatusCode::ACCEPTED,
            Json(PendingBody {
                status: "pending".to_owned(),
            }),
        )
            .into_response(),
        Some(Answer::NotFound) => (
            StatusCode::NOT_FOUND,
            Json(ErrorBody {
                error: PERSON_NOT_FOUND.to_owned(),
            }),
        )
            .into_response(),
        Some(Answer::Unavailable) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"error": "serviceUnavailable"})),
        )
            .into_response(),
        None => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "badRequest"})),
        )
            .into_response(),
    }
}

// ---- control API (JSON) ----

fn bad_request(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": message}))).into_response()
}

fn control_error(error: &ControlError) -> Response {
    bad_request(&error.to_string())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PersonBody {
    personal_identity_number: String,
    profession: String,
    #[serde(default)]
    prescription_code: Option<String>,
}

async fn control_register(State(sim): State<SimulatorHandle>, body: Bytes) -> Response {
    let body = match serde_json::from_slice::<PersonBody>(&body) {
        Ok(body) => body,
        Err(error) => return bad_request(&format!("invalid JSON: {error}")),
    };
    match parse_person(
        &body.personal_identity_number,
        &body.profession,
        body.prescription_code.as_deref(),
    ) {
        Ok((person, profession, code)) => {
            sim.register(&person, profession, code.as_ref());
            let credentials = super::state::credentials_for(
                &person.as_12_digits(),
                profession,
                code.map(|c| c.to_string()),
            );
            Json(credentials).into_response()
        }
        Err(error) => control_error(&error),
    }
}

async fn control_reject(State(sim): State<SimulatorHandle>, Path(pnr): Path<String>) -> Response {
    match PersonNumber::parse_12(&pnr) {
        Ok(person) => {
            sim.reject(&person);
            Json(json!({})).into_response()
        }
        Err(_) => control_error(&ControlError::PersonNumber),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FaultBody {
    mode: FaultMode,
    #[serde(default)]
    delay_ms: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum FaultMode {
    None,
    Error,
    Slow,
}

async fn control_fault(State(sim): State<SimulatorHandle>, body: Bytes) -> Response {
    let body = match serde_json::from_slice::<FaultBody>(&body) {
        Ok(body) => body,
        Err(error) => return bad_request(&format!("invalid JSON: {error}")),
    };
    let fault = match body.mode {
        FaultMode::None => Fault::None,
        FaultMode::Error => Fault::Error,
        FaultMode::Slow => {
            let delay = body
                .delay_ms
                .map_or(DEFAULT_SLOW_DELAY, Duration::from_millis);
            if delay > MAX_SLOW_DELAY {
                return control_error(&ControlError::Delay);
            }
            Fault::Slow(delay)
        }
    };
    sim.set_fault(fault);
    Json(json!({})).into_response()
}

async fn control_requests(State(sim): State<SimulatorHandle>) -> Response {
    Json(sim.requests()).into_response()
}

// ---- the page (semantic HTML, no script, no inline style) ----

/// How many of the latest requests the page shows.
const PAGE_REQUESTS: usize = 50;

async fn page(State(sim): State<SimulatorHandle>) -> Response {
    (
        StatusCode::OK,
        [(CONTENT_TYPE, "text/html; charset=utf-8")],
        Html(page_html(&sim)),
    )
        .into_response()
}

fn time(at: Timestamp) -> String {
    at.to_zoned_datetime(erecept_domain::clock::stockholm())
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string()
}

fn page_html(sim: &SimulatorHandle) -> String {
    let mut out = String::with_capacity(8192);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Simulator: förskrivarregistret</title>\n</head>\n<body>\n<header>\n\
         <h1>Simulator: förskrivarregistret</h1>\n\
         <p>Utvecklingsläge: den här simulatorn svarar i stället för Socialstyrelsens register \
         över hälso- och sjukvårdspersonal (HOSP) när tjänsten kontrollerar en förskrivarkod. \
         Inga riktiga uppgifter används.</p>\n</header>\n<main>\n\
         <section aria-labelledby=\"regler-rubrik\">\n<h2 id=\"regler-rubrik\">Så svarar simulatorn</h2>\n\
         <p>En person som inte har lagts in nedan får svaret &rdquo;väntar&rdquo; tills \
         {} sekunder har gått sedan den första förfrågan om personen. Därefter bekräftas den \
         förskrivarkod och det yrke som personen angav, om uppgifterna har rätt format. \
         En förfrågan med felaktigt format får svaret att personen inte finns.</p>\n\
         <p>Personer läggs in, avvisas och fel simuleras med simulatorns styr-API (JSON): \
         <code>POST control/persons</code>, <code>POST control/persons/{{personnummer}}/reject</code>, \
         <code>POST control/fault</code> och <code>GET control/requests</code>.</p>\n</section>\n",
        sim.verify_delay().as_secs()
    );

    let _ = write!(
        out,
        "<section aria-labelledby=\"fel-rubrik\">\n<h2 id=\"fel-rubrik\">Simulerat fel</h2>\n\
         <p>{}</p>\n</section>\n",
        escape(&sim.fault().describe())
    );

    out.push_str(
        "<section aria-labelledby=\"personer-rubrik\">\n\
         <h2 id=\"personer-rubrik\">Inlagda personer</h2>\n",
    );
    let registered = sim.registered();
    if registered.is_empty() {
        out.push_str("<p>Inga personer har lagts in.</p>\n");
    } else {
        out.push_str(
            "<table>\n<thead>\n<tr><th scope=\"col\">Personnummer</th><th scope=\"col\">Yrke</th>\
             <th scope=\"col\">Förskrivarkod</th></tr>\n</thead>\n<tbody>\n",
        );
        for person in &registered {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&person.personal_identity_number),
                escape(person.profession.name()),
                escape(person.prescription_code.as_deref().unwrap_or("saknas")),
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");

    out.push_str(
        "<section aria-labelledby=\"avvisade-rubrik\">\n\
         <h2 id=\"avvisade-rubrik\">Avvisade personer</h2>\n",
    );
    let rejected = sim.rejected();
    if rejected.is_empty() {
        out.push_str("<p>Inga personer har avvisats.</p>\n");
    } else {
        out.push_str("<ul>\n");
        for pnr in &rejected {
            let _ = writeln!(out, "<li>{}</li>", escape(pnr));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");

    out.push_str(
        "<section aria-labelledby=\"vantande-rubrik\">\n\
         <h2 id=\"vantande-rubrik\">Kontroller som bekräftas automatiskt</h2>\n",
    );
    let waiting = sim.waiting();
    if waiting.is_empty() {
        out.push_str("<p>Inga kontroller.</p>\n");
    } else {
        out.push_str(
            "<table>\n<thead>\n<tr><th scope=\"col\">Personnummer</th>\
             <th scope=\"col\">Första förfrågan</th><th scope=\"col\">Bekräftas från</th></tr>\n\
             </thead>\n<tbody>\n",
        );
        for w in &waiting {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&w.personal_identity_number),
                time(w.first_seen),
                time(w.confirmed_from),
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");

    out.push_str(
        "<section aria-labelledby=\"forfragningar-rubrik\">\n\
         <h2 id=\"forfragningar-rubrik\">Senaste förfrågningar</h2>\n",
    );
    let requests = sim.requests();
    if requests.is_empty() {
        out.push_str("<p>Inga förfrågningar har kommit.</p>\n");
    } else {
        let _ = write!(
            out,
            "<table>\n<caption>De senaste {PAGE_REQUESTS}, nyaste först</caption>\n<thead>\n<tr>\
             <th scope=\"col\">Tid</th><th scope=\"col\">Personnummer</th>\
             <th scope=\"col\">Angiven förskrivarkod</th><th scope=\"col\">Angivet yrke</th>\
             <th scope=\"col\">Svar</th></tr>\n</thead>\n<tbody>\n"
        );
        for r in requests.iter().rev().take(PAGE_REQUESTS) {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                time(r.received_at),
                escape(&r.personal_identity_number),
                escape(&r.claimed_prescription_code),
                escape(&r.claimed_profession),
                status_text(r.status),
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n</main>\n</body>\n</html>\n");
    out
}

fn status_text(status: u16) -> &'static str {
    match status {
        200 => "200 uppgifter lämnade",
        202 => "202 väntar",
        404 => "404 personen finns inte",
        503 => "503 simulerat fel",
        _ => "400 felaktig förfrågan",
    }
}

/// Escapes text for HTML element content and quoted attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}
