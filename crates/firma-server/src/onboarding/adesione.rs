//! The adhesion of a comune (guida cruscotti adesione ANSC, sections 4.2 and 4.3): the sindaco's
//! proposta (sent, then editable) and dichiarazione (once, read-only afterwards). A change of the
//! adhesion date may open the forwarding window of the comune's richieste: they are looked at at
//! once.

use firma_core::onboarding::{Adesione, DatiDichiarazione, DatiProposta};
use firma_core::{
    AuditEvent, AuditKind, CodiceIstat, OnboardingStore, Principal, RepositoryError, Role,
};

use super::view::{AdesioneView, iso};
use super::{MAX_ATTEMPTS, OnboardingError, OnboardingService};

impl OnboardingService {
    /// The comune's adhesion, for its sindaco or ALS.
    pub async fn adesione(
        &self,
        caller: &Principal,
        comune: &CodiceIstat,
    ) -> Result<AdesioneView, OnboardingError> {
        let subject = format!("adesione:{comune}");
        self.require_role(caller, &[Role::Sindaco, Role::Als], &subject)
            .await?;
        self.require_comune(caller, comune, "adesione", comune.as_str())
            .await?;
        let stored = self
            .db
            .adesione(comune)
            .await?
            .ok_or_else(|| OnboardingError::not_found("adesione", comune.as_str()))?;
        Ok(AdesioneView::new(&stored.adesione))
    }

    /// The sindaco sends the proposta di adesione, or changes it; `true` when it was created.
    pub async fn salva_proposta(
        &self,
        caller: &Principal,
        comune: &CodiceIstat,
        dati: DatiProposta,
    ) -> Result<(AdesioneView, bool), OnboardingError> {
        let subject = format!("adesione:{comune}");
        self.require_role(caller, &[Role::Sindaco], &subject)
            .await?;
        self.require_comune(caller, comune, "adesione", comune.as_str())
            .await?;
        for _ in 0..MAX_ATTEMPTS {
            let now = self.clock.now();
            let saved = match self.db.adesione(comune).await? {
                None => {
                    let a = Adesione::proponi(caller, comune, dati.clone(), now)?;
                    let event =
                        AuditEvent::new(AuditKind::AdesioneProposta, caller.actor(), &subject)
                            .with("data_adesione", iso(a.data_adesione()))
                            .with("tipologia", a.proposta().modalita.tipologia().code())
                            .with("atti_annui", a.proposta().atti_annui)
                            .with("certificati_annui", a.proposta().certificati_annui);
                    match self.db.insert_adesione(&a, &[event], now).await {
                        Ok(()) => Some((a, true)),
                        // Another request sent the first proposta meanwhile: edit it instead.
                        Err(RepositoryError::Duplicate(_)) => None,
                        Err(e) => return Err(e.into()),
                    }
                }
                Some(stored) => {
                    let mut a = stored.adesione.clone();
                    let prima = a.data_adesione();
                    a.modifica_proposta(caller, dati.clone(), now)?;
                    let event =
                        AuditEvent::new(AuditKind::AdesioneModificata, caller.actor(), &subject)
                            .with("data_adesione_precedente", iso(prima))
                            .with("data_adesione", iso(a.data_adesione()))
                            .with("tipologia", a.proposta().modalita.tipologia().code())
                            .with("atti_annui", a.proposta().atti_annui)
                            .with("certificati_annui", a.proposta().certificati_annui);
                    self.db
                        .update_adesione(&a, stored.version, &[event], now)
                        .await?
                        .then_some((a, false))
                }
            };
            if let Some((a, created)) = saved {
                self.forward_after_change(comune).await;
                return Ok((AdesioneView::new(&a), created));
            }
        }
        Err(OnboardingError::busy("the adhesion"))
    }

    /// The sindaco sends the dichiarazione di adesione: once; afterwards nothing changes.
    pub async fn dichiara(
        &self,
        caller: &Principal,
        comune: &CodiceIstat,
        dati: DatiDichiarazione,
    ) -> Result<AdesioneView, OnboardingError> {
        let subject = format!("adesione:{comune}");
        self.require_role(caller, &[Role::Sindaco], &subject)
            .await?;
        self.require_comune(caller, comune, "adesione", comune.as_str())
            .await?;
        for _ in 0..MAX_ATTEMPTS {
            let stored = self.db.adesione(comune).await?.ok_or_else(|| {
                OnboardingError::conflict(
                    "proposta_mancante",
                    format!("comune {comune} has no proposta di adesione: send the proposta first"),
                )
            })?;
            let now = self.clock.now();
            let mut a = stored.adesione.clone();
            let d = a.dichiara(caller, dati.clone(), now)?.clone();
            let event = AuditEvent::new(AuditKind::AdesioneDichiarata, caller.actor(), &subject)
                .with("data_adesione", iso(d.data_adesione))
                .with("data_chiusura_registri", iso(d.data_chiusura_registri))
                .with("tipologia", d.modalita.tipologia().code());
            if self
                .db
                .update_adesione(&a, stored.version, &[event], now)
                .await?
            {
                self.forward_after_change(comune).await;
                return Ok(AdesioneView::new(&a));
            }
        }
        Err(OnboardingError::busy("the adhesion"))
    }

    /// After an adhesion changed: forward what became eligible now (failures are left to the
    /// periodic job).
    async fn forward_after_change(&self, comune: &CodiceIstat) {
        if let Err(e) = self.inoltra_comune(comune).await {
            tracing::warn!(comune = %comune, error = %e, "forwarding after the adhesion changed failed; the periodic job will retry");
        }
    }
}
