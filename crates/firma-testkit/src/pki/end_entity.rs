//! Officer and TSA certificates issued by the test PKI's issuing CA, for its own software keys
//! and for keys generated elsewhere (in the HSM).

use firma_core::KeySpec;
use x509_cert::name::Name;

use super::cert::{CertSpec, NameAttr, attr, issue, key_identifier, name};
use super::key::SoftwareKey;
use super::profile::{officer_extensions, tsa_extensions};
use super::{END_ENTITY_VALIDITY, Officer, org};

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An officer certificate in the AgID profile (see [`officer_extensions`]) for `spki`.
pub(super) fn officer_certificate(
    spec: KeySpec,
    who: &Officer,
    spki: &[u8],
    serial: &[u8],
    issuing_name: &Name,
    issuing_kid: &[u8],
    issuing_key: &SoftwareKey,
) -> Vec<u8> {
    use NameAttr::{Printable, Utf8};
    let subject = name(&[
        Printable(attr::COUNTRY, "IT".into()),
        Utf8(attr::ORGANIZATION, "Comune di Roma".into()),
        Utf8(attr::SURNAME, who.surname.into()),
        Utf8(attr::GIVEN_NAME, who.given_name.into()),
        Printable(attr::SERIAL_NUMBER, format!("TINIT-{}", who.codice_fiscale)),
        Utf8(
            attr::COMMON_NAME,
            format!("{} {}", who.surname, who.given_name),
        ),
        Printable(attr::DN_QUALIFIER, format!("{spec}-{}", who.codice_fiscale)),
    ]);
    issue(
        CertSpec {
            serial,
            issuer: issuing_name.clone(),
            subject,
            not_before: END_ENTITY_VALIDITY.0,
            not_after: END_ENTITY_VALIDITY.1,
            subject_public_key_der: spki,
            extensions: officer_extensions(&key_identifier(spki), issuing_kid),
        },
        issuing_key,
    )
}

/// A TSA certificate (see [`tsa_extensions`]) for `spki`.
pub(super) fn tsa_certificate(
    spec: KeySpec,
    spki: &[u8],
    serial: &[u8],
    issuing_name: &Name,
    issuing_kid: &[u8],
    issuing_key: &SoftwareKey,
) -> Vec<u8> {
    use NameAttr::{Printable, Utf8};
    issue(
        CertSpec {
            serial,
            issuer: issuing_name.clone(),
            subject: name(&[
                Printable(attr::COUNTRY, "IT".into()),
                Utf8(attr::ORGANIZATION, org(spec)),
                Utf8(
                    attr::COMMON_NAME,
                    format!("Test Time-Stamping Authority {spec}"),
                ),
            ]),
            not_before: END_ENTITY_VALIDITY.0,
            not_after: END_ENTITY_VALIDITY.1,
            subject_public_key_der: spki,
            extensions: tsa_extensions(&key_identifier(spki), issuing_kid),
        },
        issuing_key,
    )
}
