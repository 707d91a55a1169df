//! "Kontakta kundtjänst": how to reach support, the manual, and "Registrera ett ärende hos
//! support", whose answer gives the ärendenummer.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use erecept_app::customer_service::{
    ATTACHMENT_TOO_LARGE, MAX_ATTACHMENT_BYTES, TOO_MANY_TICKETS, TicketForm, TicketOutcome,
};
use erecept_store::AccountId;

use crate::pages::{render, server_error};
use crate::registration::errors_from;
use crate::session::ClientAddress;
use crate::{Chrome, FieldErrors, Page, WebState};

pub fn routes() -> Router<WebState> {
    Router::new().route(
        "/kundtjanst",
        get(page)
            .post(submit)
            // Room for the largest attachment and the form around it.
            .layer(DefaultBodyLimit::max(MAX_ATTACHMENT_BYTES + 64 * 1024)),
    )
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
    form: TicketForm,
    errors: FieldErrors,
    /// Why the ticket was not taken (above the form), or empty.
    notice: &'static str,
    /// The ärendenummer of the ticket just registered.
    registered: Option<u64>,
}

fn render_page(
    state: &WebState,
    page: &Page,
    form: TicketForm,
    errors: FieldErrors,
    notice: &'static str,
    registered: Option<u64>,
) -> Response {
    let s = &state.config.support;
    let status = if !errors.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else if !notice.is_empty() {
        StatusCode::TOO_MANY_REQUESTS
    } else {
        StatusCode::OK
    };
    let body = render(&CustomerServicePage {
        chrome: Chrome::new(state, page, "kundtjanst"),
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
        form,
        errors,
        notice,
        registered,
    });
    (status, body).into_response()
}

fn account_of(page: &Page) -> Option<AccountId> {
    page.visitor.account_id().map(AccountId)
}

/// The page; `?arende=N` after [Skicka] shows the ärendenummer given.
async fn page(
    State(state): State<WebState>,
    page: Page,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    let registered = query
        .iter()
        .find(|(key, _)| key == "arende")
        .and_then(|(_, n)| n.parse::<u64>().ok());
    match state.app.customer_service.form_for(account_of(&page)).await {
        Ok(form) => render_page(&state, &page, form, FieldErrors::default(), "", registered),
        Err(e) => server_error(&state, &page, &e.to_string()),
    }
}

/// [Skicka]: the fields and the file of a multipart form.
async fn submit(
    State(state): State<WebState>,
    page: Page,
    ClientAddress(address): ClientAddress,
    mut multipart: Multipart,
) -> Response {
    let mut form = TicketForm::default();
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut errors = FieldErrors::default();
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_owned();
                if name == "bifoga_fil" {
                    let filename = field.file_name().unwrap_or_default().to_owned();
                    match field.bytes().await {
                        Ok(bytes) if !bytes.is_empty() => file = Some((filename, bytes.to_vec())),
                        Ok(_) => {}
                        Err(_) => {
                            errors.add("bifoga_fil", ATTACHMENT_TOO_LARGE);
                            break;
                        }
                    }
                    continue;
                }
                let Ok(value) = field.text().await else {
                    errors.add("bifoga_fil", ATTACHMENT_TOO_LARGE);
                    break;
                };
                match name.as_str() {
                    "namn" => form.namn = value,
                    "epost" => form.epost = value,
                    "telefon" => form.telefon = value,
                    "amne" => form.amne = value,
                    "beskrivning" => form.beskrivning = value,
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(_) => {
                errors.add("bifoga_fil", ATTACHMENT_TOO_LARGE);
                break;
            }
        }
    }
    if !errors.is_empty() {
        return render_page(&state, &page, form, errors, "", None);
    }
    match state
        .app
        .customer_service
        .submit(&form, file, account_of(&page), address)
        .await
    {
        // Back to the page (a reload does not send the ticket again), which gives the number.
        Ok(TicketOutcome::Registered(number)) => {
            Redirect::to(&format!("/kundtjanst?arende={number}#arende")).into_response()
        }
        Ok(TicketOutcome::Invalid(problems)) => {
            render_page(&state, &page, form, errors_from(problems), "", None)
        }
        Ok(TicketOutcome::Throttled) => render_page(
            &state,
            &page,
            form,
            FieldErrors::default(),
            TOO_MANY_TICKETS,
            None,
        ),
        Err(e) => server_error(&state, &page, &e.to_string()),
    }
}
