//! The CSC API (`/csc/v1/...` and `/csc/v2/...`): POST with a JSON body and the principal's bearer
//! token (`info` needs none); errors in CSC form. The service logic is in `crate::csc`.

use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, any, post};
use axum::{Extension, Json, Router};
use serde::de::DeserializeOwned;

use crate::auth::Caller;
use crate::csc::{self, CscError, Version};
use crate::error::ApiError;
use crate::json::{ApiBytes, ApiJson, parse_json};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(api(Version::V1))
        .merge(api(Version::V2))
}

/// The methods of one version, with their full paths (not nested: the audit records of refused
/// calls name the path as called).
fn api(version: Version) -> Router<AppState> {
    let prefix = match version {
        Version::V1 => "/csc/v1",
        Version::V2 => "/csc/v2",
    };
    let path = |method: &str| format!("{prefix}/{method}");
    let mut router = Router::new()
        .route(&path("info"), post(info).get(info))
        .route(&path("credentials/list"), only_post(post(credentials_list)))
        .route(&path("credentials/info"), only_post(post(credential_info)))
        .route(&path("credentials/sendOTP"), only_post(post(send_otp)))
        .route(&path("credentials/authorize"), only_post(post(authorize)))
        .route(&path("signatures/signHash"), only_post(post(sign_hash)));
    if version == Version::V2 {
        router = router.route(&path("signatures/signDoc"), only_post(post(sign_doc)));
    }
    router
        .route(
            &path("{*method}"),
            any(move || async move { not_implemented(version) }),
        )
        .layer(Extension(version))
}

/// Other HTTP methods are refused in CSC form.
fn only_post(route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.fallback(|| async {
        CscError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            "method_not_allowed",
            "CSC API methods are called with POST and a JSON body",
        )
    })
}

/// 501 for a CSC method this service does not offer, naming those it does.
fn not_implemented(version: Version) -> CscError {
    CscError::new(
        StatusCode::NOT_IMPLEMENTED,
        "invalid_request",
        "not_implemented",
        format!(
            "this CSC API method is not implemented; the service offers: {}",
            csc::methods(version).join(", ")
        ),
    )
}

/// The JSON body, refused in CSC form.
struct CscJson<T>(T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for CscJson<T> {
    type Rejection = CscError;

    async fn from_request(req: Request, state: &S) -> Result<Self, CscError> {
        ApiJson::<T>::from_request(req, state)
            .await
            .map(|ApiJson(v)| Self(v))
            .map_err(CscError::from)
    }
}

/// The caller, refused in CSC form (401 `invalid_token`; the refusal is audited by `Caller`).
/// Checked before the body, so that an anonymous call is told so first.
fn caller(auth: Result<Caller, ApiError>) -> Result<firma_core::Principal, CscError> {
    auth.map(|Caller(p)| p).map_err(CscError::from)
}

/// `info`: POST (or GET, as v1 allows) with an optional `{"lang": ...}`.
async fn info(
    State(state): State<AppState>,
    Extension(version): Extension<Version>,
    body: Result<ApiBytes, ApiError>,
) -> Result<Response, CscError> {
    let ApiBytes(bytes) = body?;
    if !bytes.iter().all(u8::is_ascii_whitespace) {
        let _: serde_json::Value = parse_json(&bytes)?;
    }
    let timestamps = state.signing.tsa().is_some();
    Ok(Json(csc::info(version, timestamps)).into_response())
}

async fn credentials_list(
    State(state): State<AppState>,
    Extension(version): Extension<Version>,
    auth: Result<Caller, ApiError>,
    body: Result<CscJson<csc::ListInput>, CscError>,
) -> Result<Response, CscError> {
    let caller = caller(auth)?;
    let CscJson(input) = body?;
    let body = csc::credentials_list(&state, &caller, input, version).await?;
    Ok(Json(body).into_response())
}

async fn credential_info(
    State(state): State<AppState>,
    Extension(version): Extension<Version>,
    auth: Result<Caller, ApiError>,
    body: Result<CscJson<csc::InfoInput>, CscError>,
) -> Result<Response, CscError> {
    let caller = caller(auth)?;
    let CscJson(input) = body?;
    let body = csc::credential_info(&state, &caller, input, version).await?;
    Ok(Json(body).into_response())
}

async fn send_otp(
    State(state): State<AppState>,
    auth: Result<Caller, ApiError>,
    body: Result<CscJson<csc::SendOtpInput>, CscError>,
) -> Result<Response, CscError> {
    let caller = caller(auth)?;
    let CscJson(input) = body?;
    csc::send_otp(&state, &caller, input).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn authorize(
    State(state): State<AppState>,
    auth: Result<Caller, ApiError>,
    body: Result<CscJson<csc::AuthorizeInput>, CscError>,
) -> Result<Response, CscError> {
    let caller = caller(auth)?;
    let CscJson(input) = body?;
    let body = csc::authorize(&state, &caller, input).await?;
    Ok(Json(body).into_response())
}

async fn sign_hash(
    State(state): State<AppState>,
    auth: Result<Caller, ApiError>,
    body: Result<CscJson<csc::SignHashInput>, CscError>,
) -> Result<Response, CscError> {
    let caller = caller(auth)?;
    let CscJson(input) = body?;
    let body = csc::sign_hash(&state, &caller, input).await?;
    Ok(Json(body).into_response())
}

async fn sign_doc(
    State(state): State<AppState>,
    auth: Result<Caller, ApiError>,
    body: Result<CscJson<csc::SignDocInput>, CscError>,
) -> Result<Response, CscError> {
    let caller = caller(auth)?;
    let CscJson(input) = body?;
    let body = csc::sign_doc(&state, &caller, input).await?;
    Ok(Json(body).into_response())
}
