//! The distribution of the chiavette: the Prefetture's stock and allocation
//! (`/api/v1/prefetture/{provincia}/...`), deliveries and their signed receipts
//! (`/api/v1/consegne`), binding by the officer (`/api/v1/chiavette/{serial}/abbinamento`).
//! Access control is the service's (`crate::chiavette`); these handlers parse and answer.

use std::str::FromStr;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use firma_core::onboarding::{CodiciAbbinamento, NuovaConsegna, oggi_in_italia};
use firma_core::otp::TokenStatus;
use firma_core::ports::ConsegnaId;
use firma_core::{CodiceIstat, CodiceProvincia};
use serde::Deserialize;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::state::AppState;

/// Most entries a list answers.
const MAX_LIST: u32 = 1000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/prefetture/{provincia}/chiavette",
            post(carica).get(chiavette),
        )
        .route(
            "/api/v1/prefetture/{provincia}/allocazione",
            get(allocazione),
        )
        .route("/api/v1/prefetture/{provincia}/consegne", get(consegne))
        .route("/api/v1/consegne", post(registra_consegna))
        .route("/api/v1/consegne/{id}", get(consegna))
        .route(
            "/api/v1/consegne/{id}/ricevuta",
            get(ricevuta).post(richiedi_ricevuta),
        )
        .route("/api/v1/chiavette/{serial}/abbinamento", post(abbina))
}

fn invalid(code: &'static str, message: String) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
}

/// A province in a path: an unknown shape is a province that does not exist.
fn provincia(s: &str) -> Result<CodiceProvincia, ApiError> {
    CodiceProvincia::parse(s).map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{s:?} is not the ISTAT code of a province (three digits, e.g. 058)"),
        )
    })
}

fn consegna_id(s: &str) -> Result<ConsegnaId, ApiError> {
    uuid::Uuid::from_str(s).map(ConsegnaId).map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no consegna {s:?}"),
        )
    })
}

fn limit(requested: Option<u32>) -> u32 {
    requested.unwrap_or(MAX_LIST).clamp(1, MAX_LIST)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaricaBody {
    seriali: Vec<String>,
}

/// `POST /api/v1/prefetture/{provincia}/chiavette` (the service administrator): imported
/// chiavette enter the province's stock, all or nothing.
async fn carica(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(p): Path<String>,
    ApiJson(body): ApiJson<CaricaBody>,
) -> Result<Response, ApiError> {
    let view = state
        .chiavette
        .carica(&caller, &provincia(&p)?, &body.seriali)
        .await?;
    Ok(Json(view).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChiavetteQuery {
    #[serde(default)]
    stato: Option<String>,
    #[serde(default)]
    limit: Option<u32>,
}

/// `GET /api/v1/prefetture/{provincia}/chiavette?stato=in_stock` (the province's operator).
async fn chiavette(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(p): Path<String>,
    Query(q): Query<ChiavetteQuery>,
) -> Result<Response, ApiError> {
    let stato = match q.stato.as_deref() {
        None | Some("") => None,
        Some(s) => Some(TokenStatus::from_code(s).ok_or_else(|| {
            invalid(
                "invalid_stato",
                format!("stato {s:?} is not one of in_stock, delivered, assigned, retired"),
            )
        })?),
    };
    let views = state
        .chiavette
        .chiavette_della_provincia(&caller, &provincia(&p)?, stato, limit(q.limit))
        .await?;
    Ok(Json(serde_json::json!({ "chiavette": views })).into_response())
}

/// `GET /api/v1/prefetture/{provincia}/allocazione` (the province's operator).
async fn allocazione(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(p): Path<String>,
) -> Result<Response, ApiError> {
    let view = state
        .chiavette
        .allocazione(&caller, &provincia(&p)?)
        .await?;
    Ok(Json(view).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsegneQuery {
    #[serde(default)]
    comune: Option<String>,
    #[serde(default)]
    limit: Option<u32>,
}

/// `GET /api/v1/prefetture/{provincia}/consegne?comune=058091` (the province's operator).
async fn consegne(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(p): Path<String>,
    Query(q): Query<ConsegneQuery>,
) -> Result<Response, ApiError> {
    let comune = q
        .comune
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(|c| CodiceIstat::parse(c).map_err(|e| invalid("invalid_comune", e.to_string())))
        .transpose()?;
    let views = state
        .chiavette
        .consegne(&caller, &provincia(&p)?, comune.as_ref(), limit(q.limit))
        .await?;
    Ok(Json(serde_json::json!({ "consegne": views })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsegnaBody {
    comune: String,
    seriali: Vec<String>,
    nome_delegato: String,
    codice_fiscale_delegato: String,
    /// YYYY-MM-DD; today in Italy when absent.
    #[serde(default)]
    data: Option<String>,
    #[serde(default)]
    motivo_oltre_allocazione: Option<String>,
}

/// `POST /api/v1/consegne` (the operator of the comune's province): 201 with the delivery and
/// its receipt's signing request.
async fn registra_consegna(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<ConsegnaBody>,
) -> Result<Response, ApiError> {
    let comune =
        CodiceIstat::parse(&body.comune).map_err(|e| invalid("invalid_comune", e.to_string()))?;
    let data = match body.data.as_deref() {
        None | Some("") => oggi_in_italia(state.clock.as_ref()),
        Some(d) => crate::onboarding::parse_date(d).ok_or_else(|| {
            invalid(
                "invalid_date",
                format!("data {d:?} is not a date of the form YYYY-MM-DD"),
            )
        })?,
    };
    let nuova = NuovaConsegna {
        comune,
        seriali: body.seriali,
        nome_delegato: body.nome_delegato,
        codice_fiscale_delegato: body.codice_fiscale_delegato,
        data,
        motivo_oltre_allocazione: body.motivo_oltre_allocazione,
    };
    let view = state.chiavette.registra_consegna(&caller, nuova).await?;
    let location = format!("/api/v1/consegne/{}", view.id);
    let mut response = (StatusCode::CREATED, Json(view)).into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

async fn consegna(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let view = state.chiavette.consegna(&caller, consegna_id(&id)?).await?;
    Ok(Json(view).into_response())
}

/// `GET /api/v1/consegne/{id}/ricevuta`: the signed receipt (PDF); 409 before it is signed.
async fn ricevuta(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = consegna_id(&id)?;
    let pdf = state.chiavette.ricevuta(&caller, id).await?;
    let disposition = format!("attachment; filename=\"ricevuta-consegna-{id}.pdf\"");
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        pdf,
    )
        .into_response())
}

/// `POST /api/v1/consegne/{id}/ricevuta` (the operator): asks again for the receipt's signature.
async fn richiedi_ricevuta(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let view = state
        .chiavette
        .richiedi_ricevuta(&caller, consegna_id(&id)?)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(view)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AbbinamentoBody {
    codice1: String,
    codice2: String,
}

/// `POST /api/v1/chiavette/{serial}/abbinamento` (the officer): two consecutive codes.
async fn abbina(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(serial): Path<String>,
    ApiJson(body): ApiJson<AbbinamentoBody>,
) -> Result<Response, ApiError> {
    let codici = CodiciAbbinamento {
        primo: body.codice1,
        secondo: body.codice2,
    };
    let view = state.chiavette.abbina(&caller, &serial, &codici).await?;
    Ok(Json(view).into_response())
}
