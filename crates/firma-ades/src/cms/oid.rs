//! Object identifiers used by CMS, CAdES and the time-stamp protocol.
//!
//! Each constant names the document that assigns it.

use const_oid::ObjectIdentifier;

const fn oid(s: &str) -> ObjectIdentifier {
    ObjectIdentifier::new_unwrap(s)
}

/// `id-data` (RFC 5652 section 4).
pub const ID_DATA: ObjectIdentifier = oid("1.2.840.113549.1.7.1");
/// `id-signedData` (RFC 5652 section 5.1).
pub const ID_SIGNED_DATA: ObjectIdentifier = oid("1.2.840.113549.1.7.2");
/// `id-ct-TSTInfo` (RFC 3161 section 2.4.2).
pub const ID_CT_TST_INFO: ObjectIdentifier = oid("1.2.840.113549.1.9.16.1.4");

/// `id-contentType` signed attribute (RFC 5652 section 11.1).
pub const ID_CONTENT_TYPE: ObjectIdentifier = oid("1.2.840.113549.1.9.3");
/// `id-messageDigest` signed attribute (RFC 5652 section 11.2).
pub const ID_MESSAGE_DIGEST: ObjectIdentifier = oid("1.2.840.113549.1.9.4");
/// `id-signingTime` signed attribute (RFC 5652 section 11.3).
pub const ID_SIGNING_TIME: ObjectIdentifier = oid("1.2.840.113549.1.9.5");
/// `id-aa-signingCertificate` (RFC 2634 section 5.4, ESS v1 with SHA-1).
pub const ID_AA_SIGNING_CERTIFICATE: ObjectIdentifier = oid("1.2.840.113549.1.9.16.2.12");
/// `id-aa-signingCertificateV2` (RFC 5035 section 3).
pub const ID_AA_SIGNING_CERTIFICATE_V2: ObjectIdentifier = oid("1.2.840.113549.1.9.16.2.47");
/// `id-aa-signatureTimeStampToken` unsigned attribute (RFC 3161 appendix A, ETSI EN 319 122-1
/// clause 5.3).
pub const ID_AA_SIGNATURE_TIME_STAMP_TOKEN: ObjectIdentifier = oid("1.2.840.113549.1.9.16.2.14");

/// `rsaEncryption` (RFC 8017 appendix C), accepted as a CMS signature algorithm (RFC 3370
/// section 3.2).
pub const RSA_ENCRYPTION: ObjectIdentifier = oid("1.2.840.113549.1.1.1");
/// `id-RSASSA-PSS` (RFC 4055 section 3.1).
pub const ID_RSASSA_PSS: ObjectIdentifier = oid("1.2.840.113549.1.1.10");
/// `id-mgf1` (RFC 4055 section 2.2).
pub const ID_MGF1: ObjectIdentifier = oid("1.2.840.113549.1.1.8");
/// `id-ecPublicKey` (RFC 5480 section 2.1.1).
pub const ID_EC_PUBLIC_KEY: ObjectIdentifier = oid("1.2.840.10045.2.1");
/// `secp256r1` (RFC 5480 section 2.1.1.1).
pub const SECP256R1: ObjectIdentifier = oid("1.2.840.10045.3.1.7");
/// `id-sha1` (RFC 3370 section 2.1), only read: ESS v1 certificate hashes of time-stamp tokens.
pub const ID_SHA1: ObjectIdentifier = oid("1.3.14.3.2.26");

/// `id-kp-timeStamping` (RFC 5280 section 4.2.1.12, RFC 3161 section 2.3).
pub const ID_KP_TIME_STAMPING: ObjectIdentifier = oid("1.3.6.1.5.5.7.3.8");
/// `id-ce-extKeyUsage` (RFC 5280 section 4.2.1.12).
pub const ID_CE_EXT_KEY_USAGE: ObjectIdentifier = oid("2.5.29.37");
