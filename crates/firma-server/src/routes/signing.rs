//! The ANSC API: signing requests (`/api/v1/signing-requests`).

use std::str::FromStr;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use firma_core::{CredentialId, DocumentFormat, SignatureLevel, SigningRequestId, TipoAtto};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::json::{ApiBytes, ApiJson, parse_json};
use crate::signing::{NewDocumentInput, NewRequest};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/signing-requests", post(create))
        .route("/api/v1/signing-requests/{id}", get(show))
        .route("/api/v1/signing-requests/{id}/authorize", post(authorize))
        .route("/api/v1/signing-requests/{id}/otp", post(resend_otp))
        .route("/api/v1/signing-requests/{id}/cancel", post(cancel))
        .route(
            "/api/v1/signing-requests/{id}/documents/{index}",
            get(document),
        )
        .route("/api/v1/openapi.json", get(openapi))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    credential_id: String,
    documents: Vec<DocumentBody>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentBody {
    name: String,
    atto: String,
    format: String,
    #[serde(default)]
    level: Option<String>,
    /// Base64 of the document (for `digest`: of the 32-byte SHA-256 digest).
    content: String,
}

fn invalid(code: &'static str, message: String) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
}

fn request_id(s: &str) -> Result<SigningRequestId, ApiError> {
    uuid::Uuid::from_str(s).map(SigningRequestId).map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no signing request {s:?}"),
        )
    })
}

/// `POST /api/v1/signing-requests` (ANSC core). `Idempotency-Key` makes retries safe.
async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> Result<Response, ApiError> {
    let parsed: CreateBody = parse_json(&body)?;
    let credential = uuid::Uuid::from_str(&parsed.credential_id)
        .map(CredentialId)
        .map_err(|_| {
            invalid(
                "invalid_credential_id",
                format!("credential_id {:?} is not a UUID", parsed.credential_id),
            )
        })?;
    let mut documents = Vec::with_capacity(parsed.documents.len());
    for (i, d) in parsed.documents.into_iter().enumerate() {
        let atto = TipoAtto::from_code(&d.atto).ok_or_else(|| {
            invalid("invalid_atto", format!("document {i}: atto {:?} is not one of nascita, morte, matrimonio, cittadinanza, unione_civile", d.atto))
        })?;
        let format = DocumentFormat::from_code(&d.format).ok_or_else(|| {
            invalid("invalid_format", format!("document {i}: format {:?} is not one of pades, cades-attached, cades-detached, digest", d.format))
        })?;
        let level = match d.level.as_deref() {
            None => SignatureLevel::BB,
            Some(l) => SignatureLevel::from_code(l).ok_or_else(|| {
                invalid(
                    "invalid_level",
                    format!("document {i}: level {l:?} is not one of B-B, B-T, B-LT, B-LTA"),
                )
            })?,
        };
        let content = STANDARD.decode(d.content.as_bytes()).map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_base64",
                format!("document {i}: content is not base64: {e}"),
            )
        })?;
        if d.name.trim().is_empty() || d.name.len() > 200 {
            return Err(invalid(
                "invalid_name",
                format!("document {i}: name must be 1 to 200 characters"),
            ));
        }
        documents.push(NewDocumentInput {
            name: d.name,
            atto,
            format,
            level,
            content,
        });
    }
    let idempotency_key = headers
        .get("idempotency-key")
        .map(|v| v.to_str().map(str::to_owned))
        .transpose()
        .map_err(|_| {
            invalid(
                "invalid_idempotency_key",
                "the Idempotency-Key header is not text".to_owned(),
            )
        })?;
    let outcome = state
        .signing
        .create(
            &caller,
            NewRequest {
                credential,
                documents,
                body_hash: Sha256::digest(&body).into(),
                idempotency_key,
            },
        )
        .await?;
    let status = if outcome.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut body = serde_json::to_value(&outcome.request).map_err(ApiError::internal)?;
    body["otp"] = serde_json::to_value(&outcome.otp).map_err(ApiError::internal)?;
    let location = format!("/api/v1/signing-requests/{}", outcome.request.id);
    let mut response = (status, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

async fn show(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let view = state.signing.get(&caller, request_id(&id)?).await?;
    Ok(Json(view).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthorizeBody {
    otp: String,
}

/// `POST .../authorize` (the officer): `{"otp": "123456"}`; signing starts, 202.
async fn authorize(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AuthorizeBody>,
) -> Result<Response, ApiError> {
    let view = state
        .signing
        .authorize(&caller, request_id(&id)?, &body.otp)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(view)).into_response())
}

async fn resend_otp(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let sent = state.signing.resend_otp(&caller, request_id(&id)?).await?;
    let fmt = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    Ok((
        StatusCode::ACCEPTED,
        Json(serde_json::json!({
            "method": "sms",
            "expires_at": fmt(sent.expires_at),
            "resend_after": fmt(sent.resend_after),
            "sends_left": sent.sends_left,
        })),
    )
        .into_response())
}

async fn cancel(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let view = state.signing.cancel(&caller, request_id(&id)?).await?;
    Ok(Json(view).into_response())
}

/// `GET .../documents/{index}`: the signed file.
async fn document(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path((id, index)): Path<(String, u32)>,
) -> Result<Response, ApiError> {
    let doc = state
        .signing
        .signed_document(&caller, request_id(&id)?, index)
        .await?;
    let disposition = format!("attachment; filename=\"{}\"", doc.file_name);
    Ok((
        [
            (header::CONTENT_TYPE, doc.media_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        doc.bytes,
    )
        .into_response())
}

/// The OpenAPI 3.1 description of this API.
async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
        .into_response()
}
