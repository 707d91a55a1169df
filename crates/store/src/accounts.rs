use erecept_domain::{County, Licensing, PersonNumber, PrescriberCode, Profession, WorkplaceCode};
use jiff::Timestamp;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AccountId(pub Uuid);

impl std::fmt::Display for AccountId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Where the check of the prescriber code against the national register stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// Waiting for the register; the page promises an answer by `expected_by`.
    Pending {
        expected_by: Timestamp,
    },
    Verified {
        at: Timestamp,
    },
    /// The register's answer did not match: support decides.
    ManualReview,
    Rejected,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BillingKind {
    /// The prescriber as a private person.
    Private,
    /// The prescriber's own company.
    OwnCompany,
    Employer,
}

impl BillingKind {
    pub fn code(self) -> &'static str {
        match self {
            BillingKind::Private => "private",
            BillingKind::OwnCompany => "own_company",
            BillingKind::Employer => "employer",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [
            BillingKind::Private,
            BillingKind::OwnCompany,
            BillingKind::Employer,
        ]
        .into_iter()
        .find(|k| k.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workplace {
    pub id: Uuid,
    pub name: String,
    pub code: WorkplaceCode,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub phone: String,
    pub county: County,
    pub journal_system: Option<String>,
}

/// What became of a request to take a workplace away (Min profil).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkplaceRemoval {
    /// No longer active: it is not listed or offered any more, and stays in the database.
    Removed,
    /// The account has no such active workplace.
    NotFound,
    /// It is the account's last active workplace, which a prescriber cannot be without.
    LastOne,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingParty {
    pub kind: BillingKind,
    pub name: String,
    /// Personnummer or organisationsnummer, as validated by the application.
    pub identity: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub email: String,
    pub reference: String,
}

/// Everything [Registrera] creates, stored in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRegistration {
    pub id: AccountId,
    pub person_number: PersonNumber,
    pub given_name: String,
    pub surname: String,
    pub email: String,
    pub mobile: String,
    pub password_hash: String,
    pub profession: Profession,
    pub prescriber_code: PrescriberCode,
    pub verification_expected_by: Timestamp,
    pub workplace: Workplace,
    pub billing: BillingParty,
    pub licensing: Licensing,
    pub population_register_addon: bool,
}

/// An account with what login and the profile need.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub id: AccountId,
    pub person_number: PersonNumber,
    pub given_name: String,
    pub surname: String,
    pub email: String,
    pub mobile: String,
    pub password_hash: String,
    pub profession: Profession,
    pub prescriber_code: PrescriberCode,
    pub verification: Verification,
    pub licensing: Licensing,
    pub population_register_addon: bool,
    pub created_at: Timestamp,
}

/// The state of a password-reset link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetLink {
    Valid(AccountId),
    Expired,
    Used,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateStatus {
    Submitted,
    Approved,
    Rejected,
}

impl CertificateStatus {
    pub fn code(self) -> &'static str {
        match self {
            CertificateStatus::Submitted => "submitted",
            CertificateStatus::Approved => "approved",
            CertificateStatus::Rejected => "rejected",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [
            CertificateStatus::Submitted,
            CertificateStatus::Approved,
            CertificateStatus::Rejected,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// An uploaded certificate (intyg), its content checked by the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCertificate {
    pub id: Uuid,
    pub account_id: AccountId,
    pub filename: String,
    pub content_type: &'static str,
    pub content: Vec<u8>,
}

/// A certificate as listed (without its content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    pub id: Uuid,
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    pub status: CertificateStatus,
    pub uploaded_at: Timestamp,
}
