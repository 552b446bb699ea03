//! The Ente Certificatore's side: its operator records the identity checks on forwarded
//! richieste and approves or rejects them.
//!
//! Approval (Regulation (EU) No 910/2014, art. 24(1): the identity is verified before a
//! qualified certificate is issued; the domain refuses an approval without a recorded check): the
//! officer's key pair is generated in the HSM, a PKCS#10 request signed by that key proves
//! possession, the Ente Certificatore issues the qualified certificate of the AgID profile
//! ([`crate::ca::certify_officer`], through the [`firma_core::ports::EnteCertificatore`] port: the
//! simulator, or a real one); then one transaction stores the approved richiesta, the
//! active credential and the officer's OTP device (for SMS, the phone of the richiesta becomes
//! the officer's SMS device; for a chiavetta the device is bound later, when the officer binds
//! the chiavetta the Prefettura delivered to the comune). If the richiesta changed meanwhile
//! (cancelled, removed officer, another operator's decision) nothing is stored, and the new key,
//! which exists only as a wrapped blob never stored, is gone with it.

use firma_core::onboarding::{RichiestaId, TipoDocumento, data_in_italia};
use firma_core::otp::OtpDevice;
use firma_core::ports::{Approval, EnteCertificatoreError, IssuedKind};
use firma_core::{
    AuditEvent, AuditKind, DirectoryStore, KeySpec, OnboardingStore, Principal, RevocationStore,
    Role,
};
use serde::Serialize;

use super::view::{RichiestaView, iso};
use super::{MAX_ATTEMPTS, OnboardingError, OnboardingService};
use crate::ca::CertificationError;

/// What an approval produced.
#[derive(Debug, Clone, Serialize)]
pub struct ApprovazioneView {
    pub richiesta: RichiestaView,
    pub credential_id: String,
    /// The certificate's serial number, hexadecimal.
    pub serial: String,
    pub key_type: &'static str,
    /// `sms` (bound now) or `chiavetta_da_abbinare` (the officer binds the chiavetta later), or
    /// `token` (a chiavetta the officer had already bound).
    pub otp_device: &'static str,
}

impl OnboardingService {
    /// The operator records that they checked the officer's identity on the declared document.
    pub async fn registra_verifica(
        &self,
        caller: &Principal,
        id: RichiestaId,
        tipo: TipoDocumento,
        numero: &str,
    ) -> Result<RichiestaView, OnboardingError> {
        let subject = format!("richiesta:{id}");
        self.require_role(caller, &[Role::EnteCertificatore], &subject)
            .await?;
        for _ in 0..MAX_ATTEMPTS {
            let stored = self.visible_richiesta(caller, id).await?;
            let now = self.clock.now();
            let mut r = stored.richiesta.clone();
            r.registra_verifica(caller, tipo, numero, now)?;
            let event = AuditEvent::new(AuditKind::IdentitaVerificata, caller.actor(), &subject)
                .with("ufficiale", r.ufficiale().0)
                .with("tipo_documento", tipo.code())
                .with("giorno", iso(data_in_italia(now)));
            if self
                .db
                .update_richiesta(&r, stored.version, None, &[event], now)
                .await?
            {
                let mut stored = stored;
                stored.richiesta = r;
                return self.view(&stored).await;
            }
        }
        Err(OnboardingError::busy("the richiesta"))
    }

    /// The operator approves: the credential is issued and becomes active (see the module
    /// documentation). `key_type`: `ec-p256`, `rsa-2048` or `rsa-3072`, by default
    /// `onboarding.key_type`.
    pub async fn approva(
        &self,
        caller: &Principal,
        id: RichiestaId,
        key_type: Option<&str>,
    ) -> Result<ApprovazioneView, OnboardingError> {
        let subject = format!("richiesta:{id}");
        self.require_role(caller, &[Role::EnteCertificatore], &subject)
            .await?;
        let spec = match key_type {
            None => self.settings.key_spec,
            Some(name) => KeySpec::from_name(name).ok_or_else(|| {
                OnboardingError::invalid(
                    "invalid_key_type",
                    format!("key type {name:?} is not one of ec-p256, rsa-2048, rsa-3072"),
                )
            })?,
        };
        for _ in 0..MAX_ATTEMPTS {
            let stored = self.visible_richiesta(caller, id).await?;
            let mut r = stored.richiesta.clone();
            // The rules first (role, state, identity check recorded, document still valid), so
            // that no key is made for a richiesta that cannot be approved.
            r.approva(caller, self.clock.now())?;
            let (officer, device) = self.db.ufficiale(r.ufficiale()).await?.ok_or_else(|| {
                OnboardingError::conflict(
                    "ufficiale_rimosso",
                    "the officer of this richiesta has been removed by the ALS",
                )
            })?;
            let credential = crate::ca::certify_officer(
                self.ente.as_ref(),
                &self.hsm,
                self.clock.as_ref(),
                &officer,
                spec,
            )
            .await
            .map_err(|e| match e {
                CertificationError::Ente(EnteCertificatoreError::Refused(reason)) => {
                    OnboardingError::CertificationRefused(reason)
                }
                other => OnboardingError::Certification(other.to_string()),
            })?;
            let leaf = crate::revocation::certificate_record(
                &credential.certificate_chain[0],
                IssuedKind::Officer,
                Some(credential.id),
            )?;
            let serial: String = leaf.serial.iter().map(|b| format!("{b:02x}")).collect();
            let sms_phone = (r.metodo_otp() == firma_core::onboarding::MetodoOtp::Sms)
                .then(|| r.telefono().clone());
            let otp_device = match (&sms_phone, &device) {
                (Some(_), _) => "sms",
                (None, Some(OtpDevice::Token { .. })) => "token",
                (None, _) => "chiavetta_da_abbinare",
            };
            let now = credential.created_at;
            let events = [
                AuditEvent::new(AuditKind::RichiestaApprovata, caller.actor(), &subject)
                    .with("ufficiale", r.ufficiale().0)
                    .with("credential", credential.id.0)
                    .with("metodo_otp", r.metodo_otp().code())
                    .with("verifiche", r.verifiche().len()),
                AuditEvent::new(
                    AuditKind::CredentialIssued,
                    caller.actor(),
                    format!("credential:{}", credential.id.0),
                )
                .with("officer", officer.id.0)
                .with("key_type", spec.name())
                .with("serial", &serial)
                .with("richiesta", id)
                .with("otp_device", otp_device),
            ];
            let approval = Approval {
                richiesta: &r,
                expected_version: stored.version,
                credential: &credential,
                sms_phone: sms_phone.as_ref(),
            };
            if !self.db.approve_richiesta(&approval, &events, now).await? {
                tracing::info!(richiesta = %id, "the richiesta changed during the approval; the unused key is discarded");
                continue;
            }
            // The register of issued certificates (for OCSP `good`); the revocation service
            // completes it from the credentials should this fail.
            if let Err(e) = self.db.register_issued(&[leaf], now).await {
                tracing::warn!(credential = %credential.id.0, error = %e, "could not register the issued certificate yet");
            }
            tracing::info!(richiesta = %id, credential = %credential.id.0, "richiesta approved, credential active");
            let view = self
                .view(&firma_core::ports::StoredRichiesta {
                    richiesta: r,
                    version: stored.version + 1,
                    credential: Some(credential.id),
                })
                .await?;
            return Ok(ApprovazioneView {
                richiesta: view,
                credential_id: credential.id.0.to_string(),
                serial,
                key_type: spec.name(),
                otp_device,
            });
        }
        Err(OnboardingError::busy("the richiesta"))
    }

    /// The operator rejects, with a reason the officer can act on.
    pub async fn rifiuta(
        &self,
        caller: &Principal,
        id: RichiestaId,
        motivo: &str,
    ) -> Result<RichiestaView, OnboardingError> {
        let subject = format!("richiesta:{id}");
        self.require_role(caller, &[Role::EnteCertificatore], &subject)
            .await?;
        for _ in 0..MAX_ATTEMPTS {
            let stored = self.visible_richiesta(caller, id).await?;
            let now = self.clock.now();
            let mut r = stored.richiesta.clone();
            r.rifiuta(caller, motivo, now)?;
            let motivo = match r.stato() {
                firma_core::onboarding::StatoRichiesta::Rifiutata { motivo, .. } => motivo.clone(),
                _ => String::new(),
            };
            let event = AuditEvent::new(AuditKind::RichiestaRifiutata, caller.actor(), &subject)
                .with("ufficiale", r.ufficiale().0)
                .with("motivo", motivo);
            if self
                .db
                .update_richiesta(&r, stored.version, None, &[event], now)
                .await?
            {
                let mut stored = stored;
                stored.richiesta = r;
                return self.view(&stored).await;
            }
        }
        Err(OnboardingError::busy("the richiesta"))
    }
}
