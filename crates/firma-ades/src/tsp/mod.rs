//! Time-stamps (RFC 3161, with RFC 5816): a pure client ([`TsaClient`], [`PreparedRequest`])
//! that talks through a [`TimestampTransport`], token verification ([`verify_token`]), and a
//! test authority ([`authority`]).

pub mod asn1;
pub mod authority;
mod client;
mod error;
mod token;

pub use asn1::{Accuracy, FailureInfo, TstInfo};
pub use client::{PreparedRequest, TimestampTransport, TsaClient};
pub use error::{TransportError, TspError};
pub use token::{TimestampToken, check_tsa_certificate, verify_token};
