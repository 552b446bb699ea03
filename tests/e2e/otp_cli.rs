//! The operator's OTP commands, as run from a shell: token import with progress, refusals with
//! one clear line, the audit chain check, the SMS simulator's outbox (CLI and HTTP).

use std::process::Output;

use firma_testkit::app::command;
use firma_testkit::softhsm::TestToken;
use firma_testkit::{AppOptions, TestApp, TestDatabase};
use serde_json::Value;

use crate::FIRMA;

fn firma(token: &TestToken, db: &TestDatabase, args: &[&str]) -> Output {
    command(FIRMA.as_ref(), token, db)
        .args(args)
        .output()
        .expect("running firma")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn import_shows_progress_and_the_audit_chain_verifies() {
    let token = TestToken::create();
    let db = TestDatabase::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("batch.csv");
    let mut csv = String::from("serial,type,secret,digits,period,counter,algorithm\n");
    for i in 0..2000 {
        csv.push_str(&format!(
            "FT{i:06},totp,hex:{:040x},6,30,,SHA1\n",
            0xA5A5_0000_u64 + i
        ));
    }
    std::fs::write(&file, csv).unwrap();

    let out = firma(
        &token,
        &db,
        &[
            "tokens",
            "import",
            file.to_str().unwrap(),
            "--actor",
            "prefettura-roma",
        ],
    );
    let text = stdout(&out);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("read 2000 tokens"), "{text}");
    assert!(
        text.contains("sealing seeds in the HSM: 256/2000"),
        "{text}"
    );
    assert!(text.contains("storing: 2000/2000"), "{text}");
    assert!(text.contains("imported 2000 tokens (csv)"), "{text}");

    // The same file again: refused with one line naming the serial, nothing stored.
    let again = firma(&token, &db, &["tokens", "import", file.to_str().unwrap()]);
    assert!(!again.status.success());
    let err = String::from_utf8_lossy(&again.stderr);
    let line = err
        .lines()
        .find(|l| l.starts_with("error: "))
        .expect("an error line");
    assert!(
        line.contains("FT000000") && line.contains("already imported"),
        "{line}"
    );

    let show = firma(&token, &db, &["tokens", "show", "FT001999"]);
    assert!(stdout(&show).contains("in_stock"), "{}", stdout(&show));
    assert!(
        !stdout(&show).to_lowercase().contains("a5a5"),
        "the seed is never shown"
    );

    let verify = firma(&token, &db, &["audit", "verify"]);
    assert!(verify.status.success());
    assert!(
        stdout(&verify).contains("audit chain intact: 1 records"),
        "{}",
        stdout(&verify)
    );
}

#[test]
fn a_damaged_token_file_is_refused_with_one_line() {
    let token = TestToken::create();
    let db = TestDatabase::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("batch.csv");
    std::fs::write(
        &file,
        "serial,type,secret,digits,period,counter,algorithm\nX1,totp,hex:zz,6,30,,\n",
    )
    .unwrap();
    let out = firma(&token, &db, &["tokens", "import", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(errors[0].contains("line 2"), "{}", errors[0]);
    assert!(!err.contains("panicked"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_simulator_outbox_is_readable_over_http_and_cli() {
    let app = TestApp::spawn(FIRMA, AppOptions::default()).await;
    let client = reqwest::Client::new();
    let empty: Value = client
        .get(app.url("/sim/sms/outbox"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(empty, serde_json::json!([]));
    let out = tokio::task::block_in_place(|| {
        firma(
            &app.token,
            &app.database,
            &["sms", "test", "--to", "333 1234567"],
        )
    });
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let messages: Value = client
        .get(app.url("/sim/sms/outbox?to=%2B393331234567"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(messages.as_array().unwrap().len(), 1, "{messages}");
    assert_eq!(messages[0]["to"], "+393331234567");
    let other: Value = client
        .get(app.url("/sim/sms/outbox?to=%2B393339999999"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(other, serde_json::json!([]));
    let cli = tokio::task::block_in_place(|| firma(&app.token, &app.database, &["sms", "outbox"]));
    assert!(
        stdout(&cli).contains("+393331234567") && stdout(&cli).contains("prova"),
        "{}",
        stdout(&cli)
    );
}
