//! Connecting, migrating and checking the database.

use std::path::Path;
use std::str::FromStr;
use std::time::{Duration, Instant};

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::error::StoreError;
use crate::url::redact;
use crate::write_lock::{WRITE_WAIT, WriteLock};

/// Which database server is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// How to reach the database.
#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    /// `sqlite://PATH` (created if missing) or `postgres://USER[:PASSWORD]@HOST[:PORT]/DB`.
    pub url: String,
    pub max_connections: u32,
    /// How long to wait for a connection when opening the pool and when checking it.
    pub connect_timeout: Duration,
}

/// A pool of connections to the service's database. Clones share the pool and, on SQLite, the
/// [`WriteLock`] that queues this process's writers.
#[derive(Debug, Clone)]
pub enum Database {
    Sqlite(SqlitePool, WriteLock),
    Postgres(PgPool),
}

impl Database {
    /// Opens the pool (creating the SQLite file and its directory if needed) and checks that the
    /// server answers.
    pub async fn connect(config: &DatabaseConfig) -> Result<Self, StoreError> {
        let url = config.url.trim();
        let connect_err = |cause| StoreError::Connect {
            url: redact(url),
            cause,
        };
        let db = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(connect_err)?
                .create_if_missing(true)
                // WAL: readers do not block the writer. "A transaction committed in WAL mode
                // with synchronous=NORMAL might roll back following a power loss or system
                // crash"; "with synchronous=FULL in WAL mode, an additional sync operation of the
                // WAL file happens after each transaction commit"
                // (https://sqlite.org/pragma.html#pragma_synchronous). A committed signature's
                // audit record must never be lost, so FULL, at one fsync per write transaction.
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                // For writers of other processes (the CLI beside `firma serve`); this process's
                // writers queue on the `WriteLock` first.
                .busy_timeout(WRITE_WAIT)
                .foreign_keys(true);
            if let Some(dir) = Path::new(options.get_filename()).parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir).map_err(|e| connect_err(sqlx::Error::Io(e)))?;
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(config.max_connections.max(1))
                .acquire_timeout(config.connect_timeout)
                .connect_with(options)
                .await
                .map_err(connect_err)?;
            Self::Sqlite(pool, WriteLock::default())
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url).map_err(connect_err)?;
            let pool = PgPoolOptions::new()
                .max_connections(config.max_connections.max(1))
                .acquire_timeout(config.connect_timeout)
                .connect_with(options)
                .await
                .map_err(connect_err)?;
            Self::Postgres(pool)
        } else {
            return Err(StoreError::UnsupportedUrl(redact(url)));
        };
        tracing::info!(backend = db.backend().name(), url = %redact(url), "database connected");
        Ok(db)
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(..) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the pending migrations of this backend. Several instances may start at once on
    /// PostgreSQL: sqlx takes an advisory lock around the migrations.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(pool, _) => sqlx::migrate!("./migrations/sqlite").run(pool).await?,
            Self::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// Runs a trivial query, to tell whether the database answers, and how fast.
    pub async fn ping(&self, timeout: Duration) -> Result<Duration, StoreError> {
        let started = Instant::now();
        let query = async {
            match self {
                Self::Sqlite(pool, _) => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()),
                Self::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()),
            }
        };
        tokio::time::timeout(timeout, query)
            .await
            .map_err(|_| StoreError::Timeout(timeout))??;
        Ok(started.elapsed())
    }

    /// Closes every connection (on shutdown, after the last request).
    pub async fn close(&self) {
        match self {
            Self::Sqlite(pool, _) => pool.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: String) -> DatabaseConfig {
        DatabaseConfig {
            url,
            max_connections: 2,
            connect_timeout: Duration::from_secs(2),
        }
    }

    #[tokio::test]
    async fn sqlite_file_is_created_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/dir/firma.db");
        let db = Database::connect(&config(format!("sqlite://{}", path.display())))
            .await
            .unwrap();
        db.migrate().await.unwrap();
        db.ping(Duration::from_secs(1)).await.unwrap();
        assert!(path.exists());
        let Database::Sqlite(pool, _) = &db else {
            panic!("sqlite expected")
        };
        let mode: (String,) = sqlx::query_as("PRAGMA journal_mode")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(mode.0, "wal");
        db.close().await;
    }

    #[tokio::test]
    async fn unsupported_urls_name_the_setting() {
        let err = Database::connect(&config("mysql://u:secret@h/db".into()))
            .await
            .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("FIRMA_DATABASE__URL") && !msg.contains("secret"),
            "{msg}"
        );
    }

    #[tokio::test]
    async fn unreachable_postgres_fails_with_a_redacted_url() {
        // Port 9 (discard) on localhost: nothing listens there.
        let err = Database::connect(&config("postgres://firma:secret@127.0.0.1:9/firma".into()))
            .await
            .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("127.0.0.1:9") && msg.contains("***") && !msg.contains("secret"),
            "{msg}"
        );
    }
}
