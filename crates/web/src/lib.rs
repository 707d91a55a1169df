//! The HTTP side of eRecept: one axum router with the HTML pages, the operational endpoints and,
//! in development mode only, the development pages and the simulators of external systems.
//!
//! Handlers parse the request, call the application (`erecept-app`) and render a template;
//! rules live in the domain and application, not here.

mod account;
mod assets;
mod bankid;
mod certificate;
mod chrome;
pub mod cookies;
mod csrf;
mod customer_service;
mod dev;
mod drugs;
mod help;
mod metrics;
mod pages;
mod prescriptions;
mod registration;
mod security;
mod session;

use std::sync::Arc;

use axum::Router;
use axum::middleware;
use axum::routing::get;
use erecept_app::App;
use erecept_domain::clock::AdjustableClock;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub use chrome::{Chrome, FieldErrors, Page};
pub use metrics::Metrics;
pub use session::Visitor;

/// Customer-service contact details (configuration).
#[derive(Debug, Clone)]
pub struct SupportContact {
    pub phone: String,
    pub fax: Option<String>,
    pub email: String,
}

#[derive(Debug, Clone)]
pub struct WebConfig {
    pub service_name: String,
    pub support: SupportContact,
    /// Production: Secure cookies, HSTS, no development pages.
    pub production: bool,
    /// Behind the service's own reverse proxy: take the client address from `X-Forwarded-For`.
    pub behind_proxy: bool,
    /// When set, /metrics answers only requests with `Authorization: Bearer <token>`.
    pub metrics_token: Option<String>,
}

/// A simulator of an external system, mounted under `/sim/{name}` in development mode. Each is
/// an axum router speaking its system's own protocol; tests start the same router on their own.
pub struct Simulator {
    pub name: &'static str,
    pub title: &'static str,
    pub router: Router,
}

/// What exists only in development mode.
#[derive(Clone)]
pub struct DevTools {
    pub clock: Arc<AdjustableClock>,
    pub simulators: Arc<Vec<(&'static str, &'static str)>>,
}

#[derive(Clone)]
pub struct WebState {
    pub app: App,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<Metrics>,
    pub dev: Option<DevTools>,
}

/// The whole HTTP service. `simulators` must be empty in production: [`WebConfig::production`]
/// never mounts them.
pub fn router(
    app: App,
    config: WebConfig,
    dev_clock: Option<Arc<AdjustableClock>>,
    simulators: Vec<Simulator>,
) -> Router {
    let production = config.production;
    let dev = match (production, dev_clock) {
        (false, Some(clock)) => Some(DevTools {
            clock,
            simulators: Arc::new(simulators.iter().map(|s| (s.name, s.title)).collect()),
        }),
        _ => None,
    };
    let state = WebState {
        app,
        config: Arc::new(config),
        metrics: Arc::new(Metrics::default()),
        dev,
    };

    let mut html = pages::routes()
        .merge(bankid::routes())
        .merge(account::routes())
        .merge(registration::routes())
        .merge(certificate::routes())
        .merge(customer_service::routes())
        .merge(drugs::routes())
        .merge(prescriptions::routes())
        .merge(help::routes());
    if state.dev.is_some() {
        html = html.merge(dev::html_routes());
    }
    let html = html
        .fallback(pages::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), session::load))
        .layer(middleware::from_fn_with_state(state.clone(), csrf::protect));

    let mut router = Router::new()
        .route("/healthz", get(pages::healthz))
        .route("/readyz", get(pages::readyz))
        .route("/metrics", get(metrics::render))
        .merge(assets::routes());
    if state.dev.is_some() {
        router = router.merge(dev::api_routes());
        for sim in simulators {
            router = router.nest_service(&format!("/sim/{}", sim.name), sim.router);
        }
    }
    router
        .merge(html)
        .layer(middleware::from_fn_with_state(state.clone(), metrics::record))
        .layer(middleware::from_fn_with_state(state.clone(), security::headers))
        .layer(CatchPanicLayer::custom(pages::panic_page))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            // The path only: query strings may carry tokens.
            tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
        }))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}
