//! The rules of one prescription item (DOMAIN §2, SPEC §3): what the prescriber typed
//! ([`ItemDraft`]) becomes a [`PrescriptionItem`] only through [`validate`], which reports every
//! problem at once as [`ItemError`]s (the form field's id and a short Swedish message that says
//! what to do).
//!
//! Facts about the chosen product come from the drug register at run time; the caller copies
//! them into a [`ProductFacts`], so this crate does not depend on the catalogue. Narcotics and
//! special drugs follow those facts (the product's class and special-drug code), never a list
//! kept here.
//!
//! Decisions worth knowing:
//! - The issue date is the `today` passed in; it is not a field, so it cannot be back- or
//!   forward-dated. "Giltig till" defaults to one year from today and may be shorter.
//! - The amount is either a number of packages of the chosen package or a total amount with a
//!   unit (an extempore preparation always uses a total amount).
//! - A dose-dispensing item ([`DoseSchedule`]) still carries amount, dispensings and validity like
//!   any item; its intake times come in addition.
//! - An animal owner identified by a number keeps no address (the number identifies them); an
//!   owner identified by birth date must give an address and a receiving pharmacy. When both a
//!   number and a birth date are typed, the number is used.
//! - Completely empty extempore rows are skipped (forms offer spare rows).

use std::fmt;

use jiff::ToSpan;
use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize};

use crate::{OrganisationNumber, PersonNumber, Profession};

/// The form field ids used in [`ItemError::field`].
pub mod field {
    pub const ANTAL_FORPACKNINGAR: &str = "antal_forpackningar";
    pub const TOTAL_MANGD: &str = "total_mangd";
    pub const TOTAL_MANGD_ENHET: &str = "total_mangd_enhet";
    pub const DOSERING: &str = "dosering";
    pub const BEHANDLINGSANDAMAL: &str = "behandlingsandamal";
    pub const ANTAL_UTTAG: &str = "antal_uttag";
    pub const EXPEDITIONSINTERVALL: &str = "expeditionsintervall";
    pub const EXPEDITIONSINTERVALL_ENHET: &str = "expeditionsintervall_enhet";
    pub const GILTIG_TILL: &str = "giltig_till";
    pub const FORMAN: &str = "forman";
    pub const FORMAN_VILLKOR: &str = "forman_villkor";
    pub const FAR_EJ_BYTAS_UT: &str = "far_ej_bytas_ut";
    pub const STARTFORPACKNING: &str = "startforpackning";
    pub const MEDDELANDE_TILL_APOTEKET: &str = "meddelande_till_apoteket";
    pub const PERSONNUMMER: &str = "personnummer";
    pub const PATIENT_NAMN: &str = "patient_namn";
    pub const PATIENT_FODELSEDATUM: &str = "patient_fodelsedatum";
    pub const APOTEK: &str = "apotek";
    pub const DOS_STARTDATUM: &str = "dos_startdatum";
    pub const DOS_TIDPUNKT: &str = "dos_tidpunkt";
    pub const DOS_MANGD: &str = "dos_mangd";
    pub const EXTEMPORE_INGREDIENS: &str = "extempore_ingrediens";
    pub const EXTEMPORE_MANGD: &str = "extempore_mangd";
    pub const EXTEMPORE_ENHET: &str = "extempore_enhet";
    pub const EXTEMPORE_BEREDNINGSFORM: &str = "extempore_beredningsform";
    pub const DJURSLAG: &str = "djurslag";
    pub const DJURKATEGORI: &str = "djurkategori";
    pub const DJUR_ID: &str = "djur_id";
    pub const AGARE_NAMN: &str = "agare_namn";
    pub const AGARE_NUMMER: &str = "agare_nummer";
    pub const AGARE_FODELSEDATUM: &str = "agare_fodelsedatum";
    pub const AGARE_ADRESS: &str = "agare_adress";
    pub const MOTTAGANDE_APOTEK: &str = "mottagande_apotek";
    pub const ANTIMIKROBIELLT_SYFTE: &str = "antimikrobiellt_syfte";
    pub const OFF_LABEL: &str = "off_label";
}

/// Most packages on one item.
pub const MAX_PACKAGES: u16 = 999;
/// Largest total amount (in its unit).
pub const MAX_TOTAL_AMOUNT: u64 = 100_000;
pub const MAX_DISPENSINGS: u8 = 99;
pub const MAX_INTERVAL_DAYS: u16 = 365;
pub const MAX_INTERVAL_WEEKS: u16 = 52;
/// Limits in characters.
pub const MAX_DOSAGE_CHARS: usize = 500;
pub const MAX_PURPOSE_CHARS: usize = 200;
pub const MAX_MESSAGE_CHARS: usize = 255;
pub const MAX_UNIT_CHARS: usize = 30;
pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_ADDRESS_CHARS: usize = 200;
pub const MAX_DOSE_INTAKES: usize = 24;
/// Largest amount at one intake time.
pub const MAX_DOSE_AMOUNT: u64 = 1_000;
pub const MAX_INGREDIENTS: usize = 30;

// ---------------------------------------------------------------------------------------------
// Errors

/// One problem with the form: the field's id and the Swedish message shown beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemError {
    pub field: &'static str,
    pub message: String,
}

impl ItemError {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for ItemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ItemError {}

#[derive(Default)]
struct Errors(Vec<ItemError>);

impl Errors {
    fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push(ItemError::new(field, message));
    }

    fn extend(&mut self, more: Vec<ItemError>) {
        self.0.extend(more);
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

// ---------------------------------------------------------------------------------------------
// Product facts

/// What kind of article is prescribed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum ProductKind {
    /// Läkemedel (also licence drugs and extempore).
    #[default]
    Drug,
    /// Livsmedel för speciella medicinska ändamål.
    Food,
    /// Ickeläkemedelsvara (förbrukningsartikel).
    NonDrug,
}

/// Särskilt läkemedel, NPL's codes 1–4 (DOMAIN §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SpecialDrugCode {
    /// 1: no special prescription form.
    NoSpecialForm,
    /// 2: special form, may be iterated.
    Iterable,
    /// 3: special form, one dispensing only.
    NotIterable,
    /// 4: special form, iterable for human use only.
    IterableHumanOnly,
}

impl SpecialDrugCode {
    pub fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            1 => Self::NoSpecialForm,
            2 => Self::Iterable,
            3 => Self::NotIterable,
            4 => Self::IterableHumanOnly,
            _ => return None,
        })
    }

    pub fn code(self) -> u8 {
        match self {
            Self::NoSpecialForm => 1,
            Self::Iterable => 2,
            Self::NotIterable => 3,
            Self::IterableHumanOnly => 4,
        }
    }

    /// Codes 2–4 are "särskilda läkemedel" on the special prescription form.
    pub fn is_special(self) -> bool {
        self != Self::NoSpecialForm
    }
}

/// The facts of the chosen product that the rules need, copied by the caller from the drug
/// register.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProductFacts {
    pub kind: ProductKind,
    pub special_drug_code: Option<SpecialDrugCode>,
    /// The product has a narcotics class (any class but none).
    pub narcotics: bool,
    /// Licence drug (class `LIC`): the pharmacy needs a licence decision.
    pub licence_product: bool,
    /// Restricted subsidy (begränsad förmån): förmån only when conditions are met.
    pub restricted_subsidy: bool,
    /// Whether the chosen package is in the drug-benefit scheme; `None` when unknown.
    pub in_benefit_scheme: Option<bool>,
    /// An antimicrobial (antibiotic etc.); for animals the purpose must then be given.
    pub antimicrobial: bool,
    /// Size text of the chosen package ("100 styck"); `None` when no package is chosen
    /// (extempore, or a product without packages).
    pub package_size: Option<String>,
}

impl ProductFacts {
    fn special_code(&self) -> Option<SpecialDrugCode> {
        self.special_drug_code
    }
}

// ---------------------------------------------------------------------------------------------
// Drafts: what the form gives

/// One prescription item as typed in the form. Text fields hold what was typed; choices that
/// are radio buttons or checkboxes are `Option<bool>` / `bool`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ItemDraft {
    pub recipient: RecipientDraft,
    /// "Antal förpackningar".
    pub package_count: String,
    /// Total amount instead of packages ("250", "7,5").
    pub total_amount: String,
    pub total_unit: String,
    /// "Dosering".
    pub dosage: String,
    /// "Behandlingsändamål".
    pub purpose: String,
    /// "Antal uttag".
    pub dispensings: String,
    /// "Expeditionsintervall" (a number) and its unit, `dagar` or `veckor`.
    pub interval: String,
    pub interval_unit: String,
    /// "Giltig till" as ÅÅÅÅ-MM-DD; empty means one year from today.
    pub valid_until: String,
    /// "Förmån": Ja = `Some(true)`, Nej = `Some(false)`, not chosen = `None`.
    pub benefit: Option<bool>,
    /// For restricted subsidy: are the conditions met?
    pub benefit_conditions_met: Option<bool>,
    /// "Får ej bytas ut".
    pub no_substitution: bool,
    /// "Startförpackning".
    pub starter_pack: bool,
    /// "Meddelande till apoteket".
    pub message: String,
    /// Dose dispensing (dos-förskrivning).
    pub dose: Option<DoseDraft>,
    /// Extempore composition instead of a catalogue product.
    pub extempore: Option<ExtemporeDraft>,
}

/// Who the item is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecipientDraft {
    Human(PatientDraft),
    Animal(AnimalDraft),
}

impl Default for RecipientDraft {
    fn default() -> Self {
        Self::Human(PatientDraft::default())
    }
}

/// A human patient: a personnummer/samordningsnummer, or name, birth date and pharmacy.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PatientDraft {
    pub person_number: String,
    pub name: String,
    /// ÅÅÅÅ-MM-DD, for a patient without a Swedish number.
    pub birth_date: String,
    /// The chosen pharmacy, for a patient without a Swedish number.
    pub pharmacy: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AnimalDraft {
    pub species: String,
    /// `individ`, `grupp` or `besattning`.
    pub scope: String,
    pub animal_id: String,
    pub owner_name: String,
    /// Personnummer or organisationsnummer.
    pub owner_number: String,
    /// ÅÅÅÅ-MM-DD, when the owner has no number.
    pub owner_birth_date: String,
    pub owner_address: String,
    pub receiving_pharmacy: String,
    /// `terapi`, `profylax`, `metafylax` or empty.
    pub antimicrobial_purpose: String,
    pub off_label: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DoseDraft {
    /// ÅÅÅÅ-MM-DD.
    pub start_date: String,
    pub intakes: Vec<IntakeDraft>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct IntakeDraft {
    /// TT:MM.
    pub time: String,
    pub amount: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ExtemporeDraft {
    pub ingredients: Vec<IngredientDraft>,
    /// Beredningsform ("kräm", "mixtur").
    pub form: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct IngredientDraft {
    pub name: String,
    pub amount: String,
    pub unit: String,
}

// ---------------------------------------------------------------------------------------------
// Validated values

/// A positive decimal amount held exactly in thousandths ("7,5" = 7500).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Quantity(u64);

impl Quantity {
    pub fn thousandths(self) -> u64 {
        self.0
    }

    /// Parses "100", "7,5", "7.5", "1 000", "0,25" (at most three decimals). Not negative.
    pub fn parse(input: &str) -> Option<Self> {
        let s: String = input
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
            .collect();
        let (whole, frac) = s.split_once([',', '.']).unwrap_or((&s, ""));
        if whole.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || frac.len() > 3
            || (s.contains([',', '.']) && frac.is_empty())
            || whole.len() > 15
        {
            return None;
        }
        let w: u64 = whole.parse().ok()?;
        let mut f: u64 = if frac.is_empty() {
            0
        } else {
            frac.parse().ok()?
        };
        for _ in frac.len()..3 {
            f *= 10;
        }
        w.checked_mul(1000)?.checked_add(f).map(Self)
    }
}

impl fmt::Display for Quantity {
    /// Swedish: "7,5", "100", "0,25".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, frac) = (self.0 / 1000, self.0 % 1000);
        if frac == 0 {
            write!(f, "{whole}")
        } else {
            let digits = format!("{frac:03}");
            write!(f, "{whole},{}", digits.trim_end_matches('0'))
        }
    }
}

/// How much is prescribed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Amount {
    /// A number of the chosen package.
    Packages { count: u16, package_size: String },
    /// A total amount with its unit ("250 ml").
    Total { amount: Quantity, unit: String },
}

/// Expeditionsintervall: the least time between two dispensings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Interval {
    Days(u16),
    Weeks(u16),
}

impl Interval {
    pub fn days(self) -> u32 {
        match self {
            Self::Days(d) => u32::from(d),
            Self::Weeks(w) => u32::from(w) * 7,
        }
    }
}

/// Until when the prescription may be dispensed (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Validity {
    until: Date,
}

impl Validity {
    /// One year from `issued` (the longest allowed, and the default).
    pub fn one_year_from(issued: Date) -> Self {
        Self {
            until: max_valid_until(issued),
        }
    }

    pub fn until(self) -> Date {
        self.until
    }
}

/// The prescriber's decision on förmån.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Benefit {
    /// Within the drug-benefit scheme.
    Yes,
    /// Outside it.
    No,
    /// Restricted subsidy, and the prescriber confirms the conditions are met.
    YesConditionsMet,
}

impl Benefit {
    pub fn is_within_scheme(self) -> bool {
        self != Self::No
    }
}

/// One intake time of a dose prescription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Intake {
    pub time: Time,
    pub amount: Quantity,
}

/// Dose dispensing: intake times (sorted, distinct) with amounts, and a start date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoseSchedule {
    start: Date,
    intakes: Vec<Intake>,
}

impl DoseSchedule {
    pub fn start(&self) -> Date {
        self.start
    }

    pub fn intakes(&self) -> &[Intake] {
        &self.intakes
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ingredient {
    pub name: String,
    pub amount: Quantity,
    pub unit: String,
}

/// An extempore preparation: at least one ingredient, and a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extempore {
    ingredients: Vec<Ingredient>,
    form: String,
}

impl Extempore {
    pub fn ingredients(&self) -> &[Ingredient] {
        &self.ingredients
    }

    pub fn form(&self) -> &str {
        &self.form
    }
}

/// A human patient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Patient {
    /// By personnummer or samordningsnummer; the name if typed.
    Identified {
        number: PersonNumber,
        name: Option<String>,
    },
    /// Without a Swedish number: by name and birth date, to one chosen pharmacy.
    Unidentified {
        name: String,
        birth_date: Date,
        pharmacy: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AnimalScope {
    Individual,
    Group,
    Herd,
}

impl AnimalScope {
    pub fn parse(code: &str) -> Option<Self> {
        match code.trim().to_lowercase().as_str() {
            "individ" => Some(Self::Individual),
            "grupp" => Some(Self::Group),
            "besattning" | "besättning" => Some(Self::Herd),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Individual => "individ",
            Self::Group => "grupp",
            Self::Herd => "besattning",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AntimicrobialPurpose {
    Therapy,
    Prophylaxis,
    Metaphylaxis,
}

impl AntimicrobialPurpose {
    pub fn parse(code: &str) -> Option<Self> {
        match code.trim().to_lowercase().as_str() {
            "terapi" => Some(Self::Therapy),
            "profylax" => Some(Self::Prophylaxis),
            "metafylax" => Some(Self::Metaphylaxis),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Therapy => "terapi",
            Self::Prophylaxis => "profylax",
            Self::Metaphylaxis => "metafylax",
        }
    }
}

/// How the animal's owner is identified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum OwnerIdentity {
    Personnummer(PersonNumber),
    Organisationsnummer(OrganisationNumber),
    BirthDate { date: Date, address: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnimalPrescription {
    pub species: String,
    pub scope: AnimalScope,
    pub animal_id: String,
    pub owner_name: String,
    pub owner: OwnerIdentity,
    /// Required when the owner has no number; optional otherwise.
    pub receiving_pharmacy: Option<String>,
    /// Required for antimicrobials.
    pub antimicrobial_purpose: Option<AntimicrobialPurpose>,
    pub off_label: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Recipient {
    Human(Patient),
    Animal(AnimalPrescription),
}

impl Recipient {
    pub fn is_animal(&self) -> bool {
        matches!(self, Self::Animal(_))
    }
}

/// A validated prescription item. Only [`validate`] makes one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrescriptionItem {
    recipient: Recipient,
    product: ProductFacts,
    issued: Date,
    amount: Amount,
    dosage: String,
    purpose: String,
    dispensings: u8,
    interval: Option<Interval>,
    validity: Validity,
    benefit: Benefit,
    no_substitution: bool,
    starter_pack: bool,
    message: Option<String>,
    dose: Option<DoseSchedule>,
    extempore: Option<Extempore>,
}

impl PrescriptionItem {
    pub fn recipient(&self) -> &Recipient {
        &self.recipient
    }
    pub fn product(&self) -> &ProductFacts {
        &self.product
    }
    /// The issue date: the day it was validated.
    pub fn issued(&self) -> Date {
        self.issued
    }
    pub fn amount(&self) -> &Amount {
        &self.amount
    }
    pub fn dosage(&self) -> &str {
        &self.dosage
    }
    pub fn purpose(&self) -> &str {
        &self.purpose
    }
    /// Antal uttag, 1–99.
    pub fn dispensings(&self) -> u8 {
        self.dispensings
    }
    pub fn is_iterated(&self) -> bool {
        self.dispensings > 1
    }
    pub fn interval(&self) -> Option<Interval> {
        self.interval
    }
    pub fn validity(&self) -> Validity {
        self.validity
    }
    pub fn benefit(&self) -> Benefit {
        self.benefit
    }
    pub fn no_substitution(&self) -> bool {
        self.no_substitution
    }
    pub fn starter_pack(&self) -> bool {
        self.starter_pack
    }
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
    pub fn dose(&self) -> Option<&DoseSchedule> {
        self.dose.as_ref()
    }
    pub fn extempore(&self) -> Option<&Extempore> {
        self.extempore.as_ref()
    }
    /// A licence drug: the pharmacy needs a licence decision before dispensing.
    pub fn needs_licence_decision(&self) -> bool {
        self.product.licence_product
    }
}

// ---------------------------------------------------------------------------------------------
// Validation

/// Checks a draft against the rules and returns the item, or every problem found.
pub fn validate(
    draft: &ItemDraft,
    product: &ProductFacts,
    prescriber: Profession,
    today: Date,
) -> Result<PrescriptionItem, Vec<ItemError>> {
    let mut errs = Errors::default();
    let is_animal = matches!(draft.recipient, RecipientDraft::Animal(_));

    let recipient = match &draft.recipient {
        RecipientDraft::Human(_) if prescriber.is_veterinarian() => {
            errs.add(
                field::PERSONNUMMER,
                "Veterinärer kan bara förskriva för djur: välj Djur.",
            );
            None
        }
        RecipientDraft::Animal(_) if !prescriber.is_veterinarian() => {
            errs.add(
                field::DJURSLAG,
                "Endast veterinärer kan förskriva för djur.",
            );
            None
        }
        RecipientDraft::Human(p) => {
            collect(&mut errs, Patient::parse(p, today)).map(Recipient::Human)
        }
        RecipientDraft::Animal(a) => {
            collect(&mut errs, AnimalPrescription::parse(a, product, today)).map(Recipient::Animal)
        }
    };

    let amount = parse_amount(&mut errs, draft, product);
    let dosage = required_text(
        &mut errs,
        field::DOSERING,
        &draft.dosage,
        MAX_DOSAGE_CHARS,
        true,
        "Ange dosering, t.ex. 1 tablett 2 gånger dagligen.",
        "Doseringen",
    );
    let purpose = required_text(
        &mut errs,
        field::BEHANDLINGSANDAMAL,
        &draft.purpose,
        MAX_PURPOSE_CHARS,
        false,
        "Ange behandlingsändamål, t.ex. mot högt blodtryck.",
        "Behandlingsändamålet",
    );
    let dispensings = parse_dispensings(&mut errs, &draft.dispensings, product, is_animal);
    let validity = parse_validity(&mut errs, &draft.valid_until, today);
    let interval = parse_interval(&mut errs, draft, dispensings, validity, today);
    if let (Some(n), Some(code)) = (dispensings, product.special_code())
        && n > 1
        && code.is_special()
        && draft.interval.trim().is_empty()
    {
        errs.add(
            field::EXPEDITIONSINTERVALL,
            "Ett särskilt läkemedel som itereras måste ha expeditionsintervall: ange dagar eller veckor.",
        );
    }
    let benefit = parse_benefit(&mut errs, draft, product, is_animal);

    if draft.no_substitution && product.kind != ProductKind::Drug {
        errs.add(
            field::FAR_EJ_BYTAS_UT,
            "Får ej bytas ut gäller bara läkemedel: avmarkera rutan.",
        );
    }
    if draft.starter_pack {
        if product.package_size.is_none() || draft.extempore.is_some() {
            errs.add(
                field::STARTFORPACKNING,
                "Startförpackning kan bara väljas för en produkt med förpackning: avmarkera rutan.",
            );
        } else if !matches!(amount, Some(Amount::Packages { .. })) {
            errs.add(
                field::STARTFORPACKNING,
                "Startförpackning kräver att du anger antal förpackningar, inte total mängd.",
            );
        }
    }
    let message = optional_text(
        &mut errs,
        field::MEDDELANDE_TILL_APOTEKET,
        &draft.message,
        MAX_MESSAGE_CHARS,
        true,
        "Meddelandet till apoteket",
    );

    let dose = match &draft.dose {
        None => Some(None),
        Some(_) if is_animal => {
            errs.add(
                field::DOS_STARTDATUM,
                "Dosdispensering gäller bara människor: ta bort dosschemat.",
            );
            None
        }
        Some(d) => parse_dose(&mut errs, d, today, validity).map(Some),
    };
    let extempore = match &draft.extempore {
        None => Some(None),
        Some(x) => parse_extempore(&mut errs, x).map(Some),
    };

    let (
        Some(recipient),
        Some(amount),
        Some(dosage),
        Some(purpose),
        Some(dispensings),
        Some(interval),
        Some(validity),
        Some(benefit),
        Some(message),
        Some(dose),
        Some(extempore),
    ) = (
        recipient,
        amount,
        dosage,
        purpose,
        dispensings,
        interval,
        validity,
        benefit,
        message,
        dose,
        extempore,
    )
    else {
        debug_assert!(!errs.is_empty(), "a missing value must come with an error");
        return Err(errs.0);
    };
    if !errs.is_empty() {
        return Err(errs.0);
    }
    Ok(PrescriptionItem {
        recipient,
        product: product.clone(),
        issued: today,
        amount,
        dosage,
        purpose,
        dispensings,
        interval,
        validity,
        benefit,
        no_substitution: draft.no_substitution,
        starter_pack: draft.starter_pack,
        message,
        dose,
        extempore,
    })
}

fn collect<T>(errs: &mut Errors, r: Result<T, Vec<ItemError>>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            errs.extend(e);
            None
        }
    }
}

impl Patient {
    /// A patient by personnummer/samordningsnummer, or by name, birth date and pharmacy.
    pub fn parse(d: &PatientDraft, today: Date) -> Result<Self, Vec<ItemError>> {
        let mut errs = Errors::default();
        let number = d.person_number.trim();
        if !number.is_empty() {
            let name = optional_text(
                &mut errs,
                field::PATIENT_NAMN,
                &d.name,
                MAX_NAME_CHARS,
                false,
                "Namnet",
            );
            let number = match PersonNumber::parse(number, today) {
                Ok(n) => Some(n),
                Err(e) => {
                    errs.add(field::PERSONNUMMER, e.to_string());
                    None
                }
            };
            return match (number, name) {
                (Some(number), Some(name)) if errs.is_empty() => {
                    Ok(Self::Identified { number, name })
                }
                _ => Err(errs.0),
            };
        }
        if [&d.name, &d.birth_date, &d.pharmacy]
            .iter()
            .all(|s| s.trim().is_empty())
        {
            errs.add(
                field::PERSONNUMMER,
                "Ange patientens personnummer eller samordningsnummer. Saknar patienten svenskt nummer: ange namn, födelsedatum och apotek.",
            );
            return Err(errs.0);
        }
        let name = required_text(
            &mut errs,
            field::PATIENT_NAMN,
            &d.name,
            MAX_NAME_CHARS,
            false,
            "Ange patientens namn.",
            "Namnet",
        );
        let birth_date = parse_birth_date(
            &mut errs,
            field::PATIENT_FODELSEDATUM,
            &d.birth_date,
            today,
            "Ange patientens födelsedatum som ÅÅÅÅ-MM-DD.",
        );
        let pharmacy = required_text(
            &mut errs,
            field::APOTEK,
            &d.pharmacy,
            MAX_NAME_CHARS,
            false,
            "Välj det apotek som ska ta emot receptet.",
            "Apoteket",
        );
        match (name, birth_date, pharmacy) {
            (Some(name), Some(birth_date), Some(pharmacy)) if errs.is_empty() => {
                Ok(Self::Unidentified {
                    name,
                    birth_date,
                    pharmacy,
                })
            }
            _ => Err(errs.0),
        }
    }
}

impl AnimalPrescription {
    /// The animal fields; the product decides whether an antimicrobial purpose is required.
    /// (Whether the prescriber may prescribe for animals is checked by [`validate`].)
    pub fn parse(
        d: &AnimalDraft,
        product: &ProductFacts,
        today: Date,
    ) -> Result<Self, Vec<ItemError>> {
        let mut errs = Errors::default();
        let species = required_text(
            &mut errs,
            field::DJURSLAG,
            &d.species,
            MAX_NAME_CHARS,
            false,
            "Ange djurslag, t.ex. hund eller nöt.",
            "Djurslaget",
        );
        let scope = AnimalScope::parse(&d.scope);
        if scope.is_none() {
            errs.add(field::DJURKATEGORI, "Välj individ, grupp eller besättning.");
        }
        let animal_id = required_text(
            &mut errs,
            field::DJUR_ID,
            &d.animal_id,
            MAX_NAME_CHARS,
            false,
            "Ange djurets, gruppens eller besättningens identitet, t.ex. namn eller id-nummer.",
            "Djurets identitet",
        );
        let owner_name = required_text(
            &mut errs,
            field::AGARE_NAMN,
            &d.owner_name,
            MAX_NAME_CHARS,
            false,
            "Ange djurägarens namn.",
            "Djurägarens namn",
        );
        let owner = parse_owner(&mut errs, d, today);
        let pharmacy = optional_text(
            &mut errs,
            field::MOTTAGANDE_APOTEK,
            &d.receiving_pharmacy,
            MAX_NAME_CHARS,
            false,
            "Mottagande apotek",
        );
        if let (Some(OwnerIdentity::BirthDate { .. }), Some(None)) = (&owner, &pharmacy) {
            errs.add(
                field::MOTTAGANDE_APOTEK,
                "Djurägaren saknar personnummer och organisationsnummer: ange mottagande apotek.",
            );
        }
        let purpose = if d.antimicrobial_purpose.trim().is_empty() {
            if product.antimicrobial {
                errs.add(
                    field::ANTIMIKROBIELLT_SYFTE,
                    "Ange syftet med den antimikrobiella behandlingen: terapi, profylax eller metafylax.",
                );
                None
            } else {
                Some(None)
            }
        } else {
            match AntimicrobialPurpose::parse(&d.antimicrobial_purpose) {
                Some(AntimicrobialPurpose::Metaphylaxis)
                    if scope == Some(AnimalScope::Individual) =>
                {
                    errs.add(
                        field::ANTIMIKROBIELLT_SYFTE,
                        "Metafylax gäller en grupp eller besättning: välj terapi eller profylax för ett enskilt djur.",
                    );
                    None
                }
                Some(p) => Some(Some(p)),
                None => {
                    errs.add(
                        field::ANTIMIKROBIELLT_SYFTE,
                        "Välj terapi, profylax eller metafylax som syfte.",
                    );
                    None
                }
            }
        };
        match (
            species, scope, animal_id, owner_name, owner, pharmacy, purpose,
        ) {
            (
                Some(species),
                Some(scope),
                Some(animal_id),
                Some(owner_name),
                Some(owner),
                Some(receiving_pharmacy),
                Some(antimicrobial_purpose),
            ) if errs.is_empty() => Ok(Self {
                species,
                scope,
                animal_id,
                owner_name,
                owner,
                receiving_pharmacy,
                antimicrobial_purpose,
                off_label: d.off_label,
            }),
            _ => Err(errs.0),
        }
    }
}

fn parse_owner(errs: &mut Errors, d: &AnimalDraft, today: Date) -> Option<OwnerIdentity> {
    let number = d.owner_number.trim();
    if !number.is_empty() {
        if let Ok(p) = PersonNumber::parse(number, today) {
            return Some(OwnerIdentity::Personnummer(p));
        }
        if let Ok(o) = OrganisationNumber::parse(number) {
            return Some(OwnerIdentity::Organisationsnummer(o));
        }
        errs.add(
            field::AGARE_NUMMER,
            "Djurägarens nummer är varken ett giltigt personnummer (ÅÅÅÅMMDD-NNNN) eller organisationsnummer (NNNNNN-NNNN).",
        );
        return None;
    }
    if d.owner_birth_date.trim().is_empty() {
        errs.add(
            field::AGARE_NUMMER,
            "Ange djurägarens personnummer eller organisationsnummer, eller födelsedatum och adress.",
        );
        return None;
    }
    let date = parse_birth_date(
        errs,
        field::AGARE_FODELSEDATUM,
        &d.owner_birth_date,
        today,
        "Ange djurägarens födelsedatum som ÅÅÅÅ-MM-DD.",
    );
    let address = required_text(
        errs,
        field::AGARE_ADRESS,
        &d.owner_address,
        MAX_ADDRESS_CHARS,
        false,
        "Ange djurägarens adress när personnummer och organisationsnummer saknas.",
        "Adressen",
    );
    Some(OwnerIdentity::BirthDate {
        date: date?,
        address: address?,
    })
}

fn parse_amount(errs: &mut Errors, d: &ItemDraft, product: &ProductFacts) -> Option<Amount> {
    let count = d.package_count.trim();
    let total = d.total_amount.trim();
    let by_total_only = d.extempore.is_some() || product.package_size.is_none();
    match (count.is_empty(), total.is_empty()) {
        (true, true) => {
            if by_total_only {
                errs.add(field::TOTAL_MANGD, "Ange total mängd, t.ex. 100 g.");
            } else {
                errs.add(
                    field::ANTAL_FORPACKNINGAR,
                    "Ange antal förpackningar eller en total mängd.",
                );
            }
            None
        }
        (false, false) => {
            errs.add(
                field::ANTAL_FORPACKNINGAR,
                "Ange antingen antal förpackningar eller total mängd, inte båda.",
            );
            None
        }
        (false, true) => {
            let size = match (&d.extempore, &product.package_size) {
                (Some(_), _) => {
                    errs.add(
                        field::ANTAL_FORPACKNINGAR,
                        "Ett extemporeläkemedel förskrivs som total mängd: ange total mängd i stället för antal förpackningar.",
                    );
                    None
                }
                (None, None) => {
                    errs.add(
                        field::ANTAL_FORPACKNINGAR,
                        "Produkten har ingen förpackning att välja: ange total mängd i stället.",
                    );
                    None
                }
                (None, Some(size)) => Some(size.clone()),
            };
            let n = parse_int(count).filter(|n| (1..=u64::from(MAX_PACKAGES)).contains(n));
            if n.is_none() {
                errs.add(
                    field::ANTAL_FORPACKNINGAR,
                    format!("Antal förpackningar ska vara ett heltal från 1 till {MAX_PACKAGES}."),
                );
            }
            let count = u16::try_from(n?).ok()?;
            Some(Amount::Packages {
                count,
                package_size: size?,
            })
        }
        (true, false) => {
            let amount =
                Quantity::parse(total).filter(|q| q.0 > 0 && q.0 <= MAX_TOTAL_AMOUNT * 1000);
            if amount.is_none() {
                errs.add(
                    field::TOTAL_MANGD,
                    "Total mängd ska vara ett tal större än 0 och högst 100 000, t.ex. 250 eller 7,5.",
                );
            }
            let unit = required_text(
                errs,
                field::TOTAL_MANGD_ENHET,
                &d.total_unit,
                MAX_UNIT_CHARS,
                false,
                "Ange enhet för den totala mängden, t.ex. ml, g eller tabletter.",
                "Enheten",
            );
            Some(Amount::Total {
                amount: amount?,
                unit: unit?,
            })
        }
    }
}

fn parse_dispensings(
    errs: &mut Errors,
    input: &str,
    product: &ProductFacts,
    is_animal: bool,
) -> Option<u8> {
    let s = input.trim();
    if s.is_empty() {
        errs.add(field::ANTAL_UTTAG, "Ange antal uttag (1–99).");
        return None;
    }
    let Some(n) = parse_int(s)
        .filter(|n| (1..=u64::from(MAX_DISPENSINGS)).contains(n))
        .and_then(|n| u8::try_from(n).ok())
    else {
        errs.add(
            field::ANTAL_UTTAG,
            "Antal uttag ska vara ett heltal från 1 till 99.",
        );
        return None;
    };
    match product.special_code() {
        Some(SpecialDrugCode::NotIterable) if n > 1 => {
            errs.add(
                field::ANTAL_UTTAG,
                "Särskilt läkemedel med kod 3 får inte itereras: ange ett uttag.",
            );
            None
        }
        Some(SpecialDrugCode::IterableHumanOnly) if n > 1 && is_animal => {
            errs.add(
                field::ANTAL_UTTAG,
                "Särskilt läkemedel med kod 4 får bara itereras för människor: ange ett uttag.",
            );
            None
        }
        _ => Some(n),
    }
}

fn max_valid_until(today: Date) -> Date {
    today.checked_add(1.year()).unwrap_or(Date::MAX)
}

fn days_between(from: Date, to: Date) -> i64 {
    from.until(to).map(|s| i64::from(s.get_days())).unwrap_or(0)
}

fn parse_validity(errs: &mut Errors, input: &str, today: Date) -> Option<Validity> {
    let s = input.trim();
    if s.is_empty() {
        return Some(Validity::one_year_from(today));
    }
    let max = max_valid_until(today);
    match parse_date(s) {
        None => {
            errs.add(
                field::GILTIG_TILL,
                "Giltig till ska vara ett datum som ÅÅÅÅ-MM-DD, t.ex. 2025-12-31.",
            );
            None
        }
        Some(d) if d <= today => {
            errs.add(
                field::GILTIG_TILL,
                "Giltig till måste vara efter dagens datum.",
            );
            None
        }
        Some(d) if d > max => {
            errs.add(
                field::GILTIG_TILL,
                format!("Ett recept gäller högst ett år: välj ett datum senast {max}."),
            );
            None
        }
        Some(until) => Some(Validity { until }),
    }
}

fn parse_interval(
    errs: &mut Errors,
    d: &ItemDraft,
    dispensings: Option<u8>,
    validity: Option<Validity>,
    today: Date,
) -> Option<Option<Interval>> {
    let s = d.interval.trim();
    if s.is_empty() {
        return Some(None);
    }
    if dispensings == Some(1) {
        errs.add(
            field::EXPEDITIONSINTERVALL,
            "Expeditionsintervall kan bara anges när antal uttag är minst 2: ta bort intervallet.",
        );
        return None;
    }
    let n = parse_int(s);
    let interval = match d.interval_unit.trim().to_lowercase().as_str() {
        "dagar" | "dag" => match n.and_then(|n| u16::try_from(n).ok()) {
            Some(n) if (1..=MAX_INTERVAL_DAYS).contains(&n) => Interval::Days(n),
            _ => {
                errs.add(
                    field::EXPEDITIONSINTERVALL,
                    "Expeditionsintervall i dagar ska vara ett heltal från 1 till 365.",
                );
                return None;
            }
        },
        "veckor" | "vecka" => match n.and_then(|n| u16::try_from(n).ok()) {
            Some(n) if (1..=MAX_INTERVAL_WEEKS).contains(&n) => Interval::Weeks(n),
            _ => {
                errs.add(
                    field::EXPEDITIONSINTERVALL,
                    "Expeditionsintervall i veckor ska vara ett heltal från 1 till 52.",
                );
                return None;
            }
        },
        _ => {
            errs.add(
                field::EXPEDITIONSINTERVALL_ENHET,
                "Välj dagar eller veckor för expeditionsintervallet.",
            );
            return None;
        }
    };
    if let (Some(n), Some(v)) = (dispensings, validity) {
        let needed = i64::from(n.saturating_sub(1)) * i64::from(interval.days());
        if needed > days_between(today, v.until) {
            errs.add(
                field::EXPEDITIONSINTERVALL,
                "Alla uttag hinner inte göras före Giltig till: minska antal uttag eller expeditionsintervallet.",
            );
            return None;
        }
    }
    Some(Some(interval))
}

fn parse_benefit(
    errs: &mut Errors,
    d: &ItemDraft,
    product: &ProductFacts,
    is_animal: bool,
) -> Option<Benefit> {
    match d.benefit {
        None => {
            errs.add(field::FORMAN, "Välj Ja eller Nej under Förmån.");
            None
        }
        Some(false) => Some(Benefit::No),
        Some(true) if is_animal => {
            errs.add(
                field::FORMAN,
                "Läkemedelsförmån gäller inte för djur: välj Nej under Förmån.",
            );
            None
        }
        Some(true) if product.in_benefit_scheme == Some(false) => {
            errs.add(
                field::FORMAN,
                "Förpackningen ingår inte i läkemedelsförmånen: välj Nej under Förmån.",
            );
            None
        }
        Some(true) if product.restricted_subsidy => match d.benefit_conditions_met {
            Some(true) => Some(Benefit::YesConditionsMet),
            Some(false) => {
                errs.add(
                    field::FORMAN_VILLKOR,
                    "Villkoren för den begränsade förmånen är inte uppfyllda: välj Nej under Förmån.",
                );
                None
            }
            None => {
                errs.add(
                    field::FORMAN_VILLKOR,
                    "Produkten har begränsad förmån: ange om villkoren för förmån är uppfyllda.",
                );
                None
            }
        },
        Some(true) => Some(Benefit::Yes),
    }
}

fn parse_dose(
    errs: &mut Errors,
    d: &DoseDraft,
    today: Date,
    validity: Option<Validity>,
) -> Option<DoseSchedule> {
    let before = errs.0.len();
    let start = match d.start_date.trim() {
        "" => {
            errs.add(
                field::DOS_STARTDATUM,
                "Ange startdatum för dosdispenseringen som ÅÅÅÅ-MM-DD.",
            );
            None
        }
        s => match parse_date(s) {
            None => {
                errs.add(
                    field::DOS_STARTDATUM,
                    "Startdatum ska vara ett datum som ÅÅÅÅ-MM-DD.",
                );
                None
            }
            Some(s) if s < today => {
                errs.add(
                    field::DOS_STARTDATUM,
                    "Startdatum kan inte ligga före dagens datum.",
                );
                None
            }
            Some(s) if validity.is_some_and(|v| s > v.until) => {
                errs.add(
                    field::DOS_STARTDATUM,
                    "Startdatum måste ligga inom receptets giltighetstid (Giltig till).",
                );
                None
            }
            Some(s) => Some(s),
        },
    };
    let rows: Vec<&IntakeDraft> = d
        .intakes
        .iter()
        .filter(|i| !(i.time.trim().is_empty() && i.amount.trim().is_empty()))
        .collect();
    if rows.is_empty() {
        errs.add(
            field::DOS_TIDPUNKT,
            "Ange minst en intagstidpunkt med mängd, t.ex. 08:00 och 1.",
        );
    } else if rows.len() > MAX_DOSE_INTAKES {
        errs.add(
            field::DOS_TIDPUNKT,
            format!("Ange högst {MAX_DOSE_INTAKES} intagstidpunkter."),
        );
    }
    let mut intakes = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().take(MAX_DOSE_INTAKES).enumerate() {
        let n = i + 1;
        let time = parse_time(&row.time);
        match time {
            None => errs.add(
                field::DOS_TIDPUNKT,
                format!("Tidpunkt {n}: ange en tid som TT:MM, t.ex. 08:00."),
            ),
            Some(t) if intakes.iter().any(|x: &Intake| x.time == t) => errs.add(
                field::DOS_TIDPUNKT,
                format!(
                    "Tidpunkt {n}: {} finns redan, ange varje tid en gång.",
                    format_time(t)
                ),
            ),
            Some(_) => {}
        }
        let amount =
            Quantity::parse(&row.amount).filter(|q| q.0 > 0 && q.0 <= MAX_DOSE_AMOUNT * 1000);
        if amount.is_none() {
            errs.add(
                field::DOS_MANGD,
                format!("Tidpunkt {n}: mängden ska vara ett tal större än 0, t.ex. 1 eller 0,5."),
            );
        }
        if let (Some(time), Some(amount)) = (time, amount) {
            intakes.push(Intake { time, amount });
        }
    }
    intakes.sort_by_key(|i| i.time);
    intakes.dedup_by_key(|i| i.time);
    if errs.0.len() != before {
        return None;
    }
    Some(DoseSchedule {
        start: start?,
        intakes,
    })
}

fn parse_extempore(errs: &mut Errors, d: &ExtemporeDraft) -> Option<Extempore> {
    let before = errs.0.len();
    let rows: Vec<&IngredientDraft> = d
        .ingredients
        .iter()
        .filter(|r| {
            !(r.name.trim().is_empty() && r.amount.trim().is_empty() && r.unit.trim().is_empty())
        })
        .collect();
    if rows.is_empty() {
        errs.add(
            field::EXTEMPORE_INGREDIENS,
            "Ange minst en ingrediens med mängd, t.ex. hydrokortison 1 g.",
        );
    } else if rows.len() > MAX_INGREDIENTS {
        errs.add(
            field::EXTEMPORE_INGREDIENS,
            format!("Ange högst {MAX_INGREDIENTS} ingredienser."),
        );
    }
    let mut ingredients = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().take(MAX_INGREDIENTS).enumerate() {
        let n = i + 1;
        let name = clean(&row.name, MAX_NAME_CHARS, false);
        if !matches!(name, Ok(Some(_))) {
            errs.add(
                field::EXTEMPORE_INGREDIENS,
                format!("Ingrediens {n}: ange ingrediensens namn (högst {MAX_NAME_CHARS} tecken)."),
            );
        }
        let amount =
            Quantity::parse(&row.amount).filter(|q| q.0 > 0 && q.0 <= MAX_TOTAL_AMOUNT * 1000);
        if amount.is_none() {
            errs.add(
                field::EXTEMPORE_MANGD,
                format!("Ingrediens {n}: mängden ska vara ett tal större än 0, t.ex. 2,5."),
            );
        }
        let unit = clean(&row.unit, MAX_UNIT_CHARS, false);
        if !matches!(unit, Ok(Some(_))) {
            errs.add(
                field::EXTEMPORE_ENHET,
                format!("Ingrediens {n}: ange enhet, t.ex. g eller ml."),
            );
        }
        if let (Ok(Some(name)), Some(amount), Ok(Some(unit))) = (name, amount, unit) {
            ingredients.push(Ingredient { name, amount, unit });
        }
    }
    let form = required_text(
        errs,
        field::EXTEMPORE_BEREDNINGSFORM,
        &d.form,
        MAX_NAME_CHARS,
        false,
        "Ange beredningsform, t.ex. kräm eller mixtur.",
        "Beredningsformen",
    );
    if errs.0.len() != before {
        return None;
    }
    Some(Extempore {
        ingredients,
        form: form?,
    })
}

// ---------------------------------------------------------------------------------------------
// Small parsers

enum TextProblem {
    TooLong,
    BadCharacter,
}

/// Trims; `Ok(None)` when empty. Control characters are refused, except line breaks and tabs
/// in multi-line fields.
fn clean(input: &str, max: usize, multiline: bool) -> Result<Option<String>, TextProblem> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if s.chars()
        .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
    {
        return Err(TextProblem::BadCharacter);
    }
    if s.chars().count() > max {
        return Err(TextProblem::TooLong);
    }
    Ok(Some(s.to_owned()))
}

fn text_problem(errs: &mut Errors, field: &'static str, p: TextProblem, max: usize, label: &str) {
    match p {
        TextProblem::TooLong => errs.add(field, format!("{label} får vara högst {max} tecken.")),
        TextProblem::BadCharacter => errs.add(
            field,
            format!("{label} innehåller otillåtna tecken: ta bort dem."),
        ),
    }
}

fn required_text(
    errs: &mut Errors,
    field: &'static str,
    input: &str,
    max: usize,
    multiline: bool,
    missing: &str,
    label: &str,
) -> Option<String> {
    match clean(input, max, multiline) {
        Ok(Some(s)) => Some(s),
        Ok(None) => {
            errs.add(field, missing);
            None
        }
        Err(p) => {
            text_problem(errs, field, p, max, label);
            None
        }
    }
}

fn optional_text(
    errs: &mut Errors,
    field: &'static str,
    input: &str,
    max: usize,
    multiline: bool,
    label: &str,
) -> Option<Option<String>> {
    match clean(input, max, multiline) {
        Ok(v) => Some(v),
        Err(p) => {
            text_problem(errs, field, p, max, label);
            None
        }
    }
}

/// Digits only (no sign), at most 9 of them.
fn parse_int(s: &str) -> Option<u64> {
    let s = s.trim();
    if s.is_empty() || s.len() > 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// "ÅÅÅÅ-MM-DD" or "ÅÅÅÅMMDD".
pub fn parse_date(input: &str) -> Option<Date> {
    let s = input.trim();
    let b = s.as_bytes();
    let digits: String = match b.len() {
        10 if b[4] == b'-' && b[7] == b'-' => [&s[0..4], &s[5..7], &s[8..10]].concat(),
        8 => s.to_owned(),
        _ => return None,
    };
    if !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let year: i16 = digits[0..4].parse().ok()?;
    let month: i8 = digits[4..6].parse().ok()?;
    let day: i8 = digits[6..8].parse().ok()?;
    Date::new(year, month, day).ok()
}

fn parse_birth_date(
    errs: &mut Errors,
    field: &'static str,
    input: &str,
    today: Date,
    missing: &str,
) -> Option<Date> {
    if input.trim().is_empty() {
        errs.add(field, missing);
        return None;
    }
    match parse_date(input) {
        None => {
            errs.add(
                field,
                "Födelsedatumet ska skrivas som ÅÅÅÅ-MM-DD, t.ex. 1980-04-25.",
            );
            None
        }
        Some(d) if d > today => {
            errs.add(field, "Födelsedatumet kan inte ligga i framtiden.");
            None
        }
        Some(d) => Some(d),
    }
}

/// "08:00", "8:00", "08.00".
fn parse_time(input: &str) -> Option<Time> {
    let (h, m) = input.trim().split_once([':', '.'])?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    if !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hour: i8 = h.parse().ok()?;
    let minute: i8 = m.parse().ok()?;
    Time::new(hour, minute, 0, 0).ok()
}

/// "08:00".
pub fn format_time(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn today() -> Date {
        date(2025, 3, 10)
    }

    fn facts() -> ProductFacts {
        ProductFacts {
            package_size: Some("100 styck".into()),
            in_benefit_scheme: Some(true),
            ..ProductFacts::default()
        }
    }

    fn draft() -> ItemDraft {
        ItemDraft {
            recipient: RecipientDraft::Human(PatientDraft {
                person_number: "19121212-1212".into(),
                ..PatientDraft::default()
            }),
            package_count: "2".into(),
            dosage: "1 tablett 2 gånger dagligen".into(),
            purpose: "mot högt blodtryck".into(),
            dispensings: "1".into(),
            benefit: Some(true),
            ..ItemDraft::default()
        }
    }

    fn animal() -> AnimalDraft {
        AnimalDraft {
            species: "hund".into(),
            scope: "individ".into(),
            animal_id: "Fido".into(),
            owner_name: "Anna Andersson".into(),
            owner_number: "19121212-1212".into(),
            ..AnimalDraft::default()
        }
    }

    fn vet_draft(a: AnimalDraft) -> ItemDraft {
        ItemDraft {
            recipient: RecipientDraft::Animal(a),
            benefit: Some(false),
            ..draft()
        }
    }

    fn errors(d: &ItemDraft, f: &ProductFacts, p: Profession) -> Vec<(&'static str, String)> {
        match validate(d, f, p, today()) {
            Ok(_) => vec![],
            Err(e) => e.into_iter().map(|e| (e.field, e.message)).collect(),
        }
    }

    #[track_caller]
    fn only(d: &ItemDraft, f: &ProductFacts, p: Profession, field: &str, msg: &str) {
        assert_eq!(
            errors(d, f, p),
            vec![(field, msg.to_owned())],
            "expected exactly one error"
        );
    }

    #[track_caller]
    fn human_only(d: ItemDraft, field: &str, msg: &str) {
        only(&d, &facts(), Profession::Lakare, field, msg);
    }

    #[track_caller]
    fn vet_only(a: AnimalDraft, f: &ProductFacts, field: &str, msg: &str) {
        only(&vet_draft(a), f, Profession::Veterinar, field, msg);
    }

    #[track_caller]
    fn ok(d: &ItemDraft, f: &ProductFacts, p: Profession) -> PrescriptionItem {
        match validate(d, f, p, today()) {
            Ok(item) => item,
            Err(e) => panic!("expected a valid item, got {e:?}"),
        }
    }

    #[test]
    fn valid_draft_gives_item_with_defaults() {
        let item = ok(&draft(), &facts(), Profession::Lakare);
        assert_eq!(
            item.amount(),
            &Amount::Packages {
                count: 2,
                package_size: "100 styck".into()
            }
        );
        assert_eq!(item.dosage(), "1 tablett 2 gånger dagligen");
        assert_eq!(item.purpose(), "mot högt blodtryck");
        assert_eq!(item.dispensings(), 1);
        assert!(!item.is_iterated());
        assert_eq!(item.interval(), None);
        assert_eq!(item.validity().until(), date(2026, 3, 10));
        assert_eq!(item.benefit(), Benefit::Yes);
        assert_eq!(item.issued(), today());
        assert_eq!(item.message(), None);
        assert!(matches!(
            item.recipient(),
            Recipient::Human(Patient::Identified { name: None, .. })
        ));
        assert!(!item.needs_licence_decision());
    }

    #[test]
    fn empty_draft_reports_every_problem_at_once() {
        let d = ItemDraft::default();
        let fields: Vec<_> = errors(&d, &facts(), Profession::Lakare)
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(
            fields,
            [
                field::PERSONNUMMER,
                field::ANTAL_FORPACKNINGAR,
                field::DOSERING,
                field::BEHANDLINGSANDAMAL,
                field::ANTAL_UTTAG,
                field::FORMAN,
            ]
        );
    }

    #[test]
    fn item_error_displays_its_message() {
        let e = ItemError::new(field::DOSERING, "Ange dosering.");
        assert_eq!(e.to_string(), "Ange dosering.");
    }

    // --- Recipient ------------------------------------------------------------------------

    #[test]
    fn only_veterinarians_prescribe_for_animals() {
        for p in Profession::ALL.into_iter().filter(|p| !p.is_veterinarian()) {
            only(
                &vet_draft(animal()),
                &facts(),
                p,
                field::DJURSLAG,
                "Endast veterinärer kan förskriva för djur.",
            );
        }
        ok(&vet_draft(animal()), &facts(), Profession::Veterinar);
    }

    #[test]
    fn veterinarians_prescribe_only_for_animals() {
        only(
            &draft(),
            &facts(),
            Profession::Veterinar,
            field::PERSONNUMMER,
            "Veterinärer kan bara förskriva för djur: välj Djur.",
        );
    }

    #[test]
    fn patient_is_required() {
        human_only(
            ItemDraft {
                recipient: RecipientDraft::Human(PatientDraft::default()),
                ..draft()
            },
            field::PERSONNUMMER,
            "Ange patientens personnummer eller samordningsnummer. Saknar patienten svenskt nummer: ange namn, födelsedatum och apotek.",
        );
    }

    #[test]
    fn invalid_person_number_gives_its_own_message() {
        human_only(
            ItemDraft {
                recipient: RecipientDraft::Human(PatientDraft {
                    person_number: "19121212-1213".into(),
                    ..PatientDraft::default()
                }),
                ..draft()
            },
            field::PERSONNUMMER,
            "Personnumret är inte giltigt: kontrollsiffran stämmer inte.",
        );
    }

    #[test]
    fn identified_patient_keeps_typed_name() {
        let d = ItemDraft {
            recipient: RecipientDraft::Human(PatientDraft {
                person_number: "191212121212".into(),
                name: "  Tolvan Tolvansson ".into(),
                ..PatientDraft::default()
            }),
            ..draft()
        };
        let item = ok(&d, &facts(), Profession::Lakare);
        let Recipient::Human(Patient::Identified { number, name }) = item.recipient() else {
            panic!("identified patient expected");
        };
        assert_eq!(number.as_12_digits(), "191212121212");
        assert_eq!(name.as_deref(), Some("Tolvan Tolvansson"));
    }

    fn unidentified(name: &str, birth: &str, pharmacy: &str) -> ItemDraft {
        ItemDraft {
            recipient: RecipientDraft::Human(PatientDraft {
                person_number: String::new(),
                name: name.into(),
                birth_date: birth.into(),
                pharmacy: pharmacy.into(),
            }),
            ..draft()
        }
    }

    #[test]
    fn patient_without_number_needs_name_birth_date_and_pharmacy() {
        let item = ok(
            &unidentified("Jan Jansen", "1980-04-25", "Apoteket Korpen"),
            &facts(),
            Profession::Lakare,
        );
        assert_eq!(
            item.recipient(),
            &Recipient::Human(Patient::Unidentified {
                name: "Jan Jansen".into(),
                birth_date: date(1980, 4, 25),
                pharmacy: "Apoteket Korpen".into(),
            })
        );
        human_only(
            unidentified("", "1980-04-25", "Apoteket Korpen"),
            field::PATIENT_NAMN,
            "Ange patientens namn.",
        );
        human_only(
            unidentified("Jan Jansen", "", "Apoteket Korpen"),
            field::PATIENT_FODELSEDATUM,
            "Ange patientens födelsedatum som ÅÅÅÅ-MM-DD.",
        );
        human_only(
            unidentified("Jan Jansen", "25/4/1980", "Apoteket Korpen"),
            field::PATIENT_FODELSEDATUM,
            "Födelsedatumet ska skrivas som ÅÅÅÅ-MM-DD, t.ex. 1980-04-25.",
        );
        human_only(
            unidentified("Jan Jansen", "2025-03-11", "Apoteket Korpen"),
            field::PATIENT_FODELSEDATUM,
            "Födelsedatumet kan inte ligga i framtiden.",
        );
        human_only(
            unidentified("Jan Jansen", "19800425", ""),
            field::APOTEK,
            "Välj det apotek som ska ta emot receptet.",
        );
    }

    // --- Amount ---------------------------------------------------------------------------

    fn amt(count: &str, total: &str, unit: &str) -> ItemDraft {
        ItemDraft {
            package_count: count.into(),
            total_amount: total.into(),
            total_unit: unit.into(),
            ..draft()
        }
    }

    #[test]
    fn amount_is_required() {
        human_only(
            amt("", "", ""),
            field::ANTAL_FORPACKNINGAR,
            "Ange antal förpackningar eller en total mängd.",
        );
        let no_package = ProductFacts {
            package_size: None,
            ..facts()
        };
        only(
            &amt(" ", "", ""),
            &no_package,
            Profession::Lakare,
            field::TOTAL_MANGD,
            "Ange total mängd, t.ex. 100 g.",
        );
    }

    #[test]
    fn amount_is_packages_or_total_not_both() {
        human_only(
            amt("2", "200", "ml"),
            field::ANTAL_FORPACKNINGAR,
            "Ange antingen antal förpackningar eller total mängd, inte båda.",
        );
    }

    #[test]
    fn package_count_is_1_to_999() {
        for bad in ["0", "1000", "-1", "2,5", "två", "99999999999999999999"] {
            human_only(
                amt(bad, "", ""),
                field::ANTAL_FORPACKNINGAR,
                "Antal förpackningar ska vara ett heltal från 1 till 999.",
            );
        }
        for good in ["1", " 999 "] {
            ok(&amt(good, "", ""), &facts(), Profession::Lakare);
        }
    }

    #[test]
    fn package_count_needs_a_package() {
        let no_package = ProductFacts {
            package_size: None,
            ..facts()
        };
        only(
            &amt("2", "", ""),
            &no_package,
            Profession::Lakare,
            field::ANTAL_FORPACKNINGAR,
            "Produkten har ingen förpackning att välja: ange total mängd i stället.",
        );
    }

    #[test]
    fn total_amount_with_unit() {
        let item = ok(&amt("", "7,5", " ml "), &facts(), Profession::Lakare);
        let Amount::Total { amount, unit } = item.amount() else {
            panic!("total expected");
        };
        assert_eq!(
            (amount.thousandths(), amount.to_string()),
            (7500, "7,5".into())
        );
        assert_eq!(unit, "ml");
        ok(&amt("", "1 000", "g"), &facts(), Profession::Lakare);
    }

    #[test]
    fn total_amount_is_positive_and_bounded() {
        for bad in ["0", "0,000", "100000,001", "1,2345", "-5", "abc", ","] {
            human_only(
                amt("", bad, "ml"),
                field::TOTAL_MANGD,
                "Total mängd ska vara ett tal större än 0 och högst 100 000, t.ex. 250 eller 7,5.",
            );
        }
        ok(&amt("", "100000", "ml"), &facts(), Profession::Lakare);
    }

    #[test]
    fn total_amount_needs_a_unit() {
        human_only(
            amt("", "250", ""),
            field::TOTAL_MANGD_ENHET,
            "Ange enhet för den totala mängden, t.ex. ml, g eller tabletter.",
        );
        human_only(
            amt("", "250", &"x".repeat(31)),
            field::TOTAL_MANGD_ENHET,
            "Enheten får vara högst 30 tecken.",
        );
    }

    // --- Dosage, purpose, message ----------------------------------------------------------

    #[test]
    fn dosage_is_required_and_bounded() {
        let with = |s: &str| ItemDraft {
            dosage: s.into(),
            ..draft()
        };
        human_only(
            with("   "),
            field::DOSERING,
            "Ange dosering, t.ex. 1 tablett 2 gånger dagligen.",
        );
        human_only(
            with(&"a".repeat(501)),
            field::DOSERING,
            "Doseringen får vara högst 500 tecken.",
        );
        human_only(
            with("1 tablett\u{0}"),
            field::DOSERING,
            "Doseringen innehåller otillåtna tecken: ta bort dem.",
        );
        let item = ok(
            &with(&format!(" {}\n", "ä".repeat(500))),
            &facts(),
            Profession::Lakare,
        );
        assert_eq!(item.dosage().chars().count(), 500);
        let item = ok(&with("1 x 2\nvid behov"), &facts(), Profession::Lakare);
        assert_eq!(item.dosage(), "1 x 2\nvid behov");
    }

    #[test]
    fn purpose_is_required_and_bounded() {
        let with = |s: &str| ItemDraft {
            purpose: s.into(),
            ..draft()
        };
        human_only(
            with(""),
            field::BEHANDLINGSANDAMAL,
            "Ange behandlingsändamål, t.ex. mot högt blodtryck.",
        );
        human_only(
            with(&"a".repeat(201)),
            field::BEHANDLINGSANDAMAL,
            "Behandlingsändamålet får vara högst 200 tecken.",
        );
        human_only(
            with("mot\nvärk"),
            field::BEHANDLINGSANDAMAL,
            "Behandlingsändamålet innehåller otillåtna tecken: ta bort dem.",
        );
    }

    #[test]
    fn message_to_pharmacy_is_optional_and_bounded() {
        let with = |s: &str| ItemDraft {
            message: s.into(),
            ..draft()
        };
        human_only(
            with(&"m".repeat(256)),
            field::MEDDELANDE_TILL_APOTEKET,
            "Meddelandet till apoteket får vara högst 255 tecken.",
        );
        let item = ok(&with(" Lämna ut i delar. "), &facts(), Profession::Lakare);
        assert_eq!(item.message(), Some("Lämna ut i delar."));
        assert_eq!(
            ok(&with("  "), &facts(), Profession::Lakare).message(),
            None
        );
    }

    // --- Dispensings and interval ----------------------------------------------------------

    fn iter(n: &str, interval: &str, unit: &str) -> ItemDraft {
        ItemDraft {
            dispensings: n.into(),
            interval: interval.into(),
            interval_unit: unit.into(),
            ..draft()
        }
    }

    fn coded(code: u8) -> ProductFacts {
        ProductFacts {
            special_drug_code: SpecialDrugCode::from_code(code),
            ..facts()
        }
    }

    #[test]
    fn dispensings_are_required_and_1_to_99() {
        human_only(
            iter("", "", ""),
            field::ANTAL_UTTAG,
            "Ange antal uttag (1–99).",
        );
        for bad in ["0", "100", "x", "-2", "1.5"] {
            human_only(
                iter(bad, "", ""),
                field::ANTAL_UTTAG,
                "Antal uttag ska vara ett heltal från 1 till 99.",
            );
        }
        assert_eq!(
            ok(&iter("99", "", ""), &facts(), Profession::Lakare).dispensings(),
            99
        );
    }

    #[test]
    fn code_3_is_never_iterated() {
        only(
            &iter("2", "30", "dagar"),
            &coded(3),
            Profession::Lakare,
            field::ANTAL_UTTAG,
            "Särskilt läkemedel med kod 3 får inte itereras: ange ett uttag.",
        );
        ok(&iter("1", "", ""), &coded(3), Profession::Lakare);
    }

    #[test]
    fn code_4_is_iterable_for_humans_only() {
        ok(&iter("3", "30", "dagar"), &coded(4), Profession::Lakare);
        let d = ItemDraft {
            dispensings: "2".into(),
            interval: "30".into(),
            interval_unit: "dagar".into(),
            ..vet_draft(animal())
        };
        only(
            &d,
            &coded(4),
            Profession::Veterinar,
            field::ANTAL_UTTAG,
            "Särskilt läkemedel med kod 4 får bara itereras för människor: ange ett uttag.",
        );
        ok(&d, &coded(2), Profession::Veterinar);
    }

    #[test]
    fn iterated_special_drug_needs_an_interval() {
        for code in [2, 4] {
            only(
                &iter("2", "", ""),
                &coded(code),
                Profession::Lakare,
                field::EXPEDITIONSINTERVALL,
                "Ett särskilt läkemedel som itereras måste ha expeditionsintervall: ange dagar eller veckor.",
            );
        }
        ok(&iter("2", "", ""), &coded(1), Profession::Lakare);
    }

    #[test]
    fn narcotics_follow_the_product_code_not_a_list() {
        let narcotic = ProductFacts {
            narcotics: true,
            special_drug_code: Some(SpecialDrugCode::NoSpecialForm),
            ..facts()
        };
        ok(&iter("3", "", ""), &narcotic, Profession::Lakare);
        let narcotic_3 = ProductFacts {
            special_drug_code: Some(SpecialDrugCode::NotIterable),
            ..narcotic
        };
        assert!(validate(&iter("3", "", ""), &narcotic_3, Profession::Lakare, today()).is_err());
    }

    #[test]
    fn interval_needs_two_dispensings() {
        human_only(
            iter("1", "30", "dagar"),
            field::EXPEDITIONSINTERVALL,
            "Expeditionsintervall kan bara anges när antal uttag är minst 2: ta bort intervallet.",
        );
    }

    #[test]
    fn interval_in_days_or_weeks_within_bounds() {
        for bad in ["0", "366", "x"] {
            human_only(
                iter("2", bad, "dagar"),
                field::EXPEDITIONSINTERVALL,
                "Expeditionsintervall i dagar ska vara ett heltal från 1 till 365.",
            );
        }
        for bad in ["0", "53"] {
            human_only(
                iter("2", bad, "veckor"),
                field::EXPEDITIONSINTERVALL,
                "Expeditionsintervall i veckor ska vara ett heltal från 1 till 52.",
            );
        }
        human_only(
            iter("2", "30", ""),
            field::EXPEDITIONSINTERVALL_ENHET,
            "Välj dagar eller veckor för expeditionsintervallet.",
        );
        let item = ok(&iter("4", "4", "veckor"), &facts(), Profession::Lakare);
        assert_eq!(item.interval(), Some(Interval::Weeks(4)));
        assert_eq!(Interval::Weeks(4).days(), 28);
        assert_eq!(
            ok(&iter("2", "365", "dagar"), &facts(), Profession::Lakare).interval(),
            Some(Interval::Days(365))
        );
    }

    #[test]
    fn all_dispensings_must_fit_in_the_validity() {
        human_only(
            iter("3", "200", "dagar"),
            field::EXPEDITIONSINTERVALL,
            "Alla uttag hinner inte göras före Giltig till: minska antal uttag eller expeditionsintervallet.",
        );
        let fits = ItemDraft {
            valid_until: "2025-06-10".into(),
            ..iter("2", "13", "veckor")
        };
        ok(&fits, &facts(), Profession::Lakare);
        ok(&iter("3", "182", "dagar"), &facts(), Profession::Lakare);
        let short = ItemDraft {
            valid_until: "2025-06-10".into(),
            ..iter("2", "14", "veckor")
        };
        human_only(
            short,
            field::EXPEDITIONSINTERVALL,
            "Alla uttag hinner inte göras före Giltig till: minska antal uttag eller expeditionsintervallet.",
        );
    }

    // --- Validity -------------------------------------------------------------------------

    fn until(s: &str) -> ItemDraft {
        ItemDraft {
            valid_until: s.into(),
            ..draft()
        }
    }

    #[test]
    fn validity_after_today_and_at_most_one_year() {
        for bad in ["2025-03-10", "2024-12-31"] {
            human_only(
                until(bad),
                field::GILTIG_TILL,
                "Giltig till måste vara efter dagens datum.",
            );
        }
        human_only(
            until("2026-03-11"),
            field::GILTIG_TILL,
            "Ett recept gäller högst ett år: välj ett datum senast 2026-03-10.",
        );
        for bad in ["10/3/2026", "2026-02-30", "2026-3-1", "morgon"] {
            human_only(
                until(bad),
                field::GILTIG_TILL,
                "Giltig till ska vara ett datum som ÅÅÅÅ-MM-DD, t.ex. 2025-12-31.",
            );
        }
        let v = |s| {
            ok(&until(s), &facts(), Profession::Lakare)
                .validity()
                .until()
        };
        assert_eq!(v("2026-03-10"), date(2026, 3, 10));
        assert_eq!(v("20250311"), date(2025, 3, 11));
        assert_eq!(v(""), date(2026, 3, 10));
    }

    #[test]
    fn one_year_from_a_leap_day() {
        assert_eq!(
            Validity::one_year_from(date(2024, 2, 29)).until(),
            date(2025, 2, 28)
        );
    }

    // --- Förmån -------------------------------------------------------------------------

    fn benefit(choice: Option<bool>, conditions: Option<bool>) -> ItemDraft {
        ItemDraft {
            benefit: choice,
            benefit_conditions_met: conditions,
            ..draft()
        }
    }

    fn restricted() -> ProductFacts {
        ProductFacts {
            restricted_subsidy: true,
            ..facts()
        }
    }

    #[test]
    fn benefit_must_be_chosen() {
        human_only(
            benefit(None, None),
            field::FORMAN,
            "Välj Ja eller Nej under Förmån.",
        );
        let b = |c| ok(&benefit(c, None), &facts(), Profession::Lakare).benefit();
        assert_eq!(b(Some(true)), Benefit::Yes);
        assert_eq!(b(Some(false)), Benefit::No);
        assert!(Benefit::Yes.is_within_scheme() && !Benefit::No.is_within_scheme());
    }

    #[test]
    fn restricted_subsidy_needs_the_conditions_answered() {
        only(
            &benefit(Some(true), None),
            &restricted(),
            Profession::Lakare,
            field::FORMAN_VILLKOR,
            "Produkten har begränsad förmån: ange om villkoren för förmån är uppfyllda.",
        );
        only(
            &benefit(Some(true), Some(false)),
            &restricted(),
            Profession::Lakare,
            field::FORMAN_VILLKOR,
            "Villkoren för den begränsade förmånen är inte uppfyllda: välj Nej under Förmån.",
        );
        let b = |d: ItemDraft| ok(&d, &restricted(), Profession::Lakare).benefit();
        assert_eq!(
            b(benefit(Some(true), Some(true))),
            Benefit::YesConditionsMet
        );
        assert_eq!(b(benefit(Some(false), None)), Benefit::No);
    }

    #[test]
    fn benefit_only_for_packages_in_the_scheme() {
        let outside = ProductFacts {
            in_benefit_scheme: Some(false),
            ..facts()
        };
        only(
            &benefit(Some(true), None),
            &outside,
            Profession::Lakare,
            field::FORMAN,
            "Förpackningen ingår inte i läkemedelsförmånen: välj Nej under Förmån.",
        );
        ok(&benefit(Some(false), None), &outside, Profession::Lakare);
        let unknown = ProductFacts {
            in_benefit_scheme: None,
            ..facts()
        };
        ok(&benefit(Some(true), None), &unknown, Profession::Lakare);
    }

    #[test]
    fn no_benefit_for_animals() {
        let d = ItemDraft {
            benefit: Some(true),
            ..vet_draft(animal())
        };
        only(
            &d,
            &facts(),
            Profession::Veterinar,
            field::FORMAN,
            "Läkemedelsförmån gäller inte för djur: välj Nej under Förmån.",
        );
    }

    // --- Får ej bytas ut, startförpackning, licence -------------------------------------------

    #[test]
    fn no_substitution_only_for_drugs() {
        let d = ItemDraft {
            no_substitution: true,
            ..draft()
        };
        assert!(ok(&d, &facts(), Profession::Lakare).no_substitution());
        for kind in [ProductKind::Food, ProductKind::NonDrug] {
            only(
                &d,
                &ProductFacts { kind, ..facts() },
                Profession::Lakare,
                field::FAR_EJ_BYTAS_UT,
                "Får ej bytas ut gäller bara läkemedel: avmarkera rutan.",
            );
        }
    }

    #[test]
    fn starter_pack_needs_a_package() {
        let d = ItemDraft {
            starter_pack: true,
            ..draft()
        };
        assert!(ok(&d, &facts(), Profession::Lakare).starter_pack());
        let no_package = ProductFacts {
            package_size: None,
            ..facts()
        };
        let total = ItemDraft {
            package_count: String::new(),
            total_amount: "100".into(),
            total_unit: "ml".into(),
            ..d
        };
        only(
            &total,
            &no_package,
            Profession::Lakare,
            field::STARTFORPACKNING,
            "Startförpackning kan bara väljas för en produkt med förpackning: avmarkera rutan.",
        );
        only(
            &total,
            &facts(),
            Profession::Lakare,
            field::STARTFORPACKNING,
            "Startförpackning kräver att du anger antal förpackningar, inte total mängd.",
        );
    }

    #[test]
    fn licence_drug_is_marked_for_a_licence_decision() {
        let lic = ProductFacts {
            licence_product: true,
            ..facts()
        };
        assert!(ok(&draft(), &lic, Profession::Lakare).needs_licence_decision());
    }

    // --- Dose dispensing ----------------------------------------------------------------

    fn dose(start: &str, intakes: &[(&str, &str)]) -> ItemDraft {
        ItemDraft {
            dose: Some(DoseDraft {
                start_date: start.into(),
                intakes: intakes
                    .iter()
                    .map(|(t, a)| IntakeDraft {
                        time: (*t).into(),
                        amount: (*a).into(),
                    })
                    .collect(),
            }),
            ..draft()
        }
    }

    #[test]
    fn dose_schedule_sorted_by_time() {
        let item = ok(
            &dose("2025-03-17", &[("20:00", "1"), ("8.00", "0,5"), ("", "")]),
            &facts(),
            Profession::Lakare,
        );
        let s = item.dose().unwrap();
        assert_eq!(s.start(), date(2025, 3, 17));
        let got: Vec<_> = s
            .intakes()
            .iter()
            .map(|i| (format_time(i.time), i.amount.to_string()))
            .collect();
        assert_eq!(
            got,
            [
                ("08:00".into(), "0,5".into()),
                ("20:00".into(), "1".to_string())
            ]
        );
    }

    #[test]
    fn dose_needs_an_intake_time() {
        human_only(
            dose("2025-03-17", &[("", "")]),
            field::DOS_TIDPUNKT,
            "Ange minst en intagstidpunkt med mängd, t.ex. 08:00 och 1.",
        );
    }

    #[test]
    fn dose_times_are_valid_and_distinct() {
        for bad in ["24:00", "8", "08:60", "kl 8", "08:5"] {
            human_only(
                dose("2025-03-17", &[("08:00", "1"), (bad, "1")]),
                field::DOS_TIDPUNKT,
                "Tidpunkt 2: ange en tid som TT:MM, t.ex. 08:00.",
            );
        }
        human_only(
            dose("2025-03-17", &[("08:00", "1"), ("8:00", "2")]),
            field::DOS_TIDPUNKT,
            "Tidpunkt 2: 08:00 finns redan, ange varje tid en gång.",
        );
    }

    #[test]
    fn dose_amounts_are_positive() {
        for bad in ["0", "", "-1", "en", "1001"] {
            human_only(
                dose("2025-03-17", &[("08:00", bad)]),
                field::DOS_MANGD,
                "Tidpunkt 1: mängden ska vara ett tal större än 0, t.ex. 1 eller 0,5.",
            );
        }
    }

    #[test]
    fn dose_start_date_from_today_within_validity() {
        human_only(
            dose("", &[("08:00", "1")]),
            field::DOS_STARTDATUM,
            "Ange startdatum för dosdispenseringen som ÅÅÅÅ-MM-DD.",
        );
        human_only(
            dose("17 mars", &[("08:00", "1")]),
            field::DOS_STARTDATUM,
            "Startdatum ska vara ett datum som ÅÅÅÅ-MM-DD.",
        );
        human_only(
            dose("2025-03-09", &[("08:00", "1")]),
            field::DOS_STARTDATUM,
            "Startdatum kan inte ligga före dagens datum.",
        );
        human_only(
            dose("2026-03-11", &[("08:00", "1")]),
            field::DOS_STARTDATUM,
            "Startdatum måste ligga inom receptets giltighetstid (Giltig till).",
        );
        ok(
            &dose("2025-03-10", &[("08:00", "1")]),
            &facts(),
            Profession::Lakare,
        );
    }

    #[test]
    fn dose_dispensing_only_for_humans() {
        let d = ItemDraft {
            recipient: RecipientDraft::Animal(animal()),
            benefit: Some(false),
            ..dose("2025-03-17", &[("08:00", "1")])
        };
        only(
            &d,
            &facts(),
            Profession::Veterinar,
            field::DOS_STARTDATUM,
            "Dosdispensering gäller bara människor: ta bort dosschemat.",
        );
    }

    // --- Extempore ------------------------------------------------------------------------

    fn ext(rows: &[(&str, &str, &str)], form: &str) -> ItemDraft {
        ItemDraft {
            package_count: String::new(),
            total_amount: "100".into(),
            total_unit: "g".into(),
            extempore: Some(ExtemporeDraft {
                ingredients: rows
                    .iter()
                    .map(|(n, a, u)| IngredientDraft {
                        name: (*n).into(),
                        amount: (*a).into(),
                        unit: (*u).into(),
                    })
                    .collect(),
                form: form.into(),
            }),
            ..draft()
        }
    }

    fn ext_facts() -> ProductFacts {
        ProductFacts {
            package_size: None,
            in_benefit_scheme: None,
            ..ProductFacts::default()
        }
    }

    #[track_caller]
    fn ext_only(d: ItemDraft, field: &str, msg: &str) {
        only(&d, &ext_facts(), Profession::Lakare, field, msg);
    }

    #[test]
    fn extempore_composition() {
        let item = ok(
            &ext(
                &[
                    ("Hydrokortison", "1", "g"),
                    ("", "", ""),
                    ("Krämbas", "99", "g"),
                ],
                "kräm",
            ),
            &ext_facts(),
            Profession::Lakare,
        );
        let x = item.extempore().unwrap();
        assert_eq!(x.form(), "kräm");
        assert_eq!(x.ingredients().len(), 2);
        assert_eq!(x.ingredients()[1].name, "Krämbas");
    }

    #[test]
    fn extempore_needs_an_ingredient_and_a_form() {
        ext_only(
            ext(&[("", "", "")], "kräm"),
            field::EXTEMPORE_INGREDIENS,
            "Ange minst en ingrediens med mängd, t.ex. hydrokortison 1 g.",
        );
        ext_only(
            ext(&[("Hydrokortison", "1", "g")], " "),
            field::EXTEMPORE_BEREDNINGSFORM,
            "Ange beredningsform, t.ex. kräm eller mixtur.",
        );
    }

    #[test]
    fn extempore_ingredient_rows_are_complete() {
        ext_only(
            ext(&[("", "1", "g")], "kräm"),
            field::EXTEMPORE_INGREDIENS,
            "Ingrediens 1: ange ingrediensens namn (högst 100 tecken).",
        );
        ext_only(
            ext(&[("Hydrokortison", "0", "g")], "kräm"),
            field::EXTEMPORE_MANGD,
            "Ingrediens 1: mängden ska vara ett tal större än 0, t.ex. 2,5.",
        );
        ext_only(
            ext(&[("Hydrokortison", "1", "")], "kräm"),
            field::EXTEMPORE_ENHET,
            "Ingrediens 1: ange enhet, t.ex. g eller ml.",
        );
    }

    #[test]
    fn extempore_is_prescribed_as_a_total_amount() {
        let d = ItemDraft {
            package_count: "2".into(),
            total_amount: String::new(),
            ..ext(&[("Hydrokortison", "1", "g")], "kräm")
        };
        ext_only(
            d,
            field::ANTAL_FORPACKNINGAR,
            "Ett extemporeläkemedel förskrivs som total mängd: ange total mängd i stället för antal förpackningar.",
        );
    }

    // --- Animals -------------------------------------------------------------------------

    #[test]
    fn animal_prescription_values() {
        let a = AnimalDraft {
            scope: "besättning".into(),
            owner_number: "556036-0793".into(),
            receiving_pharmacy: "Apoteket Lodjuret".into(),
            antimicrobial_purpose: "Metafylax".into(),
            off_label: true,
            ..animal()
        };
        let antimicrobial = ProductFacts {
            antimicrobial: true,
            ..facts()
        };
        let item = ok(&vet_draft(a), &antimicrobial, Profession::Veterinar);
        let Recipient::Animal(p) = item.recipient() else {
            panic!("animal expected");
        };
        assert_eq!(p.species, "hund");
        assert_eq!(p.scope, AnimalScope::Herd);
        assert_eq!(p.animal_id, "Fido");
        assert!(matches!(p.owner, OwnerIdentity::Organisationsnummer(_)));
        assert_eq!(p.receiving_pharmacy.as_deref(), Some("Apoteket Lodjuret"));
        assert_eq!(
            p.antimicrobial_purpose,
            Some(AntimicrobialPurpose::Metaphylaxis)
        );
        assert!(p.off_label);
        assert!(item.recipient().is_animal());

        let item = ok(&vet_draft(animal()), &facts(), Profession::Veterinar);
        let Recipient::Animal(p) = item.recipient() else {
            panic!("animal expected");
        };
        assert!(matches!(p.owner, OwnerIdentity::Personnummer(_)));
        assert_eq!(p.antimicrobial_purpose, None);
        assert!(!p.off_label);
    }

    #[test]
    fn animal_fields_are_required() {
        vet_only(
            AnimalDraft {
                species: String::new(),
                ..animal()
            },
            &facts(),
            field::DJURSLAG,
            "Ange djurslag, t.ex. hund eller nöt.",
        );
        vet_only(
            AnimalDraft {
                scope: "flock".into(),
                ..animal()
            },
            &facts(),
            field::DJURKATEGORI,
            "Välj individ, grupp eller besättning.",
        );
        vet_only(
            AnimalDraft {
                animal_id: String::new(),
                ..animal()
            },
            &facts(),
            field::DJUR_ID,
            "Ange djurets, gruppens eller besättningens identitet, t.ex. namn eller id-nummer.",
        );
        vet_only(
            AnimalDraft {
                owner_name: String::new(),
                ..animal()
            },
            &facts(),
            field::AGARE_NAMN,
            "Ange djurägarens namn.",
        );
    }

    #[test]
    fn owner_is_identified_by_number_or_birth_date_and_address() {
        vet_only(
            AnimalDraft {
                owner_number: String::new(),
                ..animal()
            },
            &facts(),
            field::AGARE_NUMMER,
            "Ange djurägarens personnummer eller organisationsnummer, eller födelsedatum och adress.",
        );
        vet_only(
            AnimalDraft {
                owner_number: "123456-7890".into(),
                ..animal()
            },
            &facts(),
            field::AGARE_NUMMER,
            "Djurägarens nummer är varken ett giltigt personnummer (ÅÅÅÅMMDD-NNNN) eller organisationsnummer (NNNNNN-NNNN).",
        );
        let by_birth = AnimalDraft {
            owner_number: String::new(),
            owner_birth_date: "1970-01-31".into(),
            owner_address: "Storgatan 1, 123 45 Byn".into(),
            receiving_pharmacy: "Apoteket Lodjuret".into(),
            ..animal()
        };
        let item = ok(
            &vet_draft(by_birth.clone()),
            &facts(),
            Profession::Veterinar,
        );
        let Recipient::Animal(p) = item.recipient() else {
            panic!("animal expected");
        };
        assert_eq!(
            p.owner,
            OwnerIdentity::BirthDate {
                date: date(1970, 1, 31),
                address: "Storgatan 1, 123 45 Byn".into()
            }
        );
        vet_only(
            AnimalDraft {
                owner_address: String::new(),
                ..by_birth.clone()
            },
            &facts(),
            field::AGARE_ADRESS,
            "Ange djurägarens adress när personnummer och organisationsnummer saknas.",
        );
        vet_only(
            AnimalDraft {
                owner_birth_date: "1970-13-01".into(),
                ..by_birth.clone()
            },
            &facts(),
            field::AGARE_FODELSEDATUM,
            "Födelsedatumet ska skrivas som ÅÅÅÅ-MM-DD, t.ex. 1980-04-25.",
        );
        vet_only(
            AnimalDraft {
                receiving_pharmacy: String::new(),
                ..by_birth
            },
            &facts(),
            field::MOTTAGANDE_APOTEK,
            "Djurägaren saknar personnummer och organisationsnummer: ange mottagande apotek.",
        );
    }

    #[test]
    fn antimicrobial_purpose_for_animals() {
        let antimicrobial = ProductFacts {
            antimicrobial: true,
            ..facts()
        };
        vet_only(
            animal(),
            &antimicrobial,
            field::ANTIMIKROBIELLT_SYFTE,
            "Ange syftet med den antimikrobiella behandlingen: terapi, profylax eller metafylax.",
        );
        vet_only(
            AnimalDraft {
                antimicrobial_purpose: "bota".into(),
                ..animal()
            },
            &antimicrobial,
            field::ANTIMIKROBIELLT_SYFTE,
            "Välj terapi, profylax eller metafylax som syfte.",
        );
        vet_only(
            AnimalDraft {
                antimicrobial_purpose: "metafylax".into(),
                ..animal()
            },
            &antimicrobial,
            field::ANTIMIKROBIELLT_SYFTE,
            "Metafylax gäller en grupp eller besättning: välj terapi eller profylax för ett enskilt djur.",
        );
        for (code, want) in [
            ("terapi", AntimicrobialPurpose::Therapy),
            ("profylax", AntimicrobialPurpose::Prophylaxis),
        ] {
            let a = AnimalDraft {
                antimicrobial_purpose: code.into(),
                ..animal()
            };
            let item = ok(&vet_draft(a), &antimicrobial, Profession::Veterinar);
            let Recipient::Animal(p) = item.recipient() else {
                panic!("animal expected");
            };
            assert_eq!(p.antimicrobial_purpose, Some(want));
            assert_eq!(want.code(), code);
        }
    }

    #[test]
    fn codes_round_trip() {
        for s in [
            AnimalScope::Individual,
            AnimalScope::Group,
            AnimalScope::Herd,
        ] {
            assert_eq!(AnimalScope::parse(s.code()), Some(s));
        }
        for c in 1..=4 {
            assert_eq!(
                SpecialDrugCode::from_code(c).map(SpecialDrugCode::code),
                Some(c)
            );
        }
        assert_eq!(SpecialDrugCode::from_code(5), None);
        assert!(!SpecialDrugCode::NoSpecialForm.is_special());
    }

    // --- Properties -----------------------------------------------------------------------

    fn any_text() -> impl Strategy<Value = String> {
        prop_oneof![
            ".{0,40}",
            "[0-9 ,.:-]{0,12}",
            Just(String::new()),
            ".{490,520}",
        ]
    }

    fn any_facts() -> impl Strategy<Value = ProductFacts> {
        (
            0u8..6,
            any::<[bool; 4]>(),
            prop::option::of(any::<bool>()),
            prop::option::of(any_text()),
            0usize..3,
        )
            .prop_map(|(code, b, scheme, size, kind)| ProductFacts {
                kind: [ProductKind::Drug, ProductKind::Food, ProductKind::NonDrug][kind],
                special_drug_code: SpecialDrugCode::from_code(code),
                narcotics: b[0],
                licence_product: b[1],
                restricted_subsidy: b[2],
                in_benefit_scheme: scheme,
                antimicrobial: b[3],
                package_size: size,
            })
    }

    fn any_draft() -> impl Strategy<Value = ItemDraft> {
        let texts = prop::collection::vec(any_text(), 24);
        let animal_or_human = any::<bool>();
        let flags = any::<[bool; 3]>();
        let opts = (
            prop::option::of(any::<bool>()),
            prop::option::of(any::<bool>()),
        );
        let rows = prop::collection::vec((any_text(), any_text(), any_text()), 0..4);
        let dose_ext = any::<(bool, bool)>();
        (texts, animal_or_human, flags, opts, rows, dose_ext).prop_map(
            |(t, is_animal, f, (b, c), rows, (has_dose, has_ext))| ItemDraft {
                recipient: if is_animal {
                    RecipientDraft::Animal(AnimalDraft {
                        species: t[0].clone(),
                        scope: t[1].clone(),
                        animal_id: t[2].clone(),
                        owner_name: t[3].clone(),
                        owner_number: t[4].clone(),
                        owner_birth_date: t[5].clone(),
                        owner_address: t[6].clone(),
                        receiving_pharmacy: t[7].clone(),
                        antimicrobial_purpose: t[8].clone(),
                        off_label: f[0],
                    })
                } else {
                    RecipientDraft::Human(PatientDraft {
                        person_number: t[0].clone(),
                        name: t[1].clone(),
                        birth_date: t[2].clone(),
                        pharmacy: t[3].clone(),
                    })
                },
                package_count: t[9].clone(),
                total_amount: t[10].clone(),
                total_unit: t[11].clone(),
                dosage: t[12].clone(),
                purpose: t[13].clone(),
                dispensings: t[14].clone(),
                interval: t[15].clone(),
                interval_unit: t[16].clone(),
                valid_until: t[17].clone(),
                benefit: b,
                benefit_conditions_met: c,
                no_substitution: f[1],
                starter_pack: f[2],
                message: t[18].clone(),
                dose: has_dose.then(|| DoseDraft {
                    start_date: t[19].clone(),
                    intakes: rows
                        .iter()
                        .map(|(a, b, _)| IntakeDraft {
                            time: a.clone(),
                            amount: b.clone(),
                        })
                        .collect(),
                }),
                extempore: has_ext.then(|| ExtemporeDraft {
                    ingredients: rows
                        .iter()
                        .map(|(a, b, c)| IngredientDraft {
                            name: a.clone(),
                            amount: b.clone(),
                            unit: c.clone(),
                        })
                        .collect(),
                    form: t[20].clone(),
                }),
            },
        )
    }

    fn any_day() -> impl Strategy<Value = Date> {
        prop_oneof![
            (-9999i16..=9999, 1i8..=12, 1i8..=28).prop_map(|(y, m, d)| date(y, m, d)),
            Just(Date::MAX),
            Just(Date::MIN),
            Just(date(2024, 2, 29)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn validate_never_panics(
            d in any_draft(),
            f in any_facts(),
            p in 0usize..7,
            day in any_day(),
        ) {
            match validate(&d, &f, Profession::ALL[p], day) {
                Ok(item) => {
                    prop_assert!((1..=99).contains(&item.dispensings()));
                    prop_assert!(item.validity().until() > day);
                }
                Err(e) => {
                    prop_assert!(!e.is_empty());
                    prop_assert!(e.iter().all(|e| !e.message.is_empty() && !e.field.is_empty()));
                }
            }
        }

        #[test]
        fn valid_item_round_trips_its_values(
            count in 1u16..=999,
            total in prop::option::of((1u64..=100_000_000, "[a-zåäö]{1,10}")),
            dosage in "[A-Za-zåäöÅÄÖ0-9][A-Za-zåäöÅÄÖ0-9 ,.]{0,80}",
            purpose in "[A-Za-zåäöÅÄÖ][A-Za-zåäöÅÄÖ ]{0,60}",
            dispensings in 1u8..=99,
            interval_days in 1u16..=3,
            valid_days in 300i32..=365,
            benefit_case in 0usize..3,
            no_sub in any::<bool>(),
            starter in any::<bool>(),
            message in "[A-Za-zåäö .]{0,100}",
            day in (2000i16..=2090, 1i8..=12, 1i8..=28).prop_map(|(y, m, d)| date(y, m, d)),
        ) {
            let until = day.checked_add(valid_days.days()).unwrap();
            let d = ItemDraft {
                package_count: if total.is_none() { count.to_string() } else { String::new() },
                total_amount: total.as_ref().map(|(t, _)| Quantity(*t).to_string()).unwrap_or_default(),
                total_unit: total.as_ref().map(|(_, u)| u.clone()).unwrap_or_default(),
                dosage: format!(" {dosage} "),
                purpose: purpose.clone(),
                dispensings: dispensings.to_string(),
                interval: if dispensings > 1 { interval_days.to_string() } else { String::new() },
                interval_unit: "dagar".into(),
                valid_until: until.to_string(),
                benefit: Some(benefit_case > 0),
                benefit_conditions_met: (benefit_case == 2).then_some(true),
                no_substitution: no_sub,
                starter_pack: starter && total.is_none(),
                message: message.clone(),
                ..draft()
            };
            let f = ProductFacts { restricted_subsidy: benefit_case == 2, ..facts() };
            let item = validate(&d, &f, Profession::Lakare, day);
            prop_assert!(item.is_ok(), "{:?}", item);
            let item = item.unwrap();
            match (&total, item.amount()) {
                (None, Amount::Packages { count: c, package_size }) => {
                    prop_assert_eq!(*c, count);
                    prop_assert_eq!(package_size.as_str(), "100 styck");
                }
                (Some((t, u)), Amount::Total { amount, unit }) => {
                    prop_assert_eq!(amount.thousandths(), *t);
                    prop_assert_eq!(unit, u);
                }
                _ => prop_assert!(false, "wrong amount kind"),
            }
            prop_assert_eq!(item.dosage(), dosage.trim());
            prop_assert_eq!(item.purpose(), purpose.trim());
            prop_assert_eq!(item.dispensings(), dispensings);
            prop_assert_eq!(
                item.interval(),
                (dispensings > 1).then_some(Interval::Days(interval_days))
            );
            prop_assert_eq!(item.validity().until(), until);
            prop_assert_eq!(
                item.benefit(),
                [Benefit::No, Benefit::Yes, Benefit::YesConditionsMet][benefit_case]
            );
            prop_assert_eq!(item.no_substitution(), no_sub);
            prop_assert_eq!(item.starter_pack(), starter && total.is_none());
            let msg = message.trim();
            prop_assert_eq!(item.message(), (!msg.is_empty()).then_some(msg));
            prop_assert_eq!(item.issued(), day);
        }

        #[test]
        fn quantity_display_parses_back(t in 0u64..=1_000_000_000_000) {
            prop_assert_eq!(Quantity::parse(&Quantity(t).to_string()), Some(Quantity(t)));
        }
    }
}
