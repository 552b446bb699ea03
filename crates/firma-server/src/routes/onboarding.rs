//! The onboarding API: officers (`/api/v1/comuni/{comune}/ufficiali`, `/api/v1/ufficiali/{id}`),
//! the adhesion of a comune (`/api/v1/comuni/{comune}/adesione`), richieste firma remota and the
//! Ente Certificatore's decisions (`/api/v1/richieste-firma`). Access control is the service's
//! (`crate::onboarding`); these handlers parse and answer.

use std::collections::BTreeSet;
use std::str::FromStr;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use firma_core::onboarding::{
    DatiDichiarazione, DatiProposta, DocumentoIdentita, MetodoOtp, NuovoUfficiale, RichiestaId,
    TipoDocumento, TipologiaAdesione,
};
use firma_core::{CodiceIstat, Profilo, UfficialeId};
use serde::Deserialize;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::json::{ApiBytes, ApiJson, parse_json};
use crate::onboarding::{ListaRichieste, NuovaRichiestaInput, NuovoUfficialeInput};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/comuni/{comune}/ufficiali",
            post(registra_ufficiale).get(ufficiali),
        )
        .route(
            "/api/v1/ufficiali/{id}",
            get(ufficiale).delete(rimuovi_ufficiale),
        )
        .route("/api/v1/ufficiali/{id}/profili", put(profili))
        .route("/api/v1/ufficiali/{id}/email", put(email))
        .route("/api/v1/comuni/{comune}/adesione", get(adesione))
        .route("/api/v1/comuni/{comune}/adesione/proposta", put(proposta))
        .route(
            "/api/v1/comuni/{comune}/adesione/dichiarazione",
            post(dichiarazione),
        )
        .route(
            "/api/v1/richieste-firma",
            post(compila_richiesta).get(richieste),
        )
        .route("/api/v1/richieste-firma/{id}", get(richiesta))
        .route("/api/v1/richieste-firma/{id}/annulla", post(annulla))
        .route("/api/v1/richieste-firma/{id}/verifiche", post(verifica))
        .route("/api/v1/richieste-firma/{id}/approva", post(approva))
        .route("/api/v1/richieste-firma/{id}/rifiuta", post(rifiuta))
}

fn invalid(code: &'static str, message: String) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
}

/// A comune in a path: an unknown shape is a comune that does not exist.
fn comune(s: &str) -> Result<CodiceIstat, ApiError> {
    CodiceIstat::parse(s).map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{s:?} is not the ISTAT code of a comune (six digits)"),
        )
    })
}

fn ufficiale_id(s: &str) -> Result<UfficialeId, ApiError> {
    uuid::Uuid::from_str(s).map(UfficialeId).map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no officer {s:?}"),
        )
    })
}

fn richiesta_id(s: &str) -> Result<RichiestaId, ApiError> {
    uuid::Uuid::from_str(s).map(RichiestaId).map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no richiesta {s:?}"),
        )
    })
}

fn parse_profili(codes: &[String]) -> Result<BTreeSet<Profilo>, ApiError> {
    codes
        .iter()
        .map(|c| {
            Profilo::from_code(c).ok_or_else(|| {
                invalid(
                    "profilo",
                    format!(
                        "unknown profile {c:?}: one of {}",
                        Profilo::ALL.map(|p| p.code()).join(", ")
                    ),
                )
            })
        })
        .collect()
}

fn date(field: &str, s: &str) -> Result<time::Date, ApiError> {
    crate::onboarding::parse_date(s).ok_or_else(|| {
        invalid(
            "invalid_date",
            format!("{field} {s:?} is not a date of the form YYYY-MM-DD"),
        )
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NuovoUfficialeBody {
    codice_fiscale: String,
    nome: String,
    cognome: String,
    email: String,
    profili: Vec<String>,
    #[serde(default)]
    telefono: Option<String>,
}

/// `POST /api/v1/comuni/{comune}/ufficiali` (the ALS of the comune): 201 with the officer.
async fn registra_ufficiale(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(c): Path<String>,
    ApiJson(body): ApiJson<NuovoUfficialeBody>,
) -> Result<Response, ApiError> {
    let comune = comune(&c)?;
    let input = NuovoUfficialeInput {
        dati: NuovoUfficiale {
            codice_fiscale: body.codice_fiscale,
            nome: body.nome,
            cognome: body.cognome,
            email: body.email,
            profili: parse_profili(&body.profili)?,
        },
        telefono: body.telefono,
    };
    let view = state
        .onboarding
        .registra_ufficiale(&caller, &comune, input)
        .await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

async fn ufficiali(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(c): Path<String>,
) -> Result<Response, ApiError> {
    let views = state.onboarding.ufficiali(&caller, &comune(&c)?).await?;
    Ok(Json(serde_json::json!({ "ufficiali": views })).into_response())
}

async fn ufficiale(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let view = state
        .onboarding
        .ufficiale(&caller, ufficiale_id(&id)?)
        .await?;
    Ok(Json(view).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfiliBody {
    profili: Vec<String>,
}

/// `PUT /api/v1/ufficiali/{id}/profili` (the ALS): `{"profili": [...]}` replaces them.
async fn profili(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ProfiliBody>,
) -> Result<Response, ApiError> {
    let view = state
        .onboarding
        .modifica_profili(&caller, ufficiale_id(&id)?, parse_profili(&body.profili)?)
        .await?;
    Ok(Json(view).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EmailBody {
    email: String,
}

/// `PUT /api/v1/ufficiali/{id}/email` (the ALS).
async fn email(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EmailBody>,
) -> Result<Response, ApiError> {
    let view = state
        .onboarding
        .modifica_email(&caller, ufficiale_id(&id)?, &body.email)
        .await?;
    Ok(Json(view).into_response())
}

/// `DELETE /api/v1/ufficiali/{id}` (the ALS): revokes, destroys, releases, cancels.
async fn rimuovi_ufficiale(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let view = state
        .onboarding
        .rimuovi_ufficiale(&caller, ufficiale_id(&id)?)
        .await?;
    Ok(Json(view).into_response())
}

async fn adesione(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(c): Path<String>,
) -> Result<Response, ApiError> {
    let view = state.onboarding.adesione(&caller, &comune(&c)?).await?;
    Ok(Json(view).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PropostaBody {
    data_adesione: String,
    atti_annui: u32,
    certificati_annui: u32,
    tipologia: String,
    #[serde(default)]
    software_house: Option<String>,
    #[serde(default)]
    gestionale: Option<String>,
}

fn tipologia(s: &str) -> Result<TipologiaAdesione, ApiError> {
    TipologiaAdesione::from_code(s).ok_or_else(|| {
        invalid(
            "tipologia",
            format!("tipologia {s:?} is not one of web_app, gestionale"),
        )
    })
}

/// `PUT /api/v1/comuni/{comune}/adesione/proposta` (the sindaco): sends the proposta (201) or
/// changes it (200).
async fn proposta(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(c): Path<String>,
    ApiJson(body): ApiJson<PropostaBody>,
) -> Result<Response, ApiError> {
    let comune = comune(&c)?;
    let dati = DatiProposta {
        data_adesione: date("data_adesione", &body.data_adesione)?,
        atti_annui: body.atti_annui,
        certificati_annui: body.certificati_annui,
        tipologia: tipologia(&body.tipologia)?,
        software_house: body.software_house,
        gestionale: body.gestionale,
    };
    let (view, created) = state
        .onboarding
        .salva_proposta(&caller, &comune, dati)
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(view)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DichiarazioneBody {
    data_adesione: String,
    tipologia: String,
    #[serde(default)]
    gestionale_gestisce_tutti_i_casi_uso: bool,
}

/// `POST /api/v1/comuni/{comune}/adesione/dichiarazione` (the sindaco): once.
async fn dichiarazione(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(c): Path<String>,
    ApiJson(body): ApiJson<DichiarazioneBody>,
) -> Result<Response, ApiError> {
    let comune = comune(&c)?;
    let dati = DatiDichiarazione {
        data_adesione: date("data_adesione", &body.data_adesione)?,
        tipologia: tipologia(&body.tipologia)?,
        gestionale_gestisce_tutti_i_casi_uso: body.gestionale_gestisce_tutti_i_casi_uso,
    };
    let view = state.onboarding.dichiara(&caller, &comune, dati).await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentoBody {
    tipo: String,
    numero: String,
    rilasciato_da: String,
    scadenza: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RichiestaBody {
    documento: DocumentoBody,
    email: String,
    telefono: String,
    metodo_otp: String,
}

fn tipo_documento(s: &str) -> Result<TipoDocumento, ApiError> {
    TipoDocumento::from_code(s).ok_or_else(|| {
        invalid(
            "tipo_documento",
            format!("document type {s:?} is not one of carta_identita, passaporto, patente"),
        )
    })
}

/// `POST /api/v1/richieste-firma` (the officer): 201 with the richiesta, already forwarded when
/// its comune's adhesion allows.
async fn compila_richiesta(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<RichiestaBody>,
) -> Result<Response, ApiError> {
    let metodo_otp = MetodoOtp::from_code(&body.metodo_otp).ok_or_else(|| {
        invalid(
            "metodo_otp",
            format!(
                "OTP method {:?} is not one of sms, chiavetta",
                body.metodo_otp
            ),
        )
    })?;
    let input = NuovaRichiestaInput {
        documento: DocumentoIdentita {
            tipo: tipo_documento(&body.documento.tipo)?,
            numero: body.documento.numero,
            rilasciato_da: body.documento.rilasciato_da,
            scadenza: date("documento.scadenza", &body.documento.scadenza)?,
        },
        email: body.email,
        telefono: body.telefono,
        metodo_otp,
    };
    let view = state.onboarding.compila_richiesta(&caller, input).await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListaQuery {
    #[serde(default)]
    stato: Option<String>,
    #[serde(default)]
    limit: Option<u32>,
}

const STATI: [&str; 5] = [
    "in_attesa",
    "inoltrata",
    "approvata",
    "rifiutata",
    "annullata",
];

/// `GET /api/v1/richieste-firma[?stato=...]`: the officer's own, the comune's for its ALS and
/// sindaco, the forwarded ones for the Ente Certificatore (by default its queue, `inoltrata`).
async fn richieste(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(q): Query<ListaQuery>,
) -> Result<Response, ApiError> {
    let stati = match q.stato.as_deref() {
        None => Vec::new(),
        Some("tutte") => STATI.to_vec(),
        Some(s) => vec![*STATI.iter().find(|c| **c == s).ok_or_else(|| {
            invalid(
                "stato",
                format!("stato {s:?} is not one of {} or tutte", STATI.join(", ")),
            )
        })?],
    };
    let views = state
        .onboarding
        .richieste(
            &caller,
            ListaRichieste {
                stati,
                limit: q.limit,
            },
        )
        .await?;
    Ok(Json(serde_json::json!({ "richieste": views })).into_response())
}

async fn richiesta(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let view = state
        .onboarding
        .richiesta(&caller, richiesta_id(&id)?)
        .await?;
    Ok(Json(view).into_response())
}

/// `POST /api/v1/richieste-firma/{id}/annulla` (the officer, or the ALS).
async fn annulla(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let view = state
        .onboarding
        .annulla_richiesta(&caller, richiesta_id(&id)?)
        .await?;
    Ok(Json(view).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VerificaBody {
    tipo_documento: String,
    numero_documento: String,
}

/// `POST /api/v1/richieste-firma/{id}/verifiche` (the Ente Certificatore): records an identity
/// check on the declared document.
async fn verifica(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<VerificaBody>,
) -> Result<Response, ApiError> {
    let view = state
        .onboarding
        .registra_verifica(
            &caller,
            richiesta_id(&id)?,
            tipo_documento(&body.tipo_documento)?,
            &body.numero_documento,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ApprovaBody {
    #[serde(default)]
    key_type: Option<String>,
}

/// `POST /api/v1/richieste-firma/{id}/approva` (the Ente Certificatore): issues the credential;
/// the body (`{"key_type": "rsa-2048"}`) may be empty.
async fn approva(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiBytes(bytes): ApiBytes,
) -> Result<Response, ApiError> {
    let body: ApprovaBody = if bytes.iter().all(u8::is_ascii_whitespace) {
        ApprovaBody::default()
    } else {
        parse_json(&bytes)?
    };
    let view = state
        .onboarding
        .approva(&caller, richiesta_id(&id)?, body.key_type.as_deref())
        .await?;
    Ok(Json(view).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RifiutaBody {
    motivo: String,
}

/// `POST /api/v1/richieste-firma/{id}/rifiuta` (the Ente Certificatore): with a reason.
async fn rifiuta(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RifiutaBody>,
) -> Result<Response, ApiError> {
    let view = state
        .onboarding
        .rifiuta(&caller, richiesta_id(&id)?, &body.motivo)
        .await?;
    Ok(Json(view).into_response())
}
