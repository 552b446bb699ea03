//! One-time passwords for firma-remota, pure: no I/O, no clock, no database.
//!
//! - [`hotp()`]: RFC 4226 HOTP over HMAC-SHA-1/256/512, 6-8 digits.
//! - [`totp()`]: RFC 6238 TOTP; the Unix time is a parameter.
//! - [`verify`]: the verification rules the database-backed verifier applies: TOTP drift window
//!   and replay refusal, HOTP look-ahead, resynchronisation with two consecutive codes, lock-out
//!   decision. Each takes the device's [`OtpDeviceState`] and returns the state to persist.
//! - [`pskc`]: RFC 6030 PSKC import (plain or pre-shared-key encrypted, MAC checked), and
//!   [`csv`] for simple batches; both produce [`ImportedToken`]s with a zeroizing [`Seed`].

pub mod csv;
pub mod pskc;
pub mod verify;

mod code;
mod hotp;
mod params;
mod seed;
mod token;
mod totp;

pub use code::{CodeError, OtpCode};
pub use csv::{CSV_HEADER, CsvError, CsvProblem, DEFAULT_MAX_CSV_BYTES, import_csv};
pub use hotp::{format_code, hotp};
pub use params::{Digits, HotpParams, OtpHash, OtpParams, ParamError, TimeStep, TotpParams};
pub use pskc::{PskcError, PskcOptions, import_pskc, parse_pskc};
pub use seed::Seed;
pub use token::{ImportedToken, TokenKind};
pub use totp::{totp, totp_at_step};
pub use verify::{
    MAX_WINDOW, OtpDeviceState, Outcome, RejectReason, Verification, VerifyPolicy, resync_hotp,
    resync_totp, verify_hotp, verify_totp,
};
