//! PAdES baseline signatures (ETSI EN 319 142-1): a CAdES detached signature (SubFilter
//! `ETSI.CAdES.detached`, clause 6.3) embedded in a PDF signature dictionary (ISO 32000-1 clause
//! 12.8.1, ISO 32000-2 clause 12.8.3.4) added by an incremental update that keeps every original
//! byte, so that earlier signatures stay valid.
//!
//! Two ways in:
//! - [`sign`] does everything with a key, a certificate chain and [`PadesOptions`] (B-B, or B-T
//!   with a signature time-stamp).
//! - [`prepare`] and [`PreparedSignature`] split the work for callers that sign elsewhere: the
//!   update with a `/Contents` placeholder is computed, the caller hashes the two byte ranges
//!   (streaming, without copying the document), then [`PreparedSignature::finish`] writes the
//!   CMS into the placeholder.
//!
//! Documents that cannot be signed safely are refused ([`PadesError`]): not a PDF, damaged
//! beyond repair, encrypted, certified with "no changes allowed" (DocMDP /P 1).

mod appearance;
mod checks;
mod date;
mod error;
mod options;
mod prepare;
mod prepared;
mod sign;
mod widget;

pub use error::PadesError;
pub use options::{Appearance, PadesLevel, PadesOptions, SignatureDetails};
pub use prepare::{MAX_CONTENTS_LEN, prepare};
pub use prepared::PreparedSignature;
pub use sign::sign;
