//! Assembling and signing X.509 v3 certificates (RFC 5280 section 4.1) with a [`SoftwareKey`].

use der::asn1::{
    BitString, Ia5String, ObjectIdentifier, OctetString, PrintableString, SetOfVec, Utf8StringRef,
};
use der::{Any, Decode, Encode, Sequence};
use firma_core::{ActiveKey, KeySpec, SignatureAlgorithm};
use sha2::Digest;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use time::OffsetDateTime;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Time;

use super::key::SoftwareKey;

/// `Validity` (RFC 5280 section 4.1.2.5).
#[derive(Clone, Debug, Sequence)]
struct ValidityDer {
    not_before: Time,
    not_after: Time,
}

/// `TBSCertificate` (RFC 5280 section 4.1), version 3, without unique identifiers.
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

/// `Certificate` (RFC 5280 section 4.1).
#[derive(Clone, Debug, Sequence)]
struct CertificateDer {
    tbs_certificate: TbsDer,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
}

/// One attribute of a distinguished name.
#[derive(Clone, Debug)]
pub enum NameAttr {
    /// A PrintableString attribute (countryName, serialNumber: X.520).
    Printable(ObjectIdentifier, String),
    /// A UTF8String attribute.
    Utf8(ObjectIdentifier, String),
}

/// X.520 attribute types used by the test PKI.
pub mod attr {
    use der::asn1::ObjectIdentifier;
    pub const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
    pub const SURNAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.4");
    pub const SERIAL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.5");
    pub const COUNTRY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.6");
    pub const ORGANIZATION: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");
    pub const ORGANIZATIONAL_UNIT: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.11");
    pub const GIVEN_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.42");
    pub const DN_QUALIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.46");
    pub const ORGANIZATION_IDENTIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.97");
}

/// A distinguished name with one attribute per RDN, in the order given (RFC 5280 section
/// 4.1.2.4).
pub fn name(attrs: &[NameAttr]) -> Name {
    let mut rdns: Vec<SetOfVec<AttributeTypeAndValue>> = Vec::new();
    for a in attrs {
        let (oid, value) = match a {
            NameAttr::Printable(oid, s) => (
                *oid,
                Any::encode_from(&PrintableString::new(s).unwrap_or_else(|e| panic!("{s}: {e}"))),
            ),
            NameAttr::Utf8(oid, s) => (
                *oid,
                Any::encode_from(&Utf8StringRef::new(s).unwrap_or_else(|e| panic!("{s}: {e}"))),
            ),
        };
        let value = value.unwrap_or_else(|e| panic!("name encoding: {e}"));
        let mut set = SetOfVec::new();
        set.insert(AttributeTypeAndValue { oid, value })
            .unwrap_or_else(|e| panic!("name encoding: {e}"));
        rdns.push(set);
    }
    let der = rdns
        .to_der()
        .unwrap_or_else(|e| panic!("name encoding: {e}"));
    Name::from_der(&der).unwrap_or_else(|e| panic!("name decoding: {e}"))
}

/// An extension with its DER value.
pub fn extension(oid: ObjectIdentifier, critical: bool, value: &impl Encode) -> Extension {
    Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_der().unwrap_or_else(|e| panic!("{oid}: {e}")))
            .unwrap_or_else(|e| panic!("{oid}: {e}")),
    }
}

/// The key identifier of RFC 5280 section 4.2.1.2 method (1): SHA-1 of the public key bits.
pub fn key_identifier(spki_der: &[u8]) -> Vec<u8> {
    let spki =
        SubjectPublicKeyInfoOwned::from_der(spki_der).unwrap_or_else(|e| panic!("SPKI: {e}"));
    sha1::Sha1::digest(spki.subject_public_key.raw_bytes()).to_vec()
}

/// The certificate signature algorithm for a CA key: ecdsa-with-SHA256 or
/// sha256WithRSAEncryption (RFC 5758 section 3.2, RFC 4055 section 5).
pub fn signature_algorithm(spec: KeySpec) -> SignatureAlgorithm {
    spec.default_algorithm()
}

fn algorithm_id(alg: SignatureAlgorithm) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: alg.oid(),
        parameters: match alg {
            SignatureAlgorithm::Ecdsa(_) => None,
            _ => Some(Any::null()),
        },
    }
}

/// UTCTime until 2049, GeneralizedTime after (RFC 5280 section 4.1.2.5).
pub fn x509_time(at: OffsetDateTime) -> Time {
    let d = std::time::Duration::from_secs(u64::try_from(at.unix_timestamp()).unwrap_or(0));
    if at.year() < 2050 {
        Time::UtcTime(der::asn1::UtcTime::from_unix_duration(d).unwrap_or_else(|e| panic!("{e}")))
    } else {
        Time::GeneralTime(
            der::asn1::GeneralizedTime::from_unix_duration(d).unwrap_or_else(|e| panic!("{e}")),
        )
    }
}

/// What goes into one certificate.
pub struct CertSpec<'a> {
    pub serial: &'a [u8],
    pub issuer: Name,
    pub subject: Name,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub subject_public_key_der: &'a [u8],
    pub extensions: Vec<Extension>,
}

/// Signs `spec` with `issuer_key` and returns the DER certificate.
pub fn issue(spec: CertSpec<'_>, issuer_key: &SoftwareKey) -> Vec<u8> {
    let alg = signature_algorithm(issuer_key.spec());
    let tbs = TbsDer {
        version: 2,
        serial_number: SerialNumber::new(spec.serial).unwrap_or_else(|e| panic!("serial: {e}")),
        signature: algorithm_id(alg),
        issuer: spec.issuer,
        validity: ValidityDer {
            not_before: x509_time(spec.not_before),
            not_after: x509_time(spec.not_after),
        },
        subject: spec.subject,
        subject_public_key_info: SubjectPublicKeyInfoOwned::from_der(spec.subject_public_key_der)
            .unwrap_or_else(|e| panic!("SPKI: {e}")),
        extensions: spec.extensions,
    };
    let tbs_der = tbs
        .to_der()
        .unwrap_or_else(|e| panic!("TBSCertificate: {e}"));
    let digest = sha2::Sha256::digest(&tbs_der);
    let sig = issuer_key
        .sign_digest(alg, &digest)
        .unwrap_or_else(|e| panic!("certificate signature: {e}"));
    let cert = CertificateDer {
        tbs_certificate: tbs,
        signature_algorithm: algorithm_id(alg),
        signature: BitString::from_bytes(&sig).unwrap_or_else(|e| panic!("{e}")),
    };
    let der = cert.to_der().unwrap_or_else(|e| panic!("Certificate: {e}"));
    // Parse it back: what we hand out must be a valid RFC 5280 certificate.
    x509_cert::Certificate::from_der(&der)
        .unwrap_or_else(|e| panic!("issued certificate does not parse: {e}"));
    der
}

/// An IA5String, for URLs in extensions.
pub fn ia5(s: &str) -> Ia5String {
    Ia5String::new(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}
