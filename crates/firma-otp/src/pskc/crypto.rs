//! The two primitives of RFC 6030 section 6.1: AES-CBC decryption of `CipherValue` (IV
//! prepended, XML Encryption padding) and the HMAC `ValueMAC` over the encrypted value.

use cbc::cipher::block_padding::Iso10126;
use cbc::cipher::{BlockCipherDecrypt, BlockModeDecrypt, KeyIvInit};
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Sha224, Sha256, Sha384, Sha512};
use zeroize::Zeroizing;

/// The CBC-mode block encryption algorithms of XML Encryption 1.0 section 5.2.2 that RFC 6030
/// section 6.1 uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CipherAlgorithm {
    Aes128,
    Aes192,
    Aes256,
}

impl CipherAlgorithm {
    pub(crate) fn from_uri(uri: &str) -> Option<Self> {
        match uri.trim() {
            "http://www.w3.org/2001/04/xmlenc#aes128-cbc" => Some(Self::Aes128),
            "http://www.w3.org/2001/04/xmlenc#aes192-cbc" => Some(Self::Aes192),
            "http://www.w3.org/2001/04/xmlenc#aes256-cbc" => Some(Self::Aes256),
            _ => None,
        }
    }

    pub(crate) fn key_len(self) -> usize {
        match self {
            Self::Aes128 => 16,
            Self::Aes192 => 24,
            Self::Aes256 => 32,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Aes128 => "AES-128-CBC",
            Self::Aes192 => "AES-192-CBC",
            Self::Aes256 => "AES-256-CBC",
        }
    }
}

/// Why a decryption failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DecryptError {
    /// The key does not fit the algorithm.
    KeyLength,
    /// Shorter than IV + one block, or not a whole number of blocks.
    Shape,
    /// The padding byte is not 1..=16.
    Padding,
}

const BLOCK: usize = 16;

/// Decrypts `iv || ciphertext`, the form of XML Encryption 1.0 section 5.2 (block encryption
/// algorithms: the cipher text is prefixed by the IV; the padding ends with the number of padding
/// octets and the other padding octets are arbitrary, ISO 10126 style), which RFC 6030 section
/// 6.1 uses for `EncryptedValue` and `MACKey`.
pub(crate) fn decrypt(
    algorithm: CipherAlgorithm,
    key: &[u8],
    data: &[u8],
) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
    if key.len() != algorithm.key_len() {
        return Err(DecryptError::KeyLength);
    }
    if data.len() < 2 * BLOCK || !data.chunks_exact(BLOCK).remainder().is_empty() {
        return Err(DecryptError::Shape);
    }
    let (iv, ciphertext) = data.split_at(BLOCK);
    let mut buf = Zeroizing::new(ciphertext.to_vec());
    let len = match algorithm {
        CipherAlgorithm::Aes128 => cbc_decrypt::<aes::Aes128>(key, iv, &mut buf)?,
        CipherAlgorithm::Aes192 => cbc_decrypt::<aes::Aes192>(key, iv, &mut buf)?,
        CipherAlgorithm::Aes256 => cbc_decrypt::<aes::Aes256>(key, iv, &mut buf)?,
    };
    buf.truncate(len);
    Ok(buf)
}

fn cbc_decrypt<C>(key: &[u8], iv: &[u8], buf: &mut [u8]) -> Result<usize, DecryptError>
where
    C: BlockCipherDecrypt,
    cbc::Decryptor<C>: KeyIvInit + BlockModeDecrypt,
{
    let decryptor =
        cbc::Decryptor::<C>::new_from_slices(key, iv).map_err(|_| DecryptError::KeyLength)?;
    decryptor
        .decrypt_padded::<Iso10126>(buf)
        .map(<[u8]>::len)
        .map_err(|_| DecryptError::Padding)
}

/// MAC algorithms of RFC 6030 section 6.1.1 (`MACMethod/@Algorithm`): HMAC-SHA1 (XML Signature,
/// the one the RFC's examples use) and the HMAC-SHA2 URIs of RFC 6931 (Additional XML Security
/// URIs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MacAlgorithm {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl MacAlgorithm {
    pub(crate) fn from_uri(uri: &str) -> Option<Self> {
        match uri.trim() {
            "http://www.w3.org/2000/09/xmldsig#hmac-sha1" => Some(Self::Sha1),
            "http://www.w3.org/2001/04/xmldsig-more#hmac-sha224" => Some(Self::Sha224),
            "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256" => Some(Self::Sha256),
            "http://www.w3.org/2001/04/xmldsig-more#hmac-sha384" => Some(Self::Sha384),
            "http://www.w3.org/2001/04/xmldsig-more#hmac-sha512" => Some(Self::Sha512),
            _ => None,
        }
    }
}

/// Checks `tag` = HMAC(`key`, `data`) in constant time (`Mac::verify_slice`). A tag of another
/// length never verifies.
pub(crate) fn mac_verifies(algorithm: MacAlgorithm, key: &[u8], data: &[u8], tag: &[u8]) -> bool {
    match algorithm {
        MacAlgorithm::Sha1 => verify::<Hmac<Sha1>>(key, data, tag),
        MacAlgorithm::Sha224 => verify::<Hmac<Sha224>>(key, data, tag),
        MacAlgorithm::Sha256 => verify::<Hmac<Sha256>>(key, data, tag),
        MacAlgorithm::Sha384 => verify::<Hmac<Sha384>>(key, data, tag),
        MacAlgorithm::Sha512 => verify::<Hmac<Sha512>>(key, data, tag),
    }
}

fn verify<M: Mac + KeyInit>(key: &[u8], data: &[u8], tag: &[u8]) -> bool {
    // HMAC takes keys of any length; a failure here can only mean "does not verify".
    let Ok(mut mac) = <M as KeyInit>::new_from_slice(key) else {
        return false;
    };
    mac.update(data);
    mac.verify_slice(tag).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cbc::cipher::BlockModeEncrypt;
    use cbc::cipher::block_padding::Pkcs7;

    fn encrypt128(key: &[u8; 16], iv: &[u8; 16], plain: &[u8]) -> Vec<u8> {
        let mut buf = vec![0u8; plain.len() + BLOCK];
        buf[..plain.len()].copy_from_slice(plain);
        let ct = cbc::Encryptor::<aes::Aes128>::new(key.into(), iv.into())
            .encrypt_padded::<Pkcs7>(&mut buf, plain.len())
            .unwrap()
            .to_vec();
        [iv.as_slice(), &ct].concat()
    }

    #[test]
    fn round_trip_and_errors() {
        let key = [7u8; 16];
        let data = encrypt128(&key, &[9u8; 16], b"12345678901234567890");
        let plain = decrypt(CipherAlgorithm::Aes128, &key, &data).unwrap();
        assert_eq!(plain.as_slice(), b"12345678901234567890");
        assert_eq!(
            decrypt(CipherAlgorithm::Aes256, &key, &data),
            Err(DecryptError::KeyLength)
        );
        assert_eq!(
            decrypt(CipherAlgorithm::Aes128, &key, &data[..16]),
            Err(DecryptError::Shape)
        );
        assert_eq!(
            decrypt(CipherAlgorithm::Aes128, &key, &data[..40]),
            Err(DecryptError::Shape)
        );
    }

    #[test]
    fn hmac_verification() {
        // RFC 2202 test case 2: HMAC-SHA-1("Jefe", "what do ya want for nothing?").
        let tag = [
            0xef, 0xfc, 0xdf, 0x6a, 0xe5, 0xeb, 0x2f, 0xa2, 0xd2, 0x74, 0x16, 0xd5, 0xf1, 0x84,
            0xdf, 0x9c, 0x25, 0x9a, 0x7c, 0x79,
        ];
        let data = b"what do ya want for nothing?";
        assert!(mac_verifies(MacAlgorithm::Sha1, b"Jefe", data, &tag));
        assert!(!mac_verifies(MacAlgorithm::Sha1, b"Jeff", data, &tag));
        assert!(!mac_verifies(MacAlgorithm::Sha1, b"Jefe", data, &tag[..19]));
        assert!(!mac_verifies(MacAlgorithm::Sha256, b"Jefe", data, &tag));
    }
}
