//! Resynchronisation with two consecutive codes over a larger window (RFC 4226 section 7.4 and
//! Appendix E.4; RFC 6238 section 6).

use crate::code::OtpCode;
use crate::hotp::OtpKey;
use crate::params::{Digits, HotpParams, TotpParams};
use crate::seed::Seed;
use crate::verify::outcome::{RejectReason, Verification};
use crate::verify::policy::clamp;
use crate::verify::totp::{StepWindow, drift_of};
use crate::verify::{OtpDeviceState, VerifyPolicy};

/// HOTP resynchronisation: finds the lowest `c` in `state.counter ..= state.counter +
/// hotp_resync_window` with `code1 = HOTP(c)` and `code2 = HOTP(c + 1)`; the returned state expects
/// `c + 2` next.
///
/// RFC 4226 section 7.4: "Optionally, the system MAY require the user to send a sequence of (say,
/// 2, 3) HOTP values for resynchronization purpose, since forging a sequence of consecutive HOTP
/// values is even more difficult than guessing a single HOTP value." Counter values below the
/// stored one are never searched, so codes already accepted cannot be replayed through a
/// resynchronisation.
#[must_use]
pub fn resync_hotp(
    seed: &Seed,
    params: &HotpParams,
    state: &OtpDeviceState,
    policy: &VerifyPolicy,
    code1: &str,
    code2: &str,
) -> Verification {
    if policy.is_state_locked(state) {
        return Verification::locked(state);
    }
    let (code1, code2) = match parse_pair(code1, code2, params.digits) {
        Ok(pair) => pair,
        Err(reason) => return Verification::failed(policy, state, reason),
    };
    let key = OtpKey::new(params.hash, seed.expose_secret_bytes());
    let first = state.counter;
    let last = first.saturating_add(u64::from(clamp(policy.hotp_resync_window)));
    let Some(found) = find_consecutive(&key, params.digits, &code1, &code2, first, last) else {
        return Verification::failed(policy, state, RejectReason::NoMatch);
    };
    // find_consecutive only returns c with c + 1 <= u64::MAX; c + 2 may still overflow.
    let Some(next) = found.checked_add(2) else {
        return Verification::failed(policy, state, RejectReason::NoMatch);
    };
    let ahead = i64::try_from(found - first).unwrap_or(i64::MAX);
    Verification::accepted(
        OtpDeviceState {
            counter: next,
            ..*state
        },
        found + 1,
        ahead,
    )
}

/// TOTP resynchronisation: finds a step `s` within `totp_resync_window` steps of `current step +
/// state.drift`, after `state.last_step`, with `code1 = TOTP(s)` and `code2 = TOTP(s + 1)`. The
/// returned state has `last_step = s + 1` and the drift of `s + 1` from the current step.
///
/// RFC 6238 section 6: when the drift exceeds the normal window, "Additional authentication
/// measures should be used to safely authenticate the prover and explicitly resynchronize the
/// clock drift between the prover and the validator." Two consecutive codes make a chance match
/// over the larger window negligible; the new drift is recorded "in terms of the number of time
/// steps" as the same section describes.
#[must_use]
pub fn resync_totp(
    seed: &Seed,
    params: &TotpParams,
    state: &OtpDeviceState,
    policy: &VerifyPolicy,
    code1: &str,
    code2: &str,
    unix_time: i64,
) -> Verification {
    if policy.is_state_locked(state) {
        return Verification::locked(state);
    }
    let (code1, code2) = match parse_pair(code1, code2, params.digits) {
        Ok(pair) => pair,
        Err(reason) => return Verification::failed(policy, state, reason),
    };
    let Some(now) = params.time_step(unix_time) else {
        return Verification::failed(policy, state, RejectReason::NoMatch);
    };
    let w = clamp(policy.totp_resync_window);
    let window = StepWindow::around(i128::from(now) + i128::from(state.drift), w, w);
    // Both steps must be after the last accepted one.
    let first = match state.last_step {
        Some(last) => window.first.max(last.saturating_add(1)),
        None => window.first,
    };
    if state.last_step == Some(u64::MAX) || first > window.last {
        return Verification::failed(policy, state, RejectReason::NoMatch);
    }
    let key = OtpKey::new(params.hash, seed.expose_secret_bytes());
    let Some(found) = find_consecutive(&key, params.digits, &code1, &code2, first, window.last)
    else {
        return Verification::failed(policy, state, RejectReason::NoMatch);
    };
    let second = found + 1;
    Verification::accepted(
        OtpDeviceState {
            last_step: Some(second),
            drift: drift_of(second, now),
            ..*state
        },
        second,
        drift_of(second, now),
    )
}

fn parse_pair(
    code1: &str,
    code2: &str,
    digits: Digits,
) -> Result<(OtpCode, OtpCode), RejectReason> {
    let first = OtpCode::parse(code1, digits).map_err(RejectReason::Malformed)?;
    let second = OtpCode::parse(code2, digits).map_err(RejectReason::Malformed)?;
    Ok((first, second))
}

/// The lowest `c` in `first..=last` with `code1 = value(c)` and `code2 = value(c + 1)`
/// (`c + 1` may be `last + 1`). Computes each value once and compares every one in constant time;
/// only the match bits are kept.
fn find_consecutive(
    key: &OtpKey,
    digits: Digits,
    code1: &OtpCode,
    code2: &OtpCode,
    first: u64,
    last: u64,
) -> Option<u64> {
    let mut found = None;
    let mut previous_matched_code1 = false;
    let end = last.checked_add(1).unwrap_or(last);
    for counter in first..=end {
        let value = key.value(counter, digits);
        let matches1 = bool::from(code1.ct_matches(value));
        let matches2 = bool::from(code2.ct_matches(value));
        if previous_matched_code1 && matches2 && found.is_none() {
            found = Some(counter - 1);
        }
        previous_matched_code1 = matches1 && counter <= last;
    }
    found
}
