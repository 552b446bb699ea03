//! The `SecretCipher` port on the token: AES-256-GCM sealing and HMAC-SHA-256 under keys that never
//! leave it.

use cryptoki::mechanism::Mechanism;
use cryptoki::mechanism::aead::GcmParams;
use firma_core::{KeyStoreError, SecretCipher};
use zeroize::Zeroizing;

use crate::hsm::Hsm;

/// Label of the AES-256 key that seals OTP seeds.
pub const SEAL_KEY_LABEL: &str = "firma-seal-key";
/// Label of the HMAC key that hashes SMS codes.
pub const MAC_KEY_LABEL: &str = "firma-mac-key";

/// Format version of sealed secrets: `1 || IV (12) || ciphertext || tag (16)`.
const VERSION: u8 = 1;
const IV_LEN: usize = 12;
const TAG_LEN: usize = 16;

impl SecretCipher for Hsm {
    fn seal(&self, context: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
        let key = self.secret_key(SEAL_KEY_LABEL)?;
        self.pool().run("sealing a secret", |s| {
            // A fresh random 96-bit IV per message (NIST SP 800-38D section 8.2.2).
            let mut iv = s.generate_random_vec(IV_LEN as u32)?;
            let params = GcmParams::new(&mut iv, context, ((TAG_LEN * 8) as u64).into())?;
            let ciphertext = s.encrypt(&Mechanism::AesGcm(params), key, plaintext)?;
            let mut out = Vec::with_capacity(1 + IV_LEN + ciphertext.len());
            out.push(VERSION);
            out.extend_from_slice(&iv);
            out.extend_from_slice(&ciphertext);
            Ok(out)
        })
    }

    fn open(&self, context: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyStoreError> {
        let invalid = || {
            KeyStoreError::InvalidInput(
                "the sealed secret does not open: it was changed, or sealed for another record or \
                 another token"
                    .to_owned(),
            )
        };
        if sealed.len() < 1 + IV_LEN + TAG_LEN || sealed[0] != VERSION {
            return Err(invalid());
        }
        let key = self.secret_key(SEAL_KEY_LABEL)?;
        let (iv, ciphertext) = sealed[1..].split_at(IV_LEN);
        self.pool()
            .run("opening a sealed secret", |s| {
                let mut iv = iv.to_vec();
                let params = GcmParams::new(&mut iv, context, ((TAG_LEN * 8) as u64).into())?;
                Ok(Zeroizing::new(s.decrypt(
                    &Mechanism::AesGcm(params),
                    key,
                    ciphertext,
                )?))
            })
            .map_err(|e| match e {
                KeyStoreError::Unavailable(m) => KeyStoreError::Unavailable(m),
                _ => invalid(),
            })
    }

    fn keyed_hash(&self, data: &[u8]) -> Result<[u8; 32], KeyStoreError> {
        let key = self.secret_key(MAC_KEY_LABEL)?;
        let mac = self.pool().run("computing an HMAC", |s| {
            Ok(s.sign(&Mechanism::Sha256Hmac, key, data)?)
        })?;
        mac.try_into().map_err(|m: Vec<u8>| {
            KeyStoreError::Backend(format!("HMAC-SHA-256 returned {} bytes", m.len()))
        })
    }
}
