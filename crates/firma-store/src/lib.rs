//! Persistence for firma-remota: a SQLite file for the embedded default, PostgreSQL for production
//! (several service instances on one database). One code base, with a migration set per backend
//! in `migrations/sqlite` and `migrations/postgres`.

mod audit;
mod chiavette;
mod database;
mod directory;
mod dispatch;
mod error;
mod onboarding;
mod otp;
mod revocation;
mod signing;
mod url;
mod write_lock;

pub use database::{Backend, Database, DatabaseConfig};
pub use error::StoreError;
pub use url::redact;
pub use write_lock::WriteLock;
