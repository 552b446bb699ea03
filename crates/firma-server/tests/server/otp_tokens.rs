//! Hardware tokens through the service, with a controlled clock: HOTP look-ahead and replay, TOTP
//! drift window and replay, resynchronisation, lock-out and unlock.

use firma_core::Clock;
use firma_core::otp::{OtpDevice, OtpOutcome, RejectCause};
use firma_otp::{Digits, HotpParams, OtpHash, TimeStep, TotpParams, format_code, hotp, totp};
use time::Duration;

use crate::support::{OFFICER, OPERATOR, RFC_SECRET, env, rfc_secret_hex};

fn hotp6(counter: u64) -> String {
    let p = HotpParams {
        hash: OtpHash::Sha1,
        digits: Digits::SIX,
    };
    format_code(hotp(RFC_SECRET, counter, p), Digits::SIX)
}

fn totp6(unix: i64) -> String {
    let p = TotpParams {
        hash: OtpHash::Sha1,
        digits: Digits::SIX,
        step: TimeStep::THIRTY,
        t0: 0,
    };
    format_code(totp(RFC_SECRET, unix, &p).unwrap(), Digits::SIX)
}

fn device(serial: &str) -> OtpDevice {
    OtpDevice::Token {
        serial: serial.into(),
    }
}

async fn verify(env: &crate::support::Env, serial: &str, code: &str) -> OtpOutcome {
    env.otp
        .verify(&device(serial), code, "req-1", OFFICER)
        .await
        .unwrap()
}

fn rejected(outcome: OtpOutcome) -> Option<RejectCause> {
    match outcome {
        OtpOutcome::Rejected { cause, .. } => Some(cause),
        _ => None,
    }
}

firma_testkit::token_test!(async fn hotp_look_ahead_and_replay(token) {
    let env = env(token, false).await;
    env.import_csv(&format!("serial,type,secret,digits,period,counter,algorithm\nH1,hotp,hex:{},6,,0,\n", rfc_secret_hex())).await;
    // RFC 4226 Appendix D: counter 0 gives 755224. An unassigned token is not usable yet.
    assert_eq!(hotp6(0), "755224");
    assert_eq!(rejected(verify(&env, "H1", "755224").await), Some(RejectCause::UnknownDevice));
    env.otp.assign_token("H1", OFFICER, OPERATOR).await.unwrap();
    assert_eq!(verify(&env, "H1", "755224").await, OtpOutcome::Accepted);
    // The same counter value again is a replay.
    assert_eq!(rejected(verify(&env, "H1", "755224").await), Some(RejectCause::Replay));
    // The token was pressed three times without use: 4 is within the look-ahead of 10.
    assert_eq!(verify(&env, "H1", &hotp6(4)).await, OtpOutcome::Accepted);
    // Now 1..=4 are behind the counter: never accepted again.
    assert!(matches!(
        rejected(verify(&env, "H1", &hotp6(2)).await),
        Some(RejectCause::Replay | RejectCause::Mismatch)
    ));
    // 5 + 10 is the edge of the window, 5 + 11 beyond it.
    assert_eq!(rejected(verify(&env, "H1", &hotp6(16)).await), Some(RejectCause::Mismatch));
    assert_eq!(verify(&env, "H1", &hotp6(15)).await, OtpOutcome::Accepted);
    // Malformed codes are refused without reaching the HSM's seed.
    assert_eq!(rejected(verify(&env, "H1", "12ab56").await), Some(RejectCause::Malformed));
});

firma_testkit::token_test!(async fn totp_drift_window_and_replay(token) {
    let env = env(token, false).await;
    env.import_csv(&format!("serial,type,secret,digits,period,counter,algorithm\nT1,totp,hex:{},6,30,,SHA1\n", rfc_secret_hex())).await;
    env.otp.assign_token("T1", OFFICER, OPERATOR).await.unwrap();
    let now = env.clock.now().unix_timestamp();
    // Two steps ahead is outside ±1.
    assert_eq!(rejected(verify(&env, "T1", &totp6(now + 60)).await), Some(RejectCause::Mismatch));
    // One step ahead (a token clock 30 s fast) is inside; the drift is remembered.
    assert_eq!(verify(&env, "T1", &totp6(now + 30)).await, OtpOutcome::Accepted);
    // The same step again, or an earlier one, is a replay.
    assert_eq!(rejected(verify(&env, "T1", &totp6(now + 30)).await), Some(RejectCause::Replay));
    assert_eq!(rejected(verify(&env, "T1", &totp6(now)).await), Some(RejectCause::Replay));
    // An hour later the token is still 30 s fast: the window is centred on the drift, so
    // "two steps ahead of the server" (= one ahead of the drift) is accepted.
    env.clock.advance(Duration::hours(1));
    let later = env.clock.now().unix_timestamp();
    assert_eq!(verify(&env, "T1", &totp6(later + 60)).await, OtpOutcome::Accepted);
    let state = firma_core::OtpStore::token(&env.db, "T1").await.unwrap().unwrap().state;
    assert_eq!(state.drift, 2, "drift is kept in steps");
});

firma_testkit::token_test!(async fn lock_out_after_consecutive_failures_and_unlock(token) {
    let env = env(token, false).await;
    env.import_csv(&format!("serial,type,secret,digits,period,counter,algorithm\nH2,hotp,hex:{},6,,0,\n", rfc_secret_hex())).await;
    env.otp.assign_token("H2", OFFICER, OPERATOR).await.unwrap();
    for left in (1..5).rev() {
        assert_eq!(
            verify(&env, "H2", "000000").await,
            OtpOutcome::Rejected { cause: RejectCause::Mismatch, attempts_left: left }
        );
    }
    // The fifth failure locks; from then on even the right code is refused.
    assert_eq!(verify(&env, "H2", "000000").await, OtpOutcome::Locked);
    assert_eq!(verify(&env, "H2", &hotp6(0)).await, OtpOutcome::Locked);
    env.otp.unlock("token:H2", OPERATOR, "officer identified by phone").await.unwrap();
    assert_eq!(verify(&env, "H2", &hotp6(0)).await, OtpOutcome::Accepted);
    // A success resets the count: four more failures do not lock.
    for _ in 0..4 {
        assert!(matches!(verify(&env, "H2", "000000").await, OtpOutcome::Rejected { .. }));
    }
    assert_eq!(verify(&env, "H2", &hotp6(1)).await, OtpOutcome::Accepted);
    // Unlocking a device that does not exist is an error, not a silent success.
    assert!(env.otp.unlock("token:NOPE", OPERATOR, "x").await.is_err());
});

firma_testkit::token_test!(async fn resynchronisation_with_two_consecutive_codes(token) {
    let env = env(token, false).await;
    env.import_csv(&format!("serial,type,secret,digits,period,counter,algorithm\nH3,hotp,hex:{},6,,0,\n", rfc_secret_hex())).await;
    env.otp.assign_token("H3", OFFICER, OPERATOR).await.unwrap();
    // The token was pressed 100 times: beyond the look-ahead.
    assert_eq!(rejected(verify(&env, "H3", &hotp6(100)).await), Some(RejectCause::Mismatch));
    // Two codes that are not consecutive do not resynchronise.
    assert!(matches!(
        env.otp.resync_token("H3", &hotp6(100), &hotp6(102), OPERATOR).await.unwrap(),
        OtpOutcome::Rejected { .. }
    ));
    assert_eq!(
        env.otp.resync_token("H3", &hotp6(101), &hotp6(102), OPERATOR).await.unwrap(),
        OtpOutcome::Accepted
    );
    assert_eq!(rejected(verify(&env, "H3", &hotp6(102)).await), Some(RejectCause::Replay));
    assert_eq!(verify(&env, "H3", &hotp6(103)).await, OtpOutcome::Accepted);
});
