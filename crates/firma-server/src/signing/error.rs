//! Signing errors and their HTTP form (status, stable code, message).

use axum::http::StatusCode;
use firma_core::{KeyStoreError, RepositoryError, SadError};

use crate::error::ApiError;
use crate::otp::OtpError;

#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    #[error("{what} {id} does not exist")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    Forbidden(String),
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("the one-time password was refused ({cause}); {attempts_left} attempts left")]
    OtpRejected {
        cause: &'static str,
        attempts_left: u32,
    },
    #[error("the OTP device is locked after too many wrong codes: an operator must unlock it")]
    OtpLocked,
    #[error("{0}")]
    Sad(SadError),
    #[error(transparent)]
    Otp(#[from] OtpError),
    #[error(transparent)]
    Repository(#[from] RepositoryError),
    #[error(transparent)]
    KeyStore(#[from] KeyStoreError),
    #[error("{0}")]
    Internal(String),
}

impl SigningError {
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

impl From<SigningError> for ApiError {
    fn from(e: SigningError) -> Self {
        use SigningError as E;
        match e {
            E::NotFound { .. } => ApiError::new(StatusCode::NOT_FOUND, "not_found", e.to_string()),
            E::Forbidden(m) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", m),
            E::Invalid { code, message } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
            }
            E::Conflict { code, message } => ApiError::new(StatusCode::CONFLICT, code, message),
            E::OtpRejected { .. } => {
                ApiError::new(StatusCode::UNAUTHORIZED, "otp_rejected", e.to_string())
            }
            E::OtpLocked => ApiError::new(StatusCode::LOCKED, "otp_locked", e.to_string()),
            E::Sad(s) => ApiError::new(StatusCode::FORBIDDEN, s.code(), s.to_string()),
            E::Otp(OtpError::RateLimited { .. }) => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "otp_rate_limited",
                e.to_string(),
            ),
            E::Otp(OtpError::TooManySends(_)) => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "otp_too_many_sends",
                e.to_string(),
            ),
            E::Otp(OtpError::Locked(_)) => {
                ApiError::new(StatusCode::LOCKED, "otp_locked", e.to_string())
            }
            E::Otp(OtpError::NoPhone(_)) => {
                ApiError::new(StatusCode::CONFLICT, "otp_no_phone", e.to_string())
            }
            E::KeyStore(KeyStoreError::Unavailable(_)) => ApiError::new(
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
