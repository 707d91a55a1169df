#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Login and "Glömt lösenord" through the application layer, on a real SQLite store with a
//! clock the tests move.

use std::net::IpAddr;
use std::sync::Arc;

use erecept_app::auth::{MAX_FAILURES_PER_ACCOUNT, hash_password};
use erecept_app::{App, AppConfig, LoginOutcome, NewPasswordError, ResetOutcome};
use erecept_domain::clock::{Clock, FixedClock};
use erecept_domain::{
    County, Licence, Licensing, NoActiveLicence, PasswordError, PersonNumber, PrescriberCode,
    Profession, WorkplaceCode,
};
use erecept_mail::Brand;
use erecept_store::{
    AccountId, BillingKind, BillingParty, NewRegistration, Outbox, ResetLink, Store, Verification,
    Workplace,
};
use erecept_store_sqlite::SqliteStore;
use jiff::SignedDuration;
use uuid::Uuid;

const PNR: &str = "191212121212";
const PASSWORD: &str = "Rätt-lösenord-42";

struct World {
    app: App,
    store: Arc<dyn Store>,
    clock: Arc<FixedClock>,
}

async fn world() -> World {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("auth-{}.db", Uuid::new_v4()));
    let store: Arc<dyn Store> = Arc::new(
        SqliteStore::open(&format!("sqlite://{}", path.display()))
            .await
            .unwrap(),
    );
    let clock = Arc::new(FixedClock::at("2026-12-03T09:00:00Z".parse().unwrap()));
    let config = AppConfig {
        brand: Brand {
            service_name: "eRecept".into(),
            public_url: "https://erecept.example".into(),
            support_email: "support@erecept.example".into(),
            support_phone: "08-123".into(),
        },
        session_idle: SignedDuration::from_mins(60),
        licence_price: erecept_domain::Money::from_kronor(1250),
        addon_price: erecept_domain::Money::from_kronor(375),
        journal_systems: Vec::new(),
    };
    let app = App::new(config, store.clone(), clock.clone());
    World { app, store, clock }
}

fn pnr() -> PersonNumber {
    PersonNumber::parse_12(PNR).unwrap()
}

fn address() -> IpAddr {
    "192.0.2.10".parse().unwrap()
}

async fn register(w: &World, verification: Verification, password_hash: String) -> AccountId {
    let id = AccountId(Uuid::now_v7());
    let registration = NewRegistration {
        id,
        person_number: pnr(),
        given_name: "Tolvan".into(),
        surname: "Tolvansson".into(),
        email: "tolvan@example.se".into(),
        mobile: "070-1234567".into(),
        password_hash,
        profession: Profession::Lakare,
        prescriber_code: PrescriberCode::parse("1234567").unwrap(),
        verification_expected_by: w.clock.now() + SignedDuration::from_hours(48),
        workplace: Workplace {
            id: Uuid::now_v7(),
            name: "Mottagningen".into(),
            code: WorkplaceCode::parse("0112345").unwrap(),
            address: "Gatan 1".into(),
            postal_code: "111 22".into(),
            city: "Stockholm".into(),
            phone: "08-1".into(),
            county: County::from_code("01").unwrap(),
            journal_system: None,
        },
        billing: BillingParty {
            kind: BillingKind::Private,
            name: "Tolvan Tolvansson".into(),
            identity: PNR.into(),
            address: "Gatan 1".into(),
            postal_code: "111 22".into(),
            city: "Stockholm".into(),
            email: "tolvan@example.se".into(),
            reference: String::new(),
        },
        licensing: Licensing::Own(Licence::starting(w.clock.today())),
        population_register_addon: false,
    };
    w.store
        .register(&registration, &Outbox::new(), w.clock.now())
        .await
        .unwrap();
    if let Verification::Verified { .. } | Verification::ManualReview | Verification::Rejected =
        verification
    {
        w.store
            .set_verification(id, verification, &Outbox::new(), w.clock.now())
            .await
            .unwrap();
    }
    id
}

async fn verified(w: &World) -> AccountId {
    register(
        w,
        Verification::Verified { at: w.clock.now() },
        hash_password(PASSWORD),
    )
    .await
}

async fn login(w: &World, password: &str) -> LoginOutcome {
    w.app
        .auth
        .login(&pnr(), password, address(), None)
        .await
        .unwrap()
}

#[tokio::test]
async fn wrong_password_and_unknown_person_get_the_same_answer() {
    let w = world().await;
    assert!(matches!(
        login(&w, PASSWORD).await,
        LoginOutcome::WrongCredentials
    ));
    verified(&w).await;
    assert!(matches!(
        login(&w, "fel-lösenord").await,
        LoginOutcome::WrongCredentials
    ));
}

#[tokio::test]
async fn verified_prescriber_with_a_licence_logs_in_with_a_new_session() {
    let w = world().await;
    let id = verified(&w).await;
    let (old, _) = w
        .app
        .sessions
        .start(None, serde_json::json!({ "kvar": true }))
        .await
        .unwrap();
    let LoginOutcome::LoggedIn { token, account } = w
        .app
        .auth
        .login(&pnr(), PASSWORD, address(), Some(&old))
        .await
        .unwrap()
    else {
        panic!("expected login")
    };
    assert_eq!(account.id, id);
    assert_ne!(token, old, "a new session id at login");
    assert!(
        w.app.sessions.load(&old).await.unwrap().is_none(),
        "the old session is gone"
    );
    let session = w.app.sessions.load(&token).await.unwrap().unwrap();
    assert_eq!(session.account_id, Some(id.0));
    assert_eq!(session.data, serde_json::json!({ "kvar": true }));
}

#[tokio::test]
async fn pending_verification_stops_login_with_the_expected_time() {
    let w = world().await;
    let expected = w.clock.now() + SignedDuration::from_hours(48);
    register(
        &w,
        Verification::Pending {
            expected_by: expected,
        },
        hash_password(PASSWORD),
    )
    .await;
    match login(&w, PASSWORD).await {
        LoginOutcome::NotVerified { expected_by } => assert_eq!(expected_by, Some(expected)),
        other => panic!("{other:?}"),
    }
    // The wrong password is still only "wrong credentials": nothing is revealed before it.
    assert!(matches!(
        login(&w, "fel").await,
        LoginOutcome::WrongCredentials
    ));
}

#[tokio::test]
async fn manual_review_is_still_not_verified() {
    let w = world().await;
    register(&w, Verification::ManualReview, hash_password(PASSWORD)).await;
    assert!(matches!(
        login(&w, PASSWORD).await,
        LoginOutcome::NotVerified { expected_by: None }
    ));
}

#[tokio::test]
async fn licence_reasons_a_to_d() {
    let w = world().await;
    let id = verified(&w).await;
    assert!(matches!(
        login(&w, PASSWORD).await,
        LoginOutcome::LoggedIn { .. }
    ));
    // a) not paid three weeks after the start.
    w.clock.advance(SignedDuration::from_hours(24 * 22));
    assert!(matches!(
        login(&w, PASSWORD).await,
        LoginOutcome::NoActiveLicence(NoActiveLicence::Unpaid)
    ));
    // b) the year is over (paid, but not renewed).
    let mut paid = Licence::starting(jiff::civil::date(2025, 11, 1));
    paid.paid_on = Some(jiff::civil::date(2025, 11, 2));
    w.store
        .set_licensing(id, Licensing::Own(paid), &Outbox::new(), w.clock.now())
        .await
        .unwrap();
    assert!(matches!(
        login(&w, PASSWORD).await,
        LoginOutcome::NoActiveLicence(NoActiveLicence::Expired)
    ));
    // c) a group licence without web login.
    w.store
        .set_licensing(
            id,
            Licensing::Group {
                web_login_allowed: false,
            },
            &Outbox::new(),
            w.clock.now(),
        )
        .await
        .unwrap();
    assert!(matches!(
        login(&w, PASSWORD).await,
        LoginOutcome::NoActiveLicence(NoActiveLicence::GroupForbidsWebLogin)
    ));
    w.store
        .set_licensing(
            id,
            Licensing::Group {
                web_login_allowed: true,
            },
            &Outbox::new(),
            w.clock.now(),
        )
        .await
        .unwrap();
    assert!(matches!(
        login(&w, PASSWORD).await,
        LoginOutcome::LoggedIn { .. }
    ));
    // d) left the group.
    w.store
        .set_licensing(id, Licensing::LeftGroup, &Outbox::new(), w.clock.now())
        .await
        .unwrap();
    assert!(matches!(
        login(&w, PASSWORD).await,
        LoginOutcome::NoActiveLicence(NoActiveLicence::LeftGroup)
    ));
}

#[tokio::test]
async fn repeated_failures_hold_the_account_back_for_a_while() {
    let w = world().await;
    verified(&w).await;
    for _ in 0..MAX_FAILURES_PER_ACCOUNT {
        assert!(matches!(
            login(&w, "gissning").await,
            LoginOutcome::WrongCredentials
        ));
    }
    // Even the right password waits now.
    assert!(matches!(login(&w, PASSWORD).await, LoginOutcome::Throttled));
    w.clock.advance(SignedDuration::from_mins(16));
    assert!(matches!(
        login(&w, PASSWORD).await,
        LoginOutcome::LoggedIn { .. }
    ));
}

#[tokio::test]
async fn repeated_failures_from_one_address_are_held_back_for_every_personnummer() {
    let w = world().await;
    verified(&w).await;
    let other = PersonNumber::parse_12("189001019802").unwrap();
    for _ in 0..erecept_app::auth::MAX_FAILURES_PER_ADDRESS {
        w.app
            .auth
            .login(&other, "x", address(), None)
            .await
            .unwrap();
    }
    assert!(matches!(login(&w, PASSWORD).await, LoginOutcome::Throttled));
    let elsewhere: IpAddr = "198.51.100.7".parse().unwrap();
    let outcome = w
        .app
        .auth
        .login(&pnr(), PASSWORD, elsewhere, None)
        .await
        .unwrap();
    assert!(matches!(outcome, LoginOutcome::LoggedIn { .. }));
}

#[tokio::test]
async fn a_hash_with_old_parameters_is_renewed_at_login() {
    let w = world().await;
    let weak = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(8192, 1, 1, None).unwrap(),
    );
    use argon2::password_hash::{PasswordHasher, SaltString};
    let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
    let old_hash = weak
        .hash_password(PASSWORD.as_bytes(), &salt)
        .unwrap()
        .to_string();
    let id = register(
        &w,
        Verification::Verified { at: w.clock.now() },
        old_hash.clone(),
    )
    .await;
    assert!(matches!(
        login(&w, PASSWORD).await,
        LoginOutcome::LoggedIn { .. }
    ));
    let renewed = w.store.account(id).await.unwrap().unwrap().password_hash;
    assert_ne!(renewed, old_hash);
    assert!(renewed.contains("m=19456,t=2,p=1"), "{renewed}");
    assert!(matches!(
        login(&w, PASSWORD).await,
        LoginOutcome::LoggedIn { .. }
    ));
}

/// The link of the newest reset mail.
async fn mailed_link(w: &World) -> String {
    let mail = w.store.recent_mail(1).await.unwrap().pop().expect("a mail");
    assert_eq!(mail.to, "tolvan@example.se");
    let start = mail
        .text_body
        .find("https://erecept.example/glomt-losenord/")
        .expect("link in mail");
    mail.text_body[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

fn token_of(link: &str) -> &str {
    link.rsplit('/').next().unwrap()
}

#[tokio::test]
async fn reset_link_changes_the_password_once_and_ends_sessions() {
    let w = world().await;
    let id = verified(&w).await;
    let LoginOutcome::LoggedIn { token: session, .. } = login(&w, PASSWORD).await else {
        panic!()
    };

    // Unknown personnummer: nothing is sent (and the caller says the same).
    w.app
        .auth
        .request_reset(&PersonNumber::parse_12("189001019802").unwrap(), address())
        .await
        .unwrap();
    assert!(w.store.recent_mail(10).await.unwrap().is_empty());

    w.app.auth.request_reset(&pnr(), address()).await.unwrap();
    let link = mailed_link(&w).await;
    let token = token_of(&link);
    assert_eq!(
        w.app.auth.reset_link(token).await.unwrap(),
        Some(ResetLink::Valid(id))
    );

    let outcome = w
        .app
        .auth
        .reset_password(token, "Nytt-lösen-7", "Nytt-lösen-8")
        .await
        .unwrap();
    assert_eq!(outcome, ResetOutcome::Rejected(NewPasswordError::Mismatch));
    let outcome = w
        .app
        .auth
        .reset_password(token, "abc", "abc")
        .await
        .unwrap();
    assert_eq!(
        outcome,
        ResetOutcome::Rejected(NewPasswordError::Policy(PasswordError::TooShort))
    );
    let outcome = w.app.auth.reset_password(token, PNR, PNR).await.unwrap();
    assert_eq!(
        outcome,
        ResetOutcome::Rejected(NewPasswordError::Policy(
            PasswordError::ContainsPersonNumber
        ))
    );

    let outcome = w
        .app
        .auth
        .reset_password(token, "Nytt-lösen-7", "Nytt-lösen-7")
        .await
        .unwrap();
    assert_eq!(outcome, ResetOutcome::Changed);
    assert!(
        w.app.sessions.load(&session).await.unwrap().is_none(),
        "every session ended"
    );
    let confirmation = w.store.recent_mail(1).await.unwrap().pop().unwrap();
    assert_eq!(
        confirmation.subject,
        "Ditt lösenord till eRecept har ändrats"
    );
    assert!(matches!(
        login(&w, PASSWORD).await,
        LoginOutcome::WrongCredentials
    ));
    assert!(matches!(
        login(&w, "Nytt-lösen-7").await,
        LoginOutcome::LoggedIn { .. }
    ));

    // Once only.
    let again = w
        .app
        .auth
        .reset_password(token, "Tredje-lösen-9", "Tredje-lösen-9")
        .await
        .unwrap();
    assert_eq!(again, ResetOutcome::LinkNotValid(Some(ResetLink::Used)));
    assert_eq!(
        w.app
            .auth
            .reset_password("okänd", "Tredje-lösen-9", "Tredje-lösen-9")
            .await
            .unwrap(),
        ResetOutcome::LinkNotValid(None)
    );
}

#[tokio::test]
async fn reset_link_expires_after_24_hours() {
    let w = world().await;
    verified(&w).await;
    w.app.auth.request_reset(&pnr(), address()).await.unwrap();
    let link = mailed_link(&w).await;
    w.clock.advance(SignedDuration::from_hours(24));
    let outcome = w
        .app
        .auth
        .reset_password(token_of(&link), "Nytt-lösen-7", "Nytt-lösen-7")
        .await
        .unwrap();
    assert_eq!(
        outcome,
        ResetOutcome::LinkNotValid(Some(ResetLink::Expired))
    );
    assert!(matches!(
        login(&w, PASSWORD).await,
        LoginOutcome::LoggedIn { .. }
    ));
}

#[tokio::test]
async fn reset_requests_are_limited_per_account() {
    let w = world().await;
    verified(&w).await;
    for _ in 0..10 {
        w.app.auth.request_reset(&pnr(), address()).await.unwrap();
    }
    assert_eq!(
        w.store.recent_mail(20).await.unwrap().len(),
        erecept_app::auth::MAX_RESETS_PER_ACCOUNT as usize
    );
}

#[tokio::test]
async fn bankid_orders_are_limited_per_address() {
    let w = world().await;
    let auth = &w.app.auth;
    for _ in 0..erecept_app::auth::MAX_BANKID_STARTS_PER_ADDRESS {
        assert!(auth.may_start_identification(address()).await.unwrap());
    }
    assert!(!auth.may_start_identification(address()).await.unwrap());
    // Another address is not held back, and the first one may start again later.
    let elsewhere: IpAddr = "198.51.100.7".parse().unwrap();
    assert!(auth.may_start_identification(elsewhere).await.unwrap());
    w.clock
        .advance(erecept_app::auth::THROTTLE_WINDOW + jiff::SignedDuration::from_secs(1));
    assert!(auth.may_start_identification(address()).await.unwrap());
}
