//! A PDF reader and incremental-update writer sufficient for signing (ISO 32000-1:2008 and
//! ISO 32000-2:2020).
//!
//! The reader loads only what signing needs: the cross-reference chain (classic tables, xref
//! streams, hybrid-reference files, incremental updates, linearized files), the trailer, the
//! catalog, the page tree down to one page, the interactive form and existing signatures. Objects
//! are parsed on demand from the borrowed input; nothing copies the whole document.
//!
//! Damage that validators tolerate is tolerated (cross-reference offsets that are slightly off
//! are recovered by scanning for `N G obj`); what cannot be read safely is refused with
//! [`PdfError`].
//!
//! The writer ([`update`]) appends an incremental update (ISO 32000-1 clause 7.5.6) after the
//! original bytes, which are never changed, so earlier signatures stay valid.

mod acroform;
mod document;
mod error;
pub(crate) mod filter;
mod lexer;
mod object;
mod objstm;
mod pages;
mod parser;
mod scan;
mod serialize;
mod text;
pub mod update;
mod xref;

pub use acroform::{AcroForm, ExistingField, ExistingSignature, FormInfo, Located};
pub use document::{Document, Limits};
pub use error::PdfError;
pub use object::{Dict, Name, ObjRef, Object, PdfString, Stream};
pub use pages::Page;
pub use serialize::write_object;
pub use text::{encode_text_string, encode_win_ansi};
pub use xref::{XrefEntry, XrefForm};
