//! The shared secret of an OTP device ("K" in RFC 4226 section 5.1).

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// An OTP seed. Zeroized on drop, redacted in `Debug`, never `Display`ed; the bytes are reachable
/// only through [`Seed::expose_secret_bytes`], so every use is greppable.
///
/// RFC 4226 section 4, requirement R6: "The algorithm MUST use a strong shared secret. The length
/// of the shared secret MUST be at least 128 bits." The importers enforce
/// [`Seed::MIN_LEN`]..=[`Seed::MAX_LEN`]; this type itself accepts any length so that the RFC test
/// vectors and short keys of foreign files can still be represented.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct Seed(Box<[u8]>);

impl Seed {
    /// 128 bits, the minimum of RFC 4226 section 4 (R6).
    pub const MIN_LEN: usize = 16;
    /// 128 bytes, one HMAC-SHA-512 block; longer keys would only be hashed down by HMAC.
    pub const MAX_LEN: usize = 128;

    /// Takes ownership of `bytes`. No copy is left behind: the buffer becomes the seed's storage
    /// when it is exactly full, otherwise the bytes are copied and the whole old buffer (spare
    /// capacity included) is zeroized.
    #[must_use]
    pub fn new(mut bytes: Vec<u8>) -> Self {
        if bytes.capacity() == bytes.len() {
            return Seed(bytes.into_boxed_slice());
        }
        let seed = Seed(Box::from(bytes.as_slice()));
        bytes.zeroize();
        seed
    }

    /// Copies `bytes` into a new seed; the caller remains responsible for its own copy.
    #[must_use]
    pub fn from_slice(bytes: &[u8]) -> Self {
        Seed(bytes.to_vec().into_boxed_slice())
    }

    /// The secret bytes. Named so that every place that touches a seed in clear is visible in a
    /// review: compute OTPs, or encrypt under the HSM key; never log or serialise the result.
    #[must_use]
    pub fn expose_secret_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Length in bytes (not secret).
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True for an empty seed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Constant-time equality (used by tests and by re-import checks; seeds have no `PartialEq`).
    #[must_use]
    pub fn ct_eq(&self, other: &Seed) -> bool {
        self.0.ct_eq(&other.0).into()
    }

    /// Whether the length is within [`Seed::MIN_LEN`]..=[`Seed::MAX_LEN`].
    #[must_use]
    pub fn has_valid_length(&self) -> bool {
        (Self::MIN_LEN..=Self::MAX_LEN).contains(&self.0.len())
    }
}

impl fmt::Debug for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Seed([REDACTED; {} bytes])", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let seed = Seed::from_slice(b"12345678901234567890");
        let shown = format!("{seed:?}");
        assert_eq!(shown, "Seed([REDACTED; 20 bytes])");
        assert!(!shown.contains("1234"));
    }

    #[test]
    fn equality_and_length() {
        let a = Seed::new(b"12345678901234567890".to_vec());
        let b = Seed::from_slice(b"12345678901234567890");
        let c = Seed::from_slice(b"12345678901234567891");
        assert!(a.ct_eq(&b));
        assert!(!a.ct_eq(&c));
        assert!(!a.ct_eq(&Seed::from_slice(b"1234")));
        assert!(a.has_valid_length());
        assert!(!Seed::from_slice(b"1234").has_valid_length());
        assert!(!Seed::from_slice(&[0; 129]).has_valid_length());
    }
}
