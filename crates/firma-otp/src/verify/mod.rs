//! Verification rules as pure functions: the database-backed `OtpVerifier` reads a device's
//! [`OtpDeviceState`], calls one of these with the current time, and persists the returned state
//! atomically (compare-and-swap on the state it read).

mod hotp;
mod outcome;
mod policy;
mod resync;
mod state;
mod totp;

pub use hotp::verify_hotp;
pub use outcome::{Outcome, RejectReason, Verification};
pub use policy::{MAX_WINDOW, VerifyPolicy};
pub use resync::{resync_hotp, resync_totp};
pub use state::OtpDeviceState;
pub use totp::verify_totp;
