//! RFC 6030 Portable Symmetric Key Container import: the token vendor's seed file.
//!
//! Supported: `KeyContainer` version 1.0 (section 4) with `KeyPackage`s of `DeviceInfo`
//! (`Manufacturer`, `SerialNo`) and one `Key` whose `Algorithm` is HOTP or TOTP, with
//! `AlgorithmParameters` (`Suite` naming the hash, `ResponseFormat` `Length`/`Encoding`) and `Data`
//! (`Secret`, `Counter`, `Time`, `TimeInterval`, `TimeDrift`); values as `PlainValue` or as
//! `EncryptedValue` under a pre-shared AES-128/192/256-CBC key with the IV prepended (section
//! 6.1), each checked against its `ValueMAC` (HMAC-SHA1 or HMAC-SHA2) with the `MACKey` that is
//! itself encrypted under the pre-shared key (section 6.1.1), before decryption.
//!
//! Not supported, refused with a clear error: passphrase-derived keys (section 6.2), asymmetric
//! encryption (section 6.3), a `MACMethod` without `MACKey`. The digital signature (section 7) is
//! not checked.
//!
//! Input is bounded: size and element count are limited, a DOCTYPE is refused and no entity
//! other than the predefined five is expanded (`quick-xml` never loads external entities).

mod container;
mod crypto;
mod error;
mod import;
mod values;
mod xml;

use std::fmt;

pub use container::{PskcContainer, PskcKeyPackage, ResponseFormat};
pub use error::{KeyLocation, PskcError};
pub use import::{HOTP_ALGORITHM, TOTP_ALGORITHM};

use crate::token::ImportedToken;

/// Limits and the pre-shared key for one import.
#[derive(Clone, Copy)]
pub struct PskcOptions<'a> {
    /// The pre-shared transport key (RFC 6030 section 6.1), when the file is encrypted: 16, 24 or
    /// 32 bytes for AES-128/192/256. The caller keeps it zeroizing.
    pub pre_shared_key: Option<&'a [u8]>,
    /// Largest file accepted, in bytes.
    pub max_bytes: usize,
    /// Most XML elements accepted (an encrypted TOTP key package has about 25).
    pub max_elements: usize,
}

impl PskcOptions<'_> {
    /// 16 MiB: about 10 000 encrypted key packages.
    pub const DEFAULT_MAX_BYTES: usize = 16 * 1024 * 1024;
    /// Enough for 20 000 encrypted key packages.
    pub const DEFAULT_MAX_ELEMENTS: usize = 500_000;
}

impl Default for PskcOptions<'_> {
    fn default() -> Self {
        PskcOptions {
            pre_shared_key: None,
            max_bytes: Self::DEFAULT_MAX_BYTES,
            max_elements: Self::DEFAULT_MAX_ELEMENTS,
        }
    }
}

impl fmt::Debug for PskcOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PskcOptions")
            .field(
                "pre_shared_key",
                &self
                    .pre_shared_key
                    .map(|k| format!("[REDACTED; {} bytes]", k.len())),
            )
            .field("max_bytes", &self.max_bytes)
            .field("max_elements", &self.max_elements)
            .finish()
    }
}

/// Parses a PSKC file into its key packages, decrypting and MAC-checking every encrypted value,
/// without judging whether the keys are usable tokens (see [`import_pskc`] for that).
///
/// # Errors
/// Any [`PskcError`] about size, XML, structure, encryption or MAC.
pub fn parse_pskc(input: &[u8], options: &PskcOptions<'_>) -> Result<PskcContainer, PskcError> {
    if input.len() > options.max_bytes {
        return Err(PskcError::TooLarge {
            size: input.len(),
            limit: options.max_bytes,
        });
    }
    let text = std::str::from_utf8(input).map_err(|_| PskcError::NotUtf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let root = xml::parse(text, options.max_elements)?;
    container::read_container(&root, options.pre_shared_key)
}

/// Imports a vendor's PSKC file as tokens: every key package must be an HOTP or TOTP key with a
/// serial number unique in the file, a DECIMAL response of 6-8 digits and a secret of 16-128
/// bytes. All or nothing: the first problem refuses the whole file.
///
/// # Errors
/// Any [`PskcError`]; each names the key package, key Id and serial it concerns.
pub fn import_pskc(
    input: &[u8],
    options: &PskcOptions<'_>,
) -> Result<Vec<ImportedToken>, PskcError> {
    import::tokens(parse_pskc(input, options)?)
}
