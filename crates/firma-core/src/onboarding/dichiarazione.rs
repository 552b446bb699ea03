//! The dichiarazione di (avvenuta) adesione ANSC (guida cruscotti adesione ANSC, section 4.3).
//!
//! When: "A partire dalla data proposta di adesione, il Sindaco/Commissario dovrà accedere alla
//! Web app di ANSC per dichiarare l'adesione alla piattaforma di ANSC. Questo passaggio è
//! fondamentale e permette ai comuni di operare in ambiente di produzione dal giorno successivo."
//!
//! The registers: "Data chiusura registri: [...] In conformità con l'art. 13, c.3 del D.M. del
//! 18.10.2022, 'la data di chiusura dei registri cartacei dovrà avvenire il giorno antecedente
//! l'adesione all'ANSC con processo verbale dopo la registrazione dell'ultimo atto'. Di conseguenza
//! la data di chiusura dei registri è la stessa in cui si compila la dichiarazione di avvenuta
//! adozione ANSC."
//!
//! So, with D the Italian date on which the dichiarazione is sent and P the proposed date:
//! D ≥ P; the registri cartacei close on D, the day before the adhesion date; the adhesion date
//! (the "data effettiva di utilizzo del sistema ANSC") is therefore D + 1, the day production
//! starts. The form asks for the adhesion date (and shows the closing date as the day before):
//! any other date than D + 1 is refused. In the guide's figure 13, adhesion on 18/08/2024 and
//! closing on 17/08/2024.
//!
//! Afterwards: "Una volta inserita, la dichiarazione di adesione non sarà più modificabile ma potrà
//! essere consultata in sola lettura così come la richiesta di adesione."

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use super::adesione::AdesioneError;
use super::calendario::data_in_italia;
use super::proposta::{ModalitaAdesione, PropostaAdesione, TipologiaAdesione};
use crate::access::PrincipalId;

/// What the sindaco fills in and confirms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatiDichiarazione {
    /// "Data di adesione ANSC: data effettiva di utilizzo del sistema ANSC".
    pub data_adesione: Date,
    /// "Tipologia adesione": must be the proposta's (change the proposta first, it is still
    /// editable).
    pub tipologia: TipologiaAdesione,
    /// The box "Nel caso di avvenuta adozione tramite gestionale, capacità di gestione della
    /// totalità dei casi d'uso di stato civile codificati": required for a gestionale, not
    /// looked at for the web app.
    pub gestionale_gestisce_tutti_i_casi_uso: bool,
}

/// A dichiarazione as sent: read-only from then on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DichiarazioneAdesione {
    /// First day of production on ANSC.
    pub data_adesione: Date,
    /// The day the registri cartacei were closed: the day before `data_adesione`, which is the day
    /// the dichiarazione was sent.
    pub data_chiusura_registri: Date,
    /// The proposta's modalità, as declared.
    pub modalita: ModalitaAdesione,
    pub sindaco: PrincipalId,
    pub inviata_il: OffsetDateTime,
}

impl DichiarazioneAdesione {
    /// The rules of section 4.3 for a dichiarazione sent at `now` on `proposta`.
    pub(crate) fn valida(
        proposta: &PropostaAdesione,
        dati: DatiDichiarazione,
        sindaco: PrincipalId,
        now: OffsetDateTime,
    ) -> Result<Self, AdesioneError> {
        let oggi = data_in_italia(now);
        if oggi < proposta.data_adesione {
            return Err(AdesioneError::DichiarazionePrimaDellaDataProposta {
                data_proposta: proposta.data_adesione,
                oggi,
            });
        }
        let attesa = oggi
            .next_day()
            .ok_or(AdesioneError::DataAdesioneDichiarata {
                indicata: dati.data_adesione,
                attesa: oggi,
                chiusura_registri: oggi,
            })?;
        if dati.data_adesione != attesa {
            return Err(AdesioneError::DataAdesioneDichiarata {
                indicata: dati.data_adesione,
                attesa,
                chiusura_registri: oggi,
            });
        }
        let tipologia_proposta = proposta.modalita.tipologia();
        if dati.tipologia != tipologia_proposta {
            return Err(AdesioneError::TipologiaDiversaDallaProposta {
                proposta: tipologia_proposta,
                dichiarata: dati.tipologia,
            });
        }
        if dati.tipologia == TipologiaAdesione::Gestionale
            && !dati.gestionale_gestisce_tutti_i_casi_uso
        {
            return Err(AdesioneError::CapacitaGestionaleNonDichiarata);
        }
        Ok(Self {
            data_adesione: attesa,
            data_chiusura_registri: oggi,
            modalita: proposta.modalita.clone(),
            sindaco,
            inviata_il: now,
        })
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;
    use crate::onboarding::fixtures::{dati_proposta, roma, sindaco};
    use crate::onboarding::{Adesione, DatiProposta, StatoAdesione};

    /// Proposed on 1 March 2026 for 1 May 2026.
    fn adesione() -> Adesione {
        Adesione::proponi(
            &sindaco(),
            &roma(),
            dati_proposta(date!(2026 - 05 - 01)),
            datetime!(2026-03-01 10:00 UTC),
        )
        .unwrap()
    }

    fn dati(data_adesione: Date) -> DatiDichiarazione {
        DatiDichiarazione {
            data_adesione,
            tipologia: TipologiaAdesione::WebApp,
            gestionale_gestisce_tutti_i_casi_uso: false,
        }
    }

    #[test]
    fn not_before_the_proposed_date() {
        let mut a = adesione();
        // 30 April, the day before the proposed date (23:59 in Rome, CEST).
        let err = a
            .dichiara(
                &sindaco(),
                dati(date!(2026 - 05 - 01)),
                datetime!(2026-04-30 21:59 UTC),
            )
            .unwrap_err();
        assert_eq!(
            err,
            AdesioneError::DichiarazionePrimaDellaDataProposta {
                data_proposta: date!(2026 - 05 - 01),
                oggi: date!(2026 - 04 - 30),
            }
        );
        assert_eq!(
            a.stato(),
            StatoAdesione::Proposta,
            "a refusal changes nothing"
        );
        // On the proposed date (00:00 in Rome is 22:00 UTC the day before): registers close today,
        // adhesion tomorrow.
        let d = a
            .dichiara(
                &sindaco(),
                dati(date!(2026 - 05 - 02)),
                datetime!(2026-04-30 22:00 UTC),
            )
            .unwrap()
            .clone();
        assert_eq!(d.data_chiusura_registri, date!(2026 - 05 - 01));
        assert_eq!(d.data_adesione, date!(2026 - 05 - 02));
        assert_eq!(a.stato(), StatoAdesione::Dichiarata);
        assert_eq!(a.data_adesione(), date!(2026 - 05 - 02));
        assert_eq!(a.data_chiusura_registri(), Some(date!(2026 - 05 - 01)));
    }

    #[test]
    fn after_the_proposed_date_too() {
        let mut a = adesione();
        let d = a
            .dichiara(
                &sindaco(),
                dati(date!(2026 - 05 - 19)),
                datetime!(2026-05-18 09:00 UTC),
            )
            .unwrap();
        assert_eq!(d.data_chiusura_registri, date!(2026 - 05 - 18));
    }

    #[test]
    fn the_registers_close_the_day_before_the_adhesion_date_which_is_today() {
        let now = datetime!(2026-05-10 09:00 UTC);
        for wrong in [
            date!(2026 - 05 - 10),
            date!(2026 - 05 - 12),
            date!(2026 - 05 - 01),
        ] {
            let mut a = adesione();
            let err = a.dichiara(&sindaco(), dati(wrong), now).unwrap_err();
            assert_eq!(
                err,
                AdesioneError::DataAdesioneDichiarata {
                    indicata: wrong,
                    attesa: date!(2026 - 05 - 11),
                    chiusura_registri: date!(2026 - 05 - 10),
                }
            );
            assert!(err.to_string().contains("day before"), "{err}");
        }
    }

    #[test]
    fn tipologia_must_match_and_gestionale_must_attest_coverage() {
        let now = datetime!(2026-05-10 09:00 UTC);
        let mut a = adesione();
        let err = a
            .dichiara(
                &sindaco(),
                DatiDichiarazione {
                    tipologia: TipologiaAdesione::Gestionale,
                    gestionale_gestisce_tutti_i_casi_uso: true,
                    ..dati(date!(2026 - 05 - 11))
                },
                now,
            )
            .unwrap_err();
        assert_eq!(
            err,
            AdesioneError::TipologiaDiversaDallaProposta {
                proposta: TipologiaAdesione::WebApp,
                dichiarata: TipologiaAdesione::Gestionale
            }
        );
        let mut g = Adesione::proponi(
            &sindaco(),
            &roma(),
            DatiProposta {
                tipologia: TipologiaAdesione::Gestionale,
                software_house: Some("Maggioli".into()),
                gestionale: Some("Sicraweb 5.2".into()),
                ..dati_proposta(date!(2026 - 05 - 01))
            },
            datetime!(2026-03-01 10:00 UTC),
        )
        .unwrap();
        let gestionale = |attesta| DatiDichiarazione {
            tipologia: TipologiaAdesione::Gestionale,
            gestionale_gestisce_tutti_i_casi_uso: attesta,
            ..dati(date!(2026 - 05 - 11))
        };
        assert_eq!(
            g.dichiara(&sindaco(), gestionale(false), now).unwrap_err(),
            AdesioneError::CapacitaGestionaleNonDichiarata
        );
        let d = g.dichiara(&sindaco(), gestionale(true), now).unwrap();
        assert_eq!(d.modalita.tipologia(), TipologiaAdesione::Gestionale);
    }
}
