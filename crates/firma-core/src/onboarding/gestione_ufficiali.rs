//! The ALS manages the officers of their comune: registration, profiles, e-mail, removal.
//!
//! Circolare 48/2025, section 1: the officers "siano stati preliminarmente registrati nella
//! console di sicurezza di ANPR dall'Amministratore Locale della Sicurezza (ALS) del Comune
//! (Sindaco o suo delegato), il quale inserisce il codice fiscale e l'indirizzo e-mail
//! dell'ufficiale dello stato civile, assegnandogli i profili necessari."
//!
//! Guida cruscotti adesione ANSC, section 2: "E' possibile attribuire uno o più profili ad un
//! Ufficiale dello Stato civile a seconda delle mansioni che deve svolgere"; "Qualora l'Ufficiale
//! dello Stato civile non debba più accedere ad ANSC, l'ALS deve cancellare la sua utenza dalla
//! console di sicurezza." Here removal also ends the officer's signing: [`RemovalEffects`] lists
//! what the caller must then do (revoke at the CA, destroy the keys, unbind the chiavette, cancel
//! the open richieste).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::ambito::{FuoriAmbito, del_comune};
use super::campo::{CampoNonValido, testo};
use super::chiavetta::Chiavetta;
use super::richiesta::{RichiestaFirmaRemota, RichiestaId};
use crate::access::{Principal, Role};
use crate::codice_fiscale::{CodiceFiscale, CodiceFiscaleError};
use crate::comune::CodiceIstat;
use crate::credential::{Credential, CredentialId, CredentialStatus};
use crate::otp::TokenStatus;
use crate::ufficiale::{Email, EmailError, Profilo, Ufficiale, UfficialeId};

const MAX_NOME: usize = 100;

/// Why an officer-management action is refused; each variant is one rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GestioneUfficialiError {
    /// Only the ALS of the officer's comune manages the officer.
    #[error(transparent)]
    FuoriAmbito(#[from] FuoriAmbito),
    #[error(transparent)]
    CodiceFiscale(#[from] CodiceFiscaleError),
    #[error(transparent)]
    Email(#[from] EmailError),
    #[error(transparent)]
    Campo(#[from] CampoNonValido),
    #[error(
        "assign at least one profile (\"uno o più profili\"); to take every profile away, remove \
         the officer"
    )]
    NessunProfilo,
    #[error("credential {credential} belongs to another officer, not to {ufficiale}")]
    CredenzialeDiAltroUfficiale {
        credential: String,
        ufficiale: String,
    },
    #[error("chiavetta {serial} is not bound to officer {ufficiale}")]
    ChiavettaDiAltroUfficiale { serial: String, ufficiale: String },
    #[error("richiesta {richiesta} belongs to another officer, not to {ufficiale}")]
    RichiestaDiAltroUfficiale {
        richiesta: RichiestaId,
        ufficiale: String,
    },
}

impl GestioneUfficialiError {
    /// Stable code for API errors.
    pub fn code(&self) -> &'static str {
        match self {
            Self::FuoriAmbito(e) => e.code(),
            Self::CodiceFiscale(_) => "codice_fiscale",
            Self::Email(_) => "email",
            Self::Campo(_) => "campo_non_valido",
            Self::NessunProfilo => "nessun_profilo",
            Self::CredenzialeDiAltroUfficiale { .. } => "credenziale_di_altro_ufficiale",
            Self::ChiavettaDiAltroUfficiale { .. } => "chiavetta_di_altro_ufficiale",
            Self::RichiestaDiAltroUfficiale { .. } => "richiesta_di_altro_ufficiale",
        }
    }
}

/// What the ALS types to register an officer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NuovoUfficiale {
    pub codice_fiscale: String,
    pub nome: String,
    pub cognome: String,
    pub email: String,
    pub profili: BTreeSet<Profilo>,
}

/// The ALS of `comune` registers an officer with the id the caller chose. Whether the codice
/// fiscale is already registered is the store's check (it is unique there).
pub fn registra_ufficiale(
    als: &Principal,
    comune: &CodiceIstat,
    id: UfficialeId,
    dati: NuovoUfficiale,
) -> Result<Ufficiale, GestioneUfficialiError> {
    del_comune(als, Role::Als, comune)?;
    let codice_fiscale = CodiceFiscale::parse(&dati.codice_fiscale)?;
    let nome = testo("Nome", &dati.nome, MAX_NOME)?;
    let cognome = testo("Cognome", &dati.cognome, MAX_NOME)?;
    let email = Email::parse(&dati.email)?;
    if dati.profili.is_empty() {
        return Err(GestioneUfficialiError::NessunProfilo);
    }
    Ok(Ufficiale {
        id,
        codice_fiscale,
        nome,
        cognome,
        email,
        comune: comune.clone(),
        profili: dati.profili,
    })
}

/// What a profile change did, for the audit record (both empty: nothing changed).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ModificaProfili {
    pub aggiunti: BTreeSet<Profilo>,
    pub rimossi: BTreeSet<Profilo>,
}

/// The ALS of the officer's comune replaces the officer's profiles with `profili`. Losing a
/// "Formazione atti" profile takes effect at once: the signing service checks the profiles at
/// every signing request ([`Ufficiale::puo_firmare`]).
pub fn modifica_profili(
    als: &Principal,
    ufficiale: &mut Ufficiale,
    profili: BTreeSet<Profilo>,
) -> Result<ModificaProfili, GestioneUfficialiError> {
    del_comune(als, Role::Als, &ufficiale.comune)?;
    if profili.is_empty() {
        return Err(GestioneUfficialiError::NessunProfilo);
    }
    let modifica = ModificaProfili {
        aggiunti: profili.difference(&ufficiale.profili).copied().collect(),
        rimossi: ufficiale.profili.difference(&profili).copied().collect(),
    };
    ufficiale.profili = profili;
    Ok(modifica)
}

/// The ALS of the officer's comune changes the officer's e-mail address.
pub fn modifica_email(
    als: &Principal,
    ufficiale: &mut Ufficiale,
    email: &str,
) -> Result<(), GestioneUfficialiError> {
    del_comune(als, Role::Als, &ufficiale.comune)?;
    ufficiale.email = Email::parse(email)?;
    Ok(())
}

/// What removing an officer requires of the caller, in this order: revoke the credentials at the
/// Ente Certificatore (reason: cessation of operation), destroy their keys in the HSM (or the
/// wrapped blobs), unbind the chiavette, cancel the open richieste, then delete the officer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovalEffects {
    pub ufficiale: UfficialeId,
    /// Credentials not yet revoked (active, suspended, or still awaiting their certificate: the
    /// last have nothing to revoke at the CA, only a status to set).
    pub revoke_credentials: Vec<CredentialId>,
    /// Every credential of the officer, revoked ones included (a revoked credential's key "has
    /// been or is being destroyed": the caller treats a key already gone as destroyed).
    pub destroy_keys: Vec<CredentialId>,
    /// Chiavette bound to the officer: they go back to `Delivered` in the same comune, with no
    /// officer, so another officer of the comune can bind them (with two consecutive codes).
    pub unbind_tokens: Vec<String>,
    /// Richieste still `InAttesa` or `Inoltrata`: to cancel ([`RichiestaFirmaRemota::annulla`]
    /// by the same ALS).
    pub cancel_requests: Vec<RichiestaId>,
}

/// The ALS of the officer's comune removes the officer. `credenziali`, `chiavette` and `richieste`
/// are the officer's own (anything else is refused: a caller that passed the wrong list must not
/// revoke someone else's credential).
pub fn rimuovi_ufficiale(
    als: &Principal,
    ufficiale: &Ufficiale,
    credenziali: &[Credential],
    chiavette: &[Chiavetta],
    richieste: &[RichiestaFirmaRemota],
) -> Result<RemovalEffects, GestioneUfficialiError> {
    del_comune(als, Role::Als, &ufficiale.comune)?;
    let chi = || ufficiale.id.0.to_string();
    if let Some(c) = credenziali.iter().find(|c| c.owner != ufficiale.id) {
        return Err(GestioneUfficialiError::CredenzialeDiAltroUfficiale {
            credential: c.id.0.to_string(),
            ufficiale: chi(),
        });
    }
    if let Some(t) = chiavette.iter().find(|t| t.ufficiale != Some(ufficiale.id)) {
        return Err(GestioneUfficialiError::ChiavettaDiAltroUfficiale {
            serial: t.serial.clone(),
            ufficiale: chi(),
        });
    }
    if let Some(r) = richieste.iter().find(|r| r.ufficiale() != ufficiale.id) {
        return Err(GestioneUfficialiError::RichiestaDiAltroUfficiale {
            richiesta: r.id(),
            ufficiale: chi(),
        });
    }
    Ok(RemovalEffects {
        ufficiale: ufficiale.id,
        revoke_credentials: credenziali
            .iter()
            .filter(|c| c.status != CredentialStatus::Revoked)
            .map(|c| c.id)
            .collect(),
        destroy_keys: credenziali.iter().map(|c| c.id).collect(),
        unbind_tokens: chiavette
            .iter()
            .filter(|t| t.stato == TokenStatus::Assigned)
            .map(|t| t.serial.clone())
            .collect(),
        cancel_requests: richieste
            .iter()
            .filter(|r| r.stato().aperta())
            .map(|r| r.id())
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;
    use uuid::Uuid;

    use super::*;
    use crate::comune::CodiceProvincia;
    use crate::key::{HashAlgorithm, KeyId, KeyRef, KeySpec, PublicKeyDer, SignatureAlgorithm};
    use crate::onboarding::fixtures::{
        als, come_ufficiale, dati_richiesta, fiumicino, operatore_ec, roma, sindaco, ufficiale,
    };
    use crate::onboarding::{MetodoOtp, RichiestaId};

    fn nuovo() -> NuovoUfficiale {
        NuovoUfficiale {
            codice_fiscale: " rssmra85t10a562s ".into(),
            nome: " Mario ".into(),
            cognome: "Rossi".into(),
            email: "mario.rossi@comune.roma.it".into(),
            profili: BTreeSet::from([Profilo::FormazioneAttiNascita]),
        }
    }

    fn credential(n: u128, owner: UfficialeId, status: CredentialStatus) -> Credential {
        Credential {
            id: CredentialId(Uuid::from_u128(n)),
            owner,
            key: KeyRef::Token {
                spec: KeySpec::EcP256,
                id: KeyId(vec![n as u8]),
            },
            public_key: PublicKeyDer(vec![0x30]),
            algorithm: SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256),
            status,
            certificate_chain: vec![],
            created_at: datetime!(2026-01-01 00:00 UTC),
        }
    }

    fn chiavetta(serial: &str, ufficiale: UfficialeId, stato: TokenStatus) -> Chiavetta {
        Chiavetta {
            serial: serial.into(),
            stato,
            provincia: Some(CodiceProvincia::parse("058").unwrap()),
            comune: Some(roma()),
            ufficiale: Some(ufficiale),
        }
    }

    #[test]
    fn the_als_registers_with_a_checked_codice_fiscale_email_and_profiles() {
        let id = UfficialeId(Uuid::from_u128(5));
        let u = registra_ufficiale(&als(), &roma(), id, nuovo()).unwrap();
        assert_eq!(u.codice_fiscale.as_str(), "RSSMRA85T10A562S");
        assert_eq!(u.nome, "Mario");
        assert_eq!(u.comune, roma());
        let bad_check = NuovoUfficiale {
            codice_fiscale: "RSSMRA85T10A562T".into(),
            ..nuovo()
        };
        let err = registra_ufficiale(&als(), &roma(), id, bad_check).unwrap_err();
        assert!(matches!(
            err,
            GestioneUfficialiError::CodiceFiscale(CodiceFiscaleError::CheckCharacter { .. })
        ));
        assert_eq!(err.code(), "codice_fiscale");
        let bad_email = NuovoUfficiale {
            email: "mario.rossi".into(),
            ..nuovo()
        };
        assert_eq!(
            registra_ufficiale(&als(), &roma(), id, bad_email)
                .unwrap_err()
                .code(),
            "email"
        );
        let no_profiles = NuovoUfficiale {
            profili: BTreeSet::new(),
            ..nuovo()
        };
        assert_eq!(
            registra_ufficiale(&als(), &roma(), id, no_profiles),
            Err(GestioneUfficialiError::NessunProfilo)
        );
        let no_name = NuovoUfficiale {
            cognome: " ".into(),
            ..nuovo()
        };
        assert!(matches!(
            registra_ufficiale(&als(), &roma(), id, no_name),
            Err(GestioneUfficialiError::Campo(_))
        ));
    }

    #[test]
    fn only_the_als_of_the_comune_manages_its_officers() {
        let id = UfficialeId(Uuid::from_u128(5));
        let mut als_fiumicino = als();
        als_fiumicino.comune = Some(fiumicino());
        for chi in [sindaco(), operatore_ec(), als_fiumicino.clone()] {
            assert!(matches!(
                registra_ufficiale(&chi, &roma(), id, nuovo()),
                Err(GestioneUfficialiError::FuoriAmbito(_))
            ));
        }
        let mut u = ufficiale(7);
        let before = u.clone();
        let err = modifica_profili(
            &als_fiumicino,
            &mut u,
            BTreeSet::from([Profilo::Consultazione]),
        )
        .unwrap_err();
        assert_eq!(err.code(), "altro_comune");
        assert!(modifica_email(&come_ufficiale(&u), &mut u, "a@b.it").is_err());
        assert!(rimuovi_ufficiale(&als_fiumicino, &u, &[], &[], &[]).is_err());
        assert_eq!(u, before);
    }

    #[test]
    fn profile_changes_report_what_changed_and_keep_at_least_one() {
        let mut u = ufficiale(7);
        assert!(u.puo_firmare(crate::TipoAtto::Nascita));
        let m = modifica_profili(
            &als(),
            &mut u,
            BTreeSet::from([Profilo::Consultazione, Profilo::FormazioneAttiMorte]),
        )
        .unwrap();
        assert_eq!(m.aggiunti, BTreeSet::from([Profilo::FormazioneAttiMorte]));
        assert_eq!(m.rimossi, BTreeSet::from([Profilo::FormazioneAttiNascita]));
        assert!(!u.puo_firmare(crate::TipoAtto::Nascita));
        assert!(u.puo_firmare(crate::TipoAtto::Morte));
        let same = u.profili.clone();
        assert_eq!(
            modifica_profili(&als(), &mut u, same).unwrap(),
            ModificaProfili::default()
        );
        assert_eq!(
            modifica_profili(&als(), &mut u, BTreeSet::new()),
            Err(GestioneUfficialiError::NessunProfilo)
        );
        assert_eq!(u.profili.len(), 2);
        modifica_email(&als(), &mut u, " nuovo@comune.roma.it ").unwrap();
        assert_eq!(u.email.as_str(), "nuovo@comune.roma.it");
        assert!(modifica_email(&als(), &mut u, "nope").is_err());
        assert_eq!(u.email.as_str(), "nuovo@comune.roma.it");
    }

    #[test]
    fn removal_revokes_destroys_unbinds_and_cancels() {
        let u = ufficiale(7);
        let now = datetime!(2026-03-01 10:00 UTC);
        let credenziali = [
            credential(1, u.id, CredentialStatus::Active),
            credential(2, u.id, CredentialStatus::Suspended),
            credential(3, u.id, CredentialStatus::Revoked),
            credential(4, u.id, CredentialStatus::AwaitingCertificate),
        ];
        let chiavette = [chiavetta("TK-0001", u.id, TokenStatus::Assigned)];
        let make = |n| {
            RichiestaFirmaRemota::compila(
                &come_ufficiale(&u),
                &u,
                RichiestaId(Uuid::from_u128(n)),
                dati_richiesta(MetodoOtp::Chiavetta),
                now,
            )
            .unwrap()
        };
        let aperta = make(10);
        let mut annullata = make(11);
        annullata.annulla(&come_ufficiale(&u), now).unwrap();
        let effects =
            rimuovi_ufficiale(&als(), &u, &credenziali, &chiavette, &[aperta, annullata]).unwrap();
        let ids = |ns: &[u128]| -> Vec<CredentialId> {
            ns.iter()
                .map(|&n| CredentialId(Uuid::from_u128(n)))
                .collect()
        };
        assert_eq!(effects.ufficiale, u.id);
        assert_eq!(effects.revoke_credentials, ids(&[1, 2, 4]));
        assert_eq!(effects.destroy_keys, ids(&[1, 2, 3, 4]));
        assert_eq!(effects.unbind_tokens, vec!["TK-0001".to_owned()]);
        assert_eq!(
            effects.cancel_requests,
            vec![RichiestaId(Uuid::from_u128(10))]
        );
        // An officer with nothing yet: nothing to do but delete.
        let empty = rimuovi_ufficiale(&als(), &u, &[], &[], &[]).unwrap();
        assert!(empty.revoke_credentials.is_empty() && empty.unbind_tokens.is_empty());
    }

    #[test]
    fn removal_refuses_someone_elses_credentials_tokens_or_richieste() {
        let u = ufficiale(7);
        let other = ufficiale(8);
        let err = rimuovi_ufficiale(
            &als(),
            &u,
            &[
                credential(1, u.id, CredentialStatus::Active),
                credential(2, other.id, CredentialStatus::Active),
            ],
            &[],
            &[],
        )
        .unwrap_err();
        assert_eq!(err.code(), "credenziale_di_altro_ufficiale");
        let err = rimuovi_ufficiale(
            &als(),
            &u,
            &[],
            &[chiavetta("TK-0002", other.id, TokenStatus::Assigned)],
            &[],
        )
        .unwrap_err();
        assert_eq!(err.code(), "chiavetta_di_altro_ufficiale");
        let r = RichiestaFirmaRemota::compila(
            &come_ufficiale(&other),
            &other,
            RichiestaId(Uuid::from_u128(12)),
            dati_richiesta(MetodoOtp::Sms),
            datetime!(2026-03-01 10:00 UTC),
        )
        .unwrap();
        assert_eq!(
            rimuovi_ufficiale(&als(), &u, &[], &[], &[r])
                .unwrap_err()
                .code(),
            "richiesta_di_altro_ufficiale"
        );
    }
}
