//! The service's cookies: reading them from a request and writing them with the right
//! attributes. In production every cookie is `Secure` and carries the `__Host-` prefix, which
//! binds it to this host over HTTPS.

use axum::http::{HeaderMap, header};
use erecept_app::SessionToken;

/// The value of the cookie `name` in a request, if present.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn name(base: &'static str, production: bool) -> String {
    if production {
        format!("__Host-{base}")
    } else {
        base.to_owned()
    }
}

fn attributes(production: bool, same_site: &str) -> String {
    let secure = if production { "; Secure" } else { "" };
    format!("Path=/; HttpOnly; SameSite={same_site}{secure}")
}

pub fn csrf_name(production: bool) -> String {
    name("erecept_csrf", production)
}

/// The CSRF cookie is only ever needed by this site's own forms: Strict.
pub fn csrf_cookie(token: &str, production: bool) -> String {
    format!(
        "{}={token}; {}",
        csrf_name(production),
        attributes(production, "Strict")
    )
}

pub fn session_name(production: bool) -> String {
    name("erecept_session", production)
}

/// The session cookie: Lax, so that a link from a mail (a password-reset link, a BankID return)
/// arrives logged in, while cross-site posts do not carry it.
pub fn session_cookie(token: &SessionToken, production: bool) -> String {
    format!(
        "{}={}; {}",
        session_name(production),
        token.as_cookie_value(),
        attributes(production, "Lax")
    )
}

/// Removes the session cookie (logout).
pub fn clear_session_cookie(production: bool) -> String {
    format!(
        "{}=; Max-Age=0; {}",
        session_name(production),
        attributes(production, "Lax")
    )
}

/// The session token a request carries, if it is well-formed.
pub fn session_token(headers: &HeaderMap, production: bool) -> Option<SessionToken> {
    read(headers, &session_name(production)).and_then(|v| SessionToken::from_cookie(&v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn development_cookies_are_http_only_and_same_site() {
        assert_eq!(
            csrf_cookie("abc", false),
            "erecept_csrf=abc; Path=/; HttpOnly; SameSite=Strict"
        );
        let token = SessionToken::from_cookie(&"a".repeat(43)).unwrap();
        assert_eq!(
            session_cookie(&token, false),
            format!(
                "erecept_session={}; Path=/; HttpOnly; SameSite=Lax",
                "a".repeat(43)
            )
        );
        assert_eq!(
            clear_session_cookie(false),
            "erecept_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"
        );
    }

    #[test]
    fn production_cookies_are_secure_and_host_bound() {
        let token = SessionToken::from_cookie(&"b".repeat(43)).unwrap();
        let cookie = session_cookie(&token, true);
        assert!(cookie.starts_with("__Host-erecept_session="));
        assert!(cookie.ends_with("; Path=/; HttpOnly; SameSite=Lax; Secure"));
        assert!(csrf_cookie("x", true).starts_with("__Host-erecept_csrf=x;"));
        assert!(csrf_cookie("x", true).ends_with("; Secure"));
    }

    #[test]
    fn reads_the_named_cookie_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; erecept_session=zz; b=2".parse().unwrap(),
        );
        h.append(header::COOKIE, "c=3".parse().unwrap());
        assert_eq!(read(&h, "erecept_session").as_deref(), Some("zz"));
        assert_eq!(read(&h, "c").as_deref(), Some("3"));
        assert_eq!(read(&h, "d"), None);
        // Malformed tokens are no session at all.
        assert!(session_token(&h, false).is_none());
        let good = "c".repeat(43);
        h.insert(
            header::COOKIE,
            format!("erecept_session={good}").parse().unwrap(),
        );
        assert_eq!(
            session_token(&h, false).map(|t| t.as_cookie_value().to_owned()),
            Some(good)
        );
    }
}
