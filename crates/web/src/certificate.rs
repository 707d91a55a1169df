//! Uploading the certificate (intyg) that AT-läkare and sjuksköterskor need: from the final page
//! of registration, after a login that was refused for want of it, or when logged in.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use erecept_store::{AccountId, CertificateStatus};
use uuid::Uuid;

use crate::pages::{CERTIFICATE_GRANT, render, server_error, swedish_time};
use crate::{Chrome, FieldErrors, Page, WebState};

pub fn routes() -> Router<WebState> {
    Router::new().route(
        "/intyg",
        get(form)
            .post(upload)
            // Room for the largest certificate and the form around it.
            .layer(DefaultBodyLimit::max(
                erecept_app::certificates::MAX_BYTES + 64 * 1024,
            )),
    )
}

/// The account this visitor may upload for: their own when logged in, the one they just
/// registered, or the one whose login was refused for want of a certificate.
fn account_of(page: &Page) -> Option<AccountId> {
    if let Some(id) = page.visitor.account_id() {
        return Some(AccountId(id));
    }
    let data = &page.visitor.session.as_ref()?.data;
    let id = data
        .get(CERTIFICATE_GRANT)
        .or_else(|| data.get("registered").and_then(|r| r.get("account_id")))?
        .as_str()?;
    Uuid::parse_str(id).ok().map(AccountId)
}

#[derive(Template)]
#[template(path = "certificate.html")]
struct CertificatePage {
    chrome: Chrome,
    certificates: Vec<(String, String, &'static str)>,
    uploaded: bool,
    errors: FieldErrors,
}

async fn page_for(
    state: &WebState,
    page: &Page,
    id: AccountId,
    uploaded: bool,
    errors: FieldErrors,
) -> Response {
    let certificates = match state.app.store.certificates(id).await {
        Ok(c) => c,
        Err(e) => return server_error(state, page, &e.to_string()),
    };
    let status = |s: CertificateStatus| match s {
        CertificateStatus::Submitted => "Granskas",
        CertificateStatus::Approved => "Godkänt",
        CertificateStatus::Rejected => "Inte godkänt",
    };
    let body = render(&CertificatePage {
        chrome: Chrome::new(state, page, "ny-forskrivare"),
        certificates: certificates
            .iter()
            .map(|c| {
                (
                    c.filename.clone(),
                    swedish_time(c.uploaded_at),
                    status(c.status),
                )
            })
            .collect(),
        uploaded,
        errors: errors.clone(),
    });
    if errors.is_empty() {
        body
    } else {
        (StatusCode::UNPROCESSABLE_ENTITY, body).into_response()
    }
}

async fn form(
    State(state): State<WebState>,
    page: Page,
    query: axum::extract::RawQuery,
) -> Response {
    let Some(id) = account_of(&page) else {
        return Redirect::to("/").into_response();
    };
    let uploaded = query.0.as_deref() == Some("mottaget");
    page_for(&state, &page, id, uploaded, FieldErrors::default()).await
}

async fn upload(State(state): State<WebState>, page: Page, mut multipart: Multipart) -> Response {
    let Some(id) = account_of(&page) else {
        return Redirect::to("/").into_response();
    };
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut errors = FieldErrors::default();
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("intyg") => {
                let name = field.file_name().unwrap_or_default().to_owned();
                match field.bytes().await {
                    Ok(bytes) if !name.is_empty() || !bytes.is_empty() => {
                        file = Some((name, bytes.to_vec()))
                    }
                    Ok(_) => {}
                    Err(_) => {
                        errors.add(
                            "intyg",
                            erecept_app::certificates::CertificateError::TooLarge.to_string(),
                        );
                        break;
                    }
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) => {
                errors.add(
                    "intyg",
                    erecept_app::certificates::CertificateError::TooLarge.to_string(),
                );
                break;
            }
        }
    }
    if errors.is_empty() {
        let (name, content) = file.unwrap_or_default();
        match state.app.certificates.upload(id, &name, content).await {
            Err(e) => return server_error(&state, &page, &e.to_string()),
            Ok(Ok(())) => return Redirect::to("/intyg?mottaget").into_response(),
            Ok(Err(problem)) => errors.add("intyg", problem.to_string()),
        }
    }
    page_for(&state, &page, id, false, errors).await
}
