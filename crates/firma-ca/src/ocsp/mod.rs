//! OCSP (RFC 6960): the responder of the issuing CA and the client side the B-LT collector
//! needs.
//!
//! - [`respond`] answers a DER `OCSPRequest` with a DER `OCSPResponse` signed by an
//!   [`OcspResponder`]: a delegated responder key with its certificate from
//!   `CertificateAuthority::issue_ocsp_responder` (RFC 6960 section 4.2.2.2), or the issuing CA
//!   key itself. Statuses come from the caller's register through a closure.
//! - [`build_ocsp_request`] and [`check_ocsp_response`] / [`verify_ocsp_response`] make a
//!   request and check the response as a relying party does (section 3.2).
//!
//! Transport (HTTP POST of `application/ocsp-request`, or GET with the base64 request in the
//! path, appendix A.1) is the server's business.

mod asn1;
mod cert_id;
pub(crate) use cert_id::{parse_certificate, signed_by};
mod check;
mod request;
mod responder;

pub use asn1::OcspResponseStatus;
pub use cert_id::CertIdHash;
pub use check::{
    MAX_OCSP_RESPONSE_LEN, OCSP_CLOCK_SKEW, VerifiedOcspResponse, check_ocsp_response,
    verify_ocsp_response,
};
pub use request::{
    MAX_NONCE_LEN, MAX_OCSP_REQUEST_CERTS, MAX_OCSP_REQUEST_LEN, OcspRequestInfo,
    RequestedCertificate, build_ocsp_request, build_ocsp_request_with_hash, parse_ocsp_request,
};
pub use responder::{
    DEFAULT_OCSP_VALIDITY, MAX_OCSP_VALIDITY, OcspReply, OcspResponder, respond, respond_detailed,
};
