//! Errors of the CAdES layer.

use crate::cms::CmsError;

/// Why a CAdES signature could not be made, or a `.p7m`/`.p7s` was refused.
#[derive(Debug, thiserror::Error)]
pub enum CadesError {
    /// Nothing to read.
    #[error("the input is empty")]
    Empty,
    /// Neither DER nor base64 (with or without PEM armour) of a CMS structure.
    #[error("the input is neither a DER CMS file nor base64/PEM of one")]
    NotCms,
    /// Base64 or PEM text that does not decode.
    #[error("the base64 text of the CMS file does not decode: {0}")]
    Base64(String),
    /// The encoding ends before an element does.
    #[error("the CMS file is truncated: an element at byte {offset} runs past the end")]
    Truncated { offset: usize },
    /// An encoding X.690 does not allow (bad length octets, a primitive element with
    /// indefinite length, a missing end-of-contents).
    #[error("the CMS file is malformed at byte {offset}: {reason}")]
    Malformed { offset: usize, reason: &'static str },
    /// Nesting deeper than any CMS file needs; refused to bound the work.
    #[error("the CMS file nests elements more than {0} levels deep")]
    TooDeep(usize),
    /// Bytes after the end of the ContentInfo.
    #[error("{0} bytes follow the end of the CMS structure")]
    TrailingData(usize),
    /// An element that is not where RFC 5652 puts it.
    #[error(
        "the CMS file does not have the structure of RFC 5652: expected {expected} at byte {offset}"
    )]
    Structure {
        expected: &'static str,
        offset: usize,
    },
    /// A ContentInfo of another type (enveloped data, ...).
    #[error("the CMS content type is {0}, not signedData")]
    NotSignedData(String),
    /// A detached signature where a `.p7m` with embedded content is needed.
    #[error("the CMS file has no embedded content (it is a detached signature)")]
    NoContent,
    /// An attached signature given with separate content, or the reverse.
    #[error("the CMS file embeds its content; no separate content is expected")]
    ContentEmbedded,
    /// An element of an existing file that this crate would copy is not valid DER.
    #[error("element {index} of {what} is not valid DER: {reason}")]
    InvalidElement {
        what: &'static str,
        index: usize,
        reason: String,
    },
    /// A SignedData without any SignerInfo (a certificates-only file).
    #[error("the CMS file holds no signature")]
    NoSigners,
    /// A signature already in the file does not verify: co-signing it would endorse a broken
    /// file.
    #[error("existing signature {index} does not verify: {reason}")]
    ExistingSignatureInvalid { index: usize, reason: String },
    /// The CMS layer failed (key, certificate, algorithm, time-stamp).
    #[error(transparent)]
    Cms(#[from] CmsError),
    /// The validation data of B-LT could not be had.
    #[error("validation data for B-LT: {0}")]
    Ltv(#[from] crate::ltv::LtvError),
    /// Reading the content failed.
    #[error("reading the content failed: {0}")]
    Io(#[from] std::io::Error),
}
