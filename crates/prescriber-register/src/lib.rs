//! Verification of a prescriber's förskrivarkod against the register of health-care staff.
//!
//! In real life Socialstyrelsen's HOSP register knows, for a personnummer, the person's
//! licences (legitimationer), personal förskrivarkod and prescribing rights; Inera's
//! `GetCredentialsForPersonIncludingProtectedPerson` serves them (Jordbruksverket registers
//! veterinarians; this protocol models them in the same register). The check may take up to
//! 48 office hours (SPEC §2.1), so the protocol is asynchronous: ask, and ask again later.
//!
//! - [`types`]: the JSON bodies, tolerant of unknown fields and licence codes;
//! - [`PrescriberRegisterClient`]: the HTTP client, answering a [`CheckAnswer`] or a
//!   [`RegisterError`] that says whether to retry;
//! - [`compare`]: the pure rule that turns the register's [`Credentials`] into a [`Verdict`];
//! - [`simulator`]: the same protocol for development and tests, with a control API.
//!
//! # Protocol
//!
//! HTTP and JSON (camelCase), modelled on Inera's credentials service. One call:
//!
//! ```text
//! POST {base}/credentials
//! Content-Type: application/json
//!
//! {"personalIdentityNumber": "YYYYMMDDNNNN",
//!  "claimedPrescriptionCode": "1234567",
//!  "claimedProfession": "lakare"}
//! ```
//!
//! `claimedProfession` is a profession code of `erecept_domain::Profession` (`lakare`,
//! `at_lakare`, `tandlakare`, `tandhygienist`, `sjukskoterska`, `barnmorska`, `veterinar`). The
//! claim lets the register answer for the person the service asks about (and lets the simulator
//! confirm it); the service never trusts it: it compares the answer with the claim itself.
//!
//! Answers:
//!
//! | status | body | meaning | client |
//! | --- | --- | --- | --- |
//! | 200 | [`Credentials`] (below) | the register's data about the person | [`CheckAnswer::Found`] |
//! | 202 | `{"status": "pending"}` | no answer yet: ask again later | [`CheckAnswer::Pending`] |
//! | 404 | `{"error": "personNotFound"}` | the register does not know the person | [`CheckAnswer::NotFound`] |
//! | 404 with another body | | wrong address, most likely | [`RegisterError::Refused`] (permanent) |
//! | 5xx, 408, 429 | any | down or busy | [`RegisterError::Unavailable`] (transient) |
//! | other 4xx, 3xx, other 2xx | any | our request is wrong | [`RegisterError::Refused`] (permanent) |
//!
//! A timeout or broken connection is [`RegisterError::Timeout`] / [`RegisterError::Connection`]
//! (transient); a 200 whose body does not parse is [`RegisterError::Decode`] (permanent).
//!
//! The 200 body:
//!
//! ```json
//! {"personalIdentityNumber": "189001019802",
//!  "personalPrescriptionCode": "1234567",
//!  "groupPrescriptionCode": [],
//!  "healthCareProfessionalLicence": [{"code": "SJ", "name": "Sjuksköterska"}],
//!  "nursePrescriptionRight": [{"healthCareProfessionalLicence": "SJ", "prescriptionRight": true}]}
//! ```
//!
//! `personalPrescriptionCode` may be `null`; the lists may be absent (empty); unknown fields are
//! ignored and unknown licence codes kept ([`LicenceCode::Other`]).
//!
//! Licence codes ([`LicenceCode`], HL7 Sweden's code system `1.2.752.116.3.1.1` plus one of our
//! own):
//!
//! | profession | code | name |
//! | --- | --- | --- |
//! | läkare | `LK` | Läkare |
//! | AT-läkare | `AT` | AT-läkare: **our own code**. An AT-läkare has no licence yet; `AT` stands for the AT appointment (allmäntjänstgöring) the register would know of. |
//! | tandläkare | `TL` | Tandläkare |
//! | tandhygienist | `TH` | Tandhygienist |
//! | sjuksköterska | `SJ` | Sjuksköterska (prescribing also needs `nursePrescriptionRight`) |
//! | barnmorska | `BM` | Barnmorska (prescribing also needs `nursePrescriptionRight`) |
//! | veterinär | `VE` | Veterinär (Jordbruksverket's register in real life) |
//!
//! # Not yet
//!
//! Authentication towards the real service (a bearer token or a client certificate, as Inera
//! requires) is not implemented: [`PrescriberRegisterClient`] sends plain HTTPS requests.

#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod client;
pub mod simulator;
pub mod types;
pub mod verdict;

pub use client::{CheckAnswer, DEFAULT_TIMEOUT, PrescriberRegisterClient, RegisterError};
pub use types::{
    Credentials, CredentialsRequest, ErrorBody, HealthCareProfessionalLicence, LicenceCode,
    NursePrescriptionRight, PERSON_NOT_FOUND, PendingBody,
};
pub use verdict::{Verdict, compare};
