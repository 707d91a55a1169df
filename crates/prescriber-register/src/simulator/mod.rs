//! A simulator of the register's credentials service, for development mode and tests.
//!
//! One axum [`Router`] with relative routes; the main server mounts it with `nest_service`
//! under [`DEFAULT_MOUNT`], and the client's base URL is then
//! `http://{host}/sim/prescriber-register`.
//!
//! - `POST /credentials`: the protocol of the crate documentation. A person not registered
//!   through the control API gets 202 `pending` until `verify_delay` (by the injected clock)
//!   has passed since the first request about them, then 200 with the claimed code and the
//!   licence of the claimed profession (DESIGN §5: every well-formed förskrivarkod is
//!   confirmed). A claim with a malformed personnummer, code or profession gets 404
//!   `personNotFound`; a body that is not the request JSON gets 400.
//! - `POST /control/persons` `{"personalIdentityNumber", "profession", "prescriptionCode"}`
//!   registers a person: answered with exactly that, at once (`prescriptionCode` may be `null`
//!   or left out: the person has the licence but no personal code). Answers the credentials the
//!   register will give.
//! - `POST /control/persons/{pnr}/reject`: the person is unknown (404) until registered again.
//! - `POST /control/fault` `{"mode": "none" | "error" | "slow", "delayMs": N}`: `error` answers
//!   503 to every `/credentials`; `slow` waits `delayMs` (real time, default 5000, at most
//!   120000) before answering normally.
//! - `GET /control/requests`: the requests received, oldest first (last 500), with
//!   `receivedAt` and the `status` answered.
//! - `GET /`: a Swedish page listing all of this.
//!
//! ```no_run
//! use std::sync::Arc;
//! use std::time::Duration;
//! use erecept_prescriber_register::simulator::{DEFAULT_MOUNT, Simulator};
//! let clock = Arc::new(erecept_domain::SystemClock);
//! let (router, handle) = Simulator::new(clock, Duration::from_secs(10));
//! let app: axum::Router = axum::Router::new().nest_service(DEFAULT_MOUNT, router);
//! ```

mod routes;
mod state;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use erecept_domain::clock::Clock;

pub use state::{
    Answer, ControlError, DEFAULT_SLOW_DELAY, Fault, MAX_SLOW_DELAY, REQUEST_LOG_SIZE,
    ReceivedRequest, RegisteredPerson, SimulatorHandle, Waiting, credentials_for,
};

/// The name under `/sim/` in development mode.
pub const NAME: &str = "prescriber-register";
/// The title on the `/sim` list.
pub const TITLE: &str = "Förskrivarregistret (Socialstyrelsen)";
/// Where the main server mounts the router.
pub const DEFAULT_MOUNT: &str = "/sim/prescriber-register";
/// DESIGN §5's default for `ERECEPT_SIM_VERIFY_DELAY`.
pub const DEFAULT_VERIFY_DELAY: Duration = Duration::from_secs(10);

/// Builds simulators.
pub struct Simulator;

impl Simulator {
    /// The router (relative routes) and a handle to the same state. `verify_delay` is how long
    /// after the first request about a person their well-formed claim is confirmed.
    // The router and the handle are the simulator; `Simulator` itself only names the builder.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(clock: Arc<dyn Clock>, verify_delay: Duration) -> (Router, SimulatorHandle) {
        let handle = SimulatorHandle::new(clock, verify_delay);
        (routes::router(handle.clone()), handle)
    }
}
