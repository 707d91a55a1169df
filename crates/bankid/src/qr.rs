//! The animated QR code: its content changes every second and is computed by the relying
//! party's server from `qrStartToken` and `qrStartSecret` (which never reaches the browser).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// `hex(HMAC-SHA256(key = qr_start_secret, message = seconds as decimal ASCII))`.
pub fn qr_auth_code(qr_start_secret: &str, seconds_since_start: u64) -> String {
    hex::encode(
        mac(qr_start_secret, seconds_since_start)
            .finalize()
            .into_bytes(),
    )
}

/// The text of the QR code shown `seconds_since_start` whole seconds after the auth or sign
/// response: `bankid.{qrStartToken}.{time}.{qrAuthCode}`.
pub fn qr_data(qr_start_token: &str, qr_start_secret: &str, seconds_since_start: u64) -> String {
    format!(
        "bankid.{qr_start_token}.{seconds_since_start}.{}",
        qr_auth_code(qr_start_secret, seconds_since_start)
    )
}

/// The parts of a QR code's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrContent {
    pub qr_start_token: String,
    pub seconds_since_start: u64,
    pub qr_auth_code: String,
}

impl QrContent {
    /// Splits `bankid.{token}.{time}.{code}`; `None` if it is not of that shape.
    pub fn parse(text: &str) -> Option<Self> {
        let rest = text.trim().strip_prefix("bankid.")?;
        let mut parts = rest.split('.');
        let token = parts.next()?;
        let time = parts.next()?;
        let code = parts.next()?;
        if parts.next().is_some() || token.is_empty() || code.is_empty() {
            return None;
        }
        if !time.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(Self {
            qr_start_token: token.to_owned(),
            seconds_since_start: time.parse().ok()?,
            qr_auth_code: code.to_ascii_lowercase(),
        })
    }

    /// Whether the code was made with `qr_start_secret` (constant-time comparison).
    pub fn is_signed_with(&self, qr_start_secret: &str) -> bool {
        let Ok(code) = hex::decode(&self.qr_auth_code) else {
            return false;
        };
        mac(qr_start_secret, self.seconds_since_start)
            .verify_slice(&code)
            .is_ok()
    }
}

fn mac(secret: &str, seconds: u64) -> HmacSha256 {
    // HMAC accepts keys of any length, so this never falls back in practice.
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| <HmacSha256 as KeyInit>::new(&Default::default()));
    mac.update(seconds.to_string().as_bytes());
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_round_trips_and_verifies() {
        let text = qr_data("tok-en", "secret", 17);
        let content = QrContent::parse(&text).unwrap();
        assert_eq!(content.qr_start_token, "tok-en");
        assert_eq!(content.seconds_since_start, 17);
        assert!(content.is_signed_with("secret"));
        assert!(!content.is_signed_with("other"));
    }

    #[test]
    fn parse_refuses_other_shapes() {
        for text in [
            "",
            "bankid.",
            "bankid.a.1",
            "bankid.a.x.abc",
            "bankid.a.-1.abc",
            "bankid.a.1.abc.d",
            "other.a.1.abc",
        ] {
            assert_eq!(QrContent::parse(text), None, "{text}");
        }
        let bad_hex = QrContent::parse("bankid.a.1.zz").unwrap();
        assert!(!bad_hex.is_signed_with("secret"));
    }
}
