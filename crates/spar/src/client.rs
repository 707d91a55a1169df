//! The PersonSök client: SOAP 1.1 over HTTPS, with mutual TLS (our organisation certificate)
//! when an identity is configured.

use std::time::Duration;

use erecept_domain::PersonNumber;
use reqwest::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use reqwest::{Certificate, Identity, StatusCode, Url};

use crate::person::{Lookup, person_from};
use crate::types::{
    Identifieringsinformation, PersonsokningFraga, ResponseBody, SOAP_ACTION, SoapFault,
    parse_response,
};

/// SPAR's customer-test environment (the address public clients of PersonSök 2021.1 use). The
/// production address comes with the agreement.
pub const TEST_URL: &str = "https://kt-ext-ws.statenspersonadressregister.se/2021.1/";

/// The default whole-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest answer read (a person is a few kilobytes).
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// The longest `SlutAnvandarId` sent.
pub const MAX_END_USER_ID_CHARS: usize = 100;

/// The numbers of our agreement with SPAR, sent in every request's `Identifieringsinformation`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerIds {
    /// `KundNrLeveransMottagare`: the customer that receives the answers.
    pub delivery_customer: String,
    /// `KundNrSlutkund`: the customer on whose behalf (usually the same number).
    pub end_customer: String,
    /// `UppdragId`: the assignment (what we may ask about and why).
    pub assignment_id: String,
}

/// How to reach SPAR.
#[derive(Clone)]
pub struct SparConfig {
    /// The endpoint, e.g. [`TEST_URL`] or the simulator's `http://…/sim/spar/2021.1/`. Requests
    /// are posted to exactly this address.
    pub base_url: String,
    pub customer: CustomerIds,
    /// PEM of our organisation certificate followed by its private key, for mutual TLS. `None`:
    /// no client certificate (only the simulator accepts that).
    pub client_identity_pem: Option<String>,
    /// PEM of the CA(s) the server certificate must chain to. `None`: the usual web roots.
    pub server_ca_pem: Option<String>,
    /// Whole-request timeout (connect, send, read).
    pub timeout: Duration,
}

impl SparConfig {
    /// Without client certificate and with the web roots.
    pub fn new(base_url: impl Into<String>, customer: CustomerIds, timeout: Duration) -> Self {
        Self {
            base_url: base_url.into(),
            customer,
            client_identity_pem: None,
            server_ca_pem: None,
            timeout,
        }
    }

    /// Adds the organisation certificate and key (PEM) for mutual TLS.
    pub fn with_client_identity(mut self, pem: impl Into<String>) -> Self {
        self.client_identity_pem = Some(pem.into());
        self
    }

    /// Pins the server to this CA (PEM).
    pub fn with_server_ca(mut self, pem: impl Into<String>) -> Self {
        self.server_ca_pem = Some(pem.into());
        self
    }
}

impl std::fmt::Debug for SparConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the private key.
        f.debug_struct("SparConfig")
            .field("base_url", &self.base_url)
            .field("customer", &self.customer)
            .field("client_identity", &self.client_identity_pem.is_some())
            .field("server_ca", &self.server_ca_pem.is_some())
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Why a look-up got no answer. [`SparError::is_transient`] says whether to try again.
#[derive(Debug, thiserror::Error)]
pub enum SparError {
    /// The client cannot be built (bad URL, customer number or PEM). Permanent.
    #[error("SPAR configuration: {0}")]
    Config(String),
    /// The question cannot be asked (e.g. an empty end-user id). Permanent.
    #[error("SPAR request not sent: {0}")]
    InvalidRequest(String),
    /// No answer within the timeout. Transient.
    #[error("SPAR did not answer in time: {0}")]
    Timeout(String),
    /// No connection, TLS refused, or the connection broke. Transient.
    #[error("SPAR unreachable: {0}")]
    Connection(String),
    /// 5xx without a SOAP fault, 408 or 429. Transient.
    #[error("SPAR unavailable: {status} {body}")]
    Unavailable { status: u16, body: String },
    /// A SOAP fault. Transient when the fault code is `Server`, permanent for `Client` (our
    /// request is wrong) and anything else.
    #[error("SPAR fault {code}: {message}")]
    Fault {
        code: String,
        message: String,
        server: bool,
    },
    /// SPAR answered with `Undantag`: it will not answer this question (refused assignment,
    /// invalid search …). Permanent.
    #[error("SPAR exception {code}: {description}")]
    Undantag { code: String, description: String },
    /// Any other status: 4xx (wrong address, certificate not accepted …), 3xx, other 2xx.
    /// Permanent.
    #[error("SPAR refused the request: {status} {body}")]
    Refused { status: u16, body: String },
    /// An answer that is not the expected envelope. Permanent.
    #[error("SPAR answer not understood: {0}")]
    Decode(String),
}

impl SparError {
    /// True for timeouts, broken connections, 5xx/408/429 and `Server` faults: retry later.
    pub fn is_transient(&self) -> bool {
        match self {
            SparError::Timeout(_) | SparError::Connection(_) | SparError::Unavailable { .. } => {
                true
            }
            SparError::Fault { server, .. } => *server,
            SparError::Config(_)
            | SparError::InvalidRequest(_)
            | SparError::Undantag { .. }
            | SparError::Refused { .. }
            | SparError::Decode(_) => false,
        }
    }
}

/// The PersonSök client.
#[derive(Debug, Clone)]
pub struct SparClient {
    http: reqwest::Client,
    url: Url,
    customer: CustomerIds,
    soap_action: HeaderValue,
}

impl SparClient {
    pub fn new(config: &SparConfig) -> Result<Self, SparError> {
        let url = Url::parse(config.base_url.trim())
            .map_err(|e| SparError::Config(format!("base URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(SparError::Config(format!(
                "base URL: scheme {} is not http or https",
                url.scheme()
            )));
        }
        for (name, value) in [
            (
                "KundNrLeveransMottagare",
                &config.customer.delivery_customer,
            ),
            ("KundNrSlutkund", &config.customer.end_customer),
            ("UppdragId", &config.customer.assignment_id),
        ] {
            if value.is_empty() || value.len() > 18 || !value.bytes().all(|b| b.is_ascii_digit()) {
                return Err(SparError::Config(format!("{name} must be 1–18 digits")));
            }
        }
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none());
        if let Some(pem) = &config.server_ca_pem {
            let cas = Certificate::from_pem_bundle(pem.as_bytes())
                .map_err(|e| SparError::Config(format!("server CA: {e}")))?;
            if cas.is_empty() {
                return Err(SparError::Config(
                    "server CA: no certificate in the PEM".into(),
                ));
            }
            builder = builder.tls_built_in_root_certs(false);
            for ca in cas {
                builder = builder.add_root_certificate(ca);
            }
        }
        if let Some(pem) = &config.client_identity_pem {
            let identity = Identity::from_pem(pem.as_bytes())
                .map_err(|e| SparError::Config(format!("client identity: {e}")))?;
            // A client certificate only means something over TLS.
            builder = builder.identity(identity).https_only(true);
        }
        let http = builder
            .build()
            .map_err(|e| SparError::Config(error_chain(&e)))?;
        // SOAP 1.1 wants the action quoted.
        let soap_action = HeaderValue::from_str(&format!("\"{SOAP_ACTION}\""))
            .map_err(|e| SparError::Config(e.to_string()))?;
        Ok(Self {
            http,
            url,
            customer: config.customer.clone(),
            soap_action,
        })
    }

    /// The address requests go to.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The envelope [`SparClient::lookup`] sends.
    pub fn request_envelope(&self, person: &PersonNumber, end_user_id: &str) -> String {
        PersonsokningFraga {
            identifieringsinformation: Identifieringsinformation {
                kund_nr_leverans_mottagare: self.customer.delivery_customer.clone(),
                kund_nr_slutkund: self.customer.end_customer.clone(),
                uppdrag_id: self.customer.assignment_id.clone(),
                slut_anvandar_id: end_user_id.trim().to_owned(),
            },
            id_nummer: person.as_12_digits(),
        }
        .to_xml()
    }

    /// Looks the person up. `end_user_id` (`SlutAnvandarId`) names who asks, for SPAR's log:
    /// the prescriber's account id or the like, never a secret.
    pub async fn lookup(
        &self,
        person: &PersonNumber,
        end_user_id: &str,
    ) -> Result<Lookup, SparError> {
        let end_user = end_user_id.trim();
        if end_user.is_empty() {
            return Err(SparError::InvalidRequest("end-user id is empty".into()));
        }
        if end_user.chars().count() > MAX_END_USER_ID_CHARS {
            return Err(SparError::InvalidRequest(format!(
                "end-user id longer than {MAX_END_USER_ID_CHARS} characters"
            )));
        }
        let body = self.request_envelope(person, end_user);
        let mut response = self
            .http
            .post(self.url.clone())
            .header(
                CONTENT_TYPE,
                HeaderValue::from_static("text/xml; charset=utf-8"),
            )
            .header(
                HeaderName::from_static("soapaction"),
                self.soap_action.clone(),
            )
            .body(body)
            .send()
            .await
            .map_err(|e| transport(&e))?;
        let status = response.status();
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| transport(&e))? {
            if bytes.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(SparError::Decode(format!(
                    "answer larger than {MAX_RESPONSE_BYTES} bytes"
                )));
            }
            bytes.extend_from_slice(&chunk);
        }
        decode(status, &bytes, person)
    }
}

fn decode(status: StatusCode, bytes: &[u8], asked: &PersonNumber) -> Result<Lookup, SparError> {
    let parsed = parse_response(bytes);
    // SOAP 1.1 answers faults with 500; accept one with any status.
    if let Ok(ResponseBody::Fault(fault)) = &parsed {
        return Err(fault_error(fault));
    }
    match status {
        StatusCode::OK => {}
        s if s.is_server_error()
            || s == StatusCode::REQUEST_TIMEOUT
            || s == StatusCode::TOO_MANY_REQUESTS =>
        {
            return Err(SparError::Unavailable {
                status: s.as_u16(),
                body: excerpt(bytes),
            });
        }
        s => {
            return Err(SparError::Refused {
                status: s.as_u16(),
                body: excerpt(bytes),
            });
        }
    }
    let svar = match parsed {
        Ok(ResponseBody::Svar(svar)) => svar,
        Ok(ResponseBody::Fault(fault)) => return Err(fault_error(&fault)),
        Err(e) => return Err(SparError::Decode(e.to_string())),
    };
    let asked_digits = asked.as_12_digits();
    let post = svar
        .svarsposter
        .iter()
        .find(|p| p.person_id.id_nummer.trim() == asked_digits)
        .or_else(|| svar.svarsposter.first());
    match post {
        Some(post) => person_from(post)
            .map(Lookup::Found)
            .map_err(|e| SparError::Decode(e.to_string())),
        None => match svar.undantag.into_iter().next() {
            Some(u) => Err(SparError::Undantag {
                code: u.kod,
                description: u.beskrivning,
            }),
            None => Ok(Lookup::NotFound),
        },
    }
}

fn fault_error(fault: &SoapFault) -> SparError {
    SparError::Fault {
        code: fault.faultcode.clone(),
        message: fault.faultstring.clone(),
        server: fault.is_server(),
    }
}

fn transport(error: &reqwest::Error) -> SparError {
    if error.is_timeout() {
        SparError::Timeout(error_chain(error))
    } else if error.is_builder() {
        SparError::Config(error_chain(error))
    } else {
        SparError::Connection(error_chain(error))
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
