//! The relying-party client: mutual TLS with our client certificate, the server pinned to one CA.

use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderValue};
use reqwest::{Certificate, Identity, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::messages::{Rfa, error_message};
use crate::types::{
    AuthRequest, CancelRequest, CollectRequest, CollectResponse, ErrorCode, ErrorResponse,
    OrderResponse, SignRequest,
};

/// BankID's production address.
pub const PRODUCTION_URL: &str = "https://appapi2.bankid.com/rp/v6.0/";
/// BankID's test environment.
pub const TEST_URL: &str = "https://appapi2.test.bankid.com/rp/v6.0/";

/// How to reach BankID.
#[derive(Clone)]
pub struct BankIdConfig {
    /// The API's base address, ending in `/rp/v6.0/` (a missing final `/` is added).
    pub base_url: String,
    /// PEM of the one CA the server certificate must chain to (BankID's SSL root CA, or the
    /// simulator's CA). System roots are never trusted.
    pub server_ca_pem: String,
    /// PEM of our client certificate followed by its private key (PKCS#8, PKCS#1 or SEC1).
    pub client_identity_pem: String,
    /// Whole-request timeout.
    pub timeout: Duration,
}

impl std::fmt::Debug for BankIdConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the private key.
        f.debug_struct("BankIdConfig")
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// The default request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum BankIdError {
    /// The configuration cannot be used (bad URL or PEM).
    #[error("BankID configuration: {0}")]
    Config(String),
    /// BankID answered with an error status.
    #[error("BankID answered {status} {error_code}: {details}")]
    Api {
        status: u16,
        /// From the error body; `Other("")` when the body was not BankID's error JSON.
        error_code: ErrorCode,
        details: String,
    },
    /// No answer: connection, TLS or timeout.
    #[error("BankID unreachable: {0}")]
    Transport(String),
    /// An answer that is not the expected JSON.
    #[error("BankID answer not understood: {0}")]
    Decode(String),
}

impl BankIdError {
    /// The message to show the user.
    pub fn user_message(&self) -> Rfa {
        match self {
            BankIdError::Api {
                status, error_code, ..
            } => error_message(*status, error_code),
            BankIdError::Transport(_) => Rfa::Rfa5,
            BankIdError::Config(_) | BankIdError::Decode(_) => Rfa::Rfa22,
        }
    }
}

#[derive(Debug, Clone)]
pub struct BankIdClient {
    http: reqwest::Client,
    base: Url,
}

impl BankIdClient {
    pub fn new(config: &BankIdConfig) -> Result<Self, BankIdError> {
        let mut base = config.base_url.trim().to_owned();
        if !base.ends_with('/') {
            base.push('/');
        }
        let base = Url::parse(&base).map_err(|e| BankIdError::Config(format!("base URL: {e}")))?;
        let cas = Certificate::from_pem_bundle(config.server_ca_pem.as_bytes())
            .map_err(|e| BankIdError::Config(format!("server CA: {e}")))?;
        if cas.is_empty() {
            return Err(BankIdError::Config(
                "server CA: no certificate in the PEM".into(),
            ));
        }
        let identity = Identity::from_pem(config.client_identity_pem.as_bytes())
            .map_err(|e| BankIdError::Config(format!("client identity: {e}")))?;
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false);
        for ca in cas {
            builder = builder.add_root_certificate(ca);
        }
        let http = builder
            .identity(identity)
            .https_only(true)
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .build()
            .map_err(|e| BankIdError::Config(e.to_string()))?;
        Ok(Self { http, base })
    }

    /// Starts an identification.
    pub async fn auth(&self, request: &AuthRequest) -> Result<OrderResponse, BankIdError> {
        self.call("auth", request).await
    }

    /// Starts a signature.
    pub async fn sign(&self, request: &SignRequest) -> Result<OrderResponse, BankIdError> {
        self.call("sign", request).await
    }

    /// The order's state; call every two seconds while it is pending.
    pub async fn collect(&self, order_ref: &str) -> Result<CollectResponse, BankIdError> {
        let request = CollectRequest {
            order_ref: order_ref.to_owned(),
        };
        self.call("collect", &request).await
    }

    /// Cancels a pending order.
    pub async fn cancel(&self, order_ref: &str) -> Result<(), BankIdError> {
        let request = CancelRequest {
            order_ref: order_ref.to_owned(),
        };
        let _: serde_json::Value = self.call("cancel", &request).await?;
        Ok(())
    }

    async fn call<Q: Serialize, A: DeserializeOwned>(
        &self,
        method: &str,
        body: &Q,
    ) -> Result<A, BankIdError> {
        let url = self
            .base
            .join(method)
            .map_err(|e| BankIdError::Config(e.to_string()))?;
        let body = serde_json::to_vec(body).map_err(|e| BankIdError::Decode(e.to_string()))?;
        let response = self
            .http
            .post(url)
            // Exactly this: BankID answers 415 to `application/json; charset=UTF-8`.
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .body(body)
            .send()
            .await
            .map_err(|e| BankIdError::Transport(error_chain(&e)))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| BankIdError::Transport(error_chain(&e)))?;
        if !status.is_success() {
            return Err(match serde_json::from_slice::<ErrorResponse>(&bytes) {
                Ok(error) => BankIdError::Api {
                    status: status.as_u16(),
                    error_code: error.error_code,
                    details: error.details,
                },
                Err(_) => BankIdError::Api {
                    status: status.as_u16(),
                    error_code: ErrorCode::Other(String::new()),
                    details: String::from_utf8_lossy(&bytes).chars().take(200).collect(),
                },
            });
        }
        serde_json::from_slice(&bytes).map_err(|e| BankIdError::Decode(e.to_string()))
    }
}

/// The error with its causes, since reqwest's own message hides the TLS reason.
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
