//! RFC 6238 TOTP: `TOTP = HOTP(K, T)` with `T = (Current Unix time - T0) / X`. The current time is
//! always a parameter; nothing here reads a clock.

use time::OffsetDateTime;

use crate::hotp::hotp;
use crate::params::{HotpParams, TotpParams};

impl TotpParams {
    /// The time step T that contains `unix_time` (RFC 6238 section 4.2: "T = (Current Unix time -
    /// T0) / X, where the default floor function is used in the computation"). `None` before T0.
    #[must_use]
    pub fn time_step(&self, unix_time: i64) -> Option<u64> {
        let elapsed = i128::from(unix_time) - i128::from(self.t0);
        if elapsed < 0 {
            return None;
        }
        u64::try_from(elapsed / i128::from(self.step.seconds())).ok()
    }

    /// [`TotpParams::time_step`] of an `OffsetDateTime` (from the caller's `Clock`).
    #[must_use]
    pub fn time_step_at(&self, time: OffsetDateTime) -> Option<u64> {
        self.time_step(time.unix_timestamp())
    }

    /// The HOTP parameters that TOTP applies to T.
    #[must_use]
    pub fn hotp_params(&self) -> HotpParams {
        HotpParams {
            hash: self.hash,
            digits: self.digits,
        }
    }
}

/// The TOTP value at `unix_time` (RFC 6238 section 4.2: "TOTP = HOTP(K, T), where T is an integer
/// and represents the number of time steps between the initial counter time T0 and the current
/// Unix time"). `None` before T0.
#[must_use]
pub fn totp(secret: &[u8], unix_time: i64, params: &TotpParams) -> Option<u32> {
    params
        .time_step(unix_time)
        .map(|step| totp_at_step(secret, step, params))
}

/// The TOTP value of time step `step` (what a verification window tries).
#[must_use]
pub fn totp_at_step(secret: &[u8], step: u64, params: &TotpParams) -> u32 {
    hotp(secret, step, params.hotp_params())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{Digits, OtpHash, TimeStep};

    #[test]
    fn time_step_floor_and_t0() {
        let p = TotpParams::new(OtpHash::Sha1, Digits::SIX, TimeStep::THIRTY);
        assert_eq!(p.time_step(0), Some(0));
        assert_eq!(p.time_step(29), Some(0));
        assert_eq!(p.time_step(30), Some(1));
        assert_eq!(p.time_step(-1), None);
        let shifted = TotpParams { t0: 100, ..p };
        assert_eq!(shifted.time_step(99), None);
        assert_eq!(shifted.time_step(130), Some(1));
        assert_eq!(p.time_step(i64::MAX), Some(i64::MAX as u64 / 30));
        let sixty = TotpParams::new(OtpHash::Sha1, Digits::SIX, TimeStep::SIXTY);
        assert_eq!(sixty.time_step(119), Some(1));
    }
}
