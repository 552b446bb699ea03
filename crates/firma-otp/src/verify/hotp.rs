//! HOTP verification with a look-ahead window (RFC 4226 section 7.4) and single use of every
//! counter value (section 7.2).

use crate::code::OtpCode;
use crate::hotp::OtpKey;
use crate::params::HotpParams;
use crate::seed::Seed;
use crate::verify::outcome::{RejectReason, Verification};
use crate::verify::policy::clamp;
use crate::verify::{OtpDeviceState, VerifyPolicy};

/// Verifies an HOTP `code` against counter values `state.counter ..= state.counter +
/// look-ahead`.
///
/// RFC 4226 section 7.4: "We RECOMMEND setting a look-ahead parameter s on the server, which
/// defines the size of the look-ahead window. In a nutshell, the server can recalculate the next s
/// HOTP-server values, and check them against the received HOTP client." Every value of the window
/// is computed and compared in constant time; the lowest matching counter `c` wins and the
/// returned state expects `c + 1` next (section 7.2: "the server increments the counter value by
/// one"; section 7.4: "the server's counter value is only incremented after a successful HOTP
/// authentication"), so a counter value is accepted once. A code equal to the value just before
/// the stored counter is reported as a replay.
#[must_use]
pub fn verify_hotp(
    seed: &Seed,
    params: &HotpParams,
    state: &OtpDeviceState,
    policy: &VerifyPolicy,
    code: &str,
) -> Verification {
    if policy.is_state_locked(state) {
        return Verification::locked(state);
    }
    let code = match OtpCode::parse(code, params.digits) {
        Ok(code) => code,
        Err(e) => return Verification::failed(policy, state, RejectReason::Malformed(e)),
    };
    let key = OtpKey::new(params.hash, seed.expose_secret_bytes());
    let first = state.counter;
    let last = first.saturating_add(u64::from(clamp(policy.hotp_look_ahead)));
    let mut found: Option<u64> = None;
    for counter in first..=last {
        let matches = bool::from(code.ct_matches(key.value(counter, params.digits)));
        if matches && found.is_none() {
            found = Some(counter);
        }
    }
    if let Some(counter) = found {
        // At u64::MAX the counter cannot move on, so accepting would allow a replay.
        if let Some(next) = counter.checked_add(1) {
            let ahead = i64::try_from(counter - first).unwrap_or(i64::MAX);
            return Verification::accepted(
                OtpDeviceState {
                    counter: next,
                    ..*state
                },
                counter,
                ahead,
            );
        }
        return Verification::failed(policy, state, RejectReason::NoMatch);
    }
    let replayed = first
        .checked_sub(1)
        .filter(|previous| bool::from(code.ct_matches(key.value(*previous, params.digits))));
    if let Some(previous) = replayed {
        return Verification::failed(policy, state, RejectReason::Replay { matched: previous });
    }
    Verification::failed(policy, state, RejectReason::NoMatch)
}
