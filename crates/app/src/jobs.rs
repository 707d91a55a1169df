//! The background worker: takes due jobs from the durable queue, runs the handler of their kind,
//! and records the outcome. A job that fails is retried with exponential backoff until its
//! attempts are used up; a job whose worker died is taken again when its lease ends.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use erecept_domain::clock::Clock;
use erecept_store::{Job, Store, StoreResult};
use jiff::SignedDuration;
use tokio::sync::{Notify, watch};

/// How a job attempt went wrong.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth another try later (the other system is down, slow or busy).
    #[error("{0}")]
    Retry(String),
    /// Will never succeed; stop trying and leave it for a person.
    #[error("{0}")]
    Permanent(String),
}

#[async_trait]
pub trait JobHandler: Send + Sync + 'static {
    fn kind(&self) -> &'static str;
    async fn run(&self, job: &Job) -> Result<(), JobError>;
}

/// What happened to one claimed job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done,
    RetryAt(jiff::Timestamp),
    Dead,
    /// The lease ran out while the handler worked; another worker has the job now.
    LeaseLost,
}

pub struct Worker {
    name: String,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    wake: Arc<Notify>,
    handlers: HashMap<&'static str, Arc<dyn JobHandler>>,
    lease: SignedDuration,
    idle_poll: Duration,
}

/// Delay before the attempt after `attempts` failed ones: 10 s, 20 s, 40 s … at most an hour.
pub fn backoff(attempts: u32) -> SignedDuration {
    let exponent = attempts.saturating_sub(1).min(20);
    let secs = 10_i64.saturating_mul(1_i64 << exponent).min(3600);
    SignedDuration::from_secs(secs)
}

impl Worker {
    pub fn new(
        name: String,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        wake: Arc<Notify>,
    ) -> Self {
        Self {
            name,
            store,
            clock,
            wake,
            handlers: HashMap::new(),
            lease: SignedDuration::from_mins(5),
            idle_poll: Duration::from_secs(1),
        }
    }

    pub fn handle(mut self, handler: Arc<dyn JobHandler>) -> Self {
        self.handlers.insert(handler.kind(), handler);
        self
    }

    /// Takes and runs one due job, if there is one.
    pub async fn run_once(&self) -> StoreResult<Option<(Job, Outcome)>> {
        let now = self.clock.now();
        let Some(job) = self
            .store
            .claim_job(&self.name, now, now + self.lease)
            .await?
        else {
            return Ok(None);
        };
        let result = match self.handlers.get(job.kind.as_str()) {
            // Another server version may know this kind; retry rather than lose the job.
            None => Err(JobError::Retry(format!(
                "no handler for job kind {:?}",
                job.kind
            ))),
            Some(handler) => handler.run(&job).await,
        };
        let now = self.clock.now();
        let outcome = match result {
            Ok(()) => {
                if self.store.complete_job(job.id, &self.name, now).await? {
                    Outcome::Done
                } else {
                    Outcome::LeaseLost
                }
            }
            Err(error) => {
                let retry_at = match &error {
                    JobError::Retry(_) if job.attempts < job.max_attempts => {
                        Some(now + backoff(job.attempts))
                    }
                    _ => None,
                };
                tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, %error, "job failed");
                if !self
                    .store
                    .fail_job(job.id, &self.name, &error.to_string(), retry_at, now)
                    .await?
                {
                    Outcome::LeaseLost
                } else if let Some(at) = retry_at {
                    Outcome::RetryAt(at)
                } else {
                    tracing::error!(job = %job.id, kind = %job.kind, "job given up");
                    Outcome::Dead
                }
            }
        };
        Ok(Some((job, outcome)))
    }

    /// Runs due jobs until none is left (tests and commands).
    pub async fn drain(&self) -> StoreResult<Vec<(Job, Outcome)>> {
        let mut ran = Vec::new();
        while let Some(done) = self.run_once().await? {
            ran.push(done);
        }
        Ok(ran)
    }

    /// Runs until `shutdown` turns true; a job in progress is finished first.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        tracing::info!(worker = %self.name, "background worker started");
        loop {
            if *shutdown.borrow() {
                break;
            }
            match self.run_once().await {
                Ok(Some(_)) => continue,
                Ok(None) => {}
                Err(error) => tracing::error!(%error, "job queue unavailable"),
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(self.idle_poll) => {}
                _ = shutdown.changed() => {}
            }
        }
        tracing::info!(worker = %self.name, "background worker stopped");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1), SignedDuration::from_secs(10));
        assert_eq!(backoff(2), SignedDuration::from_secs(20));
        assert_eq!(backoff(3), SignedDuration::from_secs(40));
        assert_eq!(backoff(9), SignedDuration::from_secs(2560));
        assert_eq!(backoff(10), SignedDuration::from_secs(3600));
        assert_eq!(backoff(u32::MAX), SignedDuration::from_secs(3600));
    }
}
