//! Algorithm parameters shared by HOTP and TOTP: hash function, number of digits, time step.

use thiserror::Error;

/// The hash function under HMAC.
///
/// RFC 4226 section 5.1 defines HOTP over HMAC-SHA-1; RFC 6238 section 1.2: "TOTP implementations
/// MAY use HMAC-SHA-256 or HMAC-SHA-512 functions".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum OtpHash {
    /// HMAC-SHA-1 (RFC 4226, the default of every OATH token).
    #[default]
    Sha1,
    /// HMAC-SHA-256 (RFC 6238 section 1.2).
    Sha256,
    /// HMAC-SHA-512 (RFC 6238 section 1.2).
    Sha512,
}

impl OtpHash {
    /// The canonical name: `SHA1`, `SHA256` or `SHA512` (what [`OtpHash::from_name`] and the CSV
    /// import accept, and what a store can persist).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            OtpHash::Sha1 => "SHA1",
            OtpHash::Sha256 => "SHA256",
            OtpHash::Sha512 => "SHA512",
        }
    }

    /// Parses a hash name as vendors spell it, case-insensitively: `SHA1`, `SHA-1`, `HMAC-SHA1`,
    /// `HMAC-SHA-1` (and the same for 256 and 512). PSKC files put it in
    /// `AlgorithmParameters/Suite` (RFC 6030 section 4.3.4).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        let upper = name.trim().to_ascii_uppercase();
        let bare = upper.strip_prefix("HMAC-").unwrap_or(&upper);
        match bare {
            "SHA1" | "SHA-1" => Some(OtpHash::Sha1),
            "SHA256" | "SHA-256" => Some(OtpHash::Sha256),
            "SHA512" | "SHA-512" => Some(OtpHash::Sha512),
            _ => None,
        }
    }
}

/// Number of decimal digits of a code.
///
/// RFC 4226 section 5.3: "Implementations MUST extract a 6-digit code at a minimum and possibly
/// 7 and 8-digit code." Tokens ship 6 or 8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Digits(u8);

impl Digits {
    /// Six digits, the RFC 4226 default.
    pub const SIX: Digits = Digits(6);
    /// Eight digits (RFC 6238 Appendix B vectors).
    pub const EIGHT: Digits = Digits(8);

    /// Accepts 6, 7 or 8 digits (RFC 4226 section 5.3).
    ///
    /// # Errors
    /// [`ParamError::Digits`] for any other number.
    pub fn new(digits: u32) -> Result<Self, ParamError> {
        match digits {
            6..=8 => Ok(Digits(digits as u8)),
            other => Err(ParamError::Digits(other)),
        }
    }

    /// The number of digits.
    #[must_use]
    pub fn get(self) -> u8 {
        self.0
    }

    /// 10^digits, the modulus of RFC 4226 section 5.3 step 3.
    pub(crate) fn modulus(self) -> u32 {
        10u32.pow(u32::from(self.0))
    }
}

/// The TOTP time step X in seconds (RFC 6238 section 5.2: "We RECOMMEND a default time-step size
/// of 30 seconds"); tokens use 30 or 60. Accepted range 1..=3600.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeStep(u32);

impl TimeStep {
    /// 30 seconds, RFC 6238's recommended default.
    pub const THIRTY: TimeStep = TimeStep(30);
    /// 60 seconds, common on hardware tokens.
    pub const SIXTY: TimeStep = TimeStep(60);

    /// A time step of `seconds` (1..=3600).
    ///
    /// # Errors
    /// [`ParamError::TimeStep`] outside that range.
    pub fn new(seconds: u64) -> Result<Self, ParamError> {
        match seconds {
            1..=3600 => Ok(TimeStep(seconds as u32)),
            other => Err(ParamError::TimeStep(other)),
        }
    }

    /// The step in seconds.
    #[must_use]
    pub fn seconds(self) -> u32 {
        self.0
    }
}

/// Parameters of an HOTP device (RFC 4226).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HotpParams {
    /// Hash under HMAC (SHA-1 for RFC 4226 tokens).
    pub hash: OtpHash,
    /// Code length.
    pub digits: Digits,
}

/// Parameters of a TOTP device (RFC 6238 section 4: `T = (Current Unix time - T0) / X`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TotpParams {
    /// Hash under HMAC.
    pub hash: OtpHash,
    /// Code length.
    pub digits: Digits,
    /// X, the time step.
    pub step: TimeStep,
    /// T0 (RFC 6238 section 4.1): "the Unix time to start counting time steps (default value is 0,
    /// i.e., the Unix epoch)".
    pub t0: i64,
}

impl TotpParams {
    /// Parameters with T0 = 0 (the Unix epoch), as RFC 6238 section 4.1 defaults.
    #[must_use]
    pub fn new(hash: OtpHash, digits: Digits, step: TimeStep) -> Self {
        TotpParams {
            hash,
            digits,
            step,
            t0: 0,
        }
    }
}

/// The parameters of either kind of device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OtpParams {
    /// Counter based, RFC 4226.
    Hotp(HotpParams),
    /// Time based, RFC 6238.
    Totp(TotpParams),
}

/// A parameter outside what RFC 4226 / RFC 6238 (or this crate's safety limits) allow.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParamError {
    /// RFC 4226 section 5.3 allows 6, 7 or 8 digits.
    #[error("{0} digits is not supported: an OTP has 6, 7 or 8 digits (RFC 4226 section 5.3)")]
    Digits(u32),
    /// Time step outside 1..=3600 seconds.
    #[error("a TOTP time step of {0} s is not supported: use 1 to 3600 s (usually 30 or 60)")]
    TimeStep(u64),
    /// A verification window larger than [`crate::MAX_WINDOW`].
    #[error("the {name} window of {value} steps is larger than the limit of {limit}")]
    Window {
        /// Which window (for the message).
        name: &'static str,
        /// The configured value.
        value: u32,
        /// The limit.
        limit: u32,
    },
    /// A lock-out threshold of zero would lock every device at once.
    #[error("the lock-out threshold must be at least 1 consecutive failure")]
    MaxFailures,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_range() {
        assert!(Digits::new(5).is_err());
        assert_eq!(Digits::new(6).map(Digits::get), Ok(6));
        assert_eq!(Digits::new(8).map(Digits::get), Ok(8));
        assert!(Digits::new(9).is_err());
        assert_eq!(Digits::EIGHT.modulus(), 100_000_000);
    }

    #[test]
    fn hash_names() {
        assert_eq!(OtpHash::from_name("hmac-sha256"), Some(OtpHash::Sha256));
        assert_eq!(OtpHash::from_name("SHA-1"), Some(OtpHash::Sha1));
        assert_eq!(OtpHash::from_name("HMAC-SHA-512"), Some(OtpHash::Sha512));
        assert_eq!(OtpHash::from_name("MD5"), None);
        for h in [OtpHash::Sha1, OtpHash::Sha256, OtpHash::Sha512] {
            assert_eq!(OtpHash::from_name(h.name()), Some(h));
        }
    }

    #[test]
    fn time_step_range() {
        assert!(TimeStep::new(0).is_err());
        assert_eq!(TimeStep::new(60), Ok(TimeStep::SIXTY));
        assert!(TimeStep::new(3601).is_err());
    }
}
