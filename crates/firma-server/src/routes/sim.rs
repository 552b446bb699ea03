//! Simulator endpoints, mounted only when the SMS simulator is the gateway: what the simulated
//! phones received. Never present with a real gateway.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use crate::error::ApiError;
use crate::sms::{OutboxMessage, read_outbox};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/sim/sms/outbox", get(outbox))
}

#[derive(Deserialize)]
struct OutboxQuery {
    to: Option<String>,
    last: Option<usize>,
}

/// `GET /sim/sms/outbox?to=+39...&last=N`: the latest messages, oldest first.
async fn outbox(
    State(state): State<AppState>,
    Query(q): Query<OutboxQuery>,
) -> Result<Json<Vec<OutboxMessage>>, ApiError> {
    let Some(path) = state.sms_outbox.clone() else {
        return Err(ApiError::not_found());
    };
    let last = q.last.unwrap_or(20).min(1000);
    let messages = tokio::task::spawn_blocking(move || read_outbox(&path, q.to.as_deref(), last))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    Ok(Json(messages))
}
