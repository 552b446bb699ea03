//! How many chiavette a Prefettura receives, and how many each of its comuni may collect.
//!
//! Circolare 48/2025, section 2: "le Prefetture riceveranno un numero di chiavette calcolato in
//! base al numero degli ufficiali dello stato civile presenti nei Comuni rientranti nel proprio
//! ambito di competenza", namely the officers who indicated the chiavetta: "I dispositivi fisici
//! (chiavette), indicati dagli ufficiali dello stato civile quale metodo di ricezione dell'OTP,
//! saranno distribuiti alle Prefetture". One chiavetta per such officer.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::richiesta::{MetodoOtp, RichiestaFirmaRemota};
use crate::comune::{CodiceIstat, CodiceProvincia};

/// The chiavette of one province: per comune, and in total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    pub provincia: CodiceProvincia,
    /// Comuni with at least one chiavetta.
    pub per_comune: BTreeMap<CodiceIstat, u32>,
    pub totale: u64,
}

impl Allocation {
    /// The chiavette allocated to `comune` (0 when none of its officers chose the chiavetta).
    pub fn per(&self, comune: &CodiceIstat) -> u32 {
        self.per_comune.get(comune).copied().unwrap_or(0)
    }
}

/// Why an allocation cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocazioneError {
    #[error("comune {comune} is in province {}, not in province {provincia}", .comune.provincia())]
    ComuneFuoriProvincia {
        comune: CodiceIstat,
        provincia: CodiceProvincia,
    },
}

impl AllocazioneError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::ComuneFuoriProvincia { .. } => "comune_fuori_provincia",
        }
    }
}

/// The allocation of `provincia` from the number of officers who chose the chiavetta in each of
/// its comuni (see [`chiavette_richieste_per_comune`]). Every comune must belong to the province;
/// comuni with no such officer are left out.
pub fn allocate(
    provincia: &CodiceProvincia,
    officers_by_comune: &BTreeMap<CodiceIstat, u32>,
) -> Result<Allocation, AllocazioneError> {
    if let Some(comune) = officers_by_comune
        .keys()
        .find(|c| c.provincia() != *provincia)
    {
        return Err(AllocazioneError::ComuneFuoriProvincia {
            comune: comune.clone(),
            provincia: provincia.clone(),
        });
    }
    let per_comune: BTreeMap<CodiceIstat, u32> = officers_by_comune
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(c, n)| (c.clone(), *n))
        .collect();
    let totale = per_comune.values().map(|n| u64::from(*n)).sum();
    Ok(Allocation {
        provincia: provincia.clone(),
        per_comune,
        totale,
    })
}

/// Officers per comune who chose the chiavetta, counted from their richieste: one per officer,
/// whatever the number of their richieste, counting only richieste still open or approved (a
/// rejected or cancelled richiesta does not need a chiavetta).
pub fn chiavette_richieste_per_comune(
    richieste: &[RichiestaFirmaRemota],
) -> BTreeMap<CodiceIstat, u32> {
    let ufficiali: BTreeSet<_> = richieste
        .iter()
        .filter(|r| r.metodo_otp() == MetodoOtp::Chiavetta)
        .filter(|r| {
            r.stato().aperta() || matches!(r.stato(), super::StatoRichiesta::Approvata { .. })
        })
        .map(|r| (r.comune().clone(), r.ufficiale()))
        .collect();
    let mut per_comune = BTreeMap::new();
    for (comune, _) in ufficiali {
        *per_comune.entry(comune).or_insert(0u32) += 1;
    }
    per_comune
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;
    use uuid::Uuid;

    use super::*;
    use crate::onboarding::RichiestaId;
    use crate::onboarding::fixtures::{
        come_ufficiale, dati_richiesta, fiumicino, milano, roma, ufficiale,
    };

    fn provincia_roma() -> CodiceProvincia {
        CodiceProvincia::parse("058").unwrap()
    }

    #[test]
    fn per_comune_counts_and_their_sum() {
        let guidonia = CodiceIstat::parse("058047").unwrap();
        let counts = BTreeMap::from([(roma(), 120), (fiumicino(), 7), (guidonia, 0)]);
        let a = allocate(&provincia_roma(), &counts).unwrap();
        assert_eq!(a.totale, 127);
        assert_eq!(a.per(&roma()), 120);
        assert_eq!(a.per(&fiumicino()), 7);
        assert_eq!(a.per(&CodiceIstat::parse("058047").unwrap()), 0);
        assert_eq!(
            a.per_comune.len(),
            2,
            "comuni with no chiavetta are left out"
        );
        assert_eq!(
            a.totale,
            a.per_comune.values().map(|n| u64::from(*n)).sum::<u64>()
        );
        let empty = allocate(&provincia_roma(), &BTreeMap::new()).unwrap();
        assert_eq!(empty.totale, 0);
    }

    #[test]
    fn the_total_does_not_overflow() {
        let counts: BTreeMap<_, _> = (1..=3)
            .map(|n| (CodiceIstat::parse(&format!("058{n:03}")).unwrap(), u32::MAX))
            .collect();
        let a = allocate(&provincia_roma(), &counts).unwrap();
        assert_eq!(a.totale, 3 * u64::from(u32::MAX));
    }

    #[test]
    fn a_comune_of_another_province_is_refused() {
        let counts = BTreeMap::from([(roma(), 3), (milano(), 2)]);
        let err = allocate(&provincia_roma(), &counts).unwrap_err();
        assert_eq!(
            err,
            AllocazioneError::ComuneFuoriProvincia {
                comune: milano(),
                provincia: provincia_roma()
            }
        );
        assert_eq!(
            err.to_string(),
            "comune 015146 is in province 015, not in province 058"
        );
    }

    #[test]
    fn counted_once_per_officer_who_chose_the_chiavetta() {
        let now = datetime!(2026-03-01 10:00 UTC);
        let make = |u: u128, n: u128, metodo| {
            let uff = ufficiale(u);
            RichiestaFirmaRemota::compila(
                &come_ufficiale(&uff),
                &uff,
                RichiestaId(Uuid::from_u128(n)),
                dati_richiesta(metodo),
                now,
            )
            .unwrap()
        };
        let mut annullata = make(3, 30, MetodoOtp::Chiavetta);
        annullata
            .annulla(&come_ufficiale(&ufficiale(3)), now)
            .unwrap();
        let richieste = [
            make(1, 10, MetodoOtp::Chiavetta),
            make(1, 11, MetodoOtp::Chiavetta),
            make(2, 20, MetodoOtp::Chiavetta),
            make(4, 40, MetodoOtp::Sms),
            annullata,
        ];
        let counts = chiavette_richieste_per_comune(&richieste);
        assert_eq!(counts, BTreeMap::from([(roma(), 2)]));
        assert_eq!(allocate(&provincia_roma(), &counts).unwrap().totale, 2);
    }
}
