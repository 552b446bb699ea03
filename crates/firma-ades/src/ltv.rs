//! Validation data for long-term signatures (ETSI EN 319 142-1 clause 5.4, EN 319 122-1
//! clause 5.5; ETSI EN 319 102-1 clause 5.6.2.5): every certificate of the chains that a
//! signature and its time-stamps depend on, with an OCSP response (preferred) or a CRL for
//! each certificate that declares where its status is published.
//!
//! [`Collector`] gathers them through a [`ValidationTransport`] (HTTP in the server,
//! `firma-tsa-http`), so this crate stays free of I/O: the issuer of a certificate is looked
//! for among the certificates given, then at its AIA `caIssuers` URL (RFC 5280 section
//! 4.2.2.1); the status is asked of the AIA OCSP responder (RFC 6960), then read from the CRL
//! distribution points (RFC 5280 section 4.2.1.13). Every answer is checked as a relying party
//! checks it before it is kept.

mod collect;
mod data;
mod embedded;
mod error;
mod urls;

pub use collect::{Collector, ValidationTransport};
pub use data::ValidationData;
pub use embedded::certificates_in_cms;
pub use error::LtvError;
