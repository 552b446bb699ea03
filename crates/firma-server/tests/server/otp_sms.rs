//! SMS codes: sent through the simulator, single use, bound to one purpose, expiring, resends
//! rate-limited, failures locking the device.

use firma_core::Clock;
use firma_core::PhoneNumber;
use firma_core::otp::{OtpDevice, OtpOutcome, RejectCause};
use firma_server::otp::OtpError;
use time::Duration;

use crate::support::{OFFICER, OPERATOR, env};

const PHONE: &str = "+393331234567";

fn sms() -> OtpDevice {
    OtpDevice::Sms {
        owner: OFFICER.into(),
    }
}

fn rejected(outcome: OtpOutcome) -> Option<RejectCause> {
    match outcome {
        OtpOutcome::Rejected { cause, .. } => Some(cause),
        _ => None,
    }
}

firma_testkit::token_test!(async fn a_code_is_used_once_for_its_purpose_only(token) {
    let env = env(token, false).await;
    env.otp.register_phone(OFFICER, &PhoneNumber::parse(PHONE).unwrap()).await.unwrap();
    let sent = env.otp.send_sms_code(OFFICER, "req-1", "la firma di 3 atti", OFFICER).await.unwrap();
    assert_eq!(sent.expires_at, env.clock.now() + Duration::minutes(5));
    assert_eq!(sent.sends_left, 4);
    let code = env.last_sms_code(PHONE);
    let text = &firma_server::sms::read_outbox(&env.outbox, Some(PHONE), 1).unwrap()[0].text;
    assert!(text.contains("la firma di 3 atti") && text.contains(&code), "{text}");
    // The code authorises req-1, not another request.
    assert_eq!(
        rejected(env.otp.verify(&sms(), &code, "req-2", OFFICER).await.unwrap()),
        Some(RejectCause::NoChallenge)
    );
    assert_eq!(env.otp.verify(&sms(), &code, "req-1", OFFICER).await.unwrap(), OtpOutcome::Accepted);
    // Used: a second submission is refused.
    assert_eq!(
        rejected(env.otp.verify(&sms(), &code, "req-1", OFFICER).await.unwrap()),
        Some(RejectCause::NoChallenge)
    );
});

firma_testkit::token_test!(async fn codes_expire(token) {
    let env = env(token, false).await;
    env.otp.register_phone(OFFICER, &PhoneNumber::parse(PHONE).unwrap()).await.unwrap();
    env.otp.send_sms_code(OFFICER, "req-1", "la firma di 1 atto", OFFICER).await.unwrap();
    let code = env.last_sms_code(PHONE);
    env.clock.advance(Duration::minutes(5));
    assert_eq!(
        rejected(env.otp.verify(&sms(), &code, "req-1", OFFICER).await.unwrap()),
        Some(RejectCause::Expired)
    );
});

firma_testkit::token_test!(async fn resends_are_rate_limited_and_replace_the_old_code(token) {
    let env = env(token, false).await;
    env.otp.register_phone(OFFICER, &PhoneNumber::parse(PHONE).unwrap()).await.unwrap();
    env.otp.send_sms_code(OFFICER, "req-1", "x", OFFICER).await.unwrap();
    let first = env.last_sms_code(PHONE);
    env.clock.advance(Duration::seconds(10));
    match env.otp.send_sms_code(OFFICER, "req-1", "x", OFFICER).await {
        Err(OtpError::RateLimited { retry_after_seconds, .. }) => assert_eq!(retry_after_seconds, 20),
        other => panic!("expected a rate limit, got {other:?}"),
    }
    env.clock.advance(Duration::seconds(20));
    env.otp.send_sms_code(OFFICER, "req-1", "x", OFFICER).await.unwrap();
    let second = env.last_sms_code(PHONE);
    if first != second {
        // The first code no longer works once a new one was sent.
        assert_eq!(
            rejected(env.otp.verify(&sms(), &first, "req-1", OFFICER).await.unwrap()),
            Some(RejectCause::Mismatch)
        );
    }
    assert_eq!(env.otp.verify(&sms(), &second, "req-1", OFFICER).await.unwrap(), OtpOutcome::Accepted);
    // At most 5 sends per purpose.
    for _ in 0..3 {
        env.clock.advance(Duration::seconds(31));
        env.otp.send_sms_code(OFFICER, "req-9", "x", OFFICER).await.unwrap();
    }
    for _ in 0..2 {
        env.clock.advance(Duration::seconds(31));
        env.otp.send_sms_code(OFFICER, "req-9", "x", OFFICER).await.unwrap();
    }
    env.clock.advance(Duration::seconds(31));
    assert!(matches!(
        env.otp.send_sms_code(OFFICER, "req-9", "x", OFFICER).await,
        Err(OtpError::TooManySends(5))
    ));
});

firma_testkit::token_test!(async fn wrong_codes_lock_the_device_until_unlocked(token) {
    let env = env(token, false).await;
    env.otp.register_phone(OFFICER, &PhoneNumber::parse(PHONE).unwrap()).await.unwrap();
    env.otp.send_sms_code(OFFICER, "req-1", "x", OFFICER).await.unwrap();
    let code = env.last_sms_code(PHONE);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..4 {
        assert!(matches!(
            env.otp.verify(&sms(), wrong, "req-1", OFFICER).await.unwrap(),
            OtpOutcome::Rejected { cause: RejectCause::Mismatch, .. }
        ));
    }
    assert_eq!(env.otp.verify(&sms(), wrong, "req-1", OFFICER).await.unwrap(), OtpOutcome::Locked);
    assert_eq!(env.otp.verify(&sms(), &code, "req-1", OFFICER).await.unwrap(), OtpOutcome::Locked);
    // A locked device gets no new codes either.
    env.clock.advance(Duration::seconds(60));
    assert!(matches!(
        env.otp.send_sms_code(OFFICER, "req-1", "x", OFFICER).await,
        Err(OtpError::Locked(_))
    ));
    env.otp.unlock(&format!("sms:{OFFICER}"), OPERATOR, "identity checked").await.unwrap();
    assert_eq!(env.otp.verify(&sms(), &code, "req-1", OFFICER).await.unwrap(), OtpOutcome::Accepted);
});

firma_testkit::token_test!(async fn no_phone_no_code(token) {
    let env = env(token, false).await;
    assert!(matches!(
        env.otp.send_sms_code("officer:unknown", "req-1", "x", OPERATOR).await,
        Err(OtpError::NoPhone(_))
    ));
    assert_eq!(
        rejected(env.otp.verify(&OtpDevice::Sms { owner: "officer:unknown".into() }, "123456", "req-1", OPERATOR).await.unwrap()),
        Some(RejectCause::UnknownDevice)
    );
});
