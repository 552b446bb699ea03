//! `firma serve`: the HTTP service, until SIGTERM or Ctrl-C.

use std::fmt::Debug;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::net::TcpListener;

use crate::config::Settings;
use crate::routes;
use crate::state::AppState;
use crate::tls::{Peer, TlsListener};

pub async fn run(settings: Settings) -> anyhow::Result<()> {
    // The TLS files are read first: a wrong path fails before the HSM and database are touched.
    let tls = crate::tls::server(&settings.tls)?;
    if let Some(tls) = &tls {
        tracing::info!(tls = %tls.summary, "HTTPS configured");
    }
    let hsm = super::connect_hsm(&settings).await?;
    let db = super::connect_database(&settings).await?;
    let clock: std::sync::Arc<dyn firma_core::Clock> = std::sync::Arc::new(firma_core::SystemClock);
    let (otp, signing) = super::services(&settings, &hsm, &db, clock.clone()).await?;
    let sms_outbox = match settings.sms.gateway {
        crate::config::SmsGatewayKind::Simulator => Some(settings.sms.outbox.clone()),
    };
    let revocation = crate::revocation::service(&settings, &hsm, &db, clock.clone())?;
    let onboarding =
        crate::onboarding::service(&settings, &hsm, &db, clock.clone(), revocation.clone())?;
    crate::onboarding::spawn_forwarding(onboarding.clone(), settings.onboarding.forward_interval());
    let chiavette = std::sync::Arc::new(crate::chiavette::ChiavetteService::new(
        db.clone(),
        otp.clone(),
        signing.clone(),
        clock.clone(),
    ));
    let resumed = signing.resume().await?;
    if resumed > 0 {
        tracing::info!(requests = resumed, "resumed interrupted signing batches");
    }
    let state = AppState {
        hsm,
        db: db.clone(),
        clock,
        otp,
        signing,
        revocation,
        onboarding,
        chiavette,
        sms_outbox,
        max_request_bytes: settings.api.max_request_bytes,
    };
    let app = routes::router(state);

    let (host, port) = (settings.server.host.as_str(), settings.server.port);
    let listener = TcpListener::bind((host, port)).await.with_context(|| {
        format!(
            "cannot listen on {host}:{port}; set server.host / server.port (FIRMA_SERVER__PORT)"
        )
    })?;
    let address = listener.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    tracing::info!(%address, scheme, url = %format!("{scheme}://{address}"), "listening");

    let grace = Duration::from_secs(settings.server.shutdown_grace_seconds);
    match tls {
        Some(tls) => {
            let listener = TlsListener::new(listener, tls.config, tls.handshake_timeout)?;
            serve_until_stopped(listener, app, grace).await?;
        }
        None => serve_until_stopped(listener, app, grace).await?,
    }
    db.close().await;
    tracing::info!("shutdown complete");
    Ok(())
}

/// Serves `app` on `listener` until SIGTERM or Ctrl-C; requests in flight then get `grace` to
/// finish. Handlers see the connection's `Peer` (address, verified client certificate).
async fn serve_until_stopped<L>(listener: L, app: Router, grace: Duration) -> anyhow::Result<()>
where
    L: Listener,
    L::Addr: Debug,
    Peer: for<'a> Connected<IncomingStream<'a, L>>,
{
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let server = axum::serve(listener, app.into_make_service_with_connect_info::<Peer>())
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            tracing::info!(
                grace_seconds = grace.as_secs(),
                "shutting down: finishing requests in flight"
            );
            let _ = stop_tx.send(true);
        });
    // In-flight requests get `grace` to finish after the signal; then the process stops anyway.
    let deadline = async move {
        let mut stop_rx = stop_rx;
        let _ = stop_rx.wait_for(|stopped| *stopped).await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        result = server => result.context("serving HTTP")?,
        () = deadline => tracing::warn!("requests still in flight after the grace period; stopping"),
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
