//! The Cloud Signature Consortium API (CSC API v2.0, and the v1.0.4 parameter names that
//! existing clients such as pyHanko's `CSCSigner` send), over the same sole-control mechanism as
//! the ANSC API: the officer's OTP yields Signature Activation Data bound to the credential, the
//! exact hashes and their count (SCAL 2), spent one signature at a time with its audit record.
//!
//! | method | file |
//! |---|---|
//! | `info` | `info.rs` |
//! | `credentials/list`, `credentials/info` | `credentials.rs` |
//! | `credentials/sendOTP`, `credentials/authorize` | `authorize.rs` |
//! | `signatures/signHash` | `sign_hash.rs` |
//! | `signatures/signDoc` (v2) | `sign_doc.rs` |
//!
//! Who may do what is in `access.rs`; errors take the CSC form (`error.rs`).

mod access;
mod algorithms;
mod authorize;
mod credentials;
mod encoding;
mod error;
mod info;
mod key;
mod sad;
mod sign_doc;
mod sign_hash;

pub use authorize::{AuthObject, AuthorizeInput, SendOtpInput, authorize, send_otp};
pub use credentials::{InfoInput, ListInput, info as credential_info, list as credentials_list};
pub use error::CscError;
pub use info::{info, methods};
pub use sign_doc::{SignDocInput, sign_doc};
pub use sign_hash::{SignHashInput, sign_hash};

use crate::state::AppState;

/// The API version of the path (`/csc/v1/...` or `/csc/v2/...`); it decides the shape of a few
/// answers (`info`, the authorisation objects of `credentials/info`). Both versions accept both
/// versions' parameter names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V1,
    V2,
}

/// `multisign`: the most signatures one authorisation allows (the largest ANSC batch too).
pub fn multisign(state: &AppState) -> usize {
    state.signing.settings().max_documents
}
