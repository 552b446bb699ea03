//! Errors of the time-stamp protocol.

use super::asn1::FailureInfo;
use crate::cms::CmsError;

/// A transport failure, as the transport reports it (HTTP error, timeout, ...).
pub type TransportError = Box<dyn std::error::Error + Send + Sync>;

/// Why a time-stamp could not be obtained, or a token is not valid.
#[derive(Debug, thiserror::Error)]
pub enum TspError {
    /// The request could not be delivered, or no time-stamp reply came back (the transport's
    /// error says which: unreachable, timeout, HTTP status, not a TSA).
    #[error("the exchange with the time-stamping authority failed: {0}")]
    Transport(TransportError),
    /// The answer is not a DER `TimeStampResp` (RFC 3161 section 2.4.2).
    #[error("the time-stamping authority's answer is not a valid TimeStampResp: {0}")]
    MalformedResponse(String),
    /// The TSA refused the request (PKIStatus rejection or waiting, RFC 3161 section 2.4.2).
    #[error(
        "the time-stamping authority refused the request (status {status}, {failures:?}): {text}"
    )]
    Rejected {
        status: u8,
        failures: Vec<FailureInfo>,
        text: String,
    },
    /// The token is not a SignedData over a TSTInfo as RFC 3161 section 2.4.2 requires.
    #[error("malformed time-stamp token: {0}")]
    MalformedToken(String),
    /// The token's message imprint is not the hash that was sent.
    #[error("the time-stamp token covers a different message imprint than requested")]
    ImprintMismatch,
    /// The token does not echo the request's nonce (RFC 3161 section 2.4.2).
    #[error("the time-stamp token does not carry the request's nonce")]
    NonceMismatch,
    /// The token is under a different policy than the one requested.
    #[error("the time-stamp token's policy {found} is not the requested {requested}")]
    PolicyMismatch { requested: String, found: String },
    /// The TSA signature, ESS signing-certificate or certificate checks failed.
    #[error("the time-stamp token's signature is not valid: {0}")]
    BadSignature(#[from] CmsError),
    /// The TSA certificate does not meet RFC 3161 section 2.3 (critical extended key usage
    /// with only id-kp-timeStamping), or was not valid at the time stamped.
    #[error("the TSA certificate is not fit for time-stamping: {0}")]
    BadTsaCertificate(String),
}
