//! Why a PDF cannot be read or signed safely.

/// A PDF the reader refuses. Each variant says what the caller can do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    /// The input does not start with a `%PDF-x.y` header (ISO 32000-1 clause 7.5.2) in its first
    /// 1024 bytes: it is some other kind of file.
    #[error("not a PDF: {0}")]
    NotPdf(String),

    /// The file structure is broken in a way validators cannot repair either (no usable
    /// cross-reference section, no document catalog, a missing page tree...). Signing it would
    /// produce a signature nobody can verify: re-export the document from its source application.
    #[error("the PDF is damaged beyond repair: {0}; re-create it from the source application")]
    Damaged(String),

    /// The trailer has an /Encrypt dictionary (ISO 32000-1 clause 7.6). Signing an encrypted file
    /// needs its keys for every string and stream of the update; it is refused rather than
    /// half-supported. Remove the encryption first (for example `qpdf --decrypt`) and sign the
    /// decrypted file.
    #[error(
        "the PDF is encrypted (/Encrypt with filter {filter}); remove the encryption (e.g. `qpdf --decrypt in.pdf out.pdf`) and sign the decrypted file"
    )]
    Encrypted { filter: String },

    /// The input is larger than this implementation handles (offsets are written with ten
    /// digits, ISO 32000-1 clause 7.5.4).
    #[error("the PDF is too large: {len} bytes, the limit is {max} bytes")]
    TooLarge { len: u64, max: u64 },

    /// A construct needed for signing uses a feature this reader does not implement (for example
    /// a cross-reference stream compressed with a filter other than FlateDecode).
    #[error("unsupported PDF feature: {0}")]
    Unsupported(String),
}

impl PdfError {
    pub(crate) fn damaged(what: impl Into<String>) -> Self {
        Self::Damaged(what.into())
    }
}
