//! The firma-remota service: configuration, the HTTP API and the `firma` command line. It wires
//! the adapters (`firma-hsm`, `firma-store`) to the domain (`firma-core`).

pub mod auth;
pub mod ca;
pub mod chiavette;
pub mod cli;
mod commands;
pub mod config;
pub mod csc;
mod demo;
pub mod error;
pub mod json;
pub mod onboarding;
pub mod otp;
pub mod pdf_text;
pub mod revocation;
pub mod routes;
pub mod signing;
pub mod sms;
pub mod state;
mod telemetry;
pub mod tls;
