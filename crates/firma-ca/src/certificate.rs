//! Assembling, signing and checking X.509 v3 certificates (RFC 5280 section 4.1), signed by a
//! CA key in the HSM through the [`ActiveKey`] port.

use der::asn1::BitString;
use der::{Decode, Encode, Sequence};
use firma_core::ActiveKey;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use time::OffsetDateTime;
use x509_cert::Certificate;
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Time;

use crate::algorithm::{digest, parse_signature_algorithm, signature_algorithm_id};
use crate::encode::{split_signed, x509_time};
use crate::error::CaError;
use crate::public_key::PublicKey;

/// `Validity ::= SEQUENCE { notBefore Time, notAfter Time }` (RFC 5280 section 4.1.2.5).
#[derive(Clone, Debug, Sequence)]
struct ValidityDer {
    not_before: Time,
    not_after: Time,
}

/// `TBSCertificate` (RFC 5280 section 4.1): version 3 (section 4.1.2.1: extensions are
/// present), no unique identifiers (section 4.1.2.8: conforming CAs do not generate them).
#[derive(Clone, Debug, Sequence)]
struct TbsDer {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    version: u8,
    serial_number: SerialNumber,
    signature: AlgorithmIdentifierOwned,
    issuer: Name,
    validity: ValidityDer,
    subject: Name,
    subject_public_key_info: SubjectPublicKeyInfoOwned,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT")]
    extensions: Vec<Extension>,
}

/// `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }` (RFC
/// 5280 section 4.1.1).
#[derive(Clone, Debug, Sequence)]
struct CertificateDer {
    tbs_certificate: TbsDer,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
}

/// What goes into one certificate.
pub(crate) struct CertSpec<'a> {
    pub serial: &'a [u8],
    pub issuer: Name,
    pub subject: Name,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub subject_public_key: SubjectPublicKeyInfoOwned,
    pub extensions: Vec<Extension>,
}

/// Signs `spec` with `issuer_key` and returns the DER certificate. The signature algorithm is
/// the key's default (ecdsa-with-SHA256, RFC 5758 section 3.2; sha256WithRSAEncryption, RFC
/// 4055 section 5), the same in `signature` and `signatureAlgorithm` (RFC 5280 section
/// 4.1.1.2). The result is parsed back before it is returned.
pub(crate) fn sign_certificate(
    spec: CertSpec<'_>,
    issuer_key: &dyn ActiveKey,
) -> Result<Vec<u8>, CaError> {
    let algorithm = issuer_key.spec().default_algorithm();
    let algorithm_id = signature_algorithm_id(algorithm)?;
    let tbs = TbsDer {
        version: 2,
        serial_number: SerialNumber::new(spec.serial)?,
        signature: algorithm_id.clone(),
        issuer: spec.issuer,
        validity: ValidityDer {
            not_before: x509_time(spec.not_before)?,
            not_after: x509_time(spec.not_after)?,
        },
        subject: spec.subject,
        subject_public_key_info: spec.subject_public_key,
        extensions: spec.extensions,
    };
    let tbs_der = tbs.to_der()?;
    let signature = issuer_key.sign_digest(algorithm, &digest(algorithm.hash(), &tbs_der))?;
    let der = CertificateDer {
        tbs_certificate: tbs,
        signature_algorithm: algorithm_id,
        signature: BitString::from_bytes(&signature)?,
    }
    .to_der()?;
    Certificate::from_der(&der)?;
    Ok(der)
}

/// Parses a DER certificate and checks that `issuer_key` (the issuer's SPKI) signed it.
/// `which` names the certificate in errors.
pub(crate) fn parse_and_check(
    der: &[u8],
    issuer_key: &SubjectPublicKeyInfoOwned,
    which: &str,
) -> Result<Certificate, CaError> {
    let invalid =
        |reason: String| CaError::InvalidMaterial(format!("{which} certificate: {reason}"));
    let cert = Certificate::from_der(der).map_err(|e| invalid(e.to_string()))?;
    let parts = split_signed(der).map_err(|e| invalid(e.to_string()))?;
    if &parts.algorithm != cert.tbs_certificate().signature() {
        return Err(invalid(
            "signatureAlgorithm differs from the signature field of the TBSCertificate".into(),
        ));
    }
    let scheme = parse_signature_algorithm(&parts.algorithm)?;
    let key = PublicKey::from_spki(issuer_key)?;
    let signature = parts
        .signature
        .as_bytes()
        .ok_or_else(|| invalid("signature BIT STRING with unused bits".into()))?;
    key.verify(scheme, parts.to_be_signed, signature)
        .map_err(|e| invalid(format!("signature: {e}")))?;
    Ok(cert)
}

/// Whether the DER certificate `certificate` certifies `key`: its subjectPublicKeyInfo holds
/// the same public key (RFC 5280 section 4.1.2.7; compared as algorithm, curve and key bits).
/// What a caller checks on a certificate an Ente Certificatore returned, before relying on it.
pub fn certifies_key(certificate: &[u8], key: &firma_core::PublicKeyDer) -> Result<bool, CaError> {
    let cert = Certificate::from_der(certificate).map_err(|e| CaError::InvalidCertificate {
        which: "issued",
        reason: e.to_string(),
    })?;
    crate::public_key::same_key(cert.tbs_certificate().subject_public_key_info(), key)
}
