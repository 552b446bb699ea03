//! The CA and its OCSP responder, opened once from the HSM, and the CRLs they publish.
//!
//! A CRL (RFC 5280 section 5) is built from the register, signed in the HSM and stored with its
//! number; it is served from the database until the register changes (its version goes up with
//! every revocation, suspension or reinstatement) or half of its validity has passed, and then
//! replaced by one with the next CRL number (section 5.2.3: "monotonically increasing"). Several
//! instances on one database agree through the number: only the CRL numbered last + 1 is stored.

use std::sync::Arc;

use firma_ca::{
    CaMaterial, CaProfile, CertificateAuthority, OcspResponder, RevocationReason, RevokedEntry,
    build_crl, build_root_crl,
};
use firma_core::ports::{CrlScope, StoredCrl};
use firma_core::{AuditEvent, AuditKind, DirectoryStore, RevocationStore};
use time::OffsetDateTime;

use super::{CRL_VALIDITY, OCSP_KEY_LABEL, RevocationError, RevocationService, whole_seconds};

/// The CA ready to sign CRLs and its OCSP responder.
pub(super) struct Authority {
    pub ca: CertificateAuthority,
    pub responder: OcspResponder,
}

/// Attempts to publish a CRL when instances race for the same number.
const CRL_ATTEMPTS: usize = 3;

/// How far a stored CRL's thisUpdate may be ahead of this instance's clock and still be served.
const CLOCK_SKEW: time::Duration = time::Duration::minutes(5);

impl RevocationService {
    /// The CA and responder, opened on first use (the CA may be created after the service
    /// started; a failure is not remembered).
    pub(super) async fn authority(&self) -> Result<Arc<Authority>, RevocationError> {
        self.authority
            .get_or_try_init(|| self.open_authority())
            .await
            .cloned()
    }

    async fn open_authority(&self) -> Result<Arc<Authority>, RevocationError> {
        let material = self.material().await?;
        let responder = self.db.ocsp_responder().await?;
        let profile = CaProfile::with_base_url(&self.base_url)?;
        let keys = self.keys.clone();
        let opened = tokio::task::spawn_blocking(move || -> Result<Authority, RevocationError> {
            let ca = CertificateAuthority::open(&*keys, &material, profile)?;
            let responder = match responder {
                Some(stored) => {
                    let found = keys.find_service_key(&stored.key_label)?.ok_or_else(|| {
                        firma_ca::CaError::KeyMissing {
                            label: stored.key_label.clone(),
                        }
                    })?;
                    let key = keys.activate(&found.key)?;
                    OcspResponder::delegated(key, &stored.certificate, ca.issuing_certificate())?
                }
                None => {
                    tracing::warn!(
                        "no delegated OCSP responder ({OCSP_KEY_LABEL}) in this database: the \
                         issuing CA key signs OCSP responses"
                    );
                    ca.issuing_ocsp_responder(&*keys)?
                }
            };
            Ok(Authority { ca, responder })
        })
        .await
        .map_err(|e| RevocationError::Internal(format!("HSM worker failed: {e}")))??;
        tracing::info!(
            delegated_responder = opened.responder.certificate().is_some(),
            "certificate authority opened for CRLs and OCSP"
        );
        Ok(Arc::new(opened))
    }

    /// The stored CA material.
    pub(super) async fn material(&self) -> Result<CaMaterial, RevocationError> {
        let stored = self.db.ca_material().await?.ok_or(RevocationError::NoCa)?;
        serde_json::from_str(&stored.material)
            .map_err(|e| RevocationError::Internal(format!("the stored CA material: {e}")))
    }

    /// The root certificate (DER).
    pub async fn root_certificate(&self) -> Result<Vec<u8>, RevocationError> {
        Ok(self.material().await?.root_certificate)
    }

    /// The issuing CA certificate (DER).
    pub async fn issuing_certificate(&self) -> Result<Vec<u8>, RevocationError> {
        Ok(self.material().await?.issuing_certificate)
    }

    /// The current CRL of `scope`, DER: the stored one while it reflects the register and is
    /// fresh, otherwise a new one with the next CRL number (audited `ca.crl_issued`).
    ///
    /// The issuing CA's CRL lists the register's entries; the root's (the authority revocation
    /// list for the issuing CA certificate) is empty, as the simulator never revokes its issuing
    /// CA.
    pub async fn crl(&self, scope: CrlScope) -> Result<Vec<u8>, RevocationError> {
        let _publishing = self.crl_lock.lock().await;
        for _ in 0..CRL_ATTEMPTS {
            let now = self.clock.now();
            let version = match scope {
                CrlScope::Issuing => self.db.register_version().await?,
                CrlScope::Root => 0,
            };
            let (last, stored) = self.db.crl(scope).await?;
            if let Some(crl) = stored
                && fresh(&crl, version, now)
            {
                return Ok(crl.der);
            }
            let entries = match scope {
                CrlScope::Issuing => self
                    .db
                    .revocations()
                    .await?
                    .into_iter()
                    .map(|r| {
                        let reason = RevocationReason::from_code(r.reason).ok_or_else(|| {
                            RevocationError::Internal(format!(
                                "stored revocation reason {} is not a CRLReason",
                                r.reason
                            ))
                        })?;
                        Ok(RevokedEntry {
                            serial: r.serial,
                            revoked_at: r.revoked_at,
                            reason,
                            invalidity_date: r.invalidity_date,
                        })
                    })
                    .collect::<Result<Vec<_>, RevocationError>>()?,
                CrlScope::Root => Vec::new(),
            };
            // Never before an entry's revocation (another instance's clock may be ahead).
            let this_update = entries
                .iter()
                .map(|e| whole_seconds(e.revoked_at))
                .fold(whole_seconds(now), OffsetDateTime::max);
            let next_update = this_update + CRL_VALIDITY;
            let number = last + 1;
            let authority = self.authority().await?;
            let count = entries.len();
            let der = tokio::task::spawn_blocking(move || {
                let number = u64::try_from(number).unwrap_or(u64::MAX);
                match scope {
                    CrlScope::Issuing => {
                        build_crl(&authority.ca, &entries, this_update, next_update, number)
                    }
                    CrlScope::Root => {
                        build_root_crl(&authority.ca, &entries, this_update, next_update, number)
                    }
                }
            })
            .await
            .map_err(|e| RevocationError::Internal(format!("HSM worker failed: {e}")))??;
            let crl = StoredCrl {
                number,
                der,
                this_update,
                next_update,
                register_version: version,
            };
            let event = AuditEvent::new(
                AuditKind::CrlIssued,
                "system",
                format!("crl:{}", scope.code()),
            )
            .with("crl_number", number)
            .with("entries", count)
            .with("this_update", this_update)
            .with("next_update", next_update);
            if self.db.store_crl(scope, &crl, &[event], now).await? {
                tracing::info!(
                    scope = scope.code(),
                    crl_number = number,
                    entries = count,
                    "CRL published"
                );
                return Ok(crl.der);
            }
            // Another instance published this number first: look again.
        }
        Err(RevocationError::Internal(
            "the CRL could not be published: other instances kept publishing first".into(),
        ))
    }
}

/// Whether a stored CRL can still be served: built from the current register, and less than
/// half of its validity old.
fn fresh(crl: &StoredCrl, version: i64, now: OffsetDateTime) -> bool {
    crl.register_version == version
        && now + CLOCK_SKEW >= crl.this_update
        && now < crl.this_update + CRL_VALIDITY / 2
        && now < crl.next_update
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn stored_crls_are_served_while_current_and_fresh() {
        let at = datetime!(2026-03-02 12:00 UTC);
        let crl = StoredCrl {
            number: 4,
            der: vec![1],
            this_update: at,
            next_update: at + CRL_VALIDITY,
            register_version: 7,
        };
        assert!(fresh(&crl, 7, at));
        assert!(fresh(&crl, 7, at + time::Duration::hours(11)));
        // The register changed, or half the validity passed, or the clock went far back.
        assert!(!fresh(&crl, 8, at));
        assert!(!fresh(&crl, 7, at + time::Duration::hours(12)));
        assert!(!fresh(&crl, 7, at - time::Duration::hours(1)));
    }
}
