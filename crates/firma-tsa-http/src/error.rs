//! Why an exchange with a TSA over HTTP failed.

use std::time::Duration;

/// A failed RFC 3161 HTTP exchange. The URL in messages never carries credentials (URLs with
/// user information are refused; see [`crate::HttpTimestampTransport::with_basic_auth`]).
#[derive(Debug, thiserror::Error)]
pub enum HttpTsaError {
    /// The configured URL is not an `http` or `https` URL with a host.
    #[error("invalid TSA URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },
    /// No connection could be made: nothing listens there, the host is unknown or unreachable,
    /// or the connection was dropped before an answer.
    #[error("the TSA at {url} cannot be reached: {detail}")]
    Unreachable { url: String, detail: String },
    /// The TSA did not answer in time.
    #[error("the TSA at {url} did not answer in time ({phase}, limit {limit:?})")]
    Timeout {
        url: String,
        /// Which part of the exchange ran out of time.
        phase: String,
        /// The configured limit that applied.
        limit: Duration,
    },
    /// The TSA answered with an HTTP status other than 200 OK.
    #[error("the TSA at {url} answered HTTP {status}{}", if .detail.is_empty() { String::new() } else { format!(": {}", .detail) })]
    HttpStatus {
        url: String,
        status: u16,
        /// The start of the answer's text, printable characters only.
        detail: String,
    },
    /// The answer is not a time-stamp reply (RFC 3161 section 3.4: `application/timestamp-reply`).
    #[error(
        "the server at {url} did not answer as a TSA: content type {}, not application/timestamp-reply",
        .found.as_deref().unwrap_or("missing")
    )]
    ContentType { url: String, found: Option<String> },
    /// The answer is longer than the configured limit.
    #[error("the TSA at {url} sent an answer longer than {limit} bytes")]
    TooLarge { url: String, limit: usize },
    /// The exchange broke in another way (malformed HTTP, TLS failure).
    #[error("the exchange with the TSA at {url} failed: {detail}")]
    Protocol { url: String, detail: String },
}
