//! Deliveries of chiavette to the comuni and their receipts.
//!
//! Circolare 48/2025, section 2: the flow "consente all'operatore della Prefettura di tracciare
//! [...] il numero delle chiavette consegnate e di generare una ricevuta da firmare". Recording a
//! delivery stores it (the chiavette become `delivered` to the comune) and then asks for the
//! receipt's signature: a signing request for the operator's own credential over the PDF of
//! [`super::ricevuta_pdf`], authorised by the operator with their OTP
//! (`POST /api/v1/signing-requests/{id}/authorize`), signed in PAdES by the signing pipeline.
//! Nothing is lost if that fails or is never authorised: the delivery stays recorded and the
//! receipt can be requested again. Once its signing request completed, the signed PDF is stored
//! with the delivery (`chiavette.ricevuta_firmata` in the audit log) the first time the delivery
//! is read.

use firma_core::onboarding::{NuovaConsegna, registra_consegna};
use firma_core::ports::{ConsegnaId, NuovaConsegnaStored, StoredConsegna};
use firma_core::{
    AuditEvent, AuditKind, ChiavetteStore, CodiceIstat, CodiceProvincia, CredentialId,
    DirectoryStore, DocumentFormat, Principal, RequestStatus, Role, SignatureLevel,
    SigningRequestId, SigningStore, TipoAtto,
};
use sha2::{Digest, Sha256};

use super::view::{ConsegnaView, RicevutaView, iso, rfc3339};
use super::{ChiavetteError, ChiavetteService, MAX_ATTEMPTS, ricevuta_pdf};
use crate::signing::{NewDocumentInput, NewRequest};

/// Most deliveries of one comune read to decide a new one.
const MAX_PRECEDENTI: u32 = 100_000;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl ChiavetteService {
    /// The Prefettura's operator records a delivery to the delegate of the sindaco of
    /// `nuova.comune` (a comune of their province), then the receipt's signature is requested
    /// (see the module documentation). 201 with the delivery and where its receipt is.
    pub async fn registra_consegna(
        &self,
        caller: &Principal,
        nuova: NuovaConsegna,
    ) -> Result<ConsegnaView, ChiavetteError> {
        let provincia = nuova.comune.provincia();
        self.require_provincia(caller, &provincia, false, "comune", nuova.comune.as_str())
            .await?;
        let seriali: Vec<String> = nuova.seriali.iter().map(|s| s.trim().to_owned()).collect();
        for _ in 0..MAX_ATTEMPTS {
            let scorte = self.db.chiavette(&seriali).await?;
            let allocazione = self.allocation(&provincia).await?;
            let precedenti = self
                .db
                .consegne(&provincia, Some(&nuova.comune), MAX_PRECEDENTI)
                .await?;
            let now = self.clock.now();
            let esito = registra_consegna(
                caller,
                nuova.clone(),
                &scorte,
                &allocazione,
                &precedenti
                    .iter()
                    .map(|p| p.consegna.clone())
                    .collect::<Vec<_>>(),
                now,
            )?;
            let numero = precedenti.iter().map(|p| p.numero).max().unwrap_or(0) + 1;
            let id = ConsegnaId(uuid::Uuid::new_v4());
            let c = &esito.consegna;
            let mut event = AuditEvent::new(
                AuditKind::TokensDelivered,
                caller.actor(),
                format!("consegna:{id}"),
            )
            .with("comune", &c.comune)
            .with("numero", numero)
            .with("chiavette", c.seriali.len())
            .with("seriali", c.seriali.join(","))
            .with("codice_fiscale_delegato", &c.delegato.codice_fiscale)
            .with("data", iso(c.data))
            .with("allocate", allocazione.per(&c.comune));
            if let Some(motivo) = &c.motivo_oltre_allocazione {
                event = event.with("motivo_oltre_allocazione", motivo);
            }
            let stored = NuovaConsegnaStored {
                id,
                numero,
                consegna: c,
            };
            if !self.db.insert_consegna(&stored, &[event], now).await? {
                continue;
            }
            let stored = StoredConsegna {
                id,
                numero,
                consegna: esito.consegna,
                ricevuta: Default::default(),
            };
            let ricevuta = match self.avvia_ricevuta(caller, &stored, None).await {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!(consegna = %id, error = %e, "the receipt's signature could not be requested; the delivery is recorded");
                    RicevutaView {
                        stato: "da_richiedere",
                        signing_request_id: None,
                        firmata_il: None,
                        otp: None,
                        errore: Some(e.to_string()),
                    }
                }
            };
            return Ok(ConsegnaView::new(&stored, ricevuta));
        }
        Err(ChiavetteError::busy(
            "the chiavette or the comune's deliveries",
        ))
    }

    /// A delivery with where its receipt is: the province's operator, or the administrator.
    pub async fn consegna(
        &self,
        caller: &Principal,
        id: ConsegnaId,
    ) -> Result<ConsegnaView, ChiavetteError> {
        let stored = self.visible(caller, id).await?;
        let (stored, ricevuta) = self.stato_ricevuta(stored).await?;
        Ok(ConsegnaView::new(&stored, ricevuta))
    }

    /// The deliveries of `provincia` (of one comune when given), oldest first.
    pub async fn consegne(
        &self,
        caller: &Principal,
        provincia: &CodiceProvincia,
        comune: Option<&CodiceIstat>,
        limit: u32,
    ) -> Result<Vec<ConsegnaView>, ChiavetteError> {
        self.require_provincia(caller, provincia, true, "provincia", provincia.as_str())
            .await?;
        self.consegne_di(provincia, comune, limit).await
    }

    /// [`Self::consegne`] without access control (the CLI's operator).
    pub async fn consegne_di(
        &self,
        provincia: &CodiceProvincia,
        comune: Option<&CodiceIstat>,
        limit: u32,
    ) -> Result<Vec<ConsegnaView>, ChiavetteError> {
        let mut out = Vec::new();
        for stored in self.db.consegne(provincia, comune, limit).await? {
            let (stored, ricevuta) = self.stato_ricevuta(stored).await?;
            out.push(ConsegnaView::new(&stored, ricevuta));
        }
        Ok(out)
    }

    /// The signed receipt (PDF); 409 `ricevuta_non_richiesta` or `ricevuta_non_firmata` before.
    pub async fn ricevuta(
        &self,
        caller: &Principal,
        id: ConsegnaId,
    ) -> Result<Vec<u8>, ChiavetteError> {
        let stored = self.visible(caller, id).await?;
        let (_, ricevuta) = self.stato_ricevuta(stored).await?;
        match ricevuta.stato {
            "firmata" => self.db.ricevuta_firmata(id).await?.ok_or_else(|| {
                ChiavetteError::Internal(format!("the signed receipt of {id} is missing"))
            }),
            "da_richiedere" | "non_firmata" => Err(ChiavetteError::conflict(
                "ricevuta_non_richiesta",
                format!(
                    "the receipt of delivery {id} has no signing request in progress{}: request \
                     it with POST /api/v1/consegne/{id}/ricevuta",
                    ricevuta
                        .errore
                        .map(|e| format!(" (the last one: {e})"))
                        .unwrap_or_default()
                ),
            )),
            _ => Err(ChiavetteError::conflict(
                "ricevuta_non_firmata",
                format!(
                    "the receipt of delivery {id} is not signed yet: the operator authorises \
                     signing request {} with their OTP (POST /api/v1/signing-requests/{}/authorize)",
                    ricevuta.signing_request_id.as_deref().unwrap_or("?"),
                    ricevuta.signing_request_id.as_deref().unwrap_or("?"),
                ),
            )),
        }
    }

    /// The operator asks again for the receipt's signature (none was made, or the last signing
    /// request failed, was cancelled or expired).
    pub async fn richiedi_ricevuta(
        &self,
        caller: &Principal,
        id: ConsegnaId,
    ) -> Result<ConsegnaView, ChiavetteError> {
        // Only an operator signs a receipt (the administrator may read deliveries).
        self.require_role(caller, &[Role::Prefettura], &format!("consegna:{id}"))
            .await?;
        let stored = self.visible(caller, id).await?;
        let (stored, ricevuta) = self.stato_ricevuta(stored).await?;
        match ricevuta.stato {
            "firmata" => Err(ChiavetteError::conflict(
                "ricevuta_gia_firmata",
                format!("the receipt of delivery {id} is already signed: fetch it with GET"),
            )),
            "in_attesa_di_firma" | "in_firma" => Err(ChiavetteError::conflict(
                "ricevuta_in_firma",
                format!(
                    "signing request {} for this receipt is in progress: authorise it, or cancel \
                     it before asking again",
                    ricevuta.signing_request_id.as_deref().unwrap_or("?")
                ),
            )),
            _ => {
                let previous = stored.ricevuta.richiesta_firma;
                let ricevuta = self.avvia_ricevuta(caller, &stored, previous).await?;
                Ok(ConsegnaView::new(&stored, ricevuta))
            }
        }
    }

    /// A delivery `caller` may see: the province's operator or the administrator (403 for other
    /// roles, 404 for another province's; audited).
    async fn visible(
        &self,
        caller: &Principal,
        id: ConsegnaId,
    ) -> Result<StoredConsegna, ChiavetteError> {
        let subject = format!("consegna:{id}");
        self.require_role(caller, &[Role::Prefettura, Role::Admin], &subject)
            .await?;
        let Some(stored) = self.db.consegna(id).await? else {
            return Err(ChiavetteError::not_found("consegna", id.to_string()));
        };
        self.require_provincia(
            caller,
            &stored.consegna.provincia,
            true,
            "consegna",
            &id.to_string(),
        )
        .await?;
        Ok(stored)
    }

    /// The operator's credential for receipts: `caller` must be registered as an officer with
    /// the profile "Operatore distribuzione chiavette per OTP" and an active credential.
    async fn credenziale_operatore(
        &self,
        caller: &Principal,
    ) -> Result<CredentialId, ChiavetteError> {
        let how = "register the operator (firma officers add ... --profili \
                   operatore_distribuzione_chiavette --phone ...), issue a credential (firma \
                   credentials issue --officer CF) and link the principal (firma principals \
                   create --role prefettura --provincia P --officer CF)";
        let Some(ufficiale) = caller.ufficiale else {
            return Err(ChiavetteError::conflict(
                "operatore_senza_credenziale",
                format!(
                    "{} is not linked to a signing credential, so the receipt cannot be signed: {how}",
                    caller.name
                ),
            ));
        };
        let Some((officer, _)) = self.db.ufficiale(ufficiale).await? else {
            return Err(ChiavetteError::conflict(
                "operatore_senza_credenziale",
                format!("the operator's registration was removed: {how}"),
            ));
        };
        if !officer.puo_firmare(TipoAtto::RicevutaChiavette) {
            return Err(ChiavetteError::conflict(
                "profile_missing",
                format!(
                    "{} {} lacks the profile \"{}\" needed to sign receipts",
                    officer.nome,
                    officer.cognome,
                    TipoAtto::RicevutaChiavette.profilo_richiesto().label()
                ),
            ));
        }
        self.db
            .credentials_of(ufficiale)
            .await?
            .into_iter()
            .filter(|c| c.can_sign())
            .max_by_key(|c| c.created_at)
            .map(|c| c.id)
            .ok_or_else(|| {
                ChiavetteError::conflict(
                    "credenziale_mancante",
                    format!(
                        "{} {} has no active credential to sign the receipt: {how}",
                        officer.nome, officer.cognome
                    ),
                )
            })
    }

    /// Makes the receipt's PDF and the signing request for the operator's credential, and
    /// records it with the delivery if its current request is still `previous`.
    async fn avvia_ricevuta(
        &self,
        caller: &Principal,
        stored: &StoredConsegna,
        previous: Option<SigningRequestId>,
    ) -> Result<RicevutaView, ChiavetteError> {
        let credential = self.credenziale_operatore(caller).await?;
        let pdf = ricevuta_pdf(stored);
        let c = &stored.consegna;
        let n = c.seriali.len();
        let input = NewRequest {
            credential,
            documents: vec![NewDocumentInput {
                name: format!(
                    "ricevuta-consegna-chiavette-{}-{}.pdf",
                    c.comune, stored.numero
                ),
                atto: TipoAtto::RicevutaChiavette,
                format: DocumentFormat::Pades,
                level: if self.signing.has_tsa() {
                    SignatureLevel::BT
                } else {
                    SignatureLevel::BB
                },
                content: pdf.clone(),
            }],
            body_hash: Sha256::digest(&pdf).into(),
            idempotency_key: None,
        };
        let what = if n == 1 {
            "la firma della ricevuta di consegna di 1 chiavetta".to_owned()
        } else {
            format!("la firma della ricevuta di consegna di {n} chiavette")
        };
        let outcome = self.signing.submit(caller, input, &what).await?;
        let request = SigningRequestId(
            outcome
                .request
                .id
                .parse()
                .map_err(|e| ChiavetteError::Internal(format!("signing request id: {e}")))?,
        );
        if !self
            .db
            .set_richiesta_ricevuta(stored.id, previous, request, &[], self.clock.now())
            .await?
        {
            // Another request for this receipt was recorded meanwhile: this one is not needed.
            if let Err(e) = self.signing.cancel(caller, request).await {
                tracing::warn!(request = %request, error = %e, "could not cancel a superfluous receipt request");
            }
            return Err(ChiavetteError::conflict(
                "ricevuta_in_firma",
                "the receipt's signature was requested at the same time by another call",
            ));
        }
        Ok(RicevutaView {
            stato: "in_attesa_di_firma",
            signing_request_id: Some(request.to_string()),
            firmata_il: None,
            otp: Some(outcome.otp),
            errore: None,
        })
    }

    /// Where the receipt of `stored` is; a completed signing request's PDF is stored with the
    /// delivery now (once).
    async fn stato_ricevuta(
        &self,
        mut stored: StoredConsegna,
    ) -> Result<(StoredConsegna, RicevutaView), ChiavetteError> {
        let view = |stato: &'static str, request: Option<SigningRequestId>| RicevutaView {
            stato,
            signing_request_id: request.map(|r| r.to_string()),
            firmata_il: None,
            otp: None,
            errore: None,
        };
        for _ in 0..MAX_ATTEMPTS {
            let request_id = stored.ricevuta.richiesta_firma;
            if let Some(at) = stored.ricevuta.firmata_il {
                let mut v = view("firmata", request_id);
                v.firmata_il = Some(rfc3339(at));
                return Ok((stored, v));
            }
            let Some(request_id) = request_id else {
                return Ok((stored, view("da_richiedere", None)));
            };
            let Some(request) = self.db.request(request_id).await? else {
                return Err(ChiavetteError::Internal(format!(
                    "signing request {request_id} of delivery {} is missing",
                    stored.id
                )));
            };
            let now = self.clock.now();
            let stato = match request.status {
                RequestStatus::AwaitingAuthorization if now < request.expires_at => {
                    "in_attesa_di_firma"
                }
                RequestStatus::Signing => "in_firma",
                RequestStatus::Completed => {
                    let pdf = self
                        .db
                        .document_output(request_id, 0)
                        .await?
                        .ok_or_else(|| {
                            ChiavetteError::Internal(format!(
                                "signing request {request_id} completed without its document"
                            ))
                        })?;
                    let event = AuditEvent::new(
                        AuditKind::DeliveryReceiptSigned,
                        &request.created_by,
                        format!("consegna:{}", stored.id),
                    )
                    .with("signing_request", request_id)
                    .with("credential", request.credential.0)
                    .with("sha256", hex(&Sha256::digest(&pdf)));
                    if !self
                        .db
                        .store_ricevuta_firmata(stored.id, request_id, &pdf, &[event], now)
                        .await?
                    {
                        tracing::debug!(consegna = %stored.id, "the signed receipt was stored by another call");
                    }
                    stored = self.db.consegna(stored.id).await?.ok_or_else(|| {
                        ChiavetteError::Internal(format!("delivery {} vanished", stored.id))
                    })?;
                    continue;
                }
                _ => {
                    let mut v = view("non_firmata", Some(request_id));
                    v.errore = Some(request.failure.clone().unwrap_or_else(|| {
                        format!(
                            "the signing request is {}",
                            if request.status == RequestStatus::AwaitingAuthorization {
                                "expired"
                            } else {
                                request.status.code()
                            }
                        )
                    }));
                    return Ok((stored, v));
                }
            };
            return Ok((stored, view(stato, Some(request_id))));
        }
        Err(ChiavetteError::busy("the delivery's receipt"))
    }
}
