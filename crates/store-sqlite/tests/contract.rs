use erecept_store_sqlite::SqliteStore;

async fn fresh_store() -> Option<SqliteStore> {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("contract-{}.db", uuid::Uuid::new_v4()));
    let store = SqliteStore::open(&format!("sqlite://{}", path.display()))
        .await
        .unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    Some(store)
}

erecept_store::contract_suite!(fresh_store());

/// Readiness and metrics report the backend by this name.
#[tokio::test]
async fn backend_reports_its_own_name() {
    if let Some(store) = fresh_store().await {
        assert_eq!(erecept_store::Health::backend(&store), "sqlite");
    }
}
