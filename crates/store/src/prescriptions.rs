//! Prescription items as the store keeps them. The application owns the shape of the item's
//! `document` (what was prescribed, for whom, by whom) and of its `messages` (the national
//! service's coded answers); the store indexes the columns that history pages search on.

use jiff::Timestamp;
use jiff::civil::Date;
use uuid::Uuid;

use crate::AccountId;

/// Where one item is on its way to the national prescription list and after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrescriptionStatus {
    /// Committed and queued; not yet handed over ("Väntar på överföring").
    Queued,
    /// Handed over; the answer has not come ("Skickat").
    Sent,
    /// Registered in the national list ("Registrerad").
    Registered,
    /// Registered, with warnings from the quality checks ("Registrerad med varning").
    RegisteredWithWarnings,
    /// Refused by the quality checks ("Avvisad").
    Rejected,
    /// Makulering asked for and queued; the national list has not confirmed it yet.
    CancelPending,
    /// Cancelled in the national list ("Makulerad").
    Cancelled,
}

impl PrescriptionStatus {
    pub const ALL: [PrescriptionStatus; 7] = [
        PrescriptionStatus::Queued,
        PrescriptionStatus::Sent,
        PrescriptionStatus::Registered,
        PrescriptionStatus::RegisteredWithWarnings,
        PrescriptionStatus::Rejected,
        PrescriptionStatus::CancelPending,
        PrescriptionStatus::Cancelled,
    ];

    /// The code kept in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Registered => "registered",
            Self::RegisteredWithWarnings => "registered_with_warnings",
            Self::Rejected => "rejected",
            Self::CancelPending => "cancel_pending",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == code)
    }

    /// The status as the prescriber reads it (SPEC Appendix A).
    pub fn swedish(self) -> &'static str {
        match self {
            Self::Queued => "Väntar på överföring",
            Self::Sent => "Skickat",
            Self::Registered => "Registrerad",
            Self::RegisteredWithWarnings => "Registrerad med varning",
            Self::Rejected => "Avvisad",
            Self::CancelPending => "Makulering väntar",
            Self::Cancelled => "Makulerad",
        }
    }

    /// Still on its way: the page keeps asking for news.
    pub fn is_in_transit(self) -> bool {
        matches!(self, Self::Queued | Self::Sent | Self::CancelPending)
    }

    /// In the national list and not ended: it may be cancelled.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Registered | Self::RegisteredWithWarnings)
    }
}

/// One item to store, as sent together with others (`batch_id`, `position`).
#[derive(Debug, Clone, PartialEq)]
pub struct NewPrescription {
    pub id: Uuid,
    pub account_id: AccountId,
    /// The items sent together share a batch; a batch id is used only once, so that sending
    /// the same draft twice stores nothing the second time (`Conflict`).
    pub batch_id: Uuid,
    /// 0, 1, … within the batch.
    pub position: u32,
    /// The patient, as history searches for them: the 12-digit number, or for a patient
    /// without one, name and birth date.
    pub patient_key: String,
    pub patient_name: String,
    /// The article as the list shows it ("Alvedon 500 mg Tablett, 100 styck").
    pub product_name: String,
    pub issued_on: Date,
    /// Sent to the national list with every attempt of the create.
    pub idempotency_key: String,
    pub document: serde_json::Value,
}

/// A stored item.
#[derive(Debug, Clone, PartialEq)]
pub struct Prescription {
    pub id: Uuid,
    pub account_id: AccountId,
    pub batch_id: Uuid,
    pub position: u32,
    pub patient_key: String,
    pub patient_name: String,
    pub product_name: String,
    pub issued_on: Date,
    pub idempotency_key: String,
    pub document: serde_json::Value,
    pub status: PrescriptionStatus,
    /// The national list's id, once registered.
    pub national_id: Option<String>,
    /// The national service's last answer (coded messages), `null` before any.
    pub messages: serde_json::Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One line of an item's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrescriptionEvent {
    pub at: Timestamp,
    pub status: PrescriptionStatus,
    /// What happened, in Swedish.
    pub text: String,
}

/// A change of status, with the line it adds to the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusChange {
    pub id: Uuid,
    /// The change is made only from one of these statuses (a stale worker or a second click
    /// changes nothing).
    pub from: Vec<PrescriptionStatus>,
    pub to: PrescriptionStatus,
    /// Set when known; `None` keeps the stored one.
    pub national_id: Option<String>,
    /// Replaces the stored messages when `Some`.
    pub messages: Option<serde_json::Value>,
    pub text: String,
}

/// What the history page searches for; empty fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrescriptionFilter {
    /// Part of the patient's key or name, case-insensitive.
    pub patient: String,
    /// Part of the article's name, case-insensitive.
    pub product: String,
    pub issued_from: Option<Date>,
    pub issued_to: Option<Date>,
    pub status: Option<PrescriptionStatus>,
}

/// One page of history: newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct PrescriptionPage {
    pub items: Vec<Prescription>,
    /// How many match the filter in all.
    pub total: u64,
}
