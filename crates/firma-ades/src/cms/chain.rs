//! The signer's certificate and the chain that goes with it into `SignedData.certificates`
//! (RFC 5652 section 5.1: "the signer's certificate ... and certificates sufficient to build a
//! path to a trust anchor").

use der::{Decode, Encode};
use firma_core::{KeySpec, SignatureAlgorithm};
use x509_cert::Certificate;

use super::CmsError;
use super::oid::{ID_EC_PUBLIC_KEY, ID_RSASSA_PSS, RSA_ENCRYPTION, SECP256R1};

/// A signer certificate and the CA certificates to embed with it, all DER X.509.
#[derive(Clone, Debug)]
pub struct SignerChain {
    certs: Vec<Certificate>,
    ders: Vec<Vec<u8>>,
}

impl SignerChain {
    /// `signer` is the signer's certificate; `chain` the issuing CA certificates (the root may be
    /// included or left out: validators find it in their trust store).
    pub fn from_der<I, C>(signer: &[u8], chain: I) -> Result<Self, CmsError>
    where
        I: IntoIterator<Item = C>,
        C: AsRef<[u8]>,
    {
        let mut certs = Vec::new();
        let mut ders = Vec::new();
        let all =
            std::iter::once(signer.to_vec()).chain(chain.into_iter().map(|c| c.as_ref().to_vec()));
        for (index, der) in all.enumerate() {
            let cert = Certificate::from_der(&der).map_err(|e| CmsError::InvalidCertificate {
                index,
                reason: e.to_string(),
            })?;
            // Keep the exact bytes received: re-encoding a certificate must not change it.
            let canonical = cert.to_der().map_err(|e| CmsError::InvalidCertificate {
                index,
                reason: e.to_string(),
            })?;
            if canonical != der {
                return Err(CmsError::InvalidCertificate {
                    index,
                    reason: "not DER (re-encoding changes it)".into(),
                });
            }
            certs.push(cert);
            ders.push(der);
        }
        Ok(Self { certs, ders })
    }

    /// Reads PEM `CERTIFICATE` blocks: the first is the signer, the rest its chain.
    pub fn from_pem(pem: &[u8]) -> Result<Self, CmsError> {
        let certs = Certificate::load_pem_chain(pem).map_err(|e| CmsError::InvalidCertificate {
            index: 0,
            reason: e.to_string(),
        })?;
        let ders = certs
            .iter()
            .map(|c| c.to_der())
            .collect::<Result<Vec<_>, _>>()?;
        match ders.split_first() {
            Some((signer, chain)) => Self::from_der(signer, chain),
            None => Err(CmsError::InvalidCertificate {
                index: 0,
                reason: "no CERTIFICATE block".into(),
            }),
        }
    }

    /// The signer's certificate.
    pub fn signer(&self) -> &Certificate {
        &self.certs[0]
    }

    /// The signer's certificate, DER.
    pub fn signer_der(&self) -> &[u8] {
        &self.ders[0]
    }

    /// Every certificate, the signer's first, as parsed.
    pub fn certificates(&self) -> &[Certificate] {
        &self.certs
    }

    /// Every certificate, the signer's first, DER.
    pub fn certificates_der(&self) -> impl Iterator<Item = &[u8]> {
        self.ders.iter().map(Vec::as_slice)
    }

    /// The kind of key the signer certificate holds, as far as this crate signs with it.
    pub fn key_kind(&self) -> Result<KeyKind, CmsError> {
        key_kind(self.signer())
    }

    /// Checks that `algorithm` fits the signer certificate's public key.
    pub(crate) fn check_algorithm(&self, algorithm: SignatureAlgorithm) -> Result<(), CmsError> {
        let kind = self.key_kind()?;
        let fits = matches!(
            (kind, algorithm),
            (KeyKind::EcP256, SignatureAlgorithm::Ecdsa(_))
                | (
                    KeyKind::Rsa { .. },
                    SignatureAlgorithm::RsaPkcs1v15(_) | SignatureAlgorithm::RsaPss(_)
                )
        );
        if fits {
            Ok(())
        } else {
            Err(CmsError::AlgorithmDoesNotFitCertificate {
                algorithm,
                reason: format!("the certificate holds {kind:?}"),
            })
        }
    }
}

/// The public key in a certificate (RFC 5280 section 4.1.2.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// ECDSA on P-256 (RFC 5480).
    EcP256,
    /// RSA with a modulus of `bits` bits (RFC 3279 section 2.3.1).
    Rsa { bits: usize },
}

impl KeyKind {
    /// The longest signature value this key can produce: a DER `ECDSA-Sig-Value` of two 33-byte
    /// INTEGERs, or the modulus length.
    pub fn max_signature_len(self) -> usize {
        match self {
            Self::EcP256 => 72,
            Self::Rsa { bits } => bits.div_ceil(8),
        }
    }

    /// The key store's name for keys of this kind, when there is one.
    pub fn spec(self) -> Option<KeySpec> {
        match self {
            Self::EcP256 => Some(KeySpec::EcP256),
            Self::Rsa { bits: 2048 } => Some(KeySpec::Rsa2048),
            Self::Rsa { bits: 3072 } => Some(KeySpec::Rsa3072),
            Self::Rsa { .. } => None,
        }
    }
}

pub(crate) fn key_kind(cert: &Certificate) -> Result<KeyKind, CmsError> {
    let spki = cert.tbs_certificate().subject_public_key_info();
    let oid = spki.algorithm.oid;
    if oid == ID_EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok());
        return if curve == Some(SECP256R1) {
            Ok(KeyKind::EcP256)
        } else {
            Err(CmsError::Unsupported(format!(
                "EC public key on curve {curve:?}"
            )))
        };
    }
    if oid == RSA_ENCRYPTION || oid == ID_RSASSA_PSS {
        let key = rsa_public_key(cert)?;
        return Ok(KeyKind::Rsa {
            bits: rsa::traits::PublicKeyParts::n(&key).bits() as usize,
        });
    }
    Err(CmsError::Unsupported(format!("public key algorithm {oid}")))
}

pub(crate) fn rsa_public_key(cert: &Certificate) -> Result<rsa::RsaPublicKey, CmsError> {
    use rsa::pkcs1::DecodeRsaPublicKey;
    let spki = cert.tbs_certificate().subject_public_key_info();
    let bits = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| CmsError::Malformed("RSA public key bit string has unused bits".into()))?;
    rsa::RsaPublicKey::from_pkcs1_der(bits)
        .map_err(|e| CmsError::Malformed(format!("RSA public key: {e}")))
}

pub(crate) fn p256_public_key(cert: &Certificate) -> Result<p256::ecdsa::VerifyingKey, CmsError> {
    let spki = cert.tbs_certificate().subject_public_key_info();
    let bits = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| CmsError::Malformed("EC public key bit string has unused bits".into()))?;
    p256::ecdsa::VerifyingKey::from_sec1_bytes(bits)
        .map_err(|e| CmsError::Malformed(format!("P-256 public key: {e}")))
}
