//! Prescribing on screen (SPEC §3): "Nytt recept" with the patient, the product search and the
//! item form; the status of what was sent; "Mina recept" with detail, makulera and förnya; the
//! patient's summary as PDF; and the prescriber's own audit log.
//!
//! Every page is an ordinary form without JavaScript; htmx only replaces the search hits while
//! typing and refreshes the statuses of items on their way.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use erecept_app::prescribing::{
    ArticleChoice, CancelRefusal, Desk, DraftPatient, ItemDocument, PatientInput, RenewRefusal,
    SendOutcome, form, pharmacies,
};
use erecept_domain::prescription::{
    AnimalDraft, DoseDraft, ExtemporeDraft, IngredientDraft, IntakeDraft, ItemDraft, ItemError,
    RecipientDraft, field,
};
use erecept_nll::{EndReason, Issue};
use erecept_store::{AccountId, Prescription, PrescriptionFilter, PrescriptionStatus};
use serde::Deserialize;
use uuid::Uuid;

use crate::drugs::{self, HitsFragment, SearchQuery};
use crate::pages::{message_page, not_found, render, server_error};
use crate::session::Prescriber;
use crate::{Chrome, FieldErrors, Page, WebState};

/// Rows of intake times and of extempore ingredients the form offers.
const INTAKE_ROWS: usize = 4;
const INGREDIENT_ROWS: usize = 5;
/// Items per page of "Mina recept".
const PAGE_SIZE: u32 = 25;

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/recept/nytt", get(new_page))
        .route("/recept/nytt/traffar", get(hits))
        .route("/recept/nytt/patient", post(set_patient))
        .route("/recept/nytt/artikel", get(item_form).post(item_submit))
        .route("/recept/nytt/ta-bort/{index}", post(remove_item))
        .route("/recept/nytt/tom", post(discard))
        .route("/recept/nytt/skicka", post(send))
        .route("/recept/skickat/{batch}", get(sent_page))
        .route("/recept/skickat/{batch}/status", get(sent_status))
        .route("/recept/skickat/{batch}/sammanfattning.pdf", get(summary))
        .route("/recept", get(history))
        .route("/recept/{id}", get(detail))
        .route("/recept/{id}/makulera", post(cancel))
        .route("/recept/{id}/fornya", post(renew))
        .route("/logg", get(audit_log))
}

fn errors_of(list: &[ItemError]) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for e in list {
        errors.add(e.field, e.message.clone());
    }
    errors
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

fn choices(list: &[(&str, &str)], current: &str) -> Vec<Choice> {
    list.iter()
        .map(|(value, label)| Choice {
            value: (*value).to_owned(),
            label: (*label).to_owned(),
            selected: *value == current,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Nytt recept

/// The patient form as typed (or as the draft holds it).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct PatientForm {
    personnummer: String,
    patient_namn: String,
    utan_personnummer: Option<String>,
    patient_fodelsedatum: String,
    apotek: String,
    arbetsplats: String,
    /// The veterinarian's form: "ja".
    djur: String,
    djurslag: String,
    djurkategori: String,
    djur_id: String,
    agare_namn: String,
    agare_nummer: String,
    agare_fodelsedatum: String,
    agare_adress: String,
    mottagande_apotek: String,
}

impl PatientForm {
    fn animal(&self) -> Option<AnimalDraft> {
        (self.djur == "ja").then(|| AnimalDraft {
            species: self.djurslag.clone(),
            scope: self.djurkategori.clone(),
            animal_id: self.djur_id.clone(),
            owner_name: self.agare_namn.clone(),
            owner_number: self.agare_nummer.clone(),
            owner_birth_date: self.agare_fodelsedatum.clone(),
            owner_address: self.agare_adress.clone(),
            receiving_pharmacy: self.mottagande_apotek.clone(),
            antimicrobial_purpose: String::new(),
            off_label: false,
        })
    }

    fn of(patient: Option<&DraftPatient>) -> Self {
        match patient {
            Some(DraftPatient::Animal { animal }) => Self {
                djur: "ja".to_owned(),
                djurslag: animal.species.clone(),
                djurkategori: animal.scope.clone(),
                djur_id: animal.animal_id.clone(),
                agare_namn: animal.owner_name.clone(),
                agare_nummer: animal.owner_number.clone(),
                agare_fodelsedatum: animal.owner_birth_date.clone(),
                agare_adress: animal.owner_address.clone(),
                mottagande_apotek: animal.receiving_pharmacy.clone(),
                ..Self::default()
            },
            Some(DraftPatient::Identified {
                number,
                name,
                from_register,
                ..
            }) => Self {
                personnummer: number.clone(),
                patient_namn: if *from_register {
                    String::new()
                } else {
                    name.clone()
                },
                ..Self::default()
            },
            Some(DraftPatient::Unidentified {
                name,
                birth_date,
                pharmacy,
            }) => Self {
                utan_personnummer: Some("ja".to_owned()),
                patient_namn: name.clone(),
                patient_fodelsedatum: birth_date.clone(),
                apotek: pharmacy.clone(),
                ..Self::default()
            },
            None => Self::default(),
        }
    }
}

/// An item of the draft as the list shows it.
struct ItemView {
    article: String,
    dosage: String,
    purpose: String,
    amount: String,
    dispensings: String,
}

fn amount_text(fields: &ItemDraft) -> String {
    if !fields.package_count.trim().is_empty() {
        format!("{} förp.", fields.package_count.trim())
    } else {
        format!(
            "{} {}",
            fields.total_amount.trim(),
            fields.total_unit.trim()
        )
    }
}

fn dispensings_text(fields: &ItemDraft) -> String {
    let count = match fields.dispensings.trim() {
        "" => "1",
        n => n,
    };
    match fields.interval.trim() {
        "" => format!("{count} uttag"),
        i => format!(
            "{count} uttag, intervall {i} {}",
            if fields.interval_unit == "veckor" {
                "veckor"
            } else {
                "dagar"
            }
        ),
    }
}

#[derive(Template)]
#[template(path = "prescription_new.html")]
struct NewPrescription {
    chrome: Chrome,
    errors: FieldErrors,
    notice: String,
    draft_id: String,
    patient: Option<PatientSummary>,
    form: PatientForm,
    workplaces: Vec<Choice>,
    pharmacies: Vec<Choice>,
    veterinarian: bool,
    scopes: Vec<Choice>,
    receiving_pharmacies: Vec<Choice>,
    items: Vec<ItemView>,
    query: String,
    include_unavailable: bool,
    hits: Vec<drugs::HitView>,
    limit: usize,
    choose: bool,
}

struct PatientSummary {
    name: String,
    identity: String,
    address: Vec<String>,
    protected: bool,
    register: bool,
    pharmacy: String,
}

fn summary_of(patient: &DraftPatient) -> PatientSummary {
    PatientSummary {
        name: patient.shown_name(),
        identity: patient.shown_identity(),
        address: match patient {
            DraftPatient::Identified { address, .. } => address.clone(),
            DraftPatient::Animal { animal } if !animal.owner_address.trim().is_empty() => {
                vec![animal.owner_address.trim().to_owned()]
            }
            DraftPatient::Unidentified { .. } | DraftPatient::Animal { .. } => Vec::new(),
        },
        protected: matches!(
            patient,
            DraftPatient::Identified {
                protected: true,
                ..
            }
        ),
        register: matches!(
            patient,
            DraftPatient::Identified {
                from_register: true,
                ..
            }
        ),
        pharmacy: match patient {
            DraftPatient::Unidentified { pharmacy, .. } => pharmacies::by_gln(pharmacy)
                .map(|p| p.label())
                .unwrap_or_default(),
            DraftPatient::Animal { animal } => pharmacies::by_gln(&animal.receiving_pharmacy)
                .map(|p| p.label())
                .unwrap_or_default(),
            DraftPatient::Identified { .. } => String::new(),
        },
    }
}

#[allow(clippy::too_many_arguments)]
async fn render_new(
    state: &WebState,
    page: &Page,
    id: AccountId,
    form: Option<PatientForm>,
    errors: FieldErrors,
    notice: String,
    query: &SearchQuery,
) -> Response {
    let Desk {
        draft,
        prescriber,
        workplaces,
    } = match state.app.prescribing.desk(id).await {
        Ok(desk) => desk,
        Err(e) => return server_error(state, page, &e.to_string()),
    };
    let chosen = draft
        .workplace
        .or_else(|| workplaces.first().map(|w| w.id))
        .map(|u| u.to_string())
        .unwrap_or_default();
    let form = form.unwrap_or_else(|| PatientForm::of(draft.patient.as_ref()));
    let workplaces = workplaces
        .iter()
        .map(|w| Choice {
            value: w.id.to_string(),
            label: format!("{} ({})", w.name, w.code.as_str()),
            selected: w.id.to_string() == chosen,
        })
        .collect();
    let mut pharmacy_choices = vec![Choice {
        value: String::new(),
        label: "Välj apotek".to_owned(),
        selected: form.apotek.is_empty(),
    }];
    pharmacy_choices.extend(pharmacies::PHARMACIES.iter().map(|p| Choice {
        value: p.gln.to_owned(),
        label: p.label(),
        selected: p.gln == form.apotek,
    }));
    let veterinarian = prescriber.profession.is_veterinarian();
    let scopes = choices(
        &[
            ("", "Välj"),
            ("individ", "Individ"),
            ("grupp", "Grupp"),
            ("besattning", "Besättning"),
        ],
        &form.djurkategori,
    );
    let mut receiving_pharmacies = vec![Choice {
        value: String::new(),
        label: "Inget särskilt apotek".to_owned(),
        selected: form.mottagande_apotek.is_empty(),
    }];
    receiving_pharmacies.extend(pharmacies::PHARMACIES.iter().map(|p| Choice {
        value: p.gln.to_owned(),
        label: p.label(),
        selected: p.gln == form.mottagande_apotek,
    }));
    let (hits, _) = if draft.patient.is_some() && !query.q.trim().is_empty() {
        match drugs::search(state, page, query).await {
            Ok(found) => found,
            Err(response) => return response,
        }
    } else {
        (Vec::new(), String::new())
    };
    render(&NewPrescription {
        chrome: Chrome::new(state, page, "recept"),
        errors,
        notice,
        draft_id: draft.id.to_string(),
        patient: draft.patient.as_ref().map(summary_of),
        form,
        workplaces,
        pharmacies: pharmacy_choices,
        veterinarian,
        scopes,
        receiving_pharmacies,
        items: draft
            .items
            .iter()
            .map(|item| ItemView {
                article: item.article.display(&item.fields),
                dosage: item.fields.dosage.clone(),
                purpose: item.fields.purpose.clone(),
                amount: amount_text(&item.fields),
                dispensings: dispensings_text(&item.fields),
            })
            .collect(),
        query: query.q.clone(),
        include_unavailable: query.ej_tillgangliga.is_some(),
        hits,
        limit: drugs::LIMIT,
        choose: true,
    })
}

async fn new_page(
    State(state): State<WebState>,
    page: Page,
    Prescriber(id): Prescriber,
    Query(query): Query<SearchQuery>,
) -> Response {
    render_new(
        &state,
        &page,
        id,
        None,
        FieldErrors::default(),
        String::new(),
        &query,
    )
    .await
}

/// The hits of the search in the prescription form (htmx while typing).
async fn hits(
    State(state): State<WebState>,
    page: Page,
    Query(query): Query<SearchQuery>,
) -> Response {
    match drugs::search(&state, &page, &query).await {
        Ok((hits, _)) => render(&HitsFragment {
            query: query.q,
            hits,
            limit: drugs::LIMIT,
            choose: true,
        }),
        Err(response) => response,
    }
}

async fn set_patient(
    State(state): State<WebState>,
    page: Page,
    Prescriber(id): Prescriber,
    Form(form): Form<PatientForm>,
) -> Response {
    let input = PatientInput {
        no_number: form.utan_personnummer.is_some(),
        person_number: form.personnummer.clone(),
        name: form.patient_namn.clone(),
        birth_date: form.patient_fodelsedatum.clone(),
        pharmacy: form.apotek.clone(),
        workplace: form.arbetsplats.parse().ok(),
        animal: form.animal(),
    };
    match state.app.prescribing.set_patient(id, &input).await {
        Ok(Ok(_)) => Redirect::to("/recept/nytt#lakemedel").into_response(),
        Ok(Err(errors)) => {
            render_new(
                &state,
                &page,
                id,
                Some(form),
                errors_of(&errors),
                String::new(),
                &SearchQuery::default(),
            )
            .await
        }
        Err(e) => server_error(&state, &page, &e.to_string()),
    }
}

async fn remove_item(
    State(state): State<WebState>,
    page: Page,
    Prescriber(id): Prescriber,
    Path(index): Path<usize>,
) -> Response {
    match state.app.prescribing.remove_item(id, index).await {
        Ok(()) => Redirect::to("/recept/nytt").into_response(),
        Err(e) => server_error(&state, &page, &e.to_string()),
    }
}

async fn discard(
    State(state): State<WebState>,
    page: Page,
    Prescriber(id): Prescriber,
) -> Response {
    match state.app.prescribing.discard_draft(id).await {
        Ok(()) => Redirect::to("/recept/nytt").into_response(),
        Err(e) => server_error(&state, &page, &e.to_string()),
    }
}

#[derive(Debug, Deserialize)]
struct SendForm {
    utkast: String,
}

async fn send(
    State(state): State<WebState>,
    page: Page,
    Prescriber(id): Prescriber,
    Form(form): Form<SendForm>,
) -> Response {
    let Ok(draft_id) = form.utkast.parse::<Uuid>() else {
        return Redirect::to("/recept/nytt").into_response();
    };
    let outcome = match state.app.prescribing.send(id, draft_id).await {
        Ok(o) => o,
        Err(e) => return server_error(&state, &page, &e.to_string()),
    };
    let (errors, notice) = match outcome {
        SendOutcome::Sent(batch) | SendOutcome::AlreadySent(batch) => {
            return Redirect::to(&format!("/recept/skickat/{batch}")).into_response();
        }
        SendOutcome::Incomplete(message) => (FieldErrors::default(), message.to_owned()),
        SendOutcome::Invalid(list) => {
            let draft = state.app.prescribing.draft(id).await.unwrap_or_default();
            let mut errors = FieldErrors::default();
            for (position, item_errors) in list {
                let name = draft
                    .items
                    .get(position)
                    .map(|i| i.article.display(&i.fields))
                    .unwrap_or_default();
                let messages: Vec<String> = item_errors.iter().map(|e| e.message.clone()).collect();
                errors.add(
                    ITEM_ANCHORS.get(position).copied().unwrap_or("lakemedel"),
                    format!("{name}: {} Ändra raden.", messages.join(" ")),
                );
            }
            (errors, String::new())
        }
    };
    render_new(
        &state,
        &page,
        id,
        None,
        errors,
        notice,
        &SearchQuery::default(),
    )
    .await
}

/// Anchors of the draft's item rows, for the error summary's links.
const ITEM_ANCHORS: [&str; 20] = [
    "rad-0", "rad-1", "rad-2", "rad-3", "rad-4", "rad-5", "rad-6", "rad-7", "rad-8", "rad-9",
    "rad-10", "rad-11", "rad-12", "rad-13", "rad-14", "rad-15", "rad-16", "rad-17", "rad-18",
    "rad-19",
];

// ---------------------------------------------------------------------------------------------
// The item form

#[derive(Debug, Default, Deserialize)]
struct ItemQuery {
    #[serde(default)]
    npl: String,
    #[serde(default)]
    paket: String,
    #[serde(default)]
    extempore: Option<String>,
    /// Edit this row of the draft.
    #[serde(default)]
    rad: Option<usize>,
}

struct Row {
    id_suffix: String,
    a: String,
    b: String,
    c: String,
}

#[derive(Template)]
#[template(path = "prescription_item.html")]
struct ItemForm {
    chrome: Chrome,
    errors: FieldErrors,
    article: String,
    facts: Vec<String>,
    npl: String,
    paket: String,
    extempore: bool,
    row: String,
    patient: String,
    item: ItemDraft,
    benefit: String,
    interval_units: Vec<Choice>,
    dose: bool,
    dose_start: String,
    intakes: Vec<Row>,
    ingredients: Vec<Row>,
    extempore_form: String,
    restricted: bool,
    conditions_met: bool,
    /// The item is for an animal: antimicrobial purpose and off-label use are asked.
    animal: bool,
    purposes: Vec<Choice>,
    off_label: bool,
    dispensings_hint: &'static str,
}

fn rows<T>(list: &[T], count: usize, cells: impl Fn(&T) -> (String, String, String)) -> Vec<Row> {
    (0..count.max(list.len()))
        .map(|i| {
            let (a, b, c) = list.get(i).map(&cells).unwrap_or_default();
            Row {
                id_suffix: if i == 0 {
                    String::new()
                } else {
                    format!("-{}", i + 1)
                },
                a,
                b,
                c,
            }
        })
        .collect()
}

fn choice_of(query: &ItemQuery) -> ArticleChoice {
    if query.extempore.is_some() {
        ArticleChoice::Extempore
    } else {
        ArticleChoice::Package {
            npl_id: query.npl.clone(),
            npl_pack_id: query.paket.clone(),
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn render_item(
    state: &WebState,
    page: &Page,
    query: &ItemQuery,
    (patient, animal): (String, bool),
    item: ItemDraft,
    errors: FieldErrors,
) -> Response {
    let choice = choice_of(query);
    let (article, facts) = match state.app.prescribing.article(&choice) {
        Ok(found) => found,
        Err(e) => {
            return message_page(
                state,
                page,
                "recept",
                "Förpackningen kan inte väljas",
                vec![
                    e.message,
                    "Gå tillbaka till Nytt recept och sök igen.".to_owned(),
                ],
                None,
            );
        }
    };
    let mut facts_text = Vec::new();
    if let Some(code) = facts.special_drug_code.filter(|c| c.is_special()) {
        facts_text.push(format!(
            "Särskilt läkemedel, kod {}{}",
            code.code(),
            if code.code() == 3 {
                ": får inte itereras (ett uttag)"
            } else {
                ""
            }
        ));
    }
    if facts.narcotics {
        facts_text.push("Narkotikaklassat".to_owned());
    }
    if facts.licence_product {
        facts_text.push("Licensläkemedel: apoteket behöver ett licensbeslut".to_owned());
    }
    match facts.in_benefit_scheme {
        Some(true) => facts_text.push("Förpackningen ingår i läkemedelsförmånen".to_owned()),
        Some(false) => facts_text.push("Förpackningen ingår inte i läkemedelsförmånen".to_owned()),
        None => {}
    }
    let extempore = matches!(choice, ArticleChoice::Extempore);
    let dose = item.dose.clone();
    let ingredients = item
        .extempore
        .as_ref()
        .map(|e| e.ingredients.clone())
        .unwrap_or_default();
    render(&ItemForm {
        chrome: Chrome::new(state, page, "recept"),
        errors,
        article: article.display(&item),
        facts: facts_text,
        npl: query.npl.clone(),
        paket: query.paket.clone(),
        extempore,
        row: query.rad.map(|r| r.to_string()).unwrap_or_default(),
        patient,
        benefit: match item.benefit {
            Some(true) => "ja",
            Some(false) => "nej",
            None => "",
        }
        .to_owned(),
        interval_units: choices(
            &[("dagar", "dagar"), ("veckor", "veckor")],
            &item.interval_unit,
        ),
        dose: dose.is_some(),
        dose_start: dose
            .as_ref()
            .map(|d| d.start_date.clone())
            .unwrap_or_default(),
        intakes: rows(
            dose.as_ref().map(|d| d.intakes.as_slice()).unwrap_or(&[]),
            INTAKE_ROWS,
            |i| (i.time.clone(), i.amount.clone(), String::new()),
        ),
        ingredients: rows(&ingredients, INGREDIENT_ROWS, |i| {
            (i.name.clone(), i.amount.clone(), i.unit.clone())
        }),
        extempore_form: item
            .extempore
            .as_ref()
            .map(|e| e.form.clone())
            .unwrap_or_default(),
        restricted: facts.restricted_subsidy,
        conditions_met: item.benefit_conditions_met == Some(true),
        animal,
        purposes: choices(
            &[
                ("", "Inte antimikrobiellt"),
                ("terapi", "Terapi"),
                ("profylax", "Profylax"),
                ("metafylax", "Metafylax"),
            ],
            match &item.recipient {
                RecipientDraft::Animal(a) => a.antimicrobial_purpose.as_str(),
                RecipientDraft::Human(_) => "",
            },
        ),
        off_label: matches!(&item.recipient, RecipientDraft::Animal(a) if a.off_label),
        dispensings_hint: if facts.special_drug_code.is_some_and(|c| c.code() == 3) {
            "Läkemedlet har kod 3: endast ett uttag."
        } else {
            ""
        },
        item,
    })
}

async fn item_form(
    State(state): State<WebState>,
    page: Page,
    Prescriber(id): Prescriber,
    Query(query): Query<ItemQuery>,
) -> Response {
    let draft = match state.app.prescribing.draft(id).await {
        Ok(d) => d,
        Err(e) => return server_error(&state, &page, &e.to_string()),
    };
    let Some(patient) = draft.patient.as_ref() else {
        return Redirect::to("/recept/nytt").into_response();
    };
    let patient_text = (
        format!("{}, {}", patient.shown_name(), patient.shown_identity()),
        patient.is_animal(),
    );
    // Editing a row: its article and fields; a new row: empty fields with the usual defaults.
    let (query, item) = match query.rad.and_then(|r| draft.items.get(r).map(|i| (r, i))) {
        Some((r, existing)) => {
            let query = match &existing.article {
                erecept_app::prescribing::Article::Package {
                    npl_id,
                    npl_pack_id,
                    ..
                } => ItemQuery {
                    npl: npl_id.clone(),
                    paket: npl_pack_id.clone(),
                    extempore: None,
                    rad: Some(r),
                },
                erecept_app::prescribing::Article::Extempore => ItemQuery {
                    extempore: Some("ja".to_owned()),
                    rad: Some(r),
                    ..ItemQuery::default()
                },
            };
            (query, existing.fields.clone())
        }
        None => (
            ItemQuery { rad: None, ..query },
            ItemDraft {
                package_count: "1".to_owned(),
                dispensings: "1".to_owned(),
                interval_unit: "dagar".to_owned(),
                ..ItemDraft::default()
            },
        ),
    };
    render_item(
        &state,
        &page,
        &query,
        patient_text,
        item,
        FieldErrors::default(),
    )
}

/// Reads the item form. Repeated rows (intake times, ingredients) share a name, so the form
/// is read as a list of pairs.
fn item_from_pairs(pairs: &[(String, String)]) -> (ItemQuery, ItemDraft) {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let all = |name: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let query = ItemQuery {
        npl: get("npl"),
        paket: get("paket"),
        extempore: Some(get("extempore")).filter(|v| !v.is_empty()),
        rad: get("rad").parse().ok(),
    };
    let dose = (!get("dosdispensering").is_empty()).then(|| {
        let times = all(field::DOS_TIDPUNKT);
        let amounts = all(field::DOS_MANGD);
        DoseDraft {
            start_date: get(field::DOS_STARTDATUM),
            intakes: times
                .iter()
                .zip(amounts.iter().chain(std::iter::repeat(&String::new())))
                .filter(|(t, a)| !t.trim().is_empty() || !a.trim().is_empty())
                .map(|(t, a)| IntakeDraft {
                    time: t.clone(),
                    amount: a.clone(),
                })
                .collect(),
        }
    });
    let extempore = query.extempore.is_some().then(|| {
        let names = all(field::EXTEMPORE_INGREDIENS);
        let amounts = all(field::EXTEMPORE_MANGD);
        let units = all(field::EXTEMPORE_ENHET);
        ExtemporeDraft {
            ingredients: names
                .iter()
                .enumerate()
                .map(|(i, n)| IngredientDraft {
                    name: n.clone(),
                    amount: amounts.get(i).cloned().unwrap_or_default(),
                    unit: units.get(i).cloned().unwrap_or_default(),
                })
                .collect(),
            form: get(field::EXTEMPORE_BEREDNINGSFORM),
        }
    });
    let yes_no = |v: String| match v.as_str() {
        "ja" => Some(true),
        "nej" => Some(false),
        _ => None,
    };
    let animal_use = (!get("djur").is_empty()).then(|| {
        RecipientDraft::Animal(AnimalDraft {
            antimicrobial_purpose: get(field::ANTIMIKROBIELLT_SYFTE),
            off_label: !get(field::OFF_LABEL).is_empty(),
            ..AnimalDraft::default()
        })
    });
    let item = ItemDraft {
        recipient: animal_use.unwrap_or_default(),
        package_count: get(field::ANTAL_FORPACKNINGAR),
        total_amount: get(field::TOTAL_MANGD),
        total_unit: get(field::TOTAL_MANGD_ENHET),
        dosage: get(field::DOSERING),
        purpose: get(field::BEHANDLINGSANDAMAL),
        dispensings: get(field::ANTAL_UTTAG),
        interval: get(field::EXPEDITIONSINTERVALL),
        interval_unit: get(field::EXPEDITIONSINTERVALL_ENHET),
        valid_until: get(field::GILTIG_TILL),
        benefit: yes_no(get(field::FORMAN)),
        benefit_conditions_met: yes_no(get(field::FORMAN_VILLKOR)),
        no_substitution: !get(field::FAR_EJ_BYTAS_UT).is_empty(),
        starter_pack: !get(field::STARTFORPACKNING).is_empty(),
        message: get(field::MEDDELANDE_TILL_APOTEKET),
        dose,
        extempore,
    };
    (query, item)
}

async fn item_submit(
    State(state): State<WebState>,
    page: Page,
    Prescriber(id): Prescriber,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let (query, item) = item_from_pairs(&pairs);
    let choice = choice_of(&query);
    match state
        .app
        .prescribing
        .add_item(id, &choice, item.clone(), query.rad)
        .await
    {
        Ok(Ok(())) => Redirect::to("/recept/nytt#lakemedel").into_response(),
        Ok(Err(errors)) => {
            let draft = match state.app.prescribing.draft(id).await {
                Ok(d) => d,
                Err(e) => return server_error(&state, &page, &e.to_string()),
            };
            let Some(patient) = draft.patient.as_ref() else {
                return Redirect::to("/recept/nytt").into_response();
            };
            let patient_text = (
                format!("{}, {}", patient.shown_name(), patient.shown_identity()),
                patient.is_animal(),
            );
            let mut field_errors = errors_of(&errors);
            // A message about the article has no field of its own on this page.
            if let Some(message) = field_errors.get(form::ARTIKEL).map(str::to_owned) {
                field_errors = FieldErrors::default();
                field_errors.add("artikel", message);
                for e in errors.iter().filter(|e| e.field != form::ARTIKEL) {
                    field_errors.add(e.field, e.message.clone());
                }
            }
            render_item(&state, &page, &query, patient_text, item, field_errors)
        }
        Err(e) => server_error(&state, &page, &e.to_string()),
    }
}

// ---------------------------------------------------------------------------------------------
// After sending

struct StatusRow {
    id: String,
    article: String,
    status: &'static str,
    status_class: &'static str,
    messages: Vec<String>,
}

fn status_class(status: PrescriptionStatus) -> &'static str {
    match status {
        PrescriptionStatus::Registered => "ok",
        PrescriptionStatus::RegisteredWithWarnings => "warning",
        PrescriptionStatus::Rejected => "error",
        PrescriptionStatus::Cancelled => "muted",
        PrescriptionStatus::Queued
        | PrescriptionStatus::Sent
        | PrescriptionStatus::CancelPending => "waiting",
    }
}

fn messages_of(p: &Prescription) -> Vec<String> {
    serde_json::from_value::<Vec<Issue>>(p.messages.clone())
        .map(|issues| issues.iter().map(Issue::message).collect())
        .unwrap_or_default()
}

fn status_rows(items: &[Prescription]) -> Vec<StatusRow> {
    items
        .iter()
        .map(|p| StatusRow {
            id: p.id.to_string(),
            article: p.product_name.clone(),
            status: p.status.swedish(),
            status_class: status_class(p.status),
            messages: messages_of(p),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "prescription_sent.html")]
struct SentPage {
    chrome: Chrome,
    batch: String,
    patient: String,
    status: StatusFragment,
}

#[derive(Template)]
#[template(path = "prescription_status.html")]
struct StatusFragment {
    batch: String,
    rows: Vec<StatusRow>,
    waiting: bool,
}

fn fragment(batch: Uuid, items: &[Prescription]) -> StatusFragment {
    StatusFragment {
        batch: batch.to_string(),
        rows: status_rows(items),
        waiting: items.iter().any(|p| p.status.is_in_transit()),
    }
}

async fn sent_page(
    State(state): State<WebState>,
    page: Page,
    Prescriber(id): Prescriber,
    Path(batch): Path<Uuid>,
) -> Response {
    let items = match state.app.prescribing.batch(id, batch, true).await {
        Ok(items) => items,
        Err(e) => return server_error(&state, &page, &e.to_string()),
    };
    let Some(first) = items.first() else {
        return not_found(State(state), page).await;
    };
    let patient = match ItemDocument::of(first) {
        Ok(doc) => format!(
            "{}, {}",
            doc.patient.shown_name(),
            doc.patient.shown_identity()
        ),
        Err(_) => first.patient_name.clone(),
    };
    render(&SentPage {
        chrome: Chrome::new(&state, &page, "recept"),
        batch: batch.to_string(),
        patient,
        status: fragment(batch, &items),
    })
}

async fn sent_status(
    State(state): State<WebState>,
    page: Page,
    Prescriber(id): Prescriber,
    Path(batch): Path<Uuid>,
) -> Response {
    match state.app.prescribing.batch(id, batch, false).await {
        Ok(items) => render(&fragment(batch, &items)),
        Err(e) => server_error(&state, &page, &e.to_string()),
    }
}

async fn summary(
    State(state): State<WebState>,
    page: Page,
    Prescriber(id): Prescriber,
    Path(batch): Path<Uuid>,
) -> Response {
    match state.app.prescribing.summary_pdf(id, batch).await {
        Ok(Some(pdf)) => (
            [
                (header::CONTENT_TYPE, "application/pdf"),
                (
                    header::CONTENT_DISPOSITION,
                    "inline; filename=\"receptsammanfattning.pdf\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            pdf,
        )
            .into_response(),
        Ok(None) => not_found(State(state), page).await,
        Err(e) => server_error(&state, &page, &e.to_string()),
    }
}

// ---------------------------------------------------------------------------------------------
// Mina recept

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct HistoryQuery {
    patient: String,
    produkt: String,
    fran: String,
    till: String,
    status: String,
    sida: Option<u64>,
}

struct HistoryRow {
    id: String,
    issued: String,
    patient: String,
    article: String,
    status: &'static str,
    status_class: &'static str,
}

#[derive(Template)]
#[template(path = "prescription_history.html")]
struct HistoryPage {
    chrome: Chrome,
    errors: FieldErrors,
    query: HistoryQuery,
    statuses: Vec<Choice>,
    rows: Vec<HistoryRow>,
    total: u64,
    page_number: u64,
    pages: u64,
    previous: String,
    next: String,
}

fn page_link(query: &HistoryQuery, page: u64) -> String {
    let pairs = [
        ("patient", query.patient.as_str()),
        ("produkt", query.produkt.as_str()),
        ("fran", query.fran.as_str()),
        ("till", query.till.as_str()),
        ("status", query.status.as_str()),
    ];
    let mut out = String::from("/recept?");
    for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        out.push_str(k);
        out.push('=');
        out.push_str(&url_encode(v));
        out.push('&');
    }
    out.push_str(&format!("sida={page}"));
    out
}

fn url_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn history(
    State(state): State<WebState>,
    page: Page,
    Prescriber(id): Prescriber,
    Query(query): Query<HistoryQuery>,
) -> Response {
    let mut errors = FieldErrors::default();
    let mut date = |field: &'static str, value: &str| -> Option<jiff::civil::Date> {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        match value.parse() {
            Ok(d) => Some(d),
            Err(_) => {
                errors.add(field, "Skriv datumet som ÅÅÅÅ-MM-DD.");
                None
            }
        }
    };
    let issued_from = date("fran", &query.fran);
    let issued_to = date("till", &query.till);
    let filter = PrescriptionFilter {
        patient: query.patient.trim().to_owned(),
        product: query.produkt.trim().to_owned(),
        issued_from,
        issued_to,
        status: PrescriptionStatus::parse(&query.status),
    };
    let page_number = query.sida.unwrap_or(1).max(1);
    let offset = (page_number - 1).saturating_mul(u64::from(PAGE_SIZE));
    let found = match state
        .app
        .prescribing
        .history(id, &filter, offset, PAGE_SIZE)
        .await
    {
        Ok(p) => p,
        Err(e) => return server_error(&state, &page, &e.to_string()),
    };
    let pages = found.total.div_ceil(u64::from(PAGE_SIZE)).max(1);
    let mut statuses = vec![Choice {
        value: String::new(),
        label: "Alla".to_owned(),
        selected: query.status.is_empty(),
    }];
    statuses.extend(PrescriptionStatus::ALL.iter().map(|s| Choice {
        value: s.as_str().to_owned(),
        label: s.swedish().to_owned(),
        selected: s.as_str() == query.status,
    }));
    let rows = found
        .items
        .iter()
        .map(|p| HistoryRow {
            id: p.id.to_string(),
            issued: p.issued_on.to_string(),
            patient: format!("{} {}", masked_key(&p.patient_key), p.patient_name),
            article: p.product_name.clone(),
            status: p.status.swedish(),
            status_class: status_class(p.status),
        })
        .collect();
    render(&HistoryPage {
        chrome: Chrome::new(&state, &page, "mina-recept"),
        errors,
        previous: if page_number > 1 {
            page_link(&query, page_number - 1)
        } else {
            String::new()
        },
        next: if page_number < pages {
            page_link(&query, page_number + 1)
        } else {
            String::new()
        },
        statuses,
        rows,
        total: found.total,
        page_number,
        pages,
        query,
    })
}

/// A patient key as the list shows it: ÅÅÅÅMMDD-NNNN for a number.
fn masked_key(key: &str) -> String {
    if key.len() == 12 && key.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}-{}", &key[..8], &key[8..])
    } else {
        String::new()
    }
}

// ---------------------------------------------------------------------------------------------
// One prescription

struct EventRow {
    at: String,
    status: &'static str,
    text: String,
}

#[derive(Template)]
#[template(path = "prescription_detail.html")]
struct DetailPage {
    chrome: Chrome,
    errors: FieldErrors,
    notice: String,
    id: String,
    batch: String,
    article: String,
    patient: String,
    issued: String,
    status: &'static str,
    status_class: &'static str,
    national_id: String,
    messages: Vec<String>,
    fields: Vec<(&'static str, String)>,
    prescriber: String,
    events: Vec<EventRow>,
    may_cancel: bool,
    reasons: Vec<Choice>,
    informed: bool,
}

fn detail_fields(doc: &ItemDocument) -> Vec<(&'static str, String)> {
    let f = &doc.fields;
    let mut out = vec![
        ("Mängd", amount_text(f)),
        ("Dosering", f.dosage.clone()),
        ("Behandlingsändamål", f.purpose.clone()),
        ("Antal uttag", dispensings_text(f)),
        (
            "Förmån",
            match f.benefit {
                Some(true) => "Ja".to_owned(),
                Some(false) => "Nej".to_owned(),
                None => String::new(),
            },
        ),
        (
            "Får ej bytas ut",
            if f.no_substitution { "Ja" } else { "Nej" }.to_owned(),
        ),
        (
            "Startförpackning",
            if f.starter_pack { "Ja" } else { "Nej" }.to_owned(),
        ),
    ];
    if !f.valid_until.trim().is_empty() {
        out.push(("Giltig till", f.valid_until.clone()));
    }
    if !f.message.trim().is_empty() {
        out.push(("Meddelande till apoteket", f.message.clone()));
    }
    if let Some(dose) = &f.dose {
        out.push((
            "Dosdispensering",
            dose.intakes
                .iter()
                .map(|i| format!("kl. {} {}", i.time, i.amount))
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    if let Some(e) = &f.extempore {
        out.push((
            "Sammansättning",
            e.ingredients
                .iter()
                .filter(|i| !i.name.trim().is_empty())
                .map(|i| format!("{} {} {}", i.name, i.amount, i.unit))
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    out
}

async fn render_detail(
    state: &WebState,
    page: &Page,
    id: AccountId,
    prescription: Uuid,
    errors: FieldErrors,
    notice: String,
    form: Option<&CancelForm>,
) -> Response {
    let detail = match state.app.prescribing.detail(id, prescription).await {
        Ok(Some(d)) => d,
        Ok(None) => return not_found(State(state.clone()), page.clone()).await,
        Err(e) => return server_error(state, page, &e.to_string()),
    };
    let p = &detail.prescription;
    let doc = &detail.document;
    let reason = form.map(|f| f.orsak.as_str()).unwrap_or_default();
    let mut reasons = vec![Choice {
        value: String::new(),
        label: "Välj orsak".to_owned(),
        selected: reason.is_empty(),
    }];
    reasons.extend(EndReason::ALL.iter().map(|r| Choice {
        value: r.code().to_owned(),
        label: r.swedish().to_owned(),
        selected: r.code() == reason,
    }));
    render(&DetailPage {
        chrome: Chrome::new(state, page, "mina-recept"),
        errors,
        notice,
        id: p.id.to_string(),
        batch: p.batch_id.to_string(),
        article: p.product_name.clone(),
        patient: format!(
            "{}, {}",
            doc.patient.shown_name(),
            doc.patient.shown_identity()
        ),
        issued: p.issued_on.to_string(),
        status: p.status.swedish(),
        status_class: status_class(p.status),
        national_id: p.national_id.clone().unwrap_or_default(),
        messages: messages_of(p),
        fields: detail_fields(doc),
        prescriber: format!(
            "{}, {} (förskrivarkod {}), {}",
            doc.prescriber.name,
            doc.prescriber.profession,
            doc.prescriber.prescriber_code,
            doc.prescriber.workplace_name
        ),
        events: detail
            .events
            .iter()
            .map(|e| EventRow {
                at: e
                    .at
                    .to_zoned_datetime(erecept_domain::clock::stockholm())
                    .strftime("%Y-%m-%d %H:%M:%S")
                    .to_string(),
                status: e.status.swedish(),
                text: e.text.clone(),
            })
            .collect(),
        may_cancel: p.status.is_active(),
        reasons,
        informed: form.is_some_and(|f| f.samtycke.is_some()),
    })
}

async fn detail(
    State(state): State<WebState>,
    page: Page,
    Prescriber(id): Prescriber,
    Path(prescription): Path<Uuid>,
) -> Response {
    render_detail(
        &state,
        &page,
        id,
        prescription,
        FieldErrors::default(),
        String::new(),
        None,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CancelForm {
    orsak: String,
    samtycke: Option<String>,
}

async fn cancel(
    State(state): State<WebState>,
    page: Page,
    Prescriber(id): Prescriber,
    Path(prescription): Path<Uuid>,
    Form(form): Form<CancelForm>,
) -> Response {
    let result = state
        .app
        .prescribing
        .cancel(id, prescription, &form.orsak, form.samtycke.is_some())
        .await;
    let (errors, notice) = match result {
        Ok(Ok(())) => return Redirect::to(&format!("/recept/{prescription}")).into_response(),
        Ok(Err(CancelRefusal::NotFound)) => return not_found(State(state), page).await,
        Ok(Err(CancelRefusal::NotActive)) => (
            FieldErrors::default(),
            "Receptet kan inte makuleras: det är inte registrerat i Nationella läkemedelslistan, eller redan makulerat.".to_owned(),
        ),
        Ok(Err(CancelRefusal::Fields(list))) => (errors_of(&list), String::new()),
        Err(e) => return server_error(&state, &page, &e.to_string()),
    };
    render_detail(&state, &page, id, prescription, errors, notice, Some(&form)).await
}

async fn renew(
    State(state): State<WebState>,
    page: Page,
    Prescriber(id): Prescriber,
    Path(prescription): Path<Uuid>,
) -> Response {
    match state.app.prescribing.renew(id, prescription).await {
        Ok(Ok(())) => Redirect::to("/recept/nytt#lakemedel").into_response(),
        Ok(Err(RenewRefusal::NotFound)) => not_found(State(state), page).await,
        Ok(Err(RenewRefusal::OtherPatientInDraft)) => {
            render_detail(
                &state,
                &page,
                id,
                prescription,
                FieldErrors::default(),
                "Du har ett påbörjat recept till en annan patient. Skicka eller töm det under Nytt recept innan du förnyar.".to_owned(),
                None,
            )
            .await
        }
        Err(e) => server_error(&state, &page, &e.to_string()),
    }
}

// ---------------------------------------------------------------------------------------------
// Min logg

struct AuditRow {
    at: String,
    patient: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "audit_log.html")]
struct AuditPage {
    chrome: Chrome,
    rows: Vec<AuditRow>,
}

async fn audit_log(
    State(state): State<WebState>,
    page: Page,
    Prescriber(id): Prescriber,
) -> Response {
    let entries = match state.app.prescribing.audit_log(id, 500).await {
        Ok(e) => e,
        Err(e) => return server_error(&state, &page, &e.to_string()),
    };
    render(&AuditPage {
        chrome: Chrome::new(&state, &page, "mina-recept"),
        rows: entries
            .iter()
            .map(|e| AuditRow {
                at: e
                    .at
                    .to_zoned_datetime(erecept_domain::clock::stockholm())
                    .strftime("%Y-%m-%d %H:%M")
                    .to_string(),
                patient: {
                    let shown = masked_key(&e.patient);
                    if shown.is_empty() {
                        e.patient.clone()
                    } else {
                        shown
                    }
                },
                detail: e.detail.clone(),
            })
            .collect(),
    })
}
