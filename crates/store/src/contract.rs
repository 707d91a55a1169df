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
    AccountId, Attachment, AuditEntry, BillingKind, BillingParty, CertificateStatus, JobCounts,
    JobStatus, NewCertificate, NewJob, NewMail, NewPrescription, NewRegistration, NewSession,
    NewTicket, Outbox, PrescriptionEvent, PrescriptionFilter, PrescriptionStatus, ResetLink,
    SEND_MAIL_JOB, SessionKey, StatusChange, Store, StoreError, Ticket, Verification, Workplace,
    WorkplaceRemoval,
};
use erecept_domain::{
    County, Licence, Licensing, PersonNumber, PrescriberCode, Profession, WorkplaceCode,
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
            job_counts_by_status,
            registration_is_stored_whole,
            a_person_number_registers_once,
            verification_and_licensing_change,
            reset_link_is_valid_once_and_for_a_day,
            login_failures_are_counted_per_key_within_a_window,
            certificates_are_kept_and_decided,
            accounts_in_review_are_listed,
            workplaces_are_added_and_listed,
            a_workplace_is_not_added_beyond_the_limit,
            a_workplace_is_removed_but_never_the_last,
            contact_details_change_with_their_notice,
            a_billing_party_is_replaced,
            a_password_changes_with_its_confirmation,
            tickets_are_numbered_in_order_with_their_mail,
            a_workplace_update_changes_only_that_row,
            another_accounts_workplace_is_never_updated,
            catalogue_products_are_upserted_never_deleted,
            rek_lists_are_replaced_per_region,
            audit_entries_are_kept_per_account,
            prescription_draft_is_kept_replaced_and_deleted,
            submitted_prescriptions_are_stored_whole,
            a_prescription_batch_is_stored_once,
            prescription_status_changes_only_from_allowed_statuses,
            concurrent_status_changes_apply_once,
            prescription_search_filters_and_pages
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

fn registration(pnr: &str) -> NewRegistration {
    NewRegistration {
        id: AccountId(Uuid::now_v7()),
        person_number: PersonNumber::parse_12(pnr).unwrap(),
        given_name: "Tolvan".to_owned(),
        surname: "Tolvansson".to_owned(),
        email: "tolvan@example.se".to_owned(),
        mobile: "070-123 45 67".to_owned(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
        profession: Profession::Sjukskoterska,
        prescriber_code: PrescriberCode::parse("1234567").unwrap(),
        verification_expected_by: at(60 * 48),
        workplace: Workplace {
            id: Uuid::now_v7(),
            name: "Vårdcentralen Åre".to_owned(),
            code: WorkplaceCode::parse("2312345").unwrap(),
            address: "Storgatan 1".to_owned(),
            postal_code: "837 52".to_owned(),
            city: "Åre".to_owned(),
            phone: "0647-123 45".to_owned(),
            county: County::from_code("23").unwrap(),
            journal_system: None,
        },
        billing: BillingParty {
            kind: BillingKind::Private,
            name: "Tolvan Tolvansson".to_owned(),
            identity: pnr.to_owned(),
            address: "Storgatan 1".to_owned(),
            postal_code: "837 52".to_owned(),
            city: "Åre".to_owned(),
            email: "tolvan@example.se".to_owned(),
            reference: String::new(),
        },
        licensing: Licensing::Own(Licence::starting(jiff::civil::date(2026, 12, 3))),
        population_register_addon: true,
    }
}

pub async fn registration_is_stored_whole(store: Arc<dyn Store>) {
    let r = registration("191212121212");
    let welcome = mail("tolvan@example.se");
    store
        .register(&r, &Outbox::new().mail(welcome.clone()), at(0))
        .await
        .unwrap();
    let a = store
        .account_by_person_number(&r.person_number)
        .await
        .unwrap()
        .expect("account");
    assert_eq!(a.id, r.id);
    assert_eq!(a.person_number, r.person_number);
    assert_eq!(
        (a.given_name.as_str(), a.surname.as_str()),
        ("Tolvan", "Tolvansson")
    );
    assert_eq!(a.email, r.email);
    assert_eq!(a.mobile, r.mobile);
    assert_eq!(a.password_hash, r.password_hash);
    assert_eq!(a.profession, Profession::Sjukskoterska);
    assert_eq!(a.prescriber_code, r.prescriber_code);
    assert_eq!(
        a.verification,
        Verification::Pending {
            expected_by: at(60 * 48)
        }
    );
    assert_eq!(a.licensing, r.licensing);
    assert!(a.population_register_addon);
    assert_eq!(a.created_at, at(0));
    assert_eq!(store.account(r.id).await.unwrap(), Some(a));
    assert_eq!(
        store.workplaces(r.id).await.unwrap(),
        vec![r.workplace.clone()]
    );
    assert_eq!(
        store.billing_party(r.id).await.unwrap(),
        Some(r.billing.clone())
    );
    assert!(
        store.mail(welcome.id).await.unwrap().is_some(),
        "the outbox is stored with it"
    );
    let other = PersonNumber::parse_12("189001019802").unwrap();
    assert!(
        store
            .account_by_person_number(&other)
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn a_person_number_registers_once(store: Arc<dyn Store>) {
    let first = registration("191212121212");
    store.register(&first, &Outbox::new(), at(0)).await.unwrap();
    let second = registration("191212121212");
    let welcome = mail("tolvan@example.se");
    let result = store
        .register(&second, &Outbox::new().mail(welcome.clone()), at(1))
        .await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");
    // Nothing of the refused registration is left behind.
    assert!(store.account(second.id).await.unwrap().is_none());
    assert!(store.workplaces(second.id).await.unwrap().is_empty());
    assert!(store.billing_party(second.id).await.unwrap().is_none());
    assert!(store.mail(welcome.id).await.unwrap().is_none());
    assert_eq!(store.workplaces(first.id).await.unwrap().len(), 1);
}

pub async fn verification_and_licensing_change(store: Arc<dyn Store>) {
    let r = registration("191212121212");
    store.register(&r, &Outbox::new(), at(0)).await.unwrap();
    let notice = mail("tolvan@example.se");
    store
        .set_verification(
            r.id,
            Verification::Verified { at: at(30) },
            &Outbox::new().mail(notice.clone()),
            at(30),
        )
        .await
        .unwrap();
    let a = store.account(r.id).await.unwrap().unwrap();
    assert_eq!(a.verification, Verification::Verified { at: at(30) });
    assert!(store.mail(notice.id).await.unwrap().is_some());
    store
        .set_verification(r.id, Verification::ManualReview, &Outbox::new(), at(31))
        .await
        .unwrap();
    assert_eq!(
        store.account(r.id).await.unwrap().unwrap().verification,
        Verification::ManualReview
    );

    // A renewal starts a new period; the newest licensing is in force.
    let mut renewed = Licence::starting(jiff::civil::date(2027, 12, 10));
    renewed.paid_on = Some(jiff::civil::date(2027, 12, 12));
    store
        .set_licensing(r.id, Licensing::Own(renewed), &Outbox::new(), at(40))
        .await
        .unwrap();
    assert_eq!(
        store.account(r.id).await.unwrap().unwrap().licensing,
        Licensing::Own(renewed)
    );
    for l in [
        Licensing::Group {
            web_login_allowed: false,
        },
        Licensing::Group {
            web_login_allowed: true,
        },
        Licensing::LeftGroup,
    ] {
        store
            .set_licensing(r.id, l, &Outbox::new(), at(50))
            .await
            .unwrap();
        assert_eq!(store.account(r.id).await.unwrap().unwrap().licensing, l);
    }
}

pub async fn reset_link_is_valid_once_and_for_a_day(store: Arc<dyn Store>) {
    let r = registration("191212121212");
    store.register(&r, &Outbox::new(), at(0)).await.unwrap();
    let link_mail = mail("tolvan@example.se");
    store
        .create_reset_link(
            "hash-1",
            r.id,
            at(24 * 60),
            &Outbox::new().mail(link_mail.clone()),
            at(0),
        )
        .await
        .unwrap();
    assert!(store.mail(link_mail.id).await.unwrap().is_some());
    assert_eq!(
        store.reset_link("hash-1", at(10)).await.unwrap(),
        Some(ResetLink::Valid(r.id))
    );
    assert_eq!(
        store.reset_link("hash-1", at(24 * 60)).await.unwrap(),
        Some(ResetLink::Expired)
    );
    assert_eq!(store.reset_link("unknown", at(10)).await.unwrap(), None);

    // Using it changes the password and ends every session of the account.
    let k = key("s");
    store
        .create_session(&session(&k, Some(r.id.0), 100))
        .await
        .unwrap();
    let used = store
        .use_reset_link("hash-1", "new-hash", &Outbox::new(), at(20))
        .await
        .unwrap();
    assert_eq!(used, Some(ResetLink::Valid(r.id)));
    assert_eq!(
        store.account(r.id).await.unwrap().unwrap().password_hash,
        "new-hash"
    );
    assert!(store.session(&k, at(21)).await.unwrap().is_none());
    // Once only.
    let again = store
        .use_reset_link("hash-1", "third-hash", &Outbox::new(), at(21))
        .await
        .unwrap();
    assert_eq!(again, Some(ResetLink::Used));
    assert_eq!(
        store.account(r.id).await.unwrap().unwrap().password_hash,
        "new-hash"
    );
    // An expired link changes nothing.
    store
        .create_reset_link("hash-2", r.id, at(100), &Outbox::new(), at(30))
        .await
        .unwrap();
    let late = store
        .use_reset_link("hash-2", "late-hash", &Outbox::new(), at(100))
        .await
        .unwrap();
    assert_eq!(late, Some(ResetLink::Expired));
    assert_eq!(
        store.account(r.id).await.unwrap().unwrap().password_hash,
        "new-hash"
    );
    assert_eq!(
        store
            .use_reset_link("unknown", "x", &Outbox::new(), at(1))
            .await
            .unwrap(),
        None
    );

    store
        .set_password_hash(r.id, "rehashed", at(200))
        .await
        .unwrap();
    assert_eq!(
        store.account(r.id).await.unwrap().unwrap().password_hash,
        "rehashed"
    );
}

pub async fn login_failures_are_counted_per_key_within_a_window(store: Arc<dyn Store>) {
    assert_eq!(
        store
            .count_login_failure("account:a", at(0), at(1))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .count_login_failure("account:a", at(0), at(2))
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .count_login_failure("address:127.0.0.1", at(0), at(2))
            .await
            .unwrap(),
        1
    );
    // Only failures since the start of the window count.
    assert_eq!(
        store
            .count_login_failure("account:a", at(2), at(3))
            .await
            .unwrap(),
        2
    );
    assert_eq!(store.login_failures("account:a", at(0)).await.unwrap(), 2);
    assert_eq!(store.login_failures("account:a", at(3)).await.unwrap(), 1);
    store.clear_login_failures("account:a").await.unwrap();
    assert_eq!(store.login_failures("account:a", at(0)).await.unwrap(), 0);
    assert_eq!(
        store
            .login_failures("address:127.0.0.1", at(0))
            .await
            .unwrap(),
        1
    );
}

pub async fn certificates_are_kept_and_decided(store: Arc<dyn Store>) {
    let r = registration("191212121212");
    store.register(&r, &Outbox::new(), at(0)).await.unwrap();
    assert!(store.certificates(r.id).await.unwrap().is_empty());
    let first = NewCertificate {
        id: Uuid::now_v7(),
        account_id: r.id,
        filename: "intyg från verksamhetschef.pdf".to_owned(),
        content_type: "application/pdf",
        content: b"%PDF-1.7 intyg".to_vec(),
    };
    let second = NewCertificate {
        id: Uuid::now_v7(),
        filename: "intyg.png".to_owned(),
        content_type: "image/png",
        ..first.clone()
    };
    store
        .add_certificate(&first, &Outbox::new(), at(1))
        .await
        .unwrap();
    store
        .add_certificate(&second, &Outbox::new(), at(2))
        .await
        .unwrap();
    let listed = store.certificates(r.id).await.unwrap();
    assert_eq!(
        listed.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![second.id, first.id]
    );
    assert_eq!(listed[1].filename, "intyg från verksamhetschef.pdf");
    assert_eq!(listed[1].content_type, "application/pdf");
    assert_eq!(listed[1].size, 14);
    assert_eq!(listed[1].status, CertificateStatus::Submitted);
    assert_eq!(listed[1].uploaded_at, at(1));
    assert!(
        store
            .decide_certificate(first.id, CertificateStatus::Approved, &Outbox::new(), at(3))
            .await
            .unwrap()
    );
    assert_eq!(
        store.certificates(r.id).await.unwrap()[1].status,
        CertificateStatus::Approved
    );
    assert!(
        !store
            .decide_certificate(
                Uuid::now_v7(),
                CertificateStatus::Approved,
                &Outbox::new(),
                at(3)
            )
            .await
            .unwrap()
    );
    // Only the three accepted types are stored.
    let odd = NewCertificate {
        id: Uuid::now_v7(),
        content_type: "text/html",
        ..first.clone()
    };
    assert!(
        store
            .add_certificate(&odd, &Outbox::new(), at(4))
            .await
            .is_err()
    );
}

pub async fn accounts_in_review_are_listed(store: Arc<dyn Store>) {
    let a = registration("191212121212");
    let b = registration("189001019802");
    store.register(&a, &Outbox::new(), at(0)).await.unwrap();
    store.register(&b, &Outbox::new(), at(1)).await.unwrap();
    assert!(store.accounts_in_review().await.unwrap().is_empty());
    store
        .set_verification(b.id, Verification::ManualReview, &Outbox::new(), at(2))
        .await
        .unwrap();
    let listed = store.accounts_in_review().await.unwrap();
    assert_eq!(listed.iter().map(|x| x.id).collect::<Vec<_>>(), vec![b.id]);
}

/// A second workplace, unlike the one `registration` gives in every field.
fn other_workplace() -> Workplace {
    Workplace {
        id: Uuid::now_v7(),
        name: "Mottagningen i Lund".to_owned(),
        code: WorkplaceCode::parse("1234567").unwrap(),
        address: "Stora Södergatan 1".to_owned(),
        postal_code: "222 23".to_owned(),
        city: "Lund".to_owned(),
        phone: "046-12 34 56".to_owned(),
        county: County::from_code("12").unwrap(),
        journal_system: Some("Journalia".to_owned()),
    }
}

pub async fn workplaces_are_added_and_listed(store: Arc<dyn Store>) {
    let r = registration("191212121212");
    let other = registration("189001019802");
    store.register(&r, &Outbox::new(), at(0)).await.unwrap();
    store.register(&other, &Outbox::new(), at(0)).await.unwrap();
    let lund = other_workplace();
    let malmo = Workplace {
        id: Uuid::now_v7(),
        name: "Mottagningen i Malmö".to_owned(),
        journal_system: None,
        ..other_workplace()
    };
    assert!(store.add_workplace(r.id, &lund, 20, at(1)).await.unwrap());
    assert!(store.add_workplace(r.id, &malmo, 20, at(2)).await.unwrap());
    // Oldest first, each as given.
    assert_eq!(
        store.workplaces(r.id).await.unwrap(),
        vec![r.workplace.clone(), lund, malmo]
    );
    assert_eq!(
        store.workplaces(other.id).await.unwrap(),
        vec![other.workplace.clone()],
        "another account's list is untouched"
    );
    // A workplace belongs to an account that exists.
    let nobody = AccountId(Uuid::now_v7());
    assert!(
        store
            .add_workplace(nobody, &other_workplace(), 20, at(3))
            .await
            .is_err()
    );
    assert!(store.workplaces(nobody).await.unwrap().is_empty());
}

pub async fn a_workplace_is_not_added_beyond_the_limit(store: Arc<dyn Store>) {
    let r = registration("191212121212");
    store.register(&r, &Outbox::new(), at(0)).await.unwrap();
    let lund = other_workplace();
    // The registered workplace counts: with a limit of two, one more fits.
    assert!(store.add_workplace(r.id, &lund, 2, at(1)).await.unwrap());
    let third = Workplace {
        id: Uuid::now_v7(),
        ..other_workplace()
    };
    assert!(!store.add_workplace(r.id, &third, 2, at(2)).await.unwrap());
    assert_eq!(
        store.workplaces(r.id).await.unwrap(),
        vec![r.workplace.clone(), lund],
        "nothing is stored past the limit"
    );
}

pub async fn tickets_are_numbered_in_order_with_their_mail(store: Arc<dyn Store>) {
    let r = registration("191212121212");
    store.register(&r, &Outbox::new(), at(0)).await.unwrap();
    let anonymous = NewTicket {
        id: Uuid::now_v7(),
        account_id: None,
        name: "Anna Andersson".to_owned(),
        email: "anna@example.se".to_owned(),
        phone: String::new(),
        subject: "Kan inte logga in".to_owned(),
        description: "Det står att förskrivarkoden inte är kontrollerad.".to_owned(),
        attachment: None,
    };
    let with_file = NewTicket {
        id: Uuid::now_v7(),
        account_id: Some(r.id),
        phone: "070-123 45 67".to_owned(),
        attachment: Some(Attachment {
            filename: "skärmbild.png".to_owned(),
            content_type: "image/png".to_owned(),
            content: b"\x89PNG\r\n\x1a\nrest".to_vec(),
        }),
        ..anonymous.clone()
    };
    let receipt = mail("anna@example.se");
    let numbered = std::sync::Mutex::new(Vec::new());
    let first = store
        .create_ticket(
            &anonymous,
            &|n| {
                numbered.lock().unwrap().push(n);
                Ok(Outbox::new().mail(receipt.clone()))
            },
            at(1),
        )
        .await
        .unwrap();
    assert_eq!(
        *numbered.lock().unwrap(),
        [first],
        "the mail knows the number"
    );
    // A mail that cannot be made stores nothing (PostgreSQL's sequence may skip its number).
    let failed = store
        .create_ticket(&anonymous, &|_| Err("no template".to_owned()), at(2))
        .await;
    assert!(failed.is_err());
    let second = store
        .create_ticket(&with_file, &|_| Ok(Outbox::new()), at(2))
        .await
        .unwrap();
    assert!(first >= 1);
    assert!(second > first, "numbered in the order they came");
    assert_eq!(
        store.ticket(first + 1).await.unwrap().map(|t| t.number),
        (second == first + 1).then_some(second)
    );
    assert_eq!(
        store.ticket(first).await.unwrap(),
        Some(Ticket {
            number: first,
            ticket: anonymous,
            created_at: at(1)
        })
    );
    assert_eq!(
        store.ticket(second).await.unwrap(),
        Some(Ticket {
            number: second,
            ticket: with_file,
            created_at: at(2)
        })
    );
    assert_eq!(store.ticket(second + 1).await.unwrap(), None);
    assert_eq!(store.ticket(0).await.unwrap(), None);
    assert_eq!(store.ticket(u64::MAX).await.unwrap(), None);
    assert_eq!(
        store.recent_mail(1).await.unwrap().pop().unwrap().id,
        receipt.id,
        "the receipt was queued with the ticket"
    );
}

pub async fn a_password_changes_with_its_confirmation(store: Arc<dyn Store>) {
    let r = registration("191212121212");
    let other = registration("189001019802");
    store.register(&r, &Outbox::new(), at(0)).await.unwrap();
    store.register(&other, &Outbox::new(), at(0)).await.unwrap();
    let confirmation = mail("tolvan@example.se");
    assert!(
        store
            .change_password(
                r.id,
                "$argon2id$new",
                &Outbox::new().mail(confirmation.clone()),
                at(5)
            )
            .await
            .unwrap()
    );
    assert_eq!(
        store.account(r.id).await.unwrap().unwrap().password_hash,
        "$argon2id$new"
    );
    assert_eq!(
        store
            .account(other.id)
            .await
            .unwrap()
            .unwrap()
            .password_hash,
        other.password_hash,
        "another account keeps its password"
    );
    let queued = store.recent_mail(1).await.unwrap().pop().unwrap();
    assert_eq!(queued.id, confirmation.id);

    // No such account: nothing is queued.
    assert!(
        !store
            .change_password(
                AccountId(Uuid::now_v7()),
                "$argon2id$x",
                &Outbox::new().mail(mail("x@example.se")),
                at(6)
            )
            .await
            .unwrap()
    );
    assert_eq!(
        store.recent_mail(1).await.unwrap().pop().unwrap().id,
        confirmation.id
    );
}

pub async fn a_billing_party_is_replaced(store: Arc<dyn Store>) {
    let r = registration("191212121212");
    let other = registration("189001019802");
    store.register(&r, &Outbox::new(), at(0)).await.unwrap();
    store.register(&other, &Outbox::new(), at(0)).await.unwrap();
    let employer = BillingParty {
        kind: BillingKind::Employer,
        name: "Vårdbolaget AB".to_owned(),
        identity: "556677-8899".to_owned(),
        address: "Box 7".to_owned(),
        postal_code: "111 22".to_owned(),
        city: "Stockholm".to_owned(),
        email: "faktura@vardbolaget.example".to_owned(),
        reference: "Kostnadsställe 12".to_owned(),
    };
    assert!(
        store
            .update_billing_party(r.id, &employer, at(1))
            .await
            .unwrap()
    );
    assert_eq!(
        store.billing_party(r.id).await.unwrap(),
        Some(employer.clone())
    );
    assert_eq!(
        store.billing_party(other.id).await.unwrap(),
        Some(other.billing.clone()),
        "another account's is untouched"
    );
    assert!(
        !store
            .update_billing_party(AccountId(Uuid::now_v7()), &employer, at(2))
            .await
            .unwrap()
    );
}

pub async fn contact_details_change_with_their_notice(store: Arc<dyn Store>) {
    let r = registration("191212121212");
    let other = registration("189001019802");
    store.register(&r, &Outbox::new(), at(0)).await.unwrap();
    store.register(&other, &Outbox::new(), at(0)).await.unwrap();
    let before = store.account(other.id).await.unwrap().unwrap();
    let notice = mail("tolvan@example.se");
    assert!(
        store
            .update_contact(
                r.id,
                "tolvan@ny.example",
                "070-765 43 21",
                &Outbox::new().mail(notice.clone()),
                at(5)
            )
            .await
            .unwrap()
    );
    let changed = store.account(r.id).await.unwrap().unwrap();
    assert_eq!(changed.email, "tolvan@ny.example");
    assert_eq!(changed.mobile, "070-765 43 21");
    assert_eq!(
        store.account(other.id).await.unwrap().unwrap(),
        before,
        "another account is untouched"
    );
    let queued = store.recent_mail(1).await.unwrap().pop().unwrap();
    assert_eq!(queued.id, notice.id);
    assert_eq!(queued.to, "tolvan@example.se");

    // No such account: nothing changes and nothing is queued.
    let unsent = mail("x@example.se");
    assert!(
        !store
            .update_contact(
                AccountId(Uuid::now_v7()),
                "x@example.se",
                "070-000 00 00",
                &Outbox::new().mail(unsent),
                at(6)
            )
            .await
            .unwrap()
    );
    assert_eq!(
        store.recent_mail(1).await.unwrap().pop().unwrap().id,
        notice.id
    );
}

pub async fn a_workplace_is_removed_but_never_the_last(store: Arc<dyn Store>) {
    let r = registration("191212121212");
    let other = registration("189001019802");
    store.register(&r, &Outbox::new(), at(0)).await.unwrap();
    store.register(&other, &Outbox::new(), at(0)).await.unwrap();
    let lund = other_workplace();
    assert!(store.add_workplace(r.id, &lund, 20, at(1)).await.unwrap());

    // Another account's workplace is not found, and stays.
    assert_eq!(
        store
            .remove_workplace(other.id, lund.id, at(2))
            .await
            .unwrap(),
        WorkplaceRemoval::NotFound
    );
    assert_eq!(store.workplaces(r.id).await.unwrap().len(), 2);

    assert_eq!(
        store.remove_workplace(r.id, lund.id, at(3)).await.unwrap(),
        WorkplaceRemoval::Removed
    );
    assert_eq!(
        store.workplaces(r.id).await.unwrap(),
        vec![r.workplace.clone()],
        "a removed workplace is no longer listed"
    );
    // Removed once; again it is not found.
    assert_eq!(
        store.remove_workplace(r.id, lund.id, at(4)).await.unwrap(),
        WorkplaceRemoval::NotFound
    );
    // Nor can it be changed any more.
    assert!(!store.update_workplace(r.id, &lund, at(4)).await.unwrap());
    // The last one stays.
    assert_eq!(
        store
            .remove_workplace(r.id, r.workplace.id, at(5))
            .await
            .unwrap(),
        WorkplaceRemoval::LastOne
    );
    assert_eq!(
        store.workplaces(r.id).await.unwrap(),
        vec![r.workplace.clone()]
    );
}

pub async fn a_workplace_update_changes_only_that_row(store: Arc<dyn Store>) {
    let r = registration("191212121212");
    store.register(&r, &Outbox::new(), at(0)).await.unwrap();
    let lund = other_workplace();
    assert!(store.add_workplace(r.id, &lund, 20, at(1)).await.unwrap());
    let changed = Workplace {
        id: lund.id,
        name: "Vårdcentralen Ystad".to_owned(),
        code: WorkplaceCode::parse("1299999").unwrap(),
        address: "Stortorget 3".to_owned(),
        postal_code: "271 39".to_owned(),
        city: "Ystad".to_owned(),
        phone: "0411-55 55 55".to_owned(),
        county: County::from_code("13").unwrap(),
        journal_system: None,
    };
    assert!(store.update_workplace(r.id, &changed, at(2)).await.unwrap());
    // The changed row keeps its place in the list; the other row is as it was.
    assert_eq!(
        store.workplaces(r.id).await.unwrap(),
        vec![r.workplace.clone(), changed.clone()]
    );
    // The first one changes too when asked, and the second stays.
    let first = Workplace {
        journal_system: Some("Journalia".to_owned()),
        ..r.workplace.clone()
    };
    assert!(store.update_workplace(r.id, &first, at(3)).await.unwrap());
    assert_eq!(store.workplaces(r.id).await.unwrap(), vec![first, changed]);
    // An id that is no workplace at all changes nothing.
    let unknown = Workplace {
        id: Uuid::now_v7(),
        ..other_workplace()
    };
    assert!(!store.update_workplace(r.id, &unknown, at(4)).await.unwrap());
    assert_eq!(store.workplaces(r.id).await.unwrap().len(), 2);
}

pub async fn another_accounts_workplace_is_never_updated(store: Arc<dyn Store>) {
    let mine = registration("191212121212");
    let theirs = registration("189001019802");
    store.register(&mine, &Outbox::new(), at(0)).await.unwrap();
    store
        .register(&theirs, &Outbox::new(), at(0))
        .await
        .unwrap();
    let hijack = Workplace {
        id: theirs.workplace.id,
        ..other_workplace()
    };
    assert!(
        !store
            .update_workplace(mine.id, &hijack, at(1))
            .await
            .unwrap()
    );
    assert_eq!(
        store.workplaces(theirs.id).await.unwrap(),
        vec![theirs.workplace.clone()]
    );
    assert_eq!(
        store.workplaces(mine.id).await.unwrap(),
        vec![mine.workplace.clone()],
        "nor does the row move to the account that asked"
    );
}

pub async fn catalogue_products_are_upserted_never_deleted(store: Arc<dyn Store>) {
    assert!(store.catalogue_products().await.unwrap().is_empty());
    let v0 = store.catalogue_version().await.unwrap();
    let alvedon =
        serde_json::json!({ "npl_id": "20000101000011", "name": "Alvedon", "packages": [] });
    let ipren = serde_json::json!({ "npl_id": "20000101000028", "name": "Ipren" });
    store
        .save_products(
            &[
                ("20000101000028".into(), ipren.clone()),
                ("20000101000011".into(), alvedon.clone()),
            ],
            at(0),
        )
        .await
        .unwrap();
    assert_eq!(
        store.catalogue_products().await.unwrap(),
        vec![alvedon.clone(), ipren.clone()]
    );
    let v1 = store.catalogue_version().await.unwrap();
    assert!(v1 > v0);
    let withdrawn =
        serde_json::json!({ "npl_id": "20000101000011", "name": "Alvedon", "withdrawn": true });
    store
        .save_products(&[("20000101000011".into(), withdrawn.clone())], at(1))
        .await
        .unwrap();
    assert_eq!(
        store.catalogue_products().await.unwrap(),
        vec![withdrawn, ipren]
    );
    assert!(store.catalogue_version().await.unwrap() > v1);
}

pub async fn rek_lists_are_replaced_per_region(store: Arc<dyn Store>) {
    assert!(store.rek_lists().await.unwrap().is_empty());
    store
        .save_rek_lists(
            &[
                ("01".into(), "01;123456;Förstahandsval".into()),
                ("12".into(), "12;C07AB02;".into()),
            ],
            at(0),
        )
        .await
        .unwrap();
    let v = store.catalogue_version().await.unwrap();
    store
        .save_rek_lists(&[("01".into(), "01;654321;".into())], at(1))
        .await
        .unwrap();
    assert_eq!(
        store.rek_lists().await.unwrap(),
        vec![
            ("01".to_owned(), "01;654321;".to_owned()),
            ("12".to_owned(), "12;C07AB02;".to_owned())
        ]
    );
    assert!(store.catalogue_version().await.unwrap() > v);
}

pub async fn audit_entries_are_kept_per_account(store: Arc<dyn Store>) {
    let a = registration("191212121212");
    let b = registration("189001019802");
    store.register(&a, &Outbox::new(), at(0)).await.unwrap();
    store.register(&b, &Outbox::new(), at(0)).await.unwrap();
    let entry = |account: AccountId, minute: i64, action: &str| crate::AuditEntry {
        id: Uuid::now_v7(),
        at: at(minute),
        account_id: account,
        patient: "199001012385".to_owned(),
        action: action.to_owned(),
        detail: "Uppslag i befolkningsregistret".to_owned(),
    };
    let first = entry(a.id, 1, "patient.lookup");
    let second = entry(a.id, 2, "prescription.send");
    store.record_audit(&first).await.unwrap();
    store.record_audit(&second).await.unwrap();
    store
        .record_audit(&entry(b.id, 3, "patient.lookup"))
        .await
        .unwrap();
    assert_eq!(
        store.audit_of_account(a.id, 10).await.unwrap(),
        vec![second.clone(), first]
    );
    assert_eq!(store.audit_of_account(a.id, 1).await.unwrap(), vec![second]);
    assert!(
        store.record_audit(&entry(a.id, 4, "")).await.is_err(),
        "an entry says what was done"
    );
}

const QUEUED_LINE: &str = "Recept skapat och köat för överföring till Nationella läkemedelslistan.";

/// One item of a batch, with the delivery job the application queues for it.
fn item(
    account: AccountId,
    batch: Uuid,
    position: u32,
    patient: (&str, &str),
    product: &str,
    issued_on: jiff::civil::Date,
) -> NewPrescription {
    let id = Uuid::now_v7();
    NewPrescription {
        id,
        account_id: account,
        batch_id: batch,
        position,
        patient_key: patient.0.to_owned(),
        patient_name: patient.1.to_owned(),
        product_name: product.to_owned(),
        issued_on,
        idempotency_key: format!("create-{id}"),
        document: serde_json::json!({ "artikel": product, "dosering": "1 tablett 3 gånger dagligen" }),
    }
}

fn delivery(p: &NewPrescription) -> NewJob {
    job(
        "prescription.send",
        &format!("prescription.send:{}", p.id),
        at(0),
    )
}

fn audit_entry(account: AccountId, minute: i64, patient: &str, action: &str) -> AuditEntry {
    AuditEntry {
        id: Uuid::now_v7(),
        at: at(minute),
        account_id: account,
        patient: patient.to_owned(),
        action: action.to_owned(),
        detail: "Recept skickat".to_owned(),
    }
}

/// Submits `items` with one delivery job each and an audit entry per item, at `minute`.
async fn submit(store: &Arc<dyn Store>, items: &[NewPrescription], minute: i64) {
    let mut outbox = Outbox::new();
    for p in items {
        outbox = outbox.job(delivery(p));
    }
    let audit: Vec<AuditEntry> = items
        .iter()
        .map(|p| audit_entry(p.account_id, minute, &p.patient_key, "prescription.send"))
        .collect();
    store
        .submit_prescriptions(items, &audit, &outbox, at(minute))
        .await
        .unwrap();
}

const TOLVAN: (&str, &str) = ("191212121212", "Tolvan Tolvansson");

pub async fn prescription_draft_is_kept_replaced_and_deleted(store: Arc<dyn Store>) {
    let a = registration("191212121212");
    let b = registration("189001019802");
    store.register(&a, &Outbox::new(), at(0)).await.unwrap();
    store.register(&b, &Outbox::new(), at(0)).await.unwrap();
    assert_eq!(store.prescription_draft(a.id).await.unwrap(), None);
    let first =
        serde_json::json!({ "patient": "191212121212", "rader": [{ "artikel": "Alvedon" }] });
    store
        .save_prescription_draft(a.id, &first, at(1))
        .await
        .unwrap();
    assert_eq!(
        store.prescription_draft(a.id).await.unwrap(),
        Some(first.clone())
    );
    // Saving again replaces the draft; another account's draft is its own.
    let second = serde_json::json!({ "patient": "191212121212", "rader": [], "anteckning": "Åter om två veckor" });
    store
        .save_prescription_draft(a.id, &second, at(2))
        .await
        .unwrap();
    store
        .save_prescription_draft(b.id, &first, at(2))
        .await
        .unwrap();
    assert_eq!(store.prescription_draft(a.id).await.unwrap(), Some(second));
    store.delete_prescription_draft(a.id).await.unwrap();
    assert_eq!(store.prescription_draft(a.id).await.unwrap(), None);
    assert_eq!(store.prescription_draft(b.id).await.unwrap(), Some(first));
    // Deleting what is not there is no error.
    store.delete_prescription_draft(a.id).await.unwrap();
}

pub async fn submitted_prescriptions_are_stored_whole(store: Arc<dyn Store>) {
    let r = registration("191212121212");
    store.register(&r, &Outbox::new(), at(0)).await.unwrap();
    store
        .save_prescription_draft(r.id, &serde_json::json!({ "rader": 2 }), at(1))
        .await
        .unwrap();
    let batch = Uuid::now_v7();
    let day = jiff::civil::date(2026, 3, 14);
    let first = item(
        r.id,
        batch,
        0,
        TOLVAN,
        "Alvedon 500 mg Tablett, 100 styck",
        day,
    );
    let second = item(
        r.id,
        batch,
        1,
        TOLVAN,
        "Ipren 200 mg Tablett, 30 styck",
        day,
    );
    // Given out of order: the batch is read back in position order.
    let items = vec![second.clone(), first.clone()];
    let receipt = mail("tolvan@example.se");
    let outbox = Outbox::new()
        .job(delivery(&first))
        .job(delivery(&second))
        .mail(receipt.clone());
    let audit = vec![
        audit_entry(r.id, 5, TOLVAN.0, "prescription.send"),
        audit_entry(r.id, 5, TOLVAN.0, "prescription.send"),
    ];
    store
        .submit_prescriptions(&items, &audit, &outbox, at(5))
        .await
        .unwrap();

    let stored = store.prescription(first.id).await.unwrap().expect("item");
    assert_eq!(stored.id, first.id);
    assert_eq!(stored.account_id, r.id);
    assert_eq!(stored.batch_id, batch);
    assert_eq!(stored.position, 0);
    assert_eq!(stored.patient_key, "191212121212");
    assert_eq!(stored.patient_name, "Tolvan Tolvansson");
    assert_eq!(stored.product_name, "Alvedon 500 mg Tablett, 100 styck");
    assert_eq!(stored.issued_on, day);
    assert_eq!(stored.idempotency_key, first.idempotency_key);
    assert_eq!(stored.document, first.document);
    assert_eq!(stored.status, PrescriptionStatus::Queued);
    assert_eq!(stored.national_id, None);
    assert_eq!(stored.messages, serde_json::Value::Null);
    assert_eq!(stored.created_at, at(5));
    assert_eq!(stored.updated_at, at(5));
    let listed = store.prescription_batch(batch).await.unwrap();
    assert_eq!(
        listed.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![first.id, second.id]
    );
    assert_eq!(listed[0], stored);
    for p in [&first, &second] {
        assert_eq!(
            store.prescription_events(p.id).await.unwrap(),
            vec![PrescriptionEvent {
                at: at(5),
                status: PrescriptionStatus::Queued,
                text: QUEUED_LINE.to_owned(),
            }]
        );
        let send = store
            .job_by_key(&format!("prescription.send:{}", p.id))
            .await
            .unwrap()
            .expect("delivery job");
        assert_eq!(send.kind, "prescription.send");
        assert_eq!(send.status, JobStatus::Pending);
    }
    assert!(store.mail(receipt.id).await.unwrap().is_some());
    assert_eq!(store.job_counts().await.unwrap().pending, 3);
    let mut logged = store.audit_of_account(r.id, 10).await.unwrap();
    logged.sort_by_key(|e| e.id);
    assert_eq!(logged, audit);
    assert_eq!(
        store.prescription_draft(r.id).await.unwrap(),
        None,
        "the draft is gone once sent"
    );

    assert!(store.prescription(Uuid::now_v7()).await.unwrap().is_none());
    assert!(
        store
            .prescription_batch(Uuid::now_v7())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .prescription_events(Uuid::now_v7())
            .await
            .unwrap()
            .is_empty()
    );
    // Nothing to send is nothing to store.
    store
        .submit_prescriptions(&[], &[], &Outbox::new(), at(6))
        .await
        .unwrap();
    assert_eq!(store.job_counts().await.unwrap().pending, 3);
}

pub async fn a_prescription_batch_is_stored_once(store: Arc<dyn Store>) {
    let r = registration("191212121212");
    store.register(&r, &Outbox::new(), at(0)).await.unwrap();
    let batch = Uuid::now_v7();
    let day = jiff::civil::date(2026, 3, 14);
    let items = vec![
        item(r.id, batch, 0, TOLVAN, "Alvedon 500 mg", day),
        item(r.id, batch, 1, TOLVAN, "Ipren 200 mg", day),
    ];
    submit(&store, &items, 1).await;
    let draft = serde_json::json!({ "rader": [] });
    store
        .save_prescription_draft(r.id, &draft, at(2))
        .await
        .unwrap();
    let jobs_before = store.job_counts().await.unwrap();
    let audit_before = store.audit_of_account(r.id, 100).await.unwrap().len();

    // The same draft sent again (a double click, a retried request): new item ids, new jobs,
    // the same batch.
    let again: Vec<NewPrescription> = items
        .iter()
        .map(|p| item(r.id, batch, p.position, TOLVAN, &p.product_name, day))
        .collect();
    let extra = job("prescription.send", "extra", at(0));
    let result = store
        .submit_prescriptions(
            &again,
            &[audit_entry(r.id, 3, TOLVAN.0, "prescription.send")],
            &Outbox::new().job(delivery(&again[0])).job(extra.clone()),
            at(3),
        )
        .await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");
    // The same batch with other positions is refused too.
    let later = vec![item(r.id, batch, 7, TOLVAN, "Waran 2,5 mg", day)];
    let result = store
        .submit_prescriptions(&later, &[], &Outbox::new(), at(3))
        .await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");
    // A new batch reusing an item's idempotency key is refused whole.
    let other_batch = Uuid::now_v7();
    let fresh = item(r.id, other_batch, 0, TOLVAN, "Waran 2,5 mg", day);
    let mut reused = item(r.id, other_batch, 1, TOLVAN, "Alvedon 500 mg", day);
    reused.idempotency_key = items[0].idempotency_key.clone();
    let result = store
        .submit_prescriptions(
            &[fresh.clone(), reused],
            &[],
            &Outbox::new().job(delivery(&fresh)),
            at(3),
        )
        .await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");

    let stored = store.prescription_batch(batch).await.unwrap();
    assert_eq!(
        stored.iter().map(|p| p.id).collect::<Vec<_>>(),
        items.iter().map(|p| p.id).collect::<Vec<_>>(),
        "exactly one copy"
    );
    for p in again.iter().chain(&later).chain([&fresh]) {
        assert!(store.prescription(p.id).await.unwrap().is_none());
        assert!(store.prescription_events(p.id).await.unwrap().is_empty());
    }
    assert!(
        store
            .prescription_batch(other_batch)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.job_by_key("extra").await.unwrap().is_none());
    assert!(
        store
            .job_by_key(&format!("prescription.send:{}", fresh.id))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.job_counts().await.unwrap(), jobs_before);
    assert_eq!(
        store.audit_of_account(r.id, 100).await.unwrap().len(),
        audit_before
    );
    assert_eq!(
        store.prescription_draft(r.id).await.unwrap(),
        Some(draft),
        "a refused submit keeps the draft"
    );
    let page = store
        .search_prescriptions(r.id, &PrescriptionFilter::default(), 0, 100)
        .await
        .unwrap();
    assert_eq!(page.total, 2);
}

pub async fn prescription_status_changes_only_from_allowed_statuses(store: Arc<dyn Store>) {
    use PrescriptionStatus::*;
    let r = registration("191212121212");
    store.register(&r, &Outbox::new(), at(0)).await.unwrap();
    let p = item(
        r.id,
        Uuid::now_v7(),
        0,
        TOLVAN,
        "Alvedon 500 mg",
        jiff::civil::date(2026, 3, 14),
    );
    submit(&store, std::slice::from_ref(&p), 1).await;
    let audit_before = store.audit_of_account(r.id, 100).await.unwrap().len();
    let change = |from: Vec<PrescriptionStatus>, to, text: &str| StatusChange {
        id: p.id,
        from,
        to,
        national_id: None,
        messages: None,
        text: text.to_owned(),
    };

    let sent = change(
        vec![Queued],
        Sent,
        "Skickat till Nationella läkemedelslistan.",
    );
    assert!(
        store
            .change_prescription_status(
                &sent,
                &[audit_entry(r.id, 2, TOLVAN.0, "prescription.deliver")],
                &Outbox::new().job(job("prescription.poll", "poll-1", at(3))),
                at(2),
            )
            .await
            .unwrap()
    );
    let got = store.prescription(p.id).await.unwrap().unwrap();
    assert_eq!(got.status, Sent);
    assert_eq!(got.updated_at, at(2));
    assert_eq!(got.created_at, at(1));
    assert!(store.job_by_key("poll-1").await.unwrap().is_some());
    assert_eq!(
        store.audit_of_account(r.id, 100).await.unwrap().len(),
        audit_before + 1
    );

    // The same change again (a stale worker, a second click) changes nothing, writes nothing.
    assert!(
        !store
            .change_prescription_status(
                &sent,
                &[audit_entry(r.id, 3, TOLVAN.0, "prescription.deliver")],
                &Outbox::new().job(job("prescription.poll", "poll-2", at(4))),
                at(3),
            )
            .await
            .unwrap()
    );
    assert!(store.job_by_key("poll-2").await.unwrap().is_none());
    assert_eq!(
        store.audit_of_account(r.id, 100).await.unwrap().len(),
        audit_before + 1
    );
    let got = store.prescription(p.id).await.unwrap().unwrap();
    assert_eq!((got.status, got.updated_at), (Sent, at(2)));
    // Unknown items are not changed either.
    assert!(
        !store
            .change_prescription_status(
                &StatusChange {
                    id: Uuid::now_v7(),
                    ..sent.clone()
                },
                &[],
                &Outbox::new(),
                at(3),
            )
            .await
            .unwrap()
    );

    // Registered: the national id and the answer are kept.
    let answer = serde_json::json!([{ "kod": "W123", "text": "Dosering över rekommenderad" }]);
    let registered = StatusChange {
        national_id: Some("NLL-4711".to_owned()),
        messages: Some(answer.clone()),
        ..change(
            vec![Queued, Sent],
            RegisteredWithWarnings,
            "Registrerad med varning.",
        )
    };
    assert!(
        store
            .change_prescription_status(&registered, &[], &Outbox::new(), at(4))
            .await
            .unwrap()
    );
    // A change without them keeps them; two lines at one instant stay in the order written.
    let cancel = change(
        vec![Registered, RegisteredWithWarnings],
        CancelPending,
        "Makulering begärd.",
    );
    assert!(
        store
            .change_prescription_status(&cancel, &[], &Outbox::new(), at(4))
            .await
            .unwrap()
    );
    let got = store.prescription(p.id).await.unwrap().unwrap();
    assert_eq!(got.status, CancelPending);
    assert_eq!(got.national_id.as_deref(), Some("NLL-4711"));
    assert_eq!(got.messages, answer);
    assert_eq!(got.updated_at, at(4));
    // No status is allowed: nothing changes.
    assert!(
        !store
            .change_prescription_status(&change(vec![], Cancelled, "x"), &[], &Outbox::new(), at(5))
            .await
            .unwrap()
    );
    let cancelled = StatusChange {
        messages: Some(serde_json::Value::Null),
        ..change(vec![CancelPending], Cancelled, "Makulerad.")
    };
    assert!(
        store
            .change_prescription_status(&cancelled, &[], &Outbox::new(), at(5))
            .await
            .unwrap()
    );
    let got = store.prescription(p.id).await.unwrap().unwrap();
    assert_eq!(got.status, Cancelled);
    assert_eq!(got.messages, serde_json::Value::Null);
    assert_eq!(got.national_id.as_deref(), Some("NLL-4711"));

    let line = |minute, status, text: &str| PrescriptionEvent {
        at: at(minute),
        status,
        text: text.to_owned(),
    };
    assert_eq!(
        store.prescription_events(p.id).await.unwrap(),
        vec![
            line(1, Queued, QUEUED_LINE),
            line(2, Sent, "Skickat till Nationella läkemedelslistan."),
            line(4, RegisteredWithWarnings, "Registrerad med varning."),
            line(4, CancelPending, "Makulering begärd."),
            line(5, Cancelled, "Makulerad."),
        ]
    );
}

pub async fn concurrent_status_changes_apply_once(store: Arc<dyn Store>) {
    let r = registration("191212121212");
    store.register(&r, &Outbox::new(), at(0)).await.unwrap();
    let p = item(
        r.id,
        Uuid::now_v7(),
        0,
        TOLVAN,
        "Alvedon 500 mg",
        jiff::civil::date(2026, 3, 14),
    );
    submit(&store, std::slice::from_ref(&p), 1).await;
    let mut workers = Vec::new();
    for w in 0..8 {
        let store = store.clone();
        workers.push(tokio::spawn(async move {
            let change = StatusChange {
                id: p.id,
                from: vec![PrescriptionStatus::Queued],
                to: PrescriptionStatus::Sent,
                national_id: Some(format!("NLL-{w}")),
                messages: None,
                text: format!("Skickat av w{w}."),
            };
            store
                .change_prescription_status(&change, &[], &Outbox::new(), at(2))
                .await
                .unwrap()
        }));
    }
    let mut applied = 0;
    for w in workers {
        if w.await.unwrap() {
            applied += 1;
        }
    }
    assert_eq!(applied, 1, "exactly one worker changes the item");
    let events = store.prescription_events(p.id).await.unwrap();
    assert_eq!(events.len(), 2);
    let winner = events[1].text.trim_start_matches("Skickat av w");
    let got = store.prescription(p.id).await.unwrap().unwrap();
    assert_eq!(
        got.national_id,
        Some(format!("NLL-{}", winner.trim_end_matches('.')))
    );
}

pub async fn prescription_search_filters_and_pages(store: Arc<dyn Store>) {
    let a = registration("191212121212");
    let b = registration("189001019802");
    store.register(&a, &Outbox::new(), at(0)).await.unwrap();
    store.register(&b, &Outbox::new(), at(0)).await.unwrap();
    let date = jiff::civil::date;
    let asa = ("198112289874", "Åsa Öberg");
    let lars = ("194107086995", "Lars Ärlig");
    let bjorn = ("BJÖRN ÖDEGÅRD 19500304", "Björn Ödegård");

    let (b1, b2, b3, b4) = (
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
    );
    let a1 = item(
        a.id,
        b1,
        0,
        asa,
        "Alvedon 500 mg Tablett",
        date(2026, 1, 10),
    );
    let a2 = item(a.id, b1, 1, asa, "Ipren 200 mg Tablett", date(2026, 1, 10));
    let a3 = item(a.id, b2, 0, lars, "Waran 2,5 mg Tablett", date(2026, 2, 1));
    let a4 = item(
        a.id,
        b3,
        0,
        bjorn,
        "ALVEDON 665 mg Tablett",
        date(2026, 3, 15),
    );
    let a5 = item(a.id, b3, 1, bjorn, "Xylocain 2% gel", date(2026, 3, 15));
    let a6 = item(a.id, b4, 0, lars, "Omeprazol_20 mg", date(2026, 4, 1));
    submit(&store, &[a1.clone(), a2.clone()], 1).await;
    submit(&store, std::slice::from_ref(&a3), 2).await;
    submit(&store, &[a5.clone(), a4.clone()], 3).await;
    submit(&store, std::slice::from_ref(&a6), 4).await;
    // Another prescriber's items, the same patient and articles: never in a's history.
    let theirs = [
        item(
            b.id,
            Uuid::now_v7(),
            0,
            asa,
            "Alvedon 500 mg Tablett",
            date(2026, 1, 10),
        ),
        item(
            b.id,
            Uuid::now_v7(),
            0,
            bjorn,
            "Xylocain 2% gel",
            date(2026, 3, 15),
        ),
    ];
    submit(&store, &theirs[..1], 5).await;
    submit(&store, &theirs[1..], 6).await;

    let search = |filter: PrescriptionFilter, offset: u64, limit: u32| {
        let store = store.clone();
        async move {
            let page = store
                .search_prescriptions(a.id, &filter, offset, limit)
                .await
                .unwrap();
            assert!(page.items.iter().all(|p| p.account_id == a.id));
            (
                page.items.iter().map(|p| p.id).collect::<Vec<_>>(),
                page.total,
            )
        }
    };
    let ids = |items: &[&NewPrescription]| items.iter().map(|p| p.id).collect::<Vec<_>>();
    let patient = |s: &str| PrescriptionFilter {
        patient: s.to_owned(),
        ..PrescriptionFilter::default()
    };
    let product = |s: &str| PrescriptionFilter {
        product: s.to_owned(),
        ..PrescriptionFilter::default()
    };

    // Everything, newest first, a batch in position order.
    let all = ids(&[&a6, &a4, &a5, &a3, &a1, &a2]);
    assert_eq!(
        search(PrescriptionFilter::default(), 0, 100).await,
        (all.clone(), 6)
    );
    // Pages of it.
    assert_eq!(
        search(PrescriptionFilter::default(), 0, 2).await,
        (all[0..2].to_vec(), 6)
    );
    assert_eq!(
        search(PrescriptionFilter::default(), 2, 3).await,
        (all[2..5].to_vec(), 6)
    );
    assert_eq!(
        search(PrescriptionFilter::default(), 5, 3).await,
        (all[5..].to_vec(), 6)
    );
    assert_eq!(
        search(PrescriptionFilter::default(), 6, 3).await,
        (vec![], 6)
    );
    assert_eq!(
        search(PrescriptionFilter::default(), 1, 0).await,
        (vec![], 6)
    );

    // Patient: part of the name in any case, Swedish letters included, or part of the key.
    for needle in ["ÅSA", "åsa", "öBERG", "sa Ö", "1228", "198112289874"] {
        assert_eq!(
            search(patient(needle), 0, 100).await,
            (ids(&[&a1, &a2]), 2),
            "{needle}"
        );
    }
    assert_eq!(
        search(patient("ärlig"), 0, 100).await,
        (ids(&[&a6, &a3]), 2)
    );
    // A key that is a name and birth date is searched the same way.
    assert_eq!(
        search(patient("ödegård 1950"), 0, 100).await,
        (ids(&[&a4, &a5]), 2)
    );
    assert_eq!(search(patient("Öberg Åsa"), 0, 100).await, (vec![], 0));
    // Only the account's own items, though b has the same patient.
    assert_eq!(
        store
            .search_prescriptions(b.id, &patient("åsa"), 0, 100)
            .await
            .unwrap()
            .items
            .iter()
            .map(|p| p.id)
            .collect::<Vec<_>>(),
        vec![theirs[0].id]
    );

    // Product: part of the name in any case; % and _ are letters, not patterns.
    assert_eq!(
        search(product("alvedon"), 0, 100).await,
        (ids(&[&a4, &a1]), 2)
    );
    assert_eq!(search(product("TABLETT"), 0, 100).await.1, 4);
    assert_eq!(search(product("2%"), 0, 100).await, (ids(&[&a5]), 1));
    assert_eq!(search(product("%"), 0, 100).await, (ids(&[&a5]), 1));
    assert_eq!(search(product("l_2"), 0, 100).await, (ids(&[&a6]), 1));
    assert_eq!(search(product("_"), 0, 100).await, (ids(&[&a6]), 1));
    assert_eq!(search(product("0 m"), 0, 100).await.1, 3);

    // Issue dates, both ends included.
    let issued =
        |from: Option<jiff::civil::Date>, to: Option<jiff::civil::Date>| PrescriptionFilter {
            issued_from: from,
            issued_to: to,
            ..PrescriptionFilter::default()
        };
    assert_eq!(
        search(
            issued(Some(date(2026, 1, 10)), Some(date(2026, 2, 1))),
            0,
            100
        )
        .await,
        (ids(&[&a3, &a1, &a2]), 3)
    );
    assert_eq!(
        search(
            issued(Some(date(2026, 1, 11)), Some(date(2026, 3, 14))),
            0,
            100
        )
        .await,
        (ids(&[&a3]), 1)
    );
    assert_eq!(
        search(issued(Some(date(2026, 3, 15)), None), 0, 100).await,
        (ids(&[&a6, &a4, &a5]), 3)
    );
    assert_eq!(
        search(issued(None, Some(date(2026, 1, 10))), 0, 100).await,
        (ids(&[&a1, &a2]), 2)
    );

    // Status.
    assert!(
        store
            .change_prescription_status(
                &StatusChange {
                    id: a2.id,
                    from: vec![PrescriptionStatus::Queued],
                    to: PrescriptionStatus::Registered,
                    national_id: Some("NLL-1".to_owned()),
                    messages: None,
                    text: "Registrerad.".to_owned(),
                },
                &[],
                &Outbox::new(),
                at(10),
            )
            .await
            .unwrap()
    );
    let status = |s| PrescriptionFilter {
        status: Some(s),
        ..PrescriptionFilter::default()
    };
    assert_eq!(
        search(status(PrescriptionStatus::Registered), 0, 100).await,
        (ids(&[&a2]), 1)
    );
    assert_eq!(
        search(status(PrescriptionStatus::Queued), 0, 100).await.1,
        5
    );
    assert_eq!(
        search(status(PrescriptionStatus::Cancelled), 0, 100).await,
        (vec![], 0)
    );

    // Every field at once, paged.
    let combined = PrescriptionFilter {
        patient: "ÅS".to_owned(),
        product: "tablett".to_owned(),
        issued_from: Some(date(2026, 1, 1)),
        issued_to: Some(date(2026, 1, 31)),
        status: Some(PrescriptionStatus::Queued),
    };
    assert_eq!(search(combined.clone(), 0, 100).await, (ids(&[&a1]), 1));
    assert_eq!(search(combined, 1, 100).await, (vec![], 1));
}
