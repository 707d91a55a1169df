//! The population register: SPAR PersonSök (Skatteverket's statens personadressregister).
//!
//! With the Befolkningsregister add-on, "Ange patientuppgifter" (SPEC §3) takes the patient's
//! name and address from SPAR: a protected identity is shown marked and without address, a
//! deceased or unknown person is refused.
//!
//! - [`types`]: the SOAP 1.1 envelopes of PersonSök 2021.1, written and read (tolerant of
//!   unknown elements and of prefixes);
//! - [`SparClient`]: the client (reqwest, rustls, mutual TLS with our organisation
//!   certificate), answering a [`Lookup`] or a [`SparError`] that says whether to retry;
//! - [`person_from`]: the pure mapping of an answer record to a [`Person`];
//! - [`simulator`]: the same protocol over generated fictional persons, with a control API.
//!
//! # Protocol
//!
//! One operation, `PersonSok`, SOAP 1.1 over HTTPS with a client certificate:
//!
//! ```text
//! POST {endpoint}                 (SPAR's customer test: https://kt-ext-ws.statenspersonadressregister.se/2021.1/)
//! Content-Type: text/xml; charset=utf-8
//! SOAPAction: "http://skatteverket.se/spar/personsok/2021.1/PersonsokService/Personsok"
//!
//! <soapenv:Envelope …>
//!   <soapenv:Body>
//!     <per:SPARPersonsokningFraga>                      (…/personsok/2021.1/personsokningfraga)
//!       <iden:Identifieringsinformation>                (…/metadata/identifieringsinformationWs-1.1)
//!         <iden:KundNrLeveransMottagare>, <iden:KundNrSlutkund>, <iden:UppdragId>, <iden:SlutAnvandarId>
//!       </iden:Identifieringsinformation>
//!       <sok:PersonsokningFraga>                        (…/sok/personsokningsokparametrar-1.1)
//!         <person:IdNummer>YYYYMMDDNNNC</person:IdNummer>   (…/person/person-1.2)
//! ```
//!
//! The answer, `SPARPersonsokningSvar` (…/personsok/2021.1/personsokningsvar), echoes the
//! question and then holds, per person found, a `PersonsokningSvarspost`: `PersonId{IdNummer,
//! Typ}`, `Sekretessmarkering` and `SkyddadFolkbokforing` (`JA`/`NEJ`), `Namn{Fornamn,
//! Tilltalsnamn, Mellannamn, Efternamn}`, `Persondetaljer{…, AvregistreringsorsakKod,
//! Avlidendatum, Fodelsedatum, Kon}`, `Folkbokforingsadress/SvenskAdress{CareOf,
//! Utdelningsadress1, Utdelningsadress2, PostNr, Postort}`, each with a validity period
//! (`DatumFrom`, `DatumTill`); or an `Undantag{Kod, Beskrivning}` when SPAR will not answer.
//!
//! | answer | client |
//! | --- | --- |
//! | 200, a `PersonsokningSvarspost` | [`Lookup::Found`] (the record for the number asked about, else the first) |
//! | 200, neither post nor `Undantag` | [`Lookup::NotFound`] |
//! | 200, only `Undantag` | [`SparError::Undantag`] (permanent) |
//! | a SOAP fault (any status, normally 500) | [`SparError::Fault`]: transient for `Server`, permanent for `Client` |
//! | other 5xx, 408, 429 | [`SparError::Unavailable`] (transient) |
//! | other statuses | [`SparError::Refused`] (permanent) |
//! | timeout / no connection | [`SparError::Timeout`] / [`SparError::Connection`] (transient) |
//! | 200 that is not the envelope, or an invalid `IdNummer` | [`SparError::Decode`] (permanent) |
//!
//! Mapping (in [`person_from`]): protected = `JA` in either flag (on the record or in
//! `Persondetaljer`), and then the address is dropped whatever SPAR sent; deceased =
//! `AvregistreringsorsakKod` `AV` or an `Avlidendatum`; `Tilltalsnamn` is SPAR's two-digit
//! code and is resolved to the name ([`resolve_calling_name`]); of several periods the current
//! one (latest `DatumTill`) is used.
//!
//! # Inferences
//!
//! The code `AV` (avliden) and the meaning of the `Tilltalsnamn` code follow SPAR's
//! documentation as commonly implemented; SPAR's `Undantag` codes are not listed here (all
//! are treated as permanent). The simulator's own codes are `SIM01`–`SIM03`.

#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod client;
pub mod person;
pub mod simulator;
pub mod types;
pub mod xml;

pub use client::{
    CustomerIds, DEFAULT_TIMEOUT, MAX_END_USER_ID_CHARS, MAX_RESPONSE_BYTES, SparClient,
    SparConfig, SparError, TEST_URL,
};
pub use person::{
    Address, Lookup, Person, PersonError, calling_name_code, person_from, resolve_calling_name,
};
