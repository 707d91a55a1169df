//! The page render: "Nytt recept" (`GET /recept/nytt`, a patient and two items in the draft)
//! through the whole router of `erecept-web`, every middleware included, for a prescriber
//! logged in through the router's own login form; against a bare axum handler answering a
//! static page of the same size. Both are called in-process with `oneshot` (no sockets), the
//! body read to its end.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use axum::Router;
use axum::body::{Body, Bytes, to_bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use axum::response::Html;
use axum::routing::get;
use erecept_web::{SupportContact, WebConfig};
use tower::ServiceExt;

use crate::service::{PASSWORD, PRESCRIBER, Service};
use crate::turns::take_turns;

const PAGE: &str = "/recept/nytt";

pub struct RenderRun {
    /// The page through the router, in nanoseconds.
    pub page: Vec<u64>,
    /// The bare handler, in nanoseconds.
    pub bare: Vec<u64>,
    /// The page's body, in bytes.
    pub page_bytes: usize,
}

pub async fn measure(service: &Service) -> Result<RenderRun> {
    service.set_patient().await?;
    service.add_item(0).await?;
    service.add_item(1).await?;
    // As the server builds it in production: no development clock, no simulators.
    let router = erecept_web::router(service.app.clone(), web_config(), None, Vec::new());
    let cookies = log_in(&router).await?;

    let (status, _, page) = call(&router, get_page(&cookies)?).await?;
    let html = String::from_utf8_lossy(&page);
    if status != StatusCode::OK || html.matches("id=\"rad-").count() != 2 {
        bail!("{PAGE} did not show the draft's two items ({status}): {html}");
    }
    let body = Bytes::from("x".repeat(page.len()));
    let bare = Router::new().route(
        PAGE,
        get(move || {
            let body = body.clone(); // a reference count, not a copy
            async move { Html(body) }
        }),
    );

    let (page_samples, bare_samples) = take_turns(
        async || timed(&router, &cookies).await,
        async || timed(&bare, &cookies).await,
    )
    .await?;
    Ok(RenderRun {
        page: page_samples,
        bare: bare_samples,
        page_bytes: page.len(),
    })
}

fn web_config() -> WebConfig {
    WebConfig {
        service_name: "eRecept".to_owned(),
        support: SupportContact {
            phone: "08-000 00 00".to_owned(),
            fax: None,
            email: "support@erecept.localhost".to_owned(),
        },
        production: true,
        behind_proxy: false,
        metrics_token: None,
    }
}

/// One request, built, answered and its body read.
async fn timed(router: &Router, cookies: &str) -> Result<Duration> {
    let t = Instant::now();
    let (status, _, body) = call(router, get_page(cookies)?).await?;
    let elapsed = t.elapsed();
    if status != StatusCode::OK || body.is_empty() {
        bail!("{PAGE} answered {status}");
    }
    Ok(elapsed)
}

fn get_page(cookies: &str) -> Result<Request<Body>> {
    Ok(Request::get(PAGE)
        .header(header::COOKIE, cookies)
        .body(Body::empty())?)
}

async fn call(router: &Router, request: Request<Body>) -> Result<(StatusCode, HeaderMap, Bytes)> {
    let response = router.clone().oneshot(request).await?;
    let (parts, body) = response.into_parts();
    let bytes = to_bytes(body, usize::MAX).await?;
    Ok((parts.status, parts.headers, bytes))
}

/// Logs in as a browser does: the login page gives the CSRF cookie and field, the form is
/// posted with both. Returns the `Cookie` header the browser then sends.
async fn log_in(router: &Router) -> Result<String> {
    let request = Request::get("/logga-in").body(Body::empty())?;
    let (_, headers, page) = call(router, request).await?;
    let csrf_cookie = set_cookies(&headers);
    let html = String::from_utf8_lossy(&page);
    let marker = "name=\"csrf\" value=\"";
    let start = html
        .find(marker)
        .context("the login page has no CSRF field")?
        + marker.len();
    let token = html[start..].split('"').next().unwrap_or_default();

    // The token, personnummer and password have no characters to escape.
    let form = format!("csrf={token}&personnummer={PRESCRIBER}&losenord={PASSWORD}");
    let request = Request::builder()
        .method(Method::POST)
        .uri("/logga-in")
        .header(header::COOKIE, &csrf_cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))?;
    let (status, headers, page) = call(router, request).await?;
    let session_cookie = set_cookies(&headers);
    if status != StatusCode::SEE_OTHER || session_cookie.is_empty() {
        bail!(
            "login refused ({status}): {}",
            String::from_utf8_lossy(&page)
        );
    }
    Ok(format!("{csrf_cookie}; {session_cookie}"))
}

/// The `name=value` parts of a response's `Set-Cookie` headers, as a `Cookie` header.
fn set_cookies(headers: &HeaderMap) -> String {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .collect::<Vec<_>>()
        .join("; ")
}
