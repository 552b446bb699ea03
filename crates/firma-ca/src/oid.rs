//! Object identifiers of the certificate profiles. Each constant names the document that
//! assigns it.

use const_oid::ObjectIdentifier;

const fn oid(s: &str) -> ObjectIdentifier {
    ObjectIdentifier::new_unwrap(s)
}

// X.520 attribute types (RFC 5280 appendix A.1, ETSI EN 319 412-1 section 5.1.4).
pub const AT_COMMON_NAME: ObjectIdentifier = oid("2.5.4.3");
pub const AT_SURNAME: ObjectIdentifier = oid("2.5.4.4");
pub const AT_SERIAL_NUMBER: ObjectIdentifier = oid("2.5.4.5");
pub const AT_COUNTRY: ObjectIdentifier = oid("2.5.4.6");
pub const AT_ORGANIZATION: ObjectIdentifier = oid("2.5.4.10");
pub const AT_ORGANIZATIONAL_UNIT: ObjectIdentifier = oid("2.5.4.11");
pub const AT_GIVEN_NAME: ObjectIdentifier = oid("2.5.4.42");
/// `organizationIdentifier` (X.520, ETSI EN 319 412-1 section 5.1.4).
pub const AT_ORGANIZATION_IDENTIFIER: ObjectIdentifier = oid("2.5.4.97");

// Certificate extensions (RFC 5280 section 4.2).
pub const ID_CE_SUBJECT_KEY_IDENTIFIER: ObjectIdentifier = oid("2.5.29.14");
pub const ID_CE_KEY_USAGE: ObjectIdentifier = oid("2.5.29.15");
pub const ID_CE_BASIC_CONSTRAINTS: ObjectIdentifier = oid("2.5.29.19");
pub const ID_CE_CRL_DISTRIBUTION_POINTS: ObjectIdentifier = oid("2.5.29.31");
pub const ID_CE_CERTIFICATE_POLICIES: ObjectIdentifier = oid("2.5.29.32");
pub const ID_CE_AUTHORITY_KEY_IDENTIFIER: ObjectIdentifier = oid("2.5.29.35");
pub const ID_CE_EXT_KEY_USAGE: ObjectIdentifier = oid("2.5.29.37");
/// `id-pe-authorityInfoAccess` (RFC 5280 section 4.2.2.1).
pub const ID_PE_AUTHORITY_INFO_ACCESS: ObjectIdentifier = oid("1.3.6.1.5.5.7.1.1");
/// `id-pe-qcStatements` (RFC 3739 section 3.2.6).
pub const ID_PE_QC_STATEMENTS: ObjectIdentifier = oid("1.3.6.1.5.5.7.1.3");
/// `id-ad-ocsp` (RFC 5280 section 4.2.2.1).
pub const ID_AD_OCSP: ObjectIdentifier = oid("1.3.6.1.5.5.7.48.1");
/// `id-ad-caIssuers` (RFC 5280 section 4.2.2.1).
pub const ID_AD_CA_ISSUERS: ObjectIdentifier = oid("1.3.6.1.5.5.7.48.2");
/// `id-pkix-ocsp-nocheck` (RFC 6960 section 4.2.2.2.1).
pub const ID_PKIX_OCSP_NOCHECK: ObjectIdentifier = oid("1.3.6.1.5.5.7.48.1.5");
/// `id-qt-cps`, the CPS pointer policy qualifier (RFC 5280 section 4.2.1.4).
pub const ID_QT_CPS: ObjectIdentifier = oid("1.3.6.1.5.5.7.2.1");

// CRL and CRL entry extensions (RFC 5280 sections 5.2 and 5.3).
/// `id-ce-cRLNumber` (RFC 5280 section 5.2.3).
pub const ID_CE_CRL_NUMBER: ObjectIdentifier = oid("2.5.29.20");
/// `id-ce-cRLReasons`, the reason code entry extension (RFC 5280 section 5.3.1).
pub const ID_CE_CRL_REASONS: ObjectIdentifier = oid("2.5.29.21");
/// `id-ce-invalidityDate` (RFC 5280 section 5.3.2).
pub const ID_CE_INVALIDITY_DATE: ObjectIdentifier = oid("2.5.29.24");

// OCSP (RFC 6960 section 4 and appendix B).
/// `id-pkix-ocsp-basic`, the `BasicOCSPResponse` response type (RFC 6960 section 4.2.1).
pub const ID_PKIX_OCSP_BASIC: ObjectIdentifier = oid("1.3.6.1.5.5.7.48.1.1");
/// `id-pkix-ocsp-nonce` (RFC 6960 section 4.4.1, RFC 9654).
pub const ID_PKIX_OCSP_NONCE: ObjectIdentifier = oid("1.3.6.1.5.5.7.48.1.2");
/// `id-sha1` (RFC 3279 section 2.2.1): the default hash of an OCSP `CertID` (RFC 6960 section
/// 4.3).
pub const ID_SHA1: ObjectIdentifier = oid("1.3.14.3.2.26");

// Extended key usages (RFC 5280 section 4.2.1.12).
pub const ID_KP_CLIENT_AUTH: ObjectIdentifier = oid("1.3.6.1.5.5.7.3.2");
pub const ID_KP_TIME_STAMPING: ObjectIdentifier = oid("1.3.6.1.5.5.7.3.8");
pub const ID_KP_OCSP_SIGNING: ObjectIdentifier = oid("1.3.6.1.5.5.7.3.9");

// QCStatements (ETSI EN 319 412-5 section 4 and annex B; RFC 3739 section 3.2.6.1).
/// `id-etsi-qcs-QcCompliance`: an EU qualified certificate (EN 319 412-5 section 4.2.1).
pub const ID_ETSI_QCS_QC_COMPLIANCE: ObjectIdentifier = oid("0.4.0.1862.1.1");
/// `id-etsi-qcs-QcSSCD`: the private key is in a qualified signature creation device (EN 319
/// 412-5 section 4.2.2).
pub const ID_ETSI_QCS_QC_SSCD: ObjectIdentifier = oid("0.4.0.1862.1.4");
/// `id-etsi-qcs-QcPDS`: where the PKI disclosure statements are (EN 319 412-5 section 4.3.4).
pub const ID_ETSI_QCS_QC_PDS: ObjectIdentifier = oid("0.4.0.1862.1.5");
/// `id-etsi-qcs-QcType` (EN 319 412-5 section 4.2.3).
pub const ID_ETSI_QCS_QC_TYPE: ObjectIdentifier = oid("0.4.0.1862.1.6");
/// `id-etsi-qct-esign`: a certificate for electronic signatures (EN 319 412-5 section 4.2.3).
pub const ID_ETSI_QCT_ESIGN: ObjectIdentifier = oid("0.4.0.1862.1.6.1");
/// `id-qcs-pkixQCSyntax-v2` (RFC 3739 section 3.2.6.1): carries a semantics identifier.
pub const ID_QCS_PKIX_QC_SYNTAX_V2: ObjectIdentifier = oid("1.3.6.1.5.5.7.11.2");
/// `id-etsi-qcs-semanticsId-Natural`: the subject serialNumber is a natural person identifier
/// in the form of ETSI EN 319 412-1 section 5.1.3 (for example `TINIT-<codice fiscale>`).
pub const ID_ETSI_QCS_SEMANTICS_ID_NATURAL: ObjectIdentifier = oid("0.4.0.194121.1.1");

// Certificate policies.
/// QCP-n-qscd: qualified certificate for a natural person with the key in a QSCD (ETSI EN 319
/// 411-2 section 5.3).
pub const QCP_N_QSCD: ObjectIdentifier = oid("0.4.0.194112.1.2");
/// AgID's "agIDcert" policy for qualified certificates following the Italian profile (AgID
/// Determinazione 121/2019), as the test PKI of `firma-testkit` uses it.
pub const AGID_CERT: ObjectIdentifier = oid("1.3.76.16.6");
/// The simulator's certificate policy for officers' qualified signature certificates (a
/// private arc: this simulator is not a qualified trust service provider).
pub const SIMULATOR_OFFICER_POLICY: ObjectIdentifier = oid("1.3.6.1.4.1.99999.2.1.1");
/// The simulator's policy for workstation (TLS client) certificates.
pub const SIMULATOR_WORKSTATION_POLICY: ObjectIdentifier = oid("1.3.6.1.4.1.99999.2.1.2");
/// The simulator's policy for its time-stamping and OCSP responder certificates.
pub const SIMULATOR_SERVICE_POLICY: ObjectIdentifier = oid("1.3.6.1.4.1.99999.2.1.3");
/// The TSA policy the simulator's time-stamping authority puts in its tokens (RFC 3161 section
/// 2.4.2 `policy`).
pub const SIMULATOR_TSA_POLICY: ObjectIdentifier = oid("1.3.6.1.4.1.99999.2.2.1");

// Keys and signature algorithms.
/// `rsaEncryption` (RFC 8017 appendix C, RFC 3279 section 2.3.1).
pub const RSA_ENCRYPTION: ObjectIdentifier = oid("1.2.840.113549.1.1.1");
/// `id-RSASSA-PSS` (RFC 4055 section 3.1).
pub const ID_RSASSA_PSS: ObjectIdentifier = oid("1.2.840.113549.1.1.10");
/// `id-mgf1` (RFC 4055 section 2.2).
pub const ID_MGF1: ObjectIdentifier = oid("1.2.840.113549.1.1.8");
/// `id-ecPublicKey` (RFC 5480 section 2.1.1).
pub const ID_EC_PUBLIC_KEY: ObjectIdentifier = oid("1.2.840.10045.2.1");
/// `secp256r1` (RFC 5480 section 2.1.1.1).
pub const SECP256R1: ObjectIdentifier = oid("1.2.840.10045.3.1.7");
