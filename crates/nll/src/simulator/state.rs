//! The simulator's shared state: stored prescriptions, idempotency keys, the fault switch and
//! the request log.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use erecept_domain::clock::Clock;
use jiff::Timestamp;
use serde::Serialize;

use super::aff;
use crate::fhir::{
    MedicationRequest, MedicationRequestStatus, Meta, PROFILE_MEDICATION_REQUEST, SYSTEM_END_REASON,
};
use crate::outcome::{EndActivity, EndReason, Issue, Severity};

/// How many requests `GET /control/requests` keeps.
pub const REQUEST_LOG_SIZE: usize = 500;
/// The delay of `slow` without `delayMs`.
pub const DEFAULT_SLOW_DELAY: Duration = Duration::from_secs(5);
/// The longest `delayMs` accepted.
pub const MAX_SLOW_DELAY: Duration = Duration::from_secs(120);

/// The information issue of a registered prescription.
pub const REGISTERED: (&str, &str) = ("I.001", "Receptet är registrerat.");
/// `$end` and read: unknown prescription.
pub const E001: (&str, &str) = ("E.001", "Receptet finns inte.");
/// `$end`: already ended otherwise.
pub const E002: (&str, &str) = ("E.002", "Receptet är redan avslutat eller makulerat.");
/// `$end`: no or unknown reason.
pub const E003: (&str, &str) = ("E.003", "Orsak till avslut eller makulering saknas.");
/// `$end`: no or unknown activity.
pub const E004: (&str, &str) = (
    "E.004",
    "Aktivitet saknas eller är okänd (cancel eller end).",
);
/// Create: the idempotency key was used for another body.
pub const K001: (&str, &str) = (
    "K.001",
    "Idempotensnyckeln har redan använts för ett annat recept.",
);

/// What the fault switch does to a FHIR request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "mode")]
pub enum FaultMode {
    /// Answer normally.
    None,
    /// Answer `status` (5xx or 429) without doing anything.
    Error { status: u16 },
    /// Do the work at once, then wait `delay` before answering.
    Slow {
        #[serde(rename = "delayMs", serialize_with = "millis")]
        delay: Duration,
    },
    /// Do the work, then close the connection without answering (the answer is lost).
    Drop,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl FaultMode {
    pub fn describe(&self) -> String {
        match self {
            FaultMode::None => "Inget: simulatorn svarar normalt.".to_owned(),
            FaultMode::Error { status } => {
                format!("Fel: anropen får svaret {status} utan att utföras.")
            }
            FaultMode::Slow { delay } => format!(
                "Långsam: anropen utförs, men svaret dröjer {} ms.",
                delay.as_millis()
            ),
            FaultMode::Drop => {
                "Avbruten förbindelse: anropen utförs, men förbindelsen stängs utan svar."
                    .to_owned()
            }
        }
    }
}

/// The fault switch: a mode and how many more FHIR requests it affects (`None`: all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    #[serde(flatten)]
    pub mode: FaultMode,
    pub remaining: Option<u32>,
}

impl Default for Fault {
    fn default() -> Self {
        Self {
            mode: FaultMode::None,
            remaining: None,
        }
    }
}

/// How a prescription was ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EndRecord {
    pub activity: EndActivity,
    pub reason: EndReason,
    pub at: Timestamp,
}

/// One stored prescription, as `GET /control/prescriptions` lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredPrescription {
    pub id: String,
    pub idempotency_key: Option<String>,
    /// How many create calls carried its key (1 when it was created once and never retried).
    pub create_calls: u32,
    pub created_at: Timestamp,
    pub warnings: Vec<Issue>,
    pub ended: Option<EndRecord>,
    pub resource: MedicationRequest,
}

/// One FHIR request, as `GET /control/requests` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceivedRequest {
    pub received_at: Timestamp,
    pub method: String,
    pub path: String,
    pub idempotency_key: Option<String>,
    /// The status answered; 0 when the connection was dropped.
    pub status: u16,
}

/// The answer to a create, kept per idempotency key.
#[derive(Debug, Clone, PartialEq)]
pub enum CreateAnswer {
    /// 201 the first time, 200 on a replay.
    Registered {
        id: String,
        warnings: Vec<Issue>,
        replayed: bool,
    },
    /// 422.
    Rejected { issues: Vec<Issue> },
    /// 409: the key was used for another body.
    Conflict,
}

/// The answer to an `$end`.
#[derive(Debug, Clone, PartialEq)]
pub enum EndAnswer {
    /// 200 with the updated resource.
    Ended(Box<MedicationRequest>),
    /// 422.
    Rejected(Issue),
}

#[derive(Debug, Clone)]
struct KeyRecord {
    body: serde_json::Value,
    answer: CreateAnswer,
    calls: u32,
}

#[derive(Default)]
struct Inner {
    prescriptions: BTreeMap<String, StoredPrescription>,
    /// Creation order, for the page.
    order: Vec<String>,
    keys: BTreeMap<String, KeyRecord>,
    fault: Fault,
    requests: VecDeque<ReceivedRequest>,
}

/// The simulator's state, shared by the router and tests (cheap to clone).
#[derive(Clone)]
pub struct SimulatorHandle {
    inner: Arc<Mutex<Inner>>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for SimulatorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimulatorHandle").finish_non_exhaustive()
    }
}

impl SimulatorHandle {
    pub(crate) fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Inner::default())),
            clock,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every change below is complete before the lock is released; keep serving after a
        // panic elsewhere.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Sets the fault switch: `mode` for the next `count` FHIR requests (`None`: until
    /// changed).
    pub fn set_fault(&self, mode: FaultMode, count: Option<u32>) {
        let mut inner = self.lock();
        inner.fault = if mode == FaultMode::None || count == Some(0) {
            Fault::default()
        } else {
            Fault {
                mode,
                remaining: count,
            }
        };
    }

    pub fn fault(&self) -> Fault {
        self.lock().fault
    }

    /// The fault for this request, counting it down.
    pub(crate) fn take_fault(&self) -> FaultMode {
        let mut inner = self.lock();
        let fault = inner.fault;
        match fault.remaining {
            Some(n) if n <= 1 => inner.fault = Fault::default(),
            Some(n) => inner.fault.remaining = Some(n - 1),
            None => {}
        }
        fault.mode
    }

    /// Forgets everything (prescriptions, keys, requests, fault).
    pub fn reset(&self) {
        *self.lock() = Inner::default();
    }

    /// Stored prescriptions, oldest first.
    pub fn prescriptions(&self) -> Vec<StoredPrescription> {
        let inner = self.lock();
        inner
            .order
            .iter()
            .filter_map(|id| inner.prescriptions.get(id).cloned())
            .collect()
    }

    /// How many create calls carried `key` (0 if none).
    pub fn create_calls(&self, key: &str) -> u32 {
        self.lock().keys.get(key).map_or(0, |k| k.calls)
    }

    pub fn requests(&self) -> Vec<ReceivedRequest> {
        self.lock().requests.iter().cloned().collect()
    }

    pub(crate) fn record(&self, request: ReceivedRequest) {
        let mut inner = self.lock();
        if inner.requests.len() >= REQUEST_LOG_SIZE {
            inner.requests.pop_front();
        }
        inner.requests.push_back(request);
    }

    /// Creates (or replays) a prescription. `body` is the request JSON as received, compared
    /// with the first body of the same key.
    pub(crate) fn create(
        &self,
        request: MedicationRequest,
        body: serde_json::Value,
        key: Option<&str>,
    ) -> CreateAnswer {
        let now = self.clock.now();
        let today = self.clock.today();
        let mut inner = self.lock();
        if let Some(key) = key
            && let Some(record) = inner.keys.get_mut(key)
        {
            record.calls = record.calls.saturating_add(1);
            if record.body != body {
                return CreateAnswer::Conflict;
            }
            let calls = record.calls;
            let answer = match &record.answer {
                CreateAnswer::Registered { id, warnings, .. } => CreateAnswer::Registered {
                    id: id.clone(),
                    warnings: warnings.clone(),
                    replayed: true,
                },
                other => other.clone(),
            };
            if let CreateAnswer::Registered { id, .. } = &answer
                && let Some(stored) = inner.prescriptions.get_mut(id)
            {
                stored.create_calls = calls;
            }
            return answer;
        }

        let issues = aff::check(&request, today);
        let answer = if issues.iter().any(|i| i.severity == Severity::Error) {
            CreateAnswer::Rejected { issues }
        } else {
            let id = uuid::Uuid::new_v4().to_string();
            let mut resource = request;
            resource.id = Some(id.clone());
            resource.status = MedicationRequestStatus::Active;
            resource.meta = Some(Meta {
                version_id: Some("1".to_owned()),
                last_updated: Some(now.to_string()),
                profile: vec![PROFILE_MEDICATION_REQUEST.to_owned()],
            });
            inner.prescriptions.insert(
                id.clone(),
                StoredPrescription {
                    id: id.clone(),
                    idempotency_key: key.map(str::to_owned),
                    create_calls: 1,
                    created_at: now,
                    warnings: issues.clone(),
                    ended: None,
                    resource,
                },
            );
            inner.order.push(id.clone());
            CreateAnswer::Registered {
                id,
                warnings: issues,
                replayed: false,
            }
        };
        if let Some(key) = key {
            inner.keys.insert(
                key.to_owned(),
                KeyRecord {
                    body,
                    answer: answer.clone(),
                    calls: 1,
                },
            );
        }
        answer
    }

    /// Ends or cancels; repeating the same activity answers the same result.
    pub(crate) fn end(
        &self,
        id: Option<&str>,
        reason: Option<EndReason>,
        activity: Option<EndActivity>,
    ) -> EndAnswer {
        let now = self.clock.now();
        let mut inner = self.lock();
        let Some(stored) = id.and_then(|id| inner.prescriptions.get_mut(id)) else {
            return EndAnswer::Rejected(Issue::error(E001.0, E001.1));
        };
        let Some(activity) = activity else {
            return EndAnswer::Rejected(Issue::error(E004.0, E004.1));
        };
        let Some(reason) = reason else {
            return EndAnswer::Rejected(Issue::error(E003.0, E003.1));
        };
        let target = activity.resulting_status();
        match stored.resource.status {
            MedicationRequestStatus::Active => {
                stored.resource.status = target;
                stored.resource.status_reason = Some(reason.to_fhir());
                if let Some(meta) = stored.resource.meta.as_mut() {
                    meta.version_id = Some("2".to_owned());
                    meta.last_updated = Some(now.to_string());
                }
                stored.ended = Some(EndRecord {
                    activity,
                    reason,
                    at: now,
                });
                EndAnswer::Ended(Box::new(stored.resource.clone()))
            }
            status if status == target => EndAnswer::Ended(Box::new(stored.resource.clone())),
            _ => EndAnswer::Rejected(Issue::error(E002.0, E002.1)),
        }
    }

    pub(crate) fn read(&self, id: &str) -> Option<MedicationRequest> {
        self.lock()
            .prescriptions
            .get(id)
            .map(|p| p.resource.clone())
    }

    /// Prescriptions whose subject has exactly this identifier, oldest first.
    pub(crate) fn search(&self, system: &str, value: &str) -> Vec<MedicationRequest> {
        let inner = self.lock();
        inner
            .order
            .iter()
            .filter_map(|id| inner.prescriptions.get(id))
            .filter(|p| p.resource.patient_identifier() == Some((system, value)))
            .map(|p| p.resource.clone())
            .collect()
    }
}

/// The reason of `$end` parameters, read from its coding in [`SYSTEM_END_REASON`].
pub(crate) fn end_reason(concept: Option<&crate::fhir::CodeableConcept>) -> Option<EndReason> {
    concept?
        .code_in(SYSTEM_END_REASON)
        .and_then(EndReason::parse)
}
