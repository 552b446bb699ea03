//! Every OTP failure, lock-out, unlock and send is in the audit log, in the same transaction as
//! the change; the chain verifies, refuses edits, and tampering is found at its record. The
//! database never holds an SMS code in clear.

use firma_core::otp::OtpDevice;
use firma_core::{AuditLog, ChainError, PhoneNumber, verify_chain};
use sqlx::Row;

use crate::support::{OFFICER, OPERATOR, env};

const PHONE: &str = "+393339990000";

async fn kinds(db: &firma_store::Database) -> Vec<String> {
    db.records(0, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.kind)
        .collect()
}

async fn exercise(env: &crate::support::Env) -> String {
    env.otp
        .register_phone(OFFICER, &PhoneNumber::parse(PHONE).unwrap())
        .await
        .unwrap();
    env.otp
        .send_sms_code(OFFICER, "req-1", "x", OFFICER)
        .await
        .unwrap();
    let code = env.last_sms_code(PHONE);
    let device = OtpDevice::Sms {
        owner: OFFICER.into(),
    };
    let wrong = if code == "999999" { "888888" } else { "999999" };
    for _ in 0..5 {
        env.otp
            .verify(&device, wrong, "req-1", OFFICER)
            .await
            .unwrap();
    }
    env.otp
        .unlock(&format!("sms:{OFFICER}"), OPERATOR, "checked")
        .await
        .unwrap();
    env.otp
        .verify(&device, &code, "req-1", OFFICER)
        .await
        .unwrap();
    code
}

async fn audited_on(postgres: bool, token: &firma_testkit::softhsm::TestToken) {
    let env = env(token, postgres).await;
    exercise(&env).await;
    let kinds = kinds(&env.db).await;
    let count = |k: &str| kinds.iter().filter(|x| *x == k).count();
    assert_eq!(count("otp.sms_sent"), 1, "{kinds:?}");
    assert_eq!(count("otp.rejected"), 5, "{kinds:?}");
    assert_eq!(count("otp.locked_out"), 1, "{kinds:?}");
    assert_eq!(count("otp.unlocked"), 1, "{kinds:?}");
    assert_eq!(count("otp.accepted"), 1, "{kinds:?}");
    let records = env.db.records(0, 1000).await.unwrap();
    let last = verify_chain(None, &records).unwrap().unwrap();
    assert_eq!(last.0, records.len() as i64);
    // The rejection records say why, and who.
    let rejection = records.iter().find(|r| r.kind == "otp.rejected").unwrap();
    assert_eq!(
        rejection.details.get("reason").map(String::as_str),
        Some("mismatch")
    );
    assert_eq!(rejection.actor, OFFICER);
    // Paging gives the same chain.
    let page1 = env.db.records(0, 3).await.unwrap();
    let page2 = env.db.records(3, 1000).await.unwrap();
    assert_eq!(
        verify_chain(verify_chain(None, &page1).unwrap(), &page2).unwrap(),
        Some(last)
    );
}

firma_testkit::token_test!(async fn failures_lockouts_and_unlocks_are_audited_sqlite(token) {
    audited_on(false, token).await;
});

firma_testkit::token_test!(async fn failures_lockouts_and_unlocks_are_audited_postgres(token) {
    audited_on(true, token).await;
});

firma_testkit::token_test!(async fn the_log_refuses_edits_and_tampering_is_located(token) {
    let env = env(token, false).await;
    let code = exercise(&env).await;
    let path = env.database.url().strip_prefix("sqlite://").unwrap().to_owned();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{path}")).await.unwrap();
    // Append-only: the database itself refuses updates and deletes.
    let update = sqlx::query("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3").execute(&pool).await;
    assert!(update.unwrap_err().to_string().contains("append-only"));
    assert!(sqlx::query("DELETE FROM audit_log WHERE seq = 3").execute(&pool).await.is_err());

    // No SMS code in clear anywhere in the database.
    for table in ["sms_challenges", "sms_devices", "audit_log"] {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM {table}"))).fetch_all(&pool).await.unwrap();
        for row in rows {
            for i in 0..row.len() {
                let text = row
                    .try_get::<Option<String>, _>(i)
                    .ok()
                    .flatten()
                    .or_else(|| row.try_get::<Vec<u8>, _>(i).ok().map(|b| String::from_utf8_lossy(&b).into_owned()))
                    .unwrap_or_default();
                assert!(!text.contains(&code), "{table} holds the SMS code in clear");
            }
        }
    }

    // Someone with write access to the file removes the guard and edits record 3.
    sqlx::query("DROP TRIGGER audit_log_no_update").execute(&pool).await.unwrap();
    sqlx::query("UPDATE audit_log SET details = '{\"reason\":\"accepted\"}' WHERE seq = 3")
        .execute(&pool)
        .await
        .unwrap();
    let records = env.db.records(0, 1000).await.unwrap();
    assert_eq!(verify_chain(None, &records), Err(ChainError::Content { seq: 3 }));
});
