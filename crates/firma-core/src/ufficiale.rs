//! Ufficiali dello stato civile (civil-registry officers) and the ANPR profiles that gate what they
//! may sign (guida cruscotti adesione ANSC, section 4: "I profili previsti").

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::codice_fiscale::CodiceFiscale;
use crate::comune::CodiceIstat;

/// A profile the ALS assigns to an officer in the ANPR security console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profilo {
    /// "Stato Civile - Emissione certificati" (Certificazione).
    Certificazione,
    /// "Stato Civile - Consultazione".
    Consultazione,
    /// "Stato Civile - Formazione atti nascita".
    FormazioneAttiNascita,
    /// "Stato Civile - Formazione atti morte".
    FormazioneAttiMorte,
    /// "Stato Civile - Formazione atti matrimonio".
    FormazioneAttiMatrimonio,
    /// "Stato Civile - Formazione atti cittadinanza".
    FormazioneAttiCittadinanza,
    /// "Stato Civile - Formazione atti unione civile".
    FormazioneAttiUnioneCivile,
    /// "Stato Civile - Trattamento dati secretati".
    TrattamentoDatiSecretati,
    /// "Operatore distribuzione chiavette per OTP" (circolare 48/2025, section 2): the
    /// Prefettura's operator, who signs the receipts of the chiavette delivered to the comuni.
    OperatoreDistribuzioneChiavette,
}

impl Profilo {
    pub const ALL: [Profilo; 9] = [
        Self::Certificazione,
        Self::Consultazione,
        Self::FormazioneAttiNascita,
        Self::FormazioneAttiMorte,
        Self::FormazioneAttiMatrimonio,
        Self::FormazioneAttiCittadinanza,
        Self::FormazioneAttiUnioneCivile,
        Self::TrattamentoDatiSecretati,
        Self::OperatoreDistribuzioneChiavette,
    ];

    /// Stable code (API, database, CLI), e.g. `formazione_atti_nascita`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Certificazione => "certificazione",
            Self::Consultazione => "consultazione",
            Self::FormazioneAttiNascita => "formazione_atti_nascita",
            Self::FormazioneAttiMorte => "formazione_atti_morte",
            Self::FormazioneAttiMatrimonio => "formazione_atti_matrimonio",
            Self::FormazioneAttiCittadinanza => "formazione_atti_cittadinanza",
            Self::FormazioneAttiUnioneCivile => "formazione_atti_unione_civile",
            Self::TrattamentoDatiSecretati => "trattamento_dati_secretati",
            Self::OperatoreDistribuzioneChiavette => "operatore_distribuzione_chiavette",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }

    /// The label shown in the ANPR console.
    pub fn label(self) -> &'static str {
        match self {
            Self::Certificazione => "Stato Civile - Emissione certificati",
            Self::Consultazione => "Stato Civile - Consultazione",
            Self::FormazioneAttiNascita => "Stato Civile - Formazione atti nascita",
            Self::FormazioneAttiMorte => "Stato Civile - Formazione atti morte",
            Self::FormazioneAttiMatrimonio => "Stato Civile - Formazione atti matrimonio",
            Self::FormazioneAttiCittadinanza => "Stato Civile - Formazione atti cittadinanza",
            Self::FormazioneAttiUnioneCivile => "Stato Civile - Formazione atti unione civile",
            Self::TrattamentoDatiSecretati => "Stato Civile - Trattamento dati secretati",
            Self::OperatoreDistribuzioneChiavette => "Operatore distribuzione chiavette per OTP",
        }
    }
}

/// The kind of document to be signed: an atto dello stato civile, or the receipt of a delivery
/// of chiavette, which the Prefettura's operator signs (circolare 48/2025, section 2: "generare
/// una ricevuta da firmare").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TipoAtto {
    Nascita,
    Morte,
    Matrimonio,
    Cittadinanza,
    UnioneCivile,
    /// "Ricevuta di consegna chiavette OTP": made by the service for a delivery, never
    /// submitted by ANSC core.
    RicevutaChiavette,
}

impl TipoAtto {
    pub const ALL: [TipoAtto; 6] = [
        Self::Nascita,
        Self::Morte,
        Self::Matrimonio,
        Self::Cittadinanza,
        Self::UnioneCivile,
        Self::RicevutaChiavette,
    ];

    /// The atti dello stato civile (what ANSC core submits and officers form).
    pub const ATTI_STATO_CIVILE: [TipoAtto; 5] = [
        Self::Nascita,
        Self::Morte,
        Self::Matrimonio,
        Self::Cittadinanza,
        Self::UnioneCivile,
    ];

    /// Stable code (API, database): `nascita`, `morte`, `matrimonio`, `cittadinanza`,
    /// `unione_civile`, `ricevuta_chiavette`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Nascita => "nascita",
            Self::Morte => "morte",
            Self::Matrimonio => "matrimonio",
            Self::Cittadinanza => "cittadinanza",
            Self::UnioneCivile => "unione_civile",
            Self::RicevutaChiavette => "ricevuta_chiavette",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The profile an officer needs to form (and sign) this kind of atto; for a receipt of
    /// chiavette, the profile of the Prefettura's operator.
    pub fn profilo_richiesto(self) -> Profilo {
        match self {
            Self::Nascita => Profilo::FormazioneAttiNascita,
            Self::Morte => Profilo::FormazioneAttiMorte,
            Self::Matrimonio => Profilo::FormazioneAttiMatrimonio,
            Self::Cittadinanza => Profilo::FormazioneAttiCittadinanza,
            Self::UnioneCivile => Profilo::FormazioneAttiUnioneCivile,
            Self::RicevutaChiavette => Profilo::OperatoreDistribuzioneChiavette,
        }
    }
}

/// An e-mail address, checked for the shape `local@domain.tld` (delivery is the only real check).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an e-mail address of the form name@domain.it")]
pub struct EmailError(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let s = input.trim();
        let valid = s.len() <= 254
            && !s.chars().any(|c| c.is_whitespace() || c.is_control())
            && match s.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                }
                None => false,
            };
        if valid {
            Ok(Self(s.to_owned()))
        } else {
            Err(EmailError(input.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> Self {
        e.0
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({})", self.0)
    }
}

/// Identifier of an officer inside the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UfficialeId(pub Uuid);

/// An ufficiale dello stato civile, registered by the ALS of their comune.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ufficiale {
    pub id: UfficialeId,
    pub codice_fiscale: CodiceFiscale,
    pub nome: String,
    pub cognome: String,
    pub email: Email,
    pub comune: CodiceIstat,
    pub profili: BTreeSet<Profilo>,
}

impl Ufficiale {
    /// Whether the officer's profiles allow signing this kind of atto.
    pub fn puo_firmare(&self, tipo: TipoAtto) -> bool {
        self.profili.contains(&tipo.profilo_richiesto())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ufficiale(profili: &[Profilo]) -> Ufficiale {
        Ufficiale {
            id: UfficialeId(Uuid::nil()),
            codice_fiscale: CodiceFiscale::parse("RSSMRA85T10A562S").unwrap(),
            nome: "Mario".into(),
            cognome: "Rossi".into(),
            email: Email::parse("mario.rossi@comune.roma.it").unwrap(),
            comune: CodiceIstat::parse("058091").unwrap(),
            profili: profili.iter().copied().collect(),
        }
    }

    #[test]
    fn profiles_gate_the_atti() {
        let u = ufficiale(&[Profilo::FormazioneAttiNascita, Profilo::Consultazione]);
        assert!(u.puo_firmare(TipoAtto::Nascita));
        for tipo in [
            TipoAtto::Morte,
            TipoAtto::Matrimonio,
            TipoAtto::Cittadinanza,
            TipoAtto::UnioneCivile,
        ] {
            assert!(!u.puo_firmare(tipo), "{tipo:?}");
        }
        assert!(!ufficiale(&[Profilo::Certificazione]).puo_firmare(TipoAtto::Nascita));
    }

    #[test]
    fn every_atto_needs_a_distinct_formazione_profile() {
        let tipi = [
            TipoAtto::Nascita,
            TipoAtto::Morte,
            TipoAtto::Matrimonio,
            TipoAtto::Cittadinanza,
            TipoAtto::UnioneCivile,
        ];
        let profili: BTreeSet<_> = tipi.iter().map(|t| t.profilo_richiesto()).collect();
        assert_eq!(profili.len(), tipi.len());
        assert!(
            profili
                .iter()
                .all(|p| p.label().contains("Formazione atti"))
        );
    }

    #[test]
    fn only_the_prefettura_operator_signs_receipts_of_chiavette() {
        let operatore = ufficiale(&[Profilo::OperatoreDistribuzioneChiavette]);
        assert!(operatore.puo_firmare(TipoAtto::RicevutaChiavette));
        for tipo in TipoAtto::ATTI_STATO_CIVILE {
            assert!(!operatore.puo_firmare(tipo), "{tipo:?}");
        }
        let tutti = ufficiale(&Profilo::ALL[..8]);
        assert!(!tutti.puo_firmare(TipoAtto::RicevutaChiavette));
        assert!(!TipoAtto::ATTI_STATO_CIVILE.contains(&TipoAtto::RicevutaChiavette));
    }

    #[test]
    fn codes_round_trip_and_match_serde() {
        for t in TipoAtto::ALL {
            assert_eq!(TipoAtto::from_code(t.code()), Some(t));
            assert_eq!(serde_json::to_value(t).unwrap(), t.code());
        }
        for p in Profilo::ALL {
            assert_eq!(Profilo::from_code(p.code()), Some(p));
            assert_eq!(serde_json::to_value(p).unwrap(), p.code());
        }
    }

    #[test]
    fn emails() {
        assert!(Email::parse("a@b.it").is_ok());
        for bad in [
            "", "a", "a@b", "@b.it", "a@@b.it", "a b@c.it", "a@.it", "a@b.",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }
}
