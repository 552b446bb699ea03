//! The richiesta firma remota of an officer (circolare 48/2025, section 1):
//!
//! "Gli ufficiali dello stato civile ai quali è stato attribuito il profilo per la formazione degli
//! atti digitali dello stato civile devono, pertanto, procedere alla richiesta del rilascio della
//! firma elettronica remota [...]:
//! - Compilazione della richiesta, con l'inserimento degli estremi del proprio documento di
//!   identità, l'indirizzo e-mail e il numero di telefono e specificando il metodo di ricezione
//!   dell'OTP (password temporanea), optando per il cellulare o il dispositivo fisico (chiavetta).
//! - Inoltro della richiesta all'Ente Certificatore [...]" (see [`eligible_for_forwarding`]).
//!
//! Life cycle: `InAttesa` → `Inoltrata` (automatically, when eligible) → `Approvata` (after the
//! Ente Certificatore recorded an identity check) or `Rifiutata` (with a reason); `InAttesa` or
//! `Inoltrata` → `Annullata` (by the officer, or by the ALS, e.g. when removing the officer).
//!
//! [`eligible_for_forwarding`]: super::eligible_for_forwarding

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::adesione::Adesione;
use super::ambito::{FuoriAmbito, del_comune, ha_ruolo};
use super::calendario::data_in_italia;
use super::campo::{CampoNonValido, presente, testo};
use super::documento::{DocumentoIdentita, TipoDocumento};
use super::inoltro::{NotYet, eligible_for_forwarding};
use super::verifica::VerificaIdentita;
use crate::access::{Principal, PrincipalId, Role};
use crate::comune::CodiceIstat;
use crate::phone::PhoneNumber;
use crate::ufficiale::{Email, TipoAtto, Ufficiale, UfficialeId};

/// Identifier of a richiesta firma remota.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RichiestaId(pub Uuid);

impl fmt::Display for RichiestaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// "Metodo di ricezione dell'OTP": "il cellulare o il dispositivo fisico (chiavetta)".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetodoOtp {
    Sms,
    Chiavetta,
}

impl MetodoOtp {
    pub fn code(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Chiavetta => "chiavetta",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Sms, Self::Chiavetta]
            .into_iter()
            .find(|m| m.code() == code)
    }
}

/// What the officer fills in. Email and phone are parsed by their own types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatiRichiesta {
    pub documento: DocumentoIdentita,
    pub email: Email,
    pub telefono: PhoneNumber,
    pub metodo_otp: MetodoOtp,
}

/// Where a richiesta is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stato", rename_all = "snake_case")]
pub enum StatoRichiesta {
    /// Waiting for the comune's adhesion date to be confirmed and near enough.
    InAttesa,
    /// Forwarded to the Ente Certificatore, in its queue.
    Inoltrata,
    /// Approved by the Ente Certificatore: the key and certificate can be produced.
    Approvata {
        il: OffsetDateTime,
        operatore: PrincipalId,
    },
    Rifiutata {
        motivo: String,
        il: OffsetDateTime,
        operatore: PrincipalId,
    },
    Annullata {
        il: OffsetDateTime,
        da: PrincipalId,
    },
}

impl StatoRichiesta {
    pub fn code(&self) -> &'static str {
        match self {
            Self::InAttesa => "in_attesa",
            Self::Inoltrata => "inoltrata",
            Self::Approvata { .. } => "approvata",
            Self::Rifiutata { .. } => "rifiutata",
            Self::Annullata { .. } => "annullata",
        }
    }

    /// Still going somewhere (not approved, rejected or cancelled).
    pub fn aperta(&self) -> bool {
        matches!(self, Self::InAttesa | Self::Inoltrata)
    }
}

/// Identity checks kept per richiesta (a bound on stored data, far above any real need).
pub const MAX_VERIFICHE: usize = 16;
const MAX_MOTIVO: usize = 1000;

/// Why an action on a richiesta is refused; each variant is one rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RichiestaError {
    #[error(transparent)]
    FuoriAmbito(#[from] FuoriAmbito),
    #[error("only the officer can request their own remote signature")]
    SoloIlTitolare,
    #[error(
        "the remote signature is for officers with a profile to form atti (\"Stato Civile - \
         Formazione atti ...\"); ask the ALS to assign one first"
    )]
    ProfiloFormazioneMancante,
    #[error("{numero:?} is not a document number: 5 to 20 letters and digits (spaces are ignored)")]
    NumeroDocumento { numero: String },
    #[error("the identity document expired on {scadenza} (checked on {giorno})")]
    DocumentoScaduto { scadenza: Date, giorno: Date },
    #[error(transparent)]
    Campo(#[from] CampoNonValido),
    #[error(transparent)]
    NonInoltrabile(#[from] NotYet),
    #[error("the richiesta is {stato}: it cannot be {azione}")]
    StatoNonConsente {
        stato: &'static str,
        azione: &'static str,
    },
    #[error(
        "the document checked ({verificato}) is not the one in the richiesta ({atteso}): check the \
         document the officer declared"
    )]
    DocumentoVerificatoDiverso { atteso: String, verificato: String },
    #[error("at most {MAX_VERIFICHE} identity checks are recorded per richiesta")]
    TroppeVerifiche,
    #[error("record the identity check (who, when, which document) before approving")]
    VerificaIdentitaMancante,
    #[error("a rejection needs a reason the officer can act on")]
    MotivoMancante,
}

impl RichiestaError {
    /// Stable code for API errors.
    pub fn code(&self) -> &'static str {
        match self {
            Self::FuoriAmbito(e) => e.code(),
            Self::SoloIlTitolare => "solo_il_titolare",
            Self::ProfiloFormazioneMancante => "profilo_formazione_mancante",
            Self::NumeroDocumento { .. } => "numero_documento",
            Self::DocumentoScaduto { .. } => "documento_scaduto",
            Self::Campo(_) => "campo_non_valido",
            Self::NonInoltrabile(e) => e.code(),
            Self::StatoNonConsente { .. } => "stato_non_consente",
            Self::DocumentoVerificatoDiverso { .. } => "documento_verificato_diverso",
            Self::TroppeVerifiche => "troppe_verifiche",
            Self::VerificaIdentitaMancante => "verifica_identita_mancante",
            Self::MotivoMancante => "motivo_mancante",
        }
    }
}

/// A richiesta firma remota. Fields are private: every change goes through the rules.
/// Deserialising restores a stored value as it was (the store's data is trusted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RichiestaFirmaRemota {
    id: RichiestaId,
    ufficiale: UfficialeId,
    comune: CodiceIstat,
    documento: DocumentoIdentita,
    email: Email,
    telefono: PhoneNumber,
    metodo_otp: MetodoOtp,
    stato: StatoRichiesta,
    creata_il: OffsetDateTime,
    inoltrata_il: Option<OffsetDateTime>,
    verifiche: Vec<VerificaIdentita>,
}

impl RichiestaFirmaRemota {
    /// The officer fills in and sends a richiesta at `now`; it starts `InAttesa`.
    pub fn compila(
        richiedente: &Principal,
        ufficiale: &Ufficiale,
        id: RichiestaId,
        dati: DatiRichiesta,
        now: OffsetDateTime,
    ) -> Result<Self, RichiestaError> {
        if !richiedente.is_officer(ufficiale.id) {
            return Err(RichiestaError::SoloIlTitolare);
        }
        if !TipoAtto::ATTI_STATO_CIVILE
            .iter()
            .any(|t| ufficiale.puo_firmare(*t))
        {
            return Err(RichiestaError::ProfiloFormazioneMancante);
        }
        let d = &dati.documento;
        let documento = DocumentoIdentita::nuovo(d.tipo, &d.numero, &d.rilasciato_da, d.scadenza)?;
        documento.verifica_validita(data_in_italia(now))?;
        Ok(Self {
            id,
            ufficiale: ufficiale.id,
            comune: ufficiale.comune.clone(),
            documento,
            email: dati.email,
            telefono: dati.telefono,
            metodo_otp: dati.metodo_otp,
            stato: StatoRichiesta::InAttesa,
            creata_il: now,
            inoltrata_il: None,
            verifiche: Vec::new(),
        })
    }

    /// Forwards the richiesta to the Ente Certificatore if [`eligible_for_forwarding`] on the
    /// Italian date of `now`.
    pub fn inoltra(
        &mut self,
        adesione: Option<&Adesione>,
        now: OffsetDateTime,
    ) -> Result<(), RichiestaError> {
        eligible_for_forwarding(self, adesione, data_in_italia(now))?;
        self.stato = StatoRichiesta::Inoltrata;
        self.inoltrata_il = Some(now);
        Ok(())
    }

    /// The Ente Certificatore operator records that they checked the officer's identity on the
    /// document of the richiesta, still valid on that day.
    pub fn registra_verifica(
        &mut self,
        operatore: &Principal,
        tipo_documento: TipoDocumento,
        numero_documento: &str,
        now: OffsetDateTime,
    ) -> Result<&VerificaIdentita, RichiestaError> {
        ha_ruolo(operatore, Role::EnteCertificatore)?;
        self.richiede_inoltrata("checked")?;
        if !self
            .documento
            .e_il_documento(tipo_documento, numero_documento)
        {
            return Err(RichiestaError::DocumentoVerificatoDiverso {
                atteso: format!("{} {}", self.documento.tipo, self.documento.numero),
                verificato: format!(
                    "{tipo_documento} {}",
                    numero_documento.chars().take(40).collect::<String>()
                ),
            });
        }
        self.documento.verifica_validita(data_in_italia(now))?;
        if self.verifiche.len() >= MAX_VERIFICHE {
            return Err(RichiestaError::TroppeVerifiche);
        }
        self.verifiche.push(VerificaIdentita {
            operatore: operatore.id,
            nome_operatore: operatore.name.clone(),
            verificata_il: now,
            tipo_documento,
            numero_documento: self.documento.numero.clone(),
        });
        Ok(&self.verifiche[self.verifiche.len() - 1])
    }

    /// The Ente Certificatore approves: only after an identity check was recorded, and with the
    /// document still valid today.
    pub fn approva(
        &mut self,
        operatore: &Principal,
        now: OffsetDateTime,
    ) -> Result<(), RichiestaError> {
        ha_ruolo(operatore, Role::EnteCertificatore)?;
        self.richiede_inoltrata("approved")?;
        if self.verifiche.is_empty() {
            return Err(RichiestaError::VerificaIdentitaMancante);
        }
        self.documento.verifica_validita(data_in_italia(now))?;
        self.stato = StatoRichiesta::Approvata {
            il: now,
            operatore: operatore.id,
        };
        Ok(())
    }

    /// The Ente Certificatore rejects, with a reason.
    pub fn rifiuta(
        &mut self,
        operatore: &Principal,
        motivo: &str,
        now: OffsetDateTime,
    ) -> Result<(), RichiestaError> {
        ha_ruolo(operatore, Role::EnteCertificatore)?;
        self.richiede_inoltrata("rejected")?;
        let motivo = presente(Some(motivo)).ok_or(RichiestaError::MotivoMancante)?;
        let motivo = testo("Motivo del rifiuto", motivo, MAX_MOTIVO)?;
        self.stato = StatoRichiesta::Rifiutata {
            motivo,
            il: now,
            operatore: operatore.id,
        };
        Ok(())
    }

    /// The officer, or the ALS of the comune, cancels a richiesta not yet decided.
    pub fn annulla(&mut self, chi: &Principal, now: OffsetDateTime) -> Result<(), RichiestaError> {
        if !chi.is_officer(self.ufficiale) {
            del_comune(chi, Role::Als, &self.comune)?;
        }
        if !self.stato.aperta() {
            return Err(self.stato_non_consente("cancelled"));
        }
        self.stato = StatoRichiesta::Annullata {
            il: now,
            da: chi.id,
        };
        Ok(())
    }

    fn richiede_inoltrata(&self, azione: &'static str) -> Result<(), RichiestaError> {
        if self.stato == StatoRichiesta::Inoltrata {
            Ok(())
        } else {
            Err(self.stato_non_consente(azione))
        }
    }

    fn stato_non_consente(&self, azione: &'static str) -> RichiestaError {
        RichiestaError::StatoNonConsente {
            stato: self.stato.code(),
            azione,
        }
    }

    pub fn id(&self) -> RichiestaId {
        self.id
    }

    pub fn ufficiale(&self) -> UfficialeId {
        self.ufficiale
    }

    pub fn comune(&self) -> &CodiceIstat {
        &self.comune
    }

    pub fn documento(&self) -> &DocumentoIdentita {
        &self.documento
    }

    pub fn email(&self) -> &Email {
        &self.email
    }

    pub fn telefono(&self) -> &PhoneNumber {
        &self.telefono
    }

    pub fn metodo_otp(&self) -> MetodoOtp {
        self.metodo_otp
    }

    pub fn stato(&self) -> &StatoRichiesta {
        &self.stato
    }

    pub fn creata_il(&self) -> OffsetDateTime {
        self.creata_il
    }

    pub fn inoltrata_il(&self) -> Option<OffsetDateTime> {
        self.inoltrata_il
    }

    pub fn verifiche(&self) -> &[VerificaIdentita] {
        &self.verifiche
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use time::macros::{date, datetime};

    use super::*;
    use crate::onboarding::fixtures::{
        als, come_ufficiale, dati_proposta, dati_richiesta, fiumicino, operatore_ec, roma, sindaco,
        ufficiale,
    };
    use crate::ufficiale::Profilo;

    const NOW: OffsetDateTime = datetime!(2026-03-01 10:00 UTC);

    fn richiesta() -> RichiestaFirmaRemota {
        let u = ufficiale(7);
        RichiestaFirmaRemota::compila(
            &come_ufficiale(&u),
            &u,
            RichiestaId(Uuid::from_u128(70)),
            dati_richiesta(MetodoOtp::Sms),
            NOW,
        )
        .unwrap()
    }

    /// A richiesta forwarded on 1 April 2026 for an adhesion proposed on 1 March for 1 June.
    fn inoltrata() -> RichiestaFirmaRemota {
        let adesione = Adesione::proponi(
            &sindaco(),
            &roma(),
            dati_proposta(date!(2026 - 06 - 01)),
            NOW,
        )
        .unwrap();
        let mut r = richiesta();
        r.inoltra(Some(&adesione), datetime!(2026-04-01 08:00 UTC))
            .unwrap();
        r
    }

    #[test]
    fn filled_in_by_the_officer_with_a_formazione_profile() {
        let r = richiesta();
        assert_eq!(r.stato(), &StatoRichiesta::InAttesa);
        assert_eq!(r.comune(), &roma());
        assert_eq!(r.metodo_otp(), MetodoOtp::Sms);
        let u = ufficiale(7);
        let dati = || dati_richiesta(MetodoOtp::Chiavetta);
        let id = RichiestaId(Uuid::from_u128(71));
        // Someone else (even the ALS, even another officer) cannot request it for them.
        for chi in [als(), come_ufficiale(&ufficiale(8))] {
            assert_eq!(
                RichiestaFirmaRemota::compila(&chi, &u, id, dati(), NOW),
                Err(RichiestaError::SoloIlTitolare)
            );
        }
        let solo_consultazione = Ufficiale {
            profili: BTreeSet::from([Profilo::Consultazione, Profilo::Certificazione]),
            ..u.clone()
        };
        assert_eq!(
            RichiestaFirmaRemota::compila(
                &come_ufficiale(&solo_consultazione),
                &solo_consultazione,
                id,
                dati(),
                NOW
            ),
            Err(RichiestaError::ProfiloFormazioneMancante)
        );
    }

    #[test]
    fn the_document_must_not_be_expired_today_in_italy() {
        let u = ufficiale(7);
        let id = RichiestaId(Uuid::from_u128(71));
        let mut dati = dati_richiesta(MetodoOtp::Sms);
        dati.documento.scadenza = date!(2026 - 03 - 01);
        // 23:30 UTC on 28 February is 1 March in Rome: the document's last day, still valid.
        assert!(
            RichiestaFirmaRemota::compila(
                &come_ufficiale(&u),
                &u,
                id,
                dati.clone(),
                datetime!(2026-02-28 23:30 UTC)
            )
            .is_ok()
        );
        // 23:30 UTC on 1 March is 2 March in Rome: expired.
        assert_eq!(
            RichiestaFirmaRemota::compila(
                &come_ufficiale(&u),
                &u,
                id,
                dati.clone(),
                datetime!(2026-03-01 23:30 UTC)
            ),
            Err(RichiestaError::DocumentoScaduto {
                scadenza: date!(2026 - 03 - 01),
                giorno: date!(2026 - 03 - 02)
            })
        );
        dati.documento.numero = "??".into();
        assert_eq!(
            RichiestaFirmaRemota::compila(&come_ufficiale(&u), &u, id, dati, NOW)
                .unwrap_err()
                .code(),
            "numero_documento"
        );
    }

    #[test]
    fn approval_needs_a_recorded_identity_check() {
        let mut r = inoltrata();
        let ec = operatore_ec();
        let later = datetime!(2026-04-02 09:00 UTC);
        assert_eq!(
            r.approva(&ec, later),
            Err(RichiestaError::VerificaIdentitaMancante)
        );
        // The check must be on the declared document.
        let err = r
            .registra_verifica(&ec, TipoDocumento::Passaporto, "CA12345AB", later)
            .unwrap_err();
        assert_eq!(err.code(), "documento_verificato_diverso");
        assert!(
            err.to_string().contains("carta d'identità CA12345AB"),
            "{err}"
        );
        assert!(
            r.registra_verifica(&ec, TipoDocumento::CartaIdentita, "CA12345AC", later)
                .is_err()
        );
        assert!(r.verifiche().is_empty());
        let v = r
            .registra_verifica(&ec, TipoDocumento::CartaIdentita, "ca 12345 ab", later)
            .unwrap()
            .clone();
        assert_eq!(v.operatore, ec.id);
        assert_eq!(v.verificata_il, later);
        assert_eq!(v.numero_documento, "CA12345AB");
        r.approva(&ec, later).unwrap();
        assert_eq!(
            r.stato(),
            &StatoRichiesta::Approvata {
                il: later,
                operatore: ec.id
            }
        );
        // Decided: nothing more.
        assert!(matches!(
            r.rifiuta(&ec, "ripensamento", later),
            Err(RichiestaError::StatoNonConsente {
                stato: "approvata",
                ..
            })
        ));
        assert!(r.annulla(&come_ufficiale(&ufficiale(7)), later).is_err());
    }

    #[test]
    fn only_the_ente_certificatore_checks_and_decides() {
        let mut r = inoltrata();
        let later = datetime!(2026-04-02 09:00 UTC);
        for chi in [als(), sindaco(), come_ufficiale(&ufficiale(7))] {
            assert_eq!(
                r.registra_verifica(&chi, TipoDocumento::CartaIdentita, "CA12345AB", later)
                    .unwrap_err()
                    .code(),
                "ruolo_non_ammesso"
            );
            assert_eq!(
                r.approva(&chi, later).unwrap_err().code(),
                "ruolo_non_ammesso"
            );
            assert_eq!(
                r.rifiuta(&chi, "no", later).unwrap_err().code(),
                "ruolo_non_ammesso"
            );
        }
        assert_eq!(r.stato(), &StatoRichiesta::Inoltrata);
    }

    #[test]
    fn a_document_expired_before_the_check_or_the_approval_is_refused() {
        let mut r = inoltrata();
        let ec = operatore_ec();
        // The document expires on 30 June 2030.
        let dopo = datetime!(2030-07-01 08:00 UTC);
        assert!(matches!(
            r.registra_verifica(&ec, TipoDocumento::CartaIdentita, "CA12345AB", dopo),
            Err(RichiestaError::DocumentoScaduto { .. })
        ));
        r.registra_verifica(
            &ec,
            TipoDocumento::CartaIdentita,
            "CA12345AB",
            datetime!(2030-06-30 08:00 UTC),
        )
        .unwrap();
        assert!(matches!(
            r.approva(&ec, dopo),
            Err(RichiestaError::DocumentoScaduto { .. })
        ));
    }

    #[test]
    fn checks_and_decisions_only_on_a_forwarded_richiesta() {
        let mut r = richiesta();
        let ec = operatore_ec();
        assert_eq!(
            r.registra_verifica(&ec, TipoDocumento::CartaIdentita, "CA12345AB", NOW),
            Err(RichiestaError::StatoNonConsente {
                stato: "in_attesa",
                azione: "checked"
            })
        );
        assert!(matches!(
            r.approva(&ec, NOW),
            Err(RichiestaError::StatoNonConsente { .. })
        ));
        assert!(matches!(
            r.rifiuta(&ec, "documento illeggibile", NOW),
            Err(RichiestaError::StatoNonConsente { .. })
        ));
    }

    #[test]
    fn identity_checks_are_bounded() {
        let mut r = inoltrata();
        let ec = operatore_ec();
        let later = datetime!(2026-04-02 09:00 UTC);
        for _ in 0..MAX_VERIFICHE {
            r.registra_verifica(&ec, TipoDocumento::CartaIdentita, "CA12345AB", later)
                .unwrap();
        }
        assert_eq!(
            r.registra_verifica(&ec, TipoDocumento::CartaIdentita, "CA12345AB", later),
            Err(RichiestaError::TroppeVerifiche)
        );
    }

    #[test]
    fn rejection_needs_a_reason() {
        let mut r = inoltrata();
        let ec = operatore_ec();
        let later = datetime!(2026-04-02 09:00 UTC);
        for blank in ["", "   ", "\n"] {
            assert_eq!(
                r.rifiuta(&ec, blank, later),
                Err(RichiestaError::MotivoMancante)
            );
        }
        assert!(matches!(
            r.rifiuta(&ec, &"x".repeat(1001), later),
            Err(RichiestaError::Campo(_))
        ));
        assert_eq!(r.stato(), &StatoRichiesta::Inoltrata);
        r.rifiuta(&ec, " Documento scaduto alla verifica ", later)
            .unwrap();
        assert_eq!(
            r.stato(),
            &StatoRichiesta::Rifiutata {
                motivo: "Documento scaduto alla verifica".into(),
                il: later,
                operatore: ec.id
            }
        );
        assert!(r.approva(&ec, later).is_err());
    }

    #[test]
    fn cancelled_by_the_officer_or_the_als_of_the_comune_while_open() {
        let later = datetime!(2026-04-02 09:00 UTC);
        let mut r = richiesta();
        let officer = come_ufficiale(&ufficiale(7));
        r.annulla(&officer, later).unwrap();
        assert_eq!(
            r.stato(),
            &StatoRichiesta::Annullata {
                il: later,
                da: officer.id
            }
        );
        assert!(matches!(
            r.annulla(&officer, later),
            Err(RichiestaError::StatoNonConsente {
                stato: "annullata",
                ..
            })
        ));
        let mut r = inoltrata();
        r.annulla(&als(), later).unwrap();
        let mut r = richiesta();
        let mut als_altrove = als();
        als_altrove.comune = Some(fiumicino());
        for chi in [
            als_altrove,
            sindaco(),
            operatore_ec(),
            come_ufficiale(&ufficiale(8)),
        ] {
            assert!(
                matches!(r.annulla(&chi, later), Err(RichiestaError::FuoriAmbito(_))),
                "{:?}",
                chi.role
            );
        }
        assert_eq!(r.stato(), &StatoRichiesta::InAttesa);
    }

    #[test]
    fn stored_values_round_trip() {
        let mut r = inoltrata();
        r.registra_verifica(
            &operatore_ec(),
            TipoDocumento::CartaIdentita,
            "CA12345AB",
            datetime!(2026-04-02 09:00 UTC),
        )
        .unwrap();
        let back: RichiestaFirmaRemota =
            serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
        for m in [MetodoOtp::Sms, MetodoOtp::Chiavetta] {
            assert_eq!(MetodoOtp::from_code(m.code()), Some(m));
        }
    }
}
