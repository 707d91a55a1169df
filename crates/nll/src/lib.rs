//! Nationella läkemedelslistan (NLL): eHälsomyndigheten's national prescription list.
//!
//! - [`fhir`]: the HL7 FHIR R4 (4.0.1) resources used, tolerant of unknown fields and codes;
//! - [`NllClient`]: the HTTP client (bearer token, optional mutual TLS), answering a
//!   [`CreateOutcome`] / [`EndOutcome`] or an [`NllError`] that says whether to retry;
//! - [`simulator`]: the same protocol for development and tests, with AFF-style quality rules,
//!   duplicate detection by idempotency key and faults on demand.
//!
//! # Protocol
//!
//! FHIR REST, `Content-Type` / `Accept: application/fhir+json`. The real interface needs
//! eHälsomyndigheten's approval and has no public sandbox; what is not in DOMAIN §4 is
//! **modelled** here in its style and marked so (see [`fhir`] for the profile choices).
//!
//! | call | request | answers |
//! | --- | --- | --- |
//! | create | `POST [base]/MedicationRequest`, body a MedicationRequest, `Prefer: return=OperationOutcome`, `x-idempotency-key` | 201 `Location: MedicationRequest/{id}/_history/1` + OperationOutcome (information, warnings); 200 the same for a key already used (nothing new is created); 422 OperationOutcome with the AFF errors (rejected) |
//! | end / cancel | `POST [base]/MedicationRequest/$end`, body Parameters `reference` (valueReference `MedicationRequest/{id}`), `reason` (valueCodeableConcept, [`EndReason`]), `activity` (valueCode `cancel` \| `end`, [`EndActivity`]) | 200 the MedicationRequest with its new status (`cancelled` / `stopped`); 422 OperationOutcome (unknown or already otherwise ended) |
//! | read | `GET [base]/MedicationRequest/{id}` | 200 MedicationRequest; 404 OperationOutcome |
//! | search | `GET [base]/MedicationRequest?subject:identifier={system}\|{number}` | 200 Bundle `searchset` |
//!
//! Every call carries `Authorization: Bearer {token}`, `x-request-id` (a new UUID per call),
//! `x-purpose`, `x-access`, `x-provenance` (base64 of a FHIR Provenance JSON) and
//! `x-user-agent`. Errors: 400 (malformed request or missing header), 401 (no token) →
//! [`NllError::Refused`]; 5xx, 408, 429, timeouts and broken connections →
//! transient [`NllError`]s.
//!
//! ## Idempotency (modelled)
//!
//! How the real service recognises a repeated create is not public. This crate sends a key of
//! the caller's choosing in **`x-idempotency-key`** (one key per prescription item, stored with
//! it before the first attempt and reused on every retry). The simulator keeps each key's first
//! answer: the same key again gets the same prescription id (200 instead of 201) or the same
//! rejection, and nothing is created twice; the same key with a different body is refused with
//! 409. Against the real service the fallback would be to search by patient before re-sending;
//! that is not built.
//!
//! ## Quality rules (AFF)
//!
//! The real rule list is not public; two codes are known (`F.001`, `D.003`). The simulator's
//! rules and their codes are in [`simulator::aff`].

#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod client;
pub mod fhir;
pub mod outcome;
pub mod simulator;

pub use client::{
    BearerToken, DEFAULT_TIMEOUT, NllClient, NllConfig, NllError, RequestContext, TokenSource,
    id_from_location,
};
pub use outcome::{CreateOutcome, EndActivity, EndOutcome, EndReason, Issue, Severity};

/// The FHIR JSON media type.
pub const FHIR_JSON: &str = "application/fhir+json";
/// A new UUID per call.
pub const HEADER_REQUEST_ID: &str = "x-request-id";
pub const HEADER_PURPOSE: &str = "x-purpose";
pub const HEADER_ACCESS: &str = "x-access";
/// Base64 (standard, padded) of a Provenance resource as JSON.
pub const HEADER_PROVENANCE: &str = "x-provenance";
pub const HEADER_USER_AGENT: &str = "x-user-agent";
/// The create's idempotency key (modelled; see the crate documentation).
pub const HEADER_IDEMPOTENCY_KEY: &str = "x-idempotency-key";
