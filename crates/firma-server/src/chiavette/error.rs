//! Errors of the distribution of the chiavette and their HTTP form (status, stable code,
//! message). The domain's refusals keep their own codes (`oltre_allocazione`, `gia_consegnata`,
//! `non_consegnata`, ...): a broken rule is 422, a state that no longer allows the action 409.

use axum::http::StatusCode;
use firma_core::onboarding::{AbbinamentoError, CaricoError, ConsegnaError};
use firma_core::{KeyStoreError, RepositoryError};

use crate::error::ApiError;
use crate::otp::OtpError;
use crate::signing::SigningError;

#[derive(Debug, thiserror::Error)]
pub enum ChiavetteError {
    /// No such resource, or not visible to the caller (another province's, another comune's):
    /// the same answer, so that nobody can probe what exists elsewhere (audited).
    #[error("{what} {id} does not exist")]
    NotFound { what: &'static str, id: String },
    /// The caller's role may not do this (audited).
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// A rule of the circular or a malformed field (422).
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    /// The state does not allow it now (409).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error(
        "the codes were refused ({cause}); {attempts_left} attempts left before the chiavetta locks"
    )]
    OtpRejected {
        cause: &'static str,
        attempts_left: u32,
    },
    #[error(
        "the chiavetta is locked after too many wrong codes: the Prefettura's operator or the \
         service administrator must unlock it"
    )]
    OtpLocked,
    #[error(transparent)]
    Signing(#[from] SigningError),
    #[error(transparent)]
    Otp(#[from] OtpError),
    #[error(transparent)]
    Repository(#[from] RepositoryError),
    #[error(transparent)]
    KeyStore(#[from] KeyStoreError),
    #[error("{0}")]
    Internal(String),
}

impl ChiavetteError {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            code,
            message: message.into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }

    pub fn not_found(what: &'static str, id: impl Into<String>) -> Self {
        Self::NotFound {
            what,
            id: id.into(),
        }
    }

    /// After losing several compare-and-swaps in a row to concurrent writers.
    pub fn busy(what: &str) -> Self {
        Self::conflict(
            "concurrent_update",
            format!("{what} kept changing while this change was being made; try again"),
        )
    }

    /// The stable code the API answers with.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound { .. } => "not_found",
            Self::Forbidden { code, .. }
            | Self::Invalid { code, .. }
            | Self::Conflict { code, .. } => code,
            Self::OtpRejected { .. } => "otp_rejected",
            Self::OtpLocked => "otp_locked",
            Self::Signing(
                SigningError::Invalid { code, .. } | SigningError::Conflict { code, .. },
            ) => code,
            Self::Signing(SigningError::NotFound { .. }) => "not_found",
            Self::Signing(SigningError::Forbidden(_)) => "forbidden",
            Self::Signing(_) => "internal_error",
            Self::Otp(_) | Self::Repository(_) | Self::KeyStore(_) | Self::Internal(_) => {
                "internal_error"
            }
        }
    }
}

impl From<ConsegnaError> for ChiavetteError {
    fn from(e: ConsegnaError) -> Self {
        let code = e.code();
        match e {
            ConsegnaError::FuoriAmbito(_) => Self::Forbidden {
                code,
                message: e.to_string(),
            },
            ConsegnaError::GiaConsegnata { .. } | ConsegnaError::Ritirata { .. } => {
                Self::conflict(code, e.to_string())
            }
            _ => Self::invalid(code, e.to_string()),
        }
    }
}

impl From<CaricoError> for ChiavetteError {
    fn from(e: CaricoError) -> Self {
        let code = e.code();
        match e {
            CaricoError::DiAltraProvincia { .. } | CaricoError::NonInScorta { .. } => {
                Self::conflict(code, e.to_string())
            }
            _ => Self::invalid(code, e.to_string()),
        }
    }
}

impl From<AbbinamentoError> for ChiavetteError {
    fn from(e: AbbinamentoError) -> Self {
        let code = e.code();
        match e {
            AbbinamentoError::SoloIlTitolare => Self::Forbidden {
                code,
                message: e.to_string(),
            },
            AbbinamentoError::NonConsegnata { .. }
            | AbbinamentoError::GiaAbbinata { .. }
            | AbbinamentoError::Ritirata { .. }
            | AbbinamentoError::HaGiaUnaChiavetta { .. } => Self::conflict(code, e.to_string()),
            // Answered as not found by the service (another comune's chiavetta).
            AbbinamentoError::ConsegnataAdAltroComune { serial, .. } => {
                Self::not_found("chiavetta", serial)
            }
            _ => Self::invalid(code, e.to_string()),
        }
    }
}

impl From<ChiavetteError> for ApiError {
    fn from(e: ChiavetteError) -> Self {
        use ChiavetteError as E;
        match e {
            E::NotFound { .. } => ApiError::new(StatusCode::NOT_FOUND, "not_found", e.to_string()),
            E::Forbidden { code, message } => ApiError::new(StatusCode::FORBIDDEN, code, message),
            E::Invalid { code, message } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
            }
            E::Conflict { code, message } => ApiError::new(StatusCode::CONFLICT, code, message),
            E::OtpRejected { .. } => {
                ApiError::new(StatusCode::UNAUTHORIZED, "otp_rejected", e.to_string())
            }
            E::OtpLocked => ApiError::new(StatusCode::LOCKED, "otp_locked", e.to_string()),
            E::Signing(s) => s.into(),
            E::Otp(OtpError::Locked(_)) => {
                ApiError::new(StatusCode::LOCKED, "otp_locked", e.to_string())
            }
            E::KeyStore(KeyStoreError::Unavailable(_))
            | E::Otp(OtpError::KeyStore(KeyStoreError::Unavailable(_))) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "hsm_unavailable",
                "the HSM is unavailable; try again shortly",
            ),
            E::Repository(RepositoryError::Unavailable(_))
            | E::Otp(OtpError::Repository(RepositoryError::Unavailable(_))) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "database_unavailable",
                "the database is unavailable; try again shortly",
            ),
            other => ApiError::internal(other),
        }
    }
}
