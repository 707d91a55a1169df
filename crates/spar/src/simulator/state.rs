//! The simulator's shared state: the population, persons set by tests, the fault switch and
//! the request log.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use erecept_domain::PersonNumber;
use erecept_domain::clock::Clock;
use jiff::Timestamp;
use serde::Serialize;

use super::generate::{Examples, Identities, SimPerson, generate};
use crate::types::{PersonsokningFraga, Svarspost};

/// How many received requests are kept for `GET /control/requests`.
pub const REQUEST_LOG_SIZE: usize = 500;
/// The longest `delayMs` the fault switch accepts (two minutes).
pub const MAX_SLOW_DELAY: Duration = Duration::from_secs(120);
/// The delay of `{"mode": "slow"}` without `delayMs`.
pub const DEFAULT_SLOW_DELAY: Duration = Duration::from_secs(5);
/// How many examples of each kind the page lists.
pub const EXAMPLES_PER_KIND: usize = 5;

/// The fault switch: how `POST /` misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fault {
    #[default]
    None,
    /// Answer every question with a SOAP fault `Server` (HTTP 500).
    Error,
    /// Wait this long (real time) before answering normally.
    Slow(Duration),
    /// Answer every question with an `Undantag`.
    Undantag,
}

impl Fault {
    pub fn describe(&self) -> String {
        match self {
            Fault::None => "Inget: simulatorn svarar normalt.".to_owned(),
            Fault::Error => "Fel: varje fråga får ett SOAP-fel (HTTP 500).".to_owned(),
            Fault::Slow(d) => format!("Långsam: varje svar dröjer {} ms.", d.as_millis()),
            Fault::Undantag => "Undantag: varje fråga får svaret Undantag.".to_owned(),
        }
    }
}

/// One request as received (`GET /control/requests`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceivedRequest {
    pub received_at: Timestamp,
    /// The `SOAPAction` header, if any.
    pub soap_action: Option<String>,
    pub kund_nr_leverans_mottagare: String,
    pub kund_nr_slutkund: String,
    pub uppdrag_id: String,
    pub slut_anvandar_id: String,
    pub id_nummer: String,
    /// `found`, `notFound`, `undantag`, `fault` or `badRequest`.
    pub answer: String,
}

/// What to answer to one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Found(Box<Svarspost>),
    NotFound,
}

struct State {
    /// Persons set through the control API, by 12 digits; they win over the generated ones.
    persons: BTreeMap<String, SimPerson>,
    fault: Fault,
    requests: VecDeque<ReceivedRequest>,
}

struct Inner {
    clock: Arc<dyn Clock>,
    identities: Identities,
    examples: Examples,
    state: Mutex<State>,
}

/// A handle to the simulator's state (cheap to clone; the router holds one).
#[derive(Clone)]
pub struct SimulatorHandle {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for SimulatorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimulatorHandle")
            .field("identities", &self.inner.identities.source())
            .finish_non_exhaustive()
    }
}

impl SimulatorHandle {
    pub fn new(clock: Arc<dyn Clock>, identities: Identities) -> Self {
        let examples = identities.examples(EXAMPLES_PER_KIND);
        Self {
            inner: Arc::new(Inner {
                clock,
                identities,
                examples,
                state: Mutex::new(State {
                    persons: BTreeMap::new(),
                    fault: Fault::None,
                    requests: VecDeque::new(),
                }),
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; keep serving.
        self.inner
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn identities(&self) -> &Identities {
        &self.inner.identities
    }

    /// Example numbers of each kind (what the page lists).
    pub fn examples(&self) -> &Examples {
        &self.inner.examples
    }

    /// The person behind a number: set through the control API, else generated for a known
    /// number; `None` for a number the simulator does not know.
    pub fn person(&self, number: &PersonNumber) -> Option<SimPerson> {
        if let Some(p) = self.state().persons.get(&number.as_12_digits()) {
            return Some(p.clone());
        }
        self.inner
            .identities
            .contains(number)
            .then(|| generate(number))
    }

    /// What the simulator answers about `number`.
    pub fn answer(&self, number: &PersonNumber) -> Answer {
        match self.person(number).and_then(|p| p.svarspost()) {
            Some(post) => Answer::Found(Box::new(post)),
            None => Answer::NotFound,
        }
    }

    /// Sets (replaces) a person; the number need not be a test number.
    pub fn set_person(&self, person: SimPerson) {
        self.state()
            .persons
            .insert(person.person_number.clone(), person);
    }

    /// Forgets the persons set through the control API.
    pub fn clear_persons(&self) {
        self.state().persons.clear();
    }

    pub fn fault(&self) -> Fault {
        self.state().fault
    }

    pub fn set_fault(&self, fault: Fault) {
        self.state().fault = fault;
    }

    /// The requests received, oldest first.
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        self.state().requests.iter().cloned().collect()
    }

    pub(crate) fn record(
        &self,
        soap_action: Option<String>,
        fraga: Option<&PersonsokningFraga>,
        answer: &str,
    ) {
        let fraga = fraga.cloned().unwrap_or_default();
        let id = fraga.identifieringsinformation;
        let request = ReceivedRequest {
            received_at: self.inner.clock.now(),
            soap_action,
            kund_nr_leverans_mottagare: id.kund_nr_leverans_mottagare,
            kund_nr_slutkund: id.kund_nr_slutkund,
            uppdrag_id: id.uppdrag_id,
            slut_anvandar_id: id.slut_anvandar_id,
            id_nummer: fraga.id_nummer,
            answer: answer.to_owned(),
        };
        let mut state = self.state();
        if state.requests.len() >= REQUEST_LOG_SIZE {
            state.requests.pop_front();
        }
        state.requests.push_back(request);
    }

    pub(crate) fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }
}
