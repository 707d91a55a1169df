//! Tickets to support ("Registrera ett ärende hos support"), as the store keeps them.

use jiff::Timestamp;
use uuid::Uuid;

use crate::AccountId;

/// A file sent with a ticket, its type known from its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// A ticket as the visitor wrote it; the store gives it its number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTicket {
    pub id: Uuid,
    /// The logged-in prescriber who wrote it, if any.
    pub account_id: Option<AccountId>,
    pub name: String,
    pub email: String,
    /// Empty when not given.
    pub phone: String,
    pub subject: String,
    pub description: String,
    pub attachment: Option<Attachment>,
}

/// A stored ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// The ärendenummer: 1, 2, 3… in the order the tickets came.
    pub number: u64,
    pub ticket: NewTicket,
    pub created_at: Timestamp,
}
