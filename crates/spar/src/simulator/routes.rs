//! The simulator's HTTP routes: PersonSök over SOAP, the control API and the page.

use std::fmt::Write as _;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use erecept_domain::PersonNumber;
use serde::Deserialize;
use serde_json::json;

use super::generate::{SimPerson, generate};
use super::state::{Answer, DEFAULT_SLOW_DELAY, Fault, MAX_SLOW_DELAY, SimulatorHandle};
use crate::types::{PersonsokningFraga, PersonsokningSvar, SoapFault, Undantag};

/// The simulator's own `Undantag` codes (SPAR's real codes are not published with the schema).
pub const UNDANTAG_INVALID_ID: &str = "SIM01";
pub const UNDANTAG_IDENTIFICATION: &str = "SIM02";
pub const UNDANTAG_SIMULATED: &str = "SIM03";

pub fn router(handle: SimulatorHandle) -> Router {
    Router::new()
        .route("/", get(page).post(personsok))
        .route("/2021.1", post(personsok))
        .route("/2021.1/", post(personsok))
        .route("/control/persons", post(control_person))
        .route("/control/persons/clear", post(control_clear))
        .route("/control/fault", post(control_fault))
        .route("/control/requests", get(control_requests))
        .with_state(handle)
}

// ---- PersonSök ----

fn soap(status: StatusCode, body: String) -> Response {
    (status, [(CONTENT_TYPE, "text/xml; charset=utf-8")], body).into_response()
}

fn fault(code: &str, message: &str) -> Response {
    soap(
        StatusCode::INTERNAL_SERVER_ERROR,
        SoapFault {
            faultcode: format!("S:{code}"),
            faultstring: message.to_owned(),
        }
        .to_xml(),
    )
}

fn answer(fraga: &PersonsokningFraga, build: impl FnOnce(&mut PersonsokningSvar)) -> Response {
    let mut svar = PersonsokningSvar {
        fraga_id_nummer: Some(fraga.id_nummer.clone()),
        uuid: Some(uuid::Uuid::new_v4().to_string()),
        ..PersonsokningSvar::default()
    };
    build(&mut svar);
    soap(StatusCode::OK, svar.to_xml())
}

fn undantag(fraga: &PersonsokningFraga, kod: &str, beskrivning: &str) -> Response {
    answer(fraga, |svar| {
        svar.undantag.push(Undantag {
            kod: kod.to_owned(),
            beskrivning: beskrivning.to_owned(),
        });
    })
}

async fn personsok(
    State(sim): State<SimulatorHandle>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let soap_action = headers
        .get("soapaction")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let fault_mode = sim.fault();
    if let Fault::Slow(delay) = fault_mode {
        tokio::time::sleep(delay).await;
    }
    let fraga = PersonsokningFraga::parse(&body).ok();
    if fault_mode == Fault::Error {
        sim.record(soap_action, fraga.as_ref(), "fault");
        return fault("Server", "Simulerat fel: tjänsten är inte tillgänglig.");
    }
    let Some(fraga) = fraga else {
        sim.record(soap_action, None, "badRequest");
        return fault(
            "Client",
            "Frågan är inte ett SPARPersonsokningFraga-kuvert.",
        );
    };
    if fault_mode == Fault::Undantag {
        sim.record(soap_action, Some(&fraga), "undantag");
        return undantag(&fraga, UNDANTAG_SIMULATED, "Simulerat undantag.");
    }
    let id = &fraga.identifieringsinformation;
    if [
        &id.kund_nr_leverans_mottagare,
        &id.kund_nr_slutkund,
        &id.uppdrag_id,
        &id.slut_anvandar_id,
    ]
    .iter()
    .any(|v| v.is_empty())
    {
        sim.record(soap_action, Some(&fraga), "undantag");
        return undantag(
            &fraga,
            UNDANTAG_IDENTIFICATION,
            "Identifieringsinformation saknas eller är ofullständig.",
        );
    }
    let Ok(number) = PersonNumber::parse_12(&fraga.id_nummer) else {
        sim.record(soap_action, Some(&fraga), "undantag");
        return undantag(
            &fraga,
            UNDANTAG_INVALID_ID,
            "IdNummer är inte ett giltigt personnummer eller samordningsnummer.",
        );
    };
    match sim.answer(&number) {
        Answer::Found(post) => {
            sim.record(soap_action, Some(&fraga), "found");
            answer(&fraga, |svar| svar.svarsposter.push(*post))
        }
        Answer::NotFound => {
            sim.record(soap_action, Some(&fraga), "notFound");
            answer(&fraga, |_| {})
        }
    }
}

// ---- control API (JSON) ----

fn bad_request(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": message}))).into_response()
}

async fn control_person(State(sim): State<SimulatorHandle>, body: Bytes) -> Response {
    let person = match serde_json::from_slice::<SimPerson>(&body) {
        Ok(person) => person,
        Err(error) => return bad_request(&format!("invalid JSON: {error}")),
    };
    let Ok(number) = PersonNumber::parse_12(&person.person_number) else {
        return bad_request(
            "personNumber must be a valid 12-digit personnummer or samordningsnummer",
        );
    };
    if let (Some(given), Some(calling)) = (&person.given_names, &person.calling_name)
        && crate::person::calling_name_code(given, calling).is_none()
    {
        return bad_request("callingName must be one of givenNames (or two neighbouring ones)");
    }
    sim.set_person(person);
    // Answer what a look-up will now give.
    match sim.answer(&number) {
        Answer::Found(post) => match crate::person::person_from(&post) {
            Ok(p) => Json(json!({"found": true, "person": p})).into_response(),
            Err(e) => bad_request(&e.to_string()),
        },
        Answer::NotFound => Json(json!({"found": false})).into_response(),
    }
}

async fn control_clear(State(sim): State<SimulatorHandle>) -> Response {
    sim.clear_persons();
    Json(json!({})).into_response()
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
    Undantag,
}

async fn control_fault(State(sim): State<SimulatorHandle>, body: Bytes) -> Response {
    let body = match serde_json::from_slice::<FaultBody>(&body) {
        Ok(body) => body,
        Err(error) => return bad_request(&format!("invalid JSON: {error}")),
    };
    let fault = match body.mode {
        FaultMode::None => Fault::None,
        FaultMode::Error => Fault::Error,
        FaultMode::Undantag => Fault::Undantag,
        FaultMode::Slow => {
            let delay = body
                .delay_ms
                .map_or(DEFAULT_SLOW_DELAY, Duration::from_millis);
            if delay > MAX_SLOW_DELAY {
                return bad_request("delayMs must be at most 120000");
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
const PAGE_REQUESTS: usize = 30;

async fn page(State(sim): State<SimulatorHandle>) -> Response {
    (
        StatusCode::OK,
        [(CONTENT_TYPE, "text/html; charset=utf-8")],
        Html(page_html(&sim)),
    )
        .into_response()
}

fn example_rows(
    out: &mut String,
    numbers: &[PersonNumber],
    describe: impl Fn(&SimPerson) -> String,
) {
    if numbers.is_empty() {
        out.push_str("<p>Inga exempel.</p>\n");
        return;
    }
    out.push_str(
        "<table>\n<thead>\n<tr><th scope=\"col\">Nummer</th><th scope=\"col\">Simulatorns svar</th></tr>\n</thead>\n<tbody>\n",
    );
    for n in numbers {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td></tr>",
            n.as_12_digits(),
            escape(&describe(&generate(n)))
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn name_and_town(p: &SimPerson) -> String {
    let name = [
        p.calling_name.as_deref(),
        p.middle_name.as_deref(),
        p.surname.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    match &p.address {
        Some(a) => format!("{name}, {}", a.post_town),
        None => name,
    }
}

fn page_html(sim: &SimulatorHandle) -> String {
    let mut out = String::with_capacity(16384);
    out.push_str(
        "<!doctype html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Simulator: befolkningsregistret (SPAR)</title>\n</head>\n<body>\n<header>\n\
         <h1>Simulator: befolkningsregistret (SPAR)</h1>\n\
         <p>Utvecklingsläge: den här simulatorn svarar i stället för Skatteverkets statliga \
         personadressregister SPAR (PersonSök) när tjänsten hämtar en patients namn och adress. \
         Alla personer är påhittade. Inga riktiga personuppgifter används.</p>\n</header>\n<main>\n",
    );
    let _ = write!(
        out,
        "<section aria-labelledby=\"regler-rubrik\">\n<h2 id=\"regler-rubrik\">Så svarar simulatorn</h2>\n\
         <p>Simulatorn känner bara till testnummer: {}, totalt {} personnummer och {} \
         samordningsnummer. Ett annat nummer får svaret att personen inte finns.</p>\n\
         <p>Varje testnummer ger alltid samma påhittade person: namn ur en lista med vanliga \
         svenska namn och en påhittad adress i en riktig svensk ort. Ungefär 2&nbsp;% har skyddad \
         identitet (svaret saknar namn och adress), 3&nbsp;% är avlidna och 3&nbsp;% är okända.</p>\n\
         <p>Personer läggs in och fel simuleras med simulatorns styr-API (JSON): \
         <code>POST control/persons</code>, <code>POST control/persons/clear</code>, \
         <code>POST control/fault</code> och <code>GET control/requests</code>.</p>\n</section>\n",
        escape(sim.identities().source()),
        sim.identities().personnummer().len(),
        sim.identities().samordningsnummer().len(),
    );
    let _ = write!(
        out,
        "<section aria-labelledby=\"fel-rubrik\">\n<h2 id=\"fel-rubrik\">Simulerat fel</h2>\n\
         <p>{}</p>\n</section>\n",
        escape(&sim.fault().describe())
    );

    out.push_str(
        "<section aria-labelledby=\"exempel-rubrik\">\n<h2 id=\"exempel-rubrik\">Exempel att prova</h2>\n",
    );
    let ex = sim.examples();
    out.push_str("<h3>Vanliga personer</h3>\n");
    example_rows(&mut out, &ex.normal, name_and_town);
    out.push_str("<h3>Samordningsnummer</h3>\n");
    example_rows(&mut out, &ex.samordningsnummer, name_and_town);
    out.push_str("<h3>Skyddad identitet</h3>\n");
    example_rows(&mut out, &ex.protected, |_| {
        "Markerad som skyddad, utan namn och adress".to_owned()
    });
    out.push_str("<h3>Avlidna</h3>\n");
    example_rows(&mut out, &ex.deceased, |p| {
        format!(
            "{}, avliden {}",
            name_and_town(p),
            p.deceased_on.map(|d| d.to_string()).unwrap_or_default()
        )
    });
    out.push_str("<h3>Okända</h3>\n");
    example_rows(&mut out, &ex.unknown, |_| "Personen finns inte".to_owned());
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
             <th scope=\"col\">Tid</th><th scope=\"col\">Nummer</th>\
             <th scope=\"col\">Slutanvändare</th><th scope=\"col\">Svar</th></tr>\n</thead>\n<tbody>\n"
        );
        for r in requests.iter().rev().take(PAGE_REQUESTS) {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                r.received_at
                    .to_zoned_datetime(erecept_domain::clock::stockholm())
                    .strftime("%Y-%m-%d %H:%M:%S"),
                escape(&r.id_nummer),
                escape(&r.slut_anvandar_id),
                answer_text(&r.answer),
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    let _ = write!(
        out,
        "</section>\n</main>\n<footer>\n<p>Simulatorns klocka: {}</p>\n</footer>\n</body>\n</html>\n",
        sim.now()
            .to_zoned_datetime(erecept_domain::clock::stockholm())
            .strftime("%Y-%m-%d %H:%M:%S")
    );
    out
}

fn answer_text(answer: &str) -> &'static str {
    match answer {
        "found" => "Personen hittades",
        "notFound" => "Personen finns inte",
        "undantag" => "Undantag",
        "fault" => "Simulerat fel",
        _ => "Felaktig fråga",
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
