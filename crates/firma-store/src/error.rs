//! Persistence errors.

// Causes are part of each message (one line for operators), not chained as `source`.

/// Why the database could not be used. Connection errors name the setting to change.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "unsupported database URL {0:?}: use sqlite://PATH (embedded default) or postgres://USER@HOST/DB; \
         set database.url (FIRMA_DATABASE__URL)"
    )]
    UnsupportedUrl(String),
    #[error("cannot open the database {url}: {cause}; check database.url (FIRMA_DATABASE__URL)")]
    Connect { url: String, cause: sqlx::Error },
    #[error("applying the database migrations failed: {0}")]
    Migrate(sqlx::migrate::MigrateError),
    #[error("the database did not answer within {0:?}")]
    Timeout(std::time::Duration),
    #[error("database error: {0}")]
    Query(sqlx::Error),
    #[error("already exists: {0}")]
    Duplicate(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// A compare-and-swap lost to a concurrent writer (rolled back; the caller retries or reports).
    #[error("a concurrent update changed the record first")]
    Conflict,
    /// A signature was not recorded (rolled back), for the reason given.
    #[error("the signature was not recorded: {0:?}")]
    Refused(firma_core::RecordOutcome),
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        Self::Migrate(e)
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        Self::Query(e)
    }
}

impl From<StoreError> for firma_core::RepositoryError {
    fn from(e: StoreError) -> Self {
        use firma_core::RepositoryError as R;
        match e {
            StoreError::Duplicate(m) => R::Duplicate(m),
            StoreError::NotFound(m) => R::NotFound(m),
            StoreError::Corrupt(m) => R::Corrupt(m),
            other => R::Unavailable(other.to_string()),
        }
    }
}
