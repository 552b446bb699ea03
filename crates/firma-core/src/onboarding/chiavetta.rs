//! A chiavetta (hardware OTP token) as the distribution sees it: whose stock it is, where it was
//! delivered, whom it is bound to. Its life: `InStock` (in the Prefettura's stock) → `Delivered`
//! (to a comune, via the sindaco's delegate) → `Assigned` (bound by its officer); removing the
//! officer unbinds it (`Assigned` → `Delivered`, still in the comune, ready for another officer).
//! The statuses are [`TokenStatus`], the ones the OTP service stores.
//!
//! Circolare 48/2025, section 2: "I dispositivi fisici (chiavette), indicati dagli ufficiali dello
//! stato civile quale metodo di ricezione dell'OTP, saranno distribuiti alle Prefetture".

use crate::comune::{CodiceIstat, CodiceProvincia};
use crate::otp::TokenStatus;
use crate::ufficiale::UfficialeId;

/// The distribution view of a token, composed by the store from the token and its assignments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chiavetta {
    pub serial: String,
    pub stato: TokenStatus,
    /// The Prefettura whose stock it belongs to (`None`: not yet assigned to a province).
    pub provincia: Option<CodiceProvincia>,
    /// The comune it was delivered to.
    pub comune: Option<CodiceIstat>,
    /// The officer it is bound to.
    pub ufficiale: Option<UfficialeId>,
}

impl Chiavetta {
    /// After a delivery to `comune`.
    pub(crate) fn consegnata(&self, comune: &CodiceIstat) -> Self {
        Self {
            stato: TokenStatus::Delivered,
            comune: Some(comune.clone()),
            ufficiale: None,
            ..self.clone()
        }
    }

    /// After its officer bound it.
    pub(crate) fn abbinata(&self, ufficiale: UfficialeId) -> Self {
        Self {
            stato: TokenStatus::Assigned,
            ufficiale: Some(ufficiale),
            ..self.clone()
        }
    }
}
