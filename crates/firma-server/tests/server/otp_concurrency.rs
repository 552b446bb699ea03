//! Many concurrent submissions of the same valid code: exactly one is accepted, on SQLite and on
//! PostgreSQL.

use std::sync::Arc;

use firma_core::otp::{OtpDevice, OtpOutcome};
use firma_core::{Clock, PhoneNumber};
use firma_otp::{Digits, OtpHash, TimeStep, TotpParams, format_code, totp};

use crate::support::{Env, OFFICER, OPERATOR, RFC_SECRET, env, rfc_secret_hex};

const TASKS: usize = 16;

async fn race(env: Arc<Env>, device: OtpDevice, code: String) -> Vec<OtpOutcome> {
    let barrier = Arc::new(tokio::sync::Barrier::new(TASKS));
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let (env, device, code, barrier) =
            (env.clone(), device.clone(), code.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            env.otp
                .verify(&device, &code, "req-1", OFFICER)
                .await
                .unwrap()
        }));
    }
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.unwrap());
    }
    outcomes
}

async fn same_totp_code_once(postgres: bool, token: &firma_testkit::softhsm::TestToken) {
    let env = Arc::new(env(token, postgres).await);
    env.import_csv(&format!(
        "serial,type,secret,digits,period,counter,algorithm\nT1,totp,hex:{},6,30,,SHA1\n",
        rfc_secret_hex()
    ))
    .await;
    env.otp.assign_token("T1", OFFICER, OPERATOR).await.unwrap();
    let p = TotpParams {
        hash: OtpHash::Sha1,
        digits: Digits::SIX,
        step: TimeStep::THIRTY,
        t0: 0,
    };
    let code = format_code(
        totp(RFC_SECRET, env.clock.now().unix_timestamp(), &p).unwrap(),
        Digits::SIX,
    );
    let outcomes = race(
        env.clone(),
        OtpDevice::Token {
            serial: "T1".into(),
        },
        code,
    )
    .await;
    let accepted = outcomes
        .iter()
        .filter(|o| **o == OtpOutcome::Accepted)
        .count();
    assert_eq!(accepted, 1, "{outcomes:?}");
}

async fn same_sms_code_once(postgres: bool, token: &firma_testkit::softhsm::TestToken) {
    let env = Arc::new(env(token, postgres).await);
    env.otp
        .register_phone(OFFICER, &PhoneNumber::parse("+393330000001").unwrap())
        .await
        .unwrap();
    env.otp
        .send_sms_code(OFFICER, "req-1", "x", OFFICER)
        .await
        .unwrap();
    let code = env.last_sms_code("+393330000001");
    let outcomes = race(
        env.clone(),
        OtpDevice::Sms {
            owner: OFFICER.into(),
        },
        code,
    )
    .await;
    let accepted = outcomes
        .iter()
        .filter(|o| **o == OtpOutcome::Accepted)
        .count();
    assert_eq!(accepted, 1, "{outcomes:?}");
}

firma_testkit::token_test!(async fn one_of_many_concurrent_totp_submissions_succeeds_sqlite(token) {
    same_totp_code_once(false, token).await;
});

firma_testkit::token_test!(async fn one_of_many_concurrent_totp_submissions_succeeds_postgres(token) {
    same_totp_code_once(true, token).await;
});

firma_testkit::token_test!(async fn one_of_many_concurrent_sms_submissions_succeeds_sqlite(token) {
    same_sms_code_once(false, token).await;
});

firma_testkit::token_test!(async fn one_of_many_concurrent_sms_submissions_succeeds_postgres(token) {
    same_sms_code_once(true, token).await;
});
