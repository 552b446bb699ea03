//! The RFC 3161 HTTP transport against a real HTTP server on a local port that serves the test
//! time-stamping authority, or misbehaves in the ways a TSA can.

#[path = "tsa_http/server.rs"]
mod server;
#[path = "tsa_http/support.rs"]
mod support;

#[path = "tsa_http/errors.rs"]
mod errors;
#[path = "tsa_http/pades.rs"]
mod pades;
#[path = "tsa_http/validation.rs"]
mod validation;
