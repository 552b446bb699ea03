//! Layered configuration: the embedded `config/default.toml`, then an optional file
//! (`--config FILE` or `FIRMA_CONFIG`), then `FIRMA_<SECTION>__<KEY>` environment variables.
//! Secrets are typed (`SecretString`): redacted in `Debug`, zeroized on drop.

use std::path::{Path, PathBuf};
use std::time::Duration;

use firma_hsm::HsmConfig;
use firma_store::DatabaseConfig;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// The defaults compiled into the binary, so that it runs from any directory.
const DEFAULTS: &str = include_str!("../../../config/default.toml");

#[derive(Debug, Deserialize)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub hsm: HsmSettings,
    pub log: LogSettings,
    pub otp: OtpConfig,
    pub sms: SmsConfig,
    pub api: ApiConfig,
    pub signing: SigningConfig,
    pub ca: CaConfig,
    pub tsa: TsaConfig,
    pub tls: TlsConfig,
    pub onboarding: OnboardingConfig,
}

/// Whether `firma serve` asks clients for a certificate (mutual TLS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientAuth {
    /// No client certificates: callers authenticate with bearer tokens.
    None,
    /// A client may present a certificate (then it must verify against `client_ca`) or none.
    Optional,
    /// Every client must present a certificate that verifies against `client_ca`.
    Required,
}

/// HTTPS for `firma serve` (see `crate::tls`). Off by default.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    pub enabled: bool,
    /// PEM: the server certificate first, then its intermediates.
    #[serde(default)]
    pub certificate_chain: Option<PathBuf>,
    /// PEM: the server's private key (PKCS#8, SEC1 or PKCS#1).
    #[serde(default)]
    pub private_key: Option<PathBuf>,
    /// PEM: the CA certificates client certificates must chain to (the Ente Certificatore's
    /// root for workstation certificates).
    #[serde(default)]
    pub client_ca: Option<PathBuf>,
    pub client_auth: ClientAuth,
    /// How long a client has to complete the handshake.
    pub handshake_timeout_seconds: u64,
}

/// Onboarding: the forwarding job and the officers' key type.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnboardingConfig {
    /// How often `firma serve` forwards the richieste that became eligible.
    pub forward_interval_seconds: u64,
    /// The officers' key type when the Ente Certificatore operator does not choose one.
    pub key_type: String,
}

impl OnboardingConfig {
    pub fn to_settings(&self) -> Result<crate::onboarding::OnboardingSettings, ConfigError> {
        let key_spec = firma_core::KeySpec::from_name(&self.key_type).ok_or_else(|| {
            ConfigError::Onboarding(format!(
                "key_type {:?} is not one of ec-p256, rsa-2048, rsa-3072",
                self.key_type
            ))
        })?;
        Ok(crate::onboarding::OnboardingSettings { key_spec })
    }

    /// The forwarding job's period (at least one second).
    pub fn forward_interval(&self) -> Duration {
        Duration::from_secs(self.forward_interval_seconds.max(1))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaConfig {
    pub base_url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TsaMode {
    Simulator,
    Url,
    None,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TsaConfig {
    pub mode: TsaMode,
    pub url: String,
    pub timeout_seconds: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiConfig {
    pub max_request_bytes: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningConfig {
    pub request_ttl_hours: u32,
    pub sad_ttl_seconds: u32,
    pub max_documents: usize,
    pub max_document_bytes: usize,
}

impl SigningConfig {
    pub fn to_settings(&self) -> crate::signing::SigningSettings {
        crate::signing::SigningSettings {
            request_ttl: time::Duration::hours(i64::from(self.request_ttl_hours.max(1))),
            sad_ttl: time::Duration::seconds(i64::from(self.sad_ttl_seconds.max(1))),
            max_documents: self.max_documents.max(1),
            max_document_bytes: self.max_document_bytes.max(1),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtpConfig {
    pub max_failures: u32,
    pub totp_window_back: u32,
    pub totp_window_forward: u32,
    pub hotp_look_ahead: u32,
    pub totp_resync_window: u32,
    pub hotp_resync_window: u32,
    pub sms_ttl_seconds: u32,
    pub sms_resend_interval_seconds: u32,
    pub sms_max_sends: u32,
    pub sms_digits: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmsGatewayKind {
    /// Messages go to an outbox file instead of phones (development, tests, the quick start).
    Simulator,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsConfig {
    pub gateway: SmsGatewayKind,
    pub outbox: PathBuf,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    pub shutdown_grace_seconds: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: SecretString,
    pub max_connections: u32,
    pub connect_timeout_seconds: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HsmSettings {
    pub module: PathBuf,
    pub token_label: String,
    /// The user PIN itself; wins over `pin_file`. Meant for the environment (`FIRMA_HSM__PIN`).
    #[serde(default)]
    pub pin: Option<SecretString>,
    #[serde(default)]
    pub pin_file: Option<PathBuf>,
    /// 0: one session per CPU.
    pub sessions: usize,
    pub kek_label: String,
    pub wrap_with_trusted: bool,
    pub token_wait_seconds: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    pub level: String,
}

/// A configuration problem, with the setting to change.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {path} not found (given by --config or FIRMA_CONFIG)")]
    FileMissing { path: PathBuf },
    #[error("invalid configuration: {0}")]
    Invalid(config::ConfigError),
    #[error(
        "cannot read the HSM PIN from {path}: {cause}; run hsm-sim/setup for the embedded default, \
         or set hsm.pin_file / FIRMA_HSM__PIN"
    )]
    PinFile {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("no HSM PIN configured: set hsm.pin_file or FIRMA_HSM__PIN")]
    PinMissing,
    #[error("invalid OTP settings: {0}; check the [otp] section (FIRMA_OTP__...)")]
    Otp(String),
    #[error(
        "invalid onboarding settings: {0}; check the [onboarding] section (FIRMA_ONBOARDING__...)"
    )]
    Onboarding(String),
}

impl From<config::ConfigError> for ConfigError {
    fn from(e: config::ConfigError) -> Self {
        Self::Invalid(e)
    }
}

impl Settings {
    /// Reads the layers in order; later layers override earlier ones key by key.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut builder = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml));
        if let Some(path) = file {
            if !path.exists() {
                return Err(ConfigError::FileMissing {
                    path: path.to_owned(),
                });
            }
            builder = builder.add_source(config::File::from(path));
        }
        let settings = builder
            .add_source(
                config::Environment::with_prefix("FIRMA")
                    .prefix_separator("_")
                    .separator("__"),
            )
            .build()?
            .try_deserialize()?;
        Ok(settings)
    }
}

impl HsmSettings {
    /// The adapter's configuration, with the PIN read from the environment or its file.
    pub fn to_hsm_config(&self) -> Result<HsmConfig, ConfigError> {
        let pin = match (&self.pin, &self.pin_file) {
            (Some(pin), _) if !pin.expose_secret().is_empty() => pin.clone(),
            (_, Some(path)) => {
                let text = std::fs::read_to_string(path).map_err(|cause| ConfigError::PinFile {
                    path: path.clone(),
                    cause,
                })?;
                SecretString::from(text.trim_end_matches(['\n', '\r']).to_owned())
            }
            _ => return Err(ConfigError::PinMissing),
        };
        let mut config = HsmConfig::new(self.module.clone(), self.token_label.clone(), pin);
        if self.sessions > 0 {
            config.sessions = self.sessions;
        }
        config.kek_label = self.kek_label.clone();
        config.wrap_with_trusted = self.wrap_with_trusted;
        config.token_wait = Duration::from_secs(self.token_wait_seconds);
        Ok(config)
    }
}

impl OtpConfig {
    /// The domain's settings, checked.
    pub fn to_settings(&self) -> Result<firma_core::otp::OtpSettings, ConfigError> {
        let policy = firma_otp::VerifyPolicy {
            totp_back: self.totp_window_back,
            totp_forward: self.totp_window_forward,
            hotp_look_ahead: self.hotp_look_ahead,
            totp_resync_window: self.totp_resync_window,
            hotp_resync_window: self.hotp_resync_window,
            max_failures: self.max_failures,
        };
        policy
            .validate()
            .map_err(|e| ConfigError::Otp(e.to_string()))?;
        if !(6..=9).contains(&self.sms_digits) {
            return Err(ConfigError::Otp(format!(
                "sms_digits is {}, it must be 6 to 9",
                self.sms_digits
            )));
        }
        if self.sms_ttl_seconds == 0 || self.sms_max_sends == 0 {
            return Err(ConfigError::Otp(
                "sms_ttl_seconds and sms_max_sends must be positive".to_owned(),
            ));
        }
        Ok(firma_core::otp::OtpSettings {
            policy,
            sms_ttl: time::Duration::seconds(i64::from(self.sms_ttl_seconds)),
            sms_resend_interval: time::Duration::seconds(i64::from(
                self.sms_resend_interval_seconds,
            )),
            sms_max_sends: self.sms_max_sends,
            sms_digits: self.sms_digits,
        })
    }
}

impl DatabaseSettings {
    pub fn to_database_config(&self) -> DatabaseConfig {
        DatabaseConfig {
            url: self.url.expose_secret().to_owned(),
            max_connections: self.max_connections,
            connect_timeout: Duration::from_secs(self.connect_timeout_seconds),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_defaults_are_complete() {
        let s: Settings = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml))
            .build()
            .unwrap()
            .try_deserialize()
            .unwrap();
        assert_eq!(s.database.url.expose_secret(), "sqlite://data/firma.db");
        assert_eq!(s.hsm.token_label, "firma-remota");
        assert_eq!(s.log.format, LogFormat::Pretty);
        let otp = s.otp.to_settings().unwrap();
        assert_eq!(otp.policy.max_failures, 5);
        assert_eq!(s.sms.gateway, SmsGatewayKind::Simulator);
    }

    #[test]
    fn production_example_parses() {
        let s: Settings = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml))
            .add_source(config::File::from_str(
                include_str!("../../../config/production.example.toml"),
                config::FileFormat::Toml,
            ))
            .build()
            .unwrap()
            .try_deserialize()
            .unwrap();
        assert!(s.database.url.expose_secret().starts_with("postgres://"));
        assert!(s.hsm.wrap_with_trusted);
    }

    #[test]
    fn pin_comes_from_its_file_without_the_newline() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pin");
        std::fs::write(&file, "0123\n").unwrap();
        let settings = HsmSettings {
            module: "/x.so".into(),
            token_label: "t".into(),
            pin: None,
            pin_file: Some(file.clone()),
            sessions: 0,
            kek_label: "k".into(),
            wrap_with_trusted: false,
            token_wait_seconds: 1,
        };
        let c = settings.to_hsm_config().unwrap();
        assert_eq!(c.user_pin.expose_secret(), "0123");
        assert!(c.sessions >= 1);
        // An explicit PIN wins over the file; a missing file is named in the error.
        let with_pin = HsmSettings {
            pin: Some("9999".to_owned().into()),
            ..settings
        };
        assert_eq!(
            with_pin.to_hsm_config().unwrap().user_pin.expose_secret(),
            "9999"
        );
        let missing = HsmSettings {
            pin: None,
            pin_file: Some(dir.path().join("nope")),
            ..with_pin
        };
        let err = missing.to_hsm_config().unwrap_err().to_string();
        assert!(
            err.contains("nope") && err.contains("FIRMA_HSM__PIN"),
            "{err}"
        );
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let s = DatabaseSettings {
            url: "postgres://u:hunter2@h/db".to_owned().into(),
            max_connections: 1,
            connect_timeout_seconds: 1,
        };
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
