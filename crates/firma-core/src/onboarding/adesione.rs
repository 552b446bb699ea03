//! The adhesion of one comune to ANSC: its proposta, then its dichiarazione (guida cruscotti
//! adesione ANSC, sections 4.2 and 4.3). The proposta is editable until the dichiarazione is sent;
//! after that both are read-only.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use super::ambito::{FuoriAmbito, del_comune};
use super::campo::CampoNonValido;
use super::dichiarazione::{DatiDichiarazione, DichiarazioneAdesione};
use super::proposta::{
    DatiProposta, GIORNI_PREAVVISO, MAX_ATTI_ANNUI, MAX_CERTIFICATI_ANNUI, PropostaAdesione,
    TipologiaAdesione,
};
use crate::access::{Principal, Role};
use crate::comune::CodiceIstat;

/// Why a proposta or dichiarazione is refused; each variant is one rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdesioneError {
    /// Only the sindaco (or commissario) of the comune sends the proposta and the dichiarazione.
    #[error(transparent)]
    FuoriAmbito(#[from] FuoriAmbito),
    #[error(
        "the proposed adhesion date {data_adesione} must be at least {GIORNI_PREAVVISO} days after \
         the day the proposta is sent ({inoltro}): the earliest possible date is {minima}"
    )]
    DataAdesioneTroppoVicina {
        data_adesione: Date,
        inoltro: Date,
        minima: Date,
    },
    #[error(
        "the proposed adhesion date {data_adesione} is too far ahead (at most {massima}); check \
         the year"
    )]
    DataAdesioneTroppoLontana { data_adesione: Date, massima: Date },
    #[error("the estimated atti annui must be between 1 and {MAX_ATTI_ANNUI}, not {valore}")]
    AttiAnnui { valore: u32 },
    #[error(
        "the estimated certificati annui must be between 1 and {MAX_CERTIFICATI_ANNUI}, not {valore}"
    )]
    CertificatiAnnui { valore: u32 },
    #[error("an adhesion through the gestionale comunale needs the name of the software house")]
    SoftwareHouseMancante,
    #[error(
        "an adhesion through the gestionale comunale needs the name and version of the gestionale"
    )]
    GestionaleMancante,
    #[error(
        "software house and gestionale are given only for an adhesion through the gestionale \
         comunale: empty them, or choose the gestionale"
    )]
    CampiGestionaleConWebApp,
    #[error(transparent)]
    Campo(#[from] CampoNonValido),
    #[error(
        "the dichiarazione di adesione was sent on {dichiarata_il}: the proposta can no longer be \
         changed"
    )]
    PropostaNonPiuModificabile { dichiarata_il: OffsetDateTime },
    #[error(
        "the dichiarazione di adesione can be sent from the proposed date {data_proposta}, today \
         is {oggi}"
    )]
    DichiarazionePrimaDellaDataProposta { data_proposta: Date, oggi: Date },
    #[error(
        "the registri cartacei close the day before the adhesion date, which is the day the \
         dichiarazione is sent ({chiusura_registri}): the adhesion date must be {attesa}, not \
         {indicata}"
    )]
    DataAdesioneDichiarata {
        indicata: Date,
        attesa: Date,
        chiusura_registri: Date,
    },
    #[error(
        "the dichiarazione says {}, the proposta says {}: change the proposta first",
        .dichiarata.code(), .proposta.code()
    )]
    TipologiaDiversaDallaProposta {
        proposta: TipologiaAdesione,
        dichiarata: TipologiaAdesione,
    },
    #[error(
        "an adhesion through the gestionale requires declaring that it handles all the coded stato \
         civile use cases"
    )]
    CapacitaGestionaleNonDichiarata,
    #[error(
        "the dichiarazione di adesione was sent on {inviata_il} and cannot be changed or sent again"
    )]
    DichiarazioneImmutabile { inviata_il: OffsetDateTime },
}

impl AdesioneError {
    /// Stable code for API errors.
    pub fn code(&self) -> &'static str {
        match self {
            Self::FuoriAmbito(e) => e.code(),
            Self::DataAdesioneTroppoVicina { .. } => "data_adesione_troppo_vicina",
            Self::DataAdesioneTroppoLontana { .. } => "data_adesione_troppo_lontana",
            Self::AttiAnnui { .. } => "atti_annui",
            Self::CertificatiAnnui { .. } => "certificati_annui",
            Self::SoftwareHouseMancante => "software_house_mancante",
            Self::GestionaleMancante => "gestionale_mancante",
            Self::CampiGestionaleConWebApp => "campi_gestionale_con_web_app",
            Self::Campo(_) => "campo_non_valido",
            Self::PropostaNonPiuModificabile { .. } => "proposta_non_piu_modificabile",
            Self::DichiarazionePrimaDellaDataProposta { .. } => "dichiarazione_prima_della_data",
            Self::DataAdesioneDichiarata { .. } => "data_adesione_dichiarata",
            Self::TipologiaDiversaDallaProposta { .. } => "tipologia_diversa_dalla_proposta",
            Self::CapacitaGestionaleNonDichiarata => "capacita_gestionale_non_dichiarata",
            Self::DichiarazioneImmutabile { .. } => "dichiarazione_immutabile",
        }
    }
}

/// Where the adhesion is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatoAdesione {
    /// Proposta sent (and still editable).
    Proposta,
    /// Dichiarazione sent: everything is read-only.
    Dichiarata,
}

/// A comune's adhesion. Fields are private: every change goes through the rules. Deserialising
/// restores a stored value as it was (the store's data is trusted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adesione {
    comune: CodiceIstat,
    proposta: PropostaAdesione,
    dichiarazione: Option<DichiarazioneAdesione>,
}

impl Adesione {
    /// The sindaco of `comune` sends a proposta at `now`.
    pub fn proponi(
        sindaco: &Principal,
        comune: &CodiceIstat,
        dati: DatiProposta,
        now: OffsetDateTime,
    ) -> Result<Self, AdesioneError> {
        del_comune(sindaco, Role::Sindaco, comune)?;
        let proposta = PropostaAdesione::valida(dati, None, sindaco.id, now)?;
        Ok(Self {
            comune: comune.clone(),
            proposta,
            dichiarazione: None,
        })
    }

    /// The sindaco changes the proposta ("sarà sempre modificabile"), until the dichiarazione is
    /// sent. On error nothing changes.
    pub fn modifica_proposta(
        &mut self,
        sindaco: &Principal,
        dati: DatiProposta,
        now: OffsetDateTime,
    ) -> Result<&PropostaAdesione, AdesioneError> {
        del_comune(sindaco, Role::Sindaco, &self.comune)?;
        if let Some(d) = &self.dichiarazione {
            return Err(AdesioneError::PropostaNonPiuModificabile {
                dichiarata_il: d.inviata_il,
            });
        }
        self.proposta = PropostaAdesione::valida(dati, Some(&self.proposta), sindaco.id, now)?;
        Ok(&self.proposta)
    }

    /// The sindaco sends the dichiarazione di adesione (once). On error nothing changes.
    pub fn dichiara(
        &mut self,
        sindaco: &Principal,
        dati: DatiDichiarazione,
        now: OffsetDateTime,
    ) -> Result<&DichiarazioneAdesione, AdesioneError> {
        del_comune(sindaco, Role::Sindaco, &self.comune)?;
        if let Some(d) = &self.dichiarazione {
            return Err(AdesioneError::DichiarazioneImmutabile {
                inviata_il: d.inviata_il,
            });
        }
        let d = DichiarazioneAdesione::valida(&self.proposta, dati, sindaco.id, now)?;
        Ok(self.dichiarazione.insert(d))
    }

    pub fn comune(&self) -> &CodiceIstat {
        &self.comune
    }

    pub fn proposta(&self) -> &PropostaAdesione {
        &self.proposta
    }

    pub fn dichiarazione(&self) -> Option<&DichiarazioneAdesione> {
        self.dichiarazione.as_ref()
    }

    pub fn stato(&self) -> StatoAdesione {
        if self.dichiarazione.is_some() {
            StatoAdesione::Dichiarata
        } else {
            StatoAdesione::Proposta
        }
    }

    /// The adhesion date as the sindaco has confirmed it: the declared date once the dichiarazione
    /// is sent, the proposed date before.
    pub fn data_adesione(&self) -> Date {
        self.dichiarazione
            .as_ref()
            .map_or(self.proposta.data_adesione, |d| d.data_adesione)
    }

    /// The day the registri cartacei closed, once declared.
    pub fn data_chiusura_registri(&self) -> Option<Date> {
        self.dichiarazione
            .as_ref()
            .map(|d| d.data_chiusura_registri)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;
    use crate::onboarding::fixtures::{als, dati_proposta, roma, sindaco};

    fn adesione() -> Adesione {
        Adesione::proponi(
            &sindaco(),
            &roma(),
            dati_proposta(date!(2026 - 05 - 01)),
            datetime!(2026-03-01 10:00 UTC),
        )
        .unwrap()
    }

    fn dichiarazione() -> DatiDichiarazione {
        DatiDichiarazione {
            data_adesione: date!(2026 - 05 - 02),
            tipologia: TipologiaAdesione::WebApp,
            gestionale_gestisce_tutti_i_casi_uso: false,
        }
    }

    #[test]
    fn only_the_sindaco_of_the_comune() {
        let now = datetime!(2026-03-01 10:00 UTC);
        let err = Adesione::proponi(&als(), &roma(), dati_proposta(date!(2026 - 05 - 01)), now)
            .unwrap_err();
        assert_eq!(err.code(), "ruolo_non_ammesso");
        let altro = CodiceIstat::parse("058120").unwrap();
        let err = Adesione::proponi(
            &sindaco(),
            &altro,
            dati_proposta(date!(2026 - 05 - 01)),
            now,
        )
        .unwrap_err();
        assert_eq!(err.code(), "altro_comune");
        let mut a = adesione();
        assert!(matches!(
            a.modifica_proposta(&als(), dati_proposta(date!(2026 - 06 - 01)), now),
            Err(AdesioneError::FuoriAmbito(_))
        ));
        assert!(matches!(
            a.dichiara(&als(), dichiarazione(), datetime!(2026-05-01 10:00 UTC)),
            Err(AdesioneError::FuoriAmbito(_))
        ));
    }

    #[test]
    fn the_proposta_is_editable_and_a_new_date_counts_30_days_from_the_change() {
        let mut a = adesione();
        // 20 March: moving the date to 18 April (day 29) is refused, 19 April (day 30) accepted.
        let now = datetime!(2026-03-20 10:00 UTC);
        let before = a.clone();
        assert!(matches!(
            a.modifica_proposta(&sindaco(), dati_proposta(date!(2026 - 04 - 18)), now),
            Err(AdesioneError::DataAdesioneTroppoVicina { minima, .. }) if minima == date!(2026 - 04 - 19)
        ));
        assert_eq!(a, before, "a refused change changes nothing");
        let p = a
            .modifica_proposta(&sindaco(), dati_proposta(date!(2026 - 04 - 19)), now)
            .unwrap();
        assert_eq!(p.data_adesione, date!(2026 - 04 - 19));
        assert_eq!(p.data_fissata_il, date!(2026 - 03 - 20));
        assert_eq!(p.inoltrata_il, datetime!(2026-03-01 10:00 UTC));
        assert_eq!(p.modificata_il, now);
    }

    #[test]
    fn changing_only_the_estimates_keeps_a_date_now_nearer_than_30_days() {
        let mut a = adesione();
        let now = datetime!(2026-04-25 10:00 UTC);
        let p = a
            .modifica_proposta(
                &sindaco(),
                DatiProposta {
                    atti_annui: 5000,
                    ..dati_proposta(date!(2026 - 05 - 01))
                },
                now,
            )
            .unwrap();
        assert_eq!(p.atti_annui, 5000);
        assert_eq!(p.data_fissata_il, date!(2026 - 03 - 01));
        // The same day, changing the date does count 30 days from today.
        assert!(
            a.modifica_proposta(&sindaco(), dati_proposta(date!(2026 - 05 - 02)), now)
                .is_err()
        );
        // The other rules still apply to a change that keeps the date.
        assert_eq!(
            a.modifica_proposta(
                &sindaco(),
                DatiProposta {
                    atti_annui: 0,
                    ..dati_proposta(date!(2026 - 05 - 01))
                },
                now
            )
            .unwrap_err(),
            AdesioneError::AttiAnnui { valore: 0 }
        );
    }

    #[test]
    fn once_declared_nothing_changes() {
        let mut a = adesione();
        let sent = datetime!(2026-05-01 08:00 UTC);
        a.dichiara(&sindaco(), dichiarazione(), sent).unwrap();
        let declared = a.clone();
        let later = datetime!(2026-05-01 09:00 UTC);
        let err = a
            .modifica_proposta(&sindaco(), dati_proposta(date!(2026 - 07 - 01)), later)
            .unwrap_err();
        assert_eq!(
            err,
            AdesioneError::PropostaNonPiuModificabile {
                dichiarata_il: sent
            }
        );
        assert_eq!(err.code(), "proposta_non_piu_modificabile");
        let err = a.dichiara(&sindaco(), dichiarazione(), later).unwrap_err();
        assert_eq!(
            err,
            AdesioneError::DichiarazioneImmutabile { inviata_il: sent }
        );
        assert_eq!(err.code(), "dichiarazione_immutabile");
        // Even a different, otherwise valid dichiarazione the next day.
        let next_day = DatiDichiarazione {
            data_adesione: date!(2026 - 05 - 03),
            ..dichiarazione()
        };
        assert!(matches!(
            a.dichiara(&sindaco(), next_day, datetime!(2026-05-02 08:00 UTC)),
            Err(AdesioneError::DichiarazioneImmutabile { .. })
        ));
        assert_eq!(a, declared);
    }

    #[test]
    fn stored_values_round_trip() {
        let mut a = adesione();
        a.dichiara(&sindaco(), dichiarazione(), datetime!(2026-05-01 08:00 UTC))
            .unwrap();
        let json = serde_json::to_string(&a).unwrap();
        let back: Adesione = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
        assert_eq!(back.stato(), StatoAdesione::Dichiarata);
    }
}
