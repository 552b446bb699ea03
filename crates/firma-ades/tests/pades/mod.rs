//! PAdES tests: every output is judged by pyHanko (`pyhanko sign validate`), poppler's `pdfsig`
//! and `qpdf --check`, not only by our own reader.

mod corpus;
mod fuzz;
pub(crate) mod large;
pub(crate) mod level;
mod ltv;
mod refused;
pub(crate) mod support;
mod tamper;
mod two_phase;
mod visible;
