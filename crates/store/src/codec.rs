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
