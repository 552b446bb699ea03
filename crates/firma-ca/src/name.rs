//! Distinguished names (RFC 5280 section 4.1.2.4) for the CA, officers and workstations.

use der::asn1::{ObjectIdentifier, PrintableStringRef, SetOfVec, Utf8StringRef};
use der::{Any, Decode, Encode};
use firma_core::CodiceFiscale;
use serde::{Deserialize, Serialize};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::Name;

use crate::error::CaError;
use crate::oid::{
    AT_COMMON_NAME, AT_COUNTRY, AT_GIVEN_NAME, AT_ORGANIZATION, AT_ORGANIZATION_IDENTIFIER,
    AT_ORGANIZATIONAL_UNIT, AT_SERIAL_NUMBER, AT_SURNAME,
};

/// `ub-common-name`, `ub-organization-name`, `ub-organizational-unit-name`,
/// `ub-serial-number` (RFC 5280 appendix A.1).
const UB_64: usize = 64;
/// This CA's limit for givenName and surname (X.520 allows up to 32768 characters).
const UB_PERSON_NAME: usize = 128;

/// One attribute of a name, before validation.
pub(crate) enum Attr<'a> {
    /// A PrintableString attribute (countryName, serialNumber: X.520, RFC 5280 appendix A.1).
    Printable(&'static str, ObjectIdentifier, &'a str, usize),
    /// A UTF8String attribute (RFC 5280 section 4.1.2.4: new certificates use UTF8String).
    Utf8(&'static str, ObjectIdentifier, &'a str, usize),
}

/// Builds a name with one attribute per RDN, in the order given, checking every value.
pub(crate) fn build_name(attrs: &[Attr<'_>]) -> Result<Name, CaError> {
    let mut rdns: Vec<SetOfVec<AttributeTypeAndValue>> = Vec::with_capacity(attrs.len());
    for attr in attrs {
        let (field, oid, value, max) = match attr {
            Attr::Printable(f, o, v, m) | Attr::Utf8(f, o, v, m) => (*f, *o, *v, *m),
        };
        check_text(field, value, max)?;
        let encoded = match attr {
            Attr::Printable(..) => {
                let s = PrintableStringRef::new(value).map_err(|_| CaError::InvalidSubject {
                    field,
                    reason: format!(
                        "{value:?} has characters a PrintableString cannot hold (letters, digits, \
                         space and ' ( ) + , - . / : = ? only)"
                    ),
                })?;
                Any::encode_from(&s)?
            }
            Attr::Utf8(..) => Any::encode_from(&Utf8StringRef::new(value)?)?,
        };
        let mut set = SetOfVec::new();
        set.insert(AttributeTypeAndValue {
            oid,
            value: encoded,
        })?;
        rdns.push(set);
    }
    Ok(Name::from_der(&rdns.to_der()?)?)
}

fn check_text(field: &'static str, value: &str, max: usize) -> Result<(), CaError> {
    let invalid = |reason: String| CaError::InvalidSubject { field, reason };
    if value.trim().is_empty() {
        return Err(invalid("it is empty".into()));
    }
    if value.trim() != value {
        return Err(invalid(format!(
            "{value:?} starts or ends with white space"
        )));
    }
    let len = value.chars().count();
    if len > max {
        return Err(invalid(format!(
            "it has {len} characters, at most {max} are allowed"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(invalid(format!("{value:?} contains control characters")));
    }
    Ok(())
}

/// The names of the CA hierarchy and the labels of its keys in the HSM.
///
/// The CA subjects are `C=IT, O=<organization>, [organizationIdentifier], CN=<common name>`
/// (ETSI EN 319 412-3 section 4.2 for a legal person; the organizationIdentifier follows ETSI
/// EN 319 412-1 section 5.1.4, e.g. `VATIT-<partita IVA>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaNames {
    pub organization: String,
    pub organization_identifier: Option<String>,
    pub root_common_name: String,
    pub issuing_common_name: String,
    /// The CA keys are service keys labelled `<prefix>-root` and `<prefix>-issuing`.
    pub key_label_prefix: String,
}

impl Default for CaNames {
    /// The simulator's names: "Firma Remota Ente Certificatore Simulato", keys `firma-ca-root`
    /// and `firma-ca-issuing`.
    fn default() -> Self {
        Self {
            organization: "Firma Remota Ente Certificatore Simulato".into(),
            organization_identifier: Some("VATIT-00000000000".into()),
            root_common_name: "Firma Remota Simulated Root CA".into(),
            issuing_common_name: "Firma Remota Simulated Qualified Signature CA".into(),
            key_label_prefix: "firma-ca".into(),
        }
    }
}

impl CaNames {
    pub fn root_key_label(&self) -> String {
        format!("{}-root", self.key_label_prefix)
    }

    pub fn issuing_key_label(&self) -> String {
        format!("{}-issuing", self.key_label_prefix)
    }

    pub(crate) fn root_name(&self) -> Result<Name, CaError> {
        self.ca_name(&self.root_common_name)
    }

    pub(crate) fn issuing_name(&self) -> Result<Name, CaError> {
        self.ca_name(&self.issuing_common_name)
    }

    fn ca_name(&self, common_name: &str) -> Result<Name, CaError> {
        let mut attrs = vec![
            Attr::Printable("countryName", AT_COUNTRY, "IT", 2),
            Attr::Utf8(
                "organizationName",
                AT_ORGANIZATION,
                &self.organization,
                UB_64,
            ),
        ];
        if let Some(id) = &self.organization_identifier {
            attrs.push(Attr::Utf8(
                "organizationIdentifier",
                AT_ORGANIZATION_IDENTIFIER,
                id,
                UB_64,
            ));
        }
        attrs.push(Attr::Utf8("commonName", AT_COMMON_NAME, common_name, UB_64));
        build_name(&attrs)
    }
}

/// The identity an officer's qualified certificate certifies (ETSI EN 319 412-2 section
/// 4.2.4, natural person; AgID profile).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerSubject {
    /// Goes into the subject serialNumber as `TINIT-<codice fiscale>` (ETSI EN 319 412-1 section
    /// 5.1.3: "TIN" national tax identification number, country code IT).
    pub codice_fiscale: CodiceFiscale,
    /// givenName (X.520), as on the identity document.
    pub given_name: String,
    /// surname (X.520), as on the identity document.
    pub surname: String,
    /// organizationName: the comune the officer serves, when the certificate names it.
    pub organization: Option<String>,
}

impl OfficerSubject {
    /// The subject serialNumber value: `TINIT-<codice fiscale>`.
    pub fn serial_number(&self) -> String {
        self.codice_fiscale.tinit()
    }

    /// The commonName: given name and surname (ETSI EN 319 412-2 section 4.2.4: "the
    /// commonName ... shall contain a name of the subject").
    pub fn common_name(&self) -> String {
        format!("{} {}", self.given_name.trim(), self.surname.trim())
    }

    /// `C=IT, [O=<comune>], SN=<surname>, G=<given name>, serialNumber=TINIT-<cf>,
    /// CN=<given name> <surname>`: the subject of the officer's certificate, also usable as the
    /// subject of the officer's CSR.
    pub fn distinguished_name(&self) -> Result<Name, CaError> {
        let serial = self.serial_number();
        let cn = self.common_name();
        let mut attrs = vec![Attr::Printable("countryName", AT_COUNTRY, "IT", 2)];
        if let Some(o) = &self.organization {
            attrs.push(Attr::Utf8("organizationName", AT_ORGANIZATION, o, UB_64));
        }
        attrs.extend([
            Attr::Utf8("surname", AT_SURNAME, &self.surname, UB_PERSON_NAME),
            Attr::Utf8("givenName", AT_GIVEN_NAME, &self.given_name, UB_PERSON_NAME),
            Attr::Printable("serialNumber", AT_SERIAL_NUMBER, &serial, UB_64),
            Attr::Utf8("commonName", AT_COMMON_NAME, &cn, UB_64),
        ]);
        build_name(&attrs)
    }
}

/// A workstation (postazione) of a comune or prefettura, registered by its ALP (Amministratore
/// Locale delle Postazioni), that gets a TLS client certificate (circolare 48/2025).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkstationSubject {
    /// The workstation's identifier, the commonName.
    pub workstation_id: String,
    /// The comune or prefettura, the organizationName.
    pub organization: String,
}

impl WorkstationSubject {
    /// `C=IT, O=<organization>, OU=Postazioni, CN=<workstation id>`.
    pub fn distinguished_name(&self) -> Result<Name, CaError> {
        build_name(&[
            Attr::Printable("countryName", AT_COUNTRY, "IT", 2),
            Attr::Utf8(
                "organizationName",
                AT_ORGANIZATION,
                &self.organization,
                UB_64,
            ),
            Attr::Utf8(
                "organizationalUnitName",
                AT_ORGANIZATIONAL_UNIT,
                "Postazioni",
                UB_64,
            ),
            Attr::Utf8(
                "commonName (workstation id)",
                AT_COMMON_NAME,
                &self.workstation_id,
                UB_64,
            ),
        ])
    }
}

/// The subject of a service certificate (TSA, OCSP responder): the issuing CA's country,
/// organization and organizationIdentifier, and `common_name`.
pub(crate) fn service_name(issuer: &Name, common_name: &str) -> Result<Name, CaError> {
    check_text("commonName", common_name, UB_64)?;
    let mut rdns: Vec<SetOfVec<AttributeTypeAndValue>> = Vec::new();
    for atv in issuer.iter() {
        if [AT_COUNTRY, AT_ORGANIZATION, AT_ORGANIZATION_IDENTIFIER].contains(&atv.oid) {
            let mut set = SetOfVec::new();
            set.insert(atv.clone())?;
            rdns.push(set);
        }
    }
    let mut set = SetOfVec::new();
    set.insert(AttributeTypeAndValue {
        oid: AT_COMMON_NAME,
        value: Any::encode_from(&Utf8StringRef::new(common_name)?)?,
    })?;
    rdns.push(set);
    Ok(Name::from_der(&rdns.to_der()?)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn officer() -> OfficerSubject {
        OfficerSubject {
            codice_fiscale: CodiceFiscale::parse("RSSMRA80A01H501U").unwrap(),
            given_name: "MARIO".into(),
            surname: "ROSSI".into(),
            organization: Some("Comune di Roma".into()),
        }
    }

    #[test]
    fn officer_name_has_the_agid_attributes() {
        let name = officer().distinguished_name().unwrap();
        let text = name.to_string();
        for part in [
            "C=IT",
            "O=Comune di Roma",
            "SN=ROSSI",
            "GN=MARIO",
            "SERIALNUMBER=TINIT-RSSMRA80A01H501U",
            "CN=MARIO ROSSI",
        ] {
            assert!(text.contains(part), "{part} missing in {text}");
        }
    }

    #[test]
    fn bad_values_are_refused_naming_the_field() {
        let mut o = officer();
        o.given_name = "  ".into();
        let err = o.distinguished_name().unwrap_err();
        assert!(
            matches!(
                err,
                CaError::InvalidSubject {
                    field: "givenName",
                    ..
                }
            ),
            "{err}"
        );
        let mut o = officer();
        o.surname = "ROSSI\u{0}".into();
        assert!(o.distinguished_name().is_err());
        let mut o = officer();
        o.organization = Some("x".repeat(65));
        let err = o.distinguished_name().unwrap_err();
        assert!(err.to_string().contains("at most 64"), "{err}");
        let w = WorkstationSubject {
            workstation_id: "PC-01".into(),
            organization: String::new(),
        };
        assert!(matches!(
            w.distinguished_name(),
            Err(CaError::InvalidSubject {
                field: "organizationName",
                ..
            })
        ));
    }
}
