//! The HTTP surface.

mod chiavette;
mod csc;
mod health;
mod onboarding;
mod pades;
mod revocation;
mod signing;
mod sim;

use axum::Router;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::state::AppState;

pub fn router(state: AppState) -> Router {
    let simulator = state.sms_outbox.is_some();
    let body_limit = state.max_request_bytes;
    let mut router = Router::new()
        .merge(health::routes())
        .merge(signing::routes().layer(axum::extract::DefaultBodyLimit::max(body_limit)))
        .merge(csc::routes().layer(axum::extract::DefaultBodyLimit::max(body_limit)))
        .merge(pades::routes().layer(axum::extract::DefaultBodyLimit::max(body_limit)))
        .merge(revocation::routes(&state))
        .merge(onboarding::routes().layer(axum::extract::DefaultBodyLimit::max(body_limit)))
        .merge(chiavette::routes().layer(axum::extract::DefaultBodyLimit::max(body_limit)));
    if simulator {
        router = router.merge(sim::routes());
    }
    router
        .fallback(|| async { ApiError::not_found() })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
