//! Static files, compiled into the binary: one executable, nothing to deploy beside it.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::WebState;

const STYLE: &str = include_str!("../static/style.css");
// Third-party, unmodified (Zero-Clause BSD, see static/vendor/htmx-LICENSE.txt).
const HTMX: &str = include_str!("../static/vendor/htmx-2.0.11.min.js");

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}

pub fn routes() -> Router<WebState> {
    Router::new()
        .route(
            "/static/style.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE) }),
        )
        .route(
            "/static/htmx.min.js",
            get(|| async { asset("text/javascript; charset=utf-8", HTMX) }),
        )
}
