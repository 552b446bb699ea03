//! The certificate profiles of the test PKI: CAs, an officer following the Italian qualified
//! signature profile (AgID; ETSI EN 319 412-2 and -5), a time-stamping authority (RFC 3161
//! section 2.3).

use der::asn1::{Ia5String, ObjectIdentifier, OctetString, PrintableString};
use der::{Any, Sequence};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::certpolicy::PolicyInformation;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, CertificatePolicies, ExtendedKeyUsage, KeyUsage,
    KeyUsages, SubjectKeyIdentifier,
};

use super::cert::{extension, ia5};

const fn oid(s: &str) -> ObjectIdentifier {
    ObjectIdentifier::new_unwrap(s)
}

pub const ID_CE_SUBJECT_KEY_IDENTIFIER: ObjectIdentifier = oid("2.5.29.14");
pub const ID_CE_KEY_USAGE: ObjectIdentifier = oid("2.5.29.15");
pub const ID_CE_BASIC_CONSTRAINTS: ObjectIdentifier = oid("2.5.29.19");
pub const ID_CE_CERTIFICATE_POLICIES: ObjectIdentifier = oid("2.5.29.32");
pub const ID_CE_AUTHORITY_KEY_IDENTIFIER: ObjectIdentifier = oid("2.5.29.35");
pub const ID_CE_EXT_KEY_USAGE: ObjectIdentifier = oid("2.5.29.37");
/// `id-pe-qcStatements` (RFC 3739 section 3.2.6).
pub const ID_PE_QC_STATEMENTS: ObjectIdentifier = oid("1.3.6.1.5.5.7.1.3");
/// `id-kp-timeStamping` (RFC 5280 section 4.2.1.12).
pub const ID_KP_TIME_STAMPING: ObjectIdentifier = oid("1.3.6.1.5.5.7.3.8");
/// ETSI EN 319 412-5 statements: QcCompliance, QcSSCD, QcType (esign), QcPDS.
pub const ID_ETSI_QCS_QC_COMPLIANCE: ObjectIdentifier = oid("0.4.0.1862.1.1");
pub const ID_ETSI_QCS_QC_SSCD: ObjectIdentifier = oid("0.4.0.1862.1.4");
pub const ID_ETSI_QCS_QC_PDS: ObjectIdentifier = oid("0.4.0.1862.1.5");
pub const ID_ETSI_QCS_QC_TYPE: ObjectIdentifier = oid("0.4.0.1862.1.6");
pub const ID_ETSI_QCT_ESIGN: ObjectIdentifier = oid("0.4.0.1862.1.6.1");
/// ETSI EN 319 411-2 policy QCP-n-qscd (qualified certificate for a natural person, key in a
/// QSCD).
pub const QCP_N_QSCD: ObjectIdentifier = oid("0.4.0.194112.1.2");
/// AgID's policy identifier for qualified certificates issued under Italian rules
/// ("agIDcert", AgID Determinazione 121/2019).
pub const AGID_CERT: ObjectIdentifier = oid("1.3.76.16.6");
/// The test TSA's policy (a private arc, for tests only).
pub const TEST_TSA_POLICY: ObjectIdentifier = oid("1.3.6.1.4.1.99999.1.1");

/// `QCStatement ::= SEQUENCE { statementId OID, statementInfo ANY OPTIONAL }` (RFC 3739
/// section 3.2.6).
#[derive(Clone, Debug, Sequence)]
struct QcStatement {
    statement_id: ObjectIdentifier,
    #[asn1(optional = "true")]
    statement_info: Option<Any>,
}

/// `PdsLocation ::= SEQUENCE { url IA5String, language PrintableString (SIZE(2)) }`
/// (ETSI EN 319 412-5 section 4.3.4).
#[derive(Clone, Debug, Sequence)]
struct PdsLocation {
    url: Ia5String,
    language: PrintableString,
}

fn key_ids(subject_key_id: &[u8], issuer_key_id: &[u8]) -> Vec<Extension> {
    vec![
        extension(
            ID_CE_SUBJECT_KEY_IDENTIFIER,
            false,
            &SubjectKeyIdentifier(
                OctetString::new(subject_key_id).unwrap_or_else(|e| panic!("{e}")),
            ),
        ),
        extension(
            ID_CE_AUTHORITY_KEY_IDENTIFIER,
            false,
            &AuthorityKeyIdentifier {
                key_identifier: Some(
                    OctetString::new(issuer_key_id).unwrap_or_else(|e| panic!("{e}")),
                ),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            },
        ),
    ]
}

/// A CA certificate: basicConstraints CA critical, keyUsage keyCertSign and cRLSign critical
/// (RFC 5280 sections 4.2.1.9 and 4.2.1.3).
pub fn ca_extensions(
    subject_key_id: &[u8],
    issuer_key_id: &[u8],
    path_len: Option<u8>,
) -> Vec<Extension> {
    let mut v = vec![
        extension(
            ID_CE_BASIC_CONSTRAINTS,
            true,
            &BasicConstraints {
                ca: true,
                path_len_constraint: path_len,
            },
        ),
        extension(
            ID_CE_KEY_USAGE,
            true,
            &KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign),
        ),
    ];
    v.extend(key_ids(subject_key_id, issuer_key_id));
    v
}

fn policies(ids: &[ObjectIdentifier]) -> Extension {
    extension(
        ID_CE_CERTIFICATE_POLICIES,
        false,
        &CertificatePolicies(
            ids.iter()
                .map(|id| PolicyInformation {
                    policy_identifier: *id,
                    policy_qualifiers: None,
                })
                .collect(),
        ),
    )
}

fn qc_statements() -> Extension {
    let statements = vec![
        QcStatement {
            statement_id: ID_ETSI_QCS_QC_COMPLIANCE,
            statement_info: None,
        },
        QcStatement {
            statement_id: ID_ETSI_QCS_QC_SSCD,
            statement_info: None,
        },
        QcStatement {
            statement_id: ID_ETSI_QCS_QC_TYPE,
            statement_info: Some(
                Any::encode_from(&vec![ID_ETSI_QCT_ESIGN]).unwrap_or_else(|e| panic!("{e}")),
            ),
        },
        QcStatement {
            statement_id: ID_ETSI_QCS_QC_PDS,
            statement_info: Some(
                Any::encode_from(&vec![PdsLocation {
                    url: ia5("https://example.invalid/pds_en.pdf"),
                    language: PrintableString::new("en").unwrap_or_else(|e| panic!("{e}")),
                }])
                .unwrap_or_else(|e| panic!("{e}")),
            ),
        },
    ];
    extension(ID_PE_QC_STATEMENTS, false, &statements)
}

/// An officer's qualified signature certificate: keyUsage nonRepudiation only, critical (AgID
/// profile, ETSI EN 319 412-2 section 4.3.2), policies QCP-n-qscd and agIDcert, QCStatements
/// QcCompliance, QcSSCD, QcType esign, QcPDS (ETSI EN 319 412-5).
pub fn officer_extensions(subject_key_id: &[u8], issuer_key_id: &[u8]) -> Vec<Extension> {
    let mut v = vec![
        extension(
            ID_CE_KEY_USAGE,
            true,
            &KeyUsage(KeyUsages::NonRepudiation.into()),
        ),
        policies(&[QCP_N_QSCD, AGID_CERT]),
        qc_statements(),
    ];
    v.extend(key_ids(subject_key_id, issuer_key_id));
    v
}

/// A TSA certificate: extended key usage id-kp-timeStamping only, critical (RFC 3161 section
/// 2.3); keyUsage digitalSignature and nonRepudiation, critical.
pub fn tsa_extensions(subject_key_id: &[u8], issuer_key_id: &[u8]) -> Vec<Extension> {
    let mut v = vec![
        extension(
            ID_CE_KEY_USAGE,
            true,
            &KeyUsage(KeyUsages::DigitalSignature | KeyUsages::NonRepudiation),
        ),
        extension(
            ID_CE_EXT_KEY_USAGE,
            true,
            &ExtendedKeyUsage(vec![ID_KP_TIME_STAMPING]),
        ),
    ];
    v.extend(key_ids(subject_key_id, issuer_key_id));
    v
}
