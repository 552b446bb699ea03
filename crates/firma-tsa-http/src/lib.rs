//! The HTTP transport of RFC 3161 (section 3.4) for [`firma_ades::tsp::TsaClient`]: a DER
//! `TimeStampReq` is POSTed as `application/timestamp-query`, the TSA answers a DER
//! `TimeStampResp` as `application/timestamp-reply`.
//!
//! ```no_run
//! use std::sync::Arc;
//! use firma_ades::tsp::TsaClient;
//! use firma_tsa_http::{HttpTimestampTransport, Timeouts};
//!
//! let transport = HttpTimestampTransport::new("http://tsa.example/tsp", Timeouts::default())?;
//! let tsa = TsaClient::new(Arc::new(transport));
//! # Ok::<(), firma_tsa_http::HttpTsaError>(())
//! ```
//!
//! [`HttpValidationTransport`] fetches the validation data of B-LT (certificates, CRLs, OCSP
//! responses) for [`firma_ades::ltv::Collector`].
//!
//! Calls block: the signing service calls the client from its blocking signing threads. Every
//! exchange is bounded: a connect timeout, a total timeout, a response size limit. Failures are
//! [`HttpTsaError`]s, handed to the client boxed in [`firma_ades::tsp::TspError::Transport`].

mod error;
mod transport;
mod validation;

pub use error::HttpTsaError;
pub use transport::{DEFAULT_MAX_RESPONSE_LEN, HttpTimestampTransport, Timeouts};
pub use validation::{HttpFetchError, HttpValidationTransport, MAX_VALIDATION_RESPONSE_LEN};
