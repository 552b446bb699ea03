//! Documents to sign: the 3-page atto of the PDF corpus, and valid one-page PDFs of a given size
//! (a long content stream of text lines), for the 100 KB and 8 MB scenarios.

pub const ATTO_PDF: &[u8] =
    include_bytes!("../../crates/firma-ades/tests/corpus/atto-classic-1.4.pdf");

pub use firma_testkit::pdf::pdf_of_size;
