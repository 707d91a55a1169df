//! Prescribing (SPEC §3): the draft of a new prescription, sending its items to the national
//! prescription list through the durable job queue, and what follows (history, makulera,
//! förnya, the patient's summary).
//!
//! Sending commits every item as queued, with its idempotency key, its delivery job and the
//! audit entries, in one transaction; the worker then delivers each item ([`delivery`]). The
//! prescriber's click never waits on the national service.

pub mod delivery;
pub mod draft;
pub mod pharmacies;
pub mod request;
mod summary;

use std::sync::Arc;

use erecept_catalog::{Package, Product};
use erecept_domain::clock::Clock;
use erecept_domain::prescription::{self, ItemDraft, ItemError, PatientDraft, ProductFacts, field};
use erecept_domain::{NplId, NplPackId, PersonNumber, WorkplaceCode};
use erecept_nll::EndReason;
use erecept_store::{
    Account, AccountId, AuditEntry, NewJob, NewPrescription, Outbox, Prescription,
    PrescriptionEvent, PrescriptionFilter, PrescriptionPage, PrescriptionStatus, StatusChange,
    Store, StoreError, Workplace,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::drugs::Drugs;
use crate::patients::{PatientLookup, Patients};
use crate::{AppError, AppResult};

pub use draft::{Article, Draft, DraftItem, DraftPatient};

/// The job that delivers one item to the national list; payload `{"prescription_id": …}`.
pub const SEND_JOB: &str = "prescription.send";
/// The job that cancels one item in the national list; payload [`delivery::EndPayload`].
pub const END_JOB: &str = "prescription.end";
/// Attempts of a delivery before a person must look (backoff grows to an hour: about a week).
const DELIVERY_ATTEMPTS: u32 = 180;

/// Form field ids beyond the item's own (see [`field`]).
pub mod form {
    /// The chosen article (package or extempore).
    pub const ARTIKEL: &str = "artikel";
    /// "Patient utan svenskt personnummer".
    pub const UTAN_PERSONNUMMER: &str = "utan_personnummer";
    pub const ARBETSPLATS: &str = "arbetsplats";
    pub const ORSAK: &str = "orsak";
    pub const SAMTYCKE: &str = "samtycke";
}

fn error(field: &'static str, message: &str) -> ItemError {
    ItemError {
        field,
        message: message.to_owned(),
    }
}

/// What the patient step of the form gives.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct PatientInput {
    /// "Patienten saknar svenskt personnummer".
    pub no_number: bool,
    pub person_number: String,
    /// Typed when the name does not come from the population register.
    pub name: String,
    pub birth_date: String,
    /// The chosen pharmacy's GLN.
    pub pharmacy: String,
    /// The workplace prescribed from; the first one when not chosen.
    pub workplace: Option<Uuid>,
    /// For veterinarians: the animal and its owner instead of a human patient.
    pub animal: Option<erecept_domain::prescription::AnimalDraft>,
}

/// The article chosen for an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArticleChoice {
    Package { npl_id: String, npl_pack_id: String },
    Extempore,
}

/// Who prescribed, as printed on the summary and kept with the item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrescriberSnapshot {
    pub name: String,
    pub profession: String,
    pub prescriber_code: String,
    pub workplace_name: String,
    pub workplace_code: String,
    pub workplace_address: String,
    pub workplace_phone: String,
}

/// What the store keeps of an item beside its searchable columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemDocument {
    pub article: Article,
    /// The fields as typed, for the detail page and förnya.
    pub fields: ItemDraft,
    pub patient: DraftPatient,
    pub prescriber: PrescriberSnapshot,
    /// The FHIR MedicationRequest sent, unchanged on every attempt.
    pub request: serde_json::Value,
}

impl ItemDocument {
    pub fn of(prescription: &Prescription) -> AppResult<Self> {
        serde_json::from_value(prescription.document.clone()).map_err(|e| {
            AppError::Store(StoreError::Corrupt(format!(
                "prescription {}: {e}",
                prescription.id
            )))
        })
    }
}

/// The answer of [`Prescribing::send`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// Stored and queued: the items of this batch are on their way.
    Sent(Uuid),
    /// This draft was sent before (a repeated click): nothing new was stored.
    AlreadySent(Uuid),
    /// Items that no longer pass the rules (a new day, a changed register): by position.
    Invalid(Vec<(usize, Vec<ItemError>)>),
    /// No patient, or no item.
    Incomplete(&'static str),
}

/// Why makulera was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelRefusal {
    NotFound,
    /// Not registered, or already cancelled or on its way.
    NotActive,
    Fields(Vec<ItemError>),
}

/// Why förnya was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenewRefusal {
    NotFound,
    /// The draft holds items for another patient; send or empty it first.
    OtherPatientInDraft,
}

/// One item of a prescription, with its timeline.
#[derive(Debug, Clone)]
pub struct ItemDetail {
    pub prescription: Prescription,
    pub document: ItemDocument,
    pub events: Vec<PrescriptionEvent>,
}

/// What the prescription form is written from: the draft, the prescriber and their workplaces.
#[derive(Debug, Clone)]
pub struct Desk {
    pub draft: Draft,
    pub prescriber: Account,
    pub workplaces: Vec<Workplace>,
}

/// The facts the rules need, from the register's product and chosen package.
pub fn facts_of(product: &Product, package: Option<&Package>) -> ProductFacts {
    use erecept_catalog::ProductKind as Kind;
    use prescription::ProductKind;
    let atc = product
        .atc
        .as_ref()
        .map(|a| a.as_str().to_owned())
        .unwrap_or_default();
    ProductFacts {
        kind: match product.kind {
            Kind::Lakemedel => ProductKind::Drug,
            Kind::Livsmedel => ProductKind::Food,
            Kind::Ickelakemedelsvara => ProductKind::NonDrug,
        },
        special_drug_code: product
            .special_drug
            .and_then(|c| prescription::SpecialDrugCode::from_code(c.code())),
        narcotics: product.narcotics_class.is_narcotic(),
        licence_product: product.licence_product,
        restricted_subsidy: false,
        in_benefit_scheme: package.and_then(|p| p.in_benefit_scheme),
        // Antibacterials, antimycotics, antivirals (human J, veterinary QJ ATC groups).
        antimicrobial: [
            "J01", "J02", "J04", "J05", "QJ01", "QJ02", "QJ04", "QJ05", "QJ51",
        ]
        .iter()
        .any(|g| atc.starts_with(g)),
        package_size: package.map(|p| p.size_text.clone()),
    }
}

#[derive(Clone)]
pub struct Prescribing {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    drugs: Drugs,
    patients: Patients,
    jobs_queued: Arc<tokio::sync::Notify>,
}

impl Prescribing {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        drugs: Drugs,
        patients: Patients,
        jobs_queued: Arc<tokio::sync::Notify>,
    ) -> Self {
        Self {
            store,
            clock,
            drugs,
            patients,
            jobs_queued,
        }
    }

    async fn account(&self, account: AccountId) -> AppResult<Account> {
        self.store.account(account).await?.ok_or_else(|| {
            AppError::Store(StoreError::Corrupt(format!("account {account} is missing")))
        })
    }

    fn audit(&self, account: AccountId, patient: &str, action: &str, detail: String) -> AuditEntry {
        AuditEntry {
            id: Uuid::now_v7(),
            at: self.clock.now(),
            account_id: account,
            patient: patient.to_owned(),
            action: action.to_owned(),
            detail,
        }
    }

    /// The draft, the prescriber and the workplaces, read side by side: a page or a click waits
    /// on the slowest read, not on their sum.
    pub async fn desk(&self, account: AccountId) -> AppResult<Desk> {
        let (draft, prescriber, workplaces) =
            tokio::try_join!(self.draft(account), self.account(account), async {
                Ok(self.store.workplaces(account).await?)
            },)?;
        Ok(Desk {
            draft,
            prescriber,
            workplaces,
        })
    }

    /// The account's draft, or a new empty one.
    pub async fn draft(&self, account: AccountId) -> AppResult<Draft> {
        Ok(match self.store.prescription_draft(account).await? {
            Some(value) => serde_json::from_value(value).unwrap_or_else(|error| {
                // A draft of an older shape is started anew rather than blocking the page; it
                // is still in the store until the new one is saved.
                tracing::warn!(%account, %error, "prescription draft unreadable, started anew");
                Draft::new()
            }),
            None => Draft::new(),
        })
    }

    async fn save(&self, account: AccountId, draft: &Draft) -> AppResult<()> {
        let value = serde_json::to_value(draft)
            .map_err(|e| AppError::Store(StoreError::Corrupt(format!("draft: {e}"))))?;
        self.store
            .save_prescription_draft(account, &value, self.clock.now())
            .await?;
        Ok(())
    }

    /// Empties the draft ("Töm receptet").
    pub async fn discard_draft(&self, account: AccountId) -> AppResult<()> {
        self.store.delete_prescription_draft(account).await?;
        Ok(())
    }

    /// "Ange patientuppgifter": checks the number at once, asks the population register when
    /// the prescriber has the add-on (recorded in the audit log), and keeps the patient in the
    /// draft.
    pub async fn set_patient(
        &self,
        account: AccountId,
        input: &PatientInput,
    ) -> AppResult<Result<DraftPatient, Vec<ItemError>>> {
        let today = self.clock.today();
        let veterinarian = self.account(account).await?.profession.is_veterinarian();
        let patient = if let Some(animal) = input.animal.as_ref().filter(|_| veterinarian) {
            // The product is not chosen yet: the antimicrobial purpose is checked per item.
            if let Err(errors) =
                prescription::AnimalPrescription::parse(animal, &ProductFacts::default(), today)
            {
                return Ok(Err(errors));
            }
            if !animal.receiving_pharmacy.trim().is_empty()
                && pharmacies::by_gln(&animal.receiving_pharmacy).is_none()
            {
                return Ok(Err(vec![error(
                    field::MOTTAGANDE_APOTEK,
                    "Välj ett apotek i listan.",
                )]));
            }
            DraftPatient::Animal {
                animal: erecept_domain::prescription::AnimalDraft {
                    antimicrobial_purpose: String::new(),
                    off_label: false,
                    ..animal.clone()
                },
            }
        } else if veterinarian {
            return Ok(Err(vec![error(
                field::DJURSLAG,
                "Veterinärer kan bara förskriva för djur: ange djuret och djurägaren.",
            )]));
        } else if input.no_number {
            let draft = PatientDraft {
                person_number: String::new(),
                name: input.name.clone(),
                birth_date: input.birth_date.clone(),
                pharmacy: input.pharmacy.clone(),
            };
            let mut errors = match prescription::Patient::parse(&draft, today) {
                Ok(_) => Vec::new(),
                Err(errors) => errors,
            };
            if !input.pharmacy.trim().is_empty() && pharmacies::by_gln(&input.pharmacy).is_none() {
                errors.push(error(field::APOTEK, "Välj ett apotek i listan."));
            }
            if !errors.is_empty() {
                return Ok(Err(errors));
            }
            DraftPatient::Unidentified {
                name: input.name.trim().to_owned(),
                birth_date: input.birth_date.trim().to_owned(),
                pharmacy: input.pharmacy.trim().to_owned(),
            }
        } else {
            let number = match PersonNumber::parse(input.person_number.trim(), today) {
                Ok(n) => n,
                Err(e) => return Ok(Err(vec![error(field::PERSONNUMMER, &e.to_string())])),
            };
            let typed_name = input.name.trim();
            match self.patients.lookup(account, &number).await? {
                found @ (PatientLookup::Deceased | PatientLookup::Unknown) => {
                    let message = found.message().unwrap_or_default();
                    return Ok(Err(vec![error(field::PERSONNUMMER, message)]));
                }
                PatientLookup::Found { name, address } => DraftPatient::Identified {
                    number: number.as_12_digits(),
                    name,
                    address,
                    protected: false,
                    from_register: true,
                },
                PatientLookup::Protected => DraftPatient::Identified {
                    number: number.as_12_digits(),
                    name: String::new(),
                    address: Vec::new(),
                    protected: true,
                    from_register: true,
                },
                lookup @ (PatientLookup::WithoutAddon | PatientLookup::Unavailable) => {
                    if typed_name.is_empty() {
                        let message = lookup.message().unwrap_or("Skriv patientens namn.");
                        return Ok(Err(vec![error(field::PATIENT_NAMN, message)]));
                    }
                    if typed_name.chars().count() > 200 {
                        return Ok(Err(vec![error(
                            field::PATIENT_NAMN,
                            "Namnet får vara högst 200 tecken.",
                        )]));
                    }
                    DraftPatient::Identified {
                        number: number.as_12_digits(),
                        name: typed_name.to_owned(),
                        address: Vec::new(),
                        protected: false,
                        from_register: false,
                    }
                }
            }
        };
        let workplaces = self.store.workplaces(account).await?;
        let mut draft = self.draft(account).await?;
        draft.workplace = match input.workplace {
            Some(id) if workplaces.iter().any(|w| w.id == id) => Some(id),
            Some(_) => {
                return Ok(Err(vec![error(
                    form::ARBETSPLATS,
                    "Välj en av dina arbetsplatser.",
                )]));
            }
            None => draft
                .workplace
                .filter(|id| workplaces.iter().any(|w| w.id == *id))
                .or_else(|| workplaces.first().map(|w| w.id)),
        };
        draft.patient = Some(patient.clone());
        self.save(account, &draft).await?;
        Ok(Ok(patient))
    }

    /// The product and package an article names, from the register in use.
    fn resolve(&self, choice: &ArticleChoice) -> Result<(Article, ProductFacts), ItemError> {
        let ArticleChoice::Package {
            npl_id,
            npl_pack_id,
        } = choice
        else {
            return Ok((
                Article::Extempore,
                ProductFacts {
                    package_size: None,
                    ..ProductFacts::default()
                },
            ));
        };
        let missing = || {
            error(
                form::ARTIKEL,
                "Förpackningen finns inte i läkemedelsregistret. Sök och välj produkten igen.",
            )
        };
        let (Ok(npl_id), Ok(pack_id)) = (NplId::parse(npl_id), NplPackId::parse(npl_pack_id))
        else {
            return Err(missing());
        };
        let snapshot = self.drugs.snapshot();
        let product = snapshot.catalog.get(&npl_id).ok_or_else(missing)?;
        let package = product.package(&pack_id).ok_or_else(missing)?;
        if product.withdrawn || !package.available {
            return Err(error(
                form::ARTIKEL,
                "Förpackningen är avregistrerad eller utgången och kan inte förskrivas. Välj en annan förpackning.",
            ));
        }
        let name = [
            product.name.as_str(),
            product.strength.as_str(),
            product.form.as_str(),
        ]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
        Ok((
            Article::Package {
                npl_id: product.npl_id.as_str().to_owned(),
                npl_pack_id: package.npl_pack_id.as_str().to_owned(),
                varunummer: package.varunummer.as_ref().map(|v| v.as_str().to_owned()),
                name,
                package_text: package.size_text.clone(),
            },
            facts_of(product, Some(package)),
        ))
    }

    /// The facts of a chosen article, for the form (e.g. whether it may be iterated).
    pub fn article(&self, choice: &ArticleChoice) -> Result<(Article, ProductFacts), ItemError> {
        self.resolve(choice)
    }

    /// Checks an item against every rule and adds it to the draft (or replaces item `replace`).
    pub async fn add_item(
        &self,
        account: AccountId,
        choice: &ArticleChoice,
        fields: ItemDraft,
        replace: Option<usize>,
    ) -> AppResult<Result<(), Vec<ItemError>>> {
        let prescriber = self.account(account).await?;
        let mut draft = self.draft(account).await?;
        let Some(patient) = draft.patient.clone() else {
            return Ok(Err(vec![error(
                field::PERSONNUMMER,
                "Ange patienten innan du lägger till läkemedel.",
            )]));
        };
        let (article, facts) = match self.resolve(choice) {
            Ok(found) => found,
            Err(e) => return Ok(Err(vec![e])),
        };
        let mut fields = fields;
        fields.recipient = patient.recipient(&fields.recipient);
        if let Err(errors) =
            prescription::validate(&fields, &facts, prescriber.profession, self.clock.today())
        {
            return Ok(Err(errors));
        }
        let item = DraftItem { article, fields };
        match replace {
            Some(i) if i < draft.items.len() => draft.items[i] = item,
            _ => draft.items.push(item),
        }
        self.save(account, &draft).await?;
        Ok(Ok(()))
    }

    /// Takes item `index` out of the draft.
    pub async fn remove_item(&self, account: AccountId, index: usize) -> AppResult<()> {
        let mut draft = self.draft(account).await?;
        if index < draft.items.len() {
            draft.items.remove(index);
            self.save(account, &draft).await?;
        }
        Ok(())
    }

    /// "Skicka recept": every item is checked again (today's date, the register now), then
    /// all are stored as queued with their delivery jobs in one transaction.
    pub async fn send(&self, account: AccountId, draft_id: Uuid) -> AppResult<SendOutcome> {
        // Independent reads, side by side: the click waits on the slowest, not on their sum.
        let (draft, prescriber, workplaces) =
            tokio::try_join!(self.draft(account), self.account(account), async {
                Ok(self.store.workplaces(account).await?)
            },)?;
        if draft.id != draft_id {
            let sent = self.store.prescription_batch(draft_id).await?;
            if sent.iter().any(|p| p.account_id == account) {
                return Ok(SendOutcome::AlreadySent(draft_id));
            }
            return Ok(SendOutcome::Incomplete(
                "Receptet har ändrats i ett annat fönster. Granska det och skicka igen.",
            ));
        }
        let Some(patient) = draft.patient.clone() else {
            return Ok(SendOutcome::Incomplete("Ange patienten först."));
        };
        if draft.items.is_empty() {
            return Ok(SendOutcome::Incomplete(
                "Lägg till minst ett läkemedel innan du skickar.",
            ));
        }
        let workplace = draft
            .workplace
            .and_then(|id| workplaces.iter().find(|w| w.id == id))
            .or_else(|| workplaces.first());
        let today = self.clock.today();
        let now = self.clock.now();
        let authored_on = self
            .clock
            .now_zoned()
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string();
        let snapshot = PrescriberSnapshot {
            name: format!("{} {}", prescriber.given_name, prescriber.surname),
            profession: prescriber.profession.name().to_owned(),
            prescriber_code: prescriber.prescriber_code.as_str().to_owned(),
            workplace_name: workplace.map(|w| w.name.clone()).unwrap_or_default(),
            workplace_code: workplace
                .map(|w| w.code.as_str().to_owned())
                .unwrap_or_default(),
            workplace_address: workplace
                .map(|w| format!("{}, {} {}", w.address, w.postal_code, w.city))
                .unwrap_or_default(),
            workplace_phone: workplace.map(|w| w.phone.clone()).unwrap_or_default(),
        };
        let workplace_code: Option<&WorkplaceCode> = workplace.map(|w| &w.code);
        let requester = request::Requester {
            code: &prescriber.prescriber_code,
            profession: prescriber.profession,
            workplace: workplace_code,
        };

        let mut invalid = Vec::new();
        let mut items = Vec::new();
        let mut audit = Vec::new();
        let mut outbox = Outbox::new();
        for (position, item) in draft.items.iter().enumerate() {
            let choice = match &item.article {
                Article::Package {
                    npl_id,
                    npl_pack_id,
                    ..
                } => ArticleChoice::Package {
                    npl_id: npl_id.clone(),
                    npl_pack_id: npl_pack_id.clone(),
                },
                Article::Extempore => ArticleChoice::Extempore,
            };
            let (article, facts) = match self.resolve(&choice) {
                Ok(found) => found,
                Err(e) => {
                    invalid.push((position, vec![e]));
                    continue;
                }
            };
            let mut fields = item.fields.clone();
            fields.recipient = patient.recipient(&fields.recipient);
            let validated =
                match prescription::validate(&fields, &facts, prescriber.profession, today) {
                    Ok(v) => v,
                    Err(errors) => {
                        invalid.push((position, errors));
                        continue;
                    }
                };
            let request =
                request::medication_request(&validated, &article, &requester, &authored_on);
            let id = Uuid::now_v7();
            let product_name = article.display(&fields);
            let document = ItemDocument {
                article,
                fields,
                patient: patient.clone(),
                prescriber: snapshot.clone(),
                request: serde_json::to_value(erecept_nll::fhir::Resource::MedicationRequest(
                    Box::new(request),
                ))
                .map_err(|e| AppError::Store(StoreError::Corrupt(format!("request: {e}"))))?,
            };
            audit.push(self.audit(
                account,
                &patient.key(),
                "prescription.send",
                format!("Recept skapat och köat: {product_name}"),
            ));
            let mut job = NewJob::new(
                SEND_JOB,
                serde_json::json!({ "prescription_id": id }),
                format!("{SEND_JOB}:{id}"),
                now,
            );
            job.max_attempts = DELIVERY_ATTEMPTS;
            outbox = outbox.job(job);
            items.push(NewPrescription {
                id,
                account_id: account,
                batch_id: draft.id,
                position: u32::try_from(position).unwrap_or(u32::MAX),
                patient_key: patient.key(),
                patient_name: patient.shown_name(),
                product_name,
                issued_on: today,
                idempotency_key: format!("rx:{id}"),
                document: serde_json::to_value(&document)
                    .map_err(|e| AppError::Store(StoreError::Corrupt(format!("item: {e}"))))?,
            });
        }
        if !invalid.is_empty() {
            return Ok(SendOutcome::Invalid(invalid));
        }
        match self
            .store
            .submit_prescriptions(&items, &audit, &outbox, now)
            .await
        {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => return Ok(SendOutcome::AlreadySent(draft.id)),
            Err(e) => return Err(e.into()),
        }
        self.jobs_queued.notify_one();
        Ok(SendOutcome::Sent(draft.id))
    }

    /// The items of a batch the account sent, in order (empty when not theirs). `record` writes
    /// the look to the audit log (not done for the page's own status refreshes).
    pub async fn batch(
        &self,
        account: AccountId,
        batch: Uuid,
        record: bool,
    ) -> AppResult<Vec<Prescription>> {
        let items: Vec<Prescription> = self
            .store
            .prescription_batch(batch)
            .await?
            .into_iter()
            .filter(|p| p.account_id == account)
            .collect();
        if let (true, Some(first)) = (record, items.first()) {
            self.store
                .record_audit(&self.audit(
                    account,
                    &first.patient_key,
                    "prescription.view",
                    format!("Visade skickade recept ({} st)", items.len()),
                ))
                .await?;
        }
        Ok(items)
    }

    /// One of the account's items with its timeline; the look is recorded.
    pub async fn detail(&self, account: AccountId, id: Uuid) -> AppResult<Option<ItemDetail>> {
        let Some(prescription) = self.store.prescription(id).await? else {
            return Ok(None);
        };
        if prescription.account_id != account {
            return Ok(None);
        }
        let document = ItemDocument::of(&prescription)?;
        let events = self.store.prescription_events(id).await?;
        self.store
            .record_audit(&self.audit(
                account,
                &prescription.patient_key,
                "prescription.view",
                format!("Visade recept: {}", prescription.product_name),
            ))
            .await?;
        Ok(Some(ItemDetail {
            prescription,
            document,
            events,
        }))
    }

    /// "Mina recept": the account's own items, newest first. A search by patient is recorded.
    pub async fn history(
        &self,
        account: AccountId,
        filter: &PrescriptionFilter,
        offset: u64,
        limit: u32,
    ) -> AppResult<PrescriptionPage> {
        let page = self
            .store
            .search_prescriptions(account, filter, offset, limit)
            .await?;
        if !filter.patient.trim().is_empty() {
            self.store
                .record_audit(&self.audit(
                    account,
                    filter.patient.trim(),
                    "prescription.search",
                    format!("Sökte i Mina recept: {} träffar", page.total),
                ))
                .await?;
        }
        Ok(page)
    }

    /// Makulera: checks the reason and the patient's consent, then queues the `$end` call.
    pub async fn cancel(
        &self,
        account: AccountId,
        id: Uuid,
        reason: &str,
        patient_informed: bool,
    ) -> AppResult<Result<(), CancelRefusal>> {
        let Some(prescription) = self.store.prescription(id).await? else {
            return Ok(Err(CancelRefusal::NotFound));
        };
        if prescription.account_id != account {
            return Ok(Err(CancelRefusal::NotFound));
        }
        let Some(reason) = EndReason::parse(reason) else {
            return Ok(Err(CancelRefusal::Fields(vec![error(
                form::ORSAK,
                "Välj orsak till makuleringen.",
            )])));
        };
        if reason != EndReason::WrongPatient && !patient_informed {
            return Ok(Err(CancelRefusal::Fields(vec![error(
                form::SAMTYCKE,
                "Patienten ska vara informerad om makuleringen. Kryssa i rutan när du har informerat patienten.",
            )])));
        }
        let (true, Some(national_id)) = (
            prescription.status.is_active(),
            prescription.national_id.clone(),
        ) else {
            return Ok(Err(CancelRefusal::NotActive));
        };
        let now = self.clock.now();
        let payload = delivery::EndPayload {
            prescription_id: id,
            national_id,
            reason,
            previous: prescription.status.as_str().to_owned(),
        };
        let mut job = NewJob::new(
            END_JOB,
            serde_json::to_value(&payload)
                .map_err(|e| AppError::Store(StoreError::Corrupt(format!("end job: {e}"))))?,
            format!("{END_JOB}:{id}:{}", Uuid::now_v7()),
            now,
        );
        job.max_attempts = DELIVERY_ATTEMPTS;
        let changed = self
            .store
            .change_prescription_status(
                &StatusChange {
                    id,
                    from: vec![
                        PrescriptionStatus::Registered,
                        PrescriptionStatus::RegisteredWithWarnings,
                    ],
                    to: PrescriptionStatus::CancelPending,
                    national_id: None,
                    messages: None,
                    text: format!("Makulering begärd. Orsak: {}.", reason.swedish()),
                },
                &[self.audit(
                    account,
                    &prescription.patient_key,
                    "prescription.cancel",
                    format!(
                        "Makulering begärd: {} ({})",
                        prescription.product_name,
                        reason.swedish()
                    ),
                )],
                &Outbox::new().job(job),
                now,
            )
            .await?;
        if !changed {
            return Ok(Err(CancelRefusal::NotActive));
        }
        self.jobs_queued.notify_one();
        Ok(Ok(()))
    }

    /// Förnya: the item's article and fields go into the draft as a new item (validity and
    /// issue date are set anew when it is sent).
    pub async fn renew(&self, account: AccountId, id: Uuid) -> AppResult<Result<(), RenewRefusal>> {
        let Some(prescription) = self.store.prescription(id).await? else {
            return Ok(Err(RenewRefusal::NotFound));
        };
        if prescription.account_id != account {
            return Ok(Err(RenewRefusal::NotFound));
        }
        let document = ItemDocument::of(&prescription)?;
        let mut draft = self.draft(account).await?;
        match &draft.patient {
            Some(p) if p.key() != document.patient.key() && !draft.items.is_empty() => {
                return Ok(Err(RenewRefusal::OtherPatientInDraft));
            }
            _ => draft.patient = Some(document.patient.clone()),
        }
        let mut fields = document.fields.clone();
        fields.valid_until = String::new();
        if let Some(dose) = fields.dose.as_mut() {
            dose.start_date = String::new();
        }
        draft.items.push(DraftItem {
            article: document.article.clone(),
            fields,
        });
        self.save(account, &draft).await?;
        self.store
            .record_audit(&self.audit(
                account,
                &prescription.patient_key,
                "prescription.renew",
                format!("Förnyelse påbörjad: {}", prescription.product_name),
            ))
            .await?;
        Ok(Ok(()))
    }

    /// The patient's summary of a sent batch, as PDF; the look is recorded.
    pub async fn summary_pdf(&self, account: AccountId, batch: Uuid) -> AppResult<Option<Vec<u8>>> {
        let items = self.batch(account, batch, false).await?;
        let Some(first) = items.first() else {
            return Ok(None);
        };
        let mut documents = Vec::with_capacity(items.len());
        for item in &items {
            documents.push((item.clone(), ItemDocument::of(item)?));
        }
        self.store
            .record_audit(&self.audit(
                account,
                &first.patient_key,
                "prescription.summary",
                "Skrev ut receptsammanfattning (PDF)".to_owned(),
            ))
            .await?;
        Ok(Some(summary::pdf(&documents)))
    }

    /// The account's own audit entries, newest first.
    pub async fn audit_log(&self, account: AccountId, limit: u32) -> AppResult<Vec<AuditEntry>> {
        Ok(self.store.audit_of_account(account, limit).await?)
    }
}
