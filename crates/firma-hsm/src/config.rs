//! What the adapter needs to reach a token.

use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;

/// Connection settings for one PKCS#11 token.
#[derive(Debug, Clone)]
pub struct HsmConfig {
    /// Path of the PKCS#11 module (shared library), e.g. `/usr/lib/softhsm/libsofthsm2.so`.
    pub module: PathBuf,
    /// Label of the token (`CKA_LABEL` of the token, as shown by `softhsm2-util --show-slots`).
    pub token_label: String,
    /// The normal user's PIN. Kept in a `SecretString`: zeroized on drop, redacted in `Debug`.
    pub user_pin: SecretString,
    /// Number of sessions in the pool; one per worker thread that signs in parallel.
    pub sessions: usize,
    /// Label of the token-resident AES key-encryption key that wraps officer keys.
    pub kek_label: String,
    /// Mark officer keys `CKA_WRAP_WITH_TRUSTED`, so only a `CKA_TRUSTED` key (the KEK, which the
    /// security officer must have marked trusted) can wrap them. SoftHSM lets only the SO set
    /// `CKA_TRUSTED` and the SO cannot create private objects, so this is off for SoftHSM.
    pub wrap_with_trusted: bool,
    /// How long to keep looking for a token that is not visible yet (another process may be
    /// creating it at this moment).
    pub token_wait: Duration,
    /// How long a caller waits for a free session before giving up.
    pub checkout_timeout: Duration,
}

impl HsmConfig {
    /// Defaults for everything but the module, token and PIN.
    pub fn new(
        module: impl Into<PathBuf>,
        token_label: impl Into<String>,
        pin: SecretString,
    ) -> Self {
        Self {
            module: module.into(),
            token_label: token_label.into(),
            user_pin: pin,
            sessions: std::thread::available_parallelism().map_or(2, |n| n.get()),
            kek_label: "firma-kek".to_owned(),
            wrap_with_trusted: false,
            token_wait: Duration::from_secs(3),
            checkout_timeout: Duration::from_secs(30),
        }
    }
}
