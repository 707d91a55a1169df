//! The fake BankID app (an HTML page) and the control API, served over plain HTTP inside the
//! main server in development mode. Routes are relative to the mount prefix.

use std::fmt::Write as _;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::state::{Approval, ControlError, Orders, PendingOrder};
use crate::types::{ErrorCode, HintCode};

#[derive(Clone)]
struct Control {
    orders: Orders,
    prefix: String,
}

pub fn router(orders: Orders, mount_prefix: &str) -> Router {
    let control = Control {
        orders,
        prefix: mount_prefix.trim_end_matches('/').to_owned(),
    };
    Router::new()
        .route("/", get(page))
        .route("/qr", post(page_scan_qr))
        .route("/orders/{order_ref}/start", post(page_start))
        .route("/orders/{order_ref}/complete", post(page_complete))
        .route("/orders/{order_ref}/cancel", post(page_cancel))
        .route("/api/orders", get(api_list))
        .route("/api/orders/{order_ref}/start", post(api_start))
        .route("/api/orders/{order_ref}/complete", post(api_complete))
        .route("/api/orders/{order_ref}/cancel", post(api_cancel))
        .route("/api/orders/{order_ref}/fail", post(api_fail))
        .route("/api/orders/{order_ref}/hint", post(api_hint))
        .route("/api/qr", post(api_scan_qr))
        .route("/api/fault", post(api_fault))
        .with_state(control)
}

// ---- control API (JSON) ----

fn control_error(error: &ControlError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    (status, Json(json!({"error": error.to_string()}))).into_response()
}

fn bad_json(error: &serde_json::Error) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": format!("invalid JSON: {error}")})),
    )
        .into_response()
}

fn done(result: Result<(), ControlError>) -> Response {
    match result {
        Ok(()) => Json(json!({})).into_response(),
        Err(error) => control_error(&error),
    }
}

async fn api_list(State(c): State<Control>) -> Json<Vec<PendingOrder>> {
    Json(c.orders.pending())
}

async fn api_start(State(c): State<Control>, Path(order_ref): Path<String>) -> Response {
    done(c.orders.start(&order_ref))
}

async fn api_complete(
    State(c): State<Control>,
    Path(order_ref): Path<String>,
    body: Bytes,
) -> Response {
    match serde_json::from_slice::<Approval>(&body) {
        Ok(approval) => done(c.orders.complete(&order_ref, &approval)),
        Err(error) => bad_json(&error),
    }
}

async fn api_cancel(State(c): State<Control>, Path(order_ref): Path<String>) -> Response {
    done(c.orders.user_cancel(&order_ref))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HintBody {
    hint_code: HintCode,
}

async fn api_fail(
    State(c): State<Control>,
    Path(order_ref): Path<String>,
    body: Bytes,
) -> Response {
    match serde_json::from_slice::<HintBody>(&body) {
        Ok(b) => done(c.orders.fail(&order_ref, b.hint_code)),
        Err(error) => bad_json(&error),
    }
}

async fn api_hint(
    State(c): State<Control>,
    Path(order_ref): Path<String>,
    body: Bytes,
) -> Response {
    match serde_json::from_slice::<HintBody>(&body) {
        Ok(b) => done(c.orders.set_pending_hint(&order_ref, b.hint_code)),
        Err(error) => bad_json(&error),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QrBody {
    qr_data: String,
}

async fn api_scan_qr(State(c): State<Control>, body: Bytes) -> Response {
    match serde_json::from_slice::<QrBody>(&body) {
        Ok(b) => match c.orders.scan_qr(&b.qr_data) {
            Ok(order_ref) => Json(json!({"orderRef": order_ref})).into_response(),
            Err(error) => control_error(&error),
        },
        Err(error) => bad_json(&error),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FaultBody {
    error_code: Option<ErrorCode>,
}

async fn api_fault(State(c): State<Control>, body: Bytes) -> Response {
    match serde_json::from_slice::<FaultBody>(&body) {
        Ok(b) => {
            c.orders.set_fault(b.error_code);
            Json(json!({})).into_response()
        }
        Err(error) => bad_json(&error),
    }
}

// ---- the fake app (HTML form posts, no script, no inline style) ----

#[derive(Deserialize)]
struct ApprovalForm {
    #[serde(default)]
    personal_number: String,
    #[serde(default)]
    given_name: String,
    #[serde(default)]
    surname: String,
}

#[derive(Deserialize)]
struct QrForm {
    #[serde(default)]
    qr_data: String,
}

/// A refused form: which form, its message and what was typed.
#[derive(Default)]
struct Problem {
    order_ref: Option<String>,
    message: String,
    approval: Option<ApprovalForm>,
    qr_data: Option<String>,
}

async fn page(State(c): State<Control>) -> Response {
    render(&c, None)
}

fn back_to_page(c: &Control) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(LOCATION, format!("{}/", c.prefix))],
    )
        .into_response()
}

async fn page_scan_qr(State(c): State<Control>, Form(form): Form<QrForm>) -> Response {
    match c.orders.scan_qr(&form.qr_data) {
        Ok(_) => back_to_page(&c),
        Err(error) => render(
            &c,
            Some(Problem {
                message: error.to_string(),
                qr_data: Some(form.qr_data),
                ..Problem::default()
            }),
        ),
    }
}

async fn page_start(State(c): State<Control>, Path(order_ref): Path<String>) -> Response {
    page_result(&c, &order_ref, c.orders.start(&order_ref), None)
}

async fn page_cancel(State(c): State<Control>, Path(order_ref): Path<String>) -> Response {
    page_result(&c, &order_ref, c.orders.user_cancel(&order_ref), None)
}

async fn page_complete(
    State(c): State<Control>,
    Path(order_ref): Path<String>,
    Form(form): Form<ApprovalForm>,
) -> Response {
    let approval = Approval {
        personal_number: form.personal_number.clone(),
        given_name: form.given_name.clone(),
        surname: form.surname.clone(),
    };
    let result = c.orders.complete(&order_ref, &approval);
    page_result(&c, &order_ref, result, Some(form))
}

fn page_result(
    c: &Control,
    order_ref: &str,
    result: Result<(), ControlError>,
    form: Option<ApprovalForm>,
) -> Response {
    match result {
        Ok(()) => back_to_page(c),
        Err(error) => render(
            c,
            Some(Problem {
                order_ref: Some(order_ref.to_owned()),
                message: error.to_string(),
                approval: form,
                qr_data: None,
            }),
        ),
    }
}

fn render(c: &Control, problem: Option<Problem>) -> Response {
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let html = page_html(&c.prefix, &c.orders.pending(), problem.as_ref());
    (
        status,
        [(CONTENT_TYPE, "text/html; charset=utf-8")],
        Html(html),
    )
        .into_response()
}

fn hint_text(hint: &HintCode) -> &'static str {
    match hint {
        HintCode::OutstandingTransaction => "Väntar på att BankID-appen startas",
        HintCode::NoClient => "Väntar på att BankID-appen startas",
        HintCode::Started => "Appen har öppnat ordern",
        HintCode::UserSign => "Väntar på säkerhetskod",
        HintCode::UserMrtd => "Väntar på ID-handling",
        _ => "Pågår",
    }
}

fn page_html(prefix: &str, orders: &[PendingOrder], problem: Option<&Problem>) -> String {
    let p = escape(prefix);
    let mut out = String::with_capacity(4096);
    out.push_str(
        "<!doctype html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>BankID-simulator</title>\n</head>\n<body>\n<header>\n\
         <h1>BankID-simulator</h1>\n\
         <p>Utvecklingsläge: här godkänner eller avbryter du identifieringar och underskrifter \
         som tjänsten har startat, som i BankID-appen. Inget riktigt BankID används.</p>\n\
         </header>\n<main>\n",
    );

    let general = problem.filter(|pr| pr.order_ref.is_none());
    let qr_value = general.and_then(|pr| pr.qr_data.as_deref()).unwrap_or("");
    let _ = write!(
        out,
        "<section aria-labelledby=\"qr-rubrik\">\n<h2 id=\"qr-rubrik\">Läs av QR-kod</h2>\n\
         <form method=\"post\" action=\"{p}/qr\">\n"
    );
    if let Some(pr) = general {
        let _ = writeln!(
            out,
            "<p id=\"qr-fel\" role=\"alert\">{}</p>",
            escape(&pr.message)
        );
    }
    let described = if general.is_some() {
        " aria-describedby=\"qr-fel\" aria-invalid=\"true\""
    } else {
        ""
    };
    let _ = write!(
        out,
        "<label for=\"qr-data\">QR-kodens innehåll</label>\n\
         <input id=\"qr-data\" name=\"qr_data\" type=\"text\" autocomplete=\"off\" required \
         value=\"{}\"{described}>\n\
         <button type=\"submit\">Läs av</button>\n</form>\n</section>\n",
        escape(qr_value)
    );

    out.push_str(
        "<section aria-labelledby=\"ordrar-rubrik\">\n<h2 id=\"ordrar-rubrik\">Väntande ordrar</h2>\n",
    );
    if let Some(pr) = problem.filter(|pr| pr.order_ref.is_some())
        && !orders
            .iter()
            .any(|o| Some(&o.order_ref) == pr.order_ref.as_ref())
    {
        // The order is gone (expired, cancelled): say so above the list.
        let _ = writeln!(out, "<p role=\"alert\">{}</p>", escape(&pr.message));
    }
    if orders.is_empty() {
        out.push_str("<p>Inga väntande ordrar.</p>\n");
    }
    for order in orders {
        let r = escape(&order.order_ref);
        let mine = problem.filter(|pr| pr.order_ref.as_deref() == Some(order.order_ref.as_str()));
        let what = match order.kind {
            super::state::OrderKind::Auth => "Identifiering",
            super::state::OrderKind::Sign => "Underskrift",
        };
        let started = order
            .started_at
            .to_zoned_datetime(erecept_domain::clock::stockholm())
            .strftime("%H:%M:%S");
        let _ = write!(
            out,
            "<article aria-labelledby=\"order-{r}\">\n\
             <h3 id=\"order-{r}\">{what}, startad {started}</h3>\n<dl>\n\
             <dt>Status</dt><dd>{}</dd>\n<dt>Order</dt><dd>{r}</dd>\n",
            hint_text(&order.hint_code)
        );
        if let Some(pnr) = &order.personal_number {
            let _ = writeln!(out, "<dt>Gäller personnummer</dt><dd>{}</dd>", escape(pnr));
        }
        if let Some(text) = &order.user_visible_text {
            let _ = writeln!(out, "<dt>Text från tjänsten</dt><dd>{}</dd>", escape(text));
        }
        out.push_str("</dl>\n");
        let _ = writeln!(
            out,
            "<form method=\"post\" action=\"{p}/orders/{r}/complete\">"
        );
        if let Some(pr) = mine {
            let _ = writeln!(
                out,
                "<p id=\"fel-{r}\" role=\"alert\">{}</p>",
                escape(&pr.message)
            );
        }
        let typed = mine.and_then(|pr| pr.approval.as_ref());
        let pnr_value = typed
            .map(|t| t.personal_number.as_str())
            .or(order.personal_number.as_deref())
            .unwrap_or("");
        let described = if mine.is_some() {
            format!(" aria-describedby=\"fel-{r}\"")
        } else {
            String::new()
        };
        let _ = write!(
            out,
            "<p><label for=\"pnr-{r}\">Personnummer</label>\n\
             <input id=\"pnr-{r}\" name=\"personal_number\" type=\"text\" inputmode=\"numeric\" \
             autocomplete=\"off\" required value=\"{}\"{described}></p>\n\
             <p><label for=\"fornamn-{r}\">Förnamn</label>\n\
             <input id=\"fornamn-{r}\" name=\"given_name\" type=\"text\" autocomplete=\"off\" \
             required value=\"{}\"></p>\n\
             <p><label for=\"efternamn-{r}\">Efternamn</label>\n\
             <input id=\"efternamn-{r}\" name=\"surname\" type=\"text\" autocomplete=\"off\" \
             required value=\"{}\"></p>\n\
             <p><button type=\"submit\">Godkänn</button>\n\
             <button type=\"submit\" formaction=\"{p}/orders/{r}/cancel\" formnovalidate>Avbryt</button>\n",
            escape(pnr_value),
            escape(typed.map(|t| t.given_name.as_str()).unwrap_or("")),
            escape(typed.map(|t| t.surname.as_str()).unwrap_or("")),
        );
        if matches!(
            order.hint_code,
            HintCode::OutstandingTransaction | HintCode::NoClient
        ) {
            let _ = writeln!(
                out,
                "<button type=\"submit\" formaction=\"{p}/orders/{r}/start\" formnovalidate>Öppna i appen</button>"
            );
        }
        out.push_str("</p>\n</form>\n</article>\n");
    }
    let _ = write!(
        out,
        "<p><a href=\"{p}/\">Uppdatera listan</a></p>\n</section>\n</main>\n</body>\n</html>\n"
    );
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
