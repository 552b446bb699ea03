//! `CertID` (RFC 6960 section 4.1.1): which certificate a request or a single response is
//! about, named by hashes of its issuer's name and key and by its serial number.

use der::asn1::{Int, ObjectIdentifier, OctetString};
use der::{Any, Decode, Encode, Tagged};
use sha1::Digest;
use spki::AlgorithmIdentifierOwned;
use time::OffsetDateTime;
use x509_cert::Certificate;

use crate::algorithm::parse_signature_algorithm;
use crate::encode::{from_x509_time, split_signed};
use crate::error::CaError;
use crate::oid::ID_SHA1;
use crate::public_key::PublicKey;
use crate::revocation::serial_magnitude;

use super::asn1::CertIdDer;

/// The hash algorithm of a `CertID`. RFC 6960 section 4.3 has clients use SHA-1 (OpenSSL's
/// default); SHA-256 and longer are accepted too (RFC 6960 section 4.1.1 leaves it open).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CertIdHash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl CertIdHash {
    const ALL: [Self; 4] = [Self::Sha1, Self::Sha256, Self::Sha384, Self::Sha512];

    pub fn oid(self) -> ObjectIdentifier {
        match self {
            Self::Sha1 => ID_SHA1,
            Self::Sha256 => firma_core::HashAlgorithm::Sha256.oid(),
            Self::Sha384 => firma_core::HashAlgorithm::Sha384.oid(),
            Self::Sha512 => firma_core::HashAlgorithm::Sha512.oid(),
        }
    }

    /// The algorithm of a received `CertID`: a known OID with parameters absent or NULL (RFC
    /// 3279 section 2.2.1, RFC 5754 section 2: both are seen).
    pub(crate) fn from_algorithm(id: &AlgorithmIdentifierOwned) -> Option<Self> {
        let params_ok = id
            .parameters
            .as_ref()
            .is_none_or(|p| p.tag() == der::Tag::Null && p.value().is_empty());
        if !params_ok {
            return None;
        }
        Self::ALL.into_iter().find(|h| h.oid() == id.oid)
    }

    /// The identifier written in requests: parameters NULL, as OpenSSL writes them.
    pub(crate) fn algorithm_id(self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid: self.oid(),
            parameters: Some(Any::null()),
        }
    }

    pub(crate) fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Self::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Self::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Self::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }
}

/// An issuer as `CertID`s name it: the DER of its subject name (`issuerNameHash`: "the hash of
/// the issuer's distinguished name (DN)... calculated over the DER encoding of the issuer's
/// name field in the certificate being checked") and the value of its subjectPublicKey BIT
/// STRING (`issuerKeyHash`: "excluding the tag, length, and number of unused bits"), RFC 6960
/// section 4.1.1.
#[derive(Debug, Clone)]
pub(crate) struct IssuerHashes {
    name_der: Vec<u8>,
    key_bits: Vec<u8>,
}

impl IssuerHashes {
    pub(crate) fn from_certificate(issuer: &Certificate) -> Result<Self, CaError> {
        let tbs = issuer.tbs_certificate();
        Ok(Self {
            name_der: tbs.subject().to_der()?,
            key_bits: tbs
                .subject_public_key_info()
                .subject_public_key
                .raw_bytes()
                .to_vec(),
        })
    }

    /// Whether `id` names a certificate of this issuer (any serial). `CertID`s with a hash
    /// algorithm this crate does not compute never match.
    pub(crate) fn issued(&self, id: &CertIdDer) -> bool {
        CertIdHash::from_algorithm(&id.hash_algorithm).is_some_and(|h| {
            h.digest(&self.name_der) == id.issuer_name_hash.as_bytes()
                && h.digest(&self.key_bits) == id.issuer_key_hash.as_bytes()
        })
    }

    /// The `CertID` of this issuer's certificate with `serial` (DER INTEGER contents).
    pub(crate) fn cert_id(&self, hash: CertIdHash, serial: &Int) -> Result<CertIdDer, CaError> {
        Ok(CertIdDer {
            hash_algorithm: hash.algorithm_id(),
            issuer_name_hash: OctetString::new(hash.digest(&self.name_der))?,
            issuer_key_hash: OctetString::new(hash.digest(&self.key_bits))?,
            serial_number: serial.clone(),
        })
    }
}

/// The serial number of a `CertID` as an unsigned magnitude (what `RevokedEntry::serial` and
/// `IssuedCertificate::serial` hold for this CA's certificates).
pub(crate) fn serial_of(id: &CertIdDer) -> &[u8] {
    serial_magnitude(id.serial_number.as_bytes())
}

/// Parses a DER certificate handed in by a caller; `which` names it in errors.
pub(crate) fn parse_certificate(der: &[u8], which: &'static str) -> Result<Certificate, CaError> {
    Certificate::from_der(der).map_err(|e| CaError::InvalidCertificate {
        which,
        reason: format!("not a DER X.509 certificate: {e}"),
    })
}

/// A certificate's validity period.
pub(crate) fn validity(
    cert: &Certificate,
    which: &'static str,
) -> Result<(OffsetDateTime, OffsetDateTime), CaError> {
    let v = cert.tbs_certificate().validity();
    let bad = |_| CaError::InvalidCertificate {
        which,
        reason: "a validity time beyond year 9999".into(),
    };
    Ok((
        from_x509_time(v.not_before).map_err(bad)?,
        from_x509_time(v.not_after).map_err(bad)?,
    ))
}

/// Whether the signature of the DER certificate `der` verifies with `issuer`'s public key (RFC
/// 5280 section 6.1.3 (a)(1)); the reason when it does not.
pub(crate) fn signed_by(der: &[u8], issuer: &Certificate) -> Result<(), String> {
    let parts = split_signed(der).map_err(|e| format!("not a DER certificate: {e}"))?;
    let scheme = parse_signature_algorithm(&parts.algorithm).map_err(|e| e.to_string())?;
    let key = PublicKey::from_spki(issuer.tbs_certificate().subject_public_key_info())
        .map_err(|e| e.to_string())?;
    let signature = parts
        .signature
        .as_bytes()
        .ok_or_else(|| "the signature BIT STRING has unused bits".to_owned())?;
    key.verify(scheme, parts.to_be_signed, signature)
}
