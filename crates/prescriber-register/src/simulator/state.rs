//! The simulator's shared state and its answering rule.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use erecept_domain::clock::Clock;
use erecept_domain::{PersonNumber, PrescriberCode, Profession};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::types::{
    Credentials, CredentialsRequest, HealthCareProfessionalLicence, LicenceCode,
    NursePrescriptionRight,
};

/// How many received requests are kept for `GET /control/requests`.
pub const REQUEST_LOG_SIZE: usize = 500;

/// The longest `delayMs` the fault switch accepts (two minutes).
pub const MAX_SLOW_DELAY: Duration = Duration::from_secs(120);

/// The delay of `{"mode": "slow"}` without `delayMs`.
pub const DEFAULT_SLOW_DELAY: Duration = Duration::from_secs(5);

/// The fault switch: how `POST /credentials` misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fault {
    /// Answer normally.
    #[default]
    None,
    /// Answer 503 to everything.
    Error,
    /// Wait this long (real time, not the injected clock) before answering normally.
    Slow(Duration),
}

impl Fault {
    pub fn describe(&self) -> String {
        match self {
            Fault::None => "Inget: simulatorn svarar normalt.".to_owned(),
            Fault::Error => "Fel: varje kontroll får svaret 503.".to_owned(),
            Fault::Slow(d) => format!("Långsam: varje svar dröjer {} ms.", d.as_millis()),
        }
    }
}

/// A person registered through the control API: answered with exactly this, at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisteredPerson {
    pub personal_identity_number: String,
    pub profession: Profession,
    /// `None`: the person has the licence but no personal förskrivarkod.
    pub prescription_code: Option<String>,
}

impl RegisteredPerson {
    /// The register's answer for this person.
    pub fn credentials(&self) -> Credentials {
        credentials_for(
            &self.personal_identity_number,
            self.profession,
            self.prescription_code.clone(),
        )
    }
}

/// The answer the register gives a person of `profession` with `code`: the licence of the
/// profession, and for sjuksköterskor and barnmorskor the prescribing right that goes with it.
pub fn credentials_for(pnr: &str, profession: Profession, code: Option<String>) -> Credentials {
    let licence = LicenceCode::of(profession);
    let nurse_prescription_right = if licence.needs_nurse_prescription_right() {
        vec![NursePrescriptionRight {
            health_care_professional_licence: licence,
            prescription_right: true,
        }]
    } else {
        Vec::new()
    };
    Credentials {
        personal_identity_number: pnr.to_owned(),
        personal_prescription_code: code,
        group_prescription_code: Vec::new(),
        health_care_professional_licence: vec![HealthCareProfessionalLicence::of(profession)],
        nurse_prescription_right,
    }
}

/// One `POST /credentials` the simulator received, as `GET /control/requests` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceivedRequest {
    /// By the injected clock.
    pub received_at: Timestamp,
    /// As sent (possibly malformed); empty when the body was not the expected JSON.
    pub personal_identity_number: String,
    pub claimed_prescription_code: String,
    pub claimed_profession: String,
    /// The status answered: 200, 202, 404, 400 or 503.
    pub status: u16,
}

/// The answer to one `POST /credentials`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// 200.
    Found(Credentials),
    /// 202.
    Pending,
    /// 404 `personNotFound`.
    NotFound,
    /// 503 (fault switch).
    Unavailable,
}

impl Answer {
    pub fn status(&self) -> u16 {
        match self {
            Answer::Found(_) => 200,
            Answer::Pending => 202,
            Answer::NotFound => 404,
            Answer::Unavailable => 503,
        }
    }
}

/// Why a control request was refused (400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    #[error("personalIdentityNumber must be 12 digits forming a valid personnummer")]
    PersonNumber,
    #[error(
        "profession must be one of lakare, at_lakare, tandlakare, tandhygienist, sjukskoterska, barnmorska, veterinar"
    )]
    Profession,
    #[error("prescriptionCode must be 7 digits, not all zeros")]
    PrescriptionCode,
    #[error("delayMs must be at most {} for mode slow", MAX_SLOW_DELAY.as_millis())]
    Delay,
}

#[derive(Default)]
struct Inner {
    registered: BTreeMap<String, RegisteredPerson>,
    rejected: HashSet<String>,
    /// When the first request about each (not registered) person arrived.
    first_seen: BTreeMap<String, Timestamp>,
    fault: Fault,
    requests: VecDeque<ReceivedRequest>,
}

/// The simulator's state, shared by its router and the tests (cheap to clone).
#[derive(Clone)]
pub struct SimulatorHandle {
    inner: Arc<Mutex<Inner>>,
    clock: Arc<dyn Clock>,
    verify_delay: Duration,
}

impl std::fmt::Debug for SimulatorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimulatorHandle")
            .field("verify_delay", &self.verify_delay)
            .finish_non_exhaustive()
    }
}

/// A person waiting for the default confirmation, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub personal_identity_number: String,
    pub first_seen: Timestamp,
    pub confirmed_from: Timestamp,
}

impl SimulatorHandle {
    pub(crate) fn new(clock: Arc<dyn Clock>, verify_delay: Duration) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Inner::default())),
            clock,
            verify_delay,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the maps half-changed; keep serving.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How long after the first request a well-formed claim of an unregistered person is
    /// confirmed.
    pub fn verify_delay(&self) -> Duration {
        self.verify_delay
    }

    /// Registers a person explicitly: from now on the register answers with this data, at once.
    /// Undoes an earlier [`SimulatorHandle::reject`].
    pub fn register(
        &self,
        person: &PersonNumber,
        profession: Profession,
        prescription_code: Option<&PrescriberCode>,
    ) {
        let pnr = person.as_12_digits();
        let mut inner = self.lock();
        inner.rejected.remove(&pnr);
        inner.registered.insert(
            pnr.clone(),
            RegisteredPerson {
                personal_identity_number: pnr,
                profession,
                prescription_code: prescription_code.map(|c| c.as_str().to_owned()),
            },
        );
    }

    /// Makes the person unknown to the register (404), whatever they claim, until registered
    /// again.
    pub fn reject(&self, person: &PersonNumber) {
        let pnr = person.as_12_digits();
        let mut inner = self.lock();
        inner.registered.remove(&pnr);
        inner.first_seen.remove(&pnr);
        inner.rejected.insert(pnr);
    }

    /// Sets the fault switch.
    pub fn set_fault(&self, fault: Fault) {
        self.lock().fault = fault;
    }

    pub fn fault(&self) -> Fault {
        self.lock().fault
    }

    /// The requests received, oldest first (at most [`REQUEST_LOG_SIZE`]).
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        self.lock().requests.iter().cloned().collect()
    }

    /// The persons registered through the control API, by personnummer.
    pub fn registered(&self) -> Vec<RegisteredPerson> {
        self.lock().registered.values().cloned().collect()
    }

    /// The personnummer made unknown, sorted.
    pub fn rejected(&self) -> Vec<String> {
        let mut rejected: Vec<String> = self.lock().rejected.iter().cloned().collect();
        rejected.sort();
        rejected
    }

    /// Unregistered persons that have been asked about, with the time their claim is confirmed.
    pub fn waiting(&self) -> Vec<Waiting> {
        let delay = self.signed_delay();
        self.lock()
            .first_seen
            .iter()
            .map(|(pnr, &first)| Waiting {
                personal_identity_number: pnr.clone(),
                first_seen: first,
                confirmed_from: first.checked_add(delay).unwrap_or(Timestamp::MAX),
            })
            .collect()
    }

    fn signed_delay(&self) -> SignedDuration {
        SignedDuration::try_from(self.verify_delay).unwrap_or(SignedDuration::MAX)
    }

    /// Answers one request (after the fault switch's delay, which the caller applies) and
    /// records it. `request` is `None` when the body was not the expected JSON (400).
    pub(crate) fn answer(&self, request: Option<&CredentialsRequest>) -> Option<Answer> {
        let now = self.clock.now();
        let delay = self.signed_delay();
        let mut inner = self.lock();
        let answer = match request {
            None => None,
            Some(_) if inner.fault == Fault::Error => Some(Answer::Unavailable),
            Some(request) => Some(decide(&mut inner, request, now, delay)),
        };
        let record = ReceivedRequest {
            received_at: now,
            personal_identity_number: request
                .map(|r| r.personal_identity_number.clone())
                .unwrap_or_default(),
            claimed_prescription_code: request
                .map(|r| r.claimed_prescription_code.clone())
                .unwrap_or_default(),
            claimed_profession: request
                .map(|r| r.claimed_profession.clone())
                .unwrap_or_default(),
            status: answer.as_ref().map_or(400, Answer::status),
        };
        if inner.requests.len() >= REQUEST_LOG_SIZE {
            inner.requests.pop_front();
        }
        inner.requests.push_back(record);
        answer
    }
}

/// The rule: rejected → 404; registered → that data; malformed claim → 404; otherwise pending
/// until `delay` after the first request about the person, then the claim confirmed.
fn decide(
    inner: &mut Inner,
    request: &CredentialsRequest,
    now: Timestamp,
    delay: SignedDuration,
) -> Answer {
    let Ok(person) = PersonNumber::parse_12(&request.personal_identity_number) else {
        return Answer::NotFound;
    };
    let pnr = person.as_12_digits();
    if inner.rejected.contains(&pnr) {
        return Answer::NotFound;
    }
    if let Some(registered) = inner.registered.get(&pnr) {
        return Answer::Found(registered.credentials());
    }
    let code = match PrescriberCode::parse(&request.claimed_prescription_code) {
        Ok(code) if code.as_str() == request.claimed_prescription_code => code,
        _ => return Answer::NotFound,
    };
    let Ok(profession) = Profession::parse(&request.claimed_profession) else {
        return Answer::NotFound;
    };
    let first = *inner.first_seen.entry(pnr.clone()).or_insert(now);
    let due = first.checked_add(delay).unwrap_or(Timestamp::MAX);
    if now < due {
        Answer::Pending
    } else {
        Answer::Found(credentials_for(
            &pnr,
            profession,
            Some(code.as_str().to_owned()),
        ))
    }
}

/// Parses the body of `POST /control/persons`.
pub(crate) fn parse_person(
    pnr: &str,
    profession: &str,
    code: Option<&str>,
) -> Result<(PersonNumber, Profession, Option<PrescriberCode>), ControlError> {
    let person = PersonNumber::parse_12(pnr).map_err(|_| ControlError::PersonNumber)?;
    let profession = Profession::parse(profession).map_err(|_| ControlError::Profession)?;
    let code = match code {
        None => None,
        Some(c) => Some(PrescriberCode::parse(c).map_err(|_| ControlError::PrescriptionCode)?),
    };
    Ok((person, profession, code))
}
