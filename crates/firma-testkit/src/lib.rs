//! Test support for firma-remota's integration tests and benchmarks.

pub mod app;
pub mod database;
pub mod pdf;
pub mod pki;
pub mod port;
pub mod signing;
pub mod softhsm;

pub use app::{AppOptions, TestApp};
pub use database::TestDatabase;
pub use signing::{Officer, SigningFixture};
pub use softhsm::runtime;
