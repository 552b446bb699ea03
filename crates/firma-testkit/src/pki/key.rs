//! Software private keys that implement the key port, so tests can sign without an HSM.

use std::fmt;

use firma_core::{ActiveKey, HashAlgorithm, KeySpec, KeyStoreError, SignatureAlgorithm};
use p256::ecdsa::signature::hazmat::PrehashSigner;
use p256::pkcs8::EncodePublicKey;
use rand::SeedableRng;
use rsa::traits::PublicKeyParts;
use sha2::Digest;

enum Inner {
    P256(p256::ecdsa::SigningKey),
    Rsa(Box<rsa::RsaPrivateKey>),
}

/// A private key held in memory (ECDSA P-256 or RSA), for tests only. Its `Debug` shows the
/// kind of key, never the key.
pub struct SoftwareKey {
    inner: Inner,
    spec: KeySpec,
}

impl fmt::Debug for SoftwareKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoftwareKey")
            .field("spec", &self.spec)
            .finish_non_exhaustive()
    }
}

impl SoftwareKey {
    /// A key derived from `seed`: the same seed gives the same key. RSA key generation is slow
    /// in unoptimised builds (seconds); [`crate::pki::TestPki::shared`] caches keys per process.
    pub fn from_seed(spec: KeySpec, seed: &[u8]) -> Self {
        let mut h = sha2::Sha256::new();
        h.update(b"firma-testkit key seed\0");
        h.update(spec.name().as_bytes());
        h.update([0]);
        h.update(seed);
        let seed32: [u8; 32] = h.finalize().into();
        let mut rng = rand::rngs::StdRng::from_seed(seed32);
        Self::generate_with(spec, &mut rng)
    }

    /// A fresh random key.
    pub fn generate(spec: KeySpec) -> Self {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).unwrap_or_else(|e| panic!("no OS randomness: {e}"));
        let mut rng = rand::rngs::StdRng::from_seed(seed);
        Self::generate_with(spec, &mut rng)
    }

    fn generate_with(spec: KeySpec, rng: &mut rand::rngs::StdRng) -> Self {
        let inner = match spec.rsa_bits() {
            None => loop {
                let mut bytes = [0u8; 32];
                rand::Rng::fill_bytes(rng, &mut bytes);
                if let Ok(k) = p256::ecdsa::SigningKey::from_slice(&bytes) {
                    break Inner::P256(k);
                }
            },
            Some(bits) => Inner::Rsa(Box::new(
                rsa::RsaPrivateKey::new(rng, bits as usize)
                    .unwrap_or_else(|e| panic!("RSA key generation failed: {e}")),
            )),
        };
        Self { inner, spec }
    }

    /// The DER `SubjectPublicKeyInfo` (RFC 5280 section 4.1.2.7).
    pub fn public_key_der(&self) -> Vec<u8> {
        let doc = match &self.inner {
            Inner::P256(k) => k.verifying_key().to_public_key_der(),
            Inner::Rsa(k) => k.to_public_key().to_public_key_der(),
        };
        doc.unwrap_or_else(|e| panic!("public key encoding failed: {e}"))
            .as_bytes()
            .to_vec()
    }

    /// The RSA modulus length in bytes, or 64 (r and s) for P-256.
    pub fn signature_len(&self) -> usize {
        match &self.inner {
            Inner::P256(_) => 64,
            Inner::Rsa(k) => k.size(),
        }
    }
}

fn rsa_sign(
    key: &rsa::RsaPrivateKey,
    algorithm: SignatureAlgorithm,
    digest: &[u8],
) -> rsa::Result<Vec<u8>> {
    use HashAlgorithm::*;
    match algorithm {
        SignatureAlgorithm::RsaPkcs1v15(Sha256) => {
            key.sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), digest)
        }
        SignatureAlgorithm::RsaPkcs1v15(Sha384) => {
            key.sign(rsa::Pkcs1v15Sign::new::<sha2::Sha384>(), digest)
        }
        SignatureAlgorithm::RsaPkcs1v15(Sha512) => {
            key.sign(rsa::Pkcs1v15Sign::new::<sha2::Sha512>(), digest)
        }
        SignatureAlgorithm::RsaPss(Sha256) => key.sign(rsa::Pss::<sha2::Sha256>::new(), digest),
        SignatureAlgorithm::RsaPss(Sha384) => key.sign(rsa::Pss::<sha2::Sha384>::new(), digest),
        SignatureAlgorithm::RsaPss(Sha512) => key.sign(rsa::Pss::<sha2::Sha512>::new(), digest),
        SignatureAlgorithm::Ecdsa(_) => Err(rsa::Error::InvalidArguments),
    }
}

impl ActiveKey for SoftwareKey {
    fn spec(&self) -> KeySpec {
        self.spec
    }

    fn sign_digest(
        &self,
        algorithm: SignatureAlgorithm,
        digest: &[u8],
    ) -> Result<Vec<u8>, KeyStoreError> {
        if !algorithm.fits(self.spec) {
            return Err(KeyStoreError::InvalidInput(format!(
                "a {} key cannot sign with {algorithm:?}",
                self.spec
            )));
        }
        if digest.len() != algorithm.hash().output_len() {
            return Err(KeyStoreError::InvalidInput(format!(
                "digest of {} bytes for {algorithm:?}",
                digest.len()
            )));
        }
        match &self.inner {
            Inner::P256(k) => {
                let sig: p256::ecdsa::Signature = k
                    .sign_prehash(digest)
                    .map_err(|e| KeyStoreError::Backend(e.to_string()))?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            Inner::Rsa(k) => {
                rsa_sign(k, algorithm, digest).map_err(|e| KeyStoreError::Backend(e.to_string()))
            }
        }
    }
}
