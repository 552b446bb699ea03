//! Verification windows and the lock-out threshold.

use crate::params::ParamError;
use crate::verify::OtpDeviceState;

/// The largest window any verification searches: bounds the work one request can cause even if
/// configuration is wrong (10 000 HMACs, about a millisecond).
pub const MAX_WINDOW: u32 = 10_000;

/// How far verification looks, and when a device locks.
///
/// RFC 4226 section 7.4 (look-ahead parameter s), RFC 6238 section 5.2 ("We RECOMMEND that at most
/// one time step is allowed as the network delay") and section 6 (resynchronisation), RFC 4226
/// section 7.3 ("a throttling parameter T, which defines the maximum number of possible attempts
/// for One-Time Password validation").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VerifyPolicy {
    /// TOTP: time steps accepted before the centre (`current step + drift`).
    pub totp_back: u32,
    /// TOTP: time steps accepted after the centre.
    pub totp_forward: u32,
    /// HOTP: counter values tried after the stored counter (the stored one is always tried).
    pub hotp_look_ahead: u32,
    /// TOTP resynchronisation: steps searched on each side of the centre for two consecutive
    /// codes.
    pub totp_resync_window: u32,
    /// HOTP resynchronisation: counter values searched after the stored counter for two
    /// consecutive codes.
    pub hotp_resync_window: u32,
    /// Consecutive failures that lock the device (`failures >= max_failures` is locked).
    pub max_failures: u32,
}

impl Default for VerifyPolicy {
    /// ±1 step for TOTP, 10 counters of look-ahead for HOTP, resynchronisation over ±40 steps
    /// (20 minutes at 30 s) and 1000 counters, lock after 5 consecutive failures.
    fn default() -> Self {
        VerifyPolicy {
            totp_back: 1,
            totp_forward: 1,
            hotp_look_ahead: 10,
            totp_resync_window: 40,
            hotp_resync_window: 1000,
            max_failures: 5,
        }
    }
}

impl VerifyPolicy {
    /// Checks the windows against [`MAX_WINDOW`] and the lock-out threshold; call it when loading
    /// configuration. Verification clamps windows to [`MAX_WINDOW`] regardless.
    ///
    /// # Errors
    /// [`ParamError::Window`] or [`ParamError::MaxFailures`].
    pub fn validate(&self) -> Result<(), ParamError> {
        for (name, value) in [
            ("TOTP back", self.totp_back),
            ("TOTP forward", self.totp_forward),
            ("HOTP look-ahead", self.hotp_look_ahead),
            ("TOTP resynchronisation", self.totp_resync_window),
            ("HOTP resynchronisation", self.hotp_resync_window),
        ] {
            if value > MAX_WINDOW {
                return Err(ParamError::Window {
                    name,
                    value,
                    limit: MAX_WINDOW,
                });
            }
        }
        if self.max_failures == 0 {
            return Err(ParamError::MaxFailures);
        }
        Ok(())
    }

    /// The lock-out decision: a device with `failures` consecutive failures is locked.
    #[must_use]
    pub fn is_locked(&self, failures: u32) -> bool {
        failures >= self.max_failures.max(1)
    }

    /// Whether the device in `state` is locked.
    #[must_use]
    pub fn is_state_locked(&self, state: &OtpDeviceState) -> bool {
        self.is_locked(state.failures)
    }
}

pub(crate) fn clamp(window: u32) -> u32 {
    window.min(MAX_WINDOW)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        assert_eq!(VerifyPolicy::default().validate(), Ok(()));
        let wide = VerifyPolicy {
            hotp_look_ahead: MAX_WINDOW + 1,
            ..VerifyPolicy::default()
        };
        assert!(matches!(
            wide.validate(),
            Err(ParamError::Window {
                name: "HOTP look-ahead",
                ..
            })
        ));
        let zero = VerifyPolicy {
            max_failures: 0,
            ..VerifyPolicy::default()
        };
        assert_eq!(zero.validate(), Err(ParamError::MaxFailures));
        assert!(zero.is_locked(1));
    }

    #[test]
    fn lockout_threshold() {
        let p = VerifyPolicy {
            max_failures: 3,
            ..VerifyPolicy::default()
        };
        assert!(!p.is_locked(2));
        assert!(p.is_locked(3));
        assert!(p.is_locked(4));
    }
}
