//! A code as the officer typed it: validated, compared in constant time, zeroized on drop.

use std::fmt;

use subtle::{Choice, ConstantTimeEq};
use thiserror::Error;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::hotp::code_ascii;
use crate::params::Digits;

/// A submitted code of exactly `digits` ASCII decimal digits.
///
/// The verifier decides what it accepts as input; this type refuses anything
/// that is not `digits` characters `0`-`9` (no spaces, signs or Unicode digits), without panics
/// and without echoing the input in errors or `Debug`.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct OtpCode {
    ascii: [u8; 8],
    #[zeroize(skip)]
    digits: Digits,
}

impl OtpCode {
    /// Validates `input` as a code of `digits` digits.
    ///
    /// # Errors
    /// [`CodeError::Length`] when the length differs, [`CodeError::NotDigits`] when a character is
    /// not an ASCII digit.
    pub fn parse(input: &str, digits: Digits) -> Result<Self, CodeError> {
        let bytes = input.as_bytes();
        let expected = usize::from(digits.get());
        if bytes.len() != expected {
            return Err(CodeError::Length {
                expected: digits.get(),
                actual: input.chars().take(1000).count(),
            });
        }
        if !bytes.iter().all(u8::is_ascii_digit) {
            return Err(CodeError::NotDigits);
        }
        let mut ascii = [0u8; 8];
        ascii[..expected].copy_from_slice(bytes);
        Ok(OtpCode { ascii, digits })
    }

    /// The number of digits.
    #[must_use]
    pub fn digits(&self) -> Digits {
        self.digits
    }

    /// Constant-time comparison with an OTP value (`subtle`), so the time taken does not reveal
    /// how many leading digits were right.
    pub(crate) fn ct_matches(&self, value: u32) -> Choice {
        let mut expected = code_ascii(value, self.digits);
        let n = usize::from(self.digits.get());
        let result = self.ascii[..n].ct_eq(&expected[..n]);
        expected.zeroize();
        result
    }
}

impl fmt::Debug for OtpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OtpCode([REDACTED; {} digits])", self.digits.get())
    }
}

/// Why a submitted code is malformed. The messages never contain the code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CodeError {
    /// Not the device's number of digits.
    #[error("the code must have {expected} digits, it has {actual} characters")]
    Length {
        /// The device's digits.
        expected: u8,
        /// Characters submitted (capped at 1000).
        actual: usize,
    },
    /// Some character is not `0`-`9`.
    #[error("the code must contain only the digits 0-9")]
    NotDigits,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_compare() {
        let code = OtpCode::parse("007081", Digits::SIX).unwrap();
        assert!(bool::from(code.ct_matches(7081)));
        assert!(!bool::from(code.ct_matches(7082)));
        assert!(!bool::from(code.ct_matches(107_081 + 1)));
        // The value is reduced mod 10^digits like HOTP does.
        assert!(bool::from(code.ct_matches(1_007_081)));
    }

    #[test]
    fn malformed_codes() {
        assert_eq!(
            OtpCode::parse("12345", Digits::SIX).err(),
            Some(CodeError::Length {
                expected: 6,
                actual: 5
            })
        );
        assert_eq!(
            OtpCode::parse("1234567", Digits::SIX).err(),
            Some(CodeError::Length {
                expected: 6,
                actual: 7
            })
        );
        assert_eq!(
            OtpCode::parse("12a456", Digits::SIX).err(),
            Some(CodeError::NotDigits)
        );
        assert_eq!(
            OtpCode::parse(" 23456", Digits::SIX).err(),
            Some(CodeError::NotDigits)
        );
        assert_eq!(
            OtpCode::parse("-23456", Digits::SIX).err(),
            Some(CodeError::NotDigits)
        );
        // Arabic-Indic digits are digits to Unicode, not to us; 3 chars of 2 bytes = 6 bytes.
        assert_eq!(
            OtpCode::parse("١٢٣", Digits::SIX).err(),
            Some(CodeError::NotDigits)
        );
        assert!(OtpCode::parse("", Digits::EIGHT).is_err());
        let long = "9".repeat(100_000);
        assert_eq!(
            OtpCode::parse(&long, Digits::EIGHT).err(),
            Some(CodeError::Length {
                expected: 8,
                actual: 1000
            })
        );
    }

    #[test]
    fn debug_is_redacted() {
        let code = OtpCode::parse("94287082", Digits::EIGHT).unwrap();
        assert_eq!(format!("{code:?}"), "OtpCode([REDACTED; 8 digits])");
    }
}
