//! The RP API v6.0 as the simulator answers it (served over HTTPS with client certificates).

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::state::{ApiError, Orders};
use crate::types::{
    AuthRequest, CancelRequest, CollectRequest, ErrorCode, ErrorResponse, SignRequest,
};

pub fn router(orders: Orders) -> Router {
    Router::new()
        .route("/rp/v6.0/auth", post(auth))
        .route("/rp/v6.0/sign", post(sign))
        .route("/rp/v6.0/collect", post(collect))
        .route("/rp/v6.0/cancel", post(cancel))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .with_state(orders)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        json(
            status,
            &ErrorResponse {
                error_code: self.code,
                details: self.details,
            },
        )
    }
}

fn json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (status, [(CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

fn answer<T: Serialize>(result: Result<T, ApiError>) -> Response {
    match result {
        Ok(body) => json(StatusCode::OK, &body),
        Err(error) => error.into_response(),
    }
}

/// The content type must be exactly `application/json` (no parameters), the fault switch off,
/// and the body the method's JSON.
fn parse<T: DeserializeOwned>(
    orders: &Orders,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<T, ApiError> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.eq_ignore_ascii_case("application/json") {
        return Err(ApiError::new(
            415,
            ErrorCode::UnsupportedMediaType,
            "Content-Type must be application/json",
        ));
    }
    orders.check_fault()?;
    serde_json::from_slice(body).map_err(|_| ApiError::invalid("Invalid request body"))
}

async fn auth(State(orders): State<Orders>, headers: HeaderMap, body: Bytes) -> Response {
    answer(parse::<AuthRequest>(&orders, &headers, &body).and_then(|r| orders.auth(r)))
}

async fn sign(State(orders): State<Orders>, headers: HeaderMap, body: Bytes) -> Response {
    answer(parse::<SignRequest>(&orders, &headers, &body).and_then(|r| orders.sign(r)))
}

async fn collect(State(orders): State<Orders>, headers: HeaderMap, body: Bytes) -> Response {
    answer(
        parse::<CollectRequest>(&orders, &headers, &body)
            .and_then(|r| orders.collect(&r.order_ref)),
    )
}

async fn cancel(State(orders): State<Orders>, headers: HeaderMap, body: Bytes) -> Response {
    answer(
        parse::<CancelRequest>(&orders, &headers, &body)
            .and_then(|r| orders.cancel(&r.order_ref))
            .map(|()| serde_json::json!({})),
    )
}

async fn not_found() -> Response {
    ApiError::new(404, ErrorCode::NotFound, "No such endpoint").into_response()
}

async fn method_not_allowed() -> Response {
    ApiError::new(405, ErrorCode::MethodNotAllowed, "Use POST").into_response()
}
