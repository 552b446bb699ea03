//! Onboarding of comuni and officers (circolare 48/2025; guida cruscotti adesione ANSC), over the
//! pure rules of `firma_core::onboarding`:
//!
//! - `ufficiali`: the ALS registers the officers of their comune, changes their profiles and
//!   e-mail, removes them (credentials revoked at the CA, keys destroyed, chiavette released,
//!   open richieste cancelled, the officer's principals revoked);
//! - `adesione`: the sindaco's proposta di adesione (editable) and dichiarazione (once);
//! - `richieste`: the officer's richiesta firma remota;
//! - `inoltro`: forwarding to the Ente Certificatore, by a periodic job of `firma serve` and at
//!   once when a richiesta is filed or an adhesion changes, with the time of the `Clock`;
//! - `ente`: the Ente Certificatore's queue, identity checks, approval (key generated in the HSM,
//!   PKCS#10 proof of possession, qualified certificate through the
//!   [`firma_core::ports::EnteCertificatore`] port, credential active, OTP device bound) and
//!   rejection.
//!
//! Access: the ALS and the sindaco act for their comune only, the officer on their own richiesta,
//! the Ente Certificatore operator on forwarded richieste. A caller whose role may not do
//! something gets 403; a caller of the right role but of another comune (or another officer) gets
//! 404, the answer for what does not exist; both are audited.
//!
//! Every change is a compare-and-swap stored with its audit records in one transaction; a lost
//! swap reloads and decides again with the rules.

mod adesione;
mod ente;
mod error;
mod inoltro;
mod richieste;
mod ufficiali;
mod view;

use std::sync::Arc;

use firma_core::ports::EnteCertificatore;
use firma_core::{Clock, CodiceIstat, KeySpec, OnboardingStore, Principal, Role};
use firma_hsm::Hsm;
use firma_store::Database;

pub use ente::ApprovazioneView;
pub use error::OnboardingError;
pub use inoltro::{FORWARDING_ACTOR, spawn_forwarding};
pub use richieste::{ListaRichieste, MAX_LIST, NuovaRichiestaInput};
pub use ufficiali::{NuovoUfficialeInput, REMOVAL_REASON};
pub use view::{
    AdesioneView, ForwardReport, InoltroView, RemovalView, RichiestaView, UfficialeView, parse_date,
};

use crate::config::Settings;
use crate::revocation::RevocationService;

/// How many times an operation reloads after losing a compare-and-swap before giving up.
const MAX_ATTEMPTS: usize = 8;

/// Onboarding settings.
#[derive(Debug, Clone)]
pub struct OnboardingSettings {
    /// The officers' key type when the Ente Certificatore operator does not choose one.
    pub key_spec: KeySpec,
}

pub struct OnboardingService {
    db: Database,
    hsm: Hsm,
    clock: Arc<dyn Clock>,
    revocation: Arc<RevocationService>,
    /// Certifies the officers' keys on approval (the simulator, or a real Ente Certificatore).
    ente: Arc<dyn EnteCertificatore>,
    settings: OnboardingSettings,
}

/// The service over the given adapters, with the settings of `settings` and the configured
/// Ente Certificatore ([`crate::ca::ente_certificatore`]).
pub fn service(
    settings: &Settings,
    hsm: &Hsm,
    db: &Database,
    clock: Arc<dyn Clock>,
    revocation: Arc<RevocationService>,
) -> anyhow::Result<Arc<OnboardingService>> {
    let ente = crate::ca::ente_certificatore(settings, hsm, db, clock.clone())?;
    Ok(Arc::new(OnboardingService::new(
        db.clone(),
        hsm.clone(),
        clock,
        revocation,
        ente,
        settings.onboarding.to_settings()?,
    )))
}

impl OnboardingService {
    pub fn new(
        db: Database,
        hsm: Hsm,
        clock: Arc<dyn Clock>,
        revocation: Arc<RevocationService>,
        ente: Arc<dyn EnteCertificatore>,
        settings: OnboardingSettings,
    ) -> Self {
        Self {
            db,
            hsm,
            clock,
            revocation,
            ente,
            settings,
        }
    }

    pub fn settings(&self) -> &OnboardingSettings {
        &self.settings
    }

    /// Refuses (403, audited) a caller whose role is not one of `roles`.
    async fn require_role(
        &self,
        caller: &Principal,
        roles: &[Role],
        subject: &str,
    ) -> Result<(), OnboardingError> {
        let Some(reason) = crate::auth::reserved_to(roles, caller) else {
            return Ok(());
        };
        Err(self.forbidden(caller, subject, "forbidden", reason).await)
    }

    /// Refuses as not found (404, audited) a caller acting for another comune than `comune`.
    async fn require_comune(
        &self,
        caller: &Principal,
        comune: &CodiceIstat,
        what: &'static str,
        id: &str,
    ) -> Result<(), OnboardingError> {
        if caller.comune.as_ref() == Some(comune) {
            return Ok(());
        }
        Err(self
            .hidden(caller, what, id, "acts for another comune")
            .await)
    }

    /// Audits a refusal and returns it as 403 with `code`.
    async fn forbidden(
        &self,
        caller: &Principal,
        subject: &str,
        code: &'static str,
        reason: String,
    ) -> OnboardingError {
        self.audit_denial(caller, subject, &reason).await;
        OnboardingError::Forbidden {
            code,
            message: reason,
        }
    }

    /// Audits a refusal answered as "not found" (another comune's or another officer's resource).
    async fn hidden(
        &self,
        caller: &Principal,
        what: &'static str,
        id: &str,
        reason: &str,
    ) -> OnboardingError {
        self.audit_denial(caller, &format!("{what}:{id}"), reason)
            .await;
        OnboardingError::not_found(what, id)
    }

    async fn audit_denial(&self, caller: &Principal, subject: &str, reason: &str) {
        crate::auth::audit_refusal(&self.db, self.clock.as_ref(), caller, subject, reason).await;
    }

    /// The adhesion of `comune`, if any (to explain richieste in attesa).
    async fn adesione_of(
        &self,
        comune: &CodiceIstat,
    ) -> Result<Option<firma_core::onboarding::Adesione>, OnboardingError> {
        Ok(self.db.adesione(comune).await?.map(|s| s.adesione))
    }
}
