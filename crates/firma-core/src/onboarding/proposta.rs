//! The proposta di adesione ANSC of a comune (guida cruscotti adesione ANSC, section 4.2).
//!
//! "Il Sindaco/Commissario deve accedere alla Web app di ANSC per indicare una proposta di adesione
//! alla piattaforma di ANSC. I dati da inserire sono:
//! - Data di adesione ANSC: inserire la data proposta per l'adesione ad ANSC che dovrà essere di
//!   almeno 30 giorni successiva alla data di inoltro della presente richiesta;
//! - Numero atti annui: numero stimato di atti registrati annualmente dal comune;
//! - Numero certificati annui: numero stimato di certificati emessi annualmente dal comune;
//! - Tipologia adesione: [...] Web App oppure gestionale comunale
//! - Nome software house: da indicare solo se la modalità di adesione è il gestionale comunale;
//! - Nome e versione del software gestionale: da indicare solo se la modalità di adesione è il
//!   gestionale comunale.
//!
//! Una volta inoltrata, la proposta di adesione sarà sempre modificabile." (until the dichiarazione
//! is sent: section 4.3 makes both read-only then, see [`Adesione`](super::Adesione)).

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime};

use super::adesione::AdesioneError;
use super::calendario::{data_in_italia, sposta_mesi};
use super::campo::{presente, testo};
use crate::access::PrincipalId;

/// Days between the day a proposta is sent and the earliest adhesion date it may propose.
pub const GIORNI_PREAVVISO: i64 = 30;
/// Upper bound of the estimated atti per year. Roma, the largest comune, registers in the order
/// of 10^5 atti a year; a larger number is a typing error.
pub const MAX_ATTI_ANNUI: u32 = 1_000_000;
/// Upper bound of the estimated certificati per year (an order of magnitude above the largest
/// comune).
pub const MAX_CERTIFICATI_ANNUI: u32 = 10_000_000;
/// How far ahead an adhesion date may be proposed. Not a rule of the circulars, which expect every
/// comune to adhere within eighteen months ("entro diciotto mesi", circolare 48/2025): a guard
/// against a mistyped year.
pub const MAX_MESI_ANTICIPO: i32 = 24;
/// Longest software house name and gestionale "nome e versione".
const MAX_TESTO: usize = 200;

/// "Tipologia adesione": how the comune uses ANSC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TipologiaAdesione {
    /// "Tramite web app ANSC".
    WebApp,
    /// Through the comune's own management software ("gestionale comunale") integrated with the
    /// cooperative services.
    Gestionale,
}

impl TipologiaAdesione {
    pub fn code(self) -> &'static str {
        match self {
            Self::WebApp => "web_app",
            Self::Gestionale => "gestionale",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::WebApp, Self::Gestionale]
            .into_iter()
            .find(|t| t.code() == code)
    }
}

/// The tipologia with what it requires: a gestionale names its software house and its software.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "tipologia", rename_all = "snake_case")]
pub enum ModalitaAdesione {
    WebApp,
    Gestionale {
        /// "Nome software house".
        software_house: String,
        /// "Nome e versione del software gestionale" (one field in the form).
        nome_e_versione: String,
    },
}

impl ModalitaAdesione {
    pub fn tipologia(&self) -> TipologiaAdesione {
        match self {
            Self::WebApp => TipologiaAdesione::WebApp,
            Self::Gestionale { .. } => TipologiaAdesione::Gestionale,
        }
    }

    /// From the form's fields. Blank fields count as absent. For the web app the two gestionale
    /// fields are refused rather than dropped: text there means the sindaco chose the wrong
    /// tipologia or typed in the wrong box, and silently discarding it would hide that.
    pub fn dai_campi(
        tipologia: TipologiaAdesione,
        software_house: Option<&str>,
        nome_e_versione: Option<&str>,
    ) -> Result<Self, AdesioneError> {
        let software_house = presente(software_house);
        let nome_e_versione = presente(nome_e_versione);
        match tipologia {
            TipologiaAdesione::WebApp => {
                if software_house.is_some() || nome_e_versione.is_some() {
                    Err(AdesioneError::CampiGestionaleConWebApp)
                } else {
                    Ok(Self::WebApp)
                }
            }
            TipologiaAdesione::Gestionale => {
                let software_house = software_house.ok_or(AdesioneError::SoftwareHouseMancante)?;
                let nome_e_versione = nome_e_versione.ok_or(AdesioneError::GestionaleMancante)?;
                Ok(Self::Gestionale {
                    software_house: testo("Nome software house", software_house, MAX_TESTO)?,
                    nome_e_versione: testo(
                        "Nome e versione del software gestionale",
                        nome_e_versione,
                        MAX_TESTO,
                    )?,
                })
            }
        }
    }
}

/// What the sindaco types in the proposta form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatiProposta {
    pub data_adesione: Date,
    pub atti_annui: u32,
    pub certificati_annui: u32,
    pub tipologia: TipologiaAdesione,
    pub software_house: Option<String>,
    /// "Nome e versione del software gestionale".
    pub gestionale: Option<String>,
}

/// A proposta di adesione as accepted. Built only through [`Adesione`](super::Adesione), which
/// applies the rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropostaAdesione {
    /// The proposed adhesion date.
    pub data_adesione: Date,
    pub atti_annui: u32,
    pub certificati_annui: u32,
    pub modalita: ModalitaAdesione,
    /// The sindaco who sent the latest version.
    pub sindaco: PrincipalId,
    /// When the proposta was first sent.
    pub inoltrata_il: OffsetDateTime,
    /// When it was last changed (equal to `inoltrata_il` until the first change).
    pub modificata_il: OffsetDateTime,
    /// The Italian date on which the current `data_adesione` was set: the "data di inoltro" the
    /// 30 days are counted from. A change that keeps the date keeps this too.
    pub data_fissata_il: Date,
}

impl PropostaAdesione {
    /// The rules of section 4.2 applied to `dati`, sent at `now`; `precedente` is the version
    /// being changed, if any.
    ///
    /// The 30 days are calendar days in Italy: a proposta sent on day D (Rome date of `now`)
    /// may propose D + 30 or later; D + 29 is refused. The rule is checked whenever the date is
    /// set or changed, counted from the day of that change; changing only the other fields keeps
    /// the accepted date as it is, even when it is now nearer than 30 days (the guide makes the
    /// proposta "sempre modificabile", and the estimates may need correcting late).
    pub(crate) fn valida(
        dati: DatiProposta,
        precedente: Option<&PropostaAdesione>,
        sindaco: PrincipalId,
        now: OffsetDateTime,
    ) -> Result<Self, AdesioneError> {
        if !(1..=MAX_ATTI_ANNUI).contains(&dati.atti_annui) {
            return Err(AdesioneError::AttiAnnui {
                valore: dati.atti_annui,
            });
        }
        if !(1..=MAX_CERTIFICATI_ANNUI).contains(&dati.certificati_annui) {
            return Err(AdesioneError::CertificatiAnnui {
                valore: dati.certificati_annui,
            });
        }
        let modalita = ModalitaAdesione::dai_campi(
            dati.tipologia,
            dati.software_house.as_deref(),
            dati.gestionale.as_deref(),
        )?;
        let oggi = data_in_italia(now);
        let data_fissata_il = match precedente {
            Some(p) if p.data_adesione == dati.data_adesione => p.data_fissata_il,
            _ => {
                let minima = oggi.saturating_add(Duration::days(GIORNI_PREAVVISO));
                if dati.data_adesione < minima {
                    return Err(AdesioneError::DataAdesioneTroppoVicina {
                        data_adesione: dati.data_adesione,
                        inoltro: oggi,
                        minima,
                    });
                }
                let massima = sposta_mesi(oggi, MAX_MESI_ANTICIPO);
                if dati.data_adesione > massima {
                    return Err(AdesioneError::DataAdesioneTroppoLontana {
                        data_adesione: dati.data_adesione,
                        massima,
                    });
                }
                oggi
            }
        };
        Ok(Self {
            data_adesione: dati.data_adesione,
            atti_annui: dati.atti_annui,
            certificati_annui: dati.certificati_annui,
            modalita,
            sindaco,
            inoltrata_il: precedente.map_or(now, |p| p.inoltrata_il),
            modificata_il: now,
            data_fissata_il,
        })
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;
    use crate::onboarding::Adesione;
    use crate::onboarding::fixtures::{dati_proposta, roma, sindaco};

    fn proponi(dati: DatiProposta, now: OffsetDateTime) -> Result<Adesione, AdesioneError> {
        Adesione::proponi(&sindaco(), &roma(), dati, now)
    }

    #[test]
    fn the_adhesion_date_is_at_least_30_calendar_days_after_sending() {
        // Sent on 1 March 2026 (Rome): 31 March is the earliest date.
        let now = datetime!(2026-03-01 10:00 +01:00);
        let err = proponi(dati_proposta(date!(2026 - 03 - 30)), now).unwrap_err();
        assert_eq!(
            err,
            AdesioneError::DataAdesioneTroppoVicina {
                data_adesione: date!(2026 - 03 - 30),
                inoltro: date!(2026 - 03 - 01),
                minima: date!(2026 - 03 - 31),
            }
        );
        assert_eq!(err.code(), "data_adesione_troppo_vicina");
        assert!(err.to_string().contains("30 days"), "{err}");
        let a = proponi(dati_proposta(date!(2026 - 03 - 31)), now).unwrap();
        assert_eq!(a.proposta().data_adesione, date!(2026 - 03 - 31));
        assert_eq!(a.proposta().data_fissata_il, date!(2026 - 03 - 01));
        assert!(proponi(dati_proposta(date!(2026 - 04 - 01)), now).is_ok());
        // Across February: 30 days after 1 February 2026 is 3 March.
        let feb = datetime!(2026-02-01 10:00 UTC);
        assert!(proponi(dati_proposta(date!(2026 - 03 - 02)), feb).is_err());
        assert!(proponi(dati_proposta(date!(2026 - 03 - 03)), feb).is_ok());
    }

    #[test]
    fn the_day_of_sending_is_the_day_in_rome_around_midnight() {
        // 23:30 UTC on 28 February 2026 is 00:30 on 1 March in Rome: day 30 is 31 March.
        let late_utc = datetime!(2026-02-28 23:30 UTC);
        assert!(proponi(dati_proposta(date!(2026 - 03 - 31)), late_utc).is_ok());
        // 22:30 UTC is still 28 February in Rome: 30 March is already day 30.
        let earlier = datetime!(2026-02-28 22:30 UTC);
        assert!(proponi(dati_proposta(date!(2026 - 03 - 30)), earlier).is_ok());
        // ...but at 23:30 UTC, 30 March is only day 29.
        assert!(matches!(
            proponi(dati_proposta(date!(2026 - 03 - 30)), late_utc),
            Err(AdesioneError::DataAdesioneTroppoVicina {
                inoltro,
                ..
            }) if inoltro == date!(2026 - 03 - 01)
        ));
        // Summer time: 22:00 UTC on 30 June is 00:00 on 1 July in Rome.
        let summer = datetime!(2026-06-30 22:00 UTC);
        assert!(proponi(dati_proposta(date!(2026 - 07 - 30)), summer).is_err());
        assert!(proponi(dati_proposta(date!(2026 - 07 - 31)), summer).is_ok());
        let summer_before = datetime!(2026-06-30 21:59:59 UTC);
        assert!(proponi(dati_proposta(date!(2026 - 07 - 30)), summer_before).is_ok());
    }

    #[test]
    fn dates_in_the_past_or_too_far_are_refused() {
        let now = datetime!(2026-03-01 10:00 UTC);
        assert!(matches!(
            proponi(dati_proposta(date!(2026 - 02 - 01)), now),
            Err(AdesioneError::DataAdesioneTroppoVicina { .. })
        ));
        assert!(proponi(dati_proposta(date!(2028 - 03 - 01)), now).is_ok());
        assert_eq!(
            proponi(dati_proposta(date!(2028 - 03 - 02)), now),
            Err(AdesioneError::DataAdesioneTroppoLontana {
                data_adesione: date!(2028 - 03 - 02),
                massima: date!(2028 - 03 - 01),
            })
        );
    }

    #[test]
    fn yearly_counts_are_positive_and_bounded() {
        let now = datetime!(2026-03-01 10:00 UTC);
        let base = dati_proposta(date!(2026 - 06 - 01));
        for (atti, ok) in [
            (0, false),
            (1, true),
            (MAX_ATTI_ANNUI, true),
            (MAX_ATTI_ANNUI + 1, false),
        ] {
            let r = proponi(
                DatiProposta {
                    atti_annui: atti,
                    ..base.clone()
                },
                now,
            );
            assert_eq!(r.is_ok(), ok, "atti {atti}");
            if !ok {
                assert_eq!(r.unwrap_err(), AdesioneError::AttiAnnui { valore: atti });
            }
        }
        for (cert, ok) in [
            (0, false),
            (1, true),
            (MAX_CERTIFICATI_ANNUI, true),
            (MAX_CERTIFICATI_ANNUI + 1, false),
        ] {
            let r = proponi(
                DatiProposta {
                    certificati_annui: cert,
                    ..base.clone()
                },
                now,
            );
            assert_eq!(r.is_ok(), ok, "certificati {cert}");
            if !ok {
                assert_eq!(r.unwrap_err().code(), "certificati_annui");
            }
        }
    }

    #[test]
    fn gestionale_needs_software_house_and_name_web_app_refuses_them() {
        let now = datetime!(2026-03-01 10:00 UTC);
        let base = DatiProposta {
            tipologia: TipologiaAdesione::Gestionale,
            software_house: Some("  Maggioli S.p.A. ".into()),
            gestionale: Some("Sicraweb 5.2".into()),
            ..dati_proposta(date!(2026 - 06 - 01))
        };
        let a = proponi(base.clone(), now).unwrap();
        assert_eq!(
            a.proposta().modalita,
            ModalitaAdesione::Gestionale {
                software_house: "Maggioli S.p.A.".into(),
                nome_e_versione: "Sicraweb 5.2".into()
            }
        );
        assert_eq!(
            a.proposta().modalita.tipologia(),
            TipologiaAdesione::Gestionale
        );
        for sh in [None, Some(String::new()), Some("   ".into())] {
            assert_eq!(
                proponi(
                    DatiProposta {
                        software_house: sh,
                        ..base.clone()
                    },
                    now
                ),
                Err(AdesioneError::SoftwareHouseMancante)
            );
        }
        assert_eq!(
            proponi(
                DatiProposta {
                    gestionale: None,
                    ..base.clone()
                },
                now
            ),
            Err(AdesioneError::GestionaleMancante)
        );
        let lungo = DatiProposta {
            gestionale: Some("x".repeat(201)),
            ..base.clone()
        };
        assert!(matches!(proponi(lungo, now), Err(AdesioneError::Campo(_))));
        // Web app: the gestionale fields must be empty (blank counts as empty).
        let web = dati_proposta(date!(2026 - 06 - 01));
        assert_eq!(
            proponi(web.clone(), now).unwrap().proposta().modalita,
            ModalitaAdesione::WebApp
        );
        assert!(
            proponi(
                DatiProposta {
                    software_house: Some(" ".into()),
                    ..web.clone()
                },
                now
            )
            .is_ok()
        );
        for (sh, g) in [(Some("Maggioli"), None), (None, Some("Sicraweb 5.2"))] {
            let err = proponi(
                DatiProposta {
                    software_house: sh.map(Into::into),
                    gestionale: g.map(Into::into),
                    ..web.clone()
                },
                now,
            )
            .unwrap_err();
            assert_eq!(err, AdesioneError::CampiGestionaleConWebApp);
        }
    }

    #[test]
    fn tipologia_codes_round_trip() {
        for t in [TipologiaAdesione::WebApp, TipologiaAdesione::Gestionale] {
            assert_eq!(TipologiaAdesione::from_code(t.code()), Some(t));
            assert_eq!(serde_json::to_value(t).unwrap(), t.code());
        }
        assert_eq!(TipologiaAdesione::from_code("fax"), None);
    }
}
