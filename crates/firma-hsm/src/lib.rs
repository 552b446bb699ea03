//! PKCS#11 adapter for firma-remota, over `cryptoki`.
//!
//! - One `Pkcs11` context per module and process ([`context`]), tolerant of a module that is
//!   already initialised.
//! - Log in once, then a pool of read/write sessions, each lent to one thread at a time; sessions
//!   the module closes are replaced ([`pool`]).
//! - Officer keys are generated in the token and leave it only wrapped under a token-resident
//!   AES key-encryption key (`CKM_AES_KEY_WRAP_PAD`, RFC 5649); the blob is stored with the
//!   credential and unwrapped into a session object for an authorised batch, destroyed afterwards.
//!   Service keys are persistent, non-extractable token objects.
//! - Every call blocks: async callers use [`Hsm::blocking`].

mod cipher;
mod config;
mod context;
mod error;
mod hsm;
mod mechanism;
mod pool;
mod public_key;
mod templates;

pub use cipher::{MAC_KEY_LABEL, SEAL_KEY_LABEL};
pub use config::HsmConfig;
pub use error::HsmError;
pub use hsm::{Hsm, HsmHealth, TokenSummary};
