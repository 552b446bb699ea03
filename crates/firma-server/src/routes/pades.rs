//! `POST /api/v1/pades/extend` (ANSC core): a signed PDF (ours or another producer's) taken to
//! PAdES B-LT or B-LTA, or a B-LTA PDF given a new archive time-stamp.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use firma_core::SignatureLevel;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::json::{ApiBytes, parse_json};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/pades/extend", post(extend))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtendBody {
    /// `B-LT` or `B-LTA`.
    level: String,
    /// Base64 of the signed PDF.
    content: String,
}

async fn extend(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiBytes(body): ApiBytes,
) -> Result<Json<Value>, ApiError> {
    let parsed: ExtendBody = parse_json(&body)?;
    let level = SignatureLevel::from_code(&parsed.level).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_level",
            format!("level {:?} is not one of B-LT, B-LTA", parsed.level),
        )
    })?;
    let pdf = STANDARD.decode(parsed.content.as_bytes()).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_base64",
            format!("content is not base64: {e}"),
        )
    })?;
    let out = state.signing.extend_pades(&caller, pdf, level).await?;
    Ok(Json(
        json!({"level": level.code(), "content": STANDARD.encode(out)}),
    ))
}
