//! Liveness and readiness.
//!
//! - `GET /health/live`: the process answers (for a restart policy).
//! - `GET /health/ready`: the service can do its job now: a pooled HSM session is logged in and
//!   sees the key-encryption key, and the database answers a query. 200 when both are up, 503
//!   otherwise, with each check's result (for a load balancer and for people).

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::state::AppState;

const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health/live", get(live))
        .route("/health/ready", get(ready))
}

#[derive(Serialize)]
struct Live {
    status: &'static str,
    version: &'static str,
}

async fn live() -> Json<Live> {
    Json(Live {
        status: "up",
        version: env!("CARGO_PKG_VERSION"),
    })
}

#[derive(Serialize)]
pub struct Check {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    latency_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

impl Check {
    fn up(latency: Duration, detail: String) -> Self {
        Self {
            status: "up",
            latency_ms: Some(latency.as_secs_f64() * 1000.0),
            detail: Some(detail),
            error: None,
        }
    }

    fn down(error: String) -> Self {
        Self {
            status: "down",
            latency_ms: None,
            detail: None,
            error: Some(error),
        }
    }
}

#[derive(Serialize)]
struct Checks {
    hsm: Check,
    database: Check,
}

#[derive(Serialize)]
struct Ready {
    status: &'static str,
    checks: Checks,
}

async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Ready>) {
    let (hsm, database) = tokio::join!(check_hsm(&state), check_database(&state));
    let all_up = hsm.status == "up" && database.status == "up";
    let status = if all_up {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = Ready {
        status: if all_up { "ready" } else { "not_ready" },
        checks: Checks { hsm, database },
    };
    (status, Json(body))
}

async fn check_hsm(state: &AppState) -> Check {
    let health = tokio::time::timeout(CHECK_TIMEOUT, state.hsm.blocking(|hsm| hsm.health())).await;
    match health {
        Err(_) => Check::down(format!("no answer from the HSM within {CHECK_TIMEOUT:?}")),
        Ok(Err(e)) => Check::down(e.to_string()),
        Ok(Ok(h)) if !h.kek_present => Check::down(format!(
            "token {:?} is reachable but its key-encryption key is missing",
            h.token_label
        )),
        Ok(Ok(h)) => Check::up(h.latency, format!("token {:?}, logged in", h.token_label)),
    }
}

async fn check_database(state: &AppState) -> Check {
    match state.db.ping(CHECK_TIMEOUT).await {
        Ok(latency) => Check::up(latency, state.db.backend().name().to_owned()),
        Err(e) => Check::down(e.to_string()),
    }
}
