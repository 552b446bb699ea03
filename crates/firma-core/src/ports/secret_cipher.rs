//! The secret-cipher port: small secrets (OTP seeds, SMS codes) protected by keys that never leave
//! the HSM.

use zeroize::Zeroizing;

use crate::ports::KeyStoreError;

/// Encrypts and authenticates small secrets under HSM-resident keys.
///
/// Contract: methods block on the HSM (call them on a blocking thread from async code); `context`
/// is bound to the ciphertext as associated data, so a sealed seed copied onto another token's
/// row does not open; nothing passed in is logged.
pub trait SecretCipher: Send + Sync + 'static {
    /// Encrypts with AES-256-GCM (NIST SP 800-38D) under the HSM's sealing key, with a fresh
    /// 96-bit IV; returns `version || IV || ciphertext || tag`.
    fn seal(&self, context: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, KeyStoreError>;

    /// Decrypts what [`SecretCipher::seal`] produced for the same `context`; fails if anything
    /// was changed. The plaintext is zeroized when dropped.
    fn open(&self, context: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyStoreError>;

    /// HMAC-SHA-256 (RFC 2104) under an HSM key: the stored form of short codes, which a plain
    /// hash would not protect (a million 6-digit codes are hashed in a blink).
    fn keyed_hash(&self, data: &[u8]) -> Result<[u8; 32], KeyStoreError>;
}
