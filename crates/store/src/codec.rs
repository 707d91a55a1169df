//! Conversions shared by the adapters: both store instants as whole microseconds since the
//! Unix epoch (a BIGINT), which sorts and compares the same way in SQLite and PostgreSQL.

use jiff::Timestamp;

use crate::{JobStatus, StoreError};

pub fn micros(at: Timestamp) -> i64 {
    at.as_microsecond()
}

pub fn instant(micros: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_microsecond(micros)
        .map_err(|e| StoreError::Corrupt(format!("timestamp {micros}: {e}")))
}

pub fn opt_instant(micros: Option<i64>) -> Result<Option<Timestamp>, StoreError> {
    micros.map(instant).transpose()
}

pub fn status(s: &str) -> Result<JobStatus, StoreError> {
    JobStatus::parse(s).ok_or_else(|| StoreError::Corrupt(format!("job status {s:?}")))
}

pub fn count(n: i64) -> Result<u32, StoreError> {
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("count {n}")))
}

pub fn json_text(value: &serde_json::Value) -> String {
    value.to_string()
}

pub fn json_value(text: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("json: {e}")))
}

pub fn date_text(date: jiff::civil::Date) -> String {
    date.to_string()
}

pub fn date(text: &str) -> Result<jiff::civil::Date, StoreError> {
    text.parse()
        .map_err(|e| StoreError::Corrupt(format!("date {text:?}: {e}")))
}

pub fn opt_date(text: Option<String>) -> Result<Option<jiff::civil::Date>, StoreError> {
    text.as_deref().map(date).transpose()
}

pub fn person_number(text: &str) -> Result<erecept_domain::PersonNumber, StoreError> {
    erecept_domain::PersonNumber::parse_12(text)
        .map_err(|e| StoreError::Corrupt(format!("personnummer: {e}")))
}

pub fn profession(code: &str) -> Result<erecept_domain::Profession, StoreError> {
    erecept_domain::Profession::parse(code)
        .map_err(|_| StoreError::Corrupt(format!("profession {code:?}")))
}

pub fn prescriber_code(text: &str) -> Result<erecept_domain::PrescriberCode, StoreError> {
    erecept_domain::PrescriberCode::parse(text)
        .map_err(|e| StoreError::Corrupt(format!("prescriber code: {e}")))
}

pub fn workplace_code(text: &str) -> Result<erecept_domain::WorkplaceCode, StoreError> {
    erecept_domain::WorkplaceCode::parse(text)
        .map_err(|e| StoreError::Corrupt(format!("workplace code: {e}")))
}

pub fn county(code: &str) -> Result<erecept_domain::County, StoreError> {
    erecept_domain::County::from_code(code)
        .ok_or_else(|| StoreError::Corrupt(format!("county {code:?}")))
}

pub fn billing_kind(code: &str) -> Result<crate::BillingKind, StoreError> {
    crate::BillingKind::parse(code)
        .ok_or_else(|| StoreError::Corrupt(format!("billing kind {code:?}")))
}

/// A verification as stored: status, expected time, verification time.
pub fn verification_columns(v: crate::Verification) -> (&'static str, Option<i64>, Option<i64>) {
    match v {
        crate::Verification::Pending { expected_by } => {
            ("pending", Some(micros(expected_by)), None)
        }
        crate::Verification::Verified { at } => ("verified", None, Some(micros(at))),
        crate::Verification::ManualReview => ("manual_review", None, None),
        crate::Verification::Rejected => ("rejected", None, None),
    }
}

pub fn verification(
    status: &str,
    expected_by: Option<i64>,
    verified_at: Option<i64>,
) -> Result<crate::Verification, StoreError> {
    let missing = || StoreError::Corrupt(format!("verification {status:?} without its time"));
    Ok(match status {
        "pending" => crate::Verification::Pending {
            expected_by: instant(expected_by.ok_or_else(missing)?)?,
        },
        "verified" => crate::Verification::Verified {
            at: instant(verified_at.ok_or_else(missing)?)?,
        },
        "manual_review" => crate::Verification::ManualReview,
        "rejected" => crate::Verification::Rejected,
        other => return Err(StoreError::Corrupt(format!("verification {other:?}"))),
    })
}

/// A licensing as stored: kind, the four dates of an own licence, whether a group allows
/// web login.
pub struct LicenceColumns {
    pub kind: &'static str,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub payment_due_on: Option<String>,
    pub paid_on: Option<String>,
    pub web_login_allowed: bool,
}

pub fn licence_columns(l: &erecept_domain::Licensing) -> LicenceColumns {
    use erecept_domain::Licensing;
    let none = |kind, web| LicenceColumns {
        kind,
        starts_on: None,
        ends_on: None,
        payment_due_on: None,
        paid_on: None,
        web_login_allowed: web,
    };
    match l {
        Licensing::Own(l) => LicenceColumns {
            kind: "own",
            starts_on: Some(date_text(l.starts_on)),
            ends_on: Some(date_text(l.ends_on)),
            payment_due_on: Some(date_text(l.payment_due_on)),
            paid_on: l.paid_on.map(date_text),
            web_login_allowed: true,
        },
        Licensing::Group { web_login_allowed } => none("group", *web_login_allowed),
        Licensing::LeftGroup => none("left_group", false),
    }
}

pub fn licensing(
    kind: &str,
    starts_on: Option<String>,
    ends_on: Option<String>,
    payment_due_on: Option<String>,
    paid_on: Option<String>,
    web_login_allowed: bool,
) -> Result<erecept_domain::Licensing, StoreError> {
    use erecept_domain::{Licence, Licensing};
    let missing = || StoreError::Corrupt("own licence without its dates".to_owned());
    Ok(match kind {
        "own" => Licensing::Own(Licence {
            starts_on: date(&starts_on.ok_or_else(missing)?)?,
            ends_on: date(&ends_on.ok_or_else(missing)?)?,
            payment_due_on: date(&payment_due_on.ok_or_else(missing)?)?,
            paid_on: opt_date(paid_on)?,
        }),
        "group" => Licensing::Group { web_login_allowed },
        "left_group" => Licensing::LeftGroup,
        other => return Err(StoreError::Corrupt(format!("licence kind {other:?}"))),
    })
}
