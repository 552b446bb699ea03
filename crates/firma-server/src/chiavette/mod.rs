//! The distribution of the chiavette by the Prefetture (circolare 48/2025, section 2), over the
//! pure rules of `firma_core::onboarding`:
//!
//! - `scorta`: the service administrator assigns imported chiavette to a province's stock; the
//!   allocation of the province is computed from the richieste of its comuni's officers who chose
//!   the chiavetta ("un numero di chiavette calcolato in base al numero degli ufficiali dello
//!   stato civile");
//! - `consegne`: the Prefettura's operator records each delivery to the sindaco's delegate; the
//!   receipt ("generare una ricevuta da firmare") is a PDF the service writes, signed in PAdES
//!   with the operator's own credential through the signing pipeline (the operator authorises
//!   it with their OTP like any signature) and then stored with the delivery;
//! - `abbinamento`: an officer binds a chiavetta delivered to their comune with its serial and
//!   two consecutive codes; it becomes the officer's OTP device.
//!
//! Access: the administrator loads stock; the Prefettura's operator acts for their province
//! only; the officer binds for themselves. A caller whose role may not do something gets 403; a
//! caller of the right role but of another province (or comune) gets 404, the answer for what
//! does not exist; both are audited.

mod abbinamento;
mod consegne;
mod error;
mod ricevuta;
mod scorta;
mod view;

use std::sync::Arc;

use firma_core::{Clock, CodiceProvincia, Principal, Role};
use firma_store::Database;

pub use error::ChiavetteError;
pub use ricevuta::ricevuta_pdf;
pub use view::{
    AllocazioneView, CaricoView, ChiavettaView, ComuneAllocazione, ConsegnaView, DelegatoView,
    RicevutaView,
};

use crate::otp::OtpService;
use crate::signing::SigningService;

/// How many times an operation reloads after losing a compare-and-swap before giving up.
const MAX_ATTEMPTS: usize = 8;

pub struct ChiavetteService {
    db: Database,
    otp: Arc<OtpService>,
    signing: Arc<SigningService>,
    clock: Arc<dyn Clock>,
}

impl ChiavetteService {
    pub fn new(
        db: Database,
        otp: Arc<OtpService>,
        signing: Arc<SigningService>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            db,
            otp,
            signing,
            clock,
        }
    }

    /// Refuses (403, audited) a caller whose role is not one of `roles`.
    async fn require_role(
        &self,
        caller: &Principal,
        roles: &[Role],
        subject: &str,
    ) -> Result<(), ChiavetteError> {
        let Some(reason) = crate::auth::reserved_to(roles, caller) else {
            return Ok(());
        };
        self.audit_denial(caller, subject, &reason).await;
        Err(ChiavetteError::Forbidden {
            code: "forbidden",
            message: reason,
        })
    }

    /// The Prefettura's operator of `provincia` (or, where `admin` is allowed, the service
    /// administrator): another role is refused (403), an operator of another province gets 404
    /// for `what`/`id`; both audited.
    async fn require_provincia(
        &self,
        caller: &Principal,
        provincia: &CodiceProvincia,
        admin: bool,
        what: &'static str,
        id: &str,
    ) -> Result<(), ChiavetteError> {
        let roles: &[Role] = if admin {
            &[Role::Prefettura, Role::Admin]
        } else {
            &[Role::Prefettura]
        };
        self.require_role(caller, roles, &format!("{what}:{id}"))
            .await?;
        if caller.role == Role::Admin || caller.provincia.as_ref() == Some(provincia) {
            return Ok(());
        }
        Err(self
            .hidden(caller, what, id, "acts for another province")
            .await)
    }

    /// Audits a refusal answered as "not found" (another province's or comune's resource).
    async fn hidden(
        &self,
        caller: &Principal,
        what: &'static str,
        id: &str,
        reason: &str,
    ) -> ChiavetteError {
        self.audit_denial(caller, &format!("{what}:{id}"), reason)
            .await;
        ChiavetteError::not_found(what, id)
    }

    async fn audit_denial(&self, caller: &Principal, subject: &str, reason: &str) {
        crate::auth::audit_refusal(&self.db, self.clock.as_ref(), caller, subject, reason).await;
    }
}
