use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct JobId(pub Uuid);

impl std::fmt::Display for JobId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    /// Waiting for its time (`run_at`).
    Pending,
    /// Held by a worker until its lease ends.
    Running,
    Done,
    /// Given up after its last attempt; needs a person.
    Dead,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Pending => "pending",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => JobStatus::Pending,
            "running" => JobStatus::Running,
            "done" => JobStatus::Done,
            "dead" => JobStatus::Dead,
            _ => return None,
        })
    }
}

/// A job to be stored. The idempotency key makes enqueueing the same work twice a no-op.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    pub id: JobId,
    pub kind: String,
    pub payload: serde_json::Value,
    pub idempotency_key: String,
    pub run_at: Timestamp,
    pub max_attempts: u32,
}

impl NewJob {
    pub fn new(
        kind: &str,
        payload: serde_json::Value,
        idempotency_key: String,
        run_at: Timestamp,
    ) -> Self {
        Self {
            id: JobId(Uuid::now_v7()),
            kind: kind.to_owned(),
            payload,
            idempotency_key,
            run_at,
            max_attempts: 10,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: JobId,
    pub kind: String,
    pub payload: serde_json::Value,
    pub idempotency_key: String,
    pub status: JobStatus,
    pub attempts: u32,
    pub max_attempts: u32,
    pub run_at: Timestamp,
    pub locked_by: Option<String>,
    pub locked_until: Option<Timestamp>,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

/// How many jobs are in each state, for metrics and readiness.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobCounts {
    pub pending: u64,
    pub running: u64,
    pub done: u64,
    pub dead: u64,
}
