//! Who may act, and on which comune or province: the scope rules of the circulars.
//!
//! Circolare 48/2025, section 1: officers are "registrati nella console di sicurezza di ANPR
//! dall'Amministratore Locale della Sicurezza (ALS) del Comune (Sindaco o suo delegato)"; section 2:
//! the Prefettura's operator, with the profile "Operatore distribuzione chiavette per OTP",
//! distributes the chiavette "ai Comuni di propria competenza".

use crate::access::{Principal, Role};
use crate::comune::{CodiceIstat, CodiceProvincia};

/// The caller may not act here: wrong role, or another comune or province.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FuoriAmbito {
    #[error("this action is reserved to the role {richiesto}, the caller has role {attuale}")]
    Ruolo { richiesto: Role, attuale: Role },
    #[error(
        "the caller acts for comune {}, not for comune {comune}",
        .del_chiamante.as_ref().map_or("(none)", |c| c.as_str())
    )]
    Comune {
        comune: CodiceIstat,
        del_chiamante: Option<CodiceIstat>,
    },
    #[error(
        "the caller acts for province {}, not for province {provincia}",
        .del_chiamante.as_ref().map_or("(none)", |p| p.as_str())
    )]
    Provincia {
        provincia: CodiceProvincia,
        del_chiamante: Option<CodiceProvincia>,
    },
}

impl FuoriAmbito {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Ruolo { .. } => "ruolo_non_ammesso",
            Self::Comune { .. } => "altro_comune",
            Self::Provincia { .. } => "altra_provincia",
        }
    }
}

/// `principal` has `ruolo` and acts for `comune`.
pub(crate) fn del_comune(
    principal: &Principal,
    ruolo: Role,
    comune: &CodiceIstat,
) -> Result<(), FuoriAmbito> {
    ha_ruolo(principal, ruolo)?;
    if principal.comune.as_ref() != Some(comune) {
        return Err(FuoriAmbito::Comune {
            comune: comune.clone(),
            del_chiamante: principal.comune.clone(),
        });
    }
    Ok(())
}

/// `principal` has `ruolo` and acts for `provincia`.
pub(crate) fn della_provincia(
    principal: &Principal,
    ruolo: Role,
    provincia: &CodiceProvincia,
) -> Result<(), FuoriAmbito> {
    ha_ruolo(principal, ruolo)?;
    if principal.provincia.as_ref() != Some(provincia) {
        return Err(FuoriAmbito::Provincia {
            provincia: provincia.clone(),
            del_chiamante: principal.provincia.clone(),
        });
    }
    Ok(())
}

pub(crate) fn ha_ruolo(principal: &Principal, ruolo: Role) -> Result<(), FuoriAmbito> {
    if principal.role == ruolo {
        Ok(())
    } else {
        Err(FuoriAmbito::Ruolo {
            richiesto: ruolo,
            attuale: principal.role,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onboarding::fixtures::{als, operatore_prefettura, roma, sindaco};

    #[test]
    fn role_and_comune_must_both_match() {
        assert_eq!(del_comune(&als(), Role::Als, &roma()), Ok(()));
        assert!(matches!(
            del_comune(&sindaco(), Role::Als, &roma()),
            Err(FuoriAmbito::Ruolo {
                richiesto: Role::Als,
                attuale: Role::Sindaco
            })
        ));
        let fiumicino = CodiceIstat::parse("058120").unwrap();
        let err = del_comune(&als(), Role::Als, &fiumicino).unwrap_err();
        assert_eq!(err.code(), "altro_comune");
        assert!(err.to_string().contains("058120"), "{err}");
        let mut senza = als();
        senza.comune = None;
        assert!(del_comune(&senza, Role::Als, &roma()).is_err());
    }

    #[test]
    fn province_must_match() {
        let op = operatore_prefettura();
        assert_eq!(
            della_provincia(&op, Role::Prefettura, &roma().provincia()),
            Ok(())
        );
        let milano = CodiceProvincia::parse("015").unwrap();
        assert_eq!(
            della_provincia(&op, Role::Prefettura, &milano)
                .unwrap_err()
                .code(),
            "altra_provincia"
        );
        assert_eq!(
            della_provincia(&als(), Role::Prefettura, &milano)
                .unwrap_err()
                .code(),
            "ruolo_non_ammesso"
        );
    }
}
