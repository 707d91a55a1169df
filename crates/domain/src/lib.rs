//! Pure domain types and rules of eRecept.
//!
//! Every type here follows "parse, don't validate": a value that exists is valid, and every
//! parser returns a typed error whose `Display` is a short Swedish message for the user.
//! No I/O, no async.

#![forbid(unsafe_code)]
// Tests may unwrap; the normal build (also checked by clippy) may not.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod checksum;

pub mod clock;
pub mod county;
pub mod drug_ids;
pub mod licence;
pub mod money;
pub mod office_hours;
pub mod organisation_number;
pub mod password;
pub mod payment_refs;
pub mod person_number;
pub mod prescriber_code;
pub mod prescription;
pub mod profession;
pub mod workplace_code;

pub use clock::{AdjustableClock, Clock, FixedClock, SystemClock};
pub use county::County;
pub use drug_ids::{AtcCode, DrugIdError, NplId, NplPackId, Varunummer};
pub use licence::{Licence, LicenceStatus, Licensing, NoActiveLicence, may_log_in};
pub use money::{Money, MoneyError};
pub use office_hours::{add_office_hours, holidays, is_office_day};
pub use organisation_number::{OrganisationNumber, OrganisationNumberError};
pub use password::{PasswordError, PasswordPolicy};
pub use payment_refs::{BankgiroNumber, OcrReference, PaymentRefError, PlusgiroNumber};
pub use person_number::{PersonNumber, PersonNumberError, PersonNumberKind, Sex};
pub use prescriber_code::{PrescriberCode, PrescriberCodeError};
pub use prescription::{ItemDraft, ItemError, PrescriptionItem, ProductFacts};
pub use profession::{Profession, ProfessionError};
pub use workplace_code::{WorkplaceCode, WorkplaceCodeError};
