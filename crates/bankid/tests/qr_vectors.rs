//! The animated QR code against the shared test vectors (`shared/data/bankid/qr-vectors.json`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use erecept_bankid::{QrContent, qr_auth_code, qr_data};
use serde_json::Value;

fn shared_data() -> PathBuf {
    match std::env::var_os("ERECEPT_SHARED_DATA") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    }
}

#[test]
fn every_vector_matches() {
    let path = shared_data().join("bankid/qr-vectors.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e} (set ERECEPT_SHARED_DATA)",
            path.display()
        )
    });
    let file: Value = serde_json::from_str(&text).unwrap();
    let token = file["qrStartToken"].as_str().unwrap();
    let secret = file["qrStartSecret"].as_str().unwrap();
    let vectors = file["vectors"].as_array().unwrap();
    assert!(!vectors.is_empty(), "no vectors in {}", path.display());
    for vector in vectors {
        let time = vector["qrTime"].as_u64().unwrap();
        let code = vector["qrAuthCode"].as_str().unwrap();
        assert_eq!(qr_auth_code(secret, time), code, "qrTime {time}");
        let data = qr_data(token, secret, time);
        assert_eq!(data, format!("bankid.{token}.{time}.{code}"));
        let parsed = QrContent::parse(&data).unwrap();
        assert!(parsed.is_signed_with(secret));
        assert_eq!(parsed.seconds_since_start, time);
    }
}
