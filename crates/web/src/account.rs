//! The account pages: Min profil with its contact details and workplaces (changed there),
//! Glömt lösenord with its mailed link, and the renewal of an expired licence.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use erecept_app::profile::BillingOutcome;
use erecept_app::profile::{
    ContactForm, ContactOutcome, LAST_WORKPLACE, MAX_WORKPLACES, TOO_MANY_WORKPLACES,
    WorkplaceOutcome,
};
use erecept_app::registration::{BillingForm, WorkplaceForm};
use erecept_app::{NewPasswordError, PasswordChange, ResetOutcome};
use erecept_domain::{Licence, LicenceStatus, Licensing, PersonNumber};
use erecept_store::{AccountId, WorkplaceRemoval};
use serde::Deserialize;

use crate::pages::{THROTTLED, message_page, not_found, render, server_error};
use crate::registration::{BillingFields, Choice, WorkplaceFields, billing_kinds, errors_from};
use crate::session::{ClientAddress, Prescriber};
use crate::{Chrome, FieldErrors, Page, WebState, cookies};

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/min-profil", get(my_profile))
        .route(
            "/min-profil/kontaktuppgifter",
            get(contact_form).post(contact_submit),
        )
        .route(
            "/min-profil/betalningsansvarig",
            get(billing_form).post(billing_submit),
        )
        .route(
            "/min-profil/losenord",
            get(password_form).post(password_submit),
        )
        .route(
            "/min-profil/arbetsplatser/ny",
            get(new_workplace).post(add_workplace),
        )
        .route(
            "/min-profil/arbetsplatser/{id}",
            get(edit_workplace).post(update_workplace),
        )
        .route(
            "/min-profil/arbetsplatser/{id}/ta-bort",
            post(remove_workplace),
        )
        .route("/glomt-losenord", get(forgot_form).post(forgot_submit))
        .route(
            "/glomt-losenord/{token}",
            get(reset_form).post(reset_submit),
        )
        .route("/licens/fornya", get(renew_form).post(renew_submit))
}

pub const LINK_NOT_VALID: &str = "Länken för att byta lösenord gäller inte längre";
pub const LINK_NOT_VALID_EXPLAINED: &str = "Länken i e-postmeddelandet gäller i 24 timmar och kan bara användas en gång. Begär en ny länk och försök igen.";

fn licence_text(licensing: &Licensing, today: jiff::civil::Date) -> String {
    match licensing {
        Licensing::Own(l) => {
            let period = format!("{} – {}", l.starts_on, l.ends_on);
            match l.status(today) {
                LicenceStatus::Active => format!("Aktiv och betald, {period}."),
                LicenceStatus::AwaitingPayment { due_on } => {
                    format!(
                        "Aktiv, {period}. Väntar på betalning, som ska ha kommit fram senast {due_on}."
                    )
                }
                LicenceStatus::Unpaid => format!(
                    "Obetald, {period}. Betalningen skulle ha kommit fram senast {}.",
                    l.payment_due_on
                ),
                LicenceStatus::Expired => format!("Utgången, {period}."),
            }
        }
        Licensing::Group { .. } => "Grupplicens genom din organisation.".to_owned(),
        Licensing::LeftGroup => "Ingen egen licens (tidigare grupplicens).".to_owned(),
    }
}

/// One workplace as Min profil lists it.
struct WorkplaceRow {
    id: String,
    name: String,
    code: String,
    region: String,
    address: String,
}

#[derive(Template)]
#[template(path = "my_profile.html")]
struct MyProfile {
    chrome: Chrome,
    name: String,
    person_number: String,
    profession: String,
    prescriber_code: String,
    email: String,
    mobile: String,
    licence: String,
    workplaces: Vec<WorkplaceRow>,
    /// The name of the workplace just saved, for the confirmation.
    saved: Option<String>,
    /// A workplace was just removed.
    removed: bool,
    /// The contact details were just saved.
    contact_saved: bool,
    /// The password was just changed.
    password_changed: bool,
    /// The billing party's lines (name, identity, address, e-mail, reference), if there is one.
    billing: Vec<String>,
    /// The billing party was just saved.
    billing_saved: bool,
    may_add_workplace: bool,
    too_many_workplaces: &'static str,
}

async fn my_profile(
    State(state): State<WebState>,
    page: Page,
    Prescriber(id): Prescriber,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    let (account, workplaces) = match state.app.profile(id).await {
        Ok(Some(found)) => found,
        Ok(None) => return Redirect::to("/").into_response(),
        Err(e) => return server_error(&state, &page, &e.to_string()),
    };
    // `?sparad={id}`: the workplace just saved (after [Spara]), confirmed by its name.
    let saved = query
        .iter()
        .find(|(key, _)| key == "sparad")
        .and_then(|(_, saved)| workplaces.iter().find(|w| w.id.to_string() == *saved))
        .map(|w| w.name.clone());
    // `?borttagen`: a workplace was just removed (it is no longer listed, so not named).
    let removed = query.iter().any(|(key, _)| key == "borttagen");
    let contact_saved = query.iter().any(|(key, _)| key == "kontakt");
    let password_changed = query.iter().any(|(key, _)| key == "losenord");
    let billing_saved = query.iter().any(|(key, _)| key == "betalningsansvarig");
    let billing = match state.app.billing.get(id).await {
        Ok(billing) => billing,
        Err(e) => return server_error(&state, &page, &e.to_string()),
    };
    let billing = billing
        .map(|b| {
            let kind = match b.kind {
                erecept_store::BillingKind::Private => "Privatperson",
                erecept_store::BillingKind::OwnCompany => "Eget företag",
                erecept_store::BillingKind::Employer => "Arbetsgivare",
            };
            let mut lines = vec![
                format!("{} ({kind})", b.name),
                b.identity,
                format!("{}, {} {}", b.address, b.postal_code, b.city),
                b.email,
            ];
            if !b.reference.is_empty() {
                lines.push(format!("Referens: {}", b.reference));
            }
            lines
        })
        .unwrap_or_default();
    render(&MyProfile {
        chrome: Chrome::new(&state, &page, "min-profil"),
        name: format!("{} {}", account.given_name, account.surname),
        person_number: account.person_number.to_string(),
        profession: account.profession.name().to_owned(),
        prescriber_code: account.prescriber_code.as_str().to_owned(),
        email: account.email.clone(),
        mobile: account.mobile.clone(),
        licence: licence_text(&account.licensing, state.app.clock.today()),
        may_add_workplace: workplaces.len() < MAX_WORKPLACES,
        too_many_workplaces: TOO_MANY_WORKPLACES,
        workplaces: workplaces
            .iter()
            .map(|w| WorkplaceRow {
                id: w.id.to_string(),
                name: w.name.clone(),
                code: w.code.as_str().to_owned(),
                region: w.county.region_name().to_owned(),
                address: format!("{}, {} {}", w.address, w.postal_code, w.city),
            })
            .collect(),
        saved,
        removed,
        contact_saved,
        password_changed,
        billing,
        billing_saved,
    })
}

/// "Ändra kontaktuppgifter": E-post (twice) and Mobiltelefon as in registration step 3, and
/// [Spara].
#[derive(Template)]
#[template(path = "contact_form.html")]
struct ContactPage {
    chrome: Chrome,
    form: ContactForm,
    errors: FieldErrors,
}

async fn contact_form(
    State(state): State<WebState>,
    page: Page,
    Prescriber(id): Prescriber,
) -> Response {
    match state.app.contact.form(id).await {
        Ok(Some(form)) => render(&ContactPage {
            chrome: Chrome::new(&state, &page, "min-profil"),
            form,
            errors: FieldErrors::default(),
        }),
        Ok(None) => Redirect::to("/").into_response(),
        Err(e) => server_error(&state, &page, &e.to_string()),
    }
}

async fn contact_submit(
    State(state): State<WebState>,
    page: Page,
    Prescriber(id): Prescriber,
    Form(form): Form<ContactForm>,
) -> Response {
    match state.app.contact.update(id, &form).await {
        Ok(ContactOutcome::Saved) => Redirect::to("/min-profil?kontakt").into_response(),
        Ok(ContactOutcome::Invalid(problems)) => {
            let body = render(&ContactPage {
                chrome: Chrome::new(&state, &page, "min-profil"),
                form,
                errors: errors_from(problems),
            });
            (StatusCode::UNPROCESSABLE_ENTITY, body).into_response()
        }
        Ok(ContactOutcome::NotFound) => Redirect::to("/").into_response(),
        Err(e) => server_error(&state, &page, &e.to_string()),
    }
}

/// "Ändra betalningsansvarig": the fields of registration step 5 and [Spara].
#[derive(Template)]
#[template(path = "billing_form.html")]
struct BillingPage {
    chrome: Chrome,
    kinds: Vec<Choice>,
    form: BillingForm,
    errors: FieldErrors,
}

fn billing_page(state: &WebState, page: &Page, form: BillingForm, errors: FieldErrors) -> Response {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = render(&BillingPage {
        chrome: Chrome::new(state, page, "min-profil"),
        kinds: billing_kinds(&form.typ),
        form,
        errors,
    });
    (status, body).into_response()
}

async fn billing_form(
    State(state): State<WebState>,
    page: Page,
    Prescriber(id): Prescriber,
) -> Response {
    match state.app.billing.get(id).await {
        Ok(Some(b)) => billing_page(&state, &page, BillingForm::from(&b), FieldErrors::default()),
        Ok(None) => not_found(State(state), page).await,
        Err(e) => server_error(&state, &page, &e.to_string()),
    }
}

async fn billing_submit(
    State(state): State<WebState>,
    page: Page,
    Prescriber(id): Prescriber,
    Form(fields): Form<BillingFields>,
) -> Response {
    match state
        .app
        .billing
        .update(id, BillingForm::from(fields))
        .await
    {
        Ok(BillingOutcome::Saved) => Redirect::to("/min-profil?betalningsansvarig").into_response(),
        Ok(BillingOutcome::Invalid(problems, form)) => {
            billing_page(&state, &page, *form, errors_from(problems))
        }
        Ok(BillingOutcome::NotFound) => not_found(State(state), page).await,
        Err(e) => server_error(&state, &page, &e.to_string()),
    }
}

/// "Byt lösenord": the current password and the new one twice; nothing typed is shown again.
#[derive(Template)]
#[template(path = "password_form.html")]
struct PasswordPage {
    chrome: Chrome,
    errors: FieldErrors,
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    nuvarande_losenord: String,
    #[serde(default)]
    nytt_losenord: String,
    #[serde(default)]
    upprepa_losenord: String,
}

async fn password_form(
    State(state): State<WebState>,
    page: Page,
    Prescriber(_): Prescriber,
) -> Response {
    render(&PasswordPage {
        chrome: Chrome::new(&state, &page, "min-profil"),
        errors: FieldErrors::default(),
    })
}

async fn password_submit(
    State(state): State<WebState>,
    page: Page,
    Prescriber(id): Prescriber,
    Form(form): Form<PasswordForm>,
) -> Response {
    let mut errors = FieldErrors::default();
    if form.nuvarande_losenord.is_empty() {
        errors.add(
            "nuvarande_losenord",
            "Fyll i det lösenord du loggar in med.",
        );
    }
    if form.nytt_losenord.is_empty() {
        errors.add("nytt_losenord", "Fyll i ett nytt lösenord.");
    }
    if form.upprepa_losenord.is_empty() {
        errors.add("upprepa_losenord", "Skriv samma lösenord en gång till.");
    }
    if errors.is_empty() {
        match state
            .app
            .auth
            .change_password(
                id,
                page.visitor.token.as_ref(),
                &form.nuvarande_losenord,
                &form.nytt_losenord,
                &form.upprepa_losenord,
            )
            .await
        {
            Ok(PasswordChange::Changed) => {
                return Redirect::to("/min-profil?losenord").into_response();
            }
            Ok(PasswordChange::WrongCurrent) => {
                errors.add("nuvarande_losenord", WRONG_CURRENT_PASSWORD);
            }
            Ok(PasswordChange::Throttled) => errors.add("nuvarande_losenord", THROTTLED),
            Ok(PasswordChange::Rejected(NewPasswordError::Mismatch)) => {
                errors.add("upprepa_losenord", NewPasswordError::Mismatch.to_string());
            }
            Ok(PasswordChange::Rejected(e)) => errors.add("nytt_losenord", e.to_string()),
            Ok(PasswordChange::NotFound) => return Redirect::to("/").into_response(),
            Err(e) => return server_error(&state, &page, &e.to_string()),
        }
    }
    let body = render(&PasswordPage {
        chrome: Chrome::new(&state, &page, "min-profil"),
        errors,
    });
    (StatusCode::UNPROCESSABLE_ENTITY, body).into_response()
}

/// The current password typed under "Byt lösenord" is not the account's.
pub const WRONG_CURRENT_PASSWORD: &str =
    "Lösenordet stämmer inte. Skriv det lösenord du loggar in med.";

/// "Lägg till arbetsplats" and "Ändra arbetsplats": the fields of registration step 4 and
/// [Spara].
#[derive(Template)]
#[template(path = "workplace_form.html")]
struct WorkplacePage {
    chrome: Chrome,
    heading: &'static str,
    action: String,
    fields: WorkplaceFields,
    errors: FieldErrors,
    /// Why the last action could not be done (above the form), or empty.
    notice: &'static str,
    /// Where [Ta bort arbetsplatsen] posts; only when editing.
    remove_action: Option<String>,
}

const ADD_HEADING: &str = "Lägg till arbetsplats";
const EDIT_HEADING: &str = "Ändra arbetsplats";
const NEW_PATH: &str = "/min-profil/arbetsplatser/ny";

/// Which workplace form: a new one, or the account's workplace with this id.
#[derive(Clone, Copy)]
enum Editing {
    New,
    Existing(uuid::Uuid),
}

/// The workplace form: 422 with the field errors, 409 with a `notice` saying why an action was
/// refused.
fn workplace_page(
    state: &WebState,
    page: &Page,
    editing: Editing,
    form: WorkplaceForm,
    errors: FieldErrors,
    notice: &'static str,
) -> Response {
    let status = if !errors.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else if !notice.is_empty() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    let (heading, action, remove_action) = match editing {
        Editing::New => (ADD_HEADING, NEW_PATH.to_owned(), None),
        Editing::Existing(id) => (
            EDIT_HEADING,
            format!("/min-profil/arbetsplatser/{id}"),
            Some(format!("/min-profil/arbetsplatser/{id}/ta-bort")),
        ),
    };
    let body = render(&WorkplacePage {
        chrome: Chrome::new(state, page, "min-profil"),
        heading,
        action,
        fields: WorkplaceFields::new(form, state.app.workplaces.journal_systems()),
        errors,
        notice,
        remove_action,
    });
    (status, body).into_response()
}

/// Back to Min profil, which confirms the workplace saved.
fn saved(id: uuid::Uuid) -> Response {
    Redirect::to(&format!("/min-profil?sparad={id}")).into_response()
}

fn too_many(state: &WebState, page: &Page) -> Response {
    let body = message_page(
        state,
        page,
        "min-profil",
        &format!("Du har redan {MAX_WORKPLACES} arbetsplatser"),
        vec![TOO_MANY_WORKPLACES.to_owned()],
        None,
    );
    (StatusCode::CONFLICT, body).into_response()
}

async fn new_workplace(
    State(state): State<WebState>,
    page: Page,
    Prescriber(id): Prescriber,
) -> Response {
    match state.app.workplaces.may_add(id).await {
        Ok(true) => workplace_page(
            &state,
            &page,
            Editing::New,
            WorkplaceForm::default(),
            FieldErrors::default(),
            "",
        ),
        Ok(false) => too_many(&state, &page),
        Err(e) => server_error(&state, &page, &e.to_string()),
    }
}

async fn add_workplace(
    State(state): State<WebState>,
    page: Page,
    Prescriber(id): Prescriber,
    Form(form): Form<WorkplaceForm>,
) -> Response {
    match state.app.workplaces.add(id, &form).await {
        Ok(WorkplaceOutcome::Saved(w)) => saved(w.id),
        Ok(WorkplaceOutcome::Invalid(problems)) => {
            workplace_page(&state, &page, Editing::New, form, errors_from(problems), "")
        }
        Ok(WorkplaceOutcome::TooMany) => too_many(&state, &page),
        Ok(WorkplaceOutcome::NotFound) => not_found(State(state), page).await,
        Err(e) => server_error(&state, &page, &e.to_string()),
    }
}

async fn edit_workplace(
    State(state): State<WebState>,
    page: Page,
    Prescriber(id): Prescriber,
    Path(workplace): Path<String>,
) -> Response {
    let Ok(workplace) = workplace.parse::<uuid::Uuid>() else {
        return not_found(State(state), page).await;
    };
    match state.app.workplaces.get(id, workplace).await {
        Ok(Some(w)) => workplace_page(
            &state,
            &page,
            Editing::Existing(w.id),
            WorkplaceForm::from(&w),
            FieldErrors::default(),
            "",
        ),
        Ok(None) => not_found(State(state), page).await,
        Err(e) => server_error(&state, &page, &e.to_string()),
    }
}

async fn update_workplace(
    State(state): State<WebState>,
    page: Page,
    Prescriber(id): Prescriber,
    Path(workplace): Path<String>,
    Form(form): Form<WorkplaceForm>,
) -> Response {
    let Ok(workplace) = workplace.parse::<uuid::Uuid>() else {
        return not_found(State(state), page).await;
    };
    match state.app.workplaces.update(id, workplace, &form).await {
        Ok(WorkplaceOutcome::Saved(w)) => saved(w.id),
        Ok(WorkplaceOutcome::Invalid(problems)) => workplace_page(
            &state,
            &page,
            Editing::Existing(workplace),
            form,
            errors_from(problems),
            "",
        ),
        Ok(WorkplaceOutcome::NotFound | WorkplaceOutcome::TooMany) => {
            not_found(State(state), page).await
        }
        Err(e) => server_error(&state, &page, &e.to_string()),
    }
}

/// [Ta bort arbetsplatsen] on "Ändra arbetsplats": back to Min profil, which confirms it; the
/// last workplace is kept and its page says why.
async fn remove_workplace(
    State(state): State<WebState>,
    page: Page,
    Prescriber(id): Prescriber,
    Path(workplace): Path<String>,
) -> Response {
    let Ok(workplace) = workplace.parse::<uuid::Uuid>() else {
        return not_found(State(state), page).await;
    };
    match state.app.workplaces.remove(id, workplace).await {
        Ok(WorkplaceRemoval::Removed) => Redirect::to("/min-profil?borttagen").into_response(),
        Ok(WorkplaceRemoval::NotFound) => not_found(State(state), page).await,
        Ok(WorkplaceRemoval::LastOne) => match state.app.workplaces.get(id, workplace).await {
            Ok(Some(w)) => workplace_page(
                &state,
                &page,
                Editing::Existing(w.id),
                WorkplaceForm::from(&w),
                FieldErrors::default(),
                LAST_WORKPLACE,
            ),
            Ok(None) => not_found(State(state), page).await,
            Err(e) => server_error(&state, &page, &e.to_string()),
        },
        Err(e) => server_error(&state, &page, &e.to_string()),
    }
}

#[derive(Template)]
#[template(path = "forgot_password.html")]
struct ForgotPassword {
    chrome: Chrome,
    personnummer: String,
    errors: FieldErrors,
    sent: bool,
}

async fn forgot_form(State(state): State<WebState>, page: Page) -> Response {
    render(&ForgotPassword {
        chrome: Chrome::new(&state, &page, "glomt-losenord"),
        personnummer: String::new(),
        errors: FieldErrors::default(),
        sent: false,
    })
}

#[derive(Debug, Deserialize)]
struct ForgotForm {
    #[serde(default)]
    personnummer: String,
}

async fn forgot_submit(
    State(state): State<WebState>,
    page: Page,
    ClientAddress(address): ClientAddress,
    Form(form): Form<ForgotForm>,
) -> Response {
    let mut errors = FieldErrors::default();
    let typed = form.personnummer.trim();
    if typed.is_empty() {
        errors.add("personnummer", "Fyll i ditt personnummer.");
    } else {
        match PersonNumber::parse(typed, state.app.clock.today()) {
            Err(e) => errors.add("personnummer", e.to_string()),
            Ok(person_number) => {
                // The same answer whether or not the personnummer has an account.
                if let Err(e) = state.app.auth.request_reset(&person_number, address).await {
                    return server_error(&state, &page, &e.to_string());
                }
            }
        }
    }
    let sent = errors.is_empty();
    let body = render(&ForgotPassword {
        chrome: Chrome::new(&state, &page, "glomt-losenord"),
        personnummer: form.personnummer,
        errors,
        sent,
    });
    if sent {
        body
    } else {
        (StatusCode::UNPROCESSABLE_ENTITY, body).into_response()
    }
}

#[derive(Template)]
#[template(path = "reset_password.html")]
struct ResetPassword {
    chrome: Chrome,
    token: String,
    errors: FieldErrors,
}

fn link_not_valid(state: &WebState, page: &Page) -> Response {
    let body = message_page(
        state,
        page,
        "glomt-losenord",
        LINK_NOT_VALID,
        vec![
            LINK_NOT_VALID_EXPLAINED.to_owned(),
            "Gå till Glömt lösenord? och fyll i ditt personnummer igen.".to_owned(),
        ],
        None,
    );
    (StatusCode::GONE, body).into_response()
}

/// Tokens are 43 URL-safe characters; anything else is not a link we sent.
fn well_formed_token(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

async fn reset_form(
    State(state): State<WebState>,
    page: Page,
    Path(token): Path<String>,
) -> Response {
    if !well_formed_token(&token) {
        return link_not_valid(&state, &page);
    }
    match state.app.auth.reset_link(&token).await {
        Ok(Some(erecept_store::ResetLink::Valid(_))) => render(&ResetPassword {
            chrome: Chrome::new(&state, &page, "glomt-losenord"),
            token,
            errors: FieldErrors::default(),
        }),
        Ok(_) => link_not_valid(&state, &page),
        Err(e) => server_error(&state, &page, &e.to_string()),
    }
}

#[derive(Debug, Deserialize)]
struct ResetForm {
    #[serde(default)]
    nytt_losenord: String,
    #[serde(default)]
    upprepa_losenord: String,
}

async fn reset_submit(
    State(state): State<WebState>,
    page: Page,
    Path(token): Path<String>,
    Form(form): Form<ResetForm>,
) -> Response {
    if !well_formed_token(&token) {
        return link_not_valid(&state, &page);
    }
    let mut errors = FieldErrors::default();
    if form.nytt_losenord.is_empty() {
        errors.add("nytt_losenord", "Fyll i ett nytt lösenord.");
    }
    if form.upprepa_losenord.is_empty() {
        errors.add("upprepa_losenord", "Skriv samma lösenord en gång till.");
    }
    if errors.is_empty() {
        match state
            .app
            .auth
            .reset_password(&token, &form.nytt_losenord, &form.upprepa_losenord)
            .await
        {
            Err(e) => return server_error(&state, &page, &e.to_string()),
            Ok(ResetOutcome::LinkNotValid(_)) => return link_not_valid(&state, &page),
            Ok(ResetOutcome::Rejected(NewPasswordError::Mismatch)) => {
                errors.add("upprepa_losenord", NewPasswordError::Mismatch.to_string());
            }
            Ok(ResetOutcome::Rejected(e)) => errors.add("nytt_losenord", e.to_string()),
            Ok(ResetOutcome::Changed) => {
                let cookie = cookies::clear_session_cookie(state.config.production);
                let body = message_page(
                    &state,
                    &Page { csrf: page.csrf.clone(), visitor: Default::default() },
                    "glomt-losenord",
                    "Lösenordet är bytt",
                    vec![
                        "Ditt nya lösenord gäller från och med nu. Alla inloggningar på ditt konto har avslutats och en bekräftelse har skickats till din e-postadress.".to_owned(),
                        "Logga in med ditt personnummer och det nya lösenordet.".to_owned(),
                    ],
                    None,
                );
                return ([(header::SET_COOKIE, cookie)], body).into_response();
            }
        }
    }
    let body = render(&ResetPassword {
        chrome: Chrome::new(&state, &page, "glomt-losenord"),
        token,
        errors,
    });
    (StatusCode::UNPROCESSABLE_ENTITY, body).into_response()
}

#[derive(Template)]
#[template(path = "renew_licence.html")]
struct RenewLicence {
    chrome: Chrome,
    name: String,
    email: String,
    mobile: String,
    period: String,
    due: String,
}

/// The account whose expired licence this visitor proved (with the right password) they may
/// renew, and the licence year it would get.
async fn renewable(state: &WebState, page: &Page) -> Option<(erecept_store::Account, Licence)> {
    let id = page
        .visitor
        .session
        .as_ref()?
        .data
        .get("renew_licence_for")?
        .as_str()?
        .parse()
        .ok()?;
    let offer = state
        .app
        .licences
        .renewal_offer(AccountId(id))
        .await
        .ok()??;
    let (account, _) = state.app.profile(AccountId(id)).await.ok()??;
    Some((account, offer))
}

async fn renew_form(State(state): State<WebState>, page: Page) -> Response {
    let Some((account, next)) = renewable(&state, &page).await else {
        return Redirect::to("/").into_response();
    };
    render(&RenewLicence {
        chrome: Chrome::new(&state, &page, "inloggning"),
        name: format!("{} {}", account.given_name, account.surname),
        email: account.email.clone(),
        mobile: account.mobile.clone(),
        period: format!("{} – {}", next.starts_on, next.ends_on),
        due: next.payment_due_on.to_string(),
    })
}

async fn renew_submit(State(state): State<WebState>, page: Page) -> Response {
    let Some((account, _)) = renewable(&state, &page).await else {
        return Redirect::to("/").into_response();
    };
    match state.app.licences.renew_expired(account.id).await {
        Ok(Some(_)) => {}
        Ok(None) => return Redirect::to("/").into_response(),
        Err(e) => return server_error(&state, &page, &e.to_string()),
    }
    // Renewed: logged in at once, in a new session without the renewal marker.
    match state
        .app
        .sessions
        .renew(page.visitor.token.as_ref(), Some(account.id.0))
        .await
    {
        Ok((token, _)) => {
            if let Err(e) = state
                .app
                .sessions
                .save(&token, &serde_json::json!({}))
                .await
            {
                return server_error(&state, &page, &e.to_string());
            }
            let cookie = cookies::session_cookie(&token, state.config.production);
            ([(header::SET_COOKIE, cookie)], Redirect::to("/min-profil")).into_response()
        }
        Err(e) => server_error(&state, &page, &e.to_string()),
    }
}
