//! The CA's public HTTP endpoints, without authentication (relying parties fetch them), under the
//! path of `ca.base_url` (`/ca` by default), where the certificates point:
//!
//! | path | what |
//! |---|---|
//! | `GET {ca}/crl/issuing.crl` | the issuing CA's CRL, DER, `application/pkix-crl` (RFC 5280 section 4.2.1.13) |
//! | `GET {ca}/crl/root.crl` | the root's CRL (for the issuing CA certificate) |
//! | `GET {ca}/certs/issuing.cer`, `{ca}/certs/root.cer` | the CA certificates, DER, `application/pkix-cert` (RFC 5280 section 4.2.2.1, RFC 2585 section 4) |
//! | `POST {ca}/ocsp` | OCSP, `application/ocsp-request` to `application/ocsp-response` (RFC 6960 appendix A.1) |
//! | `GET {ca}/ocsp/{request}` | the same with the base64 DER request (URL-encoded) in the path |

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use firma_ca::ocsp::MAX_OCSP_REQUEST_LEN;
use firma_core::ports::CrlScope;

use super::RevocationError;
use crate::error::ApiError;
use crate::state::AppState;

const PKIX_CRL: &str = "application/pkix-crl";
const PKIX_CERT: &str = "application/pkix-cert";
const OCSP_RESPONSE: &str = "application/ocsp-response";

/// The routes under `prefix` (from [`path_of`]).
pub fn routes(prefix: &str) -> Router<AppState> {
    Router::new()
        .route(&format!("{prefix}/crl/issuing.crl"), get(issuing_crl))
        .route(&format!("{prefix}/crl/root.crl"), get(root_crl))
        .route(
            &format!("{prefix}/certs/issuing.cer"),
            get(issuing_certificate),
        )
        .route(&format!("{prefix}/certs/root.cer"), get(root_certificate))
        .route(&format!("{prefix}/ocsp"), post(ocsp_post))
        .route(&format!("{prefix}/ocsp/{{*request}}"), get(ocsp_get))
}

/// The path of `base_url` (`http://host:port/ca/` gives `/ca`; no path gives the empty
/// string). Refused: a path with characters other than letters, digits, `-._~` and `/`
/// separators, or an empty segment.
pub fn path_of(base_url: &str) -> Result<String, RevocationError> {
    let rest = base_url
        .split_once("://")
        .map(|(_, rest)| rest)
        .ok_or_else(|| bad_base_url(base_url, "it has no scheme (http:// or https://)"))?;
    let path = rest.find('/').map(|i| &rest[i..]).unwrap_or("");
    let path = path.trim_end_matches('/');
    if path.is_empty() {
        return Ok(String::new());
    }
    for segment in path[1..].split('/') {
        let ok = !segment.is_empty()
            && segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        if !ok {
            return Err(bad_base_url(
                base_url,
                "its path may only have segments of letters, digits and -._~",
            ));
        }
    }
    Ok(path.to_owned())
}

fn bad_base_url(base_url: &str, why: &str) -> RevocationError {
    RevocationError::invalid(
        "invalid_base_url",
        format!("ca.base_url {base_url:?} (FIRMA_CA__BASE_URL): {why}"),
    )
}

fn der(content_type: &'static str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            // A revocation must be visible at once.
            (header::CACHE_CONTROL, "no-cache"),
        ],
        bytes,
    )
        .into_response()
}

async fn issuing_crl(State(state): State<AppState>) -> Result<Response, ApiError> {
    Ok(der(
        PKIX_CRL,
        state.revocation.crl(CrlScope::Issuing).await?,
    ))
}

async fn root_crl(State(state): State<AppState>) -> Result<Response, ApiError> {
    Ok(der(PKIX_CRL, state.revocation.crl(CrlScope::Root).await?))
}

async fn issuing_certificate(State(state): State<AppState>) -> Result<Response, ApiError> {
    Ok(der(
        PKIX_CERT,
        state.revocation.issuing_certificate().await?,
    ))
}

async fn root_certificate(State(state): State<AppState>) -> Result<Response, ApiError> {
    Ok(der(PKIX_CERT, state.revocation.root_certificate().await?))
}

/// `POST {ca}/ocsp`: the DER request is the body. A body longer than an OCSP request may be is
/// not read further and is answered `malformedRequest`.
async fn ocsp_post(State(state): State<AppState>, body: Body) -> Response {
    let request = match axum::body::to_bytes(body, MAX_OCSP_REQUEST_LEN).await {
        Ok(bytes) => bytes.to_vec(),
        Err(_) => Vec::new(),
    };
    ocsp_answer(&state, &request).await
}

/// `GET {ca}/ocsp/{request}`: the base64 request, URL-encoded (RFC 6960 appendix A.1); the URL
/// alphabet of RFC 4648 section 5 and missing padding are accepted too.
async fn ocsp_get(State(state): State<AppState>, Path(request): Path<String>) -> Response {
    // Base64 of the largest request, with room for percent-decoding leftovers.
    let request = if request.len() > MAX_OCSP_REQUEST_LEN / 3 * 4 + 8 {
        Vec::new()
    } else {
        decode_base64(request.trim_start_matches('/')).unwrap_or_default()
    };
    ocsp_answer(&state, &request).await
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD]
        .into_iter()
        .find_map(|engine| engine.decode(text.as_bytes()).ok())
}

async fn ocsp_answer(state: &AppState, request: &[u8]) -> Response {
    let answer = state.revocation.ocsp(request).await;
    let mut response = der(OCSP_RESPONSE, answer.der);
    *response.status_mut() = StatusCode::OK;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_paths() {
        assert_eq!(path_of("http://127.0.0.1:8080/ca").unwrap(), "/ca");
        assert_eq!(path_of("https://ca.example/pki/v1/").unwrap(), "/pki/v1");
        assert_eq!(path_of("http://127.0.0.1:8080").unwrap(), "");
        assert_eq!(path_of("http://127.0.0.1:8080/").unwrap(), "");
        for bad in [
            "127.0.0.1/ca",
            "http://h/{x}",
            "http://h//ca",
            "http://h/c a",
        ] {
            let err = path_of(bad).unwrap_err().to_string();
            assert!(err.contains("FIRMA_CA__BASE_URL"), "{bad}: {err}");
        }
    }

    #[test]
    fn requests_in_any_base64_alphabet() {
        let der = [0x30, 0xfb, 0xff, 0x01];
        for text in ["MPv/AQ==", "MPv/AQ", "MPv_AQ==", "MPv_AQ"] {
            assert_eq!(decode_base64(text).as_deref(), Some(&der[..]), "{text}");
        }
        assert_eq!(decode_base64("not base64!"), None);
    }
}
