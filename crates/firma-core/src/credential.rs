//! Signing credentials: an officer's key pair in the HSM, its certificate and its state.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::key::{KeyRef, PublicKeyDer, SignatureAlgorithm};
use crate::ufficiale::UfficialeId;

/// Identifier of a credential (the CSC `credentialID`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CredentialId(pub Uuid);

/// Life cycle of a credential. Only an `Active` credential may sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialStatus {
    /// The key exists, the Ente Certificatore has not issued the certificate yet.
    AwaitingCertificate,
    Active,
    /// Temporarily unusable (certificate suspended); may become active again.
    Suspended,
    /// Permanently unusable; the key has been or is being destroyed.
    Revoked,
}

impl CredentialStatus {
    pub const ALL: [CredentialStatus; 4] = [
        Self::AwaitingCertificate,
        Self::Active,
        Self::Suspended,
        Self::Revoked,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::AwaitingCertificate => "awaiting_certificate",
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Revoked => "revoked",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// An officer's signing credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    pub id: CredentialId,
    pub owner: UfficialeId,
    pub key: KeyRef,
    pub public_key: PublicKeyDer,
    pub algorithm: SignatureAlgorithm,
    pub status: CredentialStatus,
    /// DER certificates, the officer's first, then the issuing chain.
    pub certificate_chain: Vec<Vec<u8>>,
    pub created_at: OffsetDateTime,
}

impl Credential {
    /// Whether this credential may be used to sign now.
    pub fn can_sign(&self) -> bool {
        self.status == CredentialStatus::Active && !self.certificate_chain.is_empty()
    }
}
