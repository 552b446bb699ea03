//! Signing requests with sole control (SCAL2, CEN EN 419 241-1): ANSC core submits documents for an
//! officer's credential, the officer authorises the batch with one OTP, which yields Signature
//! Activation Data bound to the credential, the exact document hashes and their count.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::credential::CredentialId;
use crate::ufficiale::TipoAtto;

/// What to produce for a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DocumentFormat {
    /// A PDF signed in PAdES (ETSI EN 319 142-1), incremental update.
    #[serde(rename = "pades")]
    Pades,
    /// Any bytes, enveloped in a CAdES `.p7m` (ETSI EN 319 122-1).
    #[serde(rename = "cades-attached")]
    CadesAttached,
    /// Any bytes, with a detached CAdES `.p7s`.
    #[serde(rename = "cades-detached")]
    CadesDetached,
    /// A bare SHA-256 digest: a detached CAdES `.p7s` made from it (the content never travels).
    #[serde(rename = "digest")]
    Digest,
}

impl DocumentFormat {
    pub const ALL: [DocumentFormat; 4] = [
        Self::Pades,
        Self::CadesAttached,
        Self::CadesDetached,
        Self::Digest,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Pades => "pades",
            Self::CadesAttached => "cades-attached",
            Self::CadesDetached => "cades-detached",
            Self::Digest => "digest",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }

    /// The media type of the signed result.
    pub fn output_media_type(self) -> &'static str {
        match self {
            Self::Pades => "application/pdf",
            Self::CadesAttached => "application/pkcs7-mime",
            Self::CadesDetached | Self::Digest => "application/pkcs7-signature",
        }
    }
}

/// Baseline level (ETSI EN 319 142-1 / 319 122-1 clause 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum SignatureLevel {
    #[default]
    #[serde(rename = "B-B")]
    BB,
    #[serde(rename = "B-T")]
    BT,
    /// B-T plus the validation data (ETSI EN 319 142-1 clause 6.5).
    #[serde(rename = "B-LT")]
    BLt,
    /// B-LT plus an archive (document) time-stamp (clause 6.6).
    #[serde(rename = "B-LTA")]
    BLta,
}

impl SignatureLevel {
    pub fn code(self) -> &'static str {
        match self {
            Self::BB => "B-B",
            Self::BT => "B-T",
            Self::BLt => "B-LT",
            Self::BLta => "B-LTA",
        }
    }

    /// Whether the level needs a time-stamp authority (B-T and above).
    pub fn needs_timestamp(self) -> bool {
        self != Self::BB
    }

    /// Whether the level embeds validation data (B-LT and B-LTA).
    pub fn is_long_term(self) -> bool {
        matches!(self, Self::BLt | Self::BLta)
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "B-B" => Some(Self::BB),
            "B-T" => Some(Self::BT),
            "B-LT" => Some(Self::BLt),
            "B-LTA" => Some(Self::BLta),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SigningRequestId(pub Uuid);

impl fmt::Display for SigningRequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Where a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Waiting for the officer's OTP.
    AwaitingAuthorization,
    /// Authorised; documents are being signed.
    Signing,
    /// Every document is signed.
    Completed,
    /// Stopped with a reason (e.g. the authorisation expired before the batch was finished).
    Failed,
    Cancelled,
    /// Not authorised in time.
    Expired,
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 6] = [
        Self::AwaitingAuthorization,
        Self::Signing,
        Self::Completed,
        Self::Failed,
        Self::Cancelled,
        Self::Expired,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::AwaitingAuthorization => "awaiting_authorization",
            Self::Signing => "signing",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// No further change is possible.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Completed | Self::Failed | Self::Cancelled | Self::Expired
        )
    }
}

/// A signing request as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningRequest {
    pub id: SigningRequestId,
    pub credential: CredentialId,
    /// The principal that created it (audit actor form).
    pub created_by: String,
    pub idempotency_key: Option<String>,
    /// SHA-256 of the request body, to tell a retried create from a different one.
    pub body_hash: [u8; 32],
    pub status: RequestStatus,
    /// Why it failed, when it did.
    pub failure: Option<String>,
    pub documents: u32,
    pub created_at: OffsetDateTime,
    /// Until when the officer may authorise it.
    pub expires_at: OffsetDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    Pending,
    Signed,
}

impl DocumentStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Signed => "signed",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "pending" => Some(Self::Pending),
            "signed" => Some(Self::Signed),
            _ => None,
        }
    }
}

/// One document of a request (its bytes are fetched separately).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestDocument {
    pub index: u32,
    pub name: String,
    pub atto: TipoAtto,
    pub format: DocumentFormat,
    pub level: SignatureLevel,
    /// SHA-256 of the document as submitted (for `digest`, the digest itself): what the officer
    /// authorises.
    pub digest: [u8; 32],
    pub status: DocumentStatus,
    pub signed_at: Option<OffsetDateTime>,
}

/// A document to store with a new request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocument {
    pub document: RequestDocument,
    /// The bytes to sign (for `digest`, the 32-byte digest).
    pub input: Vec<u8>,
}

/// Signature Activation Data: what one OTP unlocked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sad {
    pub id: String,
    pub credential: CredentialId,
    /// The SHA-256 digests the officer authorised (documents, or hashes for CSC).
    pub hashes: Vec<[u8; 32]>,
    /// Signatures still allowed.
    pub remaining: u32,
    pub expires_at: OffsetDateTime,
}

/// Why Signature Activation Data does not allow a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SadError {
    #[error("the authorisation belongs to another credential")]
    WrongCredential,
    #[error("this hash was not among those the officer authorised")]
    HashNotAuthorized,
    #[error("the authorisation has already been used for all the signatures it allowed")]
    Exhausted,
    #[error("the authorisation has expired")]
    Expired,
}

impl SadError {
    pub fn code(self) -> &'static str {
        match self {
            Self::WrongCredential => "sad_wrong_credential",
            Self::HashNotAuthorized => "sad_hash_not_authorized",
            Self::Exhausted => "sad_exhausted",
            Self::Expired => "sad_expired",
        }
    }
}

impl Sad {
    /// Whether one more signature of `hash` with `credential` is allowed at `now`.
    pub fn allows(
        &self,
        credential: CredentialId,
        hash: &[u8; 32],
        now: OffsetDateTime,
    ) -> Result<(), SadError> {
        if credential != self.credential {
            return Err(SadError::WrongCredential);
        }
        if now >= self.expires_at {
            return Err(SadError::Expired);
        }
        if !self.hashes.contains(hash) {
            return Err(SadError::HashNotAuthorized);
        }
        if self.remaining == 0 {
            return Err(SadError::Exhausted);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn sad_rules() {
        let c = CredentialId(Uuid::from_u128(1));
        let sad = Sad {
            id: "s".into(),
            credential: c,
            hashes: vec![[1; 32], [2; 32]],
            remaining: 2,
            expires_at: datetime!(2026-01-01 10:05 UTC),
        };
        let now = datetime!(2026-01-01 10:00 UTC);
        assert_eq!(sad.allows(c, &[1; 32], now), Ok(()));
        assert_eq!(
            sad.allows(c, &[3; 32], now),
            Err(SadError::HashNotAuthorized)
        );
        assert_eq!(
            sad.allows(CredentialId(Uuid::from_u128(2)), &[1; 32], now),
            Err(SadError::WrongCredential)
        );
        assert_eq!(
            sad.allows(c, &[1; 32], datetime!(2026-01-01 10:05 UTC)),
            Err(SadError::Expired)
        );
        let spent = Sad {
            remaining: 0,
            ..sad
        };
        assert_eq!(spent.allows(c, &[1; 32], now), Err(SadError::Exhausted));
    }

    #[test]
    fn codes_round_trip() {
        for f in DocumentFormat::ALL {
            assert_eq!(DocumentFormat::from_code(f.code()), Some(f));
        }
        for s in RequestStatus::ALL {
            assert_eq!(RequestStatus::from_code(s.code()), Some(s));
        }
        for l in [SignatureLevel::BB, SignatureLevel::BT] {
            assert_eq!(SignatureLevel::from_code(l.code()), Some(l));
        }
    }
}
