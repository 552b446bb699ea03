//! HOTP verification: look-ahead window edges, single use of a counter value, replay report
//! (RFC 4226 sections 7.2 and 7.4).

use firma_otp::{
    Digits, HotpParams, OtpDeviceState, OtpHash, Outcome, RejectReason, Seed, VerifyPolicy,
    format_code, hotp, verify_hotp,
};

use crate::support::SEED_SHA1;

fn params() -> HotpParams {
    HotpParams {
        hash: OtpHash::Sha1,
        digits: Digits::SIX,
    }
}

fn code(counter: u64) -> String {
    format_code(hotp(SEED_SHA1, counter, params()), Digits::SIX)
}

fn seed() -> Seed {
    Seed::from_slice(SEED_SHA1)
}

#[test]
fn rfc4226_sequence_is_accepted_in_order_and_each_once() {
    let policy = VerifyPolicy::default();
    let mut state = OtpDeviceState::hotp(0);
    // The Appendix D codes, typed one after the other.
    for (counter, expected) in ["755224", "287082", "359152", "969429"]
        .into_iter()
        .enumerate()
    {
        let v = verify_hotp(&seed(), &params(), &state, &policy, expected);
        assert_eq!(
            v.outcome,
            Outcome::Accepted {
                matched: counter as u64,
                drift: 0
            }
        );
        state = v.state;
        assert_eq!(state.counter, counter as u64 + 1);
    }
    // Replaying the last one is reported as a replay of counter 3.
    let replay = verify_hotp(&seed(), &params(), &state, &policy, "969429");
    assert_eq!(
        replay.outcome,
        Outcome::Rejected {
            reason: RejectReason::Replay { matched: 3 },
            locked: false
        }
    );
    assert_eq!(replay.state.counter, 4);
    assert_eq!(replay.state.failures, 1);
    // An older one is simply no match: below the counter nothing is accepted.
    let older = verify_hotp(&seed(), &params(), &state, &policy, "755224");
    assert!(matches!(
        older.outcome,
        Outcome::Rejected {
            reason: RejectReason::NoMatch,
            ..
        }
    ));
}

#[test]
fn look_ahead_edges() {
    let policy = VerifyPolicy {
        hotp_look_ahead: 10,
        ..VerifyPolicy::default()
    };
    let state = OtpDeviceState::hotp(100);
    // The token was pressed 10 times without logging in: counter 110 is the edge.
    let edge = verify_hotp(&seed(), &params(), &state, &policy, &code(110));
    assert_eq!(
        edge.outcome,
        Outcome::Accepted {
            matched: 110,
            drift: 10
        }
    );
    assert_eq!(edge.state.counter, 111);
    // 111 is beyond it.
    let beyond = verify_hotp(&seed(), &params(), &state, &policy, &code(111));
    assert_eq!(
        beyond.outcome,
        Outcome::Rejected {
            reason: RejectReason::NoMatch,
            locked: false
        }
    );
    assert_eq!(beyond.state.counter, 100);
    // Codes skipped over by the jump are dead afterwards.
    for skipped in [100, 105, 109] {
        assert!(
            !verify_hotp(&seed(), &params(), &edge.state, &policy, &code(skipped)).is_accepted()
        );
    }
    // No look-ahead: only the stored counter.
    let none = VerifyPolicy {
        hotp_look_ahead: 0,
        ..VerifyPolicy::default()
    };
    assert!(verify_hotp(&seed(), &params(), &state, &none, &code(100)).is_accepted());
    assert!(!verify_hotp(&seed(), &params(), &state, &none, &code(101)).is_accepted());
}

#[test]
fn counter_cannot_wrap() {
    let policy = VerifyPolicy::default();
    let state = OtpDeviceState::hotp(u64::MAX - 2);
    let near = verify_hotp(&seed(), &params(), &state, &policy, &code(u64::MAX - 1));
    assert!(near.is_accepted());
    assert_eq!(near.state.counter, u64::MAX);
    // The very last value cannot be accepted: the counter could not move past it.
    let last = verify_hotp(&seed(), &params(), &near.state, &policy, &code(u64::MAX));
    assert!(!last.is_accepted());
}

#[test]
fn malformed_and_lockout() {
    let policy = VerifyPolicy {
        max_failures: 2,
        ..VerifyPolicy::default()
    };
    let state = OtpDeviceState::hotp(0);
    let v1 = verify_hotp(&seed(), &params(), &state, &policy, "75522");
    assert!(matches!(
        v1.outcome,
        Outcome::Rejected {
            reason: RejectReason::Malformed(_),
            locked: false
        }
    ));
    let v2 = verify_hotp(&seed(), &params(), &v1.state, &policy, "75522x");
    assert!(matches!(
        v2.outcome,
        Outcome::Rejected {
            reason: RejectReason::Malformed(_),
            locked: true
        }
    ));
    let v3 = verify_hotp(&seed(), &params(), &v2.state, &policy, "755224");
    assert_eq!(v3.outcome, Outcome::Locked);
    assert_eq!(v3.state.counter, 0);
    assert!(verify_hotp(&seed(), &params(), &v3.state.unlocked(), &policy, "755224").is_accepted());
}

#[test]
fn eight_digit_sha256_device() {
    let p = HotpParams {
        hash: OtpHash::Sha256,
        digits: Digits::EIGHT,
    };
    let secret = [0x5au8; 32];
    let seed = Seed::from_slice(&secret);
    let c = format_code(hotp(&secret, 3, p), Digits::EIGHT);
    let v = verify_hotp(
        &seed,
        &p,
        &OtpDeviceState::hotp(0),
        &VerifyPolicy::default(),
        &c,
    );
    assert_eq!(
        v.outcome,
        Outcome::Accepted {
            matched: 3,
            drift: 3
        }
    );
    // A 6-digit code is malformed for this device.
    let short = verify_hotp(
        &seed,
        &p,
        &OtpDeviceState::hotp(0),
        &VerifyPolicy::default(),
        &c[2..],
    );
    assert!(matches!(
        short.outcome,
        Outcome::Rejected {
            reason: RejectReason::Malformed(_),
            ..
        }
    ));
}
