//! Reading `Data` values (RFC 6030 sections 4.1 and 4.2, protected as section 6.1 describes):
//! `PlainValue`, or `EncryptedValue` checked against its `ValueMAC` and then decrypted with the
//! pre-shared key.

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use zeroize::Zeroizing;

use crate::pskc::crypto::{CipherAlgorithm, DecryptError, MacAlgorithm, decrypt, mac_verifies};
use crate::pskc::error::{KeyLocation, PskcError};
use crate::pskc::xml::{Element, is_xml_space};

/// Standard base64, padding optional (vendors differ), whitespace removed first (the RFC's
/// examples wrap values over lines).
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// How the container protects its values: `EncryptionKey` (RFC 6030 section 6) and `MACMethod`
/// (section 6.1.1). The MAC key is decrypted once, on first use.
pub(crate) struct Protection<'a> {
    psk: Option<&'a [u8]>,
    key_name: Option<String>,
    key_kind: KeyKind,
    mac_method: Option<&'a Element>,
    mac_key: Option<MacKey>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    /// No `EncryptionKey` element.
    Unspecified,
    /// `ds:KeyName`: a pre-shared key (section 6.1).
    PreShared,
    /// `DerivedKey`: passphrase-based (section 6.2).
    Derived,
    /// `ds:X509Data` and friends: asymmetric (section 6.3).
    Asymmetric,
}

struct MacKey {
    algorithm: MacAlgorithm,
    key: Zeroizing<Vec<u8>>,
}

impl<'a> Protection<'a> {
    pub(crate) fn new(container: &'a Element, psk: Option<&'a [u8]>) -> Self {
        let encryption_key = container.child("EncryptionKey");
        let key_name = encryption_key
            .and_then(|k| k.child("KeyName"))
            .map(|n| n.trimmed_text().to_owned());
        let key_kind = match encryption_key {
            None => KeyKind::Unspecified,
            Some(k) if k.child("DerivedKey").is_some() => KeyKind::Derived,
            Some(k) if k.child("KeyName").is_some() => KeyKind::PreShared,
            Some(_) => KeyKind::Asymmetric,
        };
        Protection {
            psk,
            key_name,
            key_kind,
            mac_method: container.child("MACMethod"),
            mac_key: None,
        }
    }

    pub(crate) fn key_name(&self) -> Option<&str> {
        self.key_name.as_deref()
    }

    /// The pre-shared key, checked against the algorithm's key length.
    fn cipher_key(&self, algorithm: CipherAlgorithm) -> Result<&'a [u8], PskcError> {
        match self.key_kind {
            KeyKind::Derived => {
                return Err(PskcError::UnsupportedKeyProtection {
                    what: "passphrase-based key derivation (RFC 6030 section 6.2)",
                });
            }
            KeyKind::Asymmetric => {
                return Err(PskcError::UnsupportedKeyProtection {
                    what: "asymmetric key encryption (RFC 6030 section 6.3)",
                });
            }
            KeyKind::Unspecified | KeyKind::PreShared => {}
        }
        let psk = self.psk.ok_or_else(|| PskcError::PreSharedKeyRequired {
            key_name: self.key_name.clone(),
        })?;
        if psk.len() != algorithm.key_len() {
            return Err(PskcError::PreSharedKeyLength {
                algorithm: algorithm.name(),
                expected: algorithm.key_len(),
                actual: psk.len(),
            });
        }
        Ok(psk)
    }

    /// The MAC key of section 6.1.1: `MACMethod/MACKey`, itself encrypted under the pre-shared
    /// key.
    fn mac_key(
        &mut self,
        location: &KeyLocation,
        element: &'static str,
    ) -> Result<&MacKey, PskcError> {
        if self.mac_key.is_none() {
            let missing = || PskcError::MissingMac {
                location: location.clone(),
                element,
            };
            let method = self.mac_method.ok_or_else(missing)?;
            let uri = method.attr("Algorithm").unwrap_or_default();
            let algorithm =
                MacAlgorithm::from_uri(uri).ok_or_else(|| PskcError::UnsupportedMac {
                    algorithm: uri.chars().take(200).collect(),
                })?;
            let encrypted = method.child("MACKey").ok_or_else(missing)?;
            let (cipher, data) = encrypted_payload(encrypted, location, "MACKey")?;
            let psk = self.cipher_key(cipher)?;
            let key = match decrypt(cipher, psk, &data) {
                Ok(key) if !key.is_empty() => key,
                Ok(_) | Err(DecryptError::Padding) => return Err(PskcError::WrongPreSharedKey),
                Err(DecryptError::Shape | DecryptError::KeyLength) => {
                    return Err(PskcError::InvalidValue {
                        location: location.clone(),
                        element: "MACKey",
                        reason: "the encrypted MAC key is not IV + whole AES blocks".into(),
                    });
                }
            };
            self.mac_key = Some(MacKey { algorithm, key });
        }
        self.mac_key.as_ref().ok_or(PskcError::WrongPreSharedKey)
    }

    /// The bytes of a binary value such as `Secret`.
    pub(crate) fn bytes(
        &mut self,
        value: &Element,
        location: &KeyLocation,
        element: &'static str,
    ) -> Result<Zeroizing<Vec<u8>>, PskcError> {
        if let Some(plain) = value.child("PlainValue") {
            return decode_base64(plain, location, element);
        }
        let Some(encrypted) = value.child("EncryptedValue") else {
            return Err(PskcError::MissingElement {
                location: location.clone(),
                element: "PlainValue or EncryptedValue",
            });
        };
        let (cipher, data) = encrypted_payload(encrypted, location, element)?;
        let psk = self.cipher_key(cipher)?;
        // Section 6.1.1: the MAC is over the encrypted value (IV and ciphertext); check it before
        // decrypting anything.
        let tag_element = value
            .child("ValueMAC")
            .ok_or_else(|| PskcError::MissingMac {
                location: location.clone(),
                element,
            })?;
        let tag = decode_base64(tag_element, location, "ValueMAC")?;
        let mac = self.mac_key(location, element)?;
        if !mac_verifies(mac.algorithm, &mac.key, &data, &tag) {
            return Err(PskcError::MacMismatch {
                location: location.clone(),
                element,
            });
        }
        decrypt(cipher, psk, &data).map_err(|_| PskcError::Decryption {
            location: location.clone(),
            element,
        })
    }

    /// An unsigned integer value (`Counter`, `Time`, `TimeInterval`; RFC 6030 section 4.2: plain
    /// values are decimal `xs:long`). Encrypted integers are accepted as decimal ASCII or as an
    /// 8-byte-at-most big-endian number, the two forms vendors use.
    pub(crate) fn unsigned(
        &mut self,
        value: &Element,
        location: &KeyLocation,
        element: &'static str,
    ) -> Result<u64, PskcError> {
        let invalid = |reason: &str| PskcError::InvalidValue {
            location: location.clone(),
            element,
            reason: reason.to_string(),
        };
        if let Some(plain) = value.child("PlainValue") {
            return plain
                .trimmed_text()
                .parse::<u64>()
                .map_err(|_| invalid("not a non-negative decimal integer"));
        }
        let bytes = self.bytes(value, location, element)?;
        decode_encrypted_integer(&bytes)
            .ok_or_else(|| invalid("not a decimal or big-endian integer"))
    }

    /// A signed integer value (`TimeDrift`).
    pub(crate) fn signed(
        &mut self,
        value: &Element,
        location: &KeyLocation,
        element: &'static str,
    ) -> Result<i64, PskcError> {
        let invalid = |reason: &str| PskcError::InvalidValue {
            location: location.clone(),
            element,
            reason: reason.to_string(),
        };
        if let Some(plain) = value.child("PlainValue") {
            return plain
                .trimmed_text()
                .parse::<i64>()
                .map_err(|_| invalid("not a decimal integer"));
        }
        let bytes = self.bytes(value, location, element)?;
        if let Some(v) = std::str::from_utf8(&bytes)
            .ok()
            .and_then(|t| t.parse::<i64>().ok())
        {
            return Ok(v);
        }
        if bytes.is_empty() || bytes.len() > 8 {
            return Err(invalid("not a decimal or big-endian integer"));
        }
        // Two's complement of bytes.len() * 8 bits, sign-extended.
        let unsigned = bytes.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b));
        let shift = 64 - 8 * bytes.len() as u32;
        Ok(((unsigned << shift) as i64) >> shift)
    }
}

/// Decimal ASCII digits, or a big-endian number of 1 to 8 bytes.
fn decode_encrypted_integer(bytes: &[u8]) -> Option<u64> {
    let decimal = Some(bytes)
        .filter(|b| !b.is_empty() && b.iter().all(u8::is_ascii_digit))
        .and_then(|b| std::str::from_utf8(b).ok())
        .and_then(|t| t.parse().ok());
    if decimal.is_some() {
        return decimal;
    }
    if bytes.is_empty() || bytes.len() > 8 {
        return None;
    }
    Some(bytes.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b)))
}

/// `EncryptionMethod/@Algorithm` and the decoded `CipherData/CipherValue` of an
/// `xenc:EncryptedDataType` element (`EncryptedValue`, `MACKey`).
fn encrypted_payload(
    encrypted: &Element,
    location: &KeyLocation,
    element: &'static str,
) -> Result<(CipherAlgorithm, Zeroizing<Vec<u8>>), PskcError> {
    let method = encrypted
        .child("EncryptionMethod")
        .ok_or_else(|| PskcError::MissingElement {
            location: location.clone(),
            element: "EncryptionMethod",
        })?;
    let uri = method.attr("Algorithm").unwrap_or_default();
    let algorithm =
        CipherAlgorithm::from_uri(uri).ok_or_else(|| PskcError::UnsupportedEncryption {
            location: location.clone(),
            algorithm: uri.chars().take(200).collect(),
        })?;
    let value = encrypted
        .path(&["CipherData", "CipherValue"])
        .ok_or_else(|| PskcError::MissingElement {
            location: location.clone(),
            element: "CipherData/CipherValue",
        })?;
    let data = decode_base64(value, location, element)?;
    Ok((algorithm, data))
}

fn decode_base64(
    value: &Element,
    location: &KeyLocation,
    element: &'static str,
) -> Result<Zeroizing<Vec<u8>>, PskcError> {
    let compact: Zeroizing<String> =
        Zeroizing::new(value.text.chars().filter(|c| !is_xml_space(*c)).collect());
    BASE64
        .decode(compact.as_bytes())
        .map(Zeroizing::new)
        .map_err(|_| PskcError::InvalidValue {
            location: location.clone(),
            element,
            reason: "not valid base64".into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypted_integers() {
        assert_eq!(decode_encrypted_integer(b"42"), Some(42));
        assert_eq!(
            decode_encrypted_integer(&[0, 0, 0, 0, 0, 0, 0, 30]),
            Some(30)
        );
        assert_eq!(decode_encrypted_integer(&[1, 0]), Some(256));
        assert_eq!(decode_encrypted_integer(&[]), None);
        assert_eq!(decode_encrypted_integer(&[1; 9]), None);
    }
}
