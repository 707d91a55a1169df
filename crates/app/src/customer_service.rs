//! "Registrera ett ärende hos support" on the customer-service page (SPEC §2.4): anyone may
//! write, a logged-in prescriber's ticket is linked to the account. The ticket is stored with
//! its receipt to the visitor and its notice to support in one transaction, and the visitor is
//! given the ärendenummer.

use std::net::IpAddr;
use std::sync::Arc;

use erecept_domain::clock::Clock;
use erecept_mail::{TicketForSupport, TicketReceived};
use erecept_store::{AccountId, Attachment, NewTicket, Outbox, Store};
use jiff::SignedDuration;
use serde::Deserialize;
use uuid::Uuid;

use crate::certificates::{clean_filename, content_type};
use crate::registration::{FieldProblems, valid_email, valid_phone};
use crate::{AppResult, Mailer};

/// The largest attachment.
pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;
pub const MAX_SUBJECT_CHARS: usize = 200;
pub const MAX_DESCRIPTION_CHARS: usize = 10_000;
/// Tickets one address may send within [`TICKET_WINDOW`]: enough for anyone with a problem,
/// too few to flood support.
pub const MAX_TICKETS_PER_ADDRESS: u32 = 10;
pub const TICKET_WINDOW: SignedDuration = SignedDuration::from_hours(1);

pub const ATTACHMENT_TOO_LARGE: &str = "Filen är för stor. Den får vara högst 5 MB.";
pub const ATTACHMENT_WRONG_TYPE: &str = "Filen måste vara en PDF-, PNG- eller JPEG-fil.";
pub const TOO_MANY_TICKETS: &str = "Du har skickat många ärenden på kort tid. Vänta en stund och försök igen, eller ring kundtjänst.";

/// The form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct TicketForm {
    pub namn: String,
    pub epost: String,
    pub telefon: String,
    pub amne: String,
    pub beskrivning: String,
}

/// What became of the form.
#[derive(Debug)]
pub enum TicketOutcome {
    /// Registered with this ärendenummer.
    Registered(u64),
    Invalid(FieldProblems),
    /// Too many tickets from the address ([`TOO_MANY_TICKETS`]).
    Throttled,
}

/// The checks of the form, each problem with its field. `attachment` is the file chosen, if any.
pub fn check_ticket(form: &TicketForm, attachment: Option<&[u8]>) -> FieldProblems {
    let mut p = FieldProblems::new();
    let mut required = |field: &'static str, value: &str, message: &str| {
        let given = !value.trim().is_empty();
        if !given {
            p.push((field, message.to_owned()));
        }
        given
    };
    required("namn", &form.namn, "Fyll i ditt namn.");
    let email = required("epost", &form.epost, "Fyll i din e-postadress.");
    let subject = required("amne", &form.amne, "Skriv vad ärendet gäller.");
    let description = required("beskrivning", &form.beskrivning, "Beskriv ärendet.");
    if email && !valid_email(&form.epost) {
        p.push((
            "epost",
            "Skriv en giltig e-postadress, t.ex. namn@exempel.se.".to_owned(),
        ));
    }
    if !form.telefon.trim().is_empty() && !valid_phone(&form.telefon) {
        p.push((
            "telefon",
            "Skriv telefonnumret med siffror, t.ex. 08-123 456 78.".to_owned(),
        ));
    }
    if subject && form.amne.trim().chars().count() > MAX_SUBJECT_CHARS {
        p.push((
            "amne",
            format!("Ämnet får vara högst {MAX_SUBJECT_CHARS} tecken."),
        ));
    }
    if description && form.beskrivning.trim().chars().count() > MAX_DESCRIPTION_CHARS {
        p.push((
            "beskrivning",
            "Beskrivningen får vara högst 10 000 tecken. Skicka resten i ett nytt ärende."
                .to_owned(),
        ));
    }
    if let Some(content) = attachment {
        if content.len() > MAX_ATTACHMENT_BYTES {
            p.push(("bifoga_fil", ATTACHMENT_TOO_LARGE.to_owned()));
        } else if content_type(content).is_none() {
            p.push(("bifoga_fil", ATTACHMENT_WRONG_TYPE.to_owned()));
        }
    }
    p
}

#[derive(Clone)]
pub struct CustomerService {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    mailer: Mailer,
    /// Where the notice of a new ticket goes.
    support_email: String,
}

impl CustomerService {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        mailer: Mailer,
        support_email: String,
    ) -> Self {
        Self {
            store,
            clock,
            mailer,
            support_email,
        }
    }

    /// The form for a logged-in prescriber: name, e-mail and mobile filled in.
    pub async fn form_for(&self, account: Option<AccountId>) -> AppResult<TicketForm> {
        let Some(id) = account else {
            return Ok(TicketForm::default());
        };
        Ok(match self.store.account(id).await? {
            Some(a) => TicketForm {
                namn: format!("{} {}", a.given_name, a.surname),
                epost: a.email,
                telefon: a.mobile,
                ..TicketForm::default()
            },
            None => TicketForm::default(),
        })
    }

    /// [Skicka]: checks the form and the file, counts the address, and registers the ticket.
    pub async fn submit(
        &self,
        form: &TicketForm,
        attachment: Option<(String, Vec<u8>)>,
        account: Option<AccountId>,
        address: IpAddr,
    ) -> AppResult<TicketOutcome> {
        let problems = check_ticket(form, attachment.as_ref().map(|(_, c)| c.as_slice()));
        if !problems.is_empty() {
            return Ok(TicketOutcome::Invalid(problems));
        }
        let now = self.clock.now();
        let sent = self
            .store
            .count_login_failure(
                &format!("ticket:address:{address}"),
                now - TICKET_WINDOW,
                now,
            )
            .await?;
        if sent > MAX_TICKETS_PER_ADDRESS {
            return Ok(TicketOutcome::Throttled);
        }
        let prescriber = match account {
            Some(id) => self.store.account(id).await?,
            None => None,
        };
        let attachment = attachment.and_then(|(name, content)| {
            content_type(&content).map(|kind| Attachment {
                filename: clean_filename(&name, "bilaga"),
                content_type: kind.to_owned(),
                content,
            })
        });
        let ticket = NewTicket {
            id: Uuid::now_v7(),
            account_id: prescriber.as_ref().map(|a| a.id),
            name: form.namn.trim().to_owned(),
            email: form.epost.trim().to_owned(),
            phone: form.telefon.trim().to_owned(),
            subject: form.amne.trim().to_owned(),
            description: form.beskrivning.trim().to_owned(),
            attachment,
        };
        let dash = |s: &str| {
            if s.is_empty() {
                "–".to_owned()
            } else {
                s.to_owned()
            }
        };
        let prescriber = prescriber.map_or_else(
            || "–".to_owned(),
            |a| format!("{} {}, {}", a.given_name, a.surname, a.person_number),
        );
        let attached = dash(
            ticket
                .attachment
                .as_ref()
                .map_or("", |a| a.filename.as_str()),
        );
        // Both mails name the number, which the store gives: they are made inside its
        // transaction, so that the ticket is never stored without them.
        let mails = |number: u64| -> Result<Outbox, String> {
            let receipt = self
                .mailer
                .compose(
                    &ticket.email,
                    &TicketReceived {
                        name: ticket.name.clone(),
                        number,
                        subject: ticket.subject.clone(),
                    },
                )
                .map_err(|e| e.to_string())?;
            let notice = self
                .mailer
                .compose(
                    &self.support_email,
                    &TicketForSupport {
                        number,
                        name: ticket.name.clone(),
                        email: ticket.email.clone(),
                        phone: dash(&ticket.phone),
                        prescriber: prescriber.clone(),
                        attachment: attached.clone(),
                        subject: ticket.subject.clone(),
                        description: ticket.description.clone(),
                    },
                )
                .map_err(|e| e.to_string())?;
            Ok(Outbox::new().mail(receipt).mail(notice))
        };
        let number = self.store.create_ticket(&ticket, &mails, now).await?;
        self.mailer.wake();
        tracing::info!(ticket = number, "ticket registered");
        Ok(TicketOutcome::Registered(number))
    }
}
