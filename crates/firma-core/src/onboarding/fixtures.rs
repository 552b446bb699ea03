//! Shared test values: principals of each role for Roma (058091, province 058), an officer, forms.

use std::collections::BTreeSet;

use time::Date;
use time::macros::date;
use uuid::Uuid;

use super::documento::{DocumentoIdentita, TipoDocumento};
use super::proposta::{DatiProposta, TipologiaAdesione};
use super::richiesta::{DatiRichiesta, MetodoOtp};
use crate::access::{Principal, PrincipalId, Role};
use crate::codice_fiscale::CodiceFiscale;
use crate::comune::{CodiceIstat, CodiceProvincia};
use crate::phone::PhoneNumber;
use crate::ufficiale::{Email, Profilo, Ufficiale, UfficialeId};

pub(crate) fn roma() -> CodiceIstat {
    CodiceIstat::parse("058091").unwrap()
}

pub(crate) fn fiumicino() -> CodiceIstat {
    CodiceIstat::parse("058120").unwrap()
}

pub(crate) fn milano() -> CodiceIstat {
    CodiceIstat::parse("015146").unwrap()
}

fn principal(n: u128, role: Role) -> Principal {
    Principal {
        id: PrincipalId(Uuid::from_u128(n)),
        name: format!("{role} {n}"),
        role,
        comune: None,
        provincia: None,
        ufficiale: None,
    }
}

pub(crate) fn sindaco() -> Principal {
    Principal {
        comune: Some(roma()),
        ..principal(1, Role::Sindaco)
    }
}

pub(crate) fn als() -> Principal {
    Principal {
        comune: Some(roma()),
        ..principal(2, Role::Als)
    }
}

pub(crate) fn operatore_prefettura() -> Principal {
    Principal {
        provincia: Some(CodiceProvincia::parse("058").unwrap()),
        ..principal(3, Role::Prefettura)
    }
}

pub(crate) fn operatore_ec() -> Principal {
    principal(4, Role::EnteCertificatore)
}

/// The principal of officer `u`.
pub(crate) fn come_ufficiale(u: &Ufficiale) -> Principal {
    Principal {
        comune: Some(u.comune.clone()),
        ufficiale: Some(u.id),
        ..principal(100 + u.id.0.as_u128(), Role::Ufficiale)
    }
}

/// Officer `n` of Roma, with the profile to form birth acts.
pub(crate) fn ufficiale(n: u128) -> Ufficiale {
    Ufficiale {
        id: UfficialeId(Uuid::from_u128(n)),
        codice_fiscale: CodiceFiscale::parse("RSSMRA85T10A562S").unwrap(),
        nome: "Mario".into(),
        cognome: "Rossi".into(),
        email: Email::parse("mario.rossi@comune.roma.it").unwrap(),
        comune: roma(),
        profili: BTreeSet::from([Profilo::FormazioneAttiNascita, Profilo::Consultazione]),
    }
}

/// A web-app proposta for `data_adesione`.
pub(crate) fn dati_proposta(data_adesione: Date) -> DatiProposta {
    DatiProposta {
        data_adesione,
        atti_annui: 1233,
        certificati_annui: 2332,
        tipologia: TipologiaAdesione::WebApp,
        software_house: None,
        gestionale: None,
    }
}

pub(crate) fn documento() -> DocumentoIdentita {
    DocumentoIdentita {
        tipo: TipoDocumento::CartaIdentita,
        numero: "CA12345AB".into(),
        rilasciato_da: "Comune di Roma".into(),
        scadenza: date!(2030 - 06 - 30),
    }
}

pub(crate) fn dati_richiesta(metodo_otp: MetodoOtp) -> DatiRichiesta {
    DatiRichiesta {
        documento: documento(),
        email: Email::parse("mario.rossi@comune.roma.it").unwrap(),
        telefono: PhoneNumber::parse("333 123 4567").unwrap(),
        metodo_otp,
    }
}
