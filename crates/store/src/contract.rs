#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step should stop the case loudly

//! The behaviour every [`Store`](crate::Store) adapter must have.
//!
//! Each adapter's tests call [`contract_suite!`](crate::contract_suite) with a factory that gives
//! a fresh, empty, migrated store (or `None` when that database is not available here). Every
//! function below is one test case.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use uuid::Uuid;

use crate::{
    JobCounts, JobStatus, NewJob, NewMail, NewSession, Outbox, SEND_MAIL_JOB, SessionKey, Store,
    StoreError,
};

/// Generates one `#[tokio::test]` per contract case. `$make` is an async expression giving
/// `Option<impl Store>`; `None` skips the case (the adapter decides when that is allowed).
#[macro_export]
macro_rules! contract_suite {
    ($make:expr) => {
        $crate::contract_suite!(@cases $make;
            ping_answers,
            session_round_trip,
            expired_session_is_gone,
            session_update_slides_expiry,
            account_sessions_end_except_kept,
            purge_removes_only_expired_sessions,
            enqueue_is_idempotent_by_key,
            claim_takes_only_due_jobs_oldest_first,
            claimed_job_is_not_claimed_again_until_lease_ends,
            complete_needs_the_lease,
            failed_job_is_retried_then_dead,
            concurrent_claims_never_share_a_job,
            outbox_mail_and_send_job_are_stored_together,
            outbox_is_all_or_nothing,
            mail_is_marked_sent,
            job_counts_by_status
        );
    };
    (@cases $make:expr; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                if let Some(store) = $make.await {
                    let store: ::std::sync::Arc<dyn $crate::Store> = ::std::sync::Arc::new(store);
                    $crate::contract::$case(store.clone()).await;
                    store.close().await;
                }
            }
        )*
    };
}

fn t0() -> Timestamp {
    Timestamp::from_second(1_790_000_000).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn at(minutes: i64) -> Timestamp {
    t0() + SignedDuration::from_mins(minutes)
}

fn key(name: &str) -> SessionKey {
    SessionKey(format!("{name}-{}", Uuid::new_v4()))
}

fn session(key: &SessionKey, account: Option<Uuid>, expires_min: i64) -> NewSession {
    NewSession {
        key: key.clone(),
        account_id: account,
        data: serde_json::json!({ "step": 1 }),
        created_at: at(0),
        expires_at: at(expires_min),
    }
}

fn job(kind: &str, key: &str, run_at: Timestamp) -> NewJob {
    NewJob::new(
        kind,
        serde_json::json!({ "n": key }),
        key.to_owned(),
        run_at,
    )
}

fn mail(to: &str) -> NewMail {
    NewMail {
        id: crate::MailId(Uuid::now_v7()),
        to: to.to_owned(),
        subject: "Välkommen till eRecept".to_owned(),
        text_body: "Hej!".to_owned(),
        html_body: "<p>Hej!</p>".to_owned(),
    }
}

pub async fn ping_answers(store: Arc<dyn Store>) {
    store.ping().await.unwrap();
    assert!(["sqlite", "postgres"].contains(&store.backend()));
}

pub async fn session_round_trip(store: Arc<dyn Store>) {
    let k = key("a");
    let account = Uuid::now_v7();
    store
        .create_session(&session(&k, Some(account), 30))
        .await
        .unwrap();
    let got = store.session(&k, at(1)).await.unwrap().expect("session");
    assert_eq!(got.key, k);
    assert_eq!(got.account_id, Some(account));
    assert_eq!(got.data, serde_json::json!({ "step": 1 }));
    assert_eq!(got.created_at, at(0));
    assert_eq!(got.expires_at, at(30));

    // The same key cannot be created twice.
    let again = store.create_session(&session(&k, None, 30)).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");

    store.delete_session(&k).await.unwrap();
    assert!(store.session(&k, at(1)).await.unwrap().is_none());
    assert!(
        store
            .session(&key("unknown"), at(1))
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn expired_session_is_gone(store: Arc<dyn Store>) {
    let k = key("b");
    store.create_session(&session(&k, None, 30)).await.unwrap();
    assert!(store.session(&k, at(29)).await.unwrap().is_some());
    assert!(store.session(&k, at(30)).await.unwrap().is_none());
    assert!(store.session(&k, at(31)).await.unwrap().is_none());
}

pub async fn session_update_slides_expiry(store: Arc<dyn Store>) {
    let k = key("c");
    store.create_session(&session(&k, None, 30)).await.unwrap();
    let data = serde_json::json!({ "wizard": { "step": 3, "namn": "Åsa Öberg" } });
    store
        .update_session(&k, &data, at(50), at(20))
        .await
        .unwrap();
    let got = store
        .session(&k, at(40))
        .await
        .unwrap()
        .expect("still alive");
    assert_eq!(got.data, data);
    assert_eq!(got.expires_at, at(50));
    assert_eq!(got.updated_at, at(20));
    // Updating an expired session does not bring it back.
    store
        .update_session(&k, &data, at(200), at(60))
        .await
        .unwrap();
    assert!(store.session(&k, at(61)).await.unwrap().is_none());
}

pub async fn account_sessions_end_except_kept(store: Arc<dyn Store>) {
    let account = Uuid::now_v7();
    let other = Uuid::now_v7();
    let (k1, k2, k3, k4) = (key("1"), key("2"), key("3"), key("4"));
    for (k, a) in [(&k1, account), (&k2, account), (&k3, account), (&k4, other)] {
        store
            .create_session(&session(k, Some(a), 30))
            .await
            .unwrap();
    }
    let ended = store
        .delete_account_sessions(account, Some(&k2))
        .await
        .unwrap();
    assert_eq!(ended, 2);
    assert!(store.session(&k1, at(1)).await.unwrap().is_none());
    assert!(store.session(&k2, at(1)).await.unwrap().is_some());
    assert!(store.session(&k3, at(1)).await.unwrap().is_none());
    assert!(store.session(&k4, at(1)).await.unwrap().is_some());
    assert_eq!(
        store.delete_account_sessions(account, None).await.unwrap(),
        1
    );
}

pub async fn purge_removes_only_expired_sessions(store: Arc<dyn Store>) {
    let (old, live) = (key("old"), key("live"));
    store
        .create_session(&session(&old, None, 10))
        .await
        .unwrap();
    store
        .create_session(&session(&live, None, 100))
        .await
        .unwrap();
    assert_eq!(store.purge_expired_sessions(at(50)).await.unwrap(), 1);
    assert!(store.session(&live, at(50)).await.unwrap().is_some());
    assert_eq!(store.purge_expired_sessions(at(50)).await.unwrap(), 0);
}

pub async fn enqueue_is_idempotent_by_key(store: Arc<dyn Store>) {
    let first = job("test.echo", "same-key", at(0));
    let second = job("test.echo", "same-key", at(0));
    store
        .enqueue(&Outbox::new().job(first.clone()), at(0))
        .await
        .unwrap();
    store
        .enqueue(&Outbox::new().job(second.clone()), at(0))
        .await
        .unwrap();
    let stored = store.job_by_key("same-key").await.unwrap().expect("job");
    assert_eq!(stored.id, first.id);
    assert!(store.job(second.id).await.unwrap().is_none());
    assert_eq!(stored.status, JobStatus::Pending);
    assert_eq!(stored.attempts, 0);
    assert_eq!(stored.payload, serde_json::json!({ "n": "same-key" }));
    assert_eq!(store.job_counts().await.unwrap().pending, 1);
}

pub async fn claim_takes_only_due_jobs_oldest_first(store: Arc<dyn Store>) {
    let later = job("test.echo", "later", at(10));
    let early = job("test.echo", "early", at(2));
    let earliest = job("test.echo", "earliest", at(1));
    store
        .enqueue(
            &Outbox::new()
                .job(later.clone())
                .job(early.clone())
                .job(earliest.clone()),
            at(0),
        )
        .await
        .unwrap();
    assert!(store.claim_job("w", at(0), at(5)).await.unwrap().is_none());
    let a = store
        .claim_job("w", at(3), at(8))
        .await
        .unwrap()
        .expect("due");
    assert_eq!(a.id, earliest.id);
    assert_eq!(a.status, JobStatus::Running);
    assert_eq!(a.attempts, 1);
    assert_eq!(a.locked_by.as_deref(), Some("w"));
    assert_eq!(a.locked_until, Some(at(8)));
    let b = store
        .claim_job("w", at(3), at(8))
        .await
        .unwrap()
        .expect("due");
    assert_eq!(b.id, early.id);
    assert!(store.claim_job("w", at(3), at(8)).await.unwrap().is_none());
}

pub async fn claimed_job_is_not_claimed_again_until_lease_ends(store: Arc<dyn Store>) {
    let j = job("test.echo", "lease", at(0));
    store
        .enqueue(&Outbox::new().job(j.clone()), at(0))
        .await
        .unwrap();
    let first = store
        .claim_job("w1", at(1), at(6))
        .await
        .unwrap()
        .expect("claim");
    assert!(
        store
            .claim_job("w2", at(5), at(10))
            .await
            .unwrap()
            .is_none()
    );
    // The first worker died: after its lease the job is taken again, as a new attempt.
    let second = store
        .claim_job("w2", at(7), at(12))
        .await
        .unwrap()
        .expect("reclaim");
    assert_eq!(second.id, first.id);
    assert_eq!(second.attempts, 2);
    assert_eq!(second.locked_by.as_deref(), Some("w2"));
    // The first worker wakes up: it no longer holds the job and cannot finish it.
    assert!(!store.complete_job(j.id, "w1", at(8)).await.unwrap());
    assert!(store.complete_job(j.id, "w2", at(8)).await.unwrap());
    let done = store.job(j.id).await.unwrap().expect("job");
    assert_eq!(done.status, JobStatus::Done);
    assert_eq!(done.finished_at, Some(at(8)));
    assert!(
        store
            .claim_job("w3", at(100), at(110))
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn complete_needs_the_lease(store: Arc<dyn Store>) {
    let j = job("test.echo", "complete", at(0));
    store
        .enqueue(&Outbox::new().job(j.clone()), at(0))
        .await
        .unwrap();
    // Not claimed yet: nobody holds it.
    assert!(!store.complete_job(j.id, "w", at(1)).await.unwrap());
    store
        .claim_job("w", at(1), at(5))
        .await
        .unwrap()
        .expect("claim");
    assert!(!store.complete_job(j.id, "intruder", at(2)).await.unwrap());
    assert!(store.complete_job(j.id, "w", at(2)).await.unwrap());
    // Done is final.
    assert!(!store.complete_job(j.id, "w", at(3)).await.unwrap());
    assert!(
        !store
            .fail_job(j.id, "w", "late", Some(at(9)), at(3))
            .await
            .unwrap()
    );
    assert_eq!(
        store.job(j.id).await.unwrap().expect("job").status,
        JobStatus::Done
    );
}

pub async fn failed_job_is_retried_then_dead(store: Arc<dyn Store>) {
    let j = job("test.echo", "retry", at(0));
    store
        .enqueue(&Outbox::new().job(j.clone()), at(0))
        .await
        .unwrap();
    store
        .claim_job("w", at(1), at(5))
        .await
        .unwrap()
        .expect("claim");
    assert!(
        store
            .fail_job(j.id, "w", "SMTP 451", Some(at(20)), at(2))
            .await
            .unwrap()
    );
    let waiting = store.job(j.id).await.unwrap().expect("job");
    assert_eq!(waiting.status, JobStatus::Pending);
    assert_eq!(waiting.run_at, at(20));
    assert_eq!(waiting.last_error.as_deref(), Some("SMTP 451"));
    assert_eq!(waiting.locked_by, None);
    assert!(
        store
            .claim_job("w", at(19), at(25))
            .await
            .unwrap()
            .is_none()
    );
    let again = store
        .claim_job("w", at(20), at(25))
        .await
        .unwrap()
        .expect("due again");
    assert_eq!(again.attempts, 2);
    assert!(
        store
            .fail_job(j.id, "w", "SMTP 550", None, at(21))
            .await
            .unwrap()
    );
    let dead = store.job(j.id).await.unwrap().expect("job");
    assert_eq!(dead.status, JobStatus::Dead);
    assert_eq!(dead.finished_at, Some(at(21)));
    assert_eq!(dead.last_error.as_deref(), Some("SMTP 550"));
    assert!(
        store
            .claim_job("w", at(1000), at(1005))
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn concurrent_claims_never_share_a_job(store: Arc<dyn Store>) {
    let jobs: Vec<NewJob> = (0..40)
        .map(|i| job("test.echo", &format!("c{i}"), at(0)))
        .collect();
    let mut outbox = Outbox::new();
    for j in &jobs {
        outbox = outbox.job(j.clone());
    }
    store.enqueue(&outbox, at(0)).await.unwrap();
    let mut workers = Vec::new();
    for w in 0..4 {
        let store = store.clone();
        workers.push(tokio::spawn(async move {
            let name = format!("w{w}");
            let mut mine = Vec::new();
            while let Some(job) = store.claim_job(&name, at(1), at(60)).await.unwrap() {
                assert!(store.complete_job(job.id, &name, at(2)).await.unwrap());
                mine.push(job.id);
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    all.sort();
    let before = all.len();
    all.dedup();
    assert_eq!(before, all.len(), "a job was claimed twice");
    assert_eq!(all.len(), jobs.len(), "a job was never claimed");
    assert_eq!(store.job_counts().await.unwrap().done, 40);
}

pub async fn outbox_mail_and_send_job_are_stored_together(store: Arc<dyn Store>) {
    let m = mail("anna.andersson@example.se");
    store
        .enqueue(&Outbox::new().mail(m.clone()), at(0))
        .await
        .unwrap();
    let stored = store.mail(m.id).await.unwrap().expect("mail");
    assert_eq!(stored.to, m.to);
    assert_eq!(stored.subject, "Välkommen till eRecept");
    assert_eq!(stored.text_body, m.text_body);
    assert_eq!(stored.html_body, m.html_body);
    assert_eq!(stored.created_at, at(0));
    assert_eq!(stored.sent_at, None);
    let send = store
        .job_by_key(&format!("mail:{}", m.id))
        .await
        .unwrap()
        .expect("send job");
    assert_eq!(send.kind, SEND_MAIL_JOB);
    assert_eq!(send.payload, serde_json::json!({ "mail_id": m.id.0 }));
    // The same mail queued again is neither stored nor sent twice.
    store
        .enqueue(&Outbox::new().mail(m.clone()), at(1))
        .await
        .unwrap();
    assert_eq!(store.job_counts().await.unwrap().pending, 1);
    assert_eq!(store.recent_mail(10).await.unwrap().len(), 1);
}

pub async fn outbox_is_all_or_nothing(store: Arc<dyn Store>) {
    let m = mail("bertil@example.se");
    // A job without a kind breaks a rule of the schema: the whole outbox must be refused.
    let broken = job("", "broken", at(0));
    let result = store
        .enqueue(&Outbox::new().mail(m.clone()).job(broken), at(0))
        .await;
    assert!(result.is_err());
    assert!(store.mail(m.id).await.unwrap().is_none());
    assert!(
        store
            .job_by_key(&format!("mail:{}", m.id))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.job_counts().await.unwrap(), JobCounts::default());
}

pub async fn mail_is_marked_sent(store: Arc<dyn Store>) {
    let first = mail("a@example.se");
    let second = mail("b@example.se");
    store
        .enqueue(&Outbox::new().mail(first.clone()), at(0))
        .await
        .unwrap();
    store
        .enqueue(&Outbox::new().mail(second.clone()), at(1))
        .await
        .unwrap();
    store.mark_mail_sent(first.id, "smtp", at(2)).await.unwrap();
    let sent = store.mail(first.id).await.unwrap().expect("mail");
    assert_eq!(sent.sent_at, Some(at(2)));
    assert_eq!(sent.transport.as_deref(), Some("smtp"));
    let recent = store.recent_mail(10).await.unwrap();
    assert_eq!(
        recent.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![second.id, first.id]
    );
    assert_eq!(store.recent_mail(1).await.unwrap().len(), 1);
}

pub async fn job_counts_by_status(store: Arc<dyn Store>) {
    let (a, b, c) = (
        job("k", "a", at(0)),
        job("k", "b", at(0)),
        job("k", "c", at(0)),
    );
    store
        .enqueue(&Outbox::new().job(a).job(b).job(c), at(0))
        .await
        .unwrap();
    let x = store
        .claim_job("w", at(1), at(9))
        .await
        .unwrap()
        .expect("x");
    let y = store
        .claim_job("w", at(1), at(9))
        .await
        .unwrap()
        .expect("y");
    let _z = store
        .claim_job("w", at(1), at(9))
        .await
        .unwrap()
        .expect("z");
    store.complete_job(x.id, "w", at(2)).await.unwrap();
    store.fail_job(y.id, "w", "no", None, at(2)).await.unwrap();
    assert_eq!(
        store.job_counts().await.unwrap(),
        JobCounts {
            pending: 0,
            running: 1,
            done: 1,
            dead: 1
        }
    );
}
