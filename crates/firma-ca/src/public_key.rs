//! Public keys this CA certifies and verifies with: ECDSA on P-256 (RFC 5480) and RSA with a
//! 2048- or 3072-bit modulus (RFC 3279 section 2.3.1).

use der::{Decode, Encode};
use firma_core::{HashAlgorithm, KeySpec, PublicKeyDer};
use spki::SubjectPublicKeyInfoOwned;

use crate::algorithm::{Scheme, digest};
use crate::error::CaError;
use crate::oid::{ID_EC_PUBLIC_KEY, RSA_ENCRYPTION, SECP256R1};

/// A parsed public key.
#[derive(Debug, Clone)]
pub(crate) enum PublicKey {
    P256(p256::ecdsa::VerifyingKey),
    Rsa(rsa::RsaPublicKey, KeySpec),
}

impl PublicKey {
    /// Reads a `SubjectPublicKeyInfo` (RFC 5280 section 4.1.2.7).
    pub(crate) fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<Self, CaError> {
        let alg = &spki.algorithm;
        if alg.oid == ID_EC_PUBLIC_KEY {
            // RFC 5480 section 2.1.1: the parameters name the curve.
            let curve = alg
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<const_oid::ObjectIdentifier>().ok());
            if curve != Some(SECP256R1) {
                return Err(CaError::UnsupportedKey(format!(
                    "an EC key on curve {curve:?}; only P-256 (secp256r1) is certified"
                )));
            }
            let point = spki.subject_public_key.as_bytes().ok_or_else(|| {
                CaError::UnsupportedKey("EC public key with unused bits".to_owned())
            })?;
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
                .map_err(|_| CaError::UnsupportedKey("not a point on P-256".to_owned()))?;
            return Ok(Self::P256(key));
        }
        if alg.oid == RSA_ENCRYPTION {
            use rsa::pkcs8::DecodePublicKey;
            use rsa::traits::PublicKeyParts;
            let key = rsa::RsaPublicKey::from_public_key_der(&spki.to_der()?)
                .map_err(|e| CaError::UnsupportedKey(format!("RSA public key: {e}")))?;
            let spec = match key.size() * 8 {
                2048 => KeySpec::Rsa2048,
                3072 => KeySpec::Rsa3072,
                bits => {
                    return Err(CaError::UnsupportedKey(format!(
                        "an RSA key of {bits} bits; only 2048 and 3072 bits are certified"
                    )));
                }
            };
            return Ok(Self::Rsa(key, spec));
        }
        Err(CaError::UnsupportedKey(format!(
            "key algorithm {}; only id-ecPublicKey (P-256) and rsaEncryption are certified",
            alg.oid
        )))
    }

    /// Reads a DER `SubjectPublicKeyInfo`.
    pub(crate) fn from_der(der: &[u8]) -> Result<(SubjectPublicKeyInfoOwned, Self), CaError> {
        let spki = SubjectPublicKeyInfoOwned::from_der(der)
            .map_err(|e| CaError::UnsupportedKey(format!("not a SubjectPublicKeyInfo: {e}")))?;
        let key = Self::from_spki(&spki)?;
        Ok((spki, key))
    }

    pub(crate) fn spec(&self) -> KeySpec {
        match self {
            Self::P256(_) => KeySpec::EcP256,
            Self::Rsa(_, spec) => *spec,
        }
    }

    /// Verifies `signature` over `message` under `scheme`.
    pub(crate) fn verify(
        &self,
        scheme: Scheme,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), String> {
        let hashed = digest(scheme.hash(), message);
        match (self, scheme) {
            (Self::P256(key), Scheme::Ecdsa(_)) => {
                use p256::ecdsa::signature::hazmat::PrehashVerifier;
                let sig = p256::ecdsa::Signature::from_der(signature)
                    .map_err(|e| format!("ECDSA signature encoding: {e}"))?;
                key.verify_prehash(&hashed, &sig)
                    .map_err(|_| "the ECDSA signature does not verify".to_owned())
            }
            (Self::Rsa(key, _), Scheme::RsaPkcs1v15(h)) => {
                let padding = match h {
                    HashAlgorithm::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                    HashAlgorithm::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                    HashAlgorithm::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
                };
                key.verify(padding, &hashed, signature)
                    .map_err(|_| "the RSA PKCS#1 v1.5 signature does not verify".to_owned())
            }
            (Self::Rsa(key, _), Scheme::RsaPss { hash, salt_len }) => {
                let result = match hash {
                    HashAlgorithm::Sha256 => key.verify(
                        rsa::Pss::<sha2::Sha256>::new_with_salt(salt_len),
                        &hashed,
                        signature,
                    ),
                    HashAlgorithm::Sha384 => key.verify(
                        rsa::Pss::<sha2::Sha384>::new_with_salt(salt_len),
                        &hashed,
                        signature,
                    ),
                    HashAlgorithm::Sha512 => key.verify(
                        rsa::Pss::<sha2::Sha512>::new_with_salt(salt_len),
                        &hashed,
                        signature,
                    ),
                };
                result.map_err(|_| "the RSASSA-PSS signature does not verify".to_owned())
            }
            (key, scheme) => Err(format!(
                "a {} key cannot make {scheme:?} signatures",
                key.spec()
            )),
        }
    }
}

/// Whether `a` and the DER `b` hold the same public key: same algorithm, same curve for EC
/// keys, same key bits. (An RSA identifier's NULL parameters may be present or absent, RFC
/// 4055 section 1.2, without making it another key.)
pub(crate) fn same_key(a: &SubjectPublicKeyInfoOwned, b: &PublicKeyDer) -> Result<bool, CaError> {
    let b = SubjectPublicKeyInfoOwned::from_der(b.as_bytes())
        .map_err(|e| CaError::UnsupportedKey(format!("not a SubjectPublicKeyInfo: {e}")))?;
    let same_curve =
        a.algorithm.oid != ID_EC_PUBLIC_KEY || a.algorithm.parameters == b.algorithm.parameters;
    Ok(a.algorithm.oid == b.algorithm.oid
        && same_curve
        && a.subject_public_key == b.subject_public_key)
}
