//! An officer binds a delivered chiavetta: the serial plus two consecutive codes. This module checks
//! the preconditions; whether the two codes are consecutive codes of that token is the OTP
//! service's verification (`firma-otp`, RFC 4226/6238), done after these checks pass, and the
//! chiavetta returned here is stored only once it accepted them.
//!
//! Circolare 48/2025, section 2: the chiavette are delivered "al delegato del Sindaco incaricato del
//! ritiro delle stesse"; so only a chiavetta delivered to the officer's comune can be bound by that
//! officer.

use std::fmt;

use super::chiavetta::Chiavetta;
use crate::access::Principal;
use crate::comune::CodiceIstat;
use crate::otp::{OtpDevice, TokenStatus};
use crate::ufficiale::Ufficiale;

/// The two codes the officer reads from the token, one after the other. Never shown in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct CodiciAbbinamento {
    pub primo: String,
    pub secondo: String,
}

impl fmt::Debug for CodiciAbbinamento {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodiciAbbinamento(<redacted>)")
    }
}

/// Why a binding is refused before the codes are verified; each variant is one rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AbbinamentoError {
    #[error("only the officer binds a chiavetta to themselves")]
    SoloIlTitolare,
    #[error("chiavetta {serial} has not been delivered yet: the Prefettura delivers it first")]
    NonConsegnata { serial: String },
    #[error("chiavetta {serial} is already bound to an officer")]
    GiaAbbinata { serial: String },
    #[error("chiavetta {serial} is retired")]
    Ritirata { serial: String },
    #[error(
        "chiavetta {serial} was delivered to {}, not to the officer's comune {comune_ufficiale}",
        .consegnata_a.as_ref().map_or("no comune".to_owned(), |c| format!("comune {c}"))
    )]
    ConsegnataAdAltroComune {
        serial: String,
        consegnata_a: Option<CodiceIstat>,
        comune_ufficiale: CodiceIstat,
    },
    #[error(
        "the officer already has chiavetta {serial}: it must be retired before binding another"
    )]
    HaGiaUnaChiavetta { serial: String },
    #[error("the {quale} code is not 6 to 8 digits")]
    CodiceMalformato { quale: &'static str },
    #[error("the two codes have different lengths: read both from the same chiavetta")]
    LunghezzeDiverse,
    #[error("the two codes are the same: wait for the chiavetta to show the next code")]
    CodiciUguali,
}

impl AbbinamentoError {
    /// Stable code for API errors.
    pub fn code(&self) -> &'static str {
        match self {
            Self::SoloIlTitolare => "solo_il_titolare",
            Self::NonConsegnata { .. } => "non_consegnata",
            Self::GiaAbbinata { .. } => "gia_abbinata",
            Self::Ritirata { .. } => "ritirata",
            Self::ConsegnataAdAltroComune { .. } => "consegnata_ad_altro_comune",
            Self::HaGiaUnaChiavetta { .. } => "ha_gia_una_chiavetta",
            Self::CodiceMalformato { .. } => "codice_malformato",
            Self::LunghezzeDiverse => "lunghezze_diverse",
            Self::CodiciUguali => "codici_uguali",
        }
    }
}

/// Checks that `principal`, the officer `ufficiale` (whose current OTP device is `dispositivo`),
/// may bind `chiavetta` with `codici`, and returns the chiavetta as it will be once bound
/// (`Assigned` to the officer), to store after the OTP service has verified the two codes.
///
/// Two equal codes are refused: consecutive codes coincide with probability 10^-6, and the usual
/// cause is the same code typed twice.
pub fn verifica_abbinamento(
    principal: &Principal,
    ufficiale: &Ufficiale,
    dispositivo: Option<&OtpDevice>,
    chiavetta: &Chiavetta,
    codici: &CodiciAbbinamento,
) -> Result<Chiavetta, AbbinamentoError> {
    if !principal.is_officer(ufficiale.id) {
        return Err(AbbinamentoError::SoloIlTitolare);
    }
    let serial = || chiavetta.serial.clone();
    match chiavetta.stato {
        TokenStatus::Delivered => {}
        TokenStatus::InStock => return Err(AbbinamentoError::NonConsegnata { serial: serial() }),
        TokenStatus::Assigned => return Err(AbbinamentoError::GiaAbbinata { serial: serial() }),
        TokenStatus::Retired => return Err(AbbinamentoError::Ritirata { serial: serial() }),
    }
    if chiavetta.comune.as_ref() != Some(&ufficiale.comune) {
        return Err(AbbinamentoError::ConsegnataAdAltroComune {
            serial: serial(),
            consegnata_a: chiavetta.comune.clone(),
            comune_ufficiale: ufficiale.comune.clone(),
        });
    }
    if let Some(OtpDevice::Token { serial }) = dispositivo {
        return Err(AbbinamentoError::HaGiaUnaChiavetta {
            serial: serial.clone(),
        });
    }
    let primo = codici.primo.trim();
    let secondo = codici.secondo.trim();
    for (quale, codice) in [("first", primo), ("second", secondo)] {
        if !(6..=8).contains(&codice.len()) || !codice.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AbbinamentoError::CodiceMalformato { quale });
        }
    }
    if primo.len() != secondo.len() {
        return Err(AbbinamentoError::LunghezzeDiverse);
    }
    if primo == secondo {
        return Err(AbbinamentoError::CodiciUguali);
    }
    Ok(chiavetta.abbinata(ufficiale.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comune::CodiceProvincia;
    use crate::onboarding::fixtures::{als, come_ufficiale, fiumicino, roma, ufficiale};

    fn consegnata() -> Chiavetta {
        Chiavetta {
            serial: "TK-0001".into(),
            stato: TokenStatus::Delivered,
            provincia: Some(CodiceProvincia::parse("058").unwrap()),
            comune: Some(roma()),
            ufficiale: None,
        }
    }

    fn codici(primo: &str, secondo: &str) -> CodiciAbbinamento {
        CodiciAbbinamento {
            primo: primo.into(),
            secondo: secondo.into(),
        }
    }

    #[test]
    fn a_delivered_chiavetta_of_the_officers_comune_is_bound_to_the_officer() {
        let u = ufficiale(7);
        let sms = OtpDevice::Sms {
            owner: u.id.0.to_string(),
        };
        for dispositivo in [None, Some(&sms)] {
            let bound = verifica_abbinamento(
                &come_ufficiale(&u),
                &u,
                dispositivo,
                &consegnata(),
                &codici("123456", " 654321 "),
            )
            .unwrap();
            assert_eq!(bound.stato, TokenStatus::Assigned);
            assert_eq!(bound.ufficiale, Some(u.id));
            assert_eq!(bound.comune, Some(roma()));
            assert_eq!(bound.serial, "TK-0001");
        }
    }

    #[test]
    fn only_the_officer_and_only_a_delivered_chiavetta() {
        let u = ufficiale(7);
        let ok = codici("123456", "654321");
        for chi in [als(), come_ufficiale(&ufficiale(8))] {
            assert_eq!(
                verifica_abbinamento(&chi, &u, None, &consegnata(), &ok),
                Err(AbbinamentoError::SoloIlTitolare)
            );
        }
        let me = come_ufficiale(&u);
        for (stato, code) in [
            (TokenStatus::InStock, "non_consegnata"),
            (TokenStatus::Assigned, "gia_abbinata"),
            (TokenStatus::Retired, "ritirata"),
        ] {
            let t = Chiavetta {
                stato,
                ..consegnata()
            };
            assert_eq!(
                verifica_abbinamento(&me, &u, None, &t, &ok)
                    .unwrap_err()
                    .code(),
                code
            );
        }
    }

    #[test]
    fn the_chiavetta_must_have_been_delivered_to_the_officers_comune() {
        let u = ufficiale(7);
        let me = come_ufficiale(&u);
        let ok = codici("123456", "654321");
        for comune in [Some(fiumicino()), None] {
            let t = Chiavetta {
                comune: comune.clone(),
                ..consegnata()
            };
            let err = verifica_abbinamento(&me, &u, None, &t, &ok).unwrap_err();
            assert_eq!(
                err,
                AbbinamentoError::ConsegnataAdAltroComune {
                    serial: "TK-0001".into(),
                    consegnata_a: comune,
                    comune_ufficiale: roma()
                }
            );
        }
    }

    #[test]
    fn one_chiavetta_per_officer() {
        let u = ufficiale(7);
        let old = OtpDevice::Token {
            serial: "TK-0009".into(),
        };
        assert_eq!(
            verifica_abbinamento(
                &come_ufficiale(&u),
                &u,
                Some(&old),
                &consegnata(),
                &codici("123456", "654321")
            ),
            Err(AbbinamentoError::HaGiaUnaChiavetta {
                serial: "TK-0009".into()
            })
        );
    }

    #[test]
    fn two_well_formed_distinct_codes_of_the_same_length() {
        let u = ufficiale(7);
        let me = come_ufficiale(&u);
        let check =
            |a: &str, b: &str| verifica_abbinamento(&me, &u, None, &consegnata(), &codici(a, b));
        assert_eq!(
            check("12345", "654321"),
            Err(AbbinamentoError::CodiceMalformato { quale: "first" })
        );
        assert_eq!(
            check("123456", "65432a"),
            Err(AbbinamentoError::CodiceMalformato { quale: "second" })
        );
        assert!(check("123456789", "12345678").is_err());
        assert_eq!(
            check("123456", "12345678"),
            Err(AbbinamentoError::LunghezzeDiverse)
        );
        assert_eq!(
            check("123456", "123456"),
            Err(AbbinamentoError::CodiciUguali)
        );
        assert!(check("12345678", "87654321").is_ok());
        assert!(!format!("{:?}", codici("123456", "654321")).contains("123456"));
    }
}
