//! Min profil (SPEC §4): the prescriber's workplaces, added, edited and removed after
//! registration, and the contact details. The forms and their checks are those of
//! registration ([`check_workplace`] of step 4, [`check_contact`] of step 3), so the fields
//! and messages are the same.

use std::sync::Arc;

use erecept_domain::clock::{Clock, stockholm};
use erecept_mail::ContactDetailsChanged;
use erecept_store::{AccountId, BillingParty, Outbox, Store, Workplace, WorkplaceRemoval};
use serde::Deserialize;
use uuid::Uuid;

use crate::registration::{
    BillingForm, FieldProblems, Identity, PersonalForm, WorkplaceForm, check_billing,
    check_contact, check_workplace,
};
use crate::{AppResult, Mailer};

/// The most workplaces one account may have.
pub const MAX_WORKPLACES: usize = 20;

/// Why no workplace can be added once there are [`MAX_WORKPLACES`].
pub const TOO_MANY_WORKPLACES: &str =
    "Du kan ha högst 20 arbetsplatser. Ändra en av dem i stället för att lägga till en ny.";

/// Why the account's only workplace cannot be removed.
pub const LAST_WORKPLACE: &str = "Du behöver minst en arbetsplats för att kunna förskriva. Lägg till den nya arbetsplatsen först, och ta sedan bort den här.";

/// What became of a workplace form.
#[derive(Debug)]
pub enum WorkplaceOutcome {
    Saved(Workplace),
    /// The form does not pass: a message for each field, as in registration.
    Invalid(FieldProblems),
    /// The account has [`MAX_WORKPLACES`] already ([`TOO_MANY_WORKPLACES`]).
    TooMany,
    /// The account has no such workplace.
    NotFound,
}

impl From<&Workplace> for WorkplaceForm {
    /// The form as it shows a stored workplace, to be edited.
    fn from(w: &Workplace) -> Self {
        WorkplaceForm {
            arbetsplatsens_namn: w.name.clone(),
            arbetsplatskod: w.code.as_str().to_owned(),
            adress: w.address.clone(),
            postnummer: w.postal_code.clone(),
            ort: w.city.clone(),
            telefon: w.phone.clone(),
            region: w.county.code().to_owned(),
            journalsystem: w.journal_system.clone().unwrap_or_default(),
        }
    }
}

/// The account's workplaces, as Min profil changes them.
#[derive(Clone)]
pub struct Workplaces {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    journal_systems: Vec<String>,
}

impl Workplaces {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, journal_systems: Vec<String>) -> Self {
        Self {
            store,
            clock,
            journal_systems,
        }
    }

    /// The journal systems the form offers (those of registration).
    pub fn journal_systems(&self) -> &[String] {
        &self.journal_systems
    }

    /// One of the account's workplaces; `None` when it is not the account's.
    pub async fn get(&self, account: AccountId, id: Uuid) -> AppResult<Option<Workplace>> {
        Ok(self
            .store
            .workplaces(account)
            .await?
            .into_iter()
            .find(|w| w.id == id))
    }

    /// Whether the account may add another workplace.
    pub async fn may_add(&self, account: AccountId) -> AppResult<bool> {
        Ok(self.store.workplaces(account).await?.len() < MAX_WORKPLACES)
    }

    /// [Spara] on "Lägg till arbetsplats": checks the form as registration does and adds the
    /// workplace, unless the account has [`MAX_WORKPLACES`] already.
    pub async fn add(
        &self,
        account: AccountId,
        form: &WorkplaceForm,
    ) -> AppResult<WorkplaceOutcome> {
        if !self.may_add(account).await? {
            return Ok(WorkplaceOutcome::TooMany);
        }
        let workplace = match check_workplace(form, &self.journal_systems) {
            Ok(w) => w,
            Err(problems) => return Ok(WorkplaceOutcome::Invalid(problems)),
        };
        // Counted again where it is stored: another save may have come in between.
        let added = self
            .store
            .add_workplace(account, &workplace, MAX_WORKPLACES, self.clock.now())
            .await?;
        if !added {
            return Ok(WorkplaceOutcome::TooMany);
        }
        tracing::info!(%account, workplace = %workplace.id, "workplace added");
        Ok(WorkplaceOutcome::Saved(workplace))
    }

    /// [Spara] on "Ändra arbetsplats": checks the form as registration does and replaces the
    /// account's workplace `id`. Another account's workplace is `NotFound`, and stays as it is.
    pub async fn update(
        &self,
        account: AccountId,
        id: Uuid,
        form: &WorkplaceForm,
    ) -> AppResult<WorkplaceOutcome> {
        if self.get(account, id).await?.is_none() {
            return Ok(WorkplaceOutcome::NotFound);
        }
        let workplace = match check_workplace(form, &self.journal_systems) {
            Ok(w) => Workplace { id, ..w },
            Err(problems) => return Ok(WorkplaceOutcome::Invalid(problems)),
        };
        if !self
            .store
            .update_workplace(account, &workplace, self.clock.now())
            .await?
        {
            return Ok(WorkplaceOutcome::NotFound);
        }
        tracing::info!(%account, workplace = %id, "workplace changed");
        Ok(WorkplaceOutcome::Saved(workplace))
    }

    /// [Ta bort arbetsplatsen]: the workplace is no longer listed or offered in Nytt recept.
    /// Prescriptions already sent keep its data (they carry their own copy), and a draft that
    /// named it is sent from the account's first workplace. Never the last one
    /// ([`LAST_WORKPLACE`]).
    pub async fn remove(&self, account: AccountId, id: Uuid) -> AppResult<WorkplaceRemoval> {
        let removal = self
            .store
            .remove_workplace(account, id, self.clock.now())
            .await?;
        if removal == WorkplaceRemoval::Removed {
            tracing::info!(%account, workplace = %id, "workplace removed");
        }
        Ok(removal)
    }
}

/// "Ändra kontaktuppgifter", as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ContactForm {
    pub epost: String,
    pub upprepa_epost: String,
    pub mobiltelefon: String,
}

/// What became of the contact form.
#[derive(Debug)]
pub enum ContactOutcome {
    Saved,
    /// A message for each field, as in registration step 3.
    Invalid(FieldProblems),
    /// The account does not exist (any more).
    NotFound,
}

/// The account's e-mail address and mobile number, as Min profil changes them.
#[derive(Clone)]
pub struct ContactDetails {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    mailer: Mailer,
}

impl ContactDetails {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, mailer: Mailer) -> Self {
        Self {
            store,
            clock,
            mailer,
        }
    }

    /// The form as it shows the stored details; `None` without an account.
    pub async fn form(&self, account: AccountId) -> AppResult<Option<ContactForm>> {
        Ok(self.store.account(account).await?.map(|a| ContactForm {
            upprepa_epost: a.email.clone(),
            epost: a.email,
            mobiltelefon: a.mobile,
        }))
    }

    /// [Spara] on "Ändra kontaktuppgifter": checks as registration does and stores the new
    /// details together with a notice to the address used until now, so that a change made by
    /// someone else is noticed. Nothing changed, nothing is written or sent.
    pub async fn update(
        &self,
        account: AccountId,
        form: &ContactForm,
    ) -> AppResult<ContactOutcome> {
        let mut problems = FieldProblems::new();
        check_contact(
            &form.epost,
            &form.upprepa_epost,
            &form.mobiltelefon,
            &mut problems,
        );
        if !problems.is_empty() {
            return Ok(ContactOutcome::Invalid(problems));
        }
        let Some(before) = self.store.account(account).await? else {
            return Ok(ContactOutcome::NotFound);
        };
        let (email, mobile) = (form.epost.trim(), form.mobiltelefon.trim());
        if before.email == email && before.mobile == mobile {
            return Ok(ContactOutcome::Saved);
        }
        let now = self.clock.now();
        let notice = self.mailer.compose(
            &before.email,
            &ContactDetailsChanged {
                name: before.given_name.clone(),
                changed_at: now
                    .to_zoned_datetime(stockholm())
                    .strftime("%Y-%m-%d %H:%M")
                    .to_string(),
                email: email.to_owned(),
                mobile: mobile.to_owned(),
                email_changed: before.email != email,
            },
        )?;
        if !self
            .store
            .update_contact(account, email, mobile, &Outbox::new().mail(notice), now)
            .await?
        {
            return Ok(ContactOutcome::NotFound);
        }
        self.mailer.wake();
        tracing::info!(%account, "contact details changed");
        Ok(ContactOutcome::Saved)
    }
}

/// What became of the billing-party form.
#[derive(Debug)]
pub enum BillingOutcome {
    Saved,
    /// A message for each field, as in registration step 5; the form as checked ("Använd mina
    /// förskrivaruppgifter" fills in what was left empty).
    Invalid(FieldProblems, Box<BillingForm>),
    /// The account, or its billing party, does not exist.
    NotFound,
}

impl From<&BillingParty> for BillingForm {
    /// The form as it shows a stored billing party, to be edited.
    fn from(b: &BillingParty) -> Self {
        BillingForm {
            anvand_mina_uppgifter: false,
            typ: b.kind.code().to_owned(),
            namn: b.name.clone(),
            identitet: b.identity.clone(),
            adress: b.address.clone(),
            postnummer: b.postal_code.clone(),
            ort: b.city.clone(),
            epost: b.email.clone(),
            referens: b.reference.clone(),
        }
    }
}

/// The account's billing party (betalningsansvarig), as Min profil changes it.
#[derive(Clone)]
pub struct Billing {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl Billing {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    /// The stored billing party; `None` without one.
    pub async fn get(&self, account: AccountId) -> AppResult<Option<BillingParty>> {
        Ok(self.store.billing_party(account).await?)
    }

    /// [Spara] on "Ändra betalningsansvarig": the checks of registration step 5, with the
    /// prescriber's own name, personnummer and e-mail for "Använd mina förskrivaruppgifter".
    pub async fn update(
        &self,
        account: AccountId,
        mut form: BillingForm,
    ) -> AppResult<BillingOutcome> {
        let Some(prescriber) = self.store.account(account).await? else {
            return Ok(BillingOutcome::NotFound);
        };
        let identity = Identity {
            person_number: prescriber.person_number.to_string(),
            given_name: prescriber.given_name.clone(),
            surname: prescriber.surname.clone(),
        };
        let personal = PersonalForm {
            epost: prescriber.email.clone(),
            ..PersonalForm::default()
        };
        let billing = match check_billing(&mut form, &identity, &personal, self.clock.today()) {
            Ok(billing) => billing,
            Err(problems) => return Ok(BillingOutcome::Invalid(problems, Box::new(form))),
        };
        if !self
            .store
            .update_billing_party(account, &billing, self.clock.now())
            .await?
        {
            return Ok(BillingOutcome::NotFound);
        }
        tracing::info!(%account, "billing party changed");
        Ok(BillingOutcome::Saved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_in_the_message_is_the_limit() {
        assert!(TOO_MANY_WORKPLACES.contains(&format!("högst {MAX_WORKPLACES} ")));
    }
}
