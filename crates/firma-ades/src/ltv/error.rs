//! Why validation data could not be collected.

/// Validation data that could not be had: a B-LT or B-LTA signature cannot be made, and no
/// lower level is produced in its place.
#[derive(Debug, thiserror::Error)]
pub enum LtvError {
    /// A certificate (in the signature, a time-stamp token or fetched) is not DER X.509.
    #[error("a certificate of the chain is not a valid DER X.509 certificate: {0}")]
    BadCertificate(String),
    /// The issuer of a certificate is neither among the certificates known nor at its
    /// `caIssuers` URL.
    #[error("the issuer of \"{subject}\" could not be found: {detail}")]
    IssuerNotFound { subject: String, detail: String },
    /// The certificate is revoked now: a long-term signature made now would not be valid.
    #[error("the certificate \"{subject}\" is revoked (since {revoked_at})")]
    Revoked { subject: String, revoked_at: String },
    /// The certificate declares OCSP responders or CRL distribution points, and none gave a
    /// valid answer (unreachable, timeout, invalid or unknown status).
    #[error(
        "no revocation data could be obtained for \"{subject}\": {tried}; check that the OCSP responder and CRL distribution points are reachable"
    )]
    NoRevocationData { subject: String, tried: String },
    /// A signature already in the document is not a readable CMS.
    #[error("an existing signature is not a readable CMS SignedData: {0}")]
    BadSignature(String),
}
