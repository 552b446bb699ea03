//! The key store port: private keys that never leave a hardware security module.

use crate::key::{KeyRef, KeySpec, PublicKeyDer, SignatureAlgorithm};

/// What a new key is for, which decides where it is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyPurpose {
    /// An officer's signing key. Kept wrapped under the key-encryption key when the HSM can wrap
    /// this key type, otherwise as a token object; either way it never exists in clear outside
    /// the HSM.
    Officer,
    /// One of the service's own keys (CA, TSA, audit). Always a persistent, non-extractable token
    /// object, found again by its label.
    Service { label: String },
}

/// A key pair just generated inside the key store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedKey {
    /// How to find the private key again; to be stored with the credential.
    pub key: KeyRef,
    /// The public key, as a DER `SubjectPublicKeyInfo`.
    pub public_key: PublicKeyDer,
}

/// Why a key store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum KeyStoreError {
    /// The HSM cannot be reached or refuses service (token removed, not logged in, device error).
    #[error("the HSM is unavailable: {0}")]
    Unavailable(String),
    /// No such key on the token, or a wrapped blob that the key-encryption key cannot open.
    #[error("key not found: {0}")]
    KeyNotFound(String),
    /// The caller asked for something impossible (digest of the wrong length, an algorithm the
    /// key cannot do). Nothing was sent to the HSM.
    #[error("invalid request: {0}")]
    InvalidInput(String),
    /// The HSM does not support what was asked (a mechanism or key type).
    #[error("not supported by the HSM: {0}")]
    Unsupported(String),
    /// Every other failure reported by the HSM.
    #[error("HSM error: {0}")]
    Backend(String),
}

/// Where private keys live: a PKCS#11 token in production and in tests.
///
/// Contract:
/// - Methods block on the HSM. Callers on an async runtime run them on a blocking thread
///   (`tokio::task::spawn_blocking`); a batch of signatures should be one blocking task.
/// - Private keys are generated inside the key store and are never returned in clear: a
///   [`KeyRef::Wrapped`] blob can only be opened by the key store's own key-encryption key.
/// - Implementations are shared between threads; each call may run on a different session.
pub trait KeyStore: Send + Sync + 'static {
    /// Generates a new key pair of the given kind.
    fn generate(&self, spec: KeySpec, purpose: KeyPurpose) -> Result<GeneratedKey, KeyStoreError>;

    /// Finds a service key by label (see [`KeyPurpose::Service`]).
    fn find_service_key(&self, label: &str) -> Result<Option<GeneratedKey>, KeyStoreError>;

    /// Makes a key ready to sign. For a wrapped key this unwraps it into an ephemeral object that
    /// lives until the returned value is dropped, so activate once per authorised batch, not once
    /// per signature.
    fn activate(&self, key: &KeyRef) -> Result<Box<dyn ActiveKey>, KeyStoreError>;

    /// Destroys a token key. A wrapped key has nothing on the token to destroy: deleting its blob
    /// (the caller's job) destroys it, and this only checks that the blob is well formed.
    fn destroy(&self, key: &KeyRef) -> Result<(), KeyStoreError>;
}

/// A private key ready to sign, as in rustls' `Signer`: the message is already hashed.
///
/// Shared between threads: signatures of one batch may be made in parallel on several sessions.
pub trait ActiveKey: Send + Sync {
    fn spec(&self) -> KeySpec;

    /// Signs `digest`, the hash of the message under `algorithm.hash()`; its length must be that
    /// hash's output length. ECDSA signatures are DER `ECDSA-Sig-Value`; RSA signatures are the
    /// big-endian integer of the modulus' length.
    fn sign_digest(
        &self,
        algorithm: SignatureAlgorithm,
        digest: &[u8],
    ) -> Result<Vec<u8>, KeyStoreError>;
}
