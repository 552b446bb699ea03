//! What is stored about OTP devices, and what a verification answers.

use std::fmt;

use firma_otp::{OtpDeviceState, OtpParams};
use time::OffsetDateTime;

use crate::phone::PhoneNumber;

/// The device an officer authorises with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OtpDevice {
    /// A hardware token, by serial number.
    Token { serial: String },
    /// Codes sent by SMS to the officer's phone; `owner` is the officer.
    Sms { owner: String },
}

impl OtpDevice {
    /// The inverse of [`OtpDevice::subject`].
    pub fn from_subject(subject: &str) -> Option<Self> {
        if let Some(serial) = subject.strip_prefix("token:") {
            Some(Self::Token {
                serial: serial.to_owned(),
            })
        } else {
            subject.strip_prefix("sms:").map(|owner| Self::Sms {
                owner: owner.to_owned(),
            })
        }
    }

    /// How the device appears in audit records.
    pub fn subject(&self) -> String {
        match self {
            Self::Token { serial } => format!("token:{serial}"),
            Self::Sms { owner } => format!("sms:{owner}"),
        }
    }
}

/// Where a hardware token is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStatus {
    /// Imported from the vendor's file, not yet handed out.
    InStock,
    /// Delivered by the Prefettura to a comune, not yet bound to an officer.
    Delivered,
    /// Bound to its officer: usable to authorise.
    Assigned,
    /// Out of use (lost, broken).
    Retired,
}

impl TokenStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::InStock => "in_stock",
            Self::Delivered => "delivered",
            Self::Assigned => "assigned",
            Self::Retired => "retired",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [
            Self::InStock,
            Self::Delivered,
            Self::Assigned,
            Self::Retired,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// A token about to be stored by an import: its seed already sealed by the HSM.
#[derive(Clone)]
pub struct NewToken {
    pub serial: String,
    pub manufacturer: Option<String>,
    pub params: OtpParams,
    pub sealed_seed: Vec<u8>,
    pub state: OtpDeviceState,
}

impl fmt::Debug for NewToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewToken")
            .field("serial", &self.serial)
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

/// A hardware token as stored.
#[derive(Clone)]
pub struct StoredToken {
    pub serial: String,
    pub manufacturer: Option<String>,
    pub params: OtpParams,
    pub sealed_seed: Vec<u8>,
    /// Counter, last step, drift and consecutive failures (locked when the failures reach the
    /// policy's threshold).
    pub state: OtpDeviceState,
    pub status: TokenStatus,
    /// The officer it is bound to.
    pub owner: Option<String>,
    /// Incremented by every update: the compare-and-swap guard.
    pub version: i64,
}

impl fmt::Debug for StoredToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredToken")
            .field("serial", &self.serial)
            .field("params", &self.params)
            .field("state", &self.state)
            .field("status", &self.status)
            .field("owner", &self.owner)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// An officer's SMS device: where codes go, and its failure count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsDevice {
    pub owner: String,
    pub phone: PhoneNumber,
    /// Consecutive failed codes (locked when they reach the policy's threshold).
    pub failures: u32,
    pub version: i64,
}

/// A code sent by SMS for one purpose (one signing request), stored as a keyed hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsChallenge {
    pub id: String,
    pub owner: String,
    /// What the code authorises (a signing request id).
    pub purpose: String,
    pub code_hash: [u8; 32],
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub consumed: bool,
    /// How many times a code was sent for this purpose (resends included).
    pub sends: u32,
    pub last_sent_at: OffsetDateTime,
}

/// Why a code was refused. The codes are stable (API error details, audit records).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectCause {
    /// Not a code of the right length made of digits.
    Malformed,
    /// Wrong code.
    Mismatch,
    /// A code (time step, counter value) that was already used.
    Replay,
    /// The SMS code has expired.
    Expired,
    /// No code was sent for this purpose (or it was already used).
    NoChallenge,
    /// The device is not usable (unknown, not assigned, retired).
    UnknownDevice,
}

impl RejectCause {
    pub fn code(self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::Mismatch => "mismatch",
            Self::Replay => "replay",
            Self::Expired => "expired",
            Self::NoChallenge => "no_challenge",
            Self::UnknownDevice => "unknown_device",
        }
    }
}

/// What a verification answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtpOutcome {
    Accepted,
    Rejected {
        cause: RejectCause,
        /// Failures left before the device locks.
        attempts_left: u32,
    },
    /// Locked after too many failures (possibly by this one); an authorised unlock is needed.
    Locked,
}
