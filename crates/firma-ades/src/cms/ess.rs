//! Enhanced Security Services signing-certificate attributes: `SigningCertificateV2`
//! (RFC 5035 section 3) written and read, `SigningCertificate` (RFC 2634 section 5.4) read
//! only, for time-stamp tokens of TSAs that still use it.

use der::asn1::OctetString;
use der::{Decode, Encode, Sequence};
use firma_core::HashAlgorithm;
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;

use super::CmsError;
use super::algorithm::hash_from_oid;
use super::digest::digest;

/// ```text
/// IssuerSerial ::= SEQUENCE {
///     issuer                   GeneralNames,
///     serialNumber             CertificateSerialNumber }
/// ```
/// (RFC 5035 section 4.)
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct IssuerSerial {
    pub issuer: Vec<GeneralName>,
    pub serial_number: SerialNumber,
}

/// ```text
/// ESSCertIDv2 ::= SEQUENCE {
///     hashAlgorithm           AlgorithmIdentifier
///                             DEFAULT {algorithm id-sha256},
///     certHash                 Hash,
///     issuerSerial             IssuerSerial OPTIONAL }
/// ```
/// (RFC 5035 section 4.) DER omits `hashAlgorithm` when it is SHA-256 (X.690 section 11.5).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct EssCertIdV2 {
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    pub cert_hash: OctetString,
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// ```text
/// SigningCertificateV2 ::=  SEQUENCE {
///     certs        SEQUENCE OF ESSCertIDv2,
///     policies     SEQUENCE OF PolicyInformation OPTIONAL }
/// ```
/// (RFC 5035 section 3.) Policies are never written; when read they are kept undecoded.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SigningCertificateV2 {
    pub certs: Vec<EssCertIdV2>,
    #[asn1(optional = "true")]
    pub policies: Option<der::Any>,
}

/// ```text
/// ESSCertID ::=  SEQUENCE {
///     certHash                 Hash,   -- SHA-1
///     issuerSerial             IssuerSerial OPTIONAL }
/// SigningCertificate ::=  SEQUENCE {
///     certs        SEQUENCE OF ESSCertID,
///     policies     SEQUENCE OF PolicyInformation OPTIONAL }
/// ```
/// (RFC 2634 section 5.4.)
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct EssCertId {
    pub cert_hash: OctetString,
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// See [`EssCertId`].
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SigningCertificate {
    pub certs: Vec<EssCertId>,
    #[asn1(optional = "true")]
    pub policies: Option<der::Any>,
}

fn issuer_serial(cert: &Certificate) -> IssuerSerial {
    let tbs = cert.tbs_certificate();
    IssuerSerial {
        issuer: vec![GeneralName::DirectoryName(tbs.issuer().clone())],
        serial_number: tbs.serial_number().clone(),
    }
}

/// The attribute value identifying `cert` (its DER is `cert_der`) by its `hash` and issuer and
/// serial number, as ETSI EN 319 122-1 clause 5.2.2.3 requires for CAdES baseline signatures.
pub fn signing_certificate_v2(
    cert: &Certificate,
    cert_der: &[u8],
    hash: HashAlgorithm,
) -> Result<SigningCertificateV2, CmsError> {
    let hash_algorithm = match hash {
        HashAlgorithm::Sha256 => None,
        other => Some(AlgorithmIdentifierOwned {
            oid: other.oid(),
            parameters: None,
        }),
    };
    Ok(SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm,
            cert_hash: OctetString::new(digest(hash, cert_der))?,
            issuer_serial: Some(issuer_serial(cert)),
        }],
        policies: None,
    })
}

/// Checks that the first certificate named by an ESS attribute value is `cert`: RFC 5035
/// section 3 ("the first certificate identified in the sequence ... MUST be the certificate
/// used to verify the signature"). `v2` tells which attribute `value_der` is.
pub(crate) fn check_signing_certificate(
    value_der: &[u8],
    v2: bool,
    cert: &Certificate,
) -> Result<(), CmsError> {
    let cert_der = cert.to_der()?;
    let bad = |what: &str| CmsError::Verification(format!("ESS signing certificate: {what}"));
    let (hash_ok, serial) = if v2 {
        let v = SigningCertificateV2::from_der(value_der)
            .map_err(|e| CmsError::Malformed(format!("SigningCertificateV2: {e}")))?;
        let first = v
            .certs
            .into_iter()
            .next()
            .ok_or_else(|| bad("no certificate listed"))?;
        let hash = match &first.hash_algorithm {
            None => HashAlgorithm::Sha256,
            Some(a) => hash_from_oid(&a.oid)?,
        };
        (
            digest(hash, &cert_der) == first.cert_hash.as_bytes(),
            first.issuer_serial,
        )
    } else {
        let v = SigningCertificate::from_der(value_der)
            .map_err(|e| CmsError::Malformed(format!("SigningCertificate: {e}")))?;
        let first = v
            .certs
            .into_iter()
            .next()
            .ok_or_else(|| bad("no certificate listed"))?;
        let sha1 = {
            use sha1::Digest as _;
            sha1::Sha1::digest(&cert_der).to_vec()
        };
        (sha1 == first.cert_hash.as_bytes(), first.issuer_serial)
    };
    if !hash_ok {
        return Err(bad(
            "the certificate hash does not match the signer certificate",
        ));
    }
    if serial.is_some_and(|is| is != issuer_serial(cert)) {
        return Err(bad(
            "issuer and serial number do not match the signer certificate",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use firma_core::KeySpec;
    use firma_testkit::pki::TestPki;

    fn cert(der: &[u8]) -> Certificate {
        Certificate::from_der(der).unwrap()
    }

    #[test]
    fn the_attribute_names_exactly_the_signer_certificate() {
        let pki = TestPki::shared(KeySpec::EcP256);
        let (a, b) = (&pki.signer.cert_der, &pki.signer2.cert_der);
        for hash in [HashAlgorithm::Sha256, HashAlgorithm::Sha512] {
            let v = signing_certificate_v2(&cert(a), a, hash).unwrap();
            // DER leaves out the DEFAULT hash algorithm (SHA-256), names any other.
            assert_eq!(
                v.certs[0].hash_algorithm.is_none(),
                hash == HashAlgorithm::Sha256
            );
            let der = v.to_der().unwrap();
            check_signing_certificate(&der, true, &cert(a)).unwrap();
            assert!(matches!(
                check_signing_certificate(&der, true, &cert(b)),
                Err(CmsError::Verification(_))
            ));
        }
        // The right hash with another certificate's issuer and serial is refused too.
        let mut v = signing_certificate_v2(&cert(a), a, HashAlgorithm::Sha256).unwrap();
        v.certs[0].issuer_serial = signing_certificate_v2(&cert(b), b, HashAlgorithm::Sha256)
            .unwrap()
            .certs[0]
            .issuer_serial
            .clone();
        let der = v.to_der().unwrap();
        let err = check_signing_certificate(&der, true, &cert(a)).unwrap_err();
        assert!(err.to_string().contains("issuer and serial"), "{err}");
    }

    #[test]
    fn version_1_attributes_are_read_with_sha1() {
        let pki = TestPki::shared(KeySpec::EcP256);
        let a = &pki.signer.cert_der;
        let v1 = SigningCertificate {
            certs: vec![EssCertId {
                cert_hash: OctetString::new({
                    use sha1::Digest as _;
                    sha1::Sha1::digest(a).to_vec()
                })
                .unwrap(),
                issuer_serial: None,
            }],
            policies: None,
        };
        let der = v1.to_der().unwrap();
        check_signing_certificate(&der, false, &cert(a)).unwrap();
        assert!(check_signing_certificate(&der, false, &cert(&pki.signer2.cert_der)).is_err());
    }
}
