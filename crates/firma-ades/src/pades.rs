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
//! - [`extend`] takes a signed document (ours or another producer's) to B-LT (a DSS with the
//!   validation data, [`add_validation_data`]) or B-LTA (then a document time-stamp,
//!   [`add_document_timestamp`]).
//!
//! Documents that cannot be signed safely are refused ([`PadesError`]): not a PDF, damaged
//! beyond repair, encrypted, certified with "no changes allowed" (DocMDP /P 1).

mod appearance;
mod checks;
mod date;
mod dss;
mod error;
mod extend;
mod options;
mod prepare;
mod prepared;
mod sign;
mod widget;

pub use dss::add_validation_data;
pub use error::PadesError;
pub use extend::{LtvOptions, add_document_timestamp, collect_validation_data, extend};
pub use options::{Appearance, PadesLevel, PadesOptions, SignatureDetails};
pub use prepare::{MAX_CONTENTS_LEN, prepare};
pub use prepared::PreparedSignature;
pub use sign::sign;
