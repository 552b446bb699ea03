//! What the CA hands out and what a caller stores: the CA material (certificates and key
//! labels) and issued certificates. Both are plain data with serde, DER inside.

use std::fmt;

use firma_core::KeySpec;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::encode::hex;

/// Everything needed to re-open a CA created by `CertificateAuthority::create`: the CA
/// certificates and the labels of the CA keys, which stay in the HSM. Nothing here is secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaMaterial {
    /// The kind of the CA keys.
    pub spec: KeySpec,
    /// Label of the root CA's service key on the token.
    pub root_key_label: String,
    /// Label of the issuing CA's service key on the token.
    pub issuing_key_label: String,
    /// The self-signed root certificate, DER: the trust anchor relying parties install.
    pub root_certificate: Vec<u8>,
    /// The issuing CA certificate signed by the root, DER.
    pub issuing_certificate: Vec<u8>,
}

impl CaMaterial {
    /// The root certificate as PEM.
    pub fn root_pem(&self) -> String {
        pem(&self.root_certificate)
    }

    /// The issuing CA certificate as PEM.
    pub fn issuing_pem(&self) -> String {
        pem(&self.issuing_certificate)
    }
}

impl fmt::Debug for CaMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CaMaterial")
            .field("spec", &self.spec)
            .field("root_key_label", &self.root_key_label)
            .field("issuing_key_label", &self.issuing_key_label)
            .field(
                "root_certificate",
                &format_args!("{} bytes", self.root_certificate.len()),
            )
            .field(
                "issuing_certificate",
                &format_args!("{} bytes", self.issuing_certificate.len()),
            )
            .finish()
    }
}

/// A certificate the CA issued, with what a register of issued certificates (and later the CRL
/// and OCSP responder) needs.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedCertificate {
    /// The certificate, DER.
    pub der: Vec<u8>,
    /// The serial number: 20 octets, big-endian, positive (RFC 5280 section 4.1.2.2).
    pub serial: Vec<u8>,
    /// Start of validity (RFC 5280 section 4.1.2.5), whole seconds.
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    /// End of validity, inclusive.
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
}

impl IssuedCertificate {
    /// The serial number in lower-case hexadecimal, as a register key.
    pub fn serial_hex(&self) -> String {
        hex(&self.serial)
    }

    /// The certificate as PEM.
    pub fn pem(&self) -> String {
        pem(&self.der)
    }
}

impl fmt::Debug for IssuedCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedCertificate")
            .field("serial", &self.serial_hex())
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .field("der", &format_args!("{} bytes", self.der.len()))
            .finish()
    }
}

/// PEM `CERTIFICATE` text of a DER certificate (RFC 7468 section 5.1).
pub fn pem(der: &[u8]) -> String {
    // Encoding a byte string as PEM with a fixed label cannot fail except on lengths no
    // certificate has; fall back to an empty string rather than panic.
    der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, der).unwrap_or_default()
}
