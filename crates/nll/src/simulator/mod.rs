//! A simulator of the national prescription list, for development mode and tests.
//!
//! One axum [`Router`] with relative routes; the main server mounts it with `nest_service`
//! under [`DEFAULT_MOUNT`], and the client's base URL is then `http://{host}/sim/nll`.
//!
//! FHIR API (the protocol of the crate documentation):
//!
//! - `POST /MedicationRequest`: checked by the rules of [`aff`]; registered (201) or rejected
//!   (422). The `x-idempotency-key` header is honoured: the same key again gets the first
//!   answer (200 with the same `Location`, or the same 422) and creates nothing; the same key
//!   with another body gets 409 `K.001`. Without a key every call creates.
//! - `POST /MedicationRequest/$end`: Parameters `reference`, `reason`, `activity` → 200 the
//!   MedicationRequest with status `cancelled` (`cancel`) or `stopped` (`end`); repeating the
//!   same activity answers the same; 422 `E.001`–`E.004` otherwise.
//! - `GET /MedicationRequest/{id}`, `GET /MedicationRequest?subject:identifier=system|value`.
//!
//! Every FHIR request needs `Authorization: Bearer …` (any non-empty token; else 401) and the
//! headers `x-request-id`, `x-purpose`, `x-access`, `x-provenance` (base64 of a Provenance
//! JSON), `x-user-agent` (else 400 `H.001`).
//!
//! Control API (JSON) and page:
//!
//! - `POST /control/fault` `{"mode": "none" | "error" | "slow" | "drop", "count": n,
//!   "delayMs": ms, "status": s}`: the next `count` FHIR requests (all until changed when
//!   `count` is left out) misbehave. `error` answers `status` (default 503; 5xx or 429) without
//!   doing anything; `slow` does the work at once and answers after `delayMs` (real time,
//!   default 5000, at most 120000); `drop` does the work and closes the connection without
//!   answering, so the caller cannot know whether it took effect.
//! - `GET /control/prescriptions`: the stored prescriptions ([`StoredPrescription`]) with
//!   `createCalls`, how many create calls their idempotency key received.
//! - `GET /control/requests`: the FHIR requests received (last 500) with the status answered
//!   (0: dropped).
//! - `POST /control/reset`: forget everything.
//! - `GET /`: a Swedish page listing the stored prescriptions.
//!
//! ```no_run
//! use std::sync::Arc;
//! use erecept_nll::simulator::{DEFAULT_MOUNT, Simulator};
//! let clock = Arc::new(erecept_domain::SystemClock);
//! let (router, handle) = Simulator::new(clock);
//! let app: axum::Router = axum::Router::new().nest_service(DEFAULT_MOUNT, router);
//! ```

pub mod aff;
mod routes;
mod state;

use std::sync::Arc;

use axum::Router;
use erecept_domain::clock::Clock;

pub use state::{
    CreateAnswer, DEFAULT_SLOW_DELAY, E001, E002, E003, E004, EndAnswer, EndRecord, Fault,
    FaultMode, K001, MAX_SLOW_DELAY, REGISTERED, REQUEST_LOG_SIZE, ReceivedRequest,
    SimulatorHandle, StoredPrescription,
};

/// The name under `/sim/` in development mode.
pub const NAME: &str = "nll";
/// The title on the `/sim` list.
pub const TITLE: &str = "Nationella läkemedelslistan (eHälsomyndigheten)";
/// Where the main server mounts the router.
pub const DEFAULT_MOUNT: &str = "/sim/nll";

/// Builds simulators.
pub struct Simulator;

impl Simulator {
    /// The router (relative routes) and a handle to the same state.
    // The router and the handle are the simulator; `Simulator` itself only names the builder.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(clock: Arc<dyn Clock>) -> (Router, SimulatorHandle) {
        let handle = SimulatorHandle::new(clock);
        (routes::router(handle.clone()), handle)
    }
}
