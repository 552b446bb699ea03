//! Onboarding errors and their HTTP form (status, stable code, message). The domain's refusals
//! keep their own codes (`data_adesione_troppo_vicina`, `dichiarazione_immutabile`, ...): a
//! broken rule is 422, a state that no longer allows the action is 409.

use axum::http::StatusCode;
use firma_core::onboarding::{AdesioneError, GestioneUfficialiError, RichiestaError};
use firma_core::{KeyStoreError, RepositoryError};

use crate::error::ApiError;
use crate::revocation::RevocationError;

#[derive(Debug, thiserror::Error)]
pub enum OnboardingError {
    /// No such resource, or not visible to the caller (a principal of another comune, another
    /// officer): the same answer, so that nobody can probe what exists elsewhere.
    #[error("{what} {id} does not exist")]
    NotFound { what: &'static str, id: String },
    /// The caller's role may not do this (already audited).
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// A rule of the circulars or a malformed field (422).
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    /// The resource's state does not allow it now (409).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// The Ente Certificatore could not issue the certificate now (unavailable, HSM, an
    /// unusable answer).
    #[error("the certificate could not be issued: {0}")]
    Certification(String),
    /// The Ente Certificatore refused the certification request (the port's `Refused`).
    #[error("the Ente Certificatore refused to certify the officer's key: {0}")]
    CertificationRefused(String),
    #[error(transparent)]
    Revocation(#[from] RevocationError),
    #[error(transparent)]
    Repository(#[from] RepositoryError),
    #[error(transparent)]
    KeyStore(#[from] KeyStoreError),
    #[error("{0}")]
    Internal(String),
}

impl OnboardingError {
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
            Self::Certification(_) => "certificate_not_issued",
            Self::CertificationRefused(_) => "certificate_refused",
            Self::Revocation(_) => "revocation_failed",
            Self::Repository(_) | Self::KeyStore(_) | Self::Internal(_) => "internal_error",
        }
    }
}

impl From<AdesioneError> for OnboardingError {
    fn from(e: AdesioneError) -> Self {
        let code = e.code();
        match e {
            AdesioneError::FuoriAmbito(_) => Self::Forbidden {
                code,
                message: e.to_string(),
            },
            AdesioneError::PropostaNonPiuModificabile { .. }
            | AdesioneError::DichiarazioneImmutabile { .. } => Self::conflict(code, e.to_string()),
            _ => Self::invalid(code, e.to_string()),
        }
    }
}

impl From<RichiestaError> for OnboardingError {
    fn from(e: RichiestaError) -> Self {
        let code = e.code();
        match e {
            RichiestaError::FuoriAmbito(_) | RichiestaError::SoloIlTitolare => Self::Forbidden {
                code,
                message: e.to_string(),
            },
            RichiestaError::StatoNonConsente { .. }
            | RichiestaError::NonInoltrabile(_)
            | RichiestaError::VerificaIdentitaMancante
            | RichiestaError::TroppeVerifiche => Self::conflict(code, e.to_string()),
            _ => Self::invalid(code, e.to_string()),
        }
    }
}

impl From<GestioneUfficialiError> for OnboardingError {
    fn from(e: GestioneUfficialiError) -> Self {
        let code = e.code();
        match e {
            GestioneUfficialiError::FuoriAmbito(_) => Self::Forbidden {
                code,
                message: e.to_string(),
            },
            GestioneUfficialiError::CredenzialeDiAltroUfficiale { .. }
            | GestioneUfficialiError::ChiavettaDiAltroUfficiale { .. }
            | GestioneUfficialiError::RichiestaDiAltroUfficiale { .. } => {
                Self::Internal(e.to_string())
            }
            _ => Self::invalid(code, e.to_string()),
        }
    }
}

impl From<OnboardingError> for ApiError {
    fn from(e: OnboardingError) -> Self {
        use OnboardingError as E;
        match e {
            E::NotFound { .. } => ApiError::new(StatusCode::NOT_FOUND, "not_found", e.to_string()),
            E::Forbidden { code, message } => ApiError::new(StatusCode::FORBIDDEN, code, message),
            E::Invalid { code, message } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
            }
            E::Conflict { code, message } => ApiError::new(StatusCode::CONFLICT, code, message),
            E::Revocation(r) => r.into(),
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
            E::CertificationRefused(_) => {
                tracing::warn!(error = %e, "the Ente Certificatore refused a certification request");
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "certificate_refused",
                    format!(
                        "{e}; the richiesta is still forwarded: reject it, or approve again once the cause is fixed"
                    ),
                )
            }
            E::Certification(detail) => {
                tracing::error!(error = %detail, "certificate issuance failed");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "certificate_not_issued",
                    "the Ente Certificatore could not issue the certificate; the richiesta is \
                     still forwarded, try again shortly",
                )
            }
            other => ApiError::internal(other),
        }
    }
}
