//! The officer's richiesta firma remota (circolare 48/2025, section 1): filed by the officer with
//! a "Formazione atti" profile, seen by the officer, the ALS and sindaco of the comune, and, once
//! forwarded, the Ente Certificatore; cancelled by the officer or the ALS while undecided.

use firma_core::onboarding::{
    DatiRichiesta, DocumentoIdentita, MetodoOtp, RichiestaError, RichiestaFirmaRemota, RichiestaId,
    StatoRichiesta, data_in_italia,
};
use firma_core::ports::{RichiesteFilter, StoredRichiesta};
use firma_core::{
    AuditEvent, AuditKind, CodiceIstat, DirectoryStore, Email, OnboardingStore, PhoneNumber,
    Principal, RepositoryError, Role,
};

use super::view::RichiestaView;
use super::{MAX_ATTEMPTS, OnboardingError, OnboardingService};

/// What the officer types.
#[derive(Debug, Clone)]
pub struct NuovaRichiestaInput {
    pub documento: DocumentoIdentita,
    pub email: String,
    pub telefono: String,
    pub metodo_otp: MetodoOtp,
}

/// Longest list answered at once.
pub const MAX_LIST: u32 = 1000;

/// Which richieste a list shows, besides the caller's scope.
#[derive(Debug, Clone, Default)]
pub struct ListaRichieste {
    /// State codes; empty: for the Ente Certificatore its queue (`inoltrata`), for the others
    /// every state.
    pub stati: Vec<&'static str>,
    pub limit: Option<u32>,
}

/// The roles that may look at richieste at all.
const READERS: [Role; 4] = [
    Role::Ufficiale,
    Role::Als,
    Role::Sindaco,
    Role::EnteCertificatore,
];

impl OnboardingService {
    /// The officer files a richiesta; it is forwarded at once if its comune's adhesion allows.
    pub async fn compila_richiesta(
        &self,
        caller: &Principal,
        input: NuovaRichiestaInput,
    ) -> Result<RichiestaView, OnboardingError> {
        self.require_role(caller, &[Role::Ufficiale], "richieste-firma")
            .await?;
        let Some(officer_id) = caller.ufficiale else {
            return Err(self
                .forbidden(
                    caller,
                    "richieste-firma",
                    "forbidden",
                    "this principal is not bound to an officer".to_owned(),
                )
                .await);
        };
        let (ufficiale, _) = self
            .db
            .ufficiale(officer_id)
            .await?
            .ok_or_else(|| OnboardingError::not_found("ufficiale", officer_id.0.to_string()))?;
        let dati = DatiRichiesta {
            documento: input.documento,
            email: Email::parse(&input.email)
                .map_err(|e| OnboardingError::invalid("email", e.to_string()))?,
            telefono: PhoneNumber::parse(&input.telefono)
                .map_err(|e| OnboardingError::invalid("telefono", e.to_string()))?,
            metodo_otp: input.metodo_otp,
        };
        let now = self.clock.now();
        let id = RichiestaId(uuid::Uuid::new_v4());
        let r = match RichiestaFirmaRemota::compila(caller, &ufficiale, id, dati, now) {
            Ok(r) => r,
            Err(e @ RichiestaError::ProfiloFormazioneMancante) => {
                return Err(self
                    .forbidden(
                        caller,
                        &format!("ufficiale:{}", officer_id.0),
                        e.code(),
                        e.to_string(),
                    )
                    .await);
            }
            Err(e) => return Err(e.into()),
        };
        let event = AuditEvent::new(
            AuditKind::RichiestaCompilata,
            caller.actor(),
            format!("richiesta:{id}"),
        )
        .with("ufficiale", officer_id.0)
        .with("comune", r.comune())
        .with("metodo_otp", r.metodo_otp().code())
        .with("documento", r.documento().tipo.code());
        match self.db.insert_richiesta(&r, &[event], now).await {
            Ok(()) => {}
            Err(RepositoryError::Duplicate(_)) => {
                return Err(OnboardingError::conflict(
                    "richiesta_aperta",
                    "the officer already has a richiesta firma remota in attesa or inoltrata; \
                     cancel it first to file a new one",
                ));
            }
            Err(RepositoryError::NotFound(_)) => {
                return Err(OnboardingError::not_found(
                    "ufficiale",
                    officer_id.0.to_string(),
                ));
            }
            Err(e) => return Err(e.into()),
        }
        tracing::info!(richiesta = %id, ufficiale = %officer_id.0, "richiesta firma remota filed");
        self.forward_new(&StoredRichiesta {
            richiesta: r,
            version: 0,
            credential: None,
        })
        .await;
        self.richiesta(caller, id).await
    }

    /// A richiesta, for whoever may see it.
    pub async fn richiesta(
        &self,
        caller: &Principal,
        id: RichiestaId,
    ) -> Result<RichiestaView, OnboardingError> {
        self.require_role(caller, &READERS, &format!("richiesta:{id}"))
            .await?;
        let stored = self.visible_richiesta(caller, id).await?;
        self.view(&stored).await
    }

    /// The richieste the caller may see: the officer's own, the comune's for its ALS and
    /// sindaco, the forwarded ones for the Ente Certificatore (by default its queue).
    pub async fn richieste(
        &self,
        caller: &Principal,
        lista: ListaRichieste,
    ) -> Result<Vec<RichiestaView>, OnboardingError> {
        self.require_role(caller, &READERS, "richieste-firma")
            .await?;
        let mut filter = RichiesteFilter {
            stati: lista.stati,
            limit: lista.limit.unwrap_or(MAX_LIST).clamp(1, MAX_LIST),
            ..Default::default()
        };
        match caller.role {
            Role::Ufficiale => {
                let Some(u) = caller.ufficiale else {
                    return Ok(Vec::new());
                };
                filter.ufficiale = Some(u);
            }
            Role::Als | Role::Sindaco => {
                let Some(c) = caller.comune.clone() else {
                    return Ok(Vec::new());
                };
                filter.comune = Some(c);
            }
            _ => {
                filter.inoltrate = true;
                if filter.stati.is_empty() {
                    filter.stati = vec!["inoltrata"];
                }
            }
        }
        let mut views = Vec::new();
        let mut adesioni: Vec<(CodiceIstat, Option<firma_core::onboarding::Adesione>)> = Vec::new();
        let today = data_in_italia(self.clock.now());
        for s in self.db.richieste(&filter).await? {
            let comune = s.richiesta.comune().clone();
            let adesione = match adesioni.iter().find(|(c, _)| *c == comune) {
                Some((_, a)) => a.clone(),
                None => {
                    let a = self.adesione_of(&comune).await?;
                    adesioni.push((comune, a.clone()));
                    a
                }
            };
            views.push(RichiestaView::new(&s, adesione.as_ref(), today));
        }
        Ok(views)
    }

    /// The officer, or the ALS of the comune, cancels a richiesta not yet decided.
    pub async fn annulla_richiesta(
        &self,
        caller: &Principal,
        id: RichiestaId,
    ) -> Result<RichiestaView, OnboardingError> {
        self.require_role(
            caller,
            &[Role::Ufficiale, Role::Als],
            &format!("richiesta:{id}"),
        )
        .await?;
        for _ in 0..MAX_ATTEMPTS {
            let stored = self.visible_richiesta(caller, id).await?;
            let now = self.clock.now();
            let mut r = stored.richiesta.clone();
            r.annulla(caller, now)?;
            let event = AuditEvent::new(
                AuditKind::RichiestaAnnullata,
                caller.actor(),
                format!("richiesta:{id}"),
            )
            .with("ufficiale", r.ufficiale().0)
            .with("stato_precedente", stored.richiesta.stato().code());
            if self
                .db
                .update_richiesta(&r, stored.version, None, &[event], now)
                .await?
            {
                return self
                    .view(&StoredRichiesta {
                        richiesta: r,
                        version: stored.version + 1,
                        credential: stored.credential,
                    })
                    .await;
            }
        }
        Err(OnboardingError::busy("the richiesta"))
    }

    /// The richiesta `id` if `caller` may see it; otherwise "not found" (audited).
    pub(super) async fn visible_richiesta(
        &self,
        caller: &Principal,
        id: RichiestaId,
    ) -> Result<StoredRichiesta, OnboardingError> {
        let key = id.to_string();
        let stored = self
            .db
            .richiesta(id)
            .await?
            .ok_or_else(|| OnboardingError::not_found("richiesta", key.clone()))?;
        let r = &stored.richiesta;
        let visible = match caller.role {
            Role::Ufficiale => caller.is_officer(r.ufficiale()),
            Role::Als | Role::Sindaco => caller.comune.as_ref() == Some(r.comune()),
            Role::EnteCertificatore => r.inoltrata_il().is_some(),
            _ => false,
        };
        if !visible {
            let reason = match caller.role {
                Role::EnteCertificatore => "not forwarded to the Ente Certificatore",
                Role::Ufficiale => "another officer's richiesta",
                _ => "another comune's richiesta",
            };
            return Err(self.hidden(caller, "richiesta", &key, reason).await);
        }
        Ok(stored)
    }

    pub(super) async fn view(&self, s: &StoredRichiesta) -> Result<RichiestaView, OnboardingError> {
        let adesione = if *s.richiesta.stato() == StatoRichiesta::InAttesa {
            self.adesione_of(s.richiesta.comune()).await?
        } else {
            None
        };
        Ok(RichiestaView::new(
            s,
            adesione.as_ref(),
            data_in_italia(self.clock.now()),
        ))
    }
}
