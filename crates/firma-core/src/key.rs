//! Key types, digest and signature algorithms, and references to keys held by a key store.

use std::fmt;

use const_oid::ObjectIdentifier;
use serde::{Deserialize, Serialize};

/// The kind of key pair to generate. ECDSA P-256 is the default for officers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum KeySpec {
    /// ECDSA on NIST P-256 (secp256r1, FIPS 186-4).
    #[default]
    #[serde(rename = "ec-p256")]
    EcP256,
    /// RSA with a 2048-bit modulus, public exponent 65537.
    #[serde(rename = "rsa-2048")]
    Rsa2048,
    /// RSA with a 3072-bit modulus, public exponent 65537.
    #[serde(rename = "rsa-3072")]
    Rsa3072,
}

impl KeySpec {
    pub const ALL: [KeySpec; 3] = [KeySpec::EcP256, KeySpec::Rsa2048, KeySpec::Rsa3072];

    pub fn is_rsa(self) -> bool {
        matches!(self, Self::Rsa2048 | Self::Rsa3072)
    }

    /// RSA modulus size in bits, `None` for EC keys.
    pub fn rsa_bits(self) -> Option<u32> {
        match self {
            Self::EcP256 => None,
            Self::Rsa2048 => Some(2048),
            Self::Rsa3072 => Some(3072),
        }
    }

    /// The algorithm used when a caller does not choose one: ECDSA with SHA-256 for EC keys,
    /// RSASSA-PKCS1-v1_5 with SHA-256 for RSA keys (the most widely validated choice for PAdES).
    pub fn default_algorithm(self) -> SignatureAlgorithm {
        if self.is_rsa() {
            SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256)
        } else {
            SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256)
        }
    }

    /// Stable name used in configuration, the database and the API.
    pub fn name(self) -> &'static str {
        match self {
            Self::EcP256 => "ec-p256",
            Self::Rsa2048 => "rsa-2048",
            Self::Rsa3072 => "rsa-3072",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A digest algorithm of the SHA-2 family (FIPS 180-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HashAlgorithm {
    Sha256,
    Sha384,
    Sha512,
}

impl HashAlgorithm {
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// Object identifier (RFC 5758 section 2 / NIST CSOR).
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            Self::Sha256 => ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1"),
            Self::Sha384 => ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2"),
            Self::Sha512 => ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3"),
        }
    }

    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        [Self::Sha256, Self::Sha384, Self::Sha512]
            .into_iter()
            .find(|h| h.oid() == *oid)
    }
}

/// A signature scheme applied to an already computed digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "scheme", content = "hash", rename_all = "kebab-case")]
pub enum SignatureAlgorithm {
    /// ECDSA (FIPS 186-4); the signature is DER `ECDSA-Sig-Value` (RFC 5480 section 2.2 / RFC 5758 section 3.2).
    Ecdsa(HashAlgorithm),
    /// RSASSA-PKCS1-v1_5 (RFC 8017 section 8.2) with the DigestInfo of the hash.
    RsaPkcs1v15(HashAlgorithm),
    /// RSASSA-PSS (RFC 8017 section 8.1) with MGF1 over the same hash and a salt as long as the hash
    /// (the parameters required by RFC 4056 section 3 for CMS, and by ETSI TS 119 312).
    RsaPss(HashAlgorithm),
}

impl SignatureAlgorithm {
    pub fn hash(self) -> HashAlgorithm {
        match self {
            Self::Ecdsa(h) | Self::RsaPkcs1v15(h) | Self::RsaPss(h) => h,
        }
    }

    /// Whether a key of this kind can produce signatures of this scheme.
    pub fn fits(self, spec: KeySpec) -> bool {
        match self {
            Self::Ecdsa(_) => spec == KeySpec::EcP256,
            Self::RsaPkcs1v15(_) | Self::RsaPss(_) => spec.is_rsa(),
        }
    }

    /// The signature algorithm identifier for X.509 and CMS. RSASSA-PSS needs parameters
    /// (RFC 4055 section 3.1) that the format crates add.
    pub fn oid(self) -> ObjectIdentifier {
        use HashAlgorithm::*;
        let s = match self {
            Self::Ecdsa(Sha256) => "1.2.840.10045.4.3.2",
            Self::Ecdsa(Sha384) => "1.2.840.10045.4.3.3",
            Self::Ecdsa(Sha512) => "1.2.840.10045.4.3.4",
            Self::RsaPkcs1v15(Sha256) => "1.2.840.113549.1.1.11",
            Self::RsaPkcs1v15(Sha384) => "1.2.840.113549.1.1.12",
            Self::RsaPkcs1v15(Sha512) => "1.2.840.113549.1.1.13",
            Self::RsaPss(_) => "1.2.840.113549.1.1.10",
        };
        ObjectIdentifier::new_unwrap(s)
    }
}

/// The PKCS#11 `CKA_ID` of a key object held on the token (random, 16 bytes).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct KeyId(pub Vec<u8>);

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId(")?;
        for b in &self.0 {
            write!(f, "{b:02x}")?;
        }
        write!(f, ")")
    }
}

/// Where a private key lives. Stored with the credential it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "storage", rename_all = "snake_case")]
pub enum KeyRef {
    /// A persistent, non-extractable object on the token (service keys, and officer keys of a
    /// type the HSM cannot wrap).
    Token { spec: KeySpec, id: KeyId },
    /// A private key wrapped under a token-resident key-encryption key (AES key wrap with padding,
    /// RFC 5649). The blob is useless without the KEK, which never leaves the HSM.
    Wrapped {
        spec: KeySpec,
        kek_label: String,
        blob: Vec<u8>,
    },
}

impl KeyRef {
    pub fn spec(&self) -> KeySpec {
        match self {
            Self::Token { spec, .. } | Self::Wrapped { spec, .. } => *spec,
        }
    }
}

/// A DER-encoded `SubjectPublicKeyInfo` (RFC 5280 section 4.1.2.7).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PublicKeyDer(pub Vec<u8>);

impl PublicKeyDer {
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for PublicKeyDer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKeyDer({} bytes)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithms_fit_their_keys() {
        for spec in KeySpec::ALL {
            assert!(spec.default_algorithm().fits(spec));
            assert_eq!(KeySpec::from_name(spec.name()), Some(spec));
        }
        assert!(!SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256).fits(KeySpec::Rsa2048));
        assert!(!SignatureAlgorithm::RsaPss(HashAlgorithm::Sha256).fits(KeySpec::EcP256));
    }

    #[test]
    fn hash_oids_round_trip() {
        for h in [
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ] {
            assert_eq!(HashAlgorithm::from_oid(&h.oid()), Some(h));
        }
    }

    #[test]
    fn key_refs_serialise_with_their_storage() {
        let r = KeyRef::Wrapped {
            spec: KeySpec::EcP256,
            kek_label: "kek".into(),
            blob: vec![1, 2],
        };
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["storage"], "wrapped");
        assert_eq!(json["spec"], "ec-p256");
        assert_eq!(serde_json::from_value::<KeyRef>(json).unwrap(), r);
    }
}
