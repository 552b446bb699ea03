//! Authentication: `Authorization: Bearer <token>`; the token's SHA-256 finds the principal.
//! Tokens are 256-bit random values created by `firma principals create`, shown once, stored
//! hashed. Over mutual TLS (`crate::tls`) a verified client certificate authenticates instead:
//! its SHA-256 finds the principal it was bound to (`firma principals create --client-cert`),
//! and a certificate bound to no principal is refused, never treated as anonymous. Every refusal
//! is audited.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use firma_core::{AuditEvent, AuditKind, AuditLog, Clock, DirectoryStore, Principal, Role};
use firma_store::Database;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;
use crate::tls::ClientCertificate;

/// Prefix of every token, so that leaked tokens are easy to recognise and scan for.
pub const TOKEN_PREFIX: &str = "firma_";

/// A new random token and the hash to store.
pub fn new_token() -> Result<(String, [u8; 32]), getrandom::Error> {
    let mut raw = [0u8; 32];
    getrandom::fill(&mut raw)?;
    let token = format!(
        "{TOKEN_PREFIX}{}",
        raw.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    let hash = token_hash(&token);
    Ok((token, hash))
}

pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The authenticated caller of a request.
pub struct Caller(pub Principal);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(certificate) = crate::tls::client_certificate(parts) {
            return by_certificate(state, parts, &certificate).await;
        }
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let token = header
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim);
        let Some(token) = token.filter(|t| t.starts_with(TOKEN_PREFIX)) else {
            deny(
                state,
                parts,
                "anonymous",
                "missing or malformed bearer token",
            )
            .await;
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "send `Authorization: Bearer <token>` with a token from `firma principals create`",
            ));
        };
        match state.db.principal_by_token(&token_hash(token)).await {
            Ok(Some(p)) => Ok(Caller(p)),
            Ok(None) => {
                deny(state, parts, "anonymous", "unknown or revoked token").await;
                Err(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "unauthenticated",
                    "the bearer token is unknown or revoked",
                ))
            }
            Err(e) => Err(ApiError::internal(e)),
        }
    }
}

/// The principal bound to the connection's verified client certificate; a certificate bound to
/// none is refused (401) and the refusal audited with its fingerprint and subject.
async fn by_certificate(
    state: &AppState,
    parts: &Parts,
    certificate: &ClientCertificate,
) -> Result<Caller, ApiError> {
    match state.db.principal_by_certificate(&certificate.sha256).await {
        Ok(Some(p)) => Ok(Caller(p)),
        Ok(None) => {
            let event = AuditEvent::new(AuditKind::AccessDenied, "anonymous", parts.uri.path())
                .with("method", parts.method.as_str())
                .with("reason", "client certificate bound to no principal")
                .with("certificate_sha256", certificate.fingerprint())
                .with("certificate_subject", certificate.subject());
            if let Err(e) = state.db.append(&[event], state.clock.now()).await {
                tracing::error!(error = %e, "could not audit an access denial");
            }
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                format!(
                    "the client certificate (SHA-256 {}) is bound to no principal, or its \
                     principal is revoked; bind it with `firma principals create --client-cert`",
                    certificate.fingerprint()
                ),
            ))
        }
        Err(e) => Err(ApiError::internal(e)),
    }
}

/// Records a refused call (who, what, why) in the audit log.
pub async fn deny(state: &AppState, parts: &Parts, actor: &str, reason: &str) {
    let event = AuditEvent::new(AuditKind::AccessDenied, actor, parts.uri.path())
        .with("method", parts.method.as_str())
        .with("reason", reason);
    if let Err(e) = state.db.append(&[event], state.clock.now()).await {
        tracing::error!(error = %e, "could not audit an access denial");
    }
}

/// Records a refused operation by an authenticated principal and returns the 403 to answer.
pub async fn forbidden(
    state: &AppState,
    caller: &Principal,
    subject: &str,
    reason: &str,
) -> ApiError {
    audit_refusal(&state.db, state.clock.as_ref(), caller, subject, reason).await;
    ApiError::new(StatusCode::FORBIDDEN, "forbidden", reason.to_owned())
}

/// Records in the audit log that `caller` was refused `subject`, and why
/// (`access.denied`). A failure to record is logged; the refusal stands either way.
pub async fn audit_refusal(
    db: &Database,
    clock: &dyn Clock,
    caller: &Principal,
    subject: &str,
    reason: &str,
) {
    let event =
        AuditEvent::new(AuditKind::AccessDenied, caller.actor(), subject).with("reason", reason);
    if let Err(e) = db.append(&[event], clock.now()).await {
        tracing::error!(error = %e, "could not audit an access denial");
    }
}

/// Why `caller` may not act when only `roles` may, or `None` when its role is one of them.
pub fn reserved_to(roles: &[Role], caller: &Principal) -> Option<String> {
    if roles.contains(&caller.role) {
        return None;
    }
    let allowed = roles
        .iter()
        .map(|r| r.code())
        .collect::<Vec<_>>()
        .join(", ");
    Some(format!(
        "this action is reserved to the roles {allowed}; the caller has role {}",
        caller.role
    ))
}
