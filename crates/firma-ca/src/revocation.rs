//! The revocation data model shared by the CRL and the OCSP responder: why a certificate was
//! revoked (RFC 5280 section 5.3.1), what the register of revocations stores per certificate,
//! and the status the OCSP responder reports (RFC 6960 section 2.2).
//!
//! Suspension is revocation with the reason `certificateHold` (RFC 5280 section 5.3.1: "the
//! certificate is on hold"). Lifting a suspension removes the entry from the register, so the
//! next CRL no longer lists it and OCSP answers `good` again; no `removeFromCRL` entries are
//! made, since this CA issues no delta CRLs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::encode::hex;

/// `CRLReason` (RFC 5280 section 5.3.1), without `removeFromCRL` (8), which only appears in
/// delta CRLs. Serialised with the RFC's names (`keyCompromise`, `certificateHold`...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RevocationReason {
    /// `unspecified` (0). RFC 5280 section 5.3.1: the reason code extension SHOULD then be
    /// absent, so the CRL entry carries none.
    #[serde(rename = "unspecified")]
    Unspecified,
    /// `keyCompromise` (1): the private key is known or suspected to be compromised.
    #[serde(rename = "keyCompromise")]
    KeyCompromise,
    /// `cACompromise` (2).
    #[serde(rename = "cACompromise")]
    CaCompromise,
    /// `affiliationChanged` (3): the subject's name or other information changed (an officer
    /// who left the comune).
    #[serde(rename = "affiliationChanged")]
    AffiliationChanged,
    /// `superseded` (4): a new certificate replaced this one.
    #[serde(rename = "superseded")]
    Superseded,
    /// `cessationOfOperation` (5): the certificate is no longer needed.
    #[serde(rename = "cessationOfOperation")]
    CessationOfOperation,
    /// `certificateHold` (6): suspension, which may be lifted.
    #[serde(rename = "certificateHold")]
    CertificateHold,
    /// `privilegeWithdrawn` (9).
    #[serde(rename = "privilegeWithdrawn")]
    PrivilegeWithdrawn,
    /// `aACompromise` (10).
    #[serde(rename = "aACompromise")]
    AaCompromise,
}

impl RevocationReason {
    pub const ALL: [Self; 9] = [
        Self::Unspecified,
        Self::KeyCompromise,
        Self::CaCompromise,
        Self::AffiliationChanged,
        Self::Superseded,
        Self::CessationOfOperation,
        Self::CertificateHold,
        Self::PrivilegeWithdrawn,
        Self::AaCompromise,
    ];

    /// The `CRLReason` ENUMERATED value (RFC 5280 section 5.3.1).
    pub fn code(self) -> u8 {
        match self {
            Self::Unspecified => 0,
            Self::KeyCompromise => 1,
            Self::CaCompromise => 2,
            Self::AffiliationChanged => 3,
            Self::Superseded => 4,
            Self::CessationOfOperation => 5,
            Self::CertificateHold => 6,
            Self::PrivilegeWithdrawn => 9,
            Self::AaCompromise => 10,
        }
    }

    /// The reason for a `CRLReason` value; `None` for `removeFromCRL` (8) and undefined values.
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The RFC 5280 name, as in serialised data (`keyCompromise`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Unspecified => "unspecified",
            Self::KeyCompromise => "keyCompromise",
            Self::CaCompromise => "cACompromise",
            Self::AffiliationChanged => "affiliationChanged",
            Self::Superseded => "superseded",
            Self::CessationOfOperation => "cessationOfOperation",
            Self::CertificateHold => "certificateHold",
            Self::PrivilegeWithdrawn => "privilegeWithdrawn",
            Self::AaCompromise => "aACompromise",
        }
    }

    /// Whether this is a suspension (`certificateHold`), which can be lifted, rather than a
    /// final revocation.
    pub fn is_suspension(self) -> bool {
        self == Self::CertificateHold
    }

    pub(crate) fn to_x509(self) -> x509_cert::ext::pkix::CrlReason {
        use x509_cert::ext::pkix::CrlReason as R;
        match self {
            Self::Unspecified => R::Unspecified,
            Self::KeyCompromise => R::KeyCompromise,
            Self::CaCompromise => R::CaCompromise,
            Self::AffiliationChanged => R::AffiliationChanged,
            Self::Superseded => R::Superseded,
            Self::CessationOfOperation => R::CessationOfOperation,
            Self::CertificateHold => R::CertificateHold,
            Self::PrivilegeWithdrawn => R::PrivilegeWithdrawn,
            Self::AaCompromise => R::AaCompromise,
        }
    }

    pub(crate) fn from_x509(reason: x509_cert::ext::pkix::CrlReason) -> Option<Self> {
        Self::from_code(u8::try_from(reason as u32).ok()?)
    }
}

impl fmt::Display for RevocationReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for RevocationReason {
    type Err = String;

    /// Parses the RFC 5280 name (`keyCompromise`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|r| r.name()).collect();
                format!(
                    "{s:?} is not a revocation reason; expected one of {}",
                    names.join(", ")
                )
            })
    }
}

/// One revoked (or suspended) certificate in the register: what a CRL entry (RFC 5280 section
/// 5.1.2.6 `revokedCertificates`, with the entry extensions of section 5.3) and an OCSP
/// `revoked` answer (RFC 6960 section 4.2.1 `RevokedInfo`) are made from.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokedEntry {
    /// The certificate's serial number: big-endian, positive, at most 20 octets (RFC 5280
    /// section 4.1.2.2), as in `IssuedCertificate::serial`.
    pub serial: Vec<u8>,
    /// When the CA processed the revocation (`revocationDate`, RFC 5280 section 5.1.2.6;
    /// `revocationTime`, RFC 6960 section 4.2.1).
    #[serde(with = "time::serde::rfc3339")]
    pub revoked_at: OffsetDateTime,
    pub reason: RevocationReason,
    /// When the key is known or suspected to have been compromised, or the certificate
    /// otherwise became invalid, if earlier than `revoked_at` (RFC 5280 section 5.3.2).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub invalidity_date: Option<OffsetDateTime>,
}

impl RevokedEntry {
    /// An entry revoking `serial` at `revoked_at` for `reason`, with no invalidity date.
    pub fn new(serial: &[u8], revoked_at: OffsetDateTime, reason: RevocationReason) -> Self {
        Self {
            serial: serial.to_vec(),
            revoked_at,
            reason,
            invalidity_date: None,
        }
    }

    /// Whether this entry is a suspension that can be lifted.
    pub fn is_suspension(&self) -> bool {
        self.reason.is_suspension()
    }

    /// The serial number in lower-case hexadecimal, as `IssuedCertificate::serial_hex`.
    pub fn serial_hex(&self) -> String {
        hex(&self.serial)
    }

    /// What the OCSP responder says about this certificate: `revoked` with the time and the
    /// reason (RFC 6960 section 2.2; `certificateHold` for a suspension).
    pub fn status(&self) -> CertStatusAnswer {
        CertStatusAnswer::Revoked {
            revoked_at: self.revoked_at,
            reason: Some(self.reason),
        }
    }
}

impl fmt::Debug for RevokedEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RevokedEntry")
            .field("serial", &self.serial_hex())
            .field("revoked_at", &self.revoked_at)
            .field("reason", &self.reason)
            .field("invalidity_date", &self.invalidity_date)
            .finish()
    }
}

/// A certificate's status as an OCSP responder reports it (RFC 6960 section 2.2, `CertStatus`
/// in section 4.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertStatusAnswer {
    /// `good`: the CA issued the certificate and has not revoked it. (RFC 6960 section 2.2:
    /// "at a minimum ... no certificate with the requested certificate serial number currently
    /// within its validity interval is revoked".)
    Good,
    /// `revoked`, permanently or on hold (reason `certificateHold`).
    Revoked {
        revoked_at: OffsetDateTime,
        reason: Option<RevocationReason>,
    },
    /// `unknown`: the responder does not know the certificate (a serial this CA never
    /// issued, or a `CertID` for another issuer).
    Unknown,
}

impl CertStatusAnswer {
    /// The answer for a register lookup: `Unknown` unless `issued`, else the revocation entry
    /// if there is one, else `Good`.
    pub fn from_register(issued: bool, revocation: Option<&RevokedEntry>) -> Self {
        match (issued, revocation) {
            (false, _) => Self::Unknown,
            (true, Some(entry)) => entry.status(),
            (true, None) => Self::Good,
        }
    }
}

/// A serial number as an unsigned big-endian magnitude without leading zero octets (RFC 5280
/// section 4.1.2.2 serials are positive; the DER INTEGER may carry a 0x00 sign octet). An
/// all-zero input becomes one zero octet.
pub(crate) fn serial_magnitude(serial: &[u8]) -> &[u8] {
    let start = serial
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(serial.len().saturating_sub(1));
    &serial[start..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn reasons_round_trip_through_codes_names_and_serde() {
        for r in RevocationReason::ALL {
            assert_eq!(RevocationReason::from_code(r.code()), Some(r));
            assert_eq!(r.name().parse::<RevocationReason>(), Ok(r));
            assert_eq!(RevocationReason::from_x509(r.to_x509()), Some(r));
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.name()));
        }
        assert_eq!(RevocationReason::from_code(8), None);
        assert_eq!(RevocationReason::from_code(7), None);
        assert_eq!(RevocationReason::CaCompromise.name(), "cACompromise");
        let err = "onHold".parse::<RevocationReason>().unwrap_err();
        assert!(err.contains("certificateHold"), "{err}");
        assert!(RevocationReason::CertificateHold.is_suspension());
        assert!(!RevocationReason::KeyCompromise.is_suspension());
    }

    #[test]
    fn entries_serialise_and_answer() {
        let mut e = RevokedEntry::new(
            &[0x12, 0x34],
            datetime!(2026-03-02 12:00 UTC),
            RevocationReason::KeyCompromise,
        );
        e.invalidity_date = Some(datetime!(2026-03-01 08:00 UTC));
        let json = serde_json::to_string(&e).unwrap();
        assert!(json.contains("\"keyCompromise\""), "{json}");
        assert_eq!(serde_json::from_str::<RevokedEntry>(&json).unwrap(), e);
        // The invalidity date may be left out of stored data.
        let without: RevokedEntry = serde_json::from_str(
            r#"{"serial":[1],"revoked_at":"2026-03-02T12:00:00Z","reason":"certificateHold"}"#,
        )
        .unwrap();
        assert!(without.is_suspension() && without.invalidity_date.is_none());
        assert!(format!("{e:?}").contains("1234"));
        assert_eq!(
            CertStatusAnswer::from_register(true, Some(&e)),
            CertStatusAnswer::Revoked {
                revoked_at: e.revoked_at,
                reason: Some(RevocationReason::KeyCompromise)
            }
        );
        assert_eq!(
            CertStatusAnswer::from_register(true, None),
            CertStatusAnswer::Good
        );
        assert_eq!(
            CertStatusAnswer::from_register(false, Some(&e)),
            CertStatusAnswer::Unknown
        );
    }

    #[test]
    fn serial_magnitudes_drop_sign_octets() {
        assert_eq!(serial_magnitude(&[0, 0x80, 1]), &[0x80, 1]);
        assert_eq!(serial_magnitude(&[0x7f]), &[0x7f]);
        assert_eq!(serial_magnitude(&[0, 0]), &[0]);
        assert_eq!(serial_magnitude(&[]), &[] as &[u8]);
    }
}
