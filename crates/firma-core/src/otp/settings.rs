//! The service's OTP policy.

use firma_otp::VerifyPolicy;
use time::Duration;

/// Windows, limits and lifetimes for OTP verification.
#[derive(Debug, Clone)]
pub struct OtpSettings {
    /// Drift and look-ahead windows and the lock-out threshold (consecutive failures).
    pub policy: VerifyPolicy,
    /// How long an SMS code stays valid.
    pub sms_ttl: Duration,
    /// Minimum time between two sends for the same purpose.
    pub sms_resend_interval: Duration,
    /// Maximum sends (first and resends) for one purpose.
    pub sms_max_sends: u32,
    /// Digits of an SMS code.
    pub sms_digits: u32,
}

impl Default for OtpSettings {
    fn default() -> Self {
        Self {
            policy: VerifyPolicy::default(),
            sms_ttl: Duration::minutes(5),
            sms_resend_interval: Duration::seconds(30),
            sms_max_sends: 5,
            sms_digits: 6,
        }
    }
}
