//! TOTP verification: drift window edges, drift tracking, replay refusal, malformed codes,
//! lock-out (RFC 6238 sections 5.2 and 6).

use firma_otp::{
    CodeError, Digits, OtpDeviceState, OtpHash, Outcome, RejectReason, Seed, TimeStep, TotpParams,
    VerifyPolicy, format_code, totp_at_step, verify_totp,
};

use crate::support::{SEED_SHA1, SEED_SHA256, SEED_SHA512};

/// 2009-02-13T23:31:30Z, step 41152263 with X = 30.
const NOW: i64 = 1_234_567_890;

fn params() -> TotpParams {
    TotpParams::new(OtpHash::Sha1, Digits::SIX, TimeStep::THIRTY)
}

fn seed() -> Seed {
    Seed::from_slice(SEED_SHA1)
}

fn now_step(p: &TotpParams) -> u64 {
    p.time_step(NOW).expect("after T0")
}

/// The code the token shows at `offset` steps from the server's current step.
fn code_at(p: &TotpParams, secret: &[u8], offset: i64) -> String {
    let step = now_step(p).checked_add_signed(offset).expect("in range");
    format_code(totp_at_step(secret, step, p), p.digits)
}

#[test]
fn window_edges_plus_minus_one() {
    let p = params();
    let policy = VerifyPolicy::default();
    let state = OtpDeviceState::default();
    let now = now_step(&p);
    for offset in [-1i64, 0, 1] {
        let v = verify_totp(
            &seed(),
            &p,
            &state,
            &policy,
            &code_at(&p, SEED_SHA1, offset),
            NOW,
        );
        let expected_step = now.checked_add_signed(offset).expect("in range");
        assert_eq!(
            v.outcome,
            Outcome::Accepted {
                matched: expected_step,
                drift: offset
            },
            "offset {offset}"
        );
        assert_eq!(v.state.last_step, Some(expected_step));
        assert_eq!(v.state.drift, offset);
        assert_eq!(v.state.failures, 0);
    }
    for offset in [-2i64, 2, 10] {
        let v = verify_totp(
            &seed(),
            &p,
            &state,
            &policy,
            &code_at(&p, SEED_SHA1, offset),
            NOW,
        );
        assert_eq!(
            v.outcome,
            Outcome::Rejected {
                reason: RejectReason::NoMatch,
                locked: false
            },
            "offset {offset}"
        );
        assert_eq!(v.state.failures, 1);
        assert_eq!(v.state.last_step, None);
    }
}

#[test]
fn asymmetric_and_zero_windows() {
    let p = params();
    let strict = VerifyPolicy {
        totp_back: 0,
        totp_forward: 0,
        ..VerifyPolicy::default()
    };
    let state = OtpDeviceState::default();
    assert!(
        verify_totp(
            &seed(),
            &p,
            &state,
            &strict,
            &code_at(&p, SEED_SHA1, 0),
            NOW
        )
        .is_accepted()
    );
    assert!(
        !verify_totp(
            &seed(),
            &p,
            &state,
            &strict,
            &code_at(&p, SEED_SHA1, -1),
            NOW
        )
        .is_accepted()
    );
    let back_two = VerifyPolicy {
        totp_back: 2,
        totp_forward: 0,
        ..VerifyPolicy::default()
    };
    assert!(
        verify_totp(
            &seed(),
            &p,
            &state,
            &back_two,
            &code_at(&p, SEED_SHA1, -2),
            NOW
        )
        .is_accepted()
    );
    assert!(
        !verify_totp(
            &seed(),
            &p,
            &state,
            &back_two,
            &code_at(&p, SEED_SHA1, 1),
            NOW
        )
        .is_accepted()
    );
}

#[test]
fn same_code_twice_is_a_replay() {
    let p = params();
    let policy = VerifyPolicy::default();
    let code = code_at(&p, SEED_SHA1, 0);
    let first = verify_totp(&seed(), &p, &OtpDeviceState::default(), &policy, &code, NOW);
    assert!(first.is_accepted());
    // Same code, same time, and ten seconds later (same step).
    for at in [NOW, NOW + 10] {
        let again = verify_totp(&seed(), &p, &first.state, &policy, &code, at);
        assert_eq!(
            again.outcome,
            Outcome::Rejected {
                reason: RejectReason::Replay {
                    matched: now_step(&p)
                },
                locked: false
            }
        );
        assert_eq!(again.state.last_step, first.state.last_step);
        assert_eq!(again.state.failures, 1);
    }
}

#[test]
fn an_earlier_step_after_a_later_one_is_a_replay() {
    let p = params();
    let policy = VerifyPolicy::default();
    // The +1 code is accepted first; the current-step code is then older than last_step.
    let ahead = verify_totp(
        &seed(),
        &p,
        &OtpDeviceState::default(),
        &policy,
        &code_at(&p, SEED_SHA1, 1),
        NOW,
    );
    assert!(ahead.is_accepted());
    let older = verify_totp(
        &seed(),
        &p,
        &ahead.state,
        &policy,
        &code_at(&p, SEED_SHA1, 0),
        NOW,
    );
    assert!(matches!(
        older.outcome,
        Outcome::Rejected {
            reason: RejectReason::Replay { .. },
            ..
        }
    ));
    // The next step's code, once its time comes, is accepted.
    let later = verify_totp(
        &seed(),
        &p,
        &ahead.state,
        &policy,
        &code_at(&p, SEED_SHA1, 2),
        NOW + 30,
    );
    assert!(later.is_accepted());
}

#[test]
fn recorded_drift_recentres_the_window() {
    let p = params();
    let policy = VerifyPolicy::default();
    // A token two steps fast: +2 is outside the default window...
    let fresh = OtpDeviceState::default();
    assert!(
        !verify_totp(
            &seed(),
            &p,
            &fresh,
            &policy,
            &code_at(&p, SEED_SHA1, 2),
            NOW
        )
        .is_accepted()
    );
    // ...but with a stored drift of +2 (from a resynchronisation or PSKC TimeDrift) it is the
    // centre, +3 is accepted, and the server's own current step is now outside.
    let drifted = OtpDeviceState::totp(2);
    let v = verify_totp(
        &seed(),
        &p,
        &drifted,
        &policy,
        &code_at(&p, SEED_SHA1, 3),
        NOW,
    );
    assert_eq!(
        v.outcome,
        Outcome::Accepted {
            matched: now_step(&p) + 3,
            drift: 3
        }
    );
    assert_eq!(v.state.drift, 3);
    assert!(
        !verify_totp(
            &seed(),
            &p,
            &drifted,
            &policy,
            &code_at(&p, SEED_SHA1, 0),
            NOW
        )
        .is_accepted()
    );
    // A slow token: drift -1 reported and stored.
    let slow = verify_totp(
        &seed(),
        &p,
        &fresh,
        &policy,
        &code_at(&p, SEED_SHA1, -1),
        NOW,
    );
    assert_eq!(slow.state.drift, -1);
}

#[test]
fn sha256_sha512_eight_digits_sixty_seconds() {
    let policy = VerifyPolicy::default();
    for (hash, secret) in [
        (OtpHash::Sha256, SEED_SHA256),
        (OtpHash::Sha512, SEED_SHA512),
    ] {
        let p = TotpParams::new(hash, Digits::EIGHT, TimeStep::SIXTY);
        let seed = Seed::from_slice(secret);
        let code = code_at(&p, secret, 0);
        assert_eq!(code.len(), 8);
        let v = verify_totp(&seed, &p, &OtpDeviceState::default(), &policy, &code, NOW);
        assert!(v.is_accepted(), "{hash:?}");
        // The same code under the other hash does not verify.
        let other = TotpParams::new(OtpHash::Sha1, Digits::EIGHT, TimeStep::SIXTY);
        assert!(
            !verify_totp(
                &seed,
                &other,
                &OtpDeviceState::default(),
                &policy,
                &code,
                NOW
            )
            .is_accepted()
        );
    }
}

#[test]
fn malformed_codes_are_rejected_and_counted() {
    let p = params();
    let policy = VerifyPolicy::default();
    let state = OtpDeviceState::default();
    let cases: [(&str, RejectReason); 6] = [
        (
            "",
            RejectReason::Malformed(CodeError::Length {
                expected: 6,
                actual: 0,
            }),
        ),
        (
            "12345",
            RejectReason::Malformed(CodeError::Length {
                expected: 6,
                actual: 5,
            }),
        ),
        (
            "1234567",
            RejectReason::Malformed(CodeError::Length {
                expected: 6,
                actual: 7,
            }),
        ),
        ("12 456", RejectReason::Malformed(CodeError::NotDigits)),
        ("abcdef", RejectReason::Malformed(CodeError::NotDigits)),
        ("12345\u{0}", RejectReason::Malformed(CodeError::NotDigits)),
    ];
    for (code, reason) in cases {
        let v = verify_totp(&seed(), &p, &state, &policy, code, NOW);
        assert_eq!(
            v.outcome,
            Outcome::Rejected {
                reason,
                locked: false
            },
            "{code:?}"
        );
        assert_eq!(v.state.failures, 1);
    }
    // The right code with a space around it is not silently accepted either.
    let padded = format!(" {}", code_at(&p, SEED_SHA1, 0));
    assert!(!verify_totp(&seed(), &p, &state, &policy, &padded, NOW).is_accepted());
}

#[test]
fn lock_out_after_consecutive_failures_and_unlock() {
    let p = params();
    let policy = VerifyPolicy {
        max_failures: 3,
        ..VerifyPolicy::default()
    };
    let good = code_at(&p, SEED_SHA1, 0);
    let mut state = OtpDeviceState::default();
    // A success resets the count: fail, succeed, then count again from zero.
    state = verify_totp(&seed(), &p, &state, &policy, "000000", NOW).state;
    assert_eq!(state.failures, 1);
    let ok = verify_totp(
        &seed(),
        &p,
        &state,
        &policy,
        &code_at(&p, SEED_SHA1, -1),
        NOW,
    );
    assert!(ok.is_accepted());
    state = ok.state;
    assert_eq!(state.failures, 0);
    for n in 1..=3u32 {
        let v = verify_totp(&seed(), &p, &state, &policy, "000000", NOW);
        assert_eq!(
            v.outcome,
            Outcome::Rejected {
                reason: RejectReason::NoMatch,
                locked: n == 3
            }
        );
        state = v.state;
        assert_eq!(state.failures, n);
    }
    // Locked: even the right code is refused, nothing changes.
    let locked = verify_totp(&seed(), &p, &state, &policy, &good, NOW);
    assert_eq!(locked.outcome, Outcome::Locked);
    assert_eq!(locked.state, state);
    assert!(policy.is_state_locked(&state));
    // An authorised unlock clears the failures but keeps the replay protection.
    let unlocked = state.unlocked();
    assert_eq!(unlocked.failures, 0);
    assert_eq!(unlocked.last_step, state.last_step);
    assert!(verify_totp(&seed(), &p, &unlocked, &policy, &good, NOW).is_accepted());
}

#[test]
fn time_before_t0_is_no_match() {
    let p = TotpParams {
        t0: NOW + 1,
        ..params()
    };
    let v = verify_totp(
        &seed(),
        &p,
        &OtpDeviceState::default(),
        &VerifyPolicy::default(),
        "123456",
        NOW,
    );
    assert_eq!(
        v.outcome,
        Outcome::Rejected {
            reason: RejectReason::NoMatch,
            locked: false
        }
    );
}

#[test]
fn huge_windows_are_clamped_not_unbounded() {
    let p = TotpParams::new(OtpHash::Sha1, Digits::EIGHT, TimeStep::THIRTY);
    let policy = VerifyPolicy {
        totp_back: u32::MAX,
        totp_forward: u32::MAX,
        ..VerifyPolicy::default()
    };
    assert!(policy.validate().is_err());
    // Clamped to MAX_WINDOW steps each side: a code 10 000 steps away still verifies, one at
    // 10 001 does not (8 digits, so no chance collision among these 20 001 steps).
    let state = OtpDeviceState::default();
    let edge = verify_totp(
        &seed(),
        &p,
        &state,
        &policy,
        &code_at(&p, SEED_SHA1, 10_000),
        NOW,
    );
    assert_eq!(
        edge.outcome,
        Outcome::Accepted {
            matched: now_step(&p) + 10_000,
            drift: 10_000
        }
    );
    let far = verify_totp(
        &seed(),
        &p,
        &state,
        &policy,
        &code_at(&p, SEED_SHA1, -10_001),
        NOW,
    );
    assert_eq!(
        far.outcome,
        Outcome::Rejected {
            reason: RejectReason::NoMatch,
            locked: false
        }
    );
}
