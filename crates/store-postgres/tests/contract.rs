//! The store contract on PostgreSQL. Runs when `ERECEPT_TEST_POSTGRES_URL` points at a server
//! (CI starts a throw-away cluster); each case gets a schema of its own.

use erecept_store_postgres::PostgresStore;

async fn fresh_store() -> Option<PostgresStore> {
    let Ok(url) = std::env::var("ERECEPT_TEST_POSTGRES_URL") else {
        // CI must never skip this suite silently.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must set ERECEPT_TEST_POSTGRES_URL"
        );
        eprintln!("ERECEPT_TEST_POSTGRES_URL is not set: PostgreSQL contract case skipped");
        return None;
    };
    let schema = format!("contract_{}", uuid::Uuid::new_v4().simple());
    let store = PostgresStore::open_in_schema(&url, &schema)
        .await
        .unwrap_or_else(|e| panic!("open PostgreSQL schema {schema}: {e}"));
    Some(store)
}

erecept_store::contract_suite!(fresh_store());

/// Readiness and metrics report the backend by this name.
#[tokio::test]
async fn backend_reports_its_own_name() {
    if let Some(store) = fresh_store().await {
        assert_eq!(erecept_store::Health::backend(&store), "postgres");
    }
}
