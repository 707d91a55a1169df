//! The simulator's HTTP routes: the FHIR API, the control API and the page.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::json;

use super::state::{
    CreateAnswer, DEFAULT_SLOW_DELAY, E001, EndAnswer, FaultMode, K001, MAX_SLOW_DELAY, REGISTERED,
    ReceivedRequest, SimulatorHandle, end_reason,
};
use crate::fhir::{
    Bundle, BundleEntry, BundleType, OperationOutcome, PARAM_ACTIVITY, PARAM_REASON,
    PARAM_REFERENCE, Resource,
};
use crate::outcome::{EndActivity, Issue, outcome_of};
use crate::{
    FHIR_JSON, HEADER_ACCESS, HEADER_IDEMPOTENCY_KEY, HEADER_PROVENANCE, HEADER_PURPOSE,
    HEADER_REQUEST_ID, HEADER_USER_AGENT,
};

pub fn router(handle: SimulatorHandle) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/MedicationRequest", post(create).get(search))
        .route("/MedicationRequest/$end", post(end))
        .route("/MedicationRequest/{id}", get(read))
        .route("/control/fault", post(control_fault))
        .route("/control/prescriptions", get(control_prescriptions))
        .route("/control/requests", get(control_requests))
        .route("/control/reset", post(control_reset))
        .with_state(handle)
}

// ---- FHIR API ----

/// A FHIR answer before the fault switch has its say.
struct Reply {
    status: StatusCode,
    location: Option<String>,
    body: Resource,
}

impl Reply {
    fn ok(status: StatusCode, body: Resource) -> Self {
        Self {
            status,
            location: None,
            body,
        }
    }

    fn outcome(status: StatusCode, issues: &[Issue]) -> Self {
        Self::ok(
            status,
            Resource::OperationOutcome(Box::new(outcome_of(issues))),
        )
    }

    /// A non-AFF error (`invalid`, `security`, `transient` …) with a Swedish diagnostic.
    fn problem(status: StatusCode, issue_type: &str, code: &str, text: &str) -> Self {
        let mut issue = Issue::error(code, text).to_fhir();
        issue.code = issue_type.to_owned();
        Self::ok(
            status,
            Resource::OperationOutcome(Box::new(OperationOutcome::new(vec![issue]))),
        )
    }

    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.body).unwrap_or_default();
        let mut response = (self.status, body).into_response();
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
        if let Some(location) = self.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
            response.headers_mut().insert(LOCATION, location);
        }
        response
    }
}

/// Applies the fault switch and the header checks around `work`, and logs the request.
async fn serve(
    sim: &SimulatorHandle,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    work: impl FnOnce() -> Reply,
) -> Response {
    let fault = sim.take_fault();
    let reply = if let FaultMode::Error { status } = fault {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        Reply::problem(
            status,
            "transient",
            "T.001",
            "Tjänsten är tillfälligt otillgänglig (simulerat fel).",
        )
    } else {
        match check_headers(headers) {
            Err(reply) => reply,
            Ok(()) => work(),
        }
    };
    sim.record(ReceivedRequest {
        received_at: sim.now(),
        method: method.to_string(),
        path: uri
            .path_and_query()
            .map_or_else(String::new, |p| p.to_string()),
        idempotency_key: header(headers, HEADER_IDEMPOTENCY_KEY).map(str::to_owned),
        status: if fault == FaultMode::Drop {
            0
        } else {
            reply.status.as_u16()
        },
    });
    match fault {
        FaultMode::Slow { delay } => tokio::time::sleep(delay).await,
        FaultMode::Drop => return Response::new(Body::new(DroppedBody)),
        FaultMode::None | FaultMode::Error { .. } => {}
    }
    reply.into_response()
}

/// A body that fails at once: the server closes the connection instead of answering.
struct DroppedBody;

impl http_body::Body for DroppedBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "simulated dropped connection",
        ))))
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

fn check_headers(headers: &HeaderMap) -> Result<(), Reply> {
    let token = header(headers, "authorization")
        .and_then(|a| a.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if token.is_none() {
        return Err(Reply::problem(
            StatusCode::UNAUTHORIZED,
            "security",
            "H.000",
            "Giltig åtkomstbiljett (bearer token) saknas.",
        ));
    }
    for name in [
        HEADER_REQUEST_ID,
        HEADER_PURPOSE,
        HEADER_ACCESS,
        HEADER_PROVENANCE,
        HEADER_USER_AGENT,
    ] {
        if header(headers, name).is_none() {
            return Err(Reply::problem(
                StatusCode::BAD_REQUEST,
                "required",
                "H.001",
                &format!("Obligatoriskt huvud saknas: {name}."),
            ));
        }
    }
    let provenance_ok = header(headers, HEADER_PROVENANCE)
        .and_then(|p| STANDARD.decode(p).ok())
        .and_then(|json| serde_json::from_slice::<Resource>(&json).ok())
        .is_some_and(|r| matches!(r, Resource::Provenance(_)));
    if !provenance_ok {
        return Err(Reply::problem(
            StatusCode::BAD_REQUEST,
            "invalid",
            "H.001",
            "Huvudet x-provenance är inte en base64-kodad Provenance.",
        ));
    }
    Ok(())
}

/// The body as a resource of the expected type, or a 400 / 415.
fn parse_body(headers: &HeaderMap, body: &[u8]) -> Result<(Resource, serde_json::Value), Reply> {
    let json_type = header(headers, "content-type").is_some_and(|c| {
        let c = c.split(';').next().unwrap_or_default().trim();
        c.eq_ignore_ascii_case(FHIR_JSON) || c.eq_ignore_ascii_case("application/json")
    });
    if !json_type {
        return Err(Reply::problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "not-supported",
            "H.002",
            "Meddelandet ska vara application/fhir+json.",
        ));
    }
    let value = serde_json::from_slice::<serde_json::Value>(body).map_err(|e| {
        Reply::problem(
            StatusCode::BAD_REQUEST,
            "structure",
            "H.002",
            &format!("Meddelandet kan inte tolkas: {e}"),
        )
    })?;
    let resource = serde_json::from_value::<Resource>(value.clone()).map_err(|e| {
        Reply::problem(
            StatusCode::BAD_REQUEST,
            "structure",
            "H.002",
            &format!("Meddelandet kan inte tolkas: {e}"),
        )
    })?;
    Ok((resource, value))
}

async fn create(
    State(sim): State<SimulatorHandle>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    serve(&sim, &method, &uri, &headers, || {
        let (resource, value) = match parse_body(&headers, &body) {
            Ok(parsed) => parsed,
            Err(reply) => return reply,
        };
        let Resource::MedicationRequest(request) = resource else {
            return Reply::problem(
                StatusCode::BAD_REQUEST,
                "invalid",
                "H.002",
                "Meddelandet ska vara en MedicationRequest.",
            );
        };
        let key = header(&headers, HEADER_IDEMPOTENCY_KEY);
        match sim.create(*request, value, key) {
            CreateAnswer::Registered {
                id,
                warnings,
                replayed,
            } => {
                let mut issues = vec![Issue::information(REGISTERED.0, REGISTERED.1)];
                issues.extend(warnings);
                let mut reply = Reply::outcome(
                    if replayed {
                        StatusCode::OK
                    } else {
                        StatusCode::CREATED
                    },
                    &issues,
                );
                reply.location = Some(format!("MedicationRequest/{id}/_history/1"));
                reply
            }
            CreateAnswer::Rejected { issues } => {
                Reply::outcome(StatusCode::UNPROCESSABLE_ENTITY, &issues)
            }
            CreateAnswer::Conflict => {
                Reply::problem(StatusCode::CONFLICT, "conflict", K001.0, K001.1)
            }
        }
    })
    .await
}

async fn end(
    State(sim): State<SimulatorHandle>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    serve(&sim, &method, &uri, &headers, || {
        let (resource, _) = match parse_body(&headers, &body) {
            Ok(parsed) => parsed,
            Err(reply) => return reply,
        };
        let Resource::Parameters(parameters) = resource else {
            return Reply::problem(
                StatusCode::BAD_REQUEST,
                "invalid",
                "H.002",
                "Meddelandet ska vara Parameters.",
            );
        };
        let id = parameters
            .get(PARAM_REFERENCE)
            .and_then(|p| p.value_reference.as_ref())
            .and_then(|r| r.reference.as_deref())
            .and_then(crate::client::id_from_location);
        let reason = end_reason(
            parameters
                .get(PARAM_REASON)
                .and_then(|p| p.value_codeable_concept.as_ref()),
        );
        let activity = parameters
            .get(PARAM_ACTIVITY)
            .and_then(|p| p.value_code.as_deref())
            .and_then(EndActivity::parse);
        match sim.end(id.as_deref(), reason, activity) {
            EndAnswer::Ended(resource) => {
                Reply::ok(StatusCode::OK, Resource::MedicationRequest(resource))
            }
            EndAnswer::Rejected(issue) => {
                Reply::outcome(StatusCode::UNPROCESSABLE_ENTITY, &[issue])
            }
        }
    })
    .await
}

async fn read(
    State(sim): State<SimulatorHandle>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    serve(&sim, &method, &uri, &headers, || match sim.read(&id) {
        Some(resource) => Reply::ok(
            StatusCode::OK,
            Resource::MedicationRequest(Box::new(resource)),
        ),
        None => Reply::problem(StatusCode::NOT_FOUND, "not-found", E001.0, E001.1),
    })
    .await
}

async fn search(
    State(sim): State<SimulatorHandle>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    serve(&sim, &method, &uri, &headers, || {
        let Some((system, value)) = query
            .get("subject:identifier")
            .and_then(|v| v.split_once('|'))
        else {
            return Reply::problem(
                StatusCode::BAD_REQUEST,
                "required",
                "H.003",
                "Sökparametern subject:identifier (system|värde) saknas.",
            );
        };
        let found = sim.search(system, value);
        let mut bundle = Bundle::new(
            BundleType::Searchset,
            found
                .into_iter()
                .map(|mr| BundleEntry {
                    full_url: mr.id.as_ref().map(|id| format!("MedicationRequest/{id}")),
                    resource: Some(Resource::MedicationRequest(Box::new(mr))),
                    ..BundleEntry::default()
                })
                .collect(),
        );
        bundle.total = u32::try_from(bundle.entry.len()).ok();
        Reply::ok(StatusCode::OK, Resource::Bundle(Box::new(bundle)))
    })
    .await
}

// ---- control API (JSON) ----

fn bad_request(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": message}))).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FaultBody {
    mode: String,
    #[serde(default)]
    count: Option<u32>,
    #[serde(default)]
    delay_ms: Option<u64>,
    #[serde(default)]
    status: Option<u16>,
}

async fn control_fault(State(sim): State<SimulatorHandle>, body: Bytes) -> Response {
    let body = match serde_json::from_slice::<FaultBody>(&body) {
        Ok(body) => body,
        Err(error) => return bad_request(&format!("invalid JSON: {error}")),
    };
    let mode = match body.mode.as_str() {
        "none" => FaultMode::None,
        "error" => {
            let status = body.status.unwrap_or(503);
            if !(status == 429 || (500..=599).contains(&status)) {
                return bad_request("status must be 429 or 500-599");
            }
            FaultMode::Error { status }
        }
        "slow" => {
            let delay = body
                .delay_ms
                .map_or(DEFAULT_SLOW_DELAY, Duration::from_millis);
            if delay > MAX_SLOW_DELAY {
                return bad_request(&format!(
                    "delayMs must be at most {}",
                    MAX_SLOW_DELAY.as_millis()
                ));
            }
            FaultMode::Slow { delay }
        }
        "drop" => FaultMode::Drop,
        _ => return bad_request("mode must be none, error, slow or drop"),
    };
    sim.set_fault(mode, body.count);
    Json(sim.fault()).into_response()
}

async fn control_prescriptions(State(sim): State<SimulatorHandle>) -> Response {
    Json(sim.prescriptions()).into_response()
}

async fn control_requests(State(sim): State<SimulatorHandle>) -> Response {
    Json(sim.requests()).into_response()
}

async fn control_reset(State(sim): State<SimulatorHandle>) -> Response {
    sim.reset();
    Json(json!({})).into_response()
}

// ---- the page (semantic HTML, no script, no inline style) ----

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
    out.push_str(
        "<!doctype html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Simulator: Nationella läkemedelslistan</title>\n</head>\n<body>\n<header>\n\
         <h1>Simulator: Nationella läkemedelslistan</h1>\n\
         <p>Utvecklingsläge: den här simulatorn tar emot recept i stället för \
         eHälsomyndighetens nationella läkemedelslista (HL7 FHIR R4). Recepten kontrolleras \
         med simulatorns egna kvalitetsregler i AFF:s stil och registreras, registreras med \
         varningar eller avvisas. Inga riktiga uppgifter används.</p>\n</header>\n<main>\n\
         <section aria-labelledby=\"styr-rubrik\">\n<h2 id=\"styr-rubrik\">Styr-API</h2>\n\
         <p>Fel simuleras med <code>POST control/fault</code>; lagrade recept listas med \
         <code>GET control/prescriptions</code> och anropen med \
         <code>GET control/requests</code>.</p>\n</section>\n",
    );
    let _ = write!(
        out,
        "<section aria-labelledby=\"fel-rubrik\">\n<h2 id=\"fel-rubrik\">Simulerat fel</h2>\n\
         <p>{}{}</p>\n</section>\n",
        escape(&sim.fault().mode.describe()),
        sim.fault()
            .remaining
            .map(|n| format!(" Gäller {n} anrop till."))
            .unwrap_or_default()
    );
    out.push_str(
        "<section aria-labelledby=\"recept-rubrik\">\n\
         <h2 id=\"recept-rubrik\">Registrerade recept</h2>\n",
    );
    let prescriptions = sim.prescriptions();
    if prescriptions.is_empty() {
        out.push_str("<p>Inga recept har registrerats.</p>\n");
    } else {
        out.push_str(
            "<table>\n<thead>\n<tr><th scope=\"col\">Registrerat</th><th scope=\"col\">Id</th>\
             <th scope=\"col\">Patient</th><th scope=\"col\">Artikel</th>\
             <th scope=\"col\">Förskrivarkod</th><th scope=\"col\">Uttag</th>\
             <th scope=\"col\">Status</th><th scope=\"col\">Varningar</th>\
             <th scope=\"col\">Anrop med samma nyckel</th></tr>\n</thead>\n<tbody>\n",
        );
        for p in prescriptions.iter().rev() {
            let mr = &p.resource;
            let patient = mr.patient_identifier().map_or_else(
                || {
                    mr.contained_patient()
                        .and_then(|pt| pt.name.first())
                        .and_then(|n| n.text.clone().or_else(|| n.family.clone()))
                        .unwrap_or_default()
                },
                |(_, value)| value.to_owned(),
            );
            let warnings = p
                .warnings
                .iter()
                .map(Issue::message)
                .collect::<Vec<_>>()
                .join(" ");
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
                 <td>{}</td><td>{}</td><td>{}</td></tr>",
                time(p.created_at),
                escape(&p.id),
                escape(&patient),
                escape(&mr.article_text()),
                escape(mr.prescriber_code().unwrap_or_default()),
                mr.dispensings(),
                mr.status.swedish(),
                if warnings.is_empty() {
                    "inga".to_owned()
                } else {
                    escape(&warnings)
                },
                p.create_calls,
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n</main>\n</body>\n</html>\n");
    out
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
