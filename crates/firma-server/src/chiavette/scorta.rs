//! The stock of a Prefettura and its allocation (circolare 48/2025, section 2: "le Prefetture
//! riceveranno un numero di chiavette calcolato in base al numero degli ufficiali dello stato
//! civile presenti nei Comuni rientranti nel proprio ambito di competenza").

use firma_core::onboarding::{allocate, carica_in_scorta, chiavette_richieste_per_comune};
use firma_core::otp::TokenStatus;
use firma_core::{AuditEvent, AuditKind, ChiavetteStore, CodiceProvincia, Principal, Role};

use super::view::{AllocazioneView, CaricoView, ChiavettaView};
use super::{ChiavetteError, ChiavetteService, MAX_ATTEMPTS};

/// Most deliveries read to total a province's allocation (far above a province's comuni).
const MAX_CONSEGNE: u32 = 100_000;

impl ChiavetteService {
    /// The service administrator assigns imported chiavette to the stock of `provincia`, all or
    /// nothing (`chiavette.allocate` in the audit log).
    pub async fn carica(
        &self,
        caller: &Principal,
        provincia: &CodiceProvincia,
        seriali: &[String],
    ) -> Result<CaricoView, ChiavetteError> {
        self.require_role(caller, &[Role::Admin], &format!("provincia:{provincia}"))
            .await?;
        self.carica_come(&caller.actor(), provincia, seriali).await
    }

    /// [`Self::carica`] for an operator at the terminal (`firma chiavette carica`), recorded as
    /// `actor`.
    pub async fn carica_come(
        &self,
        actor: &str,
        provincia: &CodiceProvincia,
        seriali: &[String],
    ) -> Result<CaricoView, ChiavetteError> {
        let trimmed: Vec<String> = seriali.iter().map(|s| s.trim().to_owned()).collect();
        for _ in 0..MAX_ATTEMPTS {
            let attuali = self.db.chiavette(&trimmed).await?;
            let carico = carica_in_scorta(provincia, seriali, &attuali)?;
            if !carico.nuove.is_empty() {
                let event = AuditEvent::new(
                    AuditKind::TokensAllocated,
                    actor,
                    format!("provincia:{provincia}"),
                )
                .with("chiavette", carico.nuove.len())
                .with("prima", &carico.nuove[0])
                .with("ultima", carico.nuove.last().map_or("", String::as_str));
                if !self
                    .db
                    .carica(provincia, &carico.nuove, &[event], self.clock.now())
                    .await?
                {
                    continue;
                }
            }
            return Ok(CaricoView {
                provincia: provincia.to_string(),
                caricate: carico.nuove,
                gia_presenti: carico.gia_presenti,
            });
        }
        Err(ChiavetteError::busy("the chiavette"))
    }

    /// The allocation of `provincia` (one chiavetta per officer of its comuni who chose it, from
    /// their open or approved richieste), what was delivered, and the stock: the province's
    /// operator, or the administrator.
    pub async fn allocazione(
        &self,
        caller: &Principal,
        provincia: &CodiceProvincia,
    ) -> Result<AllocazioneView, ChiavetteError> {
        self.require_provincia(caller, provincia, true, "provincia", provincia.as_str())
            .await?;
        self.allocazione_di(provincia).await
    }

    /// The allocation view, without access control (the CLI's operator).
    pub async fn allocazione_di(
        &self,
        provincia: &CodiceProvincia,
    ) -> Result<AllocazioneView, ChiavetteError> {
        let allocazione = self.allocation(provincia).await?;
        let consegne = self.db.consegne(provincia, None, MAX_CONSEGNE).await?;
        let scorte = self.db.conteggio_scorte(provincia).await?;
        Ok(AllocazioneView::new(&allocazione, &consegne, &scorte))
    }

    pub(super) async fn allocation(
        &self,
        provincia: &CodiceProvincia,
    ) -> Result<firma_core::onboarding::Allocation, ChiavetteError> {
        let richieste = self.db.richieste_chiavetta(provincia).await?;
        allocate(provincia, &chiavette_richieste_per_comune(&richieste))
            .map_err(|e| ChiavetteError::Internal(format!("allocation of {provincia}: {e}")))
    }

    /// The chiavette of the province's stock (optionally only those in `stato`): the province's
    /// operator, or the administrator.
    pub async fn chiavette_della_provincia(
        &self,
        caller: &Principal,
        provincia: &CodiceProvincia,
        stato: Option<TokenStatus>,
        limit: u32,
    ) -> Result<Vec<ChiavettaView>, ChiavetteError> {
        self.require_provincia(caller, provincia, true, "provincia", provincia.as_str())
            .await?;
        Ok(self
            .db
            .chiavette_della_provincia(provincia, stato, limit)
            .await?
            .iter()
            .map(ChiavettaView::from)
            .collect())
    }
}
