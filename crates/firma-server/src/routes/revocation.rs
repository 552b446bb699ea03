//! The Ente Certificatore operator's revocation API (`/api/v1/credentials/{id}/...`) and the
//! CA's public endpoints (CRL, OCSP, certificates; `crate::revocation::http`).
//!
//! - `POST .../revoke` `{"reason": "keyCompromise", "invalidity_date": "2026-03-01T08:00:00Z"}`
//!   (the date optional; reasons by their RFC 5280 names; `certificateHold` suspends);
//! - `POST .../suspend` (`certificateHold`; body optional: `{"invalidity_date": ...}`);
//! - `POST .../reinstate` (lifts a suspension).
//!
//! Only the roles `ente_certificatore` and `admin`; other callers get 403, audited.

use std::str::FromStr;

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use firma_ca::RevocationReason;
use firma_core::{CredentialId, Principal, Role};
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::auth::{Caller, forbidden};
use crate::error::ApiError;
use crate::json::{ApiBytes, parse_json};
use crate::state::AppState;

/// Largest body of these requests: a reason and a date.
const MAX_BODY: usize = 4 * 1024;

pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/api/v1/credentials/{id}/revoke", post(revoke))
        .route("/api/v1/credentials/{id}/suspend", post(suspend))
        .route("/api/v1/credentials/{id}/reinstate", post(reinstate))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .merge(crate::revocation::http::routes(state.revocation.ca_path()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevokeBody {
    reason: String,
    #[serde(default)]
    invalidity_date: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SuspendBody {
    #[serde(default)]
    invalidity_date: Option<String>,
}

/// Refuses (403, audited) callers other than the Ente Certificatore operator and the admin.
async fn require_operator(state: &AppState, caller: &Principal, id: &str) -> Result<(), ApiError> {
    if matches!(caller.role, Role::EnteCertificatore | Role::Admin) {
        return Ok(());
    }
    Err(forbidden(
        state,
        caller,
        &format!("credential:{id}"),
        &format!(
            "the role {} may not revoke, suspend or reinstate certificates: only \
             ente_certificatore or admin may",
            caller.role.code()
        ),
    )
    .await)
}

fn credential_id(id: &str) -> Result<CredentialId, ApiError> {
    uuid::Uuid::from_str(id).map(CredentialId).map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no credential {id:?}"),
        )
    })
}

fn invalidity_date(text: Option<&str>) -> Result<Option<OffsetDateTime>, ApiError> {
    text.map(|t| {
        OffsetDateTime::parse(t, &Rfc3339).map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_invalidity_date",
                format!("invalidity_date {t:?} is not an RFC 3339 date-time: {e}"),
            )
        })
    })
    .transpose()
}

async fn revoke(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiBytes(body): ApiBytes,
) -> Result<Response, ApiError> {
    require_operator(&state, &caller, &id).await?;
    let credential = credential_id(&id)?;
    let body: RevokeBody = parse_json(&body)?;
    let reason = RevocationReason::from_str(&body.reason)
        .map_err(|m| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_reason", m))?;
    let date = invalidity_date(body.invalidity_date.as_deref())?;
    let outcome = state
        .revocation
        .revoke_with(credential, reason, date, &caller.actor())
        .await?;
    Ok(Json(outcome).into_response())
}

async fn suspend(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiBytes(body): ApiBytes,
) -> Result<Response, ApiError> {
    require_operator(&state, &caller, &id).await?;
    let credential = credential_id(&id)?;
    let body: SuspendBody = if body.iter().all(u8::is_ascii_whitespace) {
        SuspendBody::default()
    } else {
        parse_json(&body)?
    };
    let date = invalidity_date(body.invalidity_date.as_deref())?;
    let outcome = state
        .revocation
        .revoke_with(
            credential,
            RevocationReason::CertificateHold,
            date,
            &caller.actor(),
        )
        .await?;
    Ok(Json(outcome).into_response())
}

async fn reinstate(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require_operator(&state, &caller, &id).await?;
    let credential = credential_id(&id)?;
    let outcome = state
        .revocation
        .reinstate(credential, &caller.actor())
        .await?;
    Ok(Json(outcome).into_response())
}
