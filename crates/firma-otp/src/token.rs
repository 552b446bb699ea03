//! A hardware token as the batch importers (PSKC, CSV) produce it.

use crate::params::{Digits, HotpParams, OtpHash, OtpParams, TimeStep, TotpParams};
use crate::seed::Seed;
use crate::verify::OtpDeviceState;

/// Counter- or time-based, with the parameters that differ between the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// RFC 4226 HOTP.
    Hotp {
        /// The token's next counter value (RFC 6030 `Data/Counter`, default 0).
        counter: u64,
    },
    /// RFC 6238 TOTP.
    Totp {
        /// X (RFC 6030 `Data/TimeInterval`, default 30 s).
        step: TimeStep,
        /// T0 in Unix seconds (0: RFC 6238's default; PSKC has no field for it).
        t0: i64,
        /// Known clock drift in steps (RFC 6030 `Data/TimeDrift`, default 0).
        drift: i64,
    },
}

/// One imported token: its serial, algorithm parameters and seed.
///
/// `Debug` is safe to log: the seed is redacted.
#[derive(Debug)]
pub struct ImportedToken {
    /// The serial number printed on the token (RFC 6030 `DeviceInfo/SerialNo`), unique in a batch.
    pub serial: String,
    /// The manufacturer (RFC 6030 `DeviceInfo/Manufacturer`), when the file says.
    pub manufacturer: Option<String>,
    /// HOTP or TOTP, with counter or time parameters.
    pub kind: TokenKind,
    /// Code length.
    pub digits: Digits,
    /// Hash under HMAC.
    pub hash: OtpHash,
    /// The shared secret; encrypt it under the HSM key before storing.
    pub seed: Seed,
}

impl ImportedToken {
    /// The parameters the verification functions take.
    #[must_use]
    pub fn params(&self) -> OtpParams {
        match self.kind {
            TokenKind::Hotp { .. } => OtpParams::Hotp(HotpParams {
                hash: self.hash,
                digits: self.digits,
            }),
            TokenKind::Totp { step, t0, .. } => OtpParams::Totp(TotpParams {
                hash: self.hash,
                digits: self.digits,
                step,
                t0,
            }),
        }
    }

    /// The verification state to store with the token.
    #[must_use]
    pub fn initial_state(&self) -> OtpDeviceState {
        match self.kind {
            TokenKind::Hotp { counter } => OtpDeviceState::hotp(counter),
            TokenKind::Totp { drift, .. } => OtpDeviceState::totp(drift),
        }
    }
}

/// Checks a serial number for storage and display: 1 to 64 printable ASCII characters, no
/// spaces at either end (serials end up in logs, receipts and CLI output).
pub(crate) fn serial_problem(serial: &str) -> Option<&'static str> {
    if serial.is_empty() {
        return Some("it is empty");
    }
    if serial.len() > 64 {
        return Some("it is longer than 64 characters");
    }
    if !serial.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
        return Some("it contains characters other than printable ASCII");
    }
    if serial.trim() != serial {
        return Some("it starts or ends with a space");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_rules() {
        assert_eq!(serial_problem("987654321"), None);
        assert_eq!(serial_problem("306EUO4-00960"), None);
        assert!(serial_problem("").is_some());
        assert!(serial_problem(" 1").is_some());
        assert!(serial_problem("a\nb").is_some());
        assert!(serial_problem("é").is_some());
        assert!(serial_problem(&"1".repeat(65)).is_some());
    }

    #[test]
    fn params_and_state() {
        let t = ImportedToken {
            serial: "1".into(),
            manufacturer: None,
            kind: TokenKind::Totp {
                step: TimeStep::SIXTY,
                t0: 0,
                drift: -2,
            },
            digits: Digits::SIX,
            hash: OtpHash::Sha256,
            seed: Seed::from_slice(&[1; 20]),
        };
        assert_eq!(
            t.params(),
            OtpParams::Totp(TotpParams::new(
                OtpHash::Sha256,
                Digits::SIX,
                TimeStep::SIXTY
            ))
        );
        assert_eq!(t.initial_state(), OtpDeviceState::totp(-2));
        assert!(!format!("{t:?}").contains("1, 1, 1"));
    }
}
