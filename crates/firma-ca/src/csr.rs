//! PKCS#10 certification requests (RFC 2986): built and signed through the key port, so the
//! HSM proves possession of the officer's private key, and verified before anything is issued.

use der::asn1::{BitString, SetOfVec};
use der::{Decode, Encode};
use firma_core::{ActiveKey, KeySpec, PublicKeyDer, SignatureAlgorithm};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::name::Name;
use x509_cert::request::{CertReq, CertReqInfo, Version};

use crate::algorithm::{digest, parse_signature_algorithm, signature_algorithm_id};
use crate::encode::split_signed;
use crate::error::CaError;
use crate::public_key::{PublicKey, same_key};

/// Largest CSR accepted: a request of this CA (one name, one RSA-3072 key, no attributes) is
/// well under 2 KiB.
pub const MAX_CSR_LEN: usize = 16 * 1024;

/// A certification request whose self-signature verified.
#[derive(Debug, Clone)]
pub struct VerifiedCsr {
    /// The subject the requester asked for. The CA writes the subject it knows (from the
    /// identity checks) into the certificate, not this one.
    pub subject: Name,
    /// The public key whose possession the signature proved, DER `SubjectPublicKeyInfo`.
    pub public_key: PublicKeyDer,
    /// The kind of key.
    pub key_spec: KeySpec,
    pub(crate) spki: SubjectPublicKeyInfoOwned,
}

/// Builds a DER PKCS#10 `CertificationRequest` (RFC 2986 section 4) for `subject` and
/// `public_key`, signed by `key` with `algorithm` (RFC 2986 section 3: the signature over the
/// DER `CertificationRequestInfo` proves possession of the private key). Version v1(0), no
/// attributes: the CA decides the extensions. The result is verified before it is returned, so
/// a `public_key` that is not `key`'s is refused here.
pub fn build_csr(
    key: &dyn ActiveKey,
    subject: &Name,
    public_key: &PublicKeyDer,
    algorithm: SignatureAlgorithm,
) -> Result<Vec<u8>, CaError> {
    if !algorithm.fits(key.spec()) {
        return Err(CaError::UnsupportedAlgorithm(format!(
            "a {} key cannot sign with {algorithm:?}",
            key.spec()
        )));
    }
    let (spki, parsed) = PublicKey::from_der(public_key.as_bytes())?;
    if parsed.spec() != key.spec() {
        return Err(CaError::CsrSignatureInvalid(format!(
            "the public key is {} but the signing key is {}",
            parsed.spec(),
            key.spec()
        )));
    }
    let info = CertReqInfo {
        version: Version::V1,
        subject: subject.clone(),
        public_key: spki,
        attributes: SetOfVec::new(),
    };
    let info_der = info.to_der()?;
    let signature = key.sign_digest(algorithm, &digest(algorithm.hash(), &info_der))?;
    let der = CertReq {
        info,
        algorithm: signature_algorithm_id(algorithm)?,
        signature: BitString::from_bytes(&signature)?,
    }
    .to_der()?;
    verify_csr(&der).map_err(|e| match e {
        CaError::CsrSignatureInvalid(detail) => CaError::CsrSignatureInvalid(format!(
            "the signing key does not belong to the given public key ({detail})"
        )),
        other => other,
    })?;
    Ok(der)
}

/// Parses a DER PKCS#10 request and verifies its self-signature (RFC 2986 section 3) over the
/// exact `CertificationRequestInfo` bytes received, with the public key it carries: ECDSA
/// P-256, RSASSA-PKCS1-v1_5 or RSASSA-PSS, SHA-2 only. Keys other than P-256 and RSA
/// 2048/3072 are refused. Requested attributes (extensionRequest) are ignored: the CA's
/// profile decides every extension.
pub fn verify_csr(csr_der: &[u8]) -> Result<VerifiedCsr, CaError> {
    if csr_der.len() > MAX_CSR_LEN {
        return Err(CaError::CsrTooLarge {
            len: csr_der.len(),
            max: MAX_CSR_LEN,
        });
    }
    let csr = CertReq::from_der(csr_der).map_err(|e| CaError::CsrMalformed(e.to_string()))?;
    let parts = split_signed(csr_der).map_err(|e| CaError::CsrMalformed(e.to_string()))?;
    let scheme = parse_signature_algorithm(&parts.algorithm)?;
    let key = PublicKey::from_spki(&csr.info.public_key)?;
    let signature = parts
        .signature
        .as_bytes()
        .ok_or_else(|| CaError::CsrMalformed("the signature BIT STRING has unused bits".into()))?;
    key.verify(scheme, parts.to_be_signed, signature)
        .map_err(CaError::CsrSignatureInvalid)?;
    Ok(VerifiedCsr {
        subject: csr.info.subject.clone(),
        public_key: PublicKeyDer(csr.info.public_key.to_der()?),
        key_spec: key.spec(),
        spki: csr.info.public_key,
    })
}

impl VerifiedCsr {
    /// Refuses the request unless it is for `expected` (the credential's public key).
    pub fn require_key(&self, expected: &PublicKeyDer) -> Result<(), CaError> {
        if same_key(&self.spki, expected)? {
            Ok(())
        } else {
            Err(CaError::CsrKeyMismatch)
        }
    }
}
