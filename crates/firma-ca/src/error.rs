//! Why a certificate authority operation failed. Each message names what is wrong.

use firma_core::KeyStoreError;
use time::OffsetDateTime;

/// Errors of the certificate authority.
#[derive(Debug, thiserror::Error)]
pub enum CaError {
    /// The HSM refused or failed (see the key store error).
    #[error("key store: {0}")]
    KeyStore(#[from] KeyStoreError),

    /// `CertificateAuthority::create` found CA keys already on the token: a CA exists there.
    #[error(
        "the token already holds service keys labelled {labels:?}: open the existing CA with \
         CertificateAuthority::open, or destroy those keys before creating a new one"
    )]
    KeysExist { labels: Vec<String> },

    /// `CertificateAuthority::open` did not find a CA key on the token.
    #[error(
        "no service key labelled {label:?} on the token: the CA material belongs to another token"
    )]
    KeyMissing { label: String },

    /// The key found on the token is not the key certified by the stored CA certificate.
    #[error(
        "the service key labelled {label:?} does not match the public key of the {which} CA \
         certificate: the CA material belongs to another token or another CA"
    )]
    KeyDoesNotMatchCertificate { label: String, which: &'static str },

    /// The stored CA material cannot be used (not a certificate, not a CA, bad signature...).
    #[error("the CA material is unusable: {0}")]
    InvalidMaterial(String),

    /// The CA profile (URLs, validity periods) is not acceptable.
    #[error("the CA profile is invalid: {0}")]
    InvalidProfile(String),

    /// A subject attribute cannot go into a certificate.
    #[error("the subject's {field} is invalid: {reason}")]
    InvalidSubject { field: &'static str, reason: String },

    /// A CSR larger than any this CA accepts (it is not parsed).
    #[error("the certification request has {len} bytes, more than the {max} accepted")]
    CsrTooLarge { len: usize, max: usize },

    /// The bytes are not a DER PKCS#10 `CertificationRequest` (RFC 2986 section 4).
    #[error("the certification request is malformed: {0}")]
    CsrMalformed(String),

    /// The CSR's self-signature does not verify with the public key it carries, so it does not
    /// prove possession of the private key (RFC 2986 section 3).
    #[error("the certification request's signature does not verify: {0}")]
    CsrSignatureInvalid(String),

    /// The CSR is well signed, but for another key than the credential's.
    #[error(
        "the certification request is for another public key than the credential's: refusing to \
         certify a key that was not generated for this credential"
    )]
    CsrKeyMismatch,

    /// A public key this CA does not certify (only ECDSA P-256 and RSA 2048/3072).
    #[error("unsupported public key: {0}")]
    UnsupportedKey(String),

    /// A signature algorithm this CA does not accept or cannot produce.
    #[error("unsupported signature algorithm: {0}")]
    UnsupportedAlgorithm(String),

    /// The issuing CA certificate is not valid at the time of issuance.
    #[error(
        "the {which} CA certificate is valid from {not_before} to {not_after}, not at {at}: \
         nothing can be issued under it then"
    )]
    CaNotValidAt {
        which: &'static str,
        at: OffsetDateTime,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    },

    /// A time that X.509 cannot express (before 1970 or after 9999).
    #[error("the time {0} cannot be written in a certificate")]
    TimeOutOfRange(OffsetDateTime),

    /// The operating system's random number generator failed.
    #[error("no randomness for the serial number: {0}")]
    Randomness(String),

    /// A revocation entry or a CRL parameter cannot go into a CRL (RFC 5280 section 5).
    #[error("cannot build the CRL: {0}")]
    InvalidRevocation(String),

    /// A certificate handed in (to build an OCSP request, check an OCSP response or set up a
    /// responder) cannot be used for that.
    #[error("the {which} certificate cannot be used: {reason}")]
    InvalidCertificate { which: &'static str, reason: String },

    /// The OCSP responder cannot be set up with this key and these certificates.
    #[error("the OCSP responder cannot be set up: {0}")]
    InvalidResponder(String),

    /// An OCSP request cannot be built as asked (RFC 6960 section 4.1, RFC 9654).
    #[error("cannot build the OCSP request: {0}")]
    InvalidOcspRequest(String),

    /// Bytes that are not an acceptable DER `OCSPRequest` (RFC 6960 section 4.1.1); the
    /// responder answers `malformedRequest`.
    #[error("the OCSP request is malformed: {0}")]
    OcspRequestMalformed(String),

    /// The OCSP responder answered with an error status instead of a response (RFC 6960
    /// section 4.2.1).
    #[error(
        "the OCSP responder answered {0} instead of a certificate status (RFC 6960 section 4.2.1)"
    )]
    OcspResponderError(crate::ocsp::OcspResponseStatus),

    /// An OCSP response is malformed, signed by a responder without authority, badly signed,
    /// stale, or says nothing about the certificate (RFC 6960 sections 3.2 and 4.2.2.2).
    #[error("the OCSP response is not acceptable: {0}")]
    OcspResponseInvalid(String),

    /// DER encoding of something this crate built failed (a bug, or a value over a DER limit).
    #[error("DER encoding failed: {0}")]
    Encoding(#[from] der::Error),
}
