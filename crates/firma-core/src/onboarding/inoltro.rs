//! When a richiesta firma remota goes to the Ente Certificatore (circolare 48/2025, section 1):
//!
//! "Inoltro della richiesta all'Ente Certificatore: La richiesta di attivazione della firma
//! elettronica remota qualificata sarà inoltrata all'Ente Certificatore solo dopo che il Sindaco
//! avrà confermato la data della proposta di adesione all'Archivio Nazionale attraverso la Web
//! Application ANSC, e comunque non prima di tre mesi da tale data."
//!
//! Reading of the two conditions:
//! - "avrà confermato la data della proposta di adesione": the guide calls sending the proposta
//!   its confirmation ("tramite il pulsante 'Salva dati' è possibile confermare la proposta di
//!   adesione", section 4.2, figure 9 "Conferma della proposta di adesione"). So the sindaco has
//!   confirmed the date once a proposta exists; the date is the proposed one, or the declared one
//!   after the dichiarazione. Waiting for the dichiarazione instead would defeat the rule: it is
//!   sent at the earliest on the proposed date, the day before the adhesion date, so the
//!   three-month window would never bind, and the officers would receive their signature only
//!   after their comune has gone live, whereas the guide wants the richiesta "con almeno un mese
//!   di anticipo rispetto alla data di 'Dichiarazione di adesione'" (section 4.1).
//! - "non prima di tre mesi da tale data": not earlier than three calendar months before the
//!   adhesion date, day included ([`tre_mesi_prima`]: 31 May → 28 February, 29 in a leap year).
//!
//! The date is the Italian calendar date ([`data_in_italia`](super::data_in_italia)).

use time::Date;

use super::adesione::Adesione;
use super::calendario::tre_mesi_prima;
use super::richiesta::{RichiestaFirmaRemota, StatoRichiesta};
use crate::comune::CodiceIstat;

/// Why a richiesta is not forwarded (yet).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotYet {
    /// Only a richiesta `InAttesa` is forwarded (it never will be again).
    #[error("the richiesta is {stato}: only a richiesta in attesa is forwarded")]
    NonInAttesa { stato: &'static str },
    /// The adhesion given is another comune's (a caller's mistake).
    #[error("the adhesion given is comune {adesione}'s, the richiesta is for comune {richiesta}")]
    AdesioneDiAltroComune {
        richiesta: CodiceIstat,
        adesione: CodiceIstat,
    },
    /// The sindaco has not sent the proposta di adesione: wait for it (an event, not a date).
    #[error(
        "the sindaco of comune {comune} has not yet confirmed a proposta di adesione: the richiesta \
         waits for it"
    )]
    AdesioneNonConfermata { comune: CodiceIstat },
    /// Too early: the richiesta goes on `apre_il`.
    #[error(
        "the richiesta is forwarded from {apre_il}, three months before the adhesion date \
         {data_adesione}"
    )]
    FinestraNonAperta { apre_il: Date, data_adesione: Date },
}

impl NotYet {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NonInAttesa { .. } => "non_in_attesa",
            Self::AdesioneDiAltroComune { .. } => "adesione_di_altro_comune",
            Self::AdesioneNonConfermata { .. } => "adesione_non_confermata",
            Self::FinestraNonAperta { .. } => "finestra_non_aperta",
        }
    }
}

/// Whether `richiesta` may be forwarded to the Ente Certificatore on `today` (an Italian date),
/// given its comune's adhesion (`None`: no proposta yet).
pub fn eligible_for_forwarding(
    richiesta: &RichiestaFirmaRemota,
    adesione: Option<&Adesione>,
    today: Date,
) -> Result<(), NotYet> {
    if *richiesta.stato() != StatoRichiesta::InAttesa {
        return Err(NotYet::NonInAttesa {
            stato: richiesta.stato().code(),
        });
    }
    let Some(adesione) = adesione else {
        return Err(NotYet::AdesioneNonConfermata {
            comune: richiesta.comune().clone(),
        });
    };
    if adesione.comune() != richiesta.comune() {
        return Err(NotYet::AdesioneDiAltroComune {
            richiesta: richiesta.comune().clone(),
            adesione: adesione.comune().clone(),
        });
    }
    let data_adesione = adesione.data_adesione();
    let apre_il = tre_mesi_prima(data_adesione);
    if today < apre_il {
        return Err(NotYet::FinestraNonAperta {
            apre_il,
            data_adesione,
        });
    }
    Ok(())
}

/// The first date, from `today` on, when `richiesta` may be forwarded as things stand: `today`
/// itself when it is eligible now, the opening of the window when it is too early, `None` when no
/// date would do (no proposta yet: look again when the sindaco sends it; or the richiesta is no
/// longer waiting). A later change of the proposed date changes the answer, so a job recomputes
/// it then. [`inizio_giorno_in_italia`](super::inizio_giorno_in_italia) turns it into an instant.
pub fn next_forwarding_date(
    richiesta: &RichiestaFirmaRemota,
    adesione: Option<&Adesione>,
    today: Date,
) -> Option<Date> {
    match eligible_for_forwarding(richiesta, adesione, today) {
        Ok(()) => Some(today),
        Err(NotYet::FinestraNonAperta { apre_il, .. }) => Some(apre_il),
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use time::OffsetDateTime;
    use time::macros::{date, datetime};
    use uuid::Uuid;

    use super::*;
    use crate::Principal;
    use crate::onboarding::fixtures::{
        come_ufficiale, dati_proposta, dati_richiesta, fiumicino, roma, sindaco, ufficiale,
    };
    use crate::onboarding::{
        DatiDichiarazione, MetodoOtp, RichiestaError, RichiestaId, TipologiaAdesione,
    };

    fn richiesta(now: OffsetDateTime) -> RichiestaFirmaRemota {
        let u = ufficiale(7);
        RichiestaFirmaRemota::compila(
            &come_ufficiale(&u),
            &u,
            RichiestaId(Uuid::from_u128(70)),
            dati_richiesta(MetodoOtp::Chiavetta),
            now,
        )
        .unwrap()
    }

    /// Roma's proposta, sent on `sent` for `data`.
    fn adesione(data: Date, sent: OffsetDateTime) -> Adesione {
        Adesione::proponi(&sindaco(), &roma(), dati_proposta(data), sent).unwrap()
    }

    #[test]
    fn waits_for_the_sindaco_to_confirm_a_date() {
        let r = richiesta(datetime!(2026-01-05 10:00 UTC));
        let today = date!(2026 - 01 - 05);
        assert_eq!(
            eligible_for_forwarding(&r, None, today),
            Err(NotYet::AdesioneNonConfermata { comune: roma() })
        );
        assert_eq!(next_forwarding_date(&r, None, today), None);
    }

    #[test]
    fn three_months_before_the_adhesion_date_day_included() {
        // Adhesion proposed for 30 November 2026: the window opens on 30 August.
        let r = richiesta(datetime!(2026-06-01 10:00 UTC));
        let a = adesione(date!(2026 - 11 - 30), datetime!(2026-06-01 10:00 UTC));
        assert_eq!(
            eligible_for_forwarding(&r, Some(&a), date!(2026 - 08 - 29)),
            Err(NotYet::FinestraNonAperta {
                apre_il: date!(2026 - 08 - 30),
                data_adesione: date!(2026 - 11 - 30),
            })
        );
        assert_eq!(
            eligible_for_forwarding(&r, Some(&a), date!(2026 - 08 - 30)),
            Ok(())
        );
        assert_eq!(
            eligible_for_forwarding(&r, Some(&a), date!(2026 - 08 - 31)),
            Ok(())
        );
        // Late is fine too: the adhesion date itself, and after it.
        assert_eq!(
            eligible_for_forwarding(&r, Some(&a), date!(2026 - 11 - 30)),
            Ok(())
        );
        assert_eq!(
            eligible_for_forwarding(&r, Some(&a), date!(2027 - 01 - 10)),
            Ok(())
        );
        assert_eq!(
            next_forwarding_date(&r, Some(&a), date!(2026 - 06 - 02)),
            Some(date!(2026 - 08 - 30))
        );
        assert_eq!(
            next_forwarding_date(&r, Some(&a), date!(2026 - 09 - 02)),
            Some(date!(2026 - 09 - 02))
        );
    }

    #[test]
    fn month_end_dates_clamp_to_the_end_of_february() {
        // 31 May 2026 → 28 February 2026.
        let r = richiesta(datetime!(2026-01-05 10:00 UTC));
        let a = adesione(date!(2026 - 05 - 31), datetime!(2026-01-05 10:00 UTC));
        assert!(matches!(
            eligible_for_forwarding(&r, Some(&a), date!(2026 - 02 - 27)),
            Err(NotYet::FinestraNonAperta { apre_il, .. }) if apre_il == date!(2026 - 02 - 28)
        ));
        assert_eq!(
            eligible_for_forwarding(&r, Some(&a), date!(2026 - 02 - 28)),
            Ok(())
        );
        // 31 May 2028 (leap year) → 29 February 2028.
        let r = richiesta(datetime!(2028-01-05 10:00 UTC));
        let a = adesione(date!(2028 - 05 - 31), datetime!(2028-01-05 10:00 UTC));
        assert!(eligible_for_forwarding(&r, Some(&a), date!(2028 - 02 - 28)).is_err());
        assert_eq!(
            eligible_for_forwarding(&r, Some(&a), date!(2028 - 02 - 29)),
            Ok(())
        );
        assert_eq!(
            next_forwarding_date(&r, Some(&a), date!(2028 - 01 - 05)),
            Some(date!(2028 - 02 - 29))
        );
    }

    #[test]
    fn a_changed_proposed_date_moves_the_window() {
        let sent = datetime!(2026-01-05 10:00 UTC);
        let r = richiesta(sent);
        let mut a = adesione(date!(2026 - 05 - 15), sent);
        assert_eq!(
            eligible_for_forwarding(&r, Some(&a), date!(2026 - 02 - 15)),
            Ok(())
        );
        a.modifica_proposta(&sindaco(), dati_proposta(date!(2026 - 09 - 15)), sent)
            .unwrap();
        assert_eq!(
            next_forwarding_date(&r, Some(&a), date!(2026 - 02 - 15)),
            Some(date!(2026 - 06 - 15))
        );
    }

    #[test]
    fn after_the_dichiarazione_the_declared_date_counts() {
        let sent = datetime!(2026-01-05 10:00 UTC);
        let r = richiesta(sent);
        let mut a = adesione(date!(2026 - 03 - 01), sent);
        a.dichiara(
            &sindaco(),
            DatiDichiarazione {
                data_adesione: date!(2026 - 03 - 11),
                tipologia: TipologiaAdesione::WebApp,
                gestionale_gestisce_tutti_i_casi_uso: false,
            },
            datetime!(2026-03-10 10:00 UTC),
        )
        .unwrap();
        assert_eq!(
            eligible_for_forwarding(&r, Some(&a), date!(2026 - 03 - 10)),
            Ok(())
        );
        // 11 March − 3 months = 11 December 2025 (a date before it would not be eligible).
        assert!(matches!(
            eligible_for_forwarding(&r, Some(&a), date!(2025 - 12 - 10)),
            Err(NotYet::FinestraNonAperta { apre_il, .. }) if apre_il == date!(2025 - 12 - 11)
        ));
    }

    #[test]
    fn only_a_waiting_richiesta_of_the_same_comune() {
        let sent = datetime!(2025-10-01 10:00 UTC);
        let mut r = richiesta(sent);
        let a = adesione(date!(2026 - 03 - 01), sent);
        let sindaco_fiumicino = Principal {
            comune: Some(fiumicino()),
            ..sindaco()
        };
        let altra = Adesione::proponi(
            &sindaco_fiumicino,
            &fiumicino(),
            dati_proposta(date!(2026 - 03 - 01)),
            sent,
        )
        .unwrap();
        assert!(matches!(
            eligible_for_forwarding(&r, Some(&altra), date!(2026 - 02 - 01)),
            Err(NotYet::AdesioneDiAltroComune { .. })
        ));
        assert_eq!(
            next_forwarding_date(&r, Some(&altra), date!(2026 - 02 - 01)),
            None
        );
        // Forwarding through the richiesta: refused before the window, then accepted once.
        let err = r
            .inoltra(Some(&a), datetime!(2025-11-30 22:59 UTC))
            .unwrap_err();
        assert_eq!(err.code(), "finestra_non_aperta");
        assert!(matches!(err, RichiestaError::NonInoltrabile(_)));
        assert_eq!(r.stato(), &StatoRichiesta::InAttesa);
        // 23:00 UTC on 30 November 2025 is 1 December in Rome: the window is open.
        let at = datetime!(2025-11-30 23:00 UTC);
        r.inoltra(Some(&a), at).unwrap();
        assert_eq!(r.stato(), &StatoRichiesta::Inoltrata);
        assert_eq!(r.inoltrata_il(), Some(at));
        assert_eq!(
            eligible_for_forwarding(&r, Some(&a), date!(2026 - 02 - 01)),
            Err(NotYet::NonInAttesa { stato: "inoltrata" })
        );
        assert_eq!(
            next_forwarding_date(&r, Some(&a), date!(2026 - 02 - 01)),
            None
        );
    }
}
