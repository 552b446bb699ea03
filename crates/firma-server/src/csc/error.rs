//! Errors in the form the CSC API defines (CSC API v2.0 section 10.2, v1.0.4 section 10):
//! the HTTP status and a JSON body `{"error": ..., "error_description": ...}`, where `error` is one
//! of the predefined values (`invalid_request`, `invalid_otp`, `access_denied`, `invalid_token`...).
//! The body also carries `code`, the service's own stable identifier of the exact cause
//! (`sad_exhausted`, `otp_locked`...), which CSC clients may ignore.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use firma_core::{KeyStoreError, RepositoryError, SadError};
use serde::Serialize;

use crate::error::ApiError;
use crate::otp::OtpError;

#[derive(Debug)]
pub struct CscError {
    pub status: StatusCode,
    /// The CSC `error` value.
    pub error: &'static str,
    /// The service's stable code for the cause.
    pub code: &'static str,
    pub description: String,
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    error_description: &'a str,
    code: &'a str,
}

impl CscError {
    pub fn new(
        status: StatusCode,
        error: &'static str,
        code: &'static str,
        description: impl Into<String>,
    ) -> Self {
        Self {
            status,
            error,
            code,
            description: description.into(),
        }
    }

    /// 400 `invalid_request`, the answer the CSC specification gives to nearly every bad input.
    pub fn invalid(code: &'static str, description: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            code,
            description,
        )
    }

    /// "Missing (or invalid type) <kind> parameter <name>" (the specification's wording).
    pub fn missing(kind: &str, name: &str) -> Self {
        Self::invalid(
            "missing_parameter",
            format!("Missing (or invalid type) {kind} parameter {name}"),
        )
    }

    /// "Invalid parameter <name>", with what would be accepted.
    pub fn invalid_parameter(name: &str, why: impl std::fmt::Display) -> Self {
        Self::invalid(
            "invalid_parameter",
            format!("Invalid parameter {name}: {why}"),
        )
    }

    /// 403 `access_denied`: the caller's role may not use this method (already audited).
    pub fn access_denied(description: impl Into<String>) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "access_denied",
            "forbidden",
            description,
        )
    }

    /// A failure that is ours: logged with its detail, answered generically.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error in the CSC API");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "internal_error",
            "the service failed to handle the request; it has been logged",
        )
    }

    /// The answer to a Signature Activation Data that does not allow the signature.
    pub fn sad(refused: SadError) -> Self {
        let description = match refused {
            SadError::Expired => {
                "SAD expired: authorise again with credentials/authorize".to_owned()
            }
            SadError::HashNotAuthorized => {
                "Hash is not authorized by the SAD: authorise exactly the hashes to sign".to_owned()
            }
            SadError::Exhausted => format!(
                "Invalid parameter SAD: {refused}; authorise again with credentials/authorize"
            ),
            SadError::WrongCredential => {
                format!("Invalid parameter SAD: {refused} (credentialID)")
            }
        };
        Self::invalid(refused.code(), description)
    }
}

impl IntoResponse for CscError {
    fn into_response(self) -> Response {
        let body = Json(Body {
            error: self.error,
            error_description: &self.description,
            code: self.code,
        });
        (self.status, body).into_response()
    }
}

/// The service's own errors (authentication, JSON body) in CSC form: 401 `invalid_token` for a
/// missing or unknown token (RFC 6750 section 3.1), 400 `invalid_request` for a bad body, the
/// status kept for 413 and 415.
impl From<ApiError> for CscError {
    fn from(e: ApiError) -> Self {
        let error = match e.status {
            StatusCode::UNAUTHORIZED => "invalid_token",
            StatusCode::INTERNAL_SERVER_ERROR => "server_error",
            StatusCode::SERVICE_UNAVAILABLE => "temporarily_unavailable",
            StatusCode::FORBIDDEN => "access_denied",
            _ => "invalid_request",
        };
        let status = match e.status {
            StatusCode::UNPROCESSABLE_ENTITY => StatusCode::BAD_REQUEST,
            other => other,
        };
        Self::new(status, error, e.code, e.message)
    }
}

impl From<RepositoryError> for CscError {
    fn from(e: RepositoryError) -> Self {
        match e {
            RepositoryError::Unavailable(_) => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "database_unavailable",
                "the database is unavailable; try again shortly",
            ),
            other => Self::internal(other),
        }
    }
}

impl From<KeyStoreError> for CscError {
    fn from(e: KeyStoreError) -> Self {
        match e {
            KeyStoreError::Unavailable(_) => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "hsm_unavailable",
                "the HSM is unavailable; try again shortly",
            ),
            other => Self::internal(other),
        }
    }
}

impl From<OtpError> for CscError {
    fn from(e: OtpError) -> Self {
        match e {
            OtpError::RateLimited { .. } => Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "invalid_request",
                "otp_rate_limited",
                e.to_string(),
            ),
            OtpError::TooManySends(_) => Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "invalid_request",
                "otp_too_many_sends",
                format!("{e}; wait until the last code expires, then ask again"),
            ),
            OtpError::Locked(_) => Self::invalid("otp_locked", format!("Credential locked: {e}")),
            OtpError::NoPhone(_) => Self::invalid("otp_no_phone", e.to_string()),
            OtpError::Busy(_) => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "otp_busy",
                e.to_string(),
            ),
            OtpError::Repository(r) => r.into(),
            OtpError::KeyStore(k) => k.into(),
            other => Self::internal(other),
        }
    }
}
