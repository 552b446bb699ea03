//! Revocation and suspension of officers' certificates by the Ente Certificatore simulator, and
//! what relying parties fetch to learn about them: the CRLs (RFC 5280 section 5) and the OCSP
//! responder (RFC 6960), served over HTTP under the path of `ca.base_url` (the URLs written in
//! the certificates).
//!
//! - [`RevocationService::revoke`]: the certificate goes into the register of revocations with
//!   its reason (RFC 5280 section 5.3.1); the credential becomes `revoked` and its key is
//!   destroyed (a wrapped key's blob is cleared, a token key is destroyed in the HSM), or, for
//!   `certificateHold`, `suspended` with the key kept. Signature Activation Data of the
//!   credential is spent in the same transaction, so no signature made afterwards is recorded.
//! - [`RevocationService::reinstate`]: lifts a suspension (the entry leaves the register).
//! - `authority.rs`: the CA and OCSP responder opened once from the HSM; the CRLs, rebuilt with
//!   a higher CRL number whenever the register changed and otherwise served from the database.
//! - `ocsp.rs`: OCSP answers from the register; `register.rs`: the register of issued
//!   certificates (an unknown serial is `unknown`); `http.rs`: the public endpoints.
//!
//! Every change is audited with the state change, in one transaction.

mod authority;
mod error;
pub mod http;
mod ocsp;
mod register;

use std::sync::{Arc, Mutex};

use firma_ca::RevocationReason;
use firma_core::ports::{CredentialStatusChange, RevocationRecord};
use firma_core::{
    AuditEvent, AuditKind, AuditLog, Clock, CredentialId, CredentialStatus, DirectoryStore, KeyRef,
    KeyStore, RevocationStore,
};
use firma_hsm::Hsm;
use firma_store::Database;
use serde::Serialize;
use time::OffsetDateTime;

pub use error::RevocationError;
pub use register::{OCSP_KEY_LABEL, certificate_record, serial_of_certificate};

use crate::config::Settings;

/// How long a CRL is valid: `nextUpdate` is `thisUpdate` plus this (RFC 5280 section 5.1.2.5).
/// A CRL is rebuilt, with the next CRL number, as soon as the register changes, and in any case
/// once half of this has passed.
pub const CRL_VALIDITY: time::Duration = time::Duration::hours(24);

/// Revocation, suspension and their publication (CRL, OCSP).
pub struct RevocationService {
    db: Database,
    keys: Arc<dyn KeyStore>,
    clock: Arc<dyn Clock>,
    base_url: String,
    ca_path: String,
    authority: tokio::sync::OnceCell<Arc<authority::Authority>>,
    /// Serialises CRL publication in this process (instances on one database use the CRL
    /// number as a compare-and-swap).
    crl_lock: tokio::sync::Mutex<()>,
    /// When the register of issued certificates was last completed from the credentials.
    last_sync: Mutex<Option<OffsetDateTime>>,
}

/// What a revocation or suspension did.
#[derive(Debug, Clone, Serialize)]
pub struct RevocationOutcome {
    pub credential_id: String,
    /// `revoked`, `suspended` or (after a reinstatement) `active`.
    pub status: &'static str,
    /// The certificate's serial number, hexadecimal; absent for a credential that never had
    /// a certificate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub revoked_at: Option<OffsetDateTime>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub invalidity_date: Option<OffsetDateTime>,
    /// Whether the key was destroyed (permanent revocation).
    pub key_destroyed: bool,
}

/// The service over the given HSM and database, with the CA URLs of `settings`.
pub fn service(
    settings: &Settings,
    hsm: &Hsm,
    db: &Database,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Arc<RevocationService>> {
    Ok(Arc::new(RevocationService::new(
        db.clone(),
        Arc::new(hsm.clone()),
        clock,
        &settings.ca.base_url,
    )?))
}

impl RevocationService {
    /// `base_url` is `ca.base_url`: its path is where the CRL, OCSP and certificate endpoints
    /// are served.
    pub fn new(
        db: Database,
        keys: Arc<dyn KeyStore>,
        clock: Arc<dyn Clock>,
        base_url: &str,
    ) -> Result<Self, RevocationError> {
        let ca_path = http::path_of(base_url)?;
        Ok(Self {
            db,
            keys,
            clock,
            base_url: base_url.to_owned(),
            ca_path,
            authority: tokio::sync::OnceCell::new(),
            crl_lock: tokio::sync::Mutex::new(()),
            last_sync: Mutex::new(None),
        })
    }

    /// The path the CA endpoints are served under (`/ca` for `http://127.0.0.1:8080/ca`; empty
    /// for a base URL without a path).
    pub fn ca_path(&self) -> &str {
        &self.ca_path
    }

    /// Revokes the certificate of `credential` for `reason` (see the module documentation);
    /// `certificateHold` suspends it instead. Refused: a credential already revoked, a
    /// suspension of a suspended one or of one without a certificate. A credential still
    /// awaiting its certificate is revoked (key destroyed) with nothing to publish.
    pub async fn revoke(
        &self,
        credential: CredentialId,
        reason: RevocationReason,
        actor: &str,
    ) -> Result<(), RevocationError> {
        self.revoke_with(credential, reason, None, actor)
            .await
            .map(|_| ())
    }

    /// [`Self::revoke`] with the date the certificate became invalid, when known and earlier
    /// (RFC 5280 section 5.3.2, invalidityDate); the outcome for the caller.
    pub async fn revoke_with(
        &self,
        credential: CredentialId,
        reason: RevocationReason,
        invalidity_date: Option<OffsetDateTime>,
        actor: &str,
    ) -> Result<RevocationOutcome, RevocationError> {
        let now = whole_seconds(self.clock.now());
        let invalidity_date = invalidity_date.map(whole_seconds);
        if invalidity_date.is_some_and(|d| d > now) {
            return Err(RevocationError::invalid(
                "invalid_invalidity_date",
                "the invalidity date is in the future: it is when the certificate became \
                 invalid, no later than now (RFC 5280 section 5.3.2)",
            ));
        }
        let stored = self.load(credential).await?;
        let to = if reason.is_suspension() {
            CredentialStatus::Suspended
        } else {
            CredentialStatus::Revoked
        };
        let has_certificate = !stored.certificate_chain.is_empty();
        match (stored.status, to) {
            (CredentialStatus::Active, _)
            | (CredentialStatus::Suspended, CredentialStatus::Revoked) => {}
            // A credential whose certificate never came (an officer removed meanwhile): its
            // key is destroyed, there is nothing to publish.
            (CredentialStatus::AwaitingCertificate, CredentialStatus::Revoked) => {}
            (CredentialStatus::AwaitingCertificate, _) if has_certificate => {}
            (CredentialStatus::Revoked, _) => {
                return Err(RevocationError::conflict(
                    "credential_revoked",
                    "the credential is already revoked",
                ));
            }
            (CredentialStatus::Suspended, _) => {
                return Err(RevocationError::conflict(
                    "credential_suspended",
                    "the credential is already suspended (lift the suspension with reinstate)",
                ));
            }
            (CredentialStatus::AwaitingCertificate, _) => {
                return Err(RevocationError::conflict(
                    "no_certificate",
                    "the credential has no certificate yet: there is nothing to suspend",
                ));
            }
        }
        let certificate = if has_certificate {
            Some(self.certificate_of(&stored).await?)
        } else {
            None
        };
        let serial_hex = certificate
            .as_ref()
            .map(|(leaf, _)| leaf.serial_hex.clone());
        let destroy = to == CredentialStatus::Revoked;
        // A wrapped key is destroyed by clearing its blob in the same transaction; a token key
        // is destroyed in the HSM once the revocation is recorded.
        let cleared = match (&stored.key, destroy) {
            (
                KeyRef::Wrapped {
                    spec, kek_label, ..
                },
                true,
            ) => Some(KeyRef::Wrapped {
                spec: *spec,
                kek_label: kek_label.clone(),
                blob: Vec::new(),
            }),
            _ => None,
        };
        let subject = format!("credential:{}", credential.0);
        let kind = if destroy {
            AuditKind::CredentialRevoked
        } else {
            AuditKind::CredentialSuspended
        };
        let mut event = AuditEvent::new(kind, actor, &subject)
            .with("reason", reason.name())
            .with("serial", serial_hex.as_deref().unwrap_or("none"))
            .with("previous_status", stored.status.code());
        if let Some(date) = invalidity_date {
            event = event.with("invalidity_date", date);
        }
        let mut events = vec![event];
        if cleared.is_some() {
            events.push(
                AuditEvent::new(AuditKind::KeyDestroyed, actor, &subject)
                    .with("storage", "wrapped")
                    .with("how", "wrapped key blob erased from the database"),
            );
        }
        let serial = certificate
            .map(|(_, record)| record.serial)
            .unwrap_or_default();
        let change = CredentialStatusChange {
            credential,
            from: stored.status,
            to,
            entry: (!serial.is_empty()).then(|| RevocationRecord {
                serial: serial.clone(),
                credential: Some(credential),
                reason: reason.code(),
                revoked_at: now,
                invalidity_date,
                revoked_by: actor.to_owned(),
            }),
            serial,
            key: cleared.clone(),
        };
        if !self
            .db
            .change_credential_status(&change, &events, now)
            .await?
        {
            return Err(RevocationError::conflict(
                "credential_changed",
                "the credential changed while it was being revoked; try again",
            ));
        }
        tracing::info!(
            credential = %credential.0,
            reason = reason.name(),
            serial = serial_hex.as_deref().unwrap_or("none"),
            "credential {}",
            if destroy { "revoked" } else { "suspended" }
        );
        let mut key_destroyed = cleared.is_some();
        if destroy && let KeyRef::Token { .. } = &stored.key {
            self.destroy_token_key(&stored.key, &subject, actor).await?;
            key_destroyed = true;
        }
        Ok(RevocationOutcome {
            credential_id: credential.0.to_string(),
            status: to.code(),
            serial: serial_hex,
            reason: Some(reason.name()),
            revoked_at: Some(now),
            invalidity_date,
            key_destroyed,
        })
    }

    /// Lifts the suspension of `credential`: its certificate leaves the register (the next CRL
    /// no longer lists it, OCSP answers `good`) and it may sign again.
    pub async fn reinstate(
        &self,
        credential: CredentialId,
        actor: &str,
    ) -> Result<RevocationOutcome, RevocationError> {
        let now = whole_seconds(self.clock.now());
        let stored = self.load(credential).await?;
        if stored.status != CredentialStatus::Suspended {
            return Err(RevocationError::conflict(
                "credential_not_suspended",
                format!(
                    "the credential is {}: only a suspended credential can be reinstated",
                    stored.status.code()
                ),
            ));
        }
        let (leaf, record) = self.certificate_of(&stored).await?;
        let event = AuditEvent::new(
            AuditKind::CredentialReinstated,
            actor,
            format!("credential:{}", credential.0),
        )
        .with("serial", &leaf.serial_hex);
        let change = CredentialStatusChange {
            credential,
            from: CredentialStatus::Suspended,
            to: CredentialStatus::Active,
            serial: record.serial,
            entry: None,
            key: None,
        };
        if !self
            .db
            .change_credential_status(&change, &[event], now)
            .await?
        {
            return Err(RevocationError::conflict(
                "credential_changed",
                "the credential changed while it was being reinstated; try again",
            ));
        }
        tracing::info!(credential = %credential.0, serial = %leaf.serial_hex, "suspension lifted");
        Ok(RevocationOutcome {
            credential_id: credential.0.to_string(),
            status: CredentialStatus::Active.code(),
            serial: Some(leaf.serial_hex),
            reason: None,
            revoked_at: None,
            invalidity_date: None,
            key_destroyed: false,
        })
    }

    async fn load(&self, id: CredentialId) -> Result<firma_core::Credential, RevocationError> {
        self.db
            .credential(id)
            .await?
            .ok_or_else(|| RevocationError::NotFound(id.0.to_string()))
    }

    /// The credential's certificate, registered as issued (so that OCSP knows it).
    async fn certificate_of(
        &self,
        credential: &firma_core::Credential,
    ) -> Result<(register::Leaf, firma_core::ports::IssuedCertificateRecord), RevocationError> {
        let der = credential.certificate_chain.first().ok_or_else(|| {
            RevocationError::conflict(
                "no_certificate",
                "the credential has no certificate yet: there is nothing to revoke",
            )
        })?;
        let leaf = register::Leaf::parse(der)?;
        let record = leaf.record(firma_core::ports::IssuedKind::Officer, Some(credential.id));
        self.db
            .register_issued(std::slice::from_ref(&record), self.clock.now())
            .await?;
        Ok((leaf, record))
    }

    /// Destroys a token-resident key in the HSM and audits it.
    async fn destroy_token_key(
        &self,
        key: &KeyRef,
        subject: &str,
        actor: &str,
    ) -> Result<(), RevocationError> {
        let keys = self.keys.clone();
        let key = key.clone();
        let destroyed = tokio::task::spawn_blocking(move || keys.destroy(&key))
            .await
            .map_err(|e| RevocationError::Internal(format!("HSM worker failed: {e}")))?;
        if let Err(e) = destroyed {
            tracing::error!(error = %e, subject, "the certificate is revoked but the HSM did not destroy the key");
            return Err(RevocationError::KeyNotDestroyed(e.to_string()));
        }
        let event = AuditEvent::new(AuditKind::KeyDestroyed, actor, subject)
            .with("storage", "token")
            .with("how", "token object destroyed in the HSM");
        self.db.append(&[event], self.clock.now()).await?;
        Ok(())
    }
}

/// `at` without its fraction of a second (CRLs and OCSP carry whole seconds).
fn whole_seconds(at: OffsetDateTime) -> OffsetDateTime {
    at.replace_nanosecond(0).unwrap_or(at)
}

/// Why `credential` cannot sign now, for refusals ("the credential was revoked (keyCompromise)
/// at ..."); `None` when it may sign.
pub async fn refusal(
    db: &Database,
    credential: &firma_core::Credential,
) -> Result<Option<String>, firma_core::RepositoryError> {
    if credential.can_sign() {
        return Ok(None);
    }
    let entry = match credential.status {
        CredentialStatus::Revoked | CredentialStatus::Suspended => {
            db.credential_revocation(credential.id).await?
        }
        _ => None,
    };
    let when = |at: OffsetDateTime| {
        at.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    let reason = |code: u8| {
        RevocationReason::from_code(code)
            .map(RevocationReason::name)
            .unwrap_or("unspecified")
    };
    Ok(Some(match (credential.status, entry) {
        (CredentialStatus::Revoked, Some(e)) => format!(
            "the credential was revoked ({}) at {}",
            reason(e.reason),
            when(e.revoked_at)
        ),
        (CredentialStatus::Suspended, Some(e)) => format!(
            "the credential is suspended ({}) since {}",
            reason(e.reason),
            when(e.revoked_at)
        ),
        (status, _) => format!("the credential is {}, it cannot sign", status.code()),
    }))
}

/// [`refusal`] for the credential as stored now (it may have changed since it was loaded).
pub async fn current_refusal(
    db: &Database,
    credential: CredentialId,
) -> Result<Option<String>, firma_core::RepositoryError> {
    match db.credential(credential).await? {
        Some(c) => refusal(db, &c).await,
        None => Ok(Some(format!(
            "credential {} no longer exists",
            credential.0
        ))),
    }
}
