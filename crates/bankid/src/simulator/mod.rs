//! A BankID simulator: the RP API v6.0 over HTTPS with client-certificate checks, plus a fake
//! BankID app and a control API (plain HTTP, an axum [`Router`] for `/sim/bankid`).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use erecept_bankid::{BankIdClient, simulator::Simulator};
//! let clock = Arc::new(erecept_domain::SystemClock);
//! let sim = Simulator::start(clock).await?;
//! let client = BankIdClient::new(&sim.client_config())?;
//! let control: axum::Router = sim.router("/sim/bankid"); // mount with nest_service
//! # Ok(()) }
//! ```

mod api;
mod control;
pub mod pki;
mod state;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use erecept_domain::clock::Clock;
use rustls::RootCertStore;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ServerConfig, WebPkiClientVerifier};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::AbortHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

pub use pki::TestPki;
pub use state::{
    ApiError, Approval, COMPLETE_RETENTION, ControlError, FAILED_RETENTION, ORDER_LIFETIME,
    OrderKind, Orders, PendingOrder, QR_AHEAD_TOLERANCE_SECS, QR_MAX_AGE_SECS,
};

use crate::client::{BankIdConfig, DEFAULT_TIMEOUT};

/// Where the main server mounts the control router in development mode.
pub const DEFAULT_MOUNT: &str = "/sim/bankid";

#[derive(Debug, thiserror::Error)]
pub enum SimulatorError {
    #[error("certificate generation: {0}")]
    Certificate(#[from] rcgen::Error),
    #[error("TLS configuration: {0}")]
    Tls(String),
    #[error("cannot listen: {0}")]
    Io(#[from] std::io::Error),
}

/// Starts simulators.
pub struct Simulator;

impl Simulator {
    /// Generates fresh certificates and serves the HTTPS API on `127.0.0.1` on a free port.
    pub async fn start(clock: Arc<dyn Clock>) -> Result<RunningSimulator, SimulatorError> {
        Self::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), clock).await
    }

    /// As [`Simulator::start`], on the given address.
    pub async fn start_on(
        addr: SocketAddr,
        clock: Arc<dyn Clock>,
    ) -> Result<RunningSimulator, SimulatorError> {
        let pki = TestPki::generate()?;
        let tls = Arc::new(server_config(&pki)?);
        let tcp = TcpListener::bind(addr).await?;
        let local = tcp.local_addr()?;
        let orders = Orders::new(clock);

        let (tx, rx) = mpsc::channel(64);
        let acceptor = tokio::spawn(accept_loop(tcp, TlsAcceptor::from(tls), tx));
        let listener = TlsListener { rx, local };
        let app = api::router(orders.clone());
        let server = tokio::spawn(async move {
            // Runs until aborted; errors of single connections end only those connections.
            let _ = axum::serve(listener, app).await;
        });
        Ok(RunningSimulator {
            base_url: format!("https://{local}/rp/v6.0/"),
            addr: local,
            ca_pem: pki.ca_pem,
            client_identity_pem: pki.client_identity_pem,
            orders,
            tasks: vec![acceptor.abort_handle(), server.abort_handle()],
        })
    }
}

/// A simulator serving its HTTPS API. Dropping this value does not stop the server (the
/// control router may outlive it); call [`RunningSimulator::shutdown`] to stop it.
pub struct RunningSimulator {
    /// `https://127.0.0.1:{port}/rp/v6.0/`.
    pub base_url: String,
    pub addr: SocketAddr,
    /// The CA that signed the server and client certificates: pin it in the client.
    pub ca_pem: String,
    /// A client certificate and its private key (PEM) that the API accepts.
    pub client_identity_pem: String,
    orders: Orders,
    tasks: Vec<AbortHandle>,
}

impl std::fmt::Debug for RunningSimulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningSimulator")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl RunningSimulator {
    /// A client configuration that reaches this simulator.
    pub fn client_config(&self) -> BankIdConfig {
        BankIdConfig {
            base_url: self.base_url.clone(),
            server_ca_pem: self.ca_pem.clone(),
            client_identity_pem: self.client_identity_pem.clone(),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// The fake app and control API, to be mounted (`nest_service`) at `mount_prefix`, which
    /// the page's form actions use (e.g. [`DEFAULT_MOUNT`]).
    pub fn router(&self, mount_prefix: &str) -> Router {
        control::router(self.orders.clone(), mount_prefix)
    }

    /// Direct access to the orders (the same state the routers use).
    pub fn orders(&self) -> &Orders {
        &self.orders
    }

    /// Stops accepting connections.
    pub fn shutdown(self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

fn server_config(pki: &TestPki) -> Result<ServerConfig, SimulatorError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let ca = CertificateDer::from(pki.ca_der.clone());
    let mut roots = RootCertStore::empty();
    roots
        .add(ca.clone())
        .map_err(|e| SimulatorError::Tls(e.to_string()))?;
    // Every connection must present a client certificate issued by our CA.
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| SimulatorError::Tls(e.to_string()))?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.server_key_der.clone()));
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SimulatorError::Tls(e.to_string()))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![CertificateDer::from(pki.server_cert_der.clone()), ca],
            key,
        )
        .map_err(|e| SimulatorError::Tls(e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Accepts TCP connections and hands each to its own TLS handshake, so a slow or refused
/// client never holds up the others.
async fn accept_loop(
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    tx: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
) {
    loop {
        let (stream, peer) = match tcp.accept().await {
            Ok(accepted) => accepted,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let tx = tx.clone();
        tokio::spawn(async move {
            let handshake = tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream));
            if let Ok(Ok(tls)) = handshake.await {
                let _ = tx.send((tls, peer)).await;
            }
        });
    }
}

/// Hands axum the connections whose handshake (with a valid client certificate) succeeded.
struct TlsListener {
    rx: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.rx.recv().await {
            Some(connection) => connection,
            // The accept loop has stopped: no connection will ever come.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}
