//! End-to-end tests: the `firma` binary as users run it, on a fresh SoftHSM2 token and a fresh
//! database (a SQLite file, or a new database on a real PostgreSQL server), over real HTTP.

#[path = "e2e/chiavette.rs"]
mod chiavette;
#[path = "e2e/config_errors.rs"]
mod config_errors;
#[path = "e2e/crash.rs"]
mod crash;
#[path = "e2e/csc.rs"]
mod csc;
#[path = "e2e/demo.rs"]
mod demo;
#[path = "e2e/health.rs"]
mod health;
#[path = "e2e/long_term.rs"]
mod long_term;
#[path = "e2e/onboarding_cli.rs"]
mod onboarding_cli;
#[path = "e2e/onboarding_path.rs"]
mod onboarding_path;
#[path = "e2e/onboarding_support.rs"]
mod onboarding_support;
#[path = "e2e/otp_cli.rs"]
mod otp_cli;
#[path = "e2e/postgres.rs"]
mod postgres;
#[path = "e2e/revocation.rs"]
mod revocation;
#[path = "e2e/shutdown.rs"]
mod shutdown;
#[path = "e2e/signing.rs"]
mod signing;
#[path = "e2e/signing_input.rs"]
mod signing_input;
#[path = "e2e/signing_security.rs"]
mod signing_security;
#[path = "e2e/signing_support.rs"]
mod signing_support;
#[path = "e2e/tls.rs"]
mod tls;

pub const FIRMA: &str = env!("CARGO_BIN_EXE_firma");
