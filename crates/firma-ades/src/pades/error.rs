//! Why a PDF could not be signed.

use crate::cms::CmsError;
use crate::ltv::LtvError;
use crate::pdf::PdfError;
use crate::tsp::TspError;

/// A PAdES signature that could not be made. The variants that refuse an input are
/// [`PadesError::Pdf`] (not a PDF, damaged beyond repair, encrypted, too large),
/// [`PadesError::CertifiedNoChanges`] and [`PadesError::LockedNoChanges`].
#[derive(Debug, thiserror::Error)]
pub enum PadesError {
    /// The input cannot be read as a PDF safe to sign (see [`PdfError`]).
    #[error(transparent)]
    Pdf(#[from] PdfError),

    /// The document is certified with DocMDP /P 1 (ISO 32000-1 clause 12.8.2.2, Table 254):
    /// its author allowed no change at all, and a new signature would invalidate the
    /// certification. Ask the author for a version certified with /P 2 or not certified.
    #[error(
        "the document is certified with \"no changes allowed\" (DocMDP /P 1): another signature would break the certification; ask for a copy certified with /P 2 or not certified"
    )]
    CertifiedNoChanges,

    /// A signed field's FieldMDP lock allows no changes to the document (ISO 32000-2 clause
    /// 12.7.5.5, /Lock /P 1).
    #[error(
        "signature field {field:?} locks the document (FieldMDP /P 1): no further signature can be added without breaking it"
    )]
    LockedNoChanges { field: String },

    /// The chosen page does not exist.
    #[error("page {page} does not exist: the document has {count} page(s)")]
    PageOutOfRange { page: usize, count: usize },

    /// The visible signature's rectangle is empty or not finite.
    #[error("invalid signature appearance: {0}")]
    InvalidAppearance(String),

    /// A field with the requested name already exists.
    #[error("a form field named {0:?} already exists; choose another name")]
    FieldNameTaken(String),

    /// The requested field name is empty or contains a period.
    #[error("{0:?} is not a valid field name: it must be non-empty and contain no period")]
    InvalidFieldName(String),

    /// The room asked for /Contents is zero or unreasonably large.
    #[error("cannot reserve {requested} bytes for the signature: between 1 and {max} bytes")]
    InvalidContentsSize { requested: usize, max: usize },

    /// The CMS signature is larger than the room reserved in /Contents.
    #[error(
        "the CMS signature ({needed} bytes) does not fit the {available} bytes reserved in /Contents; prepare again with a larger size"
    )]
    ContentsTooSmall { needed: usize, available: usize },

    /// B-T was asked for without a time-stamp authority.
    #[error("PAdES B-T needs a time-stamp authority (PadesOptions::timestamper)")]
    TimestampRequired,

    /// B-LT or B-LTA was asked for without a way to fetch validation data.
    #[error("PAdES B-LT and B-LTA need a validation data transport (PadesOptions::validation)")]
    ValidationRequired,

    /// The validation data of B-LT could not be had (see [`LtvError`]).
    #[error("validation data for B-LT: {0}")]
    Ltv(#[from] LtvError),

    /// The document time-stamp of B-LTA could not be had.
    #[error("document time-stamp for B-LTA: {0}")]
    Timestamp(TspError),

    /// Extension was asked of a document without signatures.
    #[error("the document has no signature to extend")]
    NothingToExtend,

    /// Extension was asked to B-B or B-T, which are made when signing.
    #[error("only B-LT and B-LTA are extensions of an existing signature")]
    NotAnExtension,

    /// [`super::PreparedSignature::finish`] was given a document other than the prepared one.
    #[error(
        "the document is not the one the signature was prepared for ({actual} bytes, {expected} expected)"
    )]
    WrongDocument { expected: usize, actual: usize },

    /// The CMS signature could not be made (key, certificate, time-stamp).
    #[error("CMS signature: {0}")]
    Cms(#[from] CmsError),
}
