//! A fresh database for each test: a SQLite file in a temporary directory, or a new database on a
//! real PostgreSQL server.

use std::time::Duration;

use sqlx::Connection;

/// Where the PostgreSQL suite finds its server, and how to say so when it is missing.
pub const POSTGRES_URL_VAR: &str = "FIRMA_TEST_POSTGRES_URL";
const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

pub enum TestDatabase {
    Sqlite {
        _dir: tempfile::TempDir,
        url: String,
    },
    Postgres {
        admin_url: String,
        name: String,
        url: String,
    },
}

impl TestDatabase {
    /// A URL to a SQLite file that does not exist yet (the service creates it).
    pub fn sqlite() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("firma-db-")
            .tempdir()
            .expect("creating a temporary directory for the database");
        let url = format!("sqlite://{}", dir.path().join("firma.db").display());
        Self::Sqlite { _dir: dir, url }
    }

    /// A new, empty database on the PostgreSQL server named by `FIRMA_TEST_POSTGRES_URL`
    /// (default `postgres://postgres@127.0.0.1:5432/postgres`), dropped when this value is.
    pub async fn postgres() -> Self {
        let admin_url =
            std::env::var(POSTGRES_URL_VAR).unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned());
        let mut admin = tokio::time::timeout(
            Duration::from_secs(10),
            sqlx::PgConnection::connect(&admin_url),
        )
        .await
        .map_err(|_| "timed out".to_owned())
        .and_then(|r| r.map_err(|e| e.to_string()))
        .unwrap_or_else(|e| {
            panic!(
                "the PostgreSQL tests need a running server: could not connect to {admin_url} ({e}). \
                 Start one (Debian: apt-get install postgresql && pg_ctlcluster 15 main start) or set \
                 {POSTGRES_URL_VAR} to a role that may CREATE DATABASE"
            )
        });
        let name = format!("firma_test_{}", uuid::Uuid::new_v4().simple());
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("CREATE DATABASE for the test");
        let _ = admin.close().await;
        let url = replace_database(&admin_url, &name);
        Self::Postgres {
            admin_url,
            name,
            url,
        }
    }

    pub fn url(&self) -> &str {
        match self {
            Self::Sqlite { url, .. } | Self::Postgres { url, .. } => url,
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres { .. })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Self::Postgres {
            admin_url, name, ..
        } = self
        else {
            return;
        };
        let (admin_url, name) = (admin_url.clone(), name.clone());
        // Drop may run inside a runtime: do the async work on a thread of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            rt.block_on(async {
                let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut admin)
                .await?;
                admin.close().await
            })
            .map_err(std::io::Error::other)
        })
        .join();
    }
}

/// The same URL with another database name (the path), keeping user, host and query.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    format!("{}/{name}{query}", &base[..path_start])
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn replaces_only_the_database() {
        assert_eq!(
            replace_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            replace_database("postgres://u:p@h/db?sslmode=disable", "t2"),
            "postgres://u:p@h/t2?sslmode=disable"
        );
        assert_eq!(replace_database("postgres://h", "t3"), "postgres://h/t3");
    }
}
