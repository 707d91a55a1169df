//! Delivery to the national prescription list, run by the job worker.
//!
//! Exactly once: every attempt of an item's create sends the same request with the same
//! idempotency key, so a retry after a timeout, a dropped connection or a crash of this server
//! gets the answer of the first call instead of a second prescription. The item's status and
//! timeline follow each step, so the prescriber sees that it waits.

use std::sync::Arc;

use async_trait::async_trait;
use erecept_domain::clock::Clock;
use erecept_nll::fhir::{
    Identifier, MedicationRequest, Provenance, ProvenanceAgent, Reference, Resource,
    SYSTEM_PRESCRIBER_CODE,
};
use erecept_nll::{
    CreateOutcome, EndOutcome, EndReason, Issue, NllClient, NllError, RequestContext,
};
use erecept_store::{Job, Outbox, Prescription, PrescriptionStatus, StatusChange, Store};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{END_JOB, ItemDocument, SEND_JOB};
use crate::jobs::{JobError, JobHandler};

#[derive(Debug, Deserialize)]
struct SendPayload {
    prescription_id: Uuid,
}

/// What a makulering job carries.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EndPayload {
    pub prescription_id: Uuid,
    pub national_id: String,
    pub reason: EndReason,
    /// The status to return to if the national list refuses.
    pub previous: String,
}

fn context(
    prescription: &Prescription,
    prescriber_code: &str,
    clock: &dyn Clock,
) -> RequestContext {
    RequestContext {
        purpose: "prescribe".to_owned(),
        access: "prescriber".to_owned(),
        provenance: Provenance {
            target: Vec::new(),
            recorded: clock.now().to_string(),
            agent: vec![ProvenanceAgent {
                type_: None,
                who: Reference {
                    identifier: Some(Identifier::new(SYSTEM_PRESCRIBER_CODE, prescriber_code)),
                    display: Some(format!("eRecept {}", prescription.id)),
                    ..Reference::default()
                },
                on_behalf_of: None,
            }],
        },
    }
}

/// The national service's messages, kept with the item.
fn messages(issues: &[Issue]) -> serde_json::Value {
    serde_json::to_value(issues).unwrap_or(serde_json::Value::Null)
}

fn joined(issues: &[Issue]) -> String {
    issues
        .iter()
        .map(Issue::message)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Why the national list did not answer, for the timeline.
fn unreachable_text(error: &NllError) -> &'static str {
    match error {
        NllError::Timeout(_) => "Nationella läkemedelslistan svarade inte i tid.",
        NllError::Connection(_) => "Förbindelsen med Nationella läkemedelslistan bröts.",
        NllError::Unavailable { .. } => "Nationella läkemedelslistan är inte tillgänglig just nu.",
        _ => "Nationella läkemedelslistan kunde inte nås.",
    }
}

async fn change(
    store: &dyn Store,
    clock: &dyn Clock,
    change: StatusChange,
) -> Result<bool, JobError> {
    store
        .change_prescription_status(&change, &[], &Outbox::new(), clock.now())
        .await
        .map_err(|e| JobError::Retry(format!("store: {e}")))
}

/// What both delivery jobs need: the store, the clock and the national list's client.
#[derive(Clone)]
pub struct Delivery {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    client: NllClient,
}

impl Delivery {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, client: NllClient) -> Self {
        Self {
            store,
            clock,
            client,
        }
    }

    /// The item a job is about, with its document.
    async fn item(&self, id: Uuid) -> Result<(Prescription, ItemDocument), JobError> {
        let prescription = self
            .store
            .prescription(id)
            .await
            .map_err(|e| JobError::Retry(format!("store: {e}")))?
            .ok_or_else(|| JobError::Permanent(format!("prescription {id} is missing")))?;
        let document =
            ItemDocument::of(&prescription).map_err(|e| JobError::Permanent(e.to_string()))?;
        Ok((prescription, document))
    }
}

/// Registers an item in the national list (job kind [`SEND_JOB`]).
pub struct SendHandler(pub Delivery);

#[async_trait]
impl JobHandler for SendHandler {
    fn kind(&self) -> &'static str {
        SEND_JOB
    }

    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let payload: SendPayload = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::Permanent(format!("payload: {e}")))?;
        let id = payload.prescription_id;
        let store = self.0.store.as_ref();
        let clock = self.0.clock.as_ref();
        let (prescription, document) = self.0.item(id).await?;
        if !matches!(
            prescription.status,
            PrescriptionStatus::Queued | PrescriptionStatus::Sent
        ) {
            // Delivered already (a job that ran twice after a lost lease).
            return Ok(());
        }
        let request: MedicationRequest = match serde_json::from_value(document.request.clone()) {
            Ok(Resource::MedicationRequest(mr)) => *mr,
            _ => {
                return Err(JobError::Permanent(format!(
                    "prescription {id}: bad request"
                )));
            }
        };
        if prescription.status == PrescriptionStatus::Queued {
            change(
                store,
                clock,
                StatusChange {
                    id,
                    from: vec![PrescriptionStatus::Queued],
                    to: PrescriptionStatus::Sent,
                    national_id: None,
                    messages: None,
                    text: "Skickat till Nationella läkemedelslistan.".to_owned(),
                },
            )
            .await?;
        }
        let context = context(&prescription, &document.prescriber.prescriber_code, clock);
        let answer = self
            .0
            .client
            .create(&request, &prescription.idempotency_key, &context)
            .await;
        let from = vec![PrescriptionStatus::Sent, PrescriptionStatus::Queued];
        match answer {
            Ok(CreateOutcome::Registered {
                id: national,
                warnings,
                ..
            }) => {
                let (to, text) = if warnings.is_empty() {
                    (
                        PrescriptionStatus::Registered,
                        "Registrerat i Nationella läkemedelslistan.".to_owned(),
                    )
                } else {
                    (
                        PrescriptionStatus::RegisteredWithWarnings,
                        format!(
                            "Registrerat i Nationella läkemedelslistan med varning: {}",
                            joined(&warnings)
                        ),
                    )
                };
                change(
                    store,
                    clock,
                    StatusChange {
                        id,
                        from,
                        to,
                        national_id: Some(national),
                        messages: Some(messages(&warnings)),
                        text,
                    },
                )
                .await?;
                Ok(())
            }
            Ok(CreateOutcome::Rejected { issues }) => {
                change(
                    store,
                    clock,
                    StatusChange {
                        id,
                        from,
                        to: PrescriptionStatus::Rejected,
                        national_id: None,
                        messages: Some(messages(&issues)),
                        text: format!(
                            "Avvisat av Nationella läkemedelslistan: {}",
                            joined(&issues)
                        ),
                    },
                )
                .await?;
                Ok(())
            }
            Err(error) if error.is_transient() => {
                change(
                    store,
                    clock,
                    StatusChange {
                        id,
                        from: vec![PrescriptionStatus::Sent],
                        to: PrescriptionStatus::Queued,
                        national_id: None,
                        messages: None,
                        text: format!("{} Nytt försök görs automatiskt.", unreachable_text(&error)),
                    },
                )
                .await?;
                Err(JobError::Retry(error.to_string()))
            }
            Err(error) => {
                // The service refused the request itself (not its content): trying again with
                // the same request cannot help. The prescriber must know it was not registered.
                tracing::error!(prescription = %id, %error, "the national list refused a delivery");
                let issue = Issue::error(
                    "",
                    "Nationella läkemedelslistan kunde inte ta emot receptet på grund av ett tekniskt fel. Skriv receptet på nytt eller kontakta kundtjänst.",
                );
                change(
                    store,
                    clock,
                    StatusChange {
                        id,
                        from,
                        to: PrescriptionStatus::Rejected,
                        national_id: None,
                        messages: Some(messages(std::slice::from_ref(&issue))),
                        text: issue.text.clone(),
                    },
                )
                .await?;
                Ok(())
            }
        }
    }
}

/// Cancels an item in the national list (job kind [`END_JOB`]).
pub struct EndHandler(pub Delivery);

#[async_trait]
impl JobHandler for EndHandler {
    fn kind(&self) -> &'static str {
        END_JOB
    }

    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let payload: EndPayload = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::Permanent(format!("payload: {e}")))?;
        let id = payload.prescription_id;
        let store = self.0.store.as_ref();
        let clock = self.0.clock.as_ref();
        let (prescription, document) = self.0.item(id).await?;
        if prescription.status != PrescriptionStatus::CancelPending {
            return Ok(());
        }
        let previous = PrescriptionStatus::parse(&payload.previous)
            .filter(|s| s.is_active())
            .unwrap_or(PrescriptionStatus::Registered);
        let context = context(&prescription, &document.prescriber.prescriber_code, clock);
        let answer = self
            .0
            .client
            .end(
                &payload.national_id,
                payload.reason,
                erecept_nll::EndActivity::Cancel,
                &context,
            )
            .await;
        let back = |text: String, issues: Vec<Issue>| StatusChange {
            id,
            from: vec![PrescriptionStatus::CancelPending],
            to: previous,
            national_id: None,
            messages: Some(messages(&issues)),
            text,
        };
        match answer {
            Ok(EndOutcome::Ended { .. }) => {
                change(
                    store,
                    clock,
                    StatusChange {
                        id,
                        from: vec![PrescriptionStatus::CancelPending],
                        to: PrescriptionStatus::Cancelled,
                        national_id: None,
                        messages: None,
                        text: format!(
                            "Makulerat i Nationella läkemedelslistan. Orsak: {}.",
                            payload.reason.swedish()
                        ),
                    },
                )
                .await?;
                Ok(())
            }
            Ok(EndOutcome::Rejected { issues }) => {
                let text = format!(
                    "Makuleringen avvisades av Nationella läkemedelslistan: {}",
                    joined(&issues)
                );
                change(store, clock, back(text, issues)).await?;
                Ok(())
            }
            Err(error) if error.is_transient() => Err(JobError::Retry(error.to_string())),
            Err(error) => {
                tracing::error!(prescription = %id, %error, "the national list refused a cancellation");
                let issue = Issue::error(
                    "",
                    "Makuleringen kunde inte göras på grund av ett tekniskt fel. Försök igen eller kontakta kundtjänst.",
                );
                change(store, clock, back(issue.text.clone(), vec![issue])).await?;
                Ok(())
            }
        }
    }
}
