//! BankID Relying Party API v6.0 for eRecept.
//!
//! - [`types`]: the JSON bodies, tolerant of unknown codes and fields;
//! - [`messages`]: the recommended Swedish user messages (RFA) and when to show which;
//! - [`qr`]: the animated QR code's content;
//! - [`BankIdClient`]: the mutual-TLS client;
//! - [`simulator`]: the same API over HTTPS for development and tests, with a fake BankID app.

pub mod client;
pub mod messages;
pub mod qr;
pub mod simulator;
pub mod types;

pub use client::{
    BankIdClient, BankIdConfig, BankIdError, DEFAULT_TIMEOUT, PRODUCTION_URL, TEST_URL,
};
pub use messages::{Flow, Rfa, collect_message, error_message};
pub use qr::{QrContent, qr_auth_code, qr_data};
pub use types::*;
