//! HL7 FHIR R4 (4.0.1) resources, only the parts the national prescription list needs.
//!
//! JSON as FHIR writes it (camelCase, `resourceType` on every resource, absent rather than
//! `null` or empty). Reading is tolerant: unknown fields are ignored, unknown codes of the
//! enumerations become `Other` / `Unknown`, and a resource of an unknown type inside a
//! `contained` list or a Bundle becomes [`Resource::Unknown`].
//!
//! Resources are plain structs without `resourceType`; [`Resource`] adds it (an internally
//! tagged enum). Use [`Resource::MedicationRequest`] etc. for a body, and
//! [`MedicationRequest::contained_practitioner`] and friends to look inside.
//!
//! The Swedish profiles themselves (`NLLMedicationRequest` …) are not public here. What is
//! marked "modelled on" below is our own choice in their style, not eHälsomyndigheten's
//! published profile: the extension URLs, the code system of the special-drug code, the
//! workplace-code extension and the `$end` parameters.

use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------------------------
// Systems and URLs
// ---------------------------------------------------------------------------------------------

/// The canonical base of the Swedish NLL profiles.
pub const PROFILE_BASE: &str = "http://electronichealth.se/fhir/StructureDefinition/";
/// The profile a created MedicationRequest claims (`meta.profile`).
pub const PROFILE_MEDICATION_REQUEST: &str =
    "http://electronichealth.se/fhir/StructureDefinition/NLLMedicationRequest";

/// Förskrivarkod (HL7 Sweden).
pub const SYSTEM_PRESCRIBER_CODE: &str = "urn:oid:1.2.752.116.3.1.2";
/// Legitimationsyrke (HL7 Sweden's licence code system: `LK`, `TL`, `SJ` …).
pub const SYSTEM_LICENCE: &str = "urn:oid:1.2.752.116.3.1.1";
/// Personnummer.
pub const SYSTEM_PERSONNUMMER: &str = "http://electronichealth.se/identifier/personnummer";
/// Samordningsnummer.
pub const SYSTEM_SAMORDNINGSNUMMER: &str =
    "http://electronichealth.se/identifier/samordningsnummer";
/// NPL-id (product).
pub const SYSTEM_NPL_ID: &str = "http://electronichealth.se/fhir/NamingSystem/nplid";
/// NPL-pack-id (package).
pub const SYSTEM_NPL_PACK_ID: &str = "http://electronichealth.se/fhir/NamingSystem/nplpackid";
/// Varunummer.
pub const SYSTEM_VARUNUMMER: &str = "http://electronichealth.se/fhir/NamingSystem/varunr";
/// Arbetsplatskod. Modelled on the identifier systems above.
pub const SYSTEM_WORKPLACE_CODE: &str = "http://electronichealth.se/identifier/arbetsplatskod";
/// A pharmacy's GLN (receiving pharmacy). Modelled.
pub const SYSTEM_PHARMACY_GLN: &str = "http://electronichealth.se/identifier/gln";
/// Särskilt läkemedel (special-drug code `1`–`4` from NPL). Modelled.
pub const SYSTEM_SPECIAL_DRUG_CODE: &str =
    "http://electronichealth.se/fhir/CodeSystem/special-drug-code";
/// Reasons for `$end`. Modelled.
pub const SYSTEM_END_REASON: &str = "http://electronichealth.se/fhir/CodeSystem/end-reason";
/// The simulator's and the service's AFF message codes (`F.001` …). Modelled.
pub const SYSTEM_AFF: &str = "http://electronichealth.se/fhir/CodeSystem/aff-rule";
/// FHIR's course-of-therapy codes (`continuous`, `acute`, `seasonal`).
pub const SYSTEM_COURSE_OF_THERAPY: &str =
    "http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy";

/// Extension on MedicationRequest, `valueBoolean`: förmån (within the drug-benefit scheme).
/// Modelled.
pub const EXT_BENEFIT: &str = "http://electronichealth.se/fhir/StructureDefinition/NLLBenefit";
/// Extension on MedicationRequest, `valueBoolean`: the conditions of a restricted subsidy are
/// met. Modelled.
pub const EXT_BENEFIT_CONDITIONS_MET: &str =
    "http://electronichealth.se/fhir/StructureDefinition/NLLBenefitConditionsMet";
/// Extension on MedicationRequest, `valueBoolean`: startförpackning. Modelled.
pub const EXT_STARTER_PACK: &str =
    "http://electronichealth.se/fhir/StructureDefinition/NLLStarterPack";
/// Extension on MedicationRequest, `valueCoding` in [`SYSTEM_SPECIAL_DRUG_CODE`]: the
/// product's special-drug code from NPL. A coding with that system in
/// `medicationCodeableConcept` means the same. Modelled.
pub const EXT_SPECIAL_DRUG_CODE: &str =
    "http://electronichealth.se/fhir/StructureDefinition/NLLSpecialDrugCode";
/// Extension on MedicationRequest, `valueBoolean`: dose dispensing (dosdispensering). Modelled.
pub const EXT_DOSE_DISPENSING: &str =
    "http://electronichealth.se/fhir/StructureDefinition/NLLDoseDispensing";
/// Extension on Dosage, `valueBoolean`: "obs", the dose is above the recommended maximum.
/// Modelled.
pub const EXT_DOSE_ABOVE_MAXIMUM: &str =
    "http://electronichealth.se/fhir/StructureDefinition/NLLDoseAboveMaximum";
/// Extension on Practitioner, `valueIdentifier` in [`SYSTEM_WORKPLACE_CODE`]: the workplace
/// prescribed from. Modelled (the real profile may use PractitionerRole).
pub const EXT_WORKPLACE: &str = "http://electronichealth.se/fhir/StructureDefinition/NLLWorkplace";
/// Extension on Medication, `valueBoolean`: an extempore preparation. Modelled.
pub const EXT_EXTEMPORE: &str = "http://electronichealth.se/fhir/StructureDefinition/NLLExtempore";
/// Extension on MedicationRequest: a prescription for animals, with the nested extensions
/// `species` (valueString), `scope` (valueCode `individ` | `grupp` | `besattning`), `identity`
/// (valueString), `antimicrobialPurpose` (valueCode `terapi` | `profylax` | `metafylax`) and
/// `offLabel` (valueBoolean). The subject is then the animal's owner. Modelled: the real national
/// service takes animal prescriptions as NEF messages, not through this interface.
pub const EXT_ANIMAL: &str = "http://electronichealth.se/fhir/StructureDefinition/NLLAnimal";
/// Organisationsnummer, for an animal owner that is a company. Modelled.
pub const SYSTEM_ORGANISATIONSNUMMER: &str =
    "http://electronichealth.se/identifier/organisationsnummer";

/// `$end` parameter names. Modelled.
pub const PARAM_REFERENCE: &str = "reference";
pub const PARAM_REASON: &str = "reason";
pub const PARAM_ACTIVITY: &str = "activity";

// ---------------------------------------------------------------------------------------------
// Resource envelope
// ---------------------------------------------------------------------------------------------

/// Any resource this crate knows, tagged by `resourceType`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "resourceType")]
pub enum Resource {
    MedicationRequest(Box<MedicationRequest>),
    Medication(Box<Medication>),
    Patient(Box<Patient>),
    Practitioner(Box<Practitioner>),
    OperationOutcome(Box<OperationOutcome>),
    Bundle(Box<Bundle>),
    Parameters(Box<Parameters>),
    Provenance(Box<Provenance>),
    /// Any other resource type: read and dropped.
    #[serde(other)]
    Unknown,
}

impl Resource {
    /// The `resourceType` (`"Unknown"` for an unknown one).
    pub fn type_name(&self) -> &'static str {
        match self {
            Resource::MedicationRequest(_) => "MedicationRequest",
            Resource::Medication(_) => "Medication",
            Resource::Patient(_) => "Patient",
            Resource::Practitioner(_) => "Practitioner",
            Resource::OperationOutcome(_) => "OperationOutcome",
            Resource::Bundle(_) => "Bundle",
            Resource::Parameters(_) => "Parameters",
            Resource::Provenance(_) => "Provenance",
            Resource::Unknown => "Unknown",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Data types
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profile: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Coding {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

impl Coding {
    pub fn new(system: &str, code: &str) -> Self {
        Self {
            system: Some(system.to_owned()),
            code: Some(code.to_owned()),
            display: None,
        }
    }

    pub fn with_display(mut self, display: &str) -> Self {
        self.display = Some(display.to_owned());
        self
    }

    /// True when the system is `system`.
    pub fn is(&self, system: &str) -> bool {
        self.system.as_deref() == Some(system)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeableConcept {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coding: Vec<Coding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl CodeableConcept {
    pub fn text(text: &str) -> Self {
        Self {
            coding: Vec::new(),
            text: Some(text.to_owned()),
        }
    }

    pub fn coding(coding: Coding) -> Self {
        Self {
            coding: vec![coding],
            text: None,
        }
    }

    /// The code of the first coding in `system`.
    pub fn code_in(&self, system: &str) -> Option<&str> {
        self.coding
            .iter()
            .find(|c| c.is(system))
            .and_then(|c| c.code.as_deref())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identifier {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl Identifier {
    pub fn new(system: &str, value: &str) -> Self {
        Self {
            system: Some(system.to_owned()),
            value: Some(value.to_owned()),
        }
    }

    /// The identifier of a personnummer or samordningsnummer, in the right system.
    pub fn person(person: &erecept_domain::PersonNumber) -> Self {
        let system = match person.kind() {
            erecept_domain::PersonNumberKind::Personnummer => SYSTEM_PERSONNUMMER,
            erecept_domain::PersonNumberKind::Samordningsnummer => SYSTEM_SAMORDNINGSNUMMER,
        };
        Self::new(system, &person.as_12_digits())
    }
}

/// A reference: literal (`reference`, e.g. `#prescriber` or `MedicationRequest/123`) or logical
/// (`identifier`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reference {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<Identifier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

impl Reference {
    pub fn to(reference: &str) -> Self {
        Self {
            reference: Some(reference.to_owned()),
            ..Self::default()
        }
    }

    /// A Patient by personnummer or samordningsnummer (logical reference).
    pub fn patient(person: &erecept_domain::PersonNumber) -> Self {
        Self {
            type_: Some("Patient".to_owned()),
            identifier: Some(Identifier::person(person)),
            ..Self::default()
        }
    }

    /// The id after `#` of a reference to a contained resource.
    pub fn contained_id(&self) -> Option<&str> {
        self.reference.as_deref()?.strip_prefix('#')
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Period {
    /// FHIR `dateTime` (a date `2025-01-31` or an instant), kept as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
}

/// Quantity, also used for FHIR's Duration (`unit` `d`/`wk`, `system` UCUM).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Quantity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// UCUM, for units and durations.
pub const SYSTEM_UCUM: &str = "http://unitsofmeasure.org";

impl Quantity {
    pub fn new(value: f64, unit: &str) -> Self {
        Self {
            value: Some(value),
            unit: Some(unit.to_owned()),
            ..Self::default()
        }
    }

    /// A Duration of `n` days.
    pub fn days(n: u32) -> Self {
        Self {
            value: Some(f64::from(n)),
            unit: Some("d".to_owned()),
            system: Some(SYSTEM_UCUM.to_owned()),
            code: Some("d".to_owned()),
        }
    }

    /// A Duration of `n` weeks.
    pub fn weeks(n: u32) -> Self {
        Self {
            value: Some(f64::from(n)),
            unit: Some("wk".to_owned()),
            system: Some(SYSTEM_UCUM.to_owned()),
            code: Some("wk".to_owned()),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ratio {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numerator: Option<Quantity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator: Option<Quantity>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HumanName {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub given: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Annotation {
    pub text: String,
}

/// An extension; only the value types used here are kept (others are dropped on read).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Extension {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_boolean: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_string: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_coding: Option<Coding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_identifier: Option<Identifier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_quantity: Option<Quantity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_reference: Option<Reference>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<Extension>,
}

impl Extension {
    pub fn string(url: &str, value: &str) -> Self {
        Self {
            url: url.to_owned(),
            value_string: Some(value.to_owned()),
            ..Self::default()
        }
    }

    pub fn code(url: &str, value: &str) -> Self {
        Self {
            url: url.to_owned(),
            value_code: Some(value.to_owned()),
            ..Self::default()
        }
    }

    pub fn boolean(url: &str, value: bool) -> Self {
        Self {
            url: url.to_owned(),
            value_boolean: Some(value),
            ..Self::default()
        }
    }

    pub fn coding(url: &str, value: Coding) -> Self {
        Self {
            url: url.to_owned(),
            value_coding: Some(value),
            ..Self::default()
        }
    }

    pub fn identifier(url: &str, value: Identifier) -> Self {
        Self {
            url: url.to_owned(),
            value_identifier: Some(value),
            ..Self::default()
        }
    }
}

/// The first extension with `url`.
pub fn find_extension<'a>(extensions: &'a [Extension], url: &str) -> Option<&'a Extension> {
    extensions.iter().find(|e| e.url == url)
}

// ---------------------------------------------------------------------------------------------
// MedicationRequest
// ---------------------------------------------------------------------------------------------

/// `MedicationRequest.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MedicationRequestStatus {
    #[default]
    Active,
    OnHold,
    /// Makulerat (cancelled before its use ran out).
    Cancelled,
    Completed,
    EnteredInError,
    /// Avslutat (treatment ended).
    Stopped,
    Draft,
    /// `unknown`, and any code this crate does not know.
    #[serde(other)]
    Unknown,
}

impl MedicationRequestStatus {
    /// Swedish, for pages.
    pub fn swedish(self) -> &'static str {
        match self {
            MedicationRequestStatus::Active => "aktivt",
            MedicationRequestStatus::OnHold => "pausat",
            MedicationRequestStatus::Cancelled => "makulerat",
            MedicationRequestStatus::Completed => "förbrukat",
            MedicationRequestStatus::EnteredInError => "felregistrerat",
            MedicationRequestStatus::Stopped => "avslutat",
            MedicationRequestStatus::Draft => "utkast",
            MedicationRequestStatus::Unknown => "okänt",
        }
    }
}

/// `MedicationRequest.intent`; a prescription is an `order`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Intent {
    Proposal,
    Plan,
    #[default]
    Order,
    OriginalOrder,
    ReflexOrder,
    FillerOrder,
    InstanceOrder,
    Option,
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MedicationRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The requester (Practitioner), a Patient without a Swedish number, an extempore
    /// Medication.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contained: Vec<Resource>,
    /// Förmån, startförpackning, special-drug code, dose dispensing ([`EXT_BENEFIT`] …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<Extension>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifier: Vec<Identifier>,
    #[serde(default)]
    pub status: MedicationRequestStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<CodeableConcept>,
    #[serde(default)]
    pub intent: Intent,
    /// An article from NPL: codings in [`SYSTEM_NPL_ID`], [`SYSTEM_NPL_PACK_ID`],
    /// [`SYSTEM_VARUNUMMER`] (and optionally [`SYSTEM_SPECIAL_DRUG_CODE`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medication_codeable_concept: Option<CodeableConcept>,
    /// `#id` of a contained [`Medication`] (extempore).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medication_reference: Option<Reference>,
    #[serde(default)]
    pub subject: Reference,
    /// FHIR `dateTime`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authored_on: Option<String>,
    /// `#id` of the contained [`Practitioner`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester: Option<Reference>,
    /// Behandlingsändamål (`text`), optionally coded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reason_code: Vec<CodeableConcept>,
    /// `continuous` / `acute` / `seasonal` in [`SYSTEM_COURSE_OF_THERAPY`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub course_of_therapy_type: Option<CodeableConcept>,
    /// Message to the pharmacy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub note: Vec<Annotation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dosage_instruction: Vec<Dosage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispense_request: Option<DispenseRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substitution: Option<Substitution>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dosage {
    /// [`EXT_DOSE_ABOVE_MAXIMUM`] ("obs").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<Extension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<u32>,
    /// Doseringsanvisning (mandatory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_instruction: Option<String>,
    /// Intake times for dose dispensing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timing: Option<Timing>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_needed_boolean: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dose_and_rate: Vec<DoseAndRate>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DoseAndRate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dose_quantity: Option<Quantity>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Timing {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<TimingRepeat>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<CodeableConcept>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimingRepeat {
    /// For dose dispensing: the start date (and end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounds_period: Option<Period>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_unit: Option<String>,
    /// `HH:MM:SS`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub time_of_day: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DispenseRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_fill: Option<InitialFill>,
    /// Expeditionsintervall (a Duration: [`Quantity::days`] / [`Quantity::weeks`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispense_interval: Option<Quantity>,
    /// Giltighetstid: from the day of issue, at most one year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity_period: Option<Period>,
    /// Number of dispensings (uttag) − 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_of_repeats_allowed: Option<u32>,
    /// Amount per dispensing (packages × size, or a total amount).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Quantity>,
    /// The receiving pharmacy (identifier in [`SYSTEM_PHARMACY_GLN`]); required for a patient
    /// without a Swedish number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub performer: Option<Reference>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InitialFill {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Quantity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<Quantity>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Substitution {
    /// `false`: "Får ej bytas ut".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_boolean: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<CodeableConcept>,
}

impl MedicationRequest {
    /// A contained resource by the id a `#id` reference names.
    pub fn contained_by_ref(&self, reference: Option<&Reference>) -> Option<&Resource> {
        let id = reference?.contained_id()?;
        self.contained.iter().find(|r| match r {
            Resource::Practitioner(p) => p.id.as_deref() == Some(id),
            Resource::Patient(p) => p.id.as_deref() == Some(id),
            Resource::Medication(m) => m.id.as_deref() == Some(id),
            _ => false,
        })
    }

    /// The contained Practitioner the requester points at.
    pub fn contained_practitioner(&self) -> Option<&Practitioner> {
        match self.contained_by_ref(self.requester.as_ref()) {
            Some(Resource::Practitioner(p)) => Some(p),
            _ => None,
        }
    }

    /// The contained Patient the subject points at (a patient without a Swedish number).
    pub fn contained_patient(&self) -> Option<&Patient> {
        match self.contained_by_ref(Some(&self.subject)) {
            Some(Resource::Patient(p)) => Some(p),
            _ => None,
        }
    }

    /// The contained Medication of an extempore prescription.
    pub fn contained_medication(&self) -> Option<&Medication> {
        match self.contained_by_ref(self.medication_reference.as_ref()) {
            Some(Resource::Medication(m)) => Some(m),
            _ => None,
        }
    }

    /// The requester's förskrivarkod as sent (not validated).
    pub fn prescriber_code(&self) -> Option<&str> {
        self.contained_practitioner()?
            .identifier
            .iter()
            .find(|i| i.system.as_deref() == Some(SYSTEM_PRESCRIBER_CODE))?
            .value
            .as_deref()
    }

    /// The patient's number as sent, `(system, value)`.
    pub fn patient_identifier(&self) -> Option<(&str, &str)> {
        let identifier = self.subject.identifier.as_ref()?;
        Some((identifier.system.as_deref()?, identifier.value.as_deref()?))
    }

    /// The special-drug code, from the extension or a coding of the medication.
    pub fn special_drug_code(&self) -> Option<&str> {
        find_extension(&self.extension, EXT_SPECIAL_DRUG_CODE)
            .and_then(|e| e.value_coding.as_ref())
            .and_then(|c| c.code.as_deref())
            .or_else(|| {
                self.medication_codeable_concept
                    .as_ref()?
                    .code_in(SYSTEM_SPECIAL_DRUG_CODE)
            })
    }

    /// A boolean extension on the request.
    pub fn flag(&self, url: &str) -> Option<bool> {
        find_extension(&self.extension, url)?.value_boolean
    }

    /// The behandlingsändamål as text (the first reason's text or display).
    pub fn purpose(&self) -> Option<&str> {
        self.reason_code.iter().find_map(|c| {
            c.text
                .as_deref()
                .or_else(|| c.coding.iter().find_map(|c| c.display.as_deref()))
                .filter(|t| !t.trim().is_empty())
        })
    }

    /// Dispensings (uttag) = `numberOfRepeatsAllowed` + 1.
    pub fn dispensings(&self) -> u32 {
        self.dispense_request
            .as_ref()
            .and_then(|d| d.number_of_repeats_allowed)
            .unwrap_or(0)
            .saturating_add(1)
    }

    /// A short Swedish name of the article, for pages and logs.
    pub fn article_text(&self) -> String {
        if let Some(concept) = &self.medication_codeable_concept {
            if let Some(text) = &concept.text {
                return text.clone();
            }
            for system in [SYSTEM_VARUNUMMER, SYSTEM_NPL_PACK_ID, SYSTEM_NPL_ID] {
                if let Some(code) = concept.code_in(system) {
                    return code.to_owned();
                }
            }
        }
        if let Some(m) = self.contained_medication() {
            return m
                .code
                .as_ref()
                .and_then(|c| c.text.clone())
                .unwrap_or_else(|| "Extempore".to_owned());
        }
        String::new()
    }
}

// ---------------------------------------------------------------------------------------------
// Medication, Patient, Practitioner
// ---------------------------------------------------------------------------------------------

/// A contained Medication: an extempore preparation (composition written by the prescriber).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Medication {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// [`EXT_EXTEMPORE`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<Extension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<CodeableConcept>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<CodeableConcept>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ingredient: Vec<Ingredient>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ingredient {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_codeable_concept: Option<CodeableConcept>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strength: Option<Ratio>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Patient {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifier: Vec<Identifier>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub name: Vec<HumanName>,
    /// FHIR `date`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Practitioner {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// [`EXT_WORKPLACE`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<Extension>,
    /// The förskrivarkod in [`SYSTEM_PRESCRIBER_CODE`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifier: Vec<Identifier>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub name: Vec<HumanName>,
    /// The profession, coded in [`SYSTEM_LICENCE`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub qualification: Vec<Qualification>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Qualification {
    #[serde(default)]
    pub code: CodeableConcept,
}

impl Practitioner {
    /// The contained requester: id `id`, förskrivarkod, profession (licence code `LK`, `SJ` …
    /// and its Swedish name) and arbetsplatskod.
    pub fn prescriber(
        id: &str,
        code: &erecept_domain::PrescriberCode,
        licence_code: &str,
        profession_name: &str,
        workplace: Option<&erecept_domain::WorkplaceCode>,
    ) -> Self {
        Self {
            id: Some(id.to_owned()),
            extension: workplace
                .map(|w| {
                    vec![Extension::identifier(
                        EXT_WORKPLACE,
                        Identifier::new(SYSTEM_WORKPLACE_CODE, w.as_str()),
                    )]
                })
                .unwrap_or_default(),
            identifier: vec![Identifier::new(SYSTEM_PRESCRIBER_CODE, code.as_str())],
            name: Vec::new(),
            qualification: vec![Qualification {
                code: CodeableConcept::coding(
                    Coding::new(SYSTEM_LICENCE, licence_code).with_display(profession_name),
                ),
            }],
        }
    }

    /// The arbetsplatskod as sent.
    pub fn workplace_code(&self) -> Option<&str> {
        find_extension(&self.extension, EXT_WORKPLACE)?
            .value_identifier
            .as_ref()?
            .value
            .as_deref()
    }
}

// ---------------------------------------------------------------------------------------------
// OperationOutcome
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IssueSeverity {
    Fatal,
    Error,
    Warning,
    Information,
    /// A code this crate does not know.
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationOutcome {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default)]
    pub issue: Vec<OperationOutcomeIssue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationOutcomeIssue {
    pub severity: IssueSeverity,
    /// FHIR's IssueType (`business-rule`, `invalid`, `not-found`, `transient`, `security`,
    /// `informational` …), kept as text.
    pub code: String,
    /// The AFF code (`coding[].code`, e.g. `F.001`) and its Swedish text (`display`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<CodeableConcept>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnostics: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expression: Vec<String>,
}

impl OperationOutcome {
    pub fn new(issue: Vec<OperationOutcomeIssue>) -> Self {
        Self { id: None, issue }
    }
}

// ---------------------------------------------------------------------------------------------
// Bundle, Parameters, Provenance
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BundleType {
    Document,
    Message,
    Transaction,
    TransactionResponse,
    Batch,
    BatchResponse,
    History,
    Searchset,
    Collection,
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bundle {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub type_: BundleType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entry: Vec<BundleEntry>,
}

impl Bundle {
    pub fn new(type_: BundleType, entry: Vec<BundleEntry>) -> Self {
        Self {
            id: None,
            type_,
            total: None,
            entry,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<Resource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<BundleRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<BundleResponse>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleRequest {
    /// `POST`, `GET` …
    pub method: String,
    pub url: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleResponse {
    /// `201 Created` …
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Resource>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Parameters {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameter: Vec<Parameter>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Parameter {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_reference: Option<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_codeable_concept: Option<CodeableConcept>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_string: Option<String>,
}

impl Parameters {
    pub fn get(&self, name: &str) -> Option<&Parameter> {
        self.parameter.iter().find(|p| p.name == name)
    }
}

/// The Provenance sent base64-encoded in `x-provenance`: who acts, for whom, when.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Provenance {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target: Vec<Reference>,
    /// FHIR `instant`.
    #[serde(default)]
    pub recorded: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agent: Vec<ProvenanceAgent>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvenanceAgent {
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<CodeableConcept>,
    #[serde(default)]
    pub who: Reference,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<Reference>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_codes_and_resources_are_tolerated() {
        let json = r##"{
            "resourceType": "MedicationRequest",
            "id": "x",
            "status": "something-new",
            "intent": "order",
            "implicitRules": "ignored",
            "subject": {"reference": "#p"},
            "contained": [{"resourceType": "Device", "id": "d"},
                          {"resourceType": "Patient", "id": "p", "gender": "female"}],
            "extension": [{"url": "u", "valueDecimal": 1.5}]
        }"##;
        let Resource::MedicationRequest(mr) = serde_json::from_str::<Resource>(json).unwrap()
        else {
            panic!("not a MedicationRequest")
        };
        assert_eq!(mr.status, MedicationRequestStatus::Unknown);
        assert_eq!(mr.contained[0], Resource::Unknown);
        assert!(mr.contained_patient().is_some());
    }

    #[test]
    fn written_with_resource_type_and_without_empty_fields() {
        let mr = MedicationRequest::default();
        let value = serde_json::to_value(Resource::MedicationRequest(Box::new(mr))).unwrap();
        assert_eq!(value["resourceType"], "MedicationRequest");
        assert_eq!(value["status"], "active");
        assert_eq!(value["intent"], "order");
        assert!(value.get("contained").is_none());
        assert!(value.get("dispenseRequest").is_none());
    }
}
