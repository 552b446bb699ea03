//! The register of certificates the CA issued: an OCSP request about a serial the CA never
//! issued is answered `unknown`, not `good` (RFC 6960 section 2.2). Officers' certificates are
//! registered when issued; credentials stored by other paths are added when a lookup misses.

use firma_core::ports::{IssuedCertificateRecord, IssuedKind};
use firma_core::{CredentialId, RevocationStore};
use time::OffsetDateTime;
use x509_cert::Certificate;
use x509_cert::der::Decode;

use super::{RevocationError, RevocationService};

/// Label of the delegated OCSP responder's key in the HSM (a service key made by
/// `firma ca init`).
pub const OCSP_KEY_LABEL: &str = "firma-ocsp";

/// How often, at most, a missed lookup completes the register from the credentials (a stream
/// of requests for unknown serials must not turn into a stream of scans).
const SYNC_INTERVAL: time::Duration = time::Duration::seconds(5);

/// Credentials read per round when completing the register.
const SYNC_BATCH: u32 = 500;

/// Rounds per completion: 100,000 credentials.
const MAX_SYNC_ROUNDS: usize = 200;

/// What the register needs from a certificate.
pub(super) struct Leaf {
    /// The serial number's magnitude (no sign octet).
    pub serial: Vec<u8>,
    pub serial_hex: String,
    pub subject: String,
    pub not_after: OffsetDateTime,
}

impl Leaf {
    pub fn parse(der: &[u8]) -> Result<Self, RevocationError> {
        let cert = Certificate::from_der(der).map_err(|e| {
            RevocationError::Internal(format!("a stored certificate does not parse: {e}"))
        })?;
        let tbs = cert.tbs_certificate();
        let serial = magnitude(tbs.serial_number().as_bytes()).to_vec();
        let secs = i64::try_from(tbs.validity().not_after.to_unix_duration().as_secs())
            .map_err(|_| RevocationError::Internal("a certificate valid beyond 9999".into()))?;
        Ok(Self {
            serial_hex: hex(&serial),
            serial,
            subject: tbs.subject().to_string(),
            not_after: OffsetDateTime::from_unix_timestamp(secs)
                .map_err(|e| RevocationError::Internal(format!("certificate notAfter: {e}")))?,
        })
    }

    pub fn record(
        &self,
        kind: IssuedKind,
        credential: Option<CredentialId>,
    ) -> IssuedCertificateRecord {
        IssuedCertificateRecord {
            serial: self.serial.clone(),
            kind,
            credential,
            subject: self.subject.clone(),
            not_after: self.not_after,
        }
    }
}

/// The serial number of a DER certificate (magnitude), or `None` if it does not parse.
pub fn serial_of_certificate(der: &[u8]) -> Option<Vec<u8>> {
    Leaf::parse(der).ok().map(|l| l.serial)
}

/// The register record of a certificate the CA issued (DER).
pub fn certificate_record(
    der: &[u8],
    kind: IssuedKind,
    credential: Option<CredentialId>,
) -> Result<IssuedCertificateRecord, RevocationError> {
    Ok(Leaf::parse(der)?.record(kind, credential))
}

/// A serial number without leading zero octets (the DER sign octet).
fn magnitude(serial: &[u8]) -> &[u8] {
    let start = serial
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(serial.len().saturating_sub(1));
    &serial[start..]
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl RevocationService {
    /// Adds the credentials' certificates missing from the register; at most once per
    /// [`SYNC_INTERVAL`]. Returns how many were added.
    pub(super) async fn complete_register(&self) -> Result<usize, RevocationError> {
        let now = self.clock.now();
        {
            let mut last = self
                .last_sync
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if last.is_some_and(|t| now - t < SYNC_INTERVAL && now >= t) {
                return Ok(0);
            }
            *last = Some(now);
        }
        let mut added = 0;
        // Bounded: a credential whose serial is registered for another one is never added.
        for _ in 0..MAX_SYNC_ROUNDS {
            let missing = self.db.unregistered_credentials(SYNC_BATCH).await?;
            let records: Vec<IssuedCertificateRecord> = missing
                .iter()
                .filter_map(|(id, der)| match Leaf::parse(der) {
                    Ok(leaf) => Some(leaf.record(IssuedKind::Officer, Some(*id))),
                    Err(e) => {
                        tracing::warn!(credential = %id.0, error = %e, "a credential's certificate cannot be registered");
                        None
                    }
                })
                .collect();
            if records.is_empty() {
                break;
            }
            self.db.register_issued(&records, now).await?;
            added += records.len();
            if missing.len() < SYNC_BATCH as usize {
                break;
            }
        }
        if added > 0 {
            tracing::info!(
                certificates = added,
                "officers' certificates added to the register of issued certificates"
            );
        }
        Ok(added)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magnitudes_drop_the_sign_octet() {
        assert_eq!(magnitude(&[0, 0x80, 1]), &[0x80, 1]);
        assert_eq!(magnitude(&[0x7f]), &[0x7f]);
        assert_eq!(magnitude(&[0]), &[0]);
        assert_eq!(hex(&[0x0a, 0xff]), "0aff");
    }

    #[test]
    fn garbage_is_not_a_certificate() {
        assert!(serial_of_certificate(b"not a certificate").is_none());
        assert!(Leaf::parse(&[0x30, 0x03, 0x02, 0x01, 0x01]).is_err());
    }
}
