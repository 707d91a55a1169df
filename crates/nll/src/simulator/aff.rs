//! The simulator's quality rules, in the style of eHälsomyndigheten's AFF.
//!
//! Only `F.001` is a published code; the other codes and texts are the simulator's own, in the
//! same style. Errors reject the prescription; warnings let it through ("registrerat med
//! varningar").
//!
//! | code | severity | rule |
//! | --- | --- | --- |
//! | `F.001` | error | the requester is a contained Practitioner with a förskrivarkod in `urn:oid:1.2.752.116.3.1.2`: 7 digits, not all zeros |
//! | `P.001` | error | a patient number (personnummer / samordningsnummer system) is a valid number of that kind |
//! | `P.002` | error | a contained Patient has a name and a birth date, and `dispenseRequest.performer` names the receiving pharmacy |
//! | `P.003` | error | there is a patient at all |
//! | `L.001` | error | the article is identified (an NPL-id, NPL-pack-id or varunummer coding of the right format, or a contained extempore Medication) |
//! | `D.001` | error | a dosage instruction has a text |
//! | `M.001` | error | `dispenseRequest.quantity` is given and above zero |
//! | `S.003` | error | a product with special-drug code 3 is not iterated (`numberOfRepeatsAllowed` 0) |
//! | `G.001` | error | `validityPeriod.end` is at most one year after the prescription date |
//! | `G.002` | error | `validityPeriod` dates are dates |
//! | `V.001` | warning | a behandlingsändamål (`reasonCode`) is given |
//! | `V.002` | warning | no dose is marked "obs" (extension `NLLDoseAboveMaximum`, or the word "obs" in the text) |
//! | `V.003` | warning | förmån is asked for only with an arbetsplatskod |
//! | `A.001` | error | a prescription for animals (extension `NLLAnimal`) names the species and individ / grupp / besättning; its owner may be identified by organisationsnummer |

use erecept_domain::{
    NplId, NplPackId, OrganisationNumber, PersonNumber, PersonNumberKind, PrescriberCode,
    Varunummer,
};
use jiff::civil::Date;

use crate::fhir::{
    EXT_ANIMAL, EXT_BENEFIT, EXT_DOSE_ABOVE_MAXIMUM, MedicationRequest, SYSTEM_NPL_ID,
    SYSTEM_NPL_PACK_ID, SYSTEM_ORGANISATIONSNUMMER, SYSTEM_PERSONNUMMER, SYSTEM_SAMORDNINGSNUMMER,
    SYSTEM_VARUNUMMER, find_extension,
};
use crate::outcome::Issue;

pub const F001: (&str, &str) = ("F.001", "Giltig förskrivarkod saknas.");
pub const P001: (&str, &str) = (
    "P.001",
    "Patientens personnummer eller samordningsnummer är ogiltigt.",
);
pub const P002: (&str, &str) = (
    "P.002",
    "Patient utan personnummer eller samordningsnummer kräver namn, födelsedatum och mottagande apotek.",
);
pub const P003: (&str, &str) = ("P.003", "Patient saknas.");
pub const L001: (&str, &str) = ("L.001", "Läkemedel saknas eller kan inte identifieras.");
pub const D001: (&str, &str) = ("D.001", "Doseringsanvisning saknas.");
pub const M001: (&str, &str) = ("M.001", "Förskriven mängd saknas.");
pub const S003: (&str, &str) = (
    "S.003",
    "Läkemedlet har särskild förskrivningsform (kod 3) och får inte itereras.",
);
pub const G001: (&str, &str) = (
    "G.001",
    "Receptets giltighetstid får vara högst ett år från förskrivningsdagen.",
);
pub const G002: (&str, &str) = ("G.002", "Receptets giltighetstid är ogiltig.");
pub const V001: (&str, &str) = ("V.001", "Behandlingsändamål saknas.");
pub const A001: (&str, &str) = (
    "A.001",
    "Recept för djur kräver djurslag och uppgift om individ, grupp eller besättning.",
);
pub const V002: (&str, &str) = ("V.002", "Doseringen överstiger rekommenderad maxdos (obs).");
pub const V003: (&str, &str) = (
    "V.003",
    "Arbetsplatskod saknas: läkemedlet kan inte expedieras med förmån.",
);

fn error(rule: (&str, &str)) -> Issue {
    Issue::error(rule.0, rule.1)
}

fn warning(rule: (&str, &str)) -> Issue {
    Issue::warning(rule.0, rule.1)
}

/// The issues of a prescription written `today` (Swedish date): errors first, then warnings.
pub fn check(mr: &MedicationRequest, today: Date) -> Vec<Issue> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();

    // F.001
    let code_ok = mr
        .prescriber_code()
        .is_some_and(|c| PrescriberCode::parse(c).is_ok_and(|p| p.as_str() == c));
    if !code_ok {
        errors.push(error(F001));
    }

    // A.001
    let animal = find_extension(&mr.extension, EXT_ANIMAL);
    if let Some(animal) = animal {
        let nested = |url: &str| {
            find_extension(&animal.extension, url)
                .and_then(|e| e.value_string.as_deref().or(e.value_code.as_deref()))
                .is_some_and(|v| !v.trim().is_empty())
        };
        if !(nested("species") && nested("scope")) {
            errors.push(error(A001));
        }
    }

    // P.001 – P.003
    if let (Some((SYSTEM_ORGANISATIONSNUMMER, value)), true) =
        (mr.patient_identifier(), animal.is_some())
    {
        if OrganisationNumber::parse(value).is_err() {
            errors.push(error(P001));
        }
    } else if let Some((system, value)) = mr.patient_identifier() {
        let expected = match system {
            SYSTEM_PERSONNUMMER => Some(PersonNumberKind::Personnummer),
            SYSTEM_SAMORDNINGSNUMMER => Some(PersonNumberKind::Samordningsnummer),
            _ => None,
        };
        let ok = expected
            .is_some_and(|kind| PersonNumber::parse_12(value).is_ok_and(|p| p.kind() == kind));
        if !ok {
            errors.push(error(P001));
        }
    } else if let Some(patient) = mr.contained_patient() {
        let named = patient.name.iter().any(|n| {
            n.text.as_deref().is_some_and(|t| !t.trim().is_empty())
                || n.family.as_deref().is_some_and(|t| !t.trim().is_empty())
        });
        let born = patient
            .birth_date
            .as_deref()
            .is_some_and(|d| d.parse::<Date>().is_ok());
        let pharmacy = mr
            .dispense_request
            .as_ref()
            .and_then(|d| d.performer.as_ref())
            .is_some_and(|p| p.identifier.is_some() || p.reference.is_some());
        if !(named && born && pharmacy) {
            errors.push(error(P002));
        }
    } else {
        errors.push(error(P003));
    }

    // L.001
    let article_ok = mr.medication_codeable_concept.as_ref().is_some_and(|c| {
        c.coding.iter().any(|coding| {
            let code = coding.code.as_deref().unwrap_or_default();
            match coding.system.as_deref() {
                Some(SYSTEM_NPL_ID) => NplId::parse(code).is_ok(),
                Some(SYSTEM_NPL_PACK_ID) => NplPackId::parse(code).is_ok(),
                Some(SYSTEM_VARUNUMMER) => Varunummer::parse(code).is_ok(),
                _ => false,
            }
        })
    }) || mr.contained_medication().is_some();
    if !article_ok {
        errors.push(error(L001));
    }

    // D.001
    if !mr
        .dosage_instruction
        .iter()
        .any(|d| d.text.as_deref().is_some_and(|t| !t.trim().is_empty()))
    {
        errors.push(error(D001));
    }

    // M.001
    let quantity_ok = mr
        .dispense_request
        .as_ref()
        .and_then(|d| d.quantity.as_ref())
        .and_then(|q| q.value)
        .is_some_and(|v| v > 0.0);
    if !quantity_ok {
        errors.push(error(M001));
    }

    // S.003
    let repeats = mr
        .dispense_request
        .as_ref()
        .and_then(|d| d.number_of_repeats_allowed)
        .unwrap_or(0);
    if mr.special_drug_code() == Some("3") && repeats > 0 {
        errors.push(error(S003));
    }

    // G.001, G.002
    let issued = mr
        .authored_on
        .as_deref()
        .and_then(date_part)
        .unwrap_or(today);
    if let Some(period) = mr
        .dispense_request
        .as_ref()
        .and_then(|d| d.validity_period.as_ref())
    {
        let start = period.start.as_deref().map(date_part);
        let end = period.end.as_deref().map(date_part);
        if matches!(start, Some(None)) || matches!(end, Some(None)) {
            errors.push(error(G002));
        } else if let Some(Some(end)) = end {
            let limit = issued
                .checked_add(jiff::Span::new().years(1))
                .unwrap_or(issued);
            if end > limit {
                errors.push(error(G001));
            } else if end < start.flatten().unwrap_or(issued) {
                errors.push(error(G002));
            }
        }
    }

    // V.001
    if mr.purpose().is_none() {
        warnings.push(warning(V001));
    }

    // V.002
    let obs = mr.dosage_instruction.iter().any(|d| {
        find_extension(&d.extension, EXT_DOSE_ABOVE_MAXIMUM).and_then(|e| e.value_boolean)
            == Some(true)
            || d.text.as_deref().is_some_and(|t| {
                t.split(|c: char| !c.is_alphanumeric())
                    .any(|w| w.eq_ignore_ascii_case("obs"))
            })
    });
    if obs {
        warnings.push(warning(V002));
    }

    // V.003
    if mr.flag(EXT_BENEFIT) == Some(true)
        && mr
            .contained_practitioner()
            .and_then(|p| p.workplace_code())
            .is_none_or(|w| w.trim().is_empty())
    {
        warnings.push(warning(V003));
    }

    errors.extend(warnings);
    errors
}

/// The date of a FHIR `date` / `dateTime` (its first ten characters).
fn date_part(text: &str) -> Option<Date> {
    text.get(..10)?.parse::<Date>().ok()
}
