//! "Ny förskrivare": the five steps of registration. Every step's data is kept in the visitor's
//! server-side session (so reload, back and forward keep it); nothing is stored as an account
//! until [Registrera].

use askama::Template;
use axum::Router;
use axum::extract::{Form, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use erecept_app::registration::{
    BillingForm, Draft, FieldProblems, Identity, PersonalForm, RegisterOutcome, Registered,
    WorkplaceForm, check_billing, check_personal, check_workplace,
};
use erecept_domain::{County, Money, PersonNumber, Profession};
use serde::Deserialize;

use crate::pages::{render, server_error, swedish_time};
use crate::session::{ensure, put};
use crate::{Chrome, FieldErrors, Page, WebState};

const DRAFT: &str = "registration";
const DONE: &str = "registered";
const TERMS: &str = include_str!("../../../docs/anvandarvillkor.md");

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/ny-forskrivare", get(terms).post(terms_submit))
        .route("/ny-forskrivare/bankid", get(bankid))
        .route("/ny-forskrivare/identifierad", get(identified))
        .route(
            "/ny-forskrivare/personuppgifter",
            get(personal).post(personal_submit),
        )
        .route(
            "/ny-forskrivare/arbetsplats",
            get(workplace).post(workplace_submit),
        )
        .route(
            "/ny-forskrivare/betalningsansvarig",
            get(billing).post(billing_submit),
        )
        .route("/ny-forskrivare/klar", get(done))
}

fn draft_of(page: &Page) -> Draft {
    page.visitor
        .session
        .as_ref()
        .and_then(|s| s.data.get(DRAFT))
        .and_then(|d| serde_json::from_value(d.clone()).ok())
        .unwrap_or_default()
}

/// Saves the draft in the session (starting one if needed) and answers with `response`,
/// setting the session cookie when a session was started.
async fn save_then(state: &WebState, page: &Page, draft: &Draft, response: Response) -> Response {
    let result = async {
        let (token, mut session, cookie) = ensure(state, &page.visitor).await?;
        let value = serde_json::to_value(draft).unwrap_or_default();
        put(state, &token, &mut session, DRAFT, value).await?;
        Ok::<_, erecept_app::AppError>(cookie)
    }
    .await;
    match result {
        Ok(Some(cookie)) => ([(header::SET_COOKIE, cookie)], response).into_response(),
        Ok(None) => response,
        Err(e) => server_error(state, page, &e.to_string()),
    }
}

/// The first step that is not done yet, for visitors who skip ahead.
fn first_open_step(draft: &Draft) -> Option<&'static str> {
    if !draft.terms_accepted {
        Some("/ny-forskrivare")
    } else if draft.identity.is_none() {
        Some("/ny-forskrivare/bankid")
    } else if !draft.personal_done {
        Some("/ny-forskrivare/personuppgifter")
    } else if !draft.workplace_done {
        Some("/ny-forskrivare/arbetsplats")
    } else {
        None
    }
}

pub(crate) fn errors_from(problems: FieldProblems) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for (field, message) in problems {
        errors.add(field, message);
    }
    errors
}

/// One choice of a select or radio group.
pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices<'a>(items: impl IntoIterator<Item = (&'a str, &'a str)>, current: &str) -> Vec<Choice> {
    items
        .into_iter()
        .map(|(value, label)| Choice {
            value: value.to_owned(),
            label: label.to_owned(),
            selected: value == current.trim(),
        })
        .collect()
}

/// The choices of "Typ av betalningsansvarig", `current` selected.
pub(crate) fn billing_kinds(current: &str) -> Vec<Choice> {
    choices(
        [
            ("private", "Privatperson"),
            ("own_company", "Eget företag"),
            ("employer", "Arbetsgivare"),
        ],
        current,
    )
}

fn with_status(status: StatusCode, response: Response) -> Response {
    (status, response).into_response()
}

#[derive(Debug, Deserialize)]
struct Navigation {
    #[serde(default)]
    action: String,
}

// Step 1: terms and the add-on.

#[derive(Template)]
#[template(path = "registration_terms.html")]
struct TermsPage {
    chrome: Chrome,
    terms: String,
    terms_accepted: bool,
    addon: bool,
    service_name: String,
    licence_price: Money,
    addon_price: Money,
    errors: FieldErrors,
}

fn terms_page(state: &WebState, page: &Page, draft: &Draft, errors: FieldErrors) -> Response {
    let mut terms = String::new();
    pulldown_cmark::html::push_html(&mut terms, pulldown_cmark::Parser::new(TERMS));
    let r = &state.app.registration;
    render(&TermsPage {
        chrome: Chrome::new(state, page, "ny-forskrivare"),
        terms,
        terms_accepted: draft.terms_accepted,
        addon: draft.population_register_addon,
        service_name: state.config.service_name.clone(),
        licence_price: r.licence_price(),
        addon_price: r.addon_price(),
        errors,
    })
}

async fn terms(State(state): State<WebState>, page: Page) -> Response {
    let draft = draft_of(&page);
    terms_page(&state, &page, &draft, FieldErrors::default())
}

#[derive(Debug, Deserialize)]
struct TermsForm {
    #[serde(default)]
    villkor: Option<String>,
    #[serde(default)]
    befolkningsregister: Option<String>,
}

async fn terms_submit(
    State(state): State<WebState>,
    page: Page,
    Form(form): Form<TermsForm>,
) -> Response {
    let mut draft = draft_of(&page);
    draft.terms_accepted = form.villkor.is_some();
    draft.population_register_addon = form.befolkningsregister.is_some();
    if !draft.terms_accepted {
        let mut errors = FieldErrors::default();
        errors.add(
            "villkor",
            "Du behöver godkänna användarvillkoren för att kunna registrera dig.",
        );
        let body = with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            terms_page(&state, &page, &draft, errors),
        );
        return save_then(&state, &page, &draft, body).await;
    }
    let next = if draft.identity.is_some() {
        "/ny-forskrivare/personuppgifter"
    } else {
        "/ny-forskrivare/bankid"
    };
    save_then(&state, &page, &draft, Redirect::to(next).into_response()).await
}

// Step 2: BankID (the identification itself is the BankID pages' work).

#[derive(Template)]
#[template(path = "registration_bankid.html")]
struct BankIdPage {
    chrome: Chrome,
}

async fn bankid(State(state): State<WebState>, page: Page) -> Response {
    let draft = draft_of(&page);
    if !draft.terms_accepted {
        return Redirect::to("/ny-forskrivare").into_response();
    }
    render(&BankIdPage {
        chrome: Chrome::new(&state, &page, "ny-forskrivare"),
    })
}

#[derive(Template)]
#[template(path = "registration_already.html")]
struct AlreadyPage {
    chrome: Chrome,
    person_number: String,
}

/// After BankID: takes the identity into the draft, unless the person already has an account.
async fn identified(State(state): State<WebState>, page: Page) -> Response {
    let mut draft = draft_of(&page);
    let identity = page
        .visitor
        .session
        .as_ref()
        .and_then(|s| s.data.get("identified"))
        .and_then(|i| serde_json::from_value::<Identity>(i.clone()).ok());
    let Some(identity) = identity else {
        return Redirect::to("/ny-forskrivare/bankid").into_response();
    };
    let Ok(person_number) = PersonNumber::parse_12(&identity.person_number) else {
        return Redirect::to("/ny-forskrivare/bankid").into_response();
    };
    match state.app.registration.is_registered(&person_number).await {
        Err(e) => return server_error(&state, &page, &e.to_string()),
        Ok(true) => {
            return render(&AlreadyPage {
                chrome: Chrome::new(&state, &page, "ny-forskrivare"),
                person_number: person_number.to_string(),
            });
        }
        Ok(false) => {}
    }
    // A different person than before starts the personal data afresh.
    if draft
        .identity
        .as_ref()
        .is_some_and(|old| old.person_number != identity.person_number)
    {
        draft.personal = PersonalForm::default();
        draft.password_hash = None;
        draft.personal_done = false;
    }
    draft.identity = Some(identity);
    save_then(
        &state,
        &page,
        &draft,
        Redirect::to("/ny-forskrivare/personuppgifter").into_response(),
    )
    .await
}

// Step 3: personal data.

#[derive(Template)]
#[template(path = "registration_personal.html")]
struct PersonalPage {
    chrome: Chrome,
    name: String,
    person_number: String,
    professions: Vec<Choice>,
    form: PersonalForm,
    password_hint: &'static str,
    errors: FieldErrors,
}

fn personal_page(
    state: &WebState,
    page: &Page,
    draft: &Draft,
    identity: &Identity,
    errors: FieldErrors,
) -> Response {
    let person_number = PersonNumber::parse_12(&identity.person_number)
        .map(|p| p.to_string())
        .unwrap_or_default();
    render(&PersonalPage {
        chrome: Chrome::new(state, page, "ny-forskrivare"),
        name: format!("{} {}", identity.given_name, identity.surname),
        person_number,
        professions: choices(
            Profession::ALL.iter().map(|p| (p.code(), p.name())),
            &draft.personal.yrke,
        ),
        form: draft.personal.clone(),
        password_hint: if draft.password_hash.is_some() {
            "Minst 6 tecken. Du har redan valt ett lösenord: lämna fälten tomma för att behålla det."
        } else {
            "Minst 6 tecken. Används när du loggar in med personnummer och lösenord."
        },
        errors,
    })
}

async fn personal(State(state): State<WebState>, page: Page) -> Response {
    let draft = draft_of(&page);
    let Some(identity) = draft.identity.clone().filter(|_| draft.terms_accepted) else {
        return Redirect::to(first_open_step(&draft).unwrap_or("/ny-forskrivare")).into_response();
    };
    personal_page(&state, &page, &draft, &identity, FieldErrors::default())
}

#[derive(Debug, Deserialize)]
struct PersonalSubmit {
    #[serde(flatten)]
    form: PersonalForm,
    #[serde(default)]
    losenord: String,
    #[serde(default)]
    upprepa_losenord: String,
    #[serde(flatten)]
    nav: Navigation,
}

async fn personal_submit(
    State(state): State<WebState>,
    page: Page,
    Form(submit): Form<PersonalSubmit>,
) -> Response {
    let mut draft = draft_of(&page);
    let Some(identity) = draft.identity.clone() else {
        return Redirect::to("/ny-forskrivare/bankid").into_response();
    };
    draft.personal = submit.form;
    if submit.nav.action == "tillbaka" {
        return save_then(
            &state,
            &page,
            &draft,
            Redirect::to("/ny-forskrivare").into_response(),
        )
        .await;
    }
    let Ok(person_number) = PersonNumber::parse_12(&identity.person_number) else {
        return Redirect::to("/ny-forskrivare/bankid").into_response();
    };
    let have_password = draft.password_hash.is_some();
    match check_personal(
        &draft.personal,
        &submit.losenord,
        &submit.upprepa_losenord,
        &person_number,
        have_password,
    ) {
        Err(problems) => {
            draft.personal_done = false;
            // A password that passed its own checks is kept (as its hash), so that mending
            // another field does not mean typing it twice again.
            let password_ok = !problems
                .iter()
                .any(|(f, _)| *f == "losenord" || *f == "upprepa_losenord");
            if password_ok && !submit.losenord.is_empty() {
                let password = submit.losenord.clone();
                let hash = tokio::task::spawn_blocking(move || {
                    erecept_app::auth::hash_password(&password)
                })
                .await
                .unwrap_or_default();
                draft.password_hash = Some(hash)
                    .filter(|h| !h.is_empty())
                    .or(draft.password_hash.take());
            }
            let body = personal_page(&state, &page, &draft, &identity, errors_from(problems));
            save_then(
                &state,
                &page,
                &draft,
                with_status(StatusCode::UNPROCESSABLE_ENTITY, body),
            )
            .await
        }
        Ok(_) => {
            if !submit.losenord.is_empty() {
                let password = submit.losenord.clone();
                let hash = tokio::task::spawn_blocking(move || {
                    erecept_app::auth::hash_password(&password)
                })
                .await
                .unwrap_or_default();
                draft.password_hash = Some(hash).filter(|h| !h.is_empty());
            }
            draft.personal_done = draft.password_hash.is_some();
            save_then(
                &state,
                &page,
                &draft,
                Redirect::to("/ny-forskrivare/arbetsplats").into_response(),
            )
            .await
        }
    }
}

// Step 4: workplace.

/// The fields of a workplace as typed, with the choices of its lists: rendered by the macro
/// `workplace_fields` (`macros.html`) on step 4 and on Min profil's workplace pages.
pub(crate) struct WorkplaceFields {
    pub form: WorkplaceForm,
    pub regions: Vec<Choice>,
    pub journal_systems: Vec<Choice>,
    /// The region the typed arbetsplatskod begins with.
    pub proposed_region: Option<&'static str>,
}

impl WorkplaceFields {
    pub(crate) fn new(form: WorkplaceForm, journal_systems: &[String]) -> Self {
        Self {
            proposed_region: erecept_domain::WorkplaceCode::parse(form.arbetsplatskod.trim())
                .ok()
                .map(|c| c.county().region_name()),
            regions: choices(
                County::all().iter().map(|c| (c.code(), c.region_name())),
                &form.region,
            ),
            journal_systems: choices(
                journal_systems.iter().map(|j| (j.as_str(), j.as_str())),
                &form.journalsystem,
            ),
            form,
        }
    }
}

#[derive(Template)]
#[template(path = "registration_workplace.html")]
struct WorkplacePage {
    chrome: Chrome,
    fields: WorkplaceFields,
    errors: FieldErrors,
}

fn workplace_page(state: &WebState, page: &Page, draft: &Draft, errors: FieldErrors) -> Response {
    render(&WorkplacePage {
        chrome: Chrome::new(state, page, "ny-forskrivare"),
        fields: WorkplaceFields::new(
            draft.workplace.clone(),
            state.app.registration.journal_systems(),
        ),
        errors,
    })
}

async fn workplace(State(state): State<WebState>, page: Page) -> Response {
    let draft = draft_of(&page);
    if !draft.personal_done || draft.identity.is_none() {
        return Redirect::to(first_open_step(&draft).unwrap_or("/ny-forskrivare")).into_response();
    }
    workplace_page(&state, &page, &draft, FieldErrors::default())
}

#[derive(Debug, Deserialize)]
struct WorkplaceSubmit {
    #[serde(flatten)]
    form: WorkplaceForm,
    #[serde(flatten)]
    nav: Navigation,
}

async fn workplace_submit(
    State(state): State<WebState>,
    page: Page,
    Form(submit): Form<WorkplaceSubmit>,
) -> Response {
    let mut draft = draft_of(&page);
    if draft.identity.is_none() {
        return Redirect::to("/ny-forskrivare/bankid").into_response();
    }
    draft.workplace = submit.form;
    if submit.nav.action == "tillbaka" {
        return save_then(
            &state,
            &page,
            &draft,
            Redirect::to("/ny-forskrivare/personuppgifter").into_response(),
        )
        .await;
    }
    let journal_systems = state.app.registration.journal_systems().to_vec();
    match check_workplace(&draft.workplace, &journal_systems) {
        Err(problems) => {
            draft.workplace_done = false;
            let body = workplace_page(&state, &page, &draft, errors_from(problems));
            save_then(
                &state,
                &page,
                &draft,
                with_status(StatusCode::UNPROCESSABLE_ENTITY, body),
            )
            .await
        }
        Ok(_) => {
            draft.workplace_done = true;
            save_then(
                &state,
                &page,
                &draft,
                Redirect::to("/ny-forskrivare/betalningsansvarig").into_response(),
            )
            .await
        }
    }
}

// Step 5: billing party, and [Registrera].

#[derive(Template)]
#[template(path = "registration_billing.html")]
struct BillingPage {
    chrome: Chrome,
    form: BillingForm,
    kinds: Vec<Choice>,
    errors: FieldErrors,
}

fn billing_page(state: &WebState, page: &Page, draft: &Draft, errors: FieldErrors) -> Response {
    render(&BillingPage {
        chrome: Chrome::new(state, page, "ny-forskrivare"),
        form: draft.billing.clone(),
        kinds: billing_kinds(&draft.billing.typ),
        errors,
    })
}

async fn billing(State(state): State<WebState>, page: Page) -> Response {
    let draft = draft_of(&page);
    if let Some(step) = first_open_step(&draft) {
        return Redirect::to(step).into_response();
    }
    billing_page(&state, &page, &draft, FieldErrors::default())
}

/// The billing-party fields as posted (step 5 and Min profil): the checkbox is there or not.
#[derive(Debug, Deserialize)]
pub(crate) struct BillingFields {
    #[serde(default)]
    anvand_mina_uppgifter: Option<String>,
    #[serde(default)]
    typ: String,
    #[serde(default)]
    namn: String,
    #[serde(default)]
    identitet: String,
    #[serde(default)]
    adress: String,
    #[serde(default)]
    postnummer: String,
    #[serde(default)]
    ort: String,
    #[serde(default)]
    epost: String,
    #[serde(default)]
    referens: String,
}

impl From<BillingFields> for BillingForm {
    fn from(s: BillingFields) -> Self {
        BillingForm {
            anvand_mina_uppgifter: s.anvand_mina_uppgifter.is_some(),
            typ: s.typ,
            namn: s.namn,
            identitet: s.identitet,
            adress: s.adress,
            postnummer: s.postnummer,
            ort: s.ort,
            epost: s.epost,
            referens: s.referens,
        }
    }
}

#[derive(Debug, Deserialize)]
struct BillingSubmit {
    #[serde(flatten)]
    fields: BillingFields,
    #[serde(flatten)]
    nav: Navigation,
}

async fn billing_submit(
    State(state): State<WebState>,
    page: Page,
    Form(s): Form<BillingSubmit>,
) -> Response {
    let mut draft = draft_of(&page);
    let Some(identity) = draft.identity.clone() else {
        return Redirect::to("/ny-forskrivare/bankid").into_response();
    };
    draft.billing = BillingForm::from(s.fields);
    if s.nav.action == "tillbaka" {
        return save_then(
            &state,
            &page,
            &draft,
            Redirect::to("/ny-forskrivare/arbetsplats").into_response(),
        )
        .await;
    }
    if let Some(step) = first_open_step(&draft) {
        return save_then(&state, &page, &draft, Redirect::to(step).into_response()).await;
    }
    let today = state.app.clock.today();
    if let Err(problems) = check_billing(&mut draft.billing, &identity, &draft.personal, today) {
        let body = billing_page(&state, &page, &draft, errors_from(problems));
        return save_then(
            &state,
            &page,
            &draft,
            with_status(StatusCode::UNPROCESSABLE_ENTITY, body),
        )
        .await;
    }
    match state.app.registration.register(&draft).await {
        Err(e) => server_error(&state, &page, &e.to_string()),
        Ok(RegisterOutcome::AlreadyRegistered) => render(&AlreadyPage {
            chrome: Chrome::new(&state, &page, "ny-forskrivare"),
            person_number: PersonNumber::parse_12(&identity.person_number)
                .map(|p| p.to_string())
                .unwrap_or_default(),
        }),
        Ok(RegisterOutcome::Incomplete(_)) => {
            Redirect::to(first_open_step(&draft).unwrap_or("/ny-forskrivare")).into_response()
        }
        Ok(RegisterOutcome::Invalid(step, _)) => {
            Redirect::to(&format!("/ny-forskrivare/{step}")).into_response()
        }
        Ok(RegisterOutcome::Registered(done)) => {
            // The wizard is finished: its data goes, what the final page shows stays.
            let result = async {
                let (token, mut session, cookie) = ensure(&state, &page.visitor).await?;
                put(&state, &token, &mut session, DRAFT, serde_json::Value::Null).await?;
                put(
                    &state,
                    &token,
                    &mut session,
                    "identified",
                    serde_json::Value::Null,
                )
                .await?;
                put(
                    &state,
                    &token,
                    &mut session,
                    DONE,
                    serde_json::to_value(&done).unwrap_or_default(),
                )
                .await?;
                Ok::<_, erecept_app::AppError>(cookie)
            }
            .await;
            match result {
                Ok(cookie) => {
                    let redirect = Redirect::to("/ny-forskrivare/klar").into_response();
                    match cookie {
                        Some(c) => ([(header::SET_COOKIE, c)], redirect).into_response(),
                        None => redirect,
                    }
                }
                Err(e) => server_error(&state, &page, &e.to_string()),
            }
        }
    }
}

#[derive(Template)]
#[template(path = "registration_done.html")]
struct DonePage {
    chrome: Chrome,
    expected_by: String,
    certificate_required: bool,
    price: Money,
    due: String,
}

async fn done(State(state): State<WebState>, page: Page) -> Response {
    let done = page
        .visitor
        .session
        .as_ref()
        .and_then(|s| s.data.get(DONE))
        .and_then(|d| serde_json::from_value::<Registered>(d.clone()).ok());
    let Some(done) = done else {
        return Redirect::to("/ny-forskrivare").into_response();
    };
    render(&DonePage {
        chrome: Chrome::new(&state, &page, "ny-forskrivare"),
        expected_by: swedish_time(done.verification_expected_by),
        certificate_required: done.certificate_required,
        price: Money::from_ore(done.price_ore),
        due: done.payment_due_on.to_string(),
    })
}
