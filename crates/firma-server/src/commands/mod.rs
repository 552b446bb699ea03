//! The `firma` subcommands.

pub mod audit;
pub mod ca;
pub mod check;
pub mod chiavette;
pub mod hsm;
pub mod officers;
pub mod onboarding;
pub mod principals;
pub mod revocation;
pub mod serve;
pub mod sms;
pub mod tokens;

use std::sync::Arc;

use anyhow::Context;
use firma_core::{Clock, SystemClock};
use firma_hsm::Hsm;
use firma_store::Database;

use crate::config::{Settings, SmsGatewayKind};
use crate::otp::OtpService;
use crate::signing::SigningService;
use crate::sms::SimulatedGateway;

/// Connects to the HSM on a blocking thread (loading a PKCS#11 module and logging in block).
pub async fn connect_hsm(settings: &Settings) -> anyhow::Result<Hsm> {
    let config = settings.hsm.to_hsm_config()?;
    tokio::task::spawn_blocking(move || Hsm::connect(&config))
        .await
        .context("the HSM connection task failed")?
        .context("connecting to the HSM")
}

/// Opens the database and brings its schema up to date.
pub async fn connect_database(settings: &Settings) -> anyhow::Result<Database> {
    let db = Database::connect(&settings.database.to_database_config())
        .await
        .context("connecting to the database")?;
    db.migrate().await.context("migrating the database")?;
    Ok(db)
}

/// The OTP and signing services over the given HSM and database.
pub async fn services(
    settings: &Settings,
    hsm: &Hsm,
    db: &Database,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<(Arc<OtpService>, Arc<SigningService>)> {
    let otp = Arc::new(otp_service_with(settings, hsm, db, clock.clone())?);
    let tsa = crate::ca::tsa_client(settings, hsm, db, clock.clone()).await?;
    let signing = Arc::new(
        SigningService::new(
            db.clone(),
            Arc::new(hsm.clone()),
            otp.clone(),
            clock,
            tsa,
            settings.signing.to_settings(),
        )
        .with_validation(crate::signing::validation::transport(settings)),
    );
    Ok((otp, signing))
}

/// The OTP service over the given HSM and database, with the configured SMS gateway.
pub fn otp_service(settings: &Settings, hsm: &Hsm, db: &Database) -> anyhow::Result<OtpService> {
    otp_service_with(settings, hsm, db, Arc::new(SystemClock))
}

fn otp_service_with(
    settings: &Settings,
    hsm: &Hsm,
    db: &Database,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<OtpService> {
    let gateway = match settings.sms.gateway {
        SmsGatewayKind::Simulator => Arc::new(SimulatedGateway::new(
            settings.sms.outbox.clone(),
            clock.clone(),
        )),
    };
    Ok(OtpService::new(
        db.clone(),
        Arc::new(hsm.clone()),
        clock,
        gateway,
        settings.otp.to_settings()?,
    ))
}

/// Who an operator is in audit records: `operator:<name>`, from `--actor` or the login name.
pub fn operator(actor: Option<&str>) -> String {
    let name = actor
        .map(str::to_owned)
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "unknown".to_owned());
    format!("operator:{name}")
}
