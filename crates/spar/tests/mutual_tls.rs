//! The client over HTTPS with a client certificate, against the simulator behind a TLS server
//! that requires one (as SPAR does).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use erecept_bankid::simulator::TestPki;
use erecept_domain::SystemClock;
use erecept_spar::simulator::{Identities, Simulator};
use erecept_spar::{CustomerIds, Lookup, SparClient, SparConfig, SparError};
use rustls::RootCertStore;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ServerConfig, WebPkiClientVerifier};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// Hands axum only the connections whose handshake (with a valid client certificate)
/// succeeded.
struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, peer)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(stream).await {
                return (tls, peer);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

fn server_config(pki: &TestPki) -> ServerConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let ca = CertificateDer::from(pki.ca_der.clone());
    let mut roots = RootCertStore::empty();
    roots.add(ca.clone()).unwrap();
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.server_key_der.clone()));
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![CertificateDer::from(pki.server_cert_der.clone()), ca],
            key,
        )
        .unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    config
}

#[tokio::test]
async fn mutual_tls_with_our_certificate_and_the_pinned_ca() {
    let pki = TestPki::generate().unwrap();
    let identities = Identities::generated(3);
    let number = identities.examples(1).normal[0];
    let (router, _handle) = Simulator::new(Arc::new(SystemClock), identities);
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = tcp.local_addr().unwrap();
    let listener = TlsListener {
        tcp,
        acceptor: TlsAcceptor::from(Arc::new(server_config(&pki))),
    };
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    let customer = CustomerIds {
        delivery_customer: "1".into(),
        end_customer: "1".into(),
        assignment_id: "1".into(),
    };
    let base = SparConfig::new(
        format!("https://localhost:{}/2021.1/", addr.port()),
        customer,
        Duration::from_secs(5),
    );

    let client = SparClient::new(
        &base
            .clone()
            .with_client_identity(pki.client_identity_pem.clone())
            .with_server_ca(pki.ca_pem.clone()),
    )
    .unwrap();
    assert!(matches!(
        client.lookup(&number, "u").await,
        Ok(Lookup::Found(_))
    ));

    // Without our certificate the server refuses the handshake.
    let client = SparClient::new(&base.clone().with_server_ca(pki.ca_pem.clone())).unwrap();
    let err = client.lookup(&number, "u").await.unwrap_err();
    assert!(matches!(err, SparError::Connection(_)), "{err:?}");

    // Without the pinned CA the server's certificate is not trusted.
    let client =
        SparClient::new(&base.with_client_identity(pki.client_identity_pem.clone())).unwrap();
    let err = client.lookup(&number, "u").await.unwrap_err();
    assert!(matches!(err, SparError::Connection(_)), "{err:?}");
}
