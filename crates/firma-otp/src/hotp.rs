//! RFC 4226 HOTP: `HOTP(K, C) = Truncate(HMAC-SHA-1(K, C))`, generalised to HMAC-SHA-256/512 as
//! RFC 6238 section 1.2 allows.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Sha256, Sha512};
use zeroize::Zeroize;

use crate::params::{Digits, HotpParams, OtpHash};

/// The HOTP value for `counter` (RFC 4226 section 5.3), as a number below 10^digits.
///
/// RFC 4226 section 5.2: "The Key (K), the Counter (C), and Data values are hashed high-order byte
/// first", so the 8-byte counter is big-endian. Format it with [`format_code`] to keep the leading
/// zeros.
#[must_use]
pub fn hotp(secret: &[u8], counter: u64, params: HotpParams) -> u32 {
    OtpKey::new(params.hash, secret).value(counter, params.digits)
}

/// Formats an OTP value with leading zeros to exactly `digits` characters.
#[must_use]
pub fn format_code(value: u32, digits: Digits) -> String {
    let ascii = code_ascii(value, digits);
    ascii[..usize::from(digits.get())]
        .iter()
        .map(|b| char::from(*b))
        .collect()
}

/// The code as ASCII digits, left-padded with '0'; only the first `digits` bytes are meaningful.
pub(crate) fn code_ascii(value: u32, digits: Digits) -> [u8; 8] {
    let mut out = [b'0'; 8];
    let n = usize::from(digits.get());
    let mut v = value % digits.modulus();
    for slot in out[..n].iter_mut().rev() {
        // `v % 10` is below 10, so the cast cannot truncate.
        *slot = b'0' + (v % 10) as u8;
        v /= 10;
    }
    out
}

/// RFC 4226 section 5.3, "Step 2: Generate a 4-byte string (Dynamic Truncation)" and "Step 3:
/// Compute an HOTP value": `Snum mod 10^Digit`.
///
/// The offset is "the low-order 4 bits of String[19]", generalised (as the RFC 6238 reference
/// code does) to the last byte of the longer SHA-256/512 outputs.
pub(crate) fn truncate(hs: &[u8], digits: Digits) -> u32 {
    // `hs` is an HMAC output of 20, 32 or 64 bytes: offset <= 15, so offset + 3 <= 18 is in range.
    let offset = usize::from(hs[hs.len() - 1] & 0x0f);
    let bin_code = (u32::from(hs[offset]) & 0x7f) << 24
        | u32::from(hs[offset + 1]) << 16
        | u32::from(hs[offset + 2]) << 8
        | u32::from(hs[offset + 3]);
    bin_code % digits.modulus()
}

/// An HMAC keyed with the seed, prepared once and cloned for every counter value a verification
/// window tries (the key schedule is not recomputed per candidate). Zeroized on drop through the
/// `zeroize` feature of `hmac`.
#[derive(Clone)]
pub(crate) enum OtpKey {
    Sha1(Hmac<Sha1>),
    Sha256(Hmac<Sha256>),
    Sha512(Hmac<Sha512>),
}

/// HMAC accepts keys of any length (RFC 2104 section 2), so `new_from_slice` cannot fail.
macro_rules! keyed {
    ($variant:ident, $secret:expr) => {
        match Hmac::new_from_slice($secret) {
            Ok(mac) => OtpKey::$variant(mac),
            Err(_) => unreachable!("HMAC takes keys of any length"),
        }
    };
}

impl OtpKey {
    pub(crate) fn new(hash: OtpHash, secret: &[u8]) -> Self {
        match hash {
            OtpHash::Sha1 => keyed!(Sha1, secret),
            OtpHash::Sha256 => keyed!(Sha256, secret),
            OtpHash::Sha512 => keyed!(Sha512, secret),
        }
    }

    /// HOTP(K, counter) truncated to `digits`.
    pub(crate) fn value(&self, counter: u64, digits: Digits) -> u32 {
        let message = counter.to_be_bytes();
        match self {
            OtpKey::Sha1(mac) => finish(mac.clone(), &message, digits),
            OtpKey::Sha256(mac) => finish(mac.clone(), &message, digits),
            OtpKey::Sha512(mac) => finish(mac.clone(), &message, digits),
        }
    }
}

fn finish<M: Mac>(mut mac: M, message: &[u8], digits: Digits) -> u32 {
    mac.update(message);
    let mut hs = mac.finalize().into_bytes();
    let value = truncate(&hs, digits);
    hs.as_mut_slice().zeroize();
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4226 section 5.4: HMAC-SHA-1 value
    /// `1f 86 98 69 0e 02 ca 16 61 85 50 ef 7f 19 da 8e 94 5b 55 5a` gives offset 0xa, DBC
    /// 0x50ef7f19 = 1357872921, and the 6-digit HOTP 872921.
    #[test]
    fn rfc4226_section_5_4_truncation_example() {
        let hs = [
            0x1f, 0x86, 0x98, 0x69, 0x0e, 0x02, 0xca, 0x16, 0x61, 0x85, 0x50, 0xef, 0x7f, 0x19,
            0xda, 0x8e, 0x94, 0x5b, 0x55, 0x5a,
        ];
        assert_eq!(truncate(&hs, Digits::SIX), 872_921);
        assert_eq!(truncate(&hs, Digits::EIGHT), 57_872_921);
    }

    #[test]
    fn formatting_keeps_leading_zeros() {
        assert_eq!(format_code(7_081_804, Digits::EIGHT), "07081804");
        assert_eq!(format_code(42, Digits::SIX), "000042");
        assert_eq!(format_code(1_234_567, Digits::new(7).unwrap()), "1234567");
        assert_eq!(&code_ascii(5, Digits::SIX)[..6], b"000005");
    }
}
