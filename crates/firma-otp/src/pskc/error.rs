//! Errors of the PSKC import, each naming the key package, key Id and serial it concerns.

use std::fmt;

use thiserror::Error;

/// Which key package an error is about: its position in the file, key `Id` and serial number,
/// as far as they are known.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyLocation {
    /// 1-based position of the `KeyPackage` in the file.
    pub package: usize,
    /// The `Key/@Id` attribute.
    pub key_id: Option<String>,
    /// `DeviceInfo/SerialNo`.
    pub serial: Option<String>,
}

impl fmt::Display for KeyLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "key package #{}", self.package)?;
        match (&self.key_id, &self.serial) {
            (Some(id), Some(serial)) => write!(f, " (key Id {id:?}, serial {serial:?})"),
            (Some(id), None) => write!(f, " (key Id {id:?}, no serial)"),
            (None, Some(serial)) => write!(f, " (serial {serial:?})"),
            (None, None) => Ok(()),
        }
    }
}

/// Why a PSKC file was refused. The whole file is refused on the first error: a batch is
/// imported completely or not at all.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PskcError {
    /// Larger than [`crate::pskc::PskcOptions::max_bytes`].
    #[error("the PSKC file is {size} bytes, larger than the limit of {limit} bytes")]
    TooLarge {
        /// Input size.
        size: usize,
        /// Configured limit.
        limit: usize,
    },
    /// More elements than [`crate::pskc::PskcOptions::max_elements`].
    #[error("the PSKC file has more than {limit} XML elements")]
    TooManyElements {
        /// Configured limit.
        limit: usize,
    },
    /// Nested deeper than the parser allows.
    #[error("the PSKC file nests XML elements deeper than {limit} levels")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// Not UTF-8 (RFC 6030 files are UTF-8 XML).
    #[error("the PSKC file is not UTF-8 text")]
    NotUtf8,
    /// Not well-formed XML.
    #[error("the PSKC file is not well-formed XML (near byte {position}): {message}")]
    Xml {
        /// Byte offset where the parser stopped.
        position: u64,
        /// The parser's message.
        message: String,
    },
    /// A document type declaration: refused, so no entity can ever be declared or expanded.
    #[error("the PSKC file has a DOCTYPE declaration; DTDs and entity declarations are refused")]
    Doctype,
    /// A reference to an entity other than the five predefined XML entities.
    #[error("the PSKC file refers to the undeclared entity &{name};")]
    UnknownEntity {
        /// The entity name.
        name: String,
    },
    /// The root element is not `KeyContainer`.
    #[error("the root element is <{found}>, not a PSKC <KeyContainer> (RFC 6030 section 4)")]
    NotKeyContainer {
        /// The root element's local name.
        found: String,
    },
    /// `KeyContainer/@Version` other than 1.0.
    #[error("PSKC version {version:?} is not supported (RFC 6030 defines version \"1.0\")")]
    UnsupportedVersion {
        /// The version found.
        version: String,
    },
    /// No `KeyPackage` at all.
    #[error("the PSKC file contains no KeyPackage")]
    NoKeys,
    /// A required element is missing.
    #[error("{location}: missing <{element}>")]
    MissingElement {
        /// Where.
        location: KeyLocation,
        /// The missing element.
        element: &'static str,
    },
    /// An element or attribute has a value that cannot be used.
    #[error("{location}: invalid <{element}>: {reason}")]
    InvalidValue {
        /// Where.
        location: KeyLocation,
        /// The element or attribute.
        element: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// `Key/@Algorithm` is neither HOTP nor TOTP.
    #[error(
        "{location}: algorithm {algorithm:?} is not supported (only \
         urn:ietf:params:xml:ns:keyprov:pskc:hotp and ...:totp)"
    )]
    UnsupportedAlgorithm {
        /// Where.
        location: KeyLocation,
        /// The algorithm URI.
        algorithm: String,
    },
    /// `AlgorithmParameters/Suite` names a hash other than SHA-1/256/512.
    #[error("{location}: algorithm suite {suite:?} is not supported (SHA1, SHA256 or SHA512)")]
    UnsupportedSuite {
        /// Where.
        location: KeyLocation,
        /// The suite.
        suite: String,
    },
    /// `ResponseFormat` other than DECIMAL with 6 to 8 digits.
    #[error(
        "{location}: response format {encoding} with length {length} is not supported \
         (DECIMAL, 6 to 8 digits)"
    )]
    UnsupportedResponseFormat {
        /// Where.
        location: KeyLocation,
        /// `@Encoding`.
        encoding: String,
        /// `@Length`.
        length: String,
    },
    /// The secret is shorter than 128 bits or longer than 128 bytes.
    #[error(
        "{location}: the secret is {len} bytes; RFC 4226 section 4 (R6) requires at least 16 \
         bytes (128 bits), and at most 128 are accepted"
    )]
    SecretLength {
        /// Where.
        location: KeyLocation,
        /// Its length.
        len: usize,
    },
    /// A key package without `DeviceInfo/SerialNo`.
    #[error("{location}: no DeviceInfo/SerialNo; every token needs a serial number")]
    MissingSerial {
        /// Where.
        location: KeyLocation,
    },
    /// A serial that cannot be stored or shown safely.
    #[error("{location}: the serial number is unusable: {reason}")]
    InvalidSerial {
        /// Where.
        location: KeyLocation,
        /// Why.
        reason: &'static str,
    },
    /// Two key packages with the same serial.
    #[error("serial {serial:?} appears twice: key package #{first} and key package #{second}")]
    DuplicateSerial {
        /// The serial.
        serial: String,
        /// Position of the first.
        first: usize,
        /// Position of the second.
        second: usize,
    },
    /// The keys are protected in a way this importer does not implement.
    #[error(
        "{what} is not supported; ask the vendor for a file encrypted with a pre-shared AES key"
    )]
    UnsupportedKeyProtection {
        /// Which protection.
        what: &'static str,
    },
    /// An `EncryptionMethod` other than AES-CBC.
    #[error(
        "{location}: encryption algorithm {algorithm:?} is not supported (AES-128/192/256-CBC)"
    )]
    UnsupportedEncryption {
        /// Where.
        location: KeyLocation,
        /// The algorithm URI.
        algorithm: String,
    },
    /// Encrypted values but no pre-shared key given.
    #[error("the PSKC file is encrypted with the pre-shared key {key_name:?}; supply that key")]
    PreSharedKeyRequired {
        /// `EncryptionKey/KeyName`, when the file names it.
        key_name: Option<String>,
    },
    /// The pre-shared key has the wrong length for the file's algorithm.
    #[error("the pre-shared key is {actual} bytes; the file's {algorithm} needs {expected}")]
    PreSharedKeyLength {
        /// The algorithm.
        algorithm: &'static str,
        /// Its key length.
        expected: usize,
        /// The length given.
        actual: usize,
    },
    /// The MAC key does not decrypt under the pre-shared key.
    #[error(
        "the MAC key does not decrypt with the given pre-shared key (bad padding): the \
         pre-shared key is wrong, or the file was altered"
    )]
    WrongPreSharedKey,
    /// Encrypted values without `MACMethod`/`MACKey`, or an `EncryptedValue` without `ValueMAC`.
    #[error(
        "{location}: the encrypted {element} has no MAC to check it with (RFC 6030 section 6.1.1)"
    )]
    MissingMac {
        /// Where.
        location: KeyLocation,
        /// Which value.
        element: &'static str,
    },
    /// `MACMethod/@Algorithm` other than HMAC-SHA1/224/256/384/512.
    #[error("MAC algorithm {algorithm:?} is not supported (HMAC-SHA1 or HMAC-SHA2)")]
    UnsupportedMac {
        /// The algorithm URI.
        algorithm: String,
    },
    /// A `ValueMAC` does not verify.
    #[error(
        "{location}: the ValueMAC of {element} does not verify: the file was altered or the \
         pre-shared key is wrong"
    )]
    MacMismatch {
        /// Where.
        location: KeyLocation,
        /// Which value.
        element: &'static str,
    },
    /// A MAC-verified value still does not decrypt.
    #[error("{location}: the {element} does not decrypt (bad padding or length)")]
    Decryption {
        /// Where.
        location: KeyLocation,
        /// Which value.
        element: &'static str,
    },
}
