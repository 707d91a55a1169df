//! The HTTP client of the credentials service.

use std::time::Duration;

use erecept_domain::{PersonNumber, PrescriberCode, Profession};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue};
use reqwest::{StatusCode, Url};

use crate::types::{Credentials, CredentialsRequest, ErrorBody, PERSON_NOT_FOUND};

/// The default whole-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// What the register answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckAnswer {
    /// 202: no answer yet; ask again later (the check may take up to 48 office hours).
    Pending,
    /// 200: what the register holds; judge it with [`crate::compare`].
    Found(Credentials),
    /// 404 with `{"error": "personNotFound"}`: the register does not know the person.
    NotFound,
}

/// Why a check got no answer. [`RegisterError::is_transient`] says whether to try again.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// The client cannot be built (bad base URL, TLS set-up). Permanent.
    #[error("prescriber register configuration: {0}")]
    Config(String),
    /// No answer within the timeout. Transient.
    #[error("prescriber register did not answer in time: {0}")]
    Timeout(String),
    /// No connection, or it broke. Transient.
    #[error("prescriber register unreachable: {0}")]
    Connection(String),
    /// 5xx, 408 or 429: the register is down or busy. Transient.
    #[error("prescriber register unavailable: {status} {body}")]
    Unavailable { status: u16, body: String },
    /// Any other status that is not an answer: 4xx (400, 401, 403, a 404 without
    /// `personNotFound`, which usually means a wrong base URL …), 3xx, an unexpected 2xx.
    /// Permanent: asking again will not help until someone changes something.
    #[error("prescriber register refused the request: {status} {body}")]
    Refused { status: u16, body: String },
    /// A 200 whose body is not the expected JSON. Permanent.
    #[error("prescriber register answer not understood: {0}")]
    Decode(String),
}

impl RegisterError {
    /// True for timeouts, broken connections and 5xx/408/429: retry later (with back-off).
    /// False for configuration errors, other 4xx and undecodable answers: a person must look.
    pub fn is_transient(&self) -> bool {
        match self {
            RegisterError::Timeout(_)
            | RegisterError::Connection(_)
            | RegisterError::Unavailable { .. } => true,
            RegisterError::Config(_) | RegisterError::Refused { .. } | RegisterError::Decode(_) => {
                false
            }
        }
    }
}

/// The client of the register's credentials service.
///
/// Plain HTTPS with the system's root certificates (rustls). Authentication (a bearer token or a
/// client certificate, as Inera's services require) is not implemented yet: add it here when
/// the real service's agreement says which.
#[derive(Debug, Clone)]
pub struct PrescriberRegisterClient {
    http: reqwest::Client,
    credentials_url: Url,
}

impl PrescriberRegisterClient {
    /// `base_url` is the service's address (`https://…/prescriber-register`, or the simulator's
    /// `http://127.0.0.1:8080/sim/prescriber-register`); `credentials` is appended to it.
    /// `timeout` bounds each whole request (connect, send, read).
    pub fn new(base_url: &str, timeout: Duration) -> Result<Self, RegisterError> {
        let mut base = base_url.trim().to_owned();
        if !base.ends_with('/') {
            base.push('/');
        }
        let base =
            Url::parse(&base).map_err(|e| RegisterError::Config(format!("base URL: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(RegisterError::Config(format!(
                "base URL: scheme {} is not http or https",
                base.scheme()
            )));
        }
        let credentials_url = base
            .join("credentials")
            .map_err(|e| RegisterError::Config(format!("base URL: {e}")))?;
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| RegisterError::Config(error_chain(&e)))?;
        Ok(Self {
            http,
            credentials_url,
        })
    }

    /// The address requests go to.
    pub fn credentials_url(&self) -> &Url {
        &self.credentials_url
    }

    /// Asks the register about `person`, telling it what they claimed.
    pub async fn check(
        &self,
        person: &PersonNumber,
        claimed_code: &PrescriberCode,
        claimed_profession: Profession,
    ) -> Result<CheckAnswer, RegisterError> {
        let request = CredentialsRequest {
            personal_identity_number: person.as_12_digits(),
            claimed_prescription_code: claimed_code.as_str().to_owned(),
            claimed_profession: claimed_profession.code().to_owned(),
        };
        let body =
            serde_json::to_vec(&request).map_err(|e| RegisterError::Decode(e.to_string()))?;
        let response = self
            .http
            .post(self.credentials_url.clone())
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .body(body)
            .send()
            .await
            .map_err(|e| transport(&e))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| transport(&e))?;
        match status {
            StatusCode::OK => serde_json::from_slice::<Credentials>(&bytes)
                .map(CheckAnswer::Found)
                .map_err(|e| RegisterError::Decode(e.to_string())),
            // The body (`{"status": "pending"}`) carries nothing more.
            StatusCode::ACCEPTED => Ok(CheckAnswer::Pending),
            StatusCode::NOT_FOUND => match serde_json::from_slice::<ErrorBody>(&bytes) {
                Ok(error) if error.error == PERSON_NOT_FOUND => Ok(CheckAnswer::NotFound),
                _ => Err(RegisterError::Refused {
                    status: status.as_u16(),
                    body: excerpt(&bytes),
                }),
            },
            s if s.is_server_error()
                || s == StatusCode::REQUEST_TIMEOUT
                || s == StatusCode::TOO_MANY_REQUESTS =>
            {
                Err(RegisterError::Unavailable {
                    status: s.as_u16(),
                    body: excerpt(&bytes),
                })
            }
            s => Err(RegisterError::Refused {
                status: s.as_u16(),
                body: excerpt(&bytes),
            }),
        }
    }
}

fn transport(error: &reqwest::Error) -> RegisterError {
    if error.is_timeout() {
        RegisterError::Timeout(error_chain(error))
    } else if error.is_builder() {
        RegisterError::Config(error_chain(error))
    } else {
        RegisterError::Connection(error_chain(error))
    }
}

/// The start of an error body, for logs.
fn excerpt(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).chars().take(200).collect()
}

/// The error with its causes, since reqwest's own message hides the reason.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
