//! Revocation errors and their HTTP form (status, stable code, message).

use axum::http::StatusCode;
use firma_ca::CaError;
use firma_core::{KeyStoreError, RepositoryError};

use crate::error::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum RevocationError {
    #[error("credential {0} does not exist")]
    NotFound(String),
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("no certificate authority yet: run `firma ca init` (before starting the service)")]
    NoCa,
    #[error(
        "the certificate is revoked, but the HSM did not destroy the key ({0}); destroy it \
         with the HSM's tools"
    )]
    KeyNotDestroyed(String),
    #[error(transparent)]
    Ca(#[from] CaError),
    #[error(transparent)]
    Repository(#[from] RepositoryError),
    #[error(transparent)]
    KeyStore(#[from] KeyStoreError),
    #[error("{0}")]
    Internal(String),
}

impl RevocationError {
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
}

impl From<RevocationError> for ApiError {
    fn from(e: RevocationError) -> Self {
        use RevocationError as E;
        match e {
            E::NotFound(_) => ApiError::new(StatusCode::NOT_FOUND, "not_found", e.to_string()),
            E::Invalid { code, message } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
            }
            E::Conflict { code, message } => ApiError::new(StatusCode::CONFLICT, code, message),
            E::NoCa => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ca_not_initialised",
                e.to_string(),
            ),
            E::KeyStore(KeyStoreError::Unavailable(_))
            | E::Ca(CaError::KeyStore(KeyStoreError::Unavailable(_))) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "hsm_unavailable",
                "the HSM is unavailable; try again shortly",
            ),
            E::Repository(RepositoryError::Unavailable(_)) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "database_unavailable",
                "the database is unavailable; try again shortly",
            ),
            other => ApiError::internal(other),
        }
    }
}
