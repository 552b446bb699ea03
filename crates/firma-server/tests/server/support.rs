//! A service-layer environment: HSM token, database, controlled clock, SMS simulator.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use firma_core::otp::OtpSettings;
use firma_core::{Clock, FixedClock};
use firma_hsm::{Hsm, HsmConfig};
use firma_server::otp::{ImportFormat, OtpService};
use firma_server::sms::{SimulatedGateway, read_outbox};
use firma_store::{Database, DatabaseConfig};
use firma_testkit::TestDatabase;
use firma_testkit::softhsm::TestToken;
use time::OffsetDateTime;
use time::macros::datetime;

pub const START: OffsetDateTime = datetime!(2026-03-02 09:00:00 UTC);
pub const OPERATOR: &str = "operator:test";
pub const OFFICER: &str = "officer:1";

/// The RFC 4226 / RFC 6238 test secret.
pub const RFC_SECRET: &[u8] = b"12345678901234567890";

pub struct Env {
    /// Kept so the token's sessions stay open for the whole test.
    pub _hsm: Hsm,
    pub db: Database,
    pub clock: Arc<FixedClock>,
    pub otp: Arc<OtpService>,
    pub outbox: PathBuf,
    pub database: TestDatabase,
    _dir: tempfile::TempDir,
}

pub async fn env(token: &TestToken, postgres: bool) -> Env {
    env_with(token, postgres, OtpSettings::default()).await
}

pub async fn env_with(token: &TestToken, postgres: bool, settings: OtpSettings) -> Env {
    let mut config = HsmConfig::new(
        token.module(),
        token.label.clone(),
        token.user_pin.clone().into(),
    );
    config.sessions = 4;
    let hsm = tokio::task::spawn_blocking(move || Hsm::connect(&config))
        .await
        .unwrap()
        .expect("connecting to the test token");
    let database = if postgres {
        TestDatabase::postgres().await
    } else {
        TestDatabase::sqlite()
    };
    let db = Database::connect(&DatabaseConfig {
        url: database.url().to_owned(),
        max_connections: 8,
        connect_timeout: Duration::from_secs(10),
    })
    .await
    .unwrap();
    db.migrate().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("sms-outbox.jsonl");
    let clock = Arc::new(FixedClock::new(START));
    let clock_dyn: Arc<dyn Clock> = clock.clone();
    let otp = Arc::new(OtpService::new(
        db.clone(),
        Arc::new(hsm.clone()),
        clock_dyn.clone(),
        Arc::new(SimulatedGateway::new(outbox.clone(), clock_dyn)),
        settings,
    ));
    Env {
        _hsm: hsm,
        db,
        clock,
        otp,
        outbox,
        database,
        _dir: dir,
    }
}

impl Env {
    /// Imports a CSV batch (see firma-otp's csv module for the columns).
    pub async fn import_csv(&self, csv: &str) {
        self.otp
            .import_tokens(
                csv.as_bytes().to_vec(),
                ImportFormat::Csv,
                None,
                OPERATOR,
                Arc::new(|_| {}),
            )
            .await
            .expect("importing the CSV batch");
    }

    /// The code in the latest SMS to `phone` (the last run of digits of the expected length).
    pub fn last_sms_code(&self, phone: &str) -> String {
        let messages = read_outbox(&self.outbox, Some(phone), 1).unwrap();
        let text = &messages.last().expect("an SMS was sent").text;
        text.split(|c: char| !c.is_ascii_digit())
            .find(|w| w.len() == 6)
            .expect("a 6-digit code in the SMS")
            .to_owned()
    }
}

/// Hex of the RFC test secret, for CSV files.
pub fn rfc_secret_hex() -> String {
    RFC_SECRET.iter().map(|b| format!("{b:02x}")).collect()
}
