//! TOTP verification with a drift window and replay refusal (RFC 6238 sections 5.2 and 6).

use subtle::Choice;

use crate::code::OtpCode;
use crate::hotp::OtpKey;
use crate::params::TotpParams;
use crate::seed::Seed;
use crate::verify::outcome::{RejectReason, Verification};
use crate::verify::policy::clamp;
use crate::verify::{OtpDeviceState, VerifyPolicy};

/// Verifies a TOTP `code` submitted at `unix_time`.
///
/// The window is `current step + state.drift` minus [`VerifyPolicy::totp_back`] to plus
/// [`VerifyPolicy::totp_forward`] (RFC 6238 section 5.2: "We RECOMMEND that at most one time step
/// is allowed as the network delay"; section 6: the recorded drift re-centres the window). Every
/// step of the window is computed and compared in constant time. A match at or before
/// `state.last_step` is a replay (section 5.2: "the verifier MUST NOT accept the second attempt of
/// the OTP after the successful validation has been issued for the first OTP"). On success the
/// returned state has `last_step` = the matched step and `drift` = matched minus current step.
#[must_use]
pub fn verify_totp(
    seed: &Seed,
    params: &TotpParams,
    state: &OtpDeviceState,
    policy: &VerifyPolicy,
    code: &str,
    unix_time: i64,
) -> Verification {
    if policy.is_state_locked(state) {
        return Verification::locked(state);
    }
    let code = match OtpCode::parse(code, params.digits) {
        Ok(code) => code,
        Err(e) => return Verification::failed(policy, state, RejectReason::Malformed(e)),
    };
    let Some(now) = params.time_step(unix_time) else {
        return Verification::failed(policy, state, RejectReason::NoMatch);
    };
    let centre = i128::from(now) + i128::from(state.drift);
    let window = StepWindow::around(centre, clamp(policy.totp_back), clamp(policy.totp_forward));
    let key = OtpKey::new(params.hash, seed.expose_secret_bytes());
    match find_step(&key, params, &code, window, centre, state.last_step) {
        Found::Fresh(step) => Verification::accepted(
            OtpDeviceState {
                last_step: Some(step),
                drift: drift_of(step, now),
                ..*state
            },
            step,
            drift_of(step, now),
        ),
        Found::Replay(step) => {
            Verification::failed(policy, state, RejectReason::Replay { matched: step })
        }
        Found::None => Verification::failed(policy, state, RejectReason::NoMatch),
    }
}

/// An inclusive range of time steps, already clipped to `0..=u64::MAX`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StepWindow {
    pub(crate) first: u64,
    pub(crate) last: u64,
}

impl StepWindow {
    /// `centre - back ..= centre + forward`, clipped to `0..=u64::MAX`; empty (first > last) when
    /// nothing of it is in range.
    pub(crate) fn around(centre: i128, back: u32, forward: u32) -> Self {
        let lo = (centre - i128::from(back)).max(0);
        let hi = (centre + i128::from(forward)).min(i128::from(u64::MAX));
        match (u64::try_from(lo), u64::try_from(hi)) {
            (Ok(first), Ok(last)) if first <= last => StepWindow { first, last },
            _ => StepWindow { first: 1, last: 0 },
        }
    }

    pub(crate) fn steps(self) -> impl Iterator<Item = u64> {
        // An empty window (first > last) yields nothing.
        self.first..=self.last
    }
}

enum Found {
    Fresh(u64),
    Replay(u64),
    None,
}

/// Tries every step of the window (no early exit). Prefers a fresh step, the one closest to the
/// centre; otherwise reports the replayed step.
fn find_step(
    key: &OtpKey,
    params: &TotpParams,
    code: &OtpCode,
    window: StepWindow,
    centre: i128,
    last_step: Option<u64>,
) -> Found {
    let mut fresh: Option<u64> = None;
    let mut replay: Option<u64> = None;
    for step in window.steps() {
        let matches: Choice = code.ct_matches(key.value(step, params.digits));
        if !bool::from(matches) {
            continue;
        }
        if last_step.is_some_and(|last| step <= last) {
            replay.get_or_insert(step);
        } else if fresh.is_none_or(|best| distance(step, centre) < distance(best, centre)) {
            fresh = Some(step);
        }
    }
    match (fresh, replay) {
        (Some(step), _) => Found::Fresh(step),
        (None, Some(step)) => Found::Replay(step),
        (None, None) => Found::None,
    }
}

fn distance(step: u64, centre: i128) -> i128 {
    (i128::from(step) - centre).abs()
}

/// `step - now` as a drift, saturated to the `i64` range.
pub(crate) fn drift_of(step: u64, now: u64) -> i64 {
    let d = i128::from(step) - i128::from(now);
    i64::try_from(d).unwrap_or(if d < 0 { i64::MIN } else { i64::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_clipped_or_empty() {
        let w = StepWindow::around(5, 1, 1);
        assert_eq!(w.steps().collect::<Vec<_>>(), [4, 5, 6]);
        let w = StepWindow::around(0, 2, 1);
        assert_eq!(w.steps().collect::<Vec<_>>(), [0, 1]);
        // Entirely before step 0 (a huge negative drift) or after u64::MAX: nothing to try.
        assert_eq!(StepWindow::around(-10, 1, 1).steps().count(), 0);
        let beyond = i128::from(u64::MAX) + 10;
        assert_eq!(StepWindow::around(beyond, 1, 1).steps().count(), 0);
        let edge = StepWindow::around(i128::from(u64::MAX), 1, 1);
        assert_eq!(edge.steps().collect::<Vec<_>>(), [u64::MAX - 1, u64::MAX]);
    }

    #[test]
    fn extreme_drift_is_a_rejection_not_a_panic() {
        use crate::params::{Digits, OtpHash, TimeStep};
        let params = TotpParams::new(OtpHash::Sha1, Digits::SIX, TimeStep::THIRTY);
        let seed = Seed::from_slice(b"12345678901234567890");
        let policy = VerifyPolicy::default();
        for drift in [i64::MIN, i64::MAX] {
            let state = OtpDeviceState::totp(drift);
            for now in [0, 59, i64::MAX] {
                let v = verify_totp(&seed, &params, &state, &policy, "287082", now);
                assert!(!v.is_accepted(), "drift {drift} at {now}");
            }
        }
    }
}
