//! The Prefettura's operator records the delivery of chiavette to a comune's delegate.
//!
//! Circolare 48/2025, section 2: "è stato previsto un flusso specifico per gestire la distribuzione
//! dei predetti dispositivi fisici da utilizzare per la consegna delle chiavette richieste al
//! delegato del Sindaco incaricato del ritiro delle stesse. La funzionalità, infatti, consente
//! all'operatore della Prefettura di tracciare [...] il numero delle chiavette consegnate e di
//! generare una ricevuta da firmare e caricare nella web application ANSC."
//!
//! Rules: the operator acts for the comune's province; every serial is in the stock of that
//! province, `InStock`, and not in an earlier delivery; the comune does not receive more than its
//! allocation unless the operator overrides it with a reason; the delegate is named, with a valid
//! codice fiscale; the delivery date is not in the future.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use super::allocazione::Allocation;
use super::ambito::{FuoriAmbito, della_provincia};
use super::calendario::data_in_italia;
use super::campo::{CampoNonValido, presente, testo};
use super::chiavetta::Chiavetta;
use crate::access::{Principal, PrincipalId, Role};
use crate::codice_fiscale::{CodiceFiscale, CodiceFiscaleError};
use crate::comune::{CodiceIstat, CodiceProvincia};
use crate::otp::TokenStatus;

/// Most chiavette in one delivery (a bound on input, far above a comune's officers).
pub const MAX_CHIAVETTE_PER_CONSEGNA: usize = 1000;
const MAX_SERIALE: usize = 64;
const MAX_NOME: usize = 200;
const MAX_MOTIVO: usize = 1000;

/// The sindaco's delegate who collects the chiavette ("delegato del Sindaco incaricato del ritiro").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delegato {
    /// Name and surname.
    pub nome: String,
    pub codice_fiscale: CodiceFiscale,
}

/// What the operator types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NuovaConsegna {
    pub comune: CodiceIstat,
    pub seriali: Vec<String>,
    pub nome_delegato: String,
    pub codice_fiscale_delegato: String,
    /// The day of the delivery.
    pub data: Date,
    /// The reason for delivering more than the comune's allocation, when that is intended.
    pub motivo_oltre_allocazione: Option<String>,
}

/// A recorded delivery (the data of the receipt).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consegna {
    pub provincia: CodiceProvincia,
    pub comune: CodiceIstat,
    /// In the order given.
    pub seriali: Vec<String>,
    pub delegato: Delegato,
    pub data: Date,
    pub operatore: PrincipalId,
    pub nome_operatore: String,
    pub registrata_il: OffsetDateTime,
    /// Set when the delivery exceeds the allocation: the operator's reason.
    pub motivo_oltre_allocazione: Option<String>,
}

/// A delivery and the new state of its chiavette (all `Delivered` to the comune), to store
/// together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EsitoConsegna {
    pub consegna: Consegna,
    pub chiavette: Vec<Chiavetta>,
}

/// Why a delivery is refused; each variant is one rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsegnaError {
    /// The operator acts for another province (or is not a Prefettura operator).
    #[error(transparent)]
    FuoriAmbito(#[from] FuoriAmbito),
    #[error(
        "the allocation given is province {allocazione}'s, the comune is in province {provincia}"
    )]
    AllocazioneDiAltraProvincia {
        allocazione: CodiceProvincia,
        provincia: CodiceProvincia,
    },
    #[error("the delegate's codice fiscale is not valid: {0}")]
    CodiceFiscaleDelegato(#[from] CodiceFiscaleError),
    #[error(transparent)]
    Campo(#[from] CampoNonValido),
    #[error("the delivery date {data} is in the future (today is {oggi})")]
    DataFutura { data: Date, oggi: Date },
    #[error("a delivery lists at least one chiavetta serial")]
    NessunaChiavetta,
    #[error("a delivery lists at most {MAX_CHIAVETTE_PER_CONSEGNA} chiavette")]
    TroppeChiavette,
    #[error(
        "{serial:?} is not a chiavetta serial (1 to {MAX_SERIALE} letters, digits, '-', '_', '.')"
    )]
    SerialeNonValido { serial: String },
    #[error("serial {serial} is listed twice")]
    SerialeRipetuto { serial: String },
    #[error("no chiavetta has serial {serial}")]
    SerialeSconosciuto { serial: String },
    #[error(
        "chiavetta {serial} is not in the stock of province {provincia} ({})",
        .assegnata_a.as_ref().map_or("not assigned to any province".to_owned(), |p| format!("it is province {p}'s"))
    )]
    SerialeNonDellaProvincia {
        serial: String,
        provincia: CodiceProvincia,
        assegnata_a: Option<CodiceProvincia>,
    },
    #[error(
        "chiavetta {serial} was already delivered{}",
        .comune.as_ref().map_or(String::new(), |c| format!(" to comune {c}"))
    )]
    GiaConsegnata {
        serial: String,
        comune: Option<CodiceIstat>,
    },
    #[error("chiavetta {serial} is retired and cannot be delivered")]
    Ritirata { serial: String },
    #[error(
        "comune {comune} is allocated {allocate} chiavette and has received {gia_consegnate}: \
         {richieste} more exceed the allocation; give a reason to deliver them anyway"
    )]
    OltreAllocazione {
        comune: CodiceIstat,
        allocate: u32,
        gia_consegnate: u64,
        richieste: usize,
    },
}

impl ConsegnaError {
    /// Stable code for API errors.
    pub fn code(&self) -> &'static str {
        match self {
            Self::FuoriAmbito(e) => e.code(),
            Self::AllocazioneDiAltraProvincia { .. } => "allocazione_di_altra_provincia",
            Self::CodiceFiscaleDelegato(_) => "codice_fiscale_delegato",
            Self::Campo(_) => "campo_non_valido",
            Self::DataFutura { .. } => "data_futura",
            Self::NessunaChiavetta => "nessuna_chiavetta",
            Self::TroppeChiavette => "troppe_chiavette",
            Self::SerialeNonValido { .. } => "seriale_non_valido",
            Self::SerialeRipetuto { .. } => "seriale_ripetuto",
            Self::SerialeSconosciuto { .. } => "seriale_sconosciuto",
            Self::SerialeNonDellaProvincia { .. } => "seriale_non_della_provincia",
            Self::GiaConsegnata { .. } => "gia_consegnata",
            Self::Ritirata { .. } => "ritirata",
            Self::OltreAllocazione { .. } => "oltre_allocazione",
        }
    }
}

/// The operator records `nuova` at `now`. `scorte` is the current state of (at least) the listed
/// chiavette, `allocazione` the province's allocation, `precedenti` the earlier deliveries of the
/// province (or of the comune: others are ignored for the count).
pub fn registra_consegna(
    operatore: &Principal,
    nuova: NuovaConsegna,
    scorte: &[Chiavetta],
    allocazione: &Allocation,
    precedenti: &[Consegna],
    now: OffsetDateTime,
) -> Result<EsitoConsegna, ConsegnaError> {
    let provincia = nuova.comune.provincia();
    della_provincia(operatore, Role::Prefettura, &provincia)?;
    if allocazione.provincia != provincia {
        return Err(ConsegnaError::AllocazioneDiAltraProvincia {
            allocazione: allocazione.provincia.clone(),
            provincia,
        });
    }
    let delegato = Delegato {
        nome: testo(
            "Nome e cognome del delegato",
            &nuova.nome_delegato,
            MAX_NOME,
        )?,
        codice_fiscale: CodiceFiscale::parse(&nuova.codice_fiscale_delegato)?,
    };
    let oggi = data_in_italia(now);
    if nuova.data > oggi {
        return Err(ConsegnaError::DataFutura {
            data: nuova.data,
            oggi,
        });
    }
    let seriali = seriali_validi(&nuova.seriali)?;

    let scorte: BTreeMap<&str, &Chiavetta> =
        scorte.iter().map(|c| (c.serial.as_str(), c)).collect();
    let gia_consegnati: BTreeMap<&str, &CodiceIstat> = precedenti
        .iter()
        .flat_map(|c| c.seriali.iter().map(move |s| (s.as_str(), &c.comune)))
        .collect();
    let mut chiavette = Vec::with_capacity(seriali.len());
    for serial in &seriali {
        let Some(chiavetta) = scorte.get(serial.as_str()) else {
            return Err(ConsegnaError::SerialeSconosciuto {
                serial: serial.clone(),
            });
        };
        if let Some(comune) = gia_consegnati.get(serial.as_str()) {
            return Err(ConsegnaError::GiaConsegnata {
                serial: serial.clone(),
                comune: Some((*comune).clone()),
            });
        }
        if chiavetta.provincia.as_ref() != Some(&provincia) {
            return Err(ConsegnaError::SerialeNonDellaProvincia {
                serial: serial.clone(),
                provincia,
                assegnata_a: chiavetta.provincia.clone(),
            });
        }
        match chiavetta.stato {
            TokenStatus::InStock => {}
            TokenStatus::Delivered | TokenStatus::Assigned => {
                return Err(ConsegnaError::GiaConsegnata {
                    serial: serial.clone(),
                    comune: chiavetta.comune.clone(),
                });
            }
            TokenStatus::Retired => {
                return Err(ConsegnaError::Ritirata {
                    serial: serial.clone(),
                });
            }
        }
        chiavette.push(chiavetta.consegnata(&nuova.comune));
    }

    let allocate = allocazione.per(&nuova.comune);
    let gia_consegnate: u64 = precedenti
        .iter()
        .filter(|c| c.comune == nuova.comune)
        .map(|c| c.seriali.len() as u64)
        .sum();
    let motivo_oltre_allocazione = if gia_consegnate + seriali.len() as u64 > u64::from(allocate) {
        let Some(motivo) = presente(nuova.motivo_oltre_allocazione.as_deref()) else {
            return Err(ConsegnaError::OltreAllocazione {
                comune: nuova.comune.clone(),
                allocate,
                gia_consegnate,
                richieste: seriali.len(),
            });
        };
        Some(testo(
            "Motivo della consegna oltre l'allocazione",
            motivo,
            MAX_MOTIVO,
        )?)
    } else {
        None
    };

    Ok(EsitoConsegna {
        consegna: Consegna {
            provincia,
            comune: nuova.comune,
            seriali,
            delegato,
            data: nuova.data,
            operatore: operatore.id,
            nome_operatore: operatore.name.clone(),
            registrata_il: now,
            motivo_oltre_allocazione,
        },
        chiavette,
    })
}

/// Trimmed serials, each well-formed and listed once.
fn seriali_validi(seriali: &[String]) -> Result<Vec<String>, ConsegnaError> {
    if seriali.is_empty() {
        return Err(ConsegnaError::NessunaChiavetta);
    }
    if seriali.len() > MAX_CHIAVETTE_PER_CONSEGNA {
        return Err(ConsegnaError::TroppeChiavette);
    }
    let mut visti = BTreeSet::new();
    let mut out = Vec::with_capacity(seriali.len());
    for s in seriali {
        let Some(s) = seriale_valido(s) else {
            return Err(ConsegnaError::SerialeNonValido {
                serial: s.trim().chars().take(MAX_SERIALE).collect(),
            });
        };
        if !visti.insert(s.clone()) {
            return Err(ConsegnaError::SerialeRipetuto { serial: s });
        }
        out.push(s);
    }
    Ok(out)
}

/// The trimmed serial, if it is one: 1 to 64 letters, digits, '-', '_', '.'.
pub(crate) fn seriale_valido(s: &str) -> Option<String> {
    let s = s.trim();
    let valido = (1..=MAX_SERIALE).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    valido.then(|| s.to_owned())
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;
    use crate::onboarding::allocate;
    use crate::onboarding::fixtures::{als, fiumicino, milano, operatore_prefettura, roma};

    const NOW: OffsetDateTime = datetime!(2026-04-10 09:00 UTC);

    fn provincia_roma() -> CodiceProvincia {
        CodiceProvincia::parse("058").unwrap()
    }

    fn in_stock(serial: &str) -> Chiavetta {
        Chiavetta {
            serial: serial.into(),
            stato: TokenStatus::InStock,
            provincia: Some(provincia_roma()),
            comune: None,
            ufficiale: None,
        }
    }

    fn stock() -> Vec<Chiavetta> {
        (1..=6).map(|n| in_stock(&format!("TK-{n:04}"))).collect()
    }

    /// Roma 3 chiavette, Fiumicino 2.
    fn allocazione() -> Allocation {
        allocate(
            &provincia_roma(),
            &BTreeMap::from([(roma(), 3), (fiumicino(), 2)]),
        )
        .unwrap()
    }

    fn nuova(comune: CodiceIstat, seriali: &[&str]) -> NuovaConsegna {
        NuovaConsegna {
            comune,
            seriali: seriali.iter().map(|s| (*s).to_owned()).collect(),
            nome_delegato: "Giulia Bianchi".into(),
            codice_fiscale_delegato: "RSSMRA85T10A562S".into(),
            data: date!(2026 - 04 - 10),
            motivo_oltre_allocazione: None,
        }
    }

    fn registra(n: NuovaConsegna, precedenti: &[Consegna]) -> Result<EsitoConsegna, ConsegnaError> {
        registra_consegna(
            &operatore_prefettura(),
            n,
            &stock(),
            &allocazione(),
            precedenti,
            NOW,
        )
    }

    #[test]
    fn records_the_delivery_and_the_chiavette_become_delivered() {
        let esito = registra(nuova(roma(), &[" TK-0001 ", "TK-0002"]), &[]).unwrap();
        let c = &esito.consegna;
        assert_eq!(c.seriali, ["TK-0001", "TK-0002"]);
        assert_eq!(c.comune, roma());
        assert_eq!(c.provincia, provincia_roma());
        assert_eq!(c.delegato.nome, "Giulia Bianchi");
        assert_eq!(c.delegato.codice_fiscale.as_str(), "RSSMRA85T10A562S");
        assert_eq!(c.operatore, operatore_prefettura().id);
        assert_eq!(c.registrata_il, NOW);
        assert_eq!(c.motivo_oltre_allocazione, None);
        assert_eq!(esito.chiavette.len(), 2);
        for t in &esito.chiavette {
            assert_eq!(t.stato, TokenStatus::Delivered);
            assert_eq!(t.comune, Some(roma()));
            assert_eq!(t.ufficiale, None);
        }
    }

    #[test]
    fn only_the_operator_of_the_province() {
        let mut altrove = operatore_prefettura();
        altrove.provincia = Some(CodiceProvincia::parse("015").unwrap());
        for chi in [altrove, als()] {
            let err = registra_consegna(
                &chi,
                nuova(roma(), &["TK-0001"]),
                &stock(),
                &allocazione(),
                &[],
                NOW,
            )
            .unwrap_err();
            assert!(matches!(err, ConsegnaError::FuoriAmbito(_)), "{err}");
        }
        // A comune of another province, even with the right allocation for it, is outside.
        assert!(matches!(
            registra(nuova(milano(), &["TK-0001"]), &[]),
            Err(ConsegnaError::FuoriAmbito(_))
        ));
        let allocazione_milano =
            allocate(&CodiceProvincia::parse("015").unwrap(), &BTreeMap::new()).unwrap();
        assert_eq!(
            registra_consegna(
                &operatore_prefettura(),
                nuova(roma(), &["TK-0001"]),
                &stock(),
                &allocazione_milano,
                &[],
                NOW
            )
            .unwrap_err()
            .code(),
            "allocazione_di_altra_provincia"
        );
    }

    #[test]
    fn serials_must_be_in_this_provinces_stock() {
        assert_eq!(
            registra(nuova(roma(), &["TK-9999"]), &[]).unwrap_err(),
            ConsegnaError::SerialeSconosciuto {
                serial: "TK-9999".into()
            }
        );
        let mut scorte = stock();
        scorte[0].provincia = Some(CodiceProvincia::parse("015").unwrap());
        scorte[1].provincia = None;
        for (serial, assegnata_a) in [
            ("TK-0001", Some(CodiceProvincia::parse("015").unwrap())),
            ("TK-0002", None),
        ] {
            let err = registra_consegna(
                &operatore_prefettura(),
                nuova(roma(), &[serial]),
                &scorte,
                &allocazione(),
                &[],
                NOW,
            )
            .unwrap_err();
            assert_eq!(
                err,
                ConsegnaError::SerialeNonDellaProvincia {
                    serial: serial.into(),
                    provincia: provincia_roma(),
                    assegnata_a
                }
            );
        }
        scorte[2].stato = TokenStatus::Retired;
        assert_eq!(
            registra_consegna(
                &operatore_prefettura(),
                nuova(roma(), &["TK-0003"]),
                &scorte,
                &allocazione(),
                &[],
                NOW
            )
            .unwrap_err()
            .code(),
            "ritirata"
        );
    }

    #[test]
    fn a_chiavetta_is_never_delivered_twice() {
        let prima = registra(nuova(roma(), &["TK-0001"]), &[]).unwrap();
        // By the earlier delivery record, even if the stock view still says InStock...
        let err = registra(
            nuova(fiumicino(), &["TK-0001"]),
            std::slice::from_ref(&prima.consegna),
        )
        .unwrap_err();
        assert_eq!(
            err,
            ConsegnaError::GiaConsegnata {
                serial: "TK-0001".into(),
                comune: Some(roma())
            }
        );
        assert!(err.to_string().contains("058091"), "{err}");
        // ...and by the stock view, even without the earlier record.
        let mut scorte = stock();
        scorte[0] = prima.chiavette[0].clone();
        let err = registra_consegna(
            &operatore_prefettura(),
            nuova(fiumicino(), &["TK-0001"]),
            &scorte,
            &allocazione(),
            &[],
            NOW,
        )
        .unwrap_err();
        assert_eq!(err.code(), "gia_consegnata");
        // And not twice in the same delivery.
        assert_eq!(
            registra(nuova(roma(), &["TK-0002", " TK-0002"]), &[]).unwrap_err(),
            ConsegnaError::SerialeRipetuto {
                serial: "TK-0002".into()
            }
        );
    }

    #[test]
    fn not_beyond_the_allocation_without_a_reason() {
        // Roma is allocated 3: 2 now, then 1 is fine, then 1 more exceeds.
        let prima = registra(nuova(roma(), &["TK-0001", "TK-0002"]), &[])
            .unwrap()
            .consegna;
        let seconda = registra(nuova(roma(), &["TK-0003"]), std::slice::from_ref(&prima))
            .unwrap()
            .consegna;
        let precedenti = [prima, seconda];
        let err = registra(nuova(roma(), &["TK-0004"]), &precedenti).unwrap_err();
        assert_eq!(
            err,
            ConsegnaError::OltreAllocazione {
                comune: roma(),
                allocate: 3,
                gia_consegnate: 3,
                richieste: 1
            }
        );
        let blank = NuovaConsegna {
            motivo_oltre_allocazione: Some("   ".into()),
            ..nuova(roma(), &["TK-0004"])
        };
        assert_eq!(
            registra(blank, &precedenti).unwrap_err().code(),
            "oltre_allocazione"
        );
        let forced = NuovaConsegna {
            motivo_oltre_allocazione: Some("chiavetta guasta sostituita".into()),
            ..nuova(roma(), &["TK-0004"])
        };
        let c = registra(forced, &precedenti).unwrap().consegna;
        assert_eq!(
            c.motivo_oltre_allocazione.as_deref(),
            Some("chiavetta guasta sostituita")
        );
        // Other comuni's deliveries do not count against Roma; a comune with no allocation gets
        // nothing without a reason.
        assert!(registra(nuova(fiumicino(), &["TK-0005", "TK-0006"]), &precedenti).is_ok());
        let guidonia = CodiceIstat::parse("058047").unwrap();
        assert_eq!(
            registra(nuova(guidonia, &["TK-0005"]), &[])
                .unwrap_err()
                .code(),
            "oltre_allocazione"
        );
        // A reason given when within the allocation is not recorded.
        let needless = NuovaConsegna {
            motivo_oltre_allocazione: Some("per sicurezza".into()),
            ..nuova(fiumicino(), &["TK-0005"])
        };
        assert_eq!(
            registra(needless, &[])
                .unwrap()
                .consegna
                .motivo_oltre_allocazione,
            None
        );
    }

    #[test]
    fn delegate_serials_and_date_are_checked() {
        let bad_cf = NuovaConsegna {
            codice_fiscale_delegato: "RSSMRA85T10A562X".into(),
            ..nuova(roma(), &["TK-0001"])
        };
        assert!(matches!(
            registra(bad_cf, &[]),
            Err(ConsegnaError::CodiceFiscaleDelegato(
                CodiceFiscaleError::CheckCharacter { .. }
            ))
        ));
        let no_name = NuovaConsegna {
            nome_delegato: "".into(),
            ..nuova(roma(), &["TK-0001"])
        };
        assert_eq!(
            registra(no_name, &[]).unwrap_err().code(),
            "campo_non_valido"
        );
        assert_eq!(
            registra(nuova(roma(), &[]), &[]),
            Err(ConsegnaError::NessunaChiavetta)
        );
        for bad in ["", "  ", "TK 0001", "TK/0001"] {
            assert!(
                matches!(
                    registra(nuova(roma(), &[bad]), &[]),
                    Err(ConsegnaError::SerialeNonValido { .. })
                ),
                "{bad:?}"
            );
        }
        let many: Vec<String> = (0..=MAX_CHIAVETTE_PER_CONSEGNA)
            .map(|n| format!("S{n}"))
            .collect();
        let too_many = NuovaConsegna {
            seriali: many,
            ..nuova(roma(), &[])
        };
        assert_eq!(registra(too_many, &[]), Err(ConsegnaError::TroppeChiavette));
        // Tomorrow in Rome is refused; today in Rome (already the 11th at 22:30 UTC in summer)
        // is accepted.
        let domani = NuovaConsegna {
            data: date!(2026 - 04 - 11),
            ..nuova(roma(), &["TK-0001"])
        };
        assert_eq!(
            registra(domani.clone(), &[]).unwrap_err(),
            ConsegnaError::DataFutura {
                data: date!(2026 - 04 - 11),
                oggi: date!(2026 - 04 - 10)
            }
        );
        assert!(
            registra_consegna(
                &operatore_prefettura(),
                domani,
                &stock(),
                &allocazione(),
                &[],
                datetime!(2026-04-10 22:30 UTC)
            )
            .is_ok()
        );
    }
}
