//! What request handlers share.

use std::path::PathBuf;
use std::sync::Arc;

use firma_core::Clock;
use firma_hsm::Hsm;
use firma_store::Database;

use crate::chiavette::ChiavetteService;
use crate::onboarding::OnboardingService;
use crate::otp::OtpService;
use crate::revocation::RevocationService;
use crate::signing::SigningService;

/// The service's adapters and services, cheap to clone into each handler.
#[derive(Clone)]
pub struct AppState {
    pub hsm: Hsm,
    pub db: Database,
    pub clock: Arc<dyn Clock>,
    pub otp: Arc<OtpService>,
    pub signing: Arc<SigningService>,
    /// Revocation, suspension, CRLs and OCSP (the Ente Certificatore simulator).
    pub revocation: Arc<RevocationService>,
    /// Officers, adhesions, richieste firma remota and the Ente Certificatore's decisions.
    pub onboarding: Arc<OnboardingService>,
    /// The Prefetture's stock, deliveries of chiavette with their receipts, binding.
    pub chiavette: Arc<ChiavetteService>,
    /// The SMS simulator's outbox, when the simulator is the gateway (exposed over HTTP then).
    pub sms_outbox: Option<PathBuf>,
    /// Largest request body accepted by the API.
    pub max_request_bytes: usize,
}
