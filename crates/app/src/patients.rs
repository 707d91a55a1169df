//! "Ange patientuppgifter": who the patient is. With the Befolkningsregister add-on the name and
//! address come from SPAR; a protected identity shows no address and is marked; a deceased or
//! unknown person is refused. Every look-up is written to the audit log.

use std::sync::Arc;

use erecept_domain::PersonNumber;
use erecept_domain::clock::Clock;
use erecept_spar::{Lookup, SparClient};
use erecept_store::{AccountId, AuditEntry, Store};
use uuid::Uuid;

use crate::AppResult;

/// What the prescription form learns about a patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatientLookup {
    Found {
        name: String,
        address: Vec<String>,
    },
    /// Skyddad identitet: neither name nor address may be shown.
    Protected,
    Deceased,
    Unknown,
    /// The prescriber has not chosen the add-on: the name is typed by hand.
    WithoutAddon,
    /// The register did not answer now; the prescriber may type the name or try again.
    Unavailable,
}

impl PatientLookup {
    /// The Swedish text the form shows beside the personnummer, where there is one.
    pub fn message(&self) -> Option<&'static str> {
        Some(match self {
            PatientLookup::Protected => {
                "Personen har skyddad identitet. Namn och adress visas inte."
            }
            PatientLookup::Deceased => {
                "Personen är avliden enligt folkbokföringen. Recept kan inte skrivas."
            }
            PatientLookup::Unknown => {
                "Personnumret finns inte i folkbokföringen. Kontrollera numret."
            }
            PatientLookup::Unavailable => {
                "Befolkningsregistret svarar inte just nu. Skriv patientens namn eller försök igen om en stund."
            }
            PatientLookup::Found { .. } | PatientLookup::WithoutAddon => return None,
        })
    }

    /// Whether a prescription may be written for this person.
    pub fn may_prescribe(&self) -> bool {
        !matches!(self, PatientLookup::Deceased | PatientLookup::Unknown)
    }
}

#[derive(Clone)]
pub struct Patients {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    register: Option<SparClient>,
}

impl Patients {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, register: Option<SparClient>) -> Self {
        Self {
            store,
            clock,
            register,
        }
    }

    /// Looks a patient up for a prescriber, as their licence allows, and records the look-up.
    pub async fn lookup(
        &self,
        account: AccountId,
        person: &PersonNumber,
    ) -> AppResult<PatientLookup> {
        let Some(prescriber) = self.store.account(account).await? else {
            return Ok(PatientLookup::WithoutAddon);
        };
        let (Some(register), true) = (&self.register, prescriber.population_register_addon) else {
            return Ok(PatientLookup::WithoutAddon);
        };
        let end_user = prescriber.prescriber_code.as_str().to_owned();
        let found = match register.lookup(person, &end_user).await {
            Ok(Lookup::NotFound) => PatientLookup::Unknown,
            Ok(Lookup::Found(p)) if p.deceased => PatientLookup::Deceased,
            Ok(Lookup::Found(p)) if p.protected => PatientLookup::Protected,
            Ok(Lookup::Found(p)) => PatientLookup::Found {
                name: p.display_name().unwrap_or_default(),
                address: p.address.as_ref().map(|a| a.lines()).unwrap_or_default(),
            },
            Err(error) => {
                tracing::warn!(%error, "population register look-up failed");
                PatientLookup::Unavailable
            }
        };
        let detail = match &found {
            PatientLookup::Found { .. } => {
                "Uppslag i befolkningsregistret: namn och adress visades"
            }
            PatientLookup::Protected => "Uppslag i befolkningsregistret: skyddad identitet",
            PatientLookup::Deceased => "Uppslag i befolkningsregistret: avliden",
            PatientLookup::Unknown => "Uppslag i befolkningsregistret: okänt personnummer",
            PatientLookup::Unavailable => "Uppslag i befolkningsregistret: inget svar",
            PatientLookup::WithoutAddon => "Uppslag utan befolkningsregister",
        };
        self.store
            .record_audit(&AuditEntry {
                id: Uuid::now_v7(),
                at: self.clock.now(),
                account_id: account,
                patient: person.as_12_digits(),
                action: "patient.lookup".to_owned(),
                detail: detail.to_owned(),
            })
            .await?;
        Ok(found)
    }
}
