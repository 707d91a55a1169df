use thiserror::Error;

/// What can go wrong in any adapter, in terms the application can act on.
#[derive(Debug, Error)]
pub enum StoreError {
    /// A uniqueness rule was broken (the name of the rule is given).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database holds something the adapter cannot read back (a bug or manual edit).
    #[error("corrupt record: {0}")]
    Corrupt(String),
    /// The database could not be reached or refused the statement.
    #[error("database error: {0}")]
    Database(String),
}
