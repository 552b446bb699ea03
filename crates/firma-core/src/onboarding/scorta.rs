//! The stock of a Prefettura: the service administrator assigns imported chiavette to a province
//! before its operator can deliver them.
//!
//! Circolare 48/2025, section 2: "I dispositivi fisici (chiavette) [...] saranno distribuiti alle
//! Prefetture". A chiavetta enters a province's stock once, while it is still `InStock` (imported,
//! never delivered); loading it again into the same province changes nothing; a chiavetta of
//! another province's stock is not moved silently.

use std::collections::{BTreeMap, BTreeSet};

use super::chiavetta::Chiavetta;
use crate::comune::CodiceProvincia;
use crate::otp::TokenStatus;

/// Most serials loaded at once (a vendor batch is a few thousand).
pub const MAX_CHIAVETTE_PER_CARICO: usize = 10_000;

/// What loading does: the serials that enter the stock, and those already in it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Carico {
    pub nuove: Vec<String>,
    pub gia_presenti: Vec<String>,
}

/// Why a load is refused (nothing is loaded then); each variant is one rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaricoError {
    #[error("list at least one chiavetta serial")]
    NessunaChiavetta,
    #[error("at most {MAX_CHIAVETTE_PER_CARICO} chiavette are loaded at once")]
    TroppeChiavette,
    #[error("{serial:?} is not a chiavetta serial (1 to 64 letters, digits, '-', '_', '.')")]
    SerialeNonValido { serial: String },
    #[error("serial {serial} is listed twice")]
    SerialeRipetuto { serial: String },
    #[error("no chiavetta has serial {serial}: import it first (firma tokens import)")]
    SerialeSconosciuto { serial: String },
    #[error("chiavetta {serial} is already in the stock of province {provincia}")]
    DiAltraProvincia {
        serial: String,
        provincia: CodiceProvincia,
    },
    #[error("chiavetta {serial} is {}, not in stock: it cannot be assigned to a province", .stato.code())]
    NonInScorta { serial: String, stato: TokenStatus },
}

impl CaricoError {
    /// Stable code for API errors.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NessunaChiavetta => "nessuna_chiavetta",
            Self::TroppeChiavette => "troppe_chiavette",
            Self::SerialeNonValido { .. } => "seriale_non_valido",
            Self::SerialeRipetuto { .. } => "seriale_ripetuto",
            Self::SerialeSconosciuto { .. } => "seriale_sconosciuto",
            Self::DiAltraProvincia { .. } => "seriale_di_altra_provincia",
            Self::NonInScorta { .. } => "non_in_scorta",
        }
    }
}

/// Decides the loading of `seriali` into the stock of `provincia`, given the current state of
/// (at least) those chiavette.
pub fn carica_in_scorta(
    provincia: &CodiceProvincia,
    seriali: &[String],
    attuali: &[Chiavetta],
) -> Result<Carico, CaricoError> {
    if seriali.is_empty() {
        return Err(CaricoError::NessunaChiavetta);
    }
    if seriali.len() > MAX_CHIAVETTE_PER_CARICO {
        return Err(CaricoError::TroppeChiavette);
    }
    let attuali: BTreeMap<&str, &Chiavetta> =
        attuali.iter().map(|c| (c.serial.as_str(), c)).collect();
    let mut visti = BTreeSet::new();
    let mut carico = Carico::default();
    for s in seriali {
        let serial =
            super::consegna::seriale_valido(s).ok_or_else(|| CaricoError::SerialeNonValido {
                serial: s.trim().chars().take(64).collect(),
            })?;
        if !visti.insert(serial.clone()) {
            return Err(CaricoError::SerialeRipetuto { serial });
        }
        let Some(c) = attuali.get(serial.as_str()) else {
            return Err(CaricoError::SerialeSconosciuto { serial });
        };
        match &c.provincia {
            Some(p) if p == provincia => carico.gia_presenti.push(serial),
            Some(p) => {
                return Err(CaricoError::DiAltraProvincia {
                    serial,
                    provincia: p.clone(),
                });
            }
            None if c.stato != TokenStatus::InStock => {
                return Err(CaricoError::NonInScorta {
                    serial,
                    stato: c.stato,
                });
            }
            None => carico.nuove.push(serial),
        }
    }
    Ok(carico)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roma() -> CodiceProvincia {
        CodiceProvincia::parse("058").unwrap()
    }

    fn token(serial: &str, stato: TokenStatus, provincia: Option<&str>) -> Chiavetta {
        Chiavetta {
            serial: serial.into(),
            stato,
            provincia: provincia.map(|p| CodiceProvincia::parse(p).unwrap()),
            comune: None,
            ufficiale: None,
        }
    }

    fn list(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn new_serials_enter_the_stock_and_those_already_there_are_kept() {
        let attuali = [
            token("A1", TokenStatus::InStock, None),
            token("A2", TokenStatus::InStock, Some("058")),
        ];
        let c = carica_in_scorta(&roma(), &list(&[" A1 ", "A2"]), &attuali).unwrap();
        assert_eq!(c.nuove, ["A1"]);
        assert_eq!(c.gia_presenti, ["A2"]);
    }

    #[test]
    fn refusals_name_the_serial() {
        let attuali = [
            token("A1", TokenStatus::InStock, Some("015")),
            token("A2", TokenStatus::Assigned, None),
            token("A3", TokenStatus::InStock, None),
        ];
        let err = carica_in_scorta(&roma(), &list(&["A3", "A1"]), &attuali).unwrap_err();
        assert_eq!(err.code(), "seriale_di_altra_provincia");
        assert!(err.to_string().contains("A1") && err.to_string().contains("015"));
        assert_eq!(
            carica_in_scorta(&roma(), &list(&["A2"]), &attuali).unwrap_err(),
            CaricoError::NonInScorta {
                serial: "A2".into(),
                stato: TokenStatus::Assigned
            }
        );
        assert_eq!(
            carica_in_scorta(&roma(), &list(&["ZZ"]), &attuali)
                .unwrap_err()
                .code(),
            "seriale_sconosciuto"
        );
        assert_eq!(
            carica_in_scorta(&roma(), &list(&["A3", "A3 "]), &attuali).unwrap_err(),
            CaricoError::SerialeRipetuto {
                serial: "A3".into()
            }
        );
        assert_eq!(
            carica_in_scorta(&roma(), &list(&["A 3"]), &attuali)
                .unwrap_err()
                .code(),
            "seriale_non_valido"
        );
        assert_eq!(
            carica_in_scorta(&roma(), &[], &attuali),
            Err(CaricoError::NessunaChiavetta)
        );
    }
}
