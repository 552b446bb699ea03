//! Errors of the CMS layer.

use firma_core::{KeySpec, KeyStoreError, SignatureAlgorithm};

use crate::tsp::TspError;

/// Why a CMS signature could not be made or checked.
#[derive(Debug, thiserror::Error)]
pub enum CmsError {
    /// The key cannot produce the requested kind of signature.
    #[error("a {key} key cannot sign with {algorithm:?}")]
    AlgorithmDoesNotFitKey {
        algorithm: SignatureAlgorithm,
        key: KeySpec,
    },
    /// The signer certificate holds a different kind of public key than the algorithm needs.
    #[error("the signer certificate's public key does not fit {algorithm:?}: {reason}")]
    AlgorithmDoesNotFitCertificate {
        algorithm: SignatureAlgorithm,
        reason: String,
    },
    /// A digest of the wrong length for its algorithm.
    #[error("the digest is {actual} bytes long, {expected} expected for {algorithm:?}")]
    DigestLength {
        algorithm: SignatureAlgorithm,
        expected: usize,
        actual: usize,
    },
    /// A certificate that is not DER X.509 (RFC 5280 section 4.1).
    #[error("certificate {index} of the chain is not a valid DER X.509 certificate: {reason}")]
    InvalidCertificate { index: usize, reason: String },
    /// The key store refused or failed to sign.
    #[error("the key store could not sign: {0}")]
    Key(#[from] KeyStoreError),
    /// The key returned a signature that does not verify with the signer certificate: the
    /// wrong key for this certificate, or a faulty signer. Nothing was produced.
    #[error("the signature made by the key does not verify with the signer certificate: {0}")]
    KeyCertificateMismatch(String),
    /// The signature time-stamp (B-T) could not be obtained or is not valid.
    #[error("signature time-stamp: {0}")]
    Timestamp(Box<TspError>),
    /// A signature or attribute that does not verify (when checking existing signatures).
    #[error("signature verification failed: {0}")]
    Verification(String),
    /// An algorithm this implementation does not handle (when checking existing signatures).
    #[error("unsupported algorithm: {0}")]
    Unsupported(String),
    /// A structure that is not valid CMS (RFC 5652) where one was expected.
    #[error("malformed CMS structure: {0}")]
    Malformed(String),
    /// Encoding failed; should not happen with valid inputs.
    #[error("DER encoding failed: {0}")]
    Encoding(#[from] der::Error),
}

impl From<TspError> for CmsError {
    fn from(e: TspError) -> Self {
        Self::Timestamp(Box::new(e))
    }
}
