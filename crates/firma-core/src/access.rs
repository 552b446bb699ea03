//! Who may call the service, and what each may do.
//!
//! Principals are the parties of the circulars: ANSC core (the service client), officers, the ALS
//! of a comune, the sindaco, the Prefettura's token-distribution operator, the Ente Certificatore
//! operator, and the service administrator; each with a scope (comune or province) where it has one.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::comune::{CodiceIstat, CodiceProvincia};
use crate::ufficiale::UfficialeId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// ANSC core: submits atti to sign for officers, fetches results; all comuni.
    AnscCore,
    /// An ufficiale dello stato civile: own credentials only.
    Ufficiale,
    /// Amministratore Locale della Sicurezza of a comune.
    Als,
    /// The sindaco of a comune.
    Sindaco,
    /// "Operatore distribuzione chiavette per OTP" of a Prefettura; own province.
    Prefettura,
    /// Operator of the Ente Certificatore.
    EnteCertificatore,
    /// Service administrator.
    Admin,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::AnscCore,
        Role::Ufficiale,
        Role::Als,
        Role::Sindaco,
        Role::Prefettura,
        Role::EnteCertificatore,
        Role::Admin,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::AnscCore => "ansc_core",
            Self::Ufficiale => "ufficiale",
            Self::Als => "als",
            Self::Sindaco => "sindaco",
            Self::Prefettura => "prefettura",
            Self::EnteCertificatore => "ente_certificatore",
            Self::Admin => "admin",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        let code = code.replace('-', "_");
        Self::ALL.into_iter().find(|r| r.code() == code)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PrincipalId(pub Uuid);

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub id: PrincipalId,
    pub name: String,
    pub role: Role,
    /// The comune an ALS, sindaco or officer acts for.
    pub comune: Option<CodiceIstat>,
    /// The province a Prefettura operator acts for.
    pub provincia: Option<CodiceProvincia>,
    /// The officer this principal is (role `ufficiale`).
    pub ufficiale: Option<UfficialeId>,
}

impl Principal {
    /// How the principal appears in audit records.
    pub fn actor(&self) -> String {
        match (self.role, self.ufficiale) {
            (Role::Ufficiale, Some(u)) => format!("ufficiale:{}", u.0),
            (role, _) => format!("{}:{}", role.code(), self.name),
        }
    }

    /// Whether this principal is the officer `owner`.
    pub fn is_officer(&self, owner: UfficialeId) -> bool {
        self.role == Role::Ufficiale && self.ufficiale == Some(owner)
    }

    /// Whether this principal authorises signatures with the credentials of `owner`: the
    /// officer, or a Prefettura operator registered in the directory as `owner` (profile
    /// "Operatore distribuzione chiavette per OTP"), who signs the receipts of the chiavette
    /// delivered (circolare 48/2025, section 2: "generare una ricevuta da firmare").
    pub fn signs_as(&self, owner: UfficialeId) -> bool {
        matches!(self.role, Role::Ufficiale | Role::Prefettura) && self.ufficiale == Some(owner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_codes_round_trip_and_accept_dashes() {
        for r in Role::ALL {
            assert_eq!(Role::from_code(r.code()), Some(r));
        }
        assert_eq!(Role::from_code("ansc-core"), Some(Role::AnscCore));
        assert_eq!(Role::from_code("root"), None);
    }

    #[test]
    fn only_the_officer_is_the_officer() {
        let me = UfficialeId(Uuid::from_u128(1));
        let p = Principal {
            id: PrincipalId(Uuid::from_u128(9)),
            name: "Mario Rossi".into(),
            role: Role::Ufficiale,
            comune: None,
            provincia: None,
            ufficiale: Some(me),
        };
        assert!(p.is_officer(me));
        assert!(!p.is_officer(UfficialeId(Uuid::from_u128(2))));
        let admin = Principal {
            role: Role::Admin,
            ufficiale: Some(me),
            ..p.clone()
        };
        assert!(
            !admin.is_officer(me),
            "a role other than ufficiale never acts as the officer"
        );
        assert_eq!(p.actor(), format!("ufficiale:{}", me.0));
        assert!(p.signs_as(me));
        let operatore = Principal {
            role: Role::Prefettura,
            ..p.clone()
        };
        assert!(operatore.signs_as(me) && !operatore.is_officer(me));
        assert!(!operatore.signs_as(UfficialeId(Uuid::from_u128(2))));
        assert!(!admin.signs_as(me));
    }
}
