//! The HTTP client of the national prescription list.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use erecept_domain::PersonNumber;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, LOCATION};
use reqwest::{Certificate, Identity, StatusCode, Url};

use crate::fhir::{
    BundleType, Identifier, MedicationRequest, PARAM_ACTIVITY, PARAM_REASON, PARAM_REFERENCE,
    Parameter, Parameters, Provenance, Reference, Resource,
};
use crate::outcome::{CreateOutcome, EndActivity, EndOutcome, EndReason, Issue, issues_of};
use crate::{
    FHIR_JSON, HEADER_ACCESS, HEADER_IDEMPOTENCY_KEY, HEADER_PROVENANCE, HEADER_PURPOSE,
    HEADER_REQUEST_ID, HEADER_USER_AGENT,
};

/// The default whole-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

/// A source of bearer tokens (a token service at assurance level 3 in production). Called
/// before every request; cache inside.
pub trait TokenSource: Send + Sync {
    fn token(&self) -> Pin<Box<dyn Future<Output = Result<String, String>> + Send + '_>>;
}

/// The bearer token: one fixed value, or asked for before each request.
#[derive(Clone)]
pub enum BearerToken {
    Static(String),
    Source(Arc<dyn TokenSource>),
}

impl std::fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BearerToken::Static(_) => f.write_str("Static(…)"),
            BearerToken::Source(_) => f.write_str("Source(…)"),
        }
    }
}

/// How to reach the national list.
#[derive(Clone)]
pub struct NllConfig {
    /// The FHIR base (`https://…/fhir`, or the simulator's `http://127.0.0.1:8080/sim/nll`).
    pub base_url: String,
    pub token: BearerToken,
    /// PEM of our client certificate followed by its private key, for mutual TLS.
    pub client_identity_pem: Option<String>,
    /// PEM of the CA(s) the server certificate must chain to; when given, system roots are not
    /// trusted.
    pub server_ca_pem: Option<String>,
    /// Whole-request timeout (connect, send, read).
    pub timeout: Duration,
    /// Sent as `x-user-agent` (product/version of the prescribing system) and `User-Agent`.
    pub user_agent: String,
}

impl NllConfig {
    /// Plain configuration: a static token, no client certificate, [`DEFAULT_TIMEOUT`].
    pub fn new(base_url: &str, token: &str) -> Self {
        Self {
            base_url: base_url.to_owned(),
            token: BearerToken::Static(token.to_owned()),
            client_identity_pem: None,
            server_ca_pem: None,
            timeout: DEFAULT_TIMEOUT,
            user_agent: concat!("eRecept/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

impl std::fmt::Debug for NllConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the token or the private key.
        f.debug_struct("NllConfig")
            .field("base_url", &self.base_url)
            .field("token", &self.token)
            .field("mutual_tls", &self.client_identity_pem.is_some())
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .finish_non_exhaustive()
    }
}

/// Who asks, and why: the `x-purpose`, `x-access` and `x-provenance` headers. The real values
/// are agreed with eHälsomyndigheten; the simulator only requires them to be present (and the
/// provenance to be a base64 Provenance).
#[derive(Debug, Clone, PartialEq)]
pub struct RequestContext {
    /// E.g. `"prescribe"`.
    pub purpose: String,
    /// E.g. `"prescriber"`.
    pub access: String,
    pub provenance: Provenance,
}

/// Why a call got no answer. [`NllError::is_transient`] says whether to try again (with the
/// same idempotency key).
#[derive(Debug, thiserror::Error)]
pub enum NllError {
    /// The client cannot be built (URL, PEM). Permanent.
    #[error("NLL configuration: {0}")]
    Config(String),
    /// The token source failed. Transient.
    #[error("NLL token: {0}")]
    Token(String),
    /// No answer in time. Transient: the call may or may not have taken effect.
    #[error("NLL did not answer in time: {0}")]
    Timeout(String),
    /// No connection, or it broke before the whole answer arrived. Transient: the call may or
    /// may not have taken effect.
    #[error("NLL unreachable: {0}")]
    Connection(String),
    /// 5xx, 408 or 429. Transient.
    #[error("NLL unavailable: {status} {body}")]
    Unavailable { status: u16, body: String },
    /// Any other status that is not an answer (400, 401, 403, 404 on create, 409 …).
    /// Permanent: something on our side must change. `issues` when the body was an
    /// OperationOutcome.
    #[error("NLL refused the request: {status} {body}")]
    Refused {
        status: u16,
        issues: Vec<Issue>,
        body: String,
    },
    /// An answer that is not the expected FHIR. Permanent.
    #[error("NLL answer not understood: {0}")]
    Decode(String),
}

impl NllError {
    /// True for timeouts, broken connections, token failures and 5xx/408/429.
    pub fn is_transient(&self) -> bool {
        match self {
            NllError::Token(_)
            | NllError::Timeout(_)
            | NllError::Connection(_)
            | NllError::Unavailable { .. } => true,
            NllError::Config(_) | NllError::Refused { .. } | NllError::Decode(_) => false,
        }
    }
}

/// The client. Cheap to clone.
#[derive(Debug, Clone)]
pub struct NllClient {
    http: reqwest::Client,
    base: Url,
    token: BearerToken,
    user_agent: String,
}

impl NllClient {
    pub fn new(config: &NllConfig) -> Result<Self, NllError> {
        let mut base = config.base_url.trim().to_owned();
        if !base.ends_with('/') {
            base.push('/');
        }
        let base = Url::parse(&base).map_err(|e| NllError::Config(format!("base URL: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(NllError::Config(format!(
                "base URL: scheme {} is not http or https",
                base.scheme()
            )));
        }
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(config.user_agent.clone());
        if let Some(pem) = &config.server_ca_pem {
            let cas = Certificate::from_pem_bundle(pem.as_bytes())
                .map_err(|e| NllError::Config(format!("server CA: {e}")))?;
            if cas.is_empty() {
                return Err(NllError::Config(
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
                .map_err(|e| NllError::Config(format!("client identity: {e}")))?;
            builder = builder.identity(identity).https_only(true);
        }
        let http = builder
            .build()
            .map_err(|e| NllError::Config(error_chain(&e)))?;
        Ok(Self {
            http,
            base,
            token: config.token.clone(),
            user_agent: config.user_agent.clone(),
        })
    }

    /// The FHIR base requests go to (ends with `/`).
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// Registers a prescription: `POST [base]/MedicationRequest` with
    /// `Prefer: return=OperationOutcome` and `x-idempotency-key: {idempotency_key}`.
    ///
    /// 201 (or 200 for a recognised key) → [`CreateOutcome::Registered`] with the id from
    /// `Location`; 422 → [`CreateOutcome::Rejected`]. Retry a transient error with the **same**
    /// key: the service then answers with the prescription the first call registered, if it did.
    pub async fn create(
        &self,
        request: &MedicationRequest,
        idempotency_key: &str,
        context: &RequestContext,
    ) -> Result<CreateOutcome, NllError> {
        let url = self.url("MedicationRequest")?;
        let body = serde_json::to_vec(&ResourceRef::MedicationRequest(request))
            .map_err(|e| NllError::Decode(e.to_string()))?;
        let mut headers = self.headers(context).await?;
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
        headers.insert(
            "prefer",
            HeaderValue::from_static("return=OperationOutcome"),
        );
        headers.insert(HEADER_IDEMPOTENCY_KEY, header_value(idempotency_key)?);
        let response = self
            .http
            .post(url)
            .headers(headers)
            .body(body)
            .send()
            .await
            .map_err(|e| transport(&e))?;
        let status = response.status();
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = response.bytes().await.map_err(|e| transport(&e))?;
        match status {
            StatusCode::CREATED | StatusCode::OK => {
                let resource = decode_resource(&bytes)?;
                let (id, issues) = match resource {
                    Resource::OperationOutcome(outcome) => (
                        location.as_deref().and_then(id_from_location),
                        issues_of(&outcome),
                    ),
                    // A server that ignores `Prefer` returns the resource itself.
                    Resource::MedicationRequest(mr) => (
                        location.as_deref().and_then(id_from_location).or(mr.id),
                        Vec::new(),
                    ),
                    other => {
                        return Err(NllError::Decode(format!(
                            "unexpected {} in the answer to a create",
                            other.type_name()
                        )));
                    }
                };
                let id = id.ok_or_else(|| {
                    NllError::Decode("created, but no id in Location or body".into())
                })?;
                let warnings = issues
                    .into_iter()
                    .filter(|i| i.severity == crate::Severity::Warning)
                    .collect();
                Ok(CreateOutcome::Registered {
                    id,
                    warnings,
                    replayed: status == StatusCode::OK,
                })
            }
            StatusCode::UNPROCESSABLE_ENTITY => Ok(CreateOutcome::Rejected {
                issues: outcome_issues(&bytes)?,
            }),
            s => Err(status_error(s, &bytes)),
        }
    }

    /// Ends or cancels a prescription: `POST [base]/MedicationRequest/$end` with Parameters
    /// `reference` (`MedicationRequest/{id}`), `reason`, `activity`. Repeating an `$end` that
    /// took effect answers the same status again, so it is safe to retry.
    pub async fn end(
        &self,
        id: &str,
        reason: EndReason,
        activity: EndActivity,
        context: &RequestContext,
    ) -> Result<EndOutcome, NllError> {
        let url = self.url("MedicationRequest/$end")?;
        let parameters = Parameters {
            parameter: vec![
                Parameter {
                    name: PARAM_REFERENCE.to_owned(),
                    value_reference: Some(Reference::to(&format!("MedicationRequest/{id}"))),
                    ..Parameter::default()
                },
                Parameter {
                    name: PARAM_REASON.to_owned(),
                    value_codeable_concept: Some(reason.to_fhir()),
                    ..Parameter::default()
                },
                Parameter {
                    name: PARAM_ACTIVITY.to_owned(),
                    value_code: Some(activity.code().to_owned()),
                    ..Parameter::default()
                },
            ],
        };
        let body = serde_json::to_vec(&ResourceRef::Parameters(&parameters))
            .map_err(|e| NllError::Decode(e.to_string()))?;
        let mut headers = self.headers(context).await?;
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
        let response = self
            .http
            .post(url)
            .headers(headers)
            .body(body)
            .send()
            .await
            .map_err(|e| transport(&e))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| transport(&e))?;
        match status {
            StatusCode::OK => match decode_resource(&bytes)? {
                Resource::MedicationRequest(mr) => Ok(EndOutcome::Ended {
                    status: mr.status,
                    issues: Vec::new(),
                }),
                Resource::OperationOutcome(outcome) => Ok(EndOutcome::Ended {
                    status: activity.resulting_status(),
                    issues: issues_of(&outcome),
                }),
                other => Err(NllError::Decode(format!(
                    "unexpected {} in the answer to $end",
                    other.type_name()
                ))),
            },
            StatusCode::UNPROCESSABLE_ENTITY => Ok(EndOutcome::Rejected {
                issues: outcome_issues(&bytes)?,
            }),
            s => Err(status_error(s, &bytes)),
        }
    }

    /// `GET [base]/MedicationRequest/{id}`; `None` for 404 (and 410).
    pub async fn read(
        &self,
        id: &str,
        context: &RequestContext,
    ) -> Result<Option<MedicationRequest>, NllError> {
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        {
            return Err(NllError::Config(format!("not a FHIR id: {id:?}")));
        }
        let url = self.url(&format!("MedicationRequest/{id}"))?;
        let headers = self.headers(context).await?;
        let response = self
            .http
            .get(url)
            .headers(headers)
            .send()
            .await
            .map_err(|e| transport(&e))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| transport(&e))?;
        match status {
            StatusCode::OK => match decode_resource(&bytes)? {
                Resource::MedicationRequest(mr) => Ok(Some(*mr)),
                other => Err(NllError::Decode(format!(
                    "expected a MedicationRequest, got {}",
                    other.type_name()
                ))),
            },
            StatusCode::NOT_FOUND | StatusCode::GONE => Ok(None),
            s => Err(status_error(s, &bytes)),
        }
    }

    /// The patient's prescriptions:
    /// `GET [base]/MedicationRequest?subject:identifier={system}|{number}` → a searchset Bundle.
    pub async fn search_by_patient(
        &self,
        person: &PersonNumber,
        context: &RequestContext,
    ) -> Result<Vec<MedicationRequest>, NllError> {
        let identifier = Identifier::person(person);
        let mut url = self.url("MedicationRequest")?;
        url.query_pairs_mut().append_pair(
            "subject:identifier",
            &format!(
                "{}|{}",
                identifier.system.unwrap_or_default(),
                identifier.value.unwrap_or_default()
            ),
        );
        let headers = self.headers(context).await?;
        let response = self
            .http
            .get(url)
            .headers(headers)
            .send()
            .await
            .map_err(|e| transport(&e))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| transport(&e))?;
        if status != StatusCode::OK {
            return Err(status_error(status, &bytes));
        }
        match decode_resource(&bytes)? {
            Resource::Bundle(bundle) if bundle.type_ == BundleType::Searchset => Ok(bundle
                .entry
                .into_iter()
                .filter_map(|e| match e.resource {
                    Some(Resource::MedicationRequest(mr)) => Some(*mr),
                    _ => None,
                })
                .collect()),
            other => Err(NllError::Decode(format!(
                "expected a searchset Bundle, got {}",
                other.type_name()
            ))),
        }
    }

    fn url(&self, path: &str) -> Result<Url, NllError> {
        self.base
            .join(path)
            .map_err(|e| NllError::Config(format!("URL: {e}")))
    }

    async fn headers(&self, context: &RequestContext) -> Result<HeaderMap, NllError> {
        let token = match &self.token {
            BearerToken::Static(token) => token.clone(),
            BearerToken::Source(source) => source.token().await.map_err(NllError::Token)?,
        };
        let provenance = serde_json::to_vec(&ResourceRef::Provenance(&context.provenance))
            .map_err(|e| NllError::Decode(e.to_string()))?;
        let mut headers = HeaderMap::new();
        let mut authorization = header_value(&format!("Bearer {token}"))
            .map_err(|_| NllError::Token("the token is not a valid header value".into()))?;
        authorization.set_sensitive(true);
        headers.insert(AUTHORIZATION, authorization);
        headers.insert(ACCEPT, HeaderValue::from_static(FHIR_JSON));
        headers.insert(
            HEADER_REQUEST_ID,
            header_value(&uuid::Uuid::new_v4().to_string())?,
        );
        headers.insert(HEADER_PURPOSE, header_value(&context.purpose)?);
        headers.insert(HEADER_ACCESS, header_value(&context.access)?);
        headers.insert(
            HEADER_PROVENANCE,
            header_value(&STANDARD.encode(provenance))?,
        );
        headers.insert(HEADER_USER_AGENT, header_value(&self.user_agent)?);
        Ok(headers)
    }
}

/// Serialises a borrowed resource with its `resourceType`.
#[derive(serde::Serialize)]
#[serde(tag = "resourceType")]
enum ResourceRef<'a> {
    MedicationRequest(&'a MedicationRequest),
    Parameters(&'a Parameters),
    Provenance(&'a Provenance),
}

fn header_value(value: &str) -> Result<HeaderValue, NllError> {
    HeaderValue::from_str(value)
        .map_err(|_| NllError::Config(format!("not a valid header value: {value:?}")))
}

fn decode_resource(bytes: &[u8]) -> Result<Resource, NllError> {
    serde_json::from_slice::<Resource>(bytes).map_err(|e| NllError::Decode(e.to_string()))
}

fn outcome_issues(bytes: &[u8]) -> Result<Vec<Issue>, NllError> {
    match decode_resource(bytes)? {
        Resource::OperationOutcome(outcome) => Ok(issues_of(&outcome)),
        other => Err(NllError::Decode(format!(
            "expected an OperationOutcome, got {}",
            other.type_name()
        ))),
    }
}

fn status_error(status: StatusCode, bytes: &[u8]) -> NllError {
    let body = String::from_utf8_lossy(bytes).chars().take(300).collect();
    if status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
    {
        NllError::Unavailable {
            status: status.as_u16(),
            body,
        }
    } else {
        let issues = match serde_json::from_slice::<Resource>(bytes) {
            Ok(Resource::OperationOutcome(outcome)) => issues_of(&outcome),
            _ => Vec::new(),
        };
        NllError::Refused {
            status: status.as_u16(),
            issues,
            body,
        }
    }
}

/// The id in `MedicationRequest/{id}[/_history/{v}]`, relative or absolute.
pub fn id_from_location(location: &str) -> Option<String> {
    let path = location.split(['?', '#']).next()?;
    let mut segments = path.split('/');
    segments.find(|s| *s == "MedicationRequest")?;
    segments
        .next()
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
}

fn transport(error: &reqwest::Error) -> NllError {
    if error.is_timeout() {
        NllError::Timeout(error_chain(error))
    } else if error.is_builder() {
        NllError::Config(error_chain(error))
    } else {
        NllError::Connection(error_chain(error))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_from_location_reads_relative_absolute_and_versioned() {
        assert_eq!(
            id_from_location("MedicationRequest/abc/_history/1").as_deref(),
            Some("abc")
        );
        assert_eq!(
            id_from_location("https://x/fhir/MedicationRequest/abc").as_deref(),
            Some("abc")
        );
        assert_eq!(id_from_location("https://x/fhir/Patient/abc"), None);
        assert_eq!(id_from_location("MedicationRequest/"), None);
    }

    #[test]
    fn bad_configuration_is_refused() {
        let mut config = NllConfig::new("ftp://x", "t");
        assert!(matches!(NllClient::new(&config), Err(NllError::Config(_))));
        config.base_url = "https://x/fhir".into();
        config.server_ca_pem = Some("not a pem".into());
        assert!(matches!(NllClient::new(&config), Err(NllError::Config(_))));
        config.server_ca_pem = None;
        config.client_identity_pem = Some("not a pem".into());
        assert!(matches!(NllClient::new(&config), Err(NllError::Config(_))));
    }

    #[test]
    fn transient_and_permanent() {
        assert!(status_error(StatusCode::SERVICE_UNAVAILABLE, b"").is_transient());
        assert!(status_error(StatusCode::TOO_MANY_REQUESTS, b"").is_transient());
        assert!(status_error(StatusCode::REQUEST_TIMEOUT, b"").is_transient());
        assert!(!status_error(StatusCode::BAD_REQUEST, b"").is_transient());
        assert!(!status_error(StatusCode::UNAUTHORIZED, b"").is_transient());
        assert!(!NllError::Decode(String::new()).is_transient());
    }
}
