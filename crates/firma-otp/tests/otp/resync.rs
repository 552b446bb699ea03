//! Resynchronisation with two consecutive codes (RFC 4226 section 7.4, RFC 6238 section 6).

use firma_otp::{
    Digits, HotpParams, OtpDeviceState, OtpHash, Outcome, RejectReason, Seed, TimeStep, TotpParams,
    VerifyPolicy, format_code, hotp, resync_hotp, resync_totp, totp_at_step, verify_hotp,
    verify_totp,
};

use crate::support::SEED_SHA1;

const NOW: i64 = 2_000_000_000;

fn hotp_params() -> HotpParams {
    HotpParams {
        hash: OtpHash::Sha1,
        digits: Digits::SIX,
    }
}

fn hcode(counter: u64) -> String {
    format_code(hotp(SEED_SHA1, counter, hotp_params()), Digits::SIX)
}

fn totp_params() -> TotpParams {
    TotpParams::new(OtpHash::Sha1, Digits::SIX, TimeStep::THIRTY)
}

fn tcode(offset: i64) -> String {
    let p = totp_params();
    let step = p
        .time_step(NOW)
        .and_then(|s| s.checked_add_signed(offset))
        .expect("in range");
    format_code(totp_at_step(SEED_SHA1, step, &p), Digits::SIX)
}

fn seed() -> Seed {
    Seed::from_slice(SEED_SHA1)
}

#[test]
fn hotp_resync_far_ahead() {
    let policy = VerifyPolicy::default();
    let state = OtpDeviceState::hotp(0);
    // Pressed 500 times in a drawer: out of the look-ahead window...
    assert!(!verify_hotp(&seed(), &hotp_params(), &state, &policy, &hcode(500)).is_accepted());
    // ...recovered with two consecutive codes.
    let v = resync_hotp(
        &seed(),
        &hotp_params(),
        &state,
        &policy,
        &hcode(500),
        &hcode(501),
    );
    assert_eq!(
        v.outcome,
        Outcome::Accepted {
            matched: 501,
            drift: 500
        }
    );
    assert_eq!(v.state.counter, 502);
    assert_eq!(v.state.failures, 0);
    // Both resync codes are spent; the next one works normally.
    assert!(!verify_hotp(&seed(), &hotp_params(), &v.state, &policy, &hcode(501)).is_accepted());
    assert!(verify_hotp(&seed(), &hotp_params(), &v.state, &policy, &hcode(502)).is_accepted());
}

#[test]
fn hotp_resync_failures() {
    let policy = VerifyPolicy {
        hotp_resync_window: 1000,
        ..VerifyPolicy::default()
    };
    let state = OtpDeviceState::hotp(0);
    let no_match = |v: firma_otp::Verification| {
        assert!(
            matches!(
                v.outcome,
                Outcome::Rejected {
                    reason: RejectReason::NoMatch,
                    ..
                }
            ),
            "{:?}",
            v.outcome
        );
        assert_eq!(v.state.failures, 1);
        assert_eq!(v.state.counter, 0);
    };
    // Not consecutive, or in the wrong order.
    no_match(resync_hotp(
        &seed(),
        &hotp_params(),
        &state,
        &policy,
        &hcode(500),
        &hcode(502),
    ));
    no_match(resync_hotp(
        &seed(),
        &hotp_params(),
        &state,
        &policy,
        &hcode(501),
        &hcode(500),
    ));
    // Window edge: c = 1000 is the last first code accepted, c = 1001 is outside.
    let edge = resync_hotp(
        &seed(),
        &hotp_params(),
        &state,
        &policy,
        &hcode(1000),
        &hcode(1001),
    );
    assert_eq!(edge.state.counter, 1002);
    no_match(resync_hotp(
        &seed(),
        &hotp_params(),
        &state,
        &policy,
        &hcode(1001),
        &hcode(1002),
    ));
    // Never backwards: codes already below the counter cannot resynchronise.
    let later = OtpDeviceState::hotp(100);
    let v = resync_hotp(
        &seed(),
        &hotp_params(),
        &later,
        &policy,
        &hcode(50),
        &hcode(51),
    );
    assert!(!v.is_accepted());
    // Malformed second code.
    let bad = resync_hotp(&seed(), &hotp_params(), &state, &policy, &hcode(5), "12");
    assert!(matches!(
        bad.outcome,
        Outcome::Rejected {
            reason: RejectReason::Malformed(_),
            ..
        }
    ));
}

#[test]
fn totp_resync_recovers_a_fast_clock_and_stores_the_drift() {
    let p = totp_params();
    let policy = VerifyPolicy::default();
    let state = OtpDeviceState::default();
    let now = p.time_step(NOW).expect("after T0");
    // The token's clock is 12 steps (6 minutes) fast.
    assert!(!verify_totp(&seed(), &p, &state, &policy, &tcode(12), NOW).is_accepted());
    let v = resync_totp(&seed(), &p, &state, &policy, &tcode(12), &tcode(13), NOW);
    assert_eq!(
        v.outcome,
        Outcome::Accepted {
            matched: now + 13,
            drift: 13
        }
    );
    assert_eq!(v.state.last_step, Some(now + 13));
    assert_eq!(v.state.drift, 13);
    // Thirty seconds later the token shows step now + 14: inside the re-centred window.
    let next = verify_totp(&seed(), &p, &v.state, &policy, &tcode(14), NOW + 30);
    assert_eq!(
        next.outcome,
        Outcome::Accepted {
            matched: now + 14,
            drift: 13
        }
    );
    // The resync codes cannot be replayed.
    assert!(!verify_totp(&seed(), &p, &v.state, &policy, &tcode(13), NOW).is_accepted());
}

#[test]
fn totp_resync_slow_clock_and_failures() {
    let p = totp_params();
    let policy = VerifyPolicy {
        totp_resync_window: 40,
        ..VerifyPolicy::default()
    };
    let state = OtpDeviceState::default();
    // 20 steps slow: found, drift -19 (the second code).
    let slow = resync_totp(&seed(), &p, &state, &policy, &tcode(-20), &tcode(-19), NOW);
    assert_eq!(slow.state.drift, -19);
    // Window edges apply to the first code: -40 and +40 are inside, -41 and +41 outside.
    assert!(resync_totp(&seed(), &p, &state, &policy, &tcode(-40), &tcode(-39), NOW).is_accepted());
    assert!(
        !resync_totp(&seed(), &p, &state, &policy, &tcode(-41), &tcode(-40), NOW).is_accepted()
    );
    assert!(resync_totp(&seed(), &p, &state, &policy, &tcode(40), &tcode(41), NOW).is_accepted());
    assert!(!resync_totp(&seed(), &p, &state, &policy, &tcode(41), &tcode(42), NOW).is_accepted());
    // Not consecutive.
    assert!(!resync_totp(&seed(), &p, &state, &policy, &tcode(3), &tcode(5), NOW).is_accepted());
    // Steps at or before last_step are refused even through resynchronisation.
    let used = OtpDeviceState {
        last_step: p.time_step(NOW).map(|s| s + 5),
        ..OtpDeviceState::default()
    };
    let replay = resync_totp(&seed(), &p, &used, &policy, &tcode(5), &tcode(6), NOW);
    assert!(!replay.is_accepted());
    assert_eq!(replay.state.failures, 1);
    assert!(resync_totp(&seed(), &p, &used, &policy, &tcode(6), &tcode(7), NOW).is_accepted());
}

#[test]
fn resync_on_a_locked_device_is_refused() {
    let policy = VerifyPolicy {
        max_failures: 1,
        ..VerifyPolicy::default()
    };
    let locked = OtpDeviceState {
        failures: 1,
        ..OtpDeviceState::hotp(0)
    };
    let v = resync_hotp(
        &seed(),
        &hotp_params(),
        &locked,
        &policy,
        &hcode(0),
        &hcode(1),
    );
    assert_eq!(v.outcome, Outcome::Locked);
    assert_eq!(v.state, locked);
    let t = resync_totp(
        &seed(),
        &totp_params(),
        &locked,
        &policy,
        &tcode(0),
        &tcode(1),
        NOW,
    );
    assert_eq!(t.outcome, Outcome::Locked);
}
