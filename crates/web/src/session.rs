//! Who is visiting: the session behind the browser's cookie, loaded once per request for the
//! HTML pages, and the visitor's network address (for throttling).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use erecept_app::SessionToken;
use erecept_store::Session;
use uuid::Uuid;

use crate::{WebState, cookies};

#[derive(Debug, Clone, Default)]
pub struct Visitor {
    pub token: Option<SessionToken>,
    pub session: Option<Session>,
}

impl Visitor {
    /// The logged-in account, if any.
    pub fn account_id(&self) -> Option<Uuid> {
        self.session.as_ref().and_then(|s| s.account_id)
    }
}

/// The visitor's session, started now if there is none (a wizard or a BankID order needs one
/// before login). Returns the cookie to set when a session was started.
pub async fn ensure(
    state: &WebState,
    visitor: &Visitor,
) -> Result<(SessionToken, Session, Option<String>), erecept_app::AppError> {
    if let (Some(token), Some(session)) = (&visitor.token, &visitor.session) {
        return Ok((token.clone(), session.clone(), None));
    }
    let (token, session) = state
        .app
        .sessions
        .start(None, serde_json::json!({}))
        .await?;
    let cookie = cookies::session_cookie(&token, state.config.production);
    Ok((token, session, Some(cookie)))
}

/// Changes one key of the session's data and saves it.
pub async fn put(
    state: &WebState,
    token: &SessionToken,
    session: &mut Session,
    key: &str,
    value: serde_json::Value,
) -> Result<(), erecept_app::AppError> {
    if !session.data.is_object() {
        session.data = serde_json::json!({});
    }
    if let Some(map) = session.data.as_object_mut() {
        if value.is_null() {
            map.remove(key);
        } else {
            map.insert(key.to_owned(), value);
        }
    }
    state.app.sessions.save(token, &session.data).await
}

pub async fn load(State(state): State<WebState>, mut request: Request, next: Next) -> Response {
    let mut visitor = Visitor::default();
    if let Some(token) = cookies::session_token(request.headers(), state.config.production) {
        match state.app.sessions.load(&token).await {
            Ok(Some(session)) => {
                visitor = Visitor {
                    token: Some(token),
                    session: Some(session),
                }
            }
            Ok(None) => {}
            Err(error) => tracing::error!(%error, "loading session"),
        }
    }
    request.extensions_mut().insert(visitor);
    next.run(request).await
}

/// The visitor's network address, as an extractor.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub IpAddr);

impl axum::extract::FromRequestParts<WebState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>();
        Ok(ClientAddress(client_address(
            &parts.headers,
            peer,
            state.config.behind_proxy,
        )))
    }
}

/// The address a request came from: the peer, or behind the service's own proxy the address
/// that proxy appended last to `X-Forwarded-For` (earlier entries can be forged by the client).
pub fn client_address(
    headers: &HeaderMap,
    peer: Option<&ConnectInfo<SocketAddr>>,
    behind_proxy: bool,
) -> IpAddr {
    let peer = peer
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    if !behind_proxy {
        return peer;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .next_back()
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_is_used_only_behind_our_proxy_and_only_its_last_entry() {
        let peer = ConnectInfo(SocketAddr::from(([10, 0, 0, 5], 4711)));
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.20".parse().unwrap(),
        );
        assert_eq!(
            client_address(&h, Some(&peer), false),
            IpAddr::from([10, 0, 0, 5])
        );
        assert_eq!(
            client_address(&h, Some(&peer), true),
            IpAddr::from([198, 51, 100, 20])
        );
        h.insert("x-forwarded-for", "nonsense".parse().unwrap());
        assert_eq!(
            client_address(&h, Some(&peer), true),
            IpAddr::from([10, 0, 0, 5])
        );
    }
}

/// The logged-in prescriber's account, as an extractor: a visitor who is not logged in is sent
/// to the start page (the login form) instead.
#[derive(Debug, Clone, Copy)]
pub struct Prescriber(pub erecept_store::AccountId);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Prescriber {
    type Rejection = axum::response::Redirect;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Visitor>()
            .and_then(Visitor::account_id)
            .map(|id| Prescriber(erecept_store::AccountId(id)))
            .ok_or_else(|| axum::response::Redirect::to("/"))
    }
}
