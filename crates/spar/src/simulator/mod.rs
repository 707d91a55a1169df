//! A SPAR PersonSök simulator, for development mode and tests.
//!
//! One axum [`Router`] with relative routes; the main server mounts it with `nest_service`
//! under [`DEFAULT_MOUNT`], and the client's base URL is then `http://{host}/sim/spar/2021.1/`
//! (or `http://{host}/sim/spar/`: both answer).
//!
//! - `POST /`, `POST /2021.1/`: PersonSök, the same SOAP 1.1 as SPAR (see the crate
//!   documentation). A known number gets its person (generated, or set through the control
//!   API); a number the simulator does not know, or one of the stable "unknown" subset, gets an
//!   answer without any `PersonsokningSvarspost`. A request with an empty
//!   `Identifieringsinformation` field gets `Undantag` `SIM02`, an invalid `IdNummer` `SIM01`;
//!   a body that is not a request envelope a SOAP fault `Client` (HTTP 500).
//! - `POST /control/persons`: a [`SimPerson`] as JSON (camelCase; only `personNumber` is
//!   required) replaces whoever the number gives, test number or not. Answers
//!   `{"found": true, "person": …}` (the [`crate::Person`] a look-up will give) or
//!   `{"found": false}`. `POST /control/persons/clear` forgets them all.
//! - `POST /control/fault` `{"mode": "none" | "error" | "slow" | "undantag", "delayMs": N}`:
//!   `error` answers every question with a SOAP fault `Server` (HTTP 500); `slow` waits
//!   `delayMs` (real time, default 5000, at most 120000) before answering normally;
//!   `undantag` answers every question with `Undantag` `SIM03`.
//! - `GET /control/requests`: the requests received, oldest first (last 500), with the
//!   customer numbers, assignment, end user, `IdNummer` and the answer given.
//! - `GET /`: a Swedish page with example numbers of each kind (normal, samordningsnummer,
//!   protected, deceased, unknown) and the latest requests.
//!
//! ```no_run
//! use std::sync::Arc;
//! use erecept_spar::simulator::{DEFAULT_MOUNT, Identities, Simulator};
//! let clock = Arc::new(erecept_domain::SystemClock);
//! let ids = Identities::from_dir_or_generated(
//!     Some(std::path::Path::new("../shared/data/persons")),
//!     1,
//! );
//! let (router, handle) = Simulator::new(clock, ids);
//! let app: axum::Router = axum::Router::new().nest_service(DEFAULT_MOUNT, router);
//! ```

mod generate;
mod routes;
mod state;

use std::sync::Arc;

use axum::Router;
use erecept_domain::clock::Clock;

pub use generate::{
    Category, Examples, GENERATED_PERSONNUMMER, GENERATED_SAMORDNINGSNUMMER, Identities,
    IdentitiesError, PERSONNUMMER_FILE, SAMORDNINGSNUMMER_FILE, SimPerson, category, generate,
};
pub use routes::{UNDANTAG_IDENTIFICATION, UNDANTAG_INVALID_ID, UNDANTAG_SIMULATED};
pub use state::{
    Answer, DEFAULT_SLOW_DELAY, EXAMPLES_PER_KIND, Fault, MAX_SLOW_DELAY, REQUEST_LOG_SIZE,
    ReceivedRequest, SimulatorHandle,
};

/// The name under `/sim/` in development mode.
pub const NAME: &str = "spar";
/// The title on the `/sim` list.
pub const TITLE: &str = "Befolkningsregistret SPAR (Skatteverket)";
/// Where the main server mounts the router.
pub const DEFAULT_MOUNT: &str = "/sim/spar";
/// The seed of [`Identities::generated`] when no seed is configured.
pub const DEFAULT_SEED: u64 = 2021;

/// Builds simulators.
pub struct Simulator;

impl Simulator {
    /// The router (relative routes) and a handle to the same state.
    // The router and the handle are the simulator; `Simulator` itself only names the builder.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(clock: Arc<dyn Clock>, identities: Identities) -> (Router, SimulatorHandle) {
        let handle = SimulatorHandle::new(clock, identities);
        (routes::router(handle.clone()), handle)
    }
}
