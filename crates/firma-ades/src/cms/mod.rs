//! Cryptographic Message Syntax (RFC 5652) signatures made through the key port
//! ([`firma_core::ActiveKey`]): the hash is computed here, the key signs a digest.
//!
//! - [`sign_detached_digest`]: SignedData without content over a digest (PAdES, `.p7s`).
//! - [`estimated_max_len`]: how much room such a signature needs.
//! - [`SignerChain`], [`CmsOptions`]: the signer's certificates and the choices per signature.

mod algorithm;
mod attributes;
mod chain;
pub(crate) mod der_write;
mod detached;
mod digest;
mod error;
pub(crate) mod ess;
pub mod oid;
mod options;
pub(crate) mod signed_data;
pub(crate) mod signer;
pub(crate) mod verify;

pub use chain::{KeyKind, SignerChain};
pub use detached::{TIMESTAMP_ALLOWANCE, estimated_max_len, sign_detached_digest};
pub use digest::{Hasher, digest, digest_reader};
pub use error::CmsError;
pub use options::CmsOptions;

pub(crate) use algorithm::{digest_algorithm_id, hash_from_oid};
