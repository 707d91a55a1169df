//! Protection of every form against cross-site request forgery.
//!
//! Three checks, any of which refuses the request: the browser says the request came from
//! another site (`Sec-Fetch-Site: cross-site`); its `Origin` is not this service; the token in
//! the form (or the `X-CSRF-Token` header, or a `csrf` query parameter for file uploads) does not
//! equal the token in this browser's CSRF cookie, which another site cannot read.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;

use crate::pages::message_page;
use crate::{WebState, cookies};

/// The token of this browser, for the hidden `csrf` field of every form.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

const FIELD: &str = "csrf";
const MAX_FORM_BYTES: usize = 1024 * 1024;

fn generate() -> String {
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn well_formed(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn cookie_token(headers: &HeaderMap, name: &str) -> Option<String> {
    cookies::read(headers, name).filter(|v| well_formed(v))
}

/// Compares without an early exit, so that timing does not tell how much of a guess was right.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Whether the browser tells us the request was made by another site. `Sec-Fetch-Site` is the
/// browser's own statement and wins when present ("same-origin" and "none", a typed address,
/// pass); older browsers without it are judged by `Origin` against `Host`.
fn from_other_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or("");
    origin == "null" || origin_host != host
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    url_pairs(body).find(|(k, _)| k == name).map(|(_, v)| v)
}

fn url_pairs(body: &[u8]) -> impl Iterator<Item = (String, String)> + '_ {
    body.split(|b| *b == b'&').filter_map(|pair| {
        let mut it = pair.splitn(2, |b| *b == b'=');
        let key = decode(it.next()?);
        let value = decode(it.next().unwrap_or_default());
        Some((key, value))
    })
}

fn decode(raw: &[u8]) -> String {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = raw
                    .get(i + 1..i + 3)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn refused(state: &WebState, token: &str) -> Response {
    let page = message_page(
        state,
        &crate::Page { csrf: CsrfToken(token.to_owned()), visitor: crate::Visitor::default() },
        "start",
        "Formuläret kunde inte skickas",
        vec![
            "Formuläret var för gammalt eller kom från en annan webbplats, så vi tog inte emot det. Inget har sparats.".to_owned(),
            "Gå tillbaka, ladda om sidan och försök igen.".to_owned(),
        ],
        None,
    );
    (StatusCode::FORBIDDEN, page).into_response()
}

pub async fn protect(State(state): State<WebState>, request: Request, next: Next) -> Response {
    let name = cookies::csrf_name(state.config.production);
    let existing = cookie_token(request.headers(), &name);
    let token = existing.clone().unwrap_or_else(generate);

    let unsafe_method = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let mut request = request;
    if unsafe_method {
        if from_other_site(request.headers()) {
            tracing::warn!("cross-site form post refused");
            return refused(&state, &token);
        }
        let is_form = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        // Ordinary forms carry the token in a field: read the body to find it. Other bodies
        // (file uploads) carry it in the address or a header and are left to their route.
        let (sent, rebuilt) = if is_form {
            let (parts, body) = request.into_parts();
            let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
                return (StatusCode::PAYLOAD_TOO_LARGE, "För stor begäran.").into_response();
            };
            (
                form_field(&bytes, FIELD),
                Request::from_parts(parts, Body::from(bytes)),
            )
        } else {
            (None, request)
        };
        let sent = sent
            .or_else(|| {
                rebuilt
                    .headers()
                    .get("x-csrf-token")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            })
            .or_else(|| {
                rebuilt
                    .uri()
                    .query()
                    .and_then(|q| form_field(q.as_bytes(), FIELD))
            });
        let valid = match (&existing, &sent) {
            (Some(cookie), Some(sent)) => same(cookie, sent),
            _ => false,
        };
        if !valid {
            tracing::warn!("form post without a valid CSRF token refused");
            return refused(&state, &token);
        }
        request = rebuilt;
    }

    request.extensions_mut().insert(CsrfToken(token.clone()));
    let mut response = next.run(request).await;
    if existing.is_none()
        && let Ok(value) = cookies::csrf_cookie(&token, state.config.production).parse()
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_form_fields() {
        let body = b"personnummer=19121212-1212&csrf=abc%2Ddef&namn=%C3%85sa+%C3%96berg&tom=&x";
        assert_eq!(form_field(body, "csrf").as_deref(), Some("abc-def"));
        assert_eq!(form_field(body, "namn").as_deref(), Some("Åsa Öberg"));
        assert_eq!(form_field(body, "tom").as_deref(), Some(""));
        assert_eq!(form_field(body, "x").as_deref(), Some(""));
        assert_eq!(form_field(body, "saknas"), None);
        // Broken escapes are kept as they are, never a panic.
        assert_eq!(form_field(b"a=%&b=%4&c=%zz", "a").as_deref(), Some("%"));
        assert_eq!(form_field(b"a=%&b=%4&c=%zz", "b").as_deref(), Some("%4"));
        assert_eq!(form_field(b"a=%&b=%4&c=%zz", "c").as_deref(), Some("%zz"));
    }

    #[test]
    fn tokens_compare_exactly() {
        let t = generate();
        assert!(well_formed(&t));
        assert!(same(&t, &t.clone()));
        assert!(!same(&t, &generate()));
        assert!(!same(&t, &t[..42]));
    }

    #[test]
    fn other_origins_are_detected() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
        assert!(!from_other_site(&h));
        h.insert(header::ORIGIN, "http://127.0.0.1:8080".parse().unwrap());
        assert!(!from_other_site(&h));
        h.insert(header::ORIGIN, "https://angripare.example".parse().unwrap());
        assert!(from_other_site(&h));
        h.insert(header::ORIGIN, "null".parse().unwrap());
        assert!(from_other_site(&h));
        // The browser's own word wins over a privacy-stripped Origin.
        h.insert("sec-fetch-site", "same-origin".parse().unwrap());
        assert!(!from_other_site(&h));
        for site in ["cross-site", "same-site"] {
            h.insert("sec-fetch-site", site.parse().unwrap());
            assert!(from_other_site(&h), "{site}");
        }
    }
}
