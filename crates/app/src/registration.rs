//! "Ny förskrivare": the five steps of registration (SPEC §2.1) and the check of the
//! prescriber code against Socialstyrelsen's register that follows it.
//!
//! The wizard's data lives in the visitor's server-side session until [Registrera]; only then
//! is anything stored, all in one transaction, so an abandoned wizard leaves no trace.

use std::sync::Arc;

use async_trait::async_trait;
use erecept_domain::clock::{Clock, stockholm};
use erecept_domain::{
    County, Licence, Licensing, Money, OrganisationNumber, PersonNumber, PrescriberCode,
    Profession, WorkplaceCode, add_office_hours,
};
use erecept_mail::{PrescriberInReview, PrescriberVerified, RegistrationConfirmed};
use erecept_prescriber_register::{CheckAnswer, PrescriberRegisterClient, Verdict, compare};
use erecept_store::{
    AccountId, BillingKind, BillingParty, Job, NewJob, NewRegistration, Outbox, Store, StoreError,
    Verification, Workplace,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::jobs::{JobError, JobHandler};
use crate::{AppResult, Mailer, auth};

/// The job that asks the prescriber register about a new registration.
pub const VERIFY_JOB: &str = "prescriber.verify";
/// Office hours within which the check is promised (the manual's 48 hours).
pub const VERIFICATION_OFFICE_HOURS: i64 = 48;

/// Who BankID said the visitor is. Name and personnummer cannot be edited in the wizard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub person_number: String,
    pub given_name: String,
    pub surname: String,
}

/// Step 3, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonalForm {
    pub yrke: String,
    pub forskrivarkod: String,
    pub epost: String,
    pub upprepa_epost: String,
    pub mobiltelefon: String,
}

/// Step 4, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WorkplaceForm {
    pub arbetsplatsens_namn: String,
    pub arbetsplatskod: String,
    pub adress: String,
    pub postnummer: String,
    pub ort: String,
    pub telefon: String,
    pub region: String,
    pub journalsystem: String,
}

/// Step 5, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BillingForm {
    pub anvand_mina_uppgifter: bool,
    pub typ: String,
    pub namn: String,
    pub identitet: String,
    pub adress: String,
    pub postnummer: String,
    pub ort: String,
    pub epost: String,
    pub referens: String,
}

/// Everything the wizard has collected so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Draft {
    pub terms_accepted: bool,
    pub population_register_addon: bool,
    pub identity: Option<Identity>,
    pub personal: PersonalForm,
    /// Argon2id hash of the chosen password: the password itself is never kept.
    pub password_hash: Option<String>,
    pub personal_done: bool,
    pub workplace: WorkplaceForm,
    pub workplace_done: bool,
    pub billing: BillingForm,
}

/// A field and its Swedish message.
pub type FieldProblems = Vec<(&'static str, String)>;

fn required(problems: &mut FieldProblems, field: &'static str, value: &str, message: &str) -> bool {
    if value.trim().is_empty() {
        problems.push((field, message.to_owned()));
        false
    } else {
        true
    }
}

/// A plausible e-mail address: something@domain.tld, no spaces.
pub fn valid_email(email: &str) -> bool {
    let email = email.trim();
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

/// A Swedish telephone number: digits with spaces, hyphens or a leading +46; 7–15 digits.
pub fn valid_phone(phone: &str) -> bool {
    let phone = phone.trim();
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let allowed = phone
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || c == ' ' || c == '-' || (i == 0 && c == '+'));
    allowed && (7..=15).contains(&digits)
}

/// A Swedish postal code: five digits, often written "NNN NN". Returns the written form.
pub fn postal_code(text: &str) -> Option<String> {
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    (digits.len() == 5 && digits.chars().all(|c| c.is_ascii_digit()))
        .then(|| format!("{} {}", &digits[..3], &digits[3..]))
}

/// The e-mail address (typed twice) and the mobile number of step 3, also changed under Min
/// profil: each problem with its field.
pub fn check_contact(email: &str, repeated: &str, mobile: &str, p: &mut FieldProblems) {
    if required(p, "epost", email, "Fyll i din e-postadress.") && !valid_email(email) {
        p.push((
            "epost",
            "Skriv en giltig e-postadress, t.ex. namn@exempel.se.".to_owned(),
        ));
    }
    if required(
        p,
        "upprepa_epost",
        repeated,
        "Skriv e-postadressen en gång till.",
    ) && valid_email(email)
        && !email.trim().eq_ignore_ascii_case(repeated.trim())
    {
        p.push((
            "upprepa_epost",
            "E-postadresserna är inte lika. Skriv samma adress i båda fälten.".to_owned(),
        ));
    }
    if required(p, "mobiltelefon", mobile, "Fyll i ditt mobilnummer.") && !valid_phone(mobile) {
        p.push((
            "mobiltelefon",
            "Skriv mobilnumret med siffror, t.ex. 070-123 45 67.".to_owned(),
        ));
    }
}

/// Step 3: checks the typed data; the password (typed twice) is checked here and only its hash
/// is kept.
pub fn check_personal(
    form: &PersonalForm,
    password: &str,
    repeated: &str,
    identity: &PersonNumber,
    have_password: bool,
) -> Result<(Profession, PrescriberCode), FieldProblems> {
    let mut p = FieldProblems::new();
    let profession = match Profession::parse(form.yrke.trim()) {
        Ok(pr) => Some(pr),
        Err(e) => {
            p.push(("yrke", e.to_string()));
            None
        }
    };
    let code = if required(
        &mut p,
        "forskrivarkod",
        &form.forskrivarkod,
        "Fyll i din förskrivarkod.",
    ) {
        PrescriberCode::parse(&form.forskrivarkod)
            .map_err(|e| p.push(("forskrivarkod", e.to_string())))
            .ok()
    } else {
        None
    };
    check_contact(&form.epost, &form.upprepa_epost, &form.mobiltelefon, &mut p);
    // A password chosen earlier in this wizard may be kept by leaving both fields empty.
    if !(have_password && password.is_empty() && repeated.is_empty()) {
        if password.is_empty() {
            p.push(("losenord", "Välj ett lösenord.".to_owned()));
        } else if repeated.is_empty() {
            p.push((
                "upprepa_losenord",
                "Skriv lösenordet en gång till.".to_owned(),
            ));
        } else if let Err(e) = auth::check_new_password(password, repeated, Some(identity)) {
            let field = if e == auth::NewPasswordError::Mismatch {
                "upprepa_losenord"
            } else {
                "losenord"
            };
            p.push((field, e.to_string()));
        }
    }
    match (profession, code) {
        (Some(profession), Some(code)) if p.is_empty() => Ok((profession, code)),
        _ => Err(p),
    }
}

/// Step 4: the workplace, with the county rule for the arbetsplatskod; an empty region is
/// proposed from the code.
pub fn check_workplace(
    form: &WorkplaceForm,
    journal_systems: &[String],
) -> Result<Workplace, FieldProblems> {
    let mut p = FieldProblems::new();
    required(
        &mut p,
        "arbetsplatsens_namn",
        &form.arbetsplatsens_namn,
        "Fyll i arbetsplatsens namn.",
    );
    let code = if required(
        &mut p,
        "arbetsplatskod",
        &form.arbetsplatskod,
        "Fyll i arbetsplatskoden.",
    ) {
        WorkplaceCode::parse(form.arbetsplatskod.trim())
            .map_err(|e| p.push(("arbetsplatskod", e.to_string())))
            .ok()
    } else {
        None
    };
    required(
        &mut p,
        "adress",
        &form.adress,
        "Fyll i arbetsplatsens adress.",
    );
    let postal = if required(&mut p, "postnummer", &form.postnummer, "Fyll i postnumret.") {
        let pc = postal_code(&form.postnummer);
        if pc.is_none() {
            p.push((
                "postnummer",
                "Postnumret ska ha fem siffror, t.ex. 111 22.".to_owned(),
            ));
        }
        pc
    } else {
        None
    };
    required(&mut p, "ort", &form.ort, "Fyll i orten.");
    if required(
        &mut p,
        "telefon",
        &form.telefon,
        "Fyll i arbetsplatsens telefonnummer.",
    ) && !valid_phone(&form.telefon)
    {
        p.push((
            "telefon",
            "Skriv telefonnumret med siffror, t.ex. 08-123 456 78.".to_owned(),
        ));
    }
    // An empty region follows the code (also when the code is changed later); a chosen one stays.
    let county = if form.region.trim().is_empty() {
        code.as_ref().map(WorkplaceCode::county)
    } else {
        let chosen = County::from_code(form.region.trim());
        if chosen.is_none() {
            p.push(("region", "Välj region i listan.".to_owned()));
        }
        chosen
    };
    let journal = form.journalsystem.trim();
    if !journal.is_empty() && !journal_systems.iter().any(|j| j == journal) {
        p.push((
            "journalsystem",
            "Välj journalsystem i listan, eller inget.".to_owned(),
        ));
    }
    match (code, postal, county) {
        (Some(code), Some(postal), Some(county)) if p.is_empty() => Ok(Workplace {
            id: Uuid::now_v7(),
            name: form.arbetsplatsens_namn.trim().to_owned(),
            code,
            address: form.adress.trim().to_owned(),
            postal_code: postal,
            city: form.ort.trim().to_owned(),
            phone: form.telefon.trim().to_owned(),
            county,
            journal_system: (!journal.is_empty()).then(|| journal.to_owned()),
        }),
        _ => Err(p),
    }
}

/// Step 5: the billing party. "Använd mina förskrivaruppgifter" fills in what step 3 gave
/// (name, personnummer, e-post) where the fields are empty.
pub fn check_billing(
    form: &mut BillingForm,
    identity: &Identity,
    personal: &PersonalForm,
    today: jiff::civil::Date,
) -> Result<BillingParty, FieldProblems> {
    if form.anvand_mina_uppgifter {
        if form.typ.trim().is_empty() {
            form.typ = BillingKind::Private.code().to_owned();
        }
        if form.namn.trim().is_empty() {
            form.namn = format!("{} {}", identity.given_name, identity.surname);
        }
        if form.identitet.trim().is_empty() {
            form.identitet = identity.person_number.clone();
        }
        if form.epost.trim().is_empty() {
            form.epost = personal.epost.trim().to_owned();
        }
    }
    let mut p = FieldProblems::new();
    let kind = BillingKind::parse(form.typ.trim());
    if kind.is_none() {
        p.push(("typ", "Välj typ av betalningsansvarig.".to_owned()));
    }
    required(
        &mut p,
        "namn",
        &form.namn,
        "Fyll i namnet på den som betalar.",
    );
    let identity_text = if required(
        &mut p,
        "identitet",
        &form.identitet,
        "Fyll i personnummer eller organisationsnummer.",
    ) {
        let typed = form.identitet.trim();
        match kind {
            // A company or employer has an organisationsnummer (a sole trader uses the owner's
            // personnummer, which is also accepted for an own company).
            Some(BillingKind::Employer) => OrganisationNumber::parse(typed)
                .map(|o| o.to_string())
                .map_err(|e| p.push(("identitet", e.to_string())))
                .ok(),
            Some(BillingKind::OwnCompany) => OrganisationNumber::parse(typed)
                .map(|o| o.to_string())
                .or_else(|_| PersonNumber::parse(typed, today).map(|n| n.to_string()))
                .map_err(|_| p.push(("identitet", "Skriv ett giltigt organisationsnummer (NNNNNN-NNNN) eller, för enskild firma, ditt personnummer.".to_owned())))
                .ok(),
            _ => PersonNumber::parse(typed, today).map(|n| n.to_string()).map_err(|e| p.push(("identitet", e.to_string()))).ok(),
        }
    } else {
        None
    };
    required(&mut p, "adress", &form.adress, "Fyll i adressen.");
    let postal = if required(&mut p, "postnummer", &form.postnummer, "Fyll i postnumret.") {
        let pc = postal_code(&form.postnummer);
        if pc.is_none() {
            p.push((
                "postnummer",
                "Postnumret ska ha fem siffror, t.ex. 111 22.".to_owned(),
            ));
        }
        pc
    } else {
        None
    };
    required(&mut p, "ort", &form.ort, "Fyll i orten.");
    if required(&mut p, "epost", &form.epost, "Fyll i e-postadressen.") && !valid_email(&form.epost)
    {
        p.push((
            "epost",
            "Skriv en giltig e-postadress, t.ex. namn@exempel.se.".to_owned(),
        ));
    }
    match (kind, identity_text, postal) {
        (Some(kind), Some(identity), Some(postal)) if p.is_empty() => Ok(BillingParty {
            kind,
            name: form.namn.trim().to_owned(),
            identity,
            address: form.adress.trim().to_owned(),
            postal_code: postal,
            city: form.ort.trim().to_owned(),
            email: form.epost.trim().to_owned(),
            reference: form.referens.trim().to_owned(),
        }),
        _ => Err(p),
    }
}

/// What the final page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registered {
    pub account_id: Uuid,
    pub verification_expected_by: jiff::Timestamp,
    pub certificate_required: bool,
    pub price_ore: i64,
    pub payment_due_on: jiff::civil::Date,
}

#[derive(Debug)]
pub enum RegisterOutcome {
    Registered(Registered),
    /// The personnummer already has an account.
    AlreadyRegistered,
    /// A step is not complete: go back to it.
    Incomplete(&'static str),
    /// A step's data does not pass any longer (the draft changed): go back to it.
    Invalid(&'static str, FieldProblems),
}

#[derive(Clone)]
pub struct Registration {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    mailer: Mailer,
    licence_price: Money,
    addon_price: Money,
    journal_systems: Vec<String>,
}

impl Registration {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        mailer: Mailer,
        licence_price: Money,
        addon_price: Money,
        journal_systems: Vec<String>,
    ) -> Self {
        Self {
            store,
            clock,
            mailer,
            licence_price,
            addon_price,
            journal_systems,
        }
    }

    pub fn journal_systems(&self) -> &[String] {
        &self.journal_systems
    }

    pub fn licence_price(&self) -> Money {
        self.licence_price
    }

    pub fn addon_price(&self) -> Money {
        self.addon_price
    }

    /// The year's price of a licence, with or without the add-on.
    pub fn price(&self, addon: bool) -> Money {
        if addon {
            self.licence_price
                .checked_add(self.addon_price)
                .unwrap_or(self.licence_price)
        } else {
            self.licence_price
        }
    }

    /// Whether a personnummer already has an account (told right after BankID).
    pub async fn is_registered(&self, person_number: &PersonNumber) -> AppResult<bool> {
        Ok(self
            .store
            .account_by_person_number(person_number)
            .await?
            .is_some())
    }

    /// [Registrera]: stores account, prescriber, workplace, billing party and licence in one
    /// transaction, with the confirmation mail and the start of the prescriber-code check.
    pub async fn register(&self, draft: &Draft) -> AppResult<RegisterOutcome> {
        let Some(identity) = &draft.identity else {
            return Ok(RegisterOutcome::Incomplete("bankid"));
        };
        if !draft.terms_accepted {
            return Ok(RegisterOutcome::Incomplete("villkor"));
        }
        let (Some(password_hash), true) = (&draft.password_hash, draft.personal_done) else {
            return Ok(RegisterOutcome::Incomplete("personuppgifter"));
        };
        let Ok(person_number) = PersonNumber::parse_12(&identity.person_number) else {
            return Ok(RegisterOutcome::Incomplete("bankid"));
        };
        let (profession, prescriber_code) =
            match check_personal(&draft.personal, "", "", &person_number, true) {
                Ok(ok) => ok,
                Err(p) => return Ok(RegisterOutcome::Invalid("personuppgifter", p)),
            };
        if !draft.workplace_done {
            return Ok(RegisterOutcome::Incomplete("arbetsplats"));
        }
        let workplace = match check_workplace(&draft.workplace, &self.journal_systems) {
            Ok(w) => w,
            Err(p) => return Ok(RegisterOutcome::Invalid("arbetsplats", p)),
        };
        let today = self.clock.today();
        let mut billing_form = draft.billing.clone();
        let billing = match check_billing(&mut billing_form, identity, &draft.personal, today) {
            Ok(b) => b,
            Err(p) => return Ok(RegisterOutcome::Invalid("betalningsansvarig", p)),
        };

        let now = self.clock.now();
        let expected_by = add_office_hours(now, VERIFICATION_OFFICE_HOURS);
        let licence = Licence::starting(today);
        let price = self.price(draft.population_register_addon);
        let id = AccountId(Uuid::now_v7());
        let email = draft.personal.epost.trim().to_owned();
        let confirmation = self.mailer.compose(
            &email,
            &RegistrationConfirmed {
                name: identity.given_name.clone(),
                verification_expected_by: expected_by
                    .to_zoned_datetime(stockholm())
                    .strftime("%Y-%m-%d kl. %H:%M")
                    .to_string(),
                certificate_required: profession.needs_certificate(),
                licence_price: price.to_string(),
                payment_due_on: licence.payment_due_on.to_string(),
            },
        )?;
        let mut verify = NewJob::new(
            VERIFY_JOB,
            serde_json::json!({ "account_id": id.0 }),
            format!("verify:{id}"),
            now,
        );
        // The register may take days to answer (48 office hours): keep asking, at most hourly.
        verify.max_attempts = 200;
        let registration = NewRegistration {
            id,
            person_number,
            given_name: identity.given_name.clone(),
            surname: identity.surname.clone(),
            email,
            mobile: draft.personal.mobiltelefon.trim().to_owned(),
            password_hash: password_hash.clone(),
            profession,
            prescriber_code,
            verification_expected_by: expected_by,
            workplace,
            billing,
            licensing: Licensing::Own(licence),
            population_register_addon: draft.population_register_addon,
        };
        match self
            .store
            .register(
                &registration,
                &Outbox::new().mail(confirmation).job(verify),
                now,
            )
            .await
        {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => return Ok(RegisterOutcome::AlreadyRegistered),
            Err(e) => return Err(e.into()),
        }
        self.mailer.wake();
        tracing::info!(account = %id, person = ?registration.person_number, "prescriber registered");
        Ok(RegisterOutcome::Registered(Registered {
            account_id: id.0,
            verification_expected_by: expected_by,
            certificate_required: profession.needs_certificate(),
            price_ore: price.ore(),
            payment_due_on: licence.payment_due_on,
        }))
    }
}

/// Asks the prescriber register about a registration until it answers: a confirmed code makes
/// the prescriber verified (and mails that login works); anything else goes to support.
pub struct VerifyHandler {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    mailer: Mailer,
    register: PrescriberRegisterClient,
}

impl VerifyHandler {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        mailer: Mailer,
        register: PrescriberRegisterClient,
    ) -> Self {
        Self {
            store,
            clock,
            mailer,
            register,
        }
    }
}

#[async_trait]
impl JobHandler for VerifyHandler {
    fn kind(&self) -> &'static str {
        VERIFY_JOB
    }

    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let id = job
            .payload
            .get("account_id")
            .and_then(|v| v.as_str())
            .and_then(|s| Uuid::parse_str(s).ok())
            .map(AccountId)
            .ok_or_else(|| {
                JobError::Permanent(format!("verification job without account: {}", job.payload))
            })?;
        let account = self
            .store
            .account(id)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?
            .ok_or_else(|| JobError::Permanent(format!("account {id} not found")))?;
        if !matches!(account.verification, Verification::Pending { .. }) {
            return Ok(()); // decided already (by an earlier attempt or by support)
        }
        let answer = self
            .register
            .check(
                &account.person_number,
                &account.prescriber_code,
                account.profession,
            )
            .await;
        let now = self.clock.now();
        // The last attempt does not leave the account pending with nobody to look at it: what
        // the register has not answered by then, support decides.
        let last_attempt = job.attempts >= job.max_attempts;
        let outcome = match answer {
            Err(e) if e.is_transient() && last_attempt => {
                Err(format!("Registret gick inte att nå på flera dagar: {e}"))
            }
            Err(e) if e.is_transient() => {
                return Err(JobError::Retry(format!("prescriber register: {e}")));
            }
            // Asking again will not help: a person has to look at it.
            Err(e) => Err(format!("Registret svarade inte som väntat: {e}")),
            Ok(CheckAnswer::Pending) if last_attempt => {
                Err("Registret har inte svarat på flera dagar.".to_owned())
            }
            Ok(CheckAnswer::Pending) => {
                return Err(JobError::Retry(
                    "the register has not answered yet".to_owned(),
                ));
            }
            Ok(CheckAnswer::NotFound) => Err("Personen finns inte i registret.".to_owned()),
            Ok(CheckAnswer::Found(credentials)) => {
                match compare(
                    &credentials,
                    &account.person_number,
                    &account.prescriber_code,
                    account.profession,
                ) {
                    Verdict::Confirmed => Ok(()),
                    Verdict::Mismatch { reason } => Err(reason),
                }
            }
        };
        match outcome {
            Ok(()) => {
                let mail = self
                    .mailer
                    .compose(
                        &account.email,
                        &PrescriberVerified {
                            name: account.given_name.clone(),
                        },
                    )
                    .map_err(|e| JobError::Retry(e.to_string()))?;
                self.store
                    .set_verification(
                        id,
                        Verification::Verified { at: now },
                        &Outbox::new().mail(mail),
                        now,
                    )
                    .await
                    .map_err(|e| JobError::Retry(e.to_string()))?;
                self.mailer.wake();
                tracing::info!(account = %id, "prescriber code confirmed");
            }
            Err(reason) => {
                let mail = self
                    .mailer
                    .compose(
                        &account.email,
                        &PrescriberInReview {
                            name: account.given_name.clone(),
                        },
                    )
                    .map_err(|e| JobError::Retry(e.to_string()))?;
                self.store
                    .set_verification(
                        id,
                        Verification::ManualReview,
                        &Outbox::new().mail(mail),
                        now,
                    )
                    .await
                    .map_err(|e| JobError::Retry(e.to_string()))?;
                self.mailer.wake();
                tracing::warn!(account = %id, %reason, "prescriber code not confirmed: manual review");
            }
        }
        Ok(())
    }
}
