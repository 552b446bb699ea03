//! The certificate extensions of each profile (RFC 5280 section 4.2; ETSI EN 319 412-2 for
//! qualified certificates of natural persons; ETSI EN 319 412-5 for QCStatements).

use der::asn1::{Ia5String, Null, ObjectIdentifier, OctetString, PrintableString};
use der::{Any, Sequence};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::certpolicy::{PolicyInformation, PolicyQualifierInfo};
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    AccessDescription, AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints,
    CertificatePolicies, CrlDistributionPoints, ExtendedKeyUsage, KeyUsage, KeyUsages,
    SubjectKeyIdentifier,
};

use crate::encode::extension;
use crate::error::CaError;
use crate::oid::*;
use crate::profile::CaProfile;

/// `QCStatement ::= SEQUENCE { statementId OBJECT IDENTIFIER, statementInfo ANY DEFINED BY
/// statementId OPTIONAL }` (RFC 3739 section 3.2.6).
#[derive(Clone, Debug, Sequence)]
struct QcStatement {
    statement_id: ObjectIdentifier,
    #[asn1(optional = "true")]
    statement_info: Option<Any>,
}

/// `PdsLocation ::= SEQUENCE { url IA5String, language PrintableString (SIZE(2)) }` (ETSI EN
/// 319 412-5 section 4.3.4).
#[derive(Clone, Debug, Sequence)]
struct PdsLocationDer {
    url: Ia5String,
    language: PrintableString,
}

/// `SemanticsInformation ::= SEQUENCE { semanticsIdentifier OBJECT IDENTIFIER OPTIONAL,
/// nameRegistrationAuthorities NameRegistrationAuthorities OPTIONAL }` (RFC 3739 section
/// 3.2.6.1), here with the identifier only.
#[derive(Clone, Debug, Sequence)]
struct SemanticsInformation {
    semantics_identifier: ObjectIdentifier,
}

fn ia5(what: &str, s: &str) -> Result<Ia5String, CaError> {
    Ia5String::new(s).map_err(|e| CaError::InvalidProfile(format!("{what} {s:?}: {e}")))
}

/// Subject and authority key identifiers (RFC 5280 sections 4.2.1.2 and 4.2.1.1), both
/// non-critical; the authority key identifier carries the keyIdentifier only.
pub(crate) fn key_identifiers(
    subject_key_id: &[u8],
    issuer_key_id: &[u8],
) -> Result<Vec<Extension>, CaError> {
    Ok(vec![
        extension(
            ID_CE_SUBJECT_KEY_IDENTIFIER,
            false,
            &SubjectKeyIdentifier(OctetString::new(subject_key_id)?),
        )?,
        extension(
            ID_CE_AUTHORITY_KEY_IDENTIFIER,
            false,
            &AuthorityKeyIdentifier {
                key_identifier: Some(OctetString::new(issuer_key_id)?),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            },
        )?,
    ])
}

/// A CA certificate: basicConstraints cA TRUE with `path_len`, critical (RFC 5280 section
/// 4.2.1.9); keyUsage keyCertSign and cRLSign, critical (section 4.2.1.3).
pub(crate) fn ca(
    subject_key_id: &[u8],
    issuer_key_id: &[u8],
    path_len: u8,
) -> Result<Vec<Extension>, CaError> {
    let mut v = vec![
        extension(
            ID_CE_BASIC_CONSTRAINTS,
            true,
            &BasicConstraints {
                ca: true,
                path_len_constraint: Some(path_len),
            },
        )?,
        extension(
            ID_CE_KEY_USAGE,
            true,
            &KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign),
        )?,
    ];
    v.extend(key_identifiers(subject_key_id, issuer_key_id)?);
    Ok(v)
}

/// certificatePolicies, non-critical (RFC 5280 section 4.2.1.4). The first policy carries the
/// CPS pointer qualifier.
fn policies(ids: &[ObjectIdentifier], cps_url: &str) -> Result<Extension, CaError> {
    let mut infos = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        let qualifiers = if i == 0 {
            Some(vec![PolicyQualifierInfo {
                policy_qualifier_id: ID_QT_CPS,
                qualifier: Some(Any::encode_from(&ia5("cps_url", cps_url)?)?),
            }])
        } else {
            None
        };
        infos.push(PolicyInformation {
            policy_identifier: *id,
            policy_qualifiers: qualifiers,
        });
    }
    extension(
        ID_CE_CERTIFICATE_POLICIES,
        false,
        &CertificatePolicies(infos),
    )
}

/// cRLDistributionPoints with one distribution point, the full name an HTTP URI (RFC 5280
/// section 4.2.1.13; ETSI EN 319 412-2 section 4.3.11).
fn crl_distribution_point(profile: &CaProfile) -> Result<Extension, CaError> {
    let uri = GeneralName::UniformResourceIdentifier(ia5("crl_url", &profile.crl_url)?);
    extension(
        ID_CE_CRL_DISTRIBUTION_POINTS,
        false,
        &CrlDistributionPoints(vec![DistributionPoint {
            distribution_point: Some(DistributionPointName::FullName(vec![uri])),
            reasons: None,
            crl_issuer: None,
        }]),
    )
}

/// authorityInfoAccess, non-critical (RFC 5280 section 4.2.2.1; ETSI EN 319 412-2 section
/// 4.4.1): the OCSP responder (unless `with_ocsp` is false) and the issuing CA certificate.
fn authority_info_access(profile: &CaProfile, with_ocsp: bool) -> Result<Extension, CaError> {
    let mut access = Vec::with_capacity(2);
    if with_ocsp {
        access.push(AccessDescription {
            access_method: ID_AD_OCSP,
            access_location: GeneralName::UniformResourceIdentifier(ia5(
                "ocsp_url",
                &profile.ocsp_url,
            )?),
        });
    }
    access.push(AccessDescription {
        access_method: ID_AD_CA_ISSUERS,
        access_location: GeneralName::UniformResourceIdentifier(ia5(
            "ca_issuers_url",
            &profile.ca_issuers_url,
        )?),
    });
    extension(
        ID_PE_AUTHORITY_INFO_ACCESS,
        false,
        &AuthorityInfoAccessSyntax(access),
    )
}

/// qcStatements, non-critical (RFC 3739 section 3.2.6; ETSI EN 319 412-5 section 4):
/// - `id-qcs-pkixQCSyntax-v2` with `id-etsi-qcs-semanticsId-Natural`: the serialNumber holds a
///   natural person identifier as in EN 319 412-1 section 5.1.3 (`TINIT-...`);
/// - `QcCompliance` (EN 319 412-5 section 4.2.1): an EU qualified certificate;
/// - `QcSSCD` (section 4.2.2): the private key is in a QSCD (the HSM, under sole control);
/// - `QcType` `id-etsi-qct-esign` (section 4.2.3): for electronic signatures;
/// - `QcPDS` (section 4.3.4): the PKI disclosure statements.
fn qc_statements(profile: &CaProfile) -> Result<Extension, CaError> {
    let mut pds = Vec::with_capacity(profile.pds.len());
    for p in &profile.pds {
        pds.push(PdsLocationDer {
            url: ia5("pds url", &p.url)?,
            language: PrintableString::new(&p.language)
                .map_err(|e| CaError::InvalidProfile(format!("PDS language: {e}")))?,
        });
    }
    let statements = vec![
        QcStatement {
            statement_id: ID_QCS_PKIX_QC_SYNTAX_V2,
            statement_info: Some(Any::encode_from(&SemanticsInformation {
                semantics_identifier: ID_ETSI_QCS_SEMANTICS_ID_NATURAL,
            })?),
        },
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
            statement_info: Some(Any::encode_from(&vec![ID_ETSI_QCT_ESIGN])?),
        },
        QcStatement {
            statement_id: ID_ETSI_QCS_QC_PDS,
            statement_info: Some(Any::encode_from(&pds)?),
        },
    ];
    extension(ID_PE_QC_STATEMENTS, false, &statements)
}

/// An officer's qualified signature certificate (AgID profile; ETSI EN 319 412-2):
/// keyUsage nonRepudiation only, critical (EN 319 412-2 section 4.3.2: a certificate for
/// electronic signatures has nonRepudiation; AgID requires it alone, critical);
/// certificatePolicies: the simulator policy with its CPS, QCP-n-qscd (EN 319 411-2) and
/// agIDcert; qcStatements; CRL distribution point; AIA with OCSP and caIssuers; SKI and AKI.
pub(crate) fn officer(
    profile: &CaProfile,
    subject_key_id: &[u8],
    issuer_key_id: &[u8],
) -> Result<Vec<Extension>, CaError> {
    let mut v = vec![
        extension(
            ID_CE_KEY_USAGE,
            true,
            &KeyUsage(KeyUsages::NonRepudiation.into()),
        )?,
        policies(
            &[SIMULATOR_OFFICER_POLICY, QCP_N_QSCD, AGID_CERT],
            &profile.cps_url,
        )?,
        qc_statements(profile)?,
        crl_distribution_point(profile)?,
        authority_info_access(profile, true)?,
    ];
    v.extend(key_identifiers(subject_key_id, issuer_key_id)?);
    Ok(v)
}

/// A time-stamping unit's certificate: extendedKeyUsage id-kp-timeStamping only, critical (RFC
/// 3161 section 2.3; ETSI EN 319 422 section 7); keyUsage digitalSignature and
/// nonRepudiation, critical.
pub(crate) fn tsa(
    profile: &CaProfile,
    subject_key_id: &[u8],
    issuer_key_id: &[u8],
) -> Result<Vec<Extension>, CaError> {
    let mut v = vec![
        extension(
            ID_CE_KEY_USAGE,
            true,
            &KeyUsage(KeyUsages::DigitalSignature | KeyUsages::NonRepudiation),
        )?,
        extension(
            ID_CE_EXT_KEY_USAGE,
            true,
            &ExtendedKeyUsage(vec![ID_KP_TIME_STAMPING]),
        )?,
        policies(&[SIMULATOR_SERVICE_POLICY], &profile.cps_url)?,
        crl_distribution_point(profile)?,
        authority_info_access(profile, true)?,
    ];
    v.extend(key_identifiers(subject_key_id, issuer_key_id)?);
    Ok(v)
}

/// A delegated OCSP responder's certificate (RFC 6960 section 4.2.2.2): extendedKeyUsage
/// id-kp-OCSPSigning; `id-pkix-ocsp-nocheck` with a NULL value (section 4.2.2.2.1), so
/// clients do not check the responder's own status, hence no CRL distribution point and no
/// OCSP URL; keyUsage digitalSignature, critical.
pub(crate) fn ocsp_responder(
    profile: &CaProfile,
    subject_key_id: &[u8],
    issuer_key_id: &[u8],
) -> Result<Vec<Extension>, CaError> {
    let mut v = vec![
        extension(
            ID_CE_KEY_USAGE,
            true,
            &KeyUsage(KeyUsages::DigitalSignature.into()),
        )?,
        extension(
            ID_CE_EXT_KEY_USAGE,
            false,
            &ExtendedKeyUsage(vec![ID_KP_OCSP_SIGNING]),
        )?,
        extension(ID_PKIX_OCSP_NOCHECK, false, &Null)?,
        policies(&[SIMULATOR_SERVICE_POLICY], &profile.cps_url)?,
        authority_info_access(profile, false)?,
    ];
    v.extend(key_identifiers(subject_key_id, issuer_key_id)?);
    Ok(v)
}

/// A workstation's TLS client certificate (certificato di postazione): extendedKeyUsage
/// id-kp-clientAuth (RFC 5280 section 4.2.1.12), keyUsage digitalSignature, critical (RFC 8446
/// section 4.4.2.2 / RFC 5246 section 7.4.6: the client signs the handshake), the simulator's
/// workstation policy, CRL distribution point and AIA.
pub(crate) fn workstation(
    profile: &CaProfile,
    subject_key_id: &[u8],
    issuer_key_id: &[u8],
) -> Result<Vec<Extension>, CaError> {
    let mut v = vec![
        extension(
            ID_CE_KEY_USAGE,
            true,
            &KeyUsage(KeyUsages::DigitalSignature.into()),
        )?,
        extension(
            ID_CE_EXT_KEY_USAGE,
            false,
            &ExtendedKeyUsage(vec![ID_KP_CLIENT_AUTH]),
        )?,
        policies(&[SIMULATOR_WORKSTATION_POLICY], &profile.cps_url)?,
        crl_distribution_point(profile)?,
        authority_info_access(profile, true)?,
    ];
    v.extend(key_identifiers(subject_key_id, issuer_key_id)?);
    Ok(v)
}
