//! CMS, CAdES and RFC 3161 tests. Signatures are checked with OpenSSL (`openssl cms -verify`,
//! `openssl ts -verify`), not only with our own code.

mod attached;
mod cosign;
mod detached;
mod fuzz;
mod malformed;
mod pyhanko;
pub(crate) mod support;
pub(crate) mod timestamp;
mod tsp;
