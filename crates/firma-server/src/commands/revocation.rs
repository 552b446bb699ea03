//! `firma credentials revoke|suspend|reinstate ID`: the Ente Certificatore operator's revocation
//! commands, through the same service as the HTTP API (audited, key destroyed on revocation).

use std::str::FromStr;
use std::sync::Arc;

use anyhow::Context;
use firma_ca::RevocationReason;
use firma_core::{Clock, CredentialId, SystemClock};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::config::Settings;
use crate::revocation::RevocationOutcome;

fn credential_id(id: &str) -> anyhow::Result<CredentialId> {
    uuid::Uuid::from_str(id).map(CredentialId).with_context(|| {
        format!("{id:?} is not a credential id (a UUID, as `firma credentials issue` prints)")
    })
}

fn invalidity_date(text: Option<&str>) -> anyhow::Result<Option<OffsetDateTime>> {
    text.map(|t| {
        OffsetDateTime::parse(t, &Rfc3339)
            .with_context(|| format!("--invalidity-date {t:?} is not an RFC 3339 date-time"))
    })
    .transpose()
}

/// Runs `what` against a revocation service on the configured HSM and database.
async fn with_service<F, Fut>(settings: Settings, what: F) -> anyhow::Result<()>
where
    F: FnOnce(Arc<crate::revocation::RevocationService>) -> Fut,
    Fut: Future<Output = anyhow::Result<RevocationOutcome>>,
{
    let hsm = super::connect_hsm(&settings).await?;
    let db = super::connect_database(&settings).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let service = crate::revocation::service(&settings, &hsm, &db, clock)?;
    let outcome = what(service).await;
    db.close().await;
    let outcome = outcome?;
    eprintln!(
        "credential {} is now {} (certificate serial {}{}{})",
        outcome.credential_id,
        outcome.status,
        outcome.serial.as_deref().unwrap_or("none"),
        outcome
            .reason
            .map(|r| format!(", reason {r}"))
            .unwrap_or_default(),
        if outcome.key_destroyed {
            ", key destroyed"
        } else {
            ""
        }
    );
    println!("{}", outcome.status);
    Ok(())
}

/// `firma credentials revoke ID --reason R [--invalidity-date T]`.
pub async fn revoke(
    settings: Settings,
    id: &str,
    reason: &str,
    invalidity: Option<&str>,
    actor: &str,
) -> anyhow::Result<()> {
    let credential = credential_id(id)?;
    let reason = RevocationReason::from_str(reason).map_err(anyhow::Error::msg)?;
    let date = invalidity_date(invalidity)?;
    with_service(settings, |service| async move {
        Ok(service.revoke_with(credential, reason, date, actor).await?)
    })
    .await
}

/// `firma credentials suspend ID`: revocation with reason certificateHold, key kept.
pub async fn suspend(settings: Settings, id: &str, actor: &str) -> anyhow::Result<()> {
    let credential = credential_id(id)?;
    with_service(settings, |service| async move {
        Ok(service
            .revoke_with(credential, RevocationReason::CertificateHold, None, actor)
            .await?)
    })
    .await
}

/// `firma credentials reinstate ID`: lifts a suspension.
pub async fn reinstate(settings: Settings, id: &str, actor: &str) -> anyhow::Result<()> {
    let credential = credential_id(id)?;
    with_service(settings, |service| async move {
        Ok(service.reinstate(credential, actor).await?)
    })
    .await
}
