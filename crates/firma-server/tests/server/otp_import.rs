//! Importing token batches: RFC 6030 PSKC (plain and pre-shared-key encrypted), tampered MACs and
//! duplicate serials refused with nothing stored, progress on large batches, and no seed in clear
//! anywhere in the database.

use std::sync::{Arc, Mutex};

use firma_core::OtpStore;
use firma_core::otp::{OtpDevice, OtpOutcome};
use firma_server::otp::{ImportFormat, ImportProgress, OtpError};
use sqlx::Row;
use zeroize::Zeroizing;

use crate::support::{OFFICER, OPERATOR, RFC_SECRET, env};

const FIGURE6: &str = include_str!("../../../firma-otp/tests/fixtures/rfc6030-figure6.xml");
const PSK_HEX: &str = "12345678901234567890123456789012";

fn psk() -> Option<Zeroizing<Vec<u8>>> {
    Some(Zeroizing::new(
        (0..PSK_HEX.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&PSK_HEX[i..i + 2], 16).unwrap())
            .collect(),
    ))
}

async fn import(
    env: &crate::support::Env,
    file: &str,
    format: ImportFormat,
    key: Option<Zeroizing<Vec<u8>>>,
) -> Result<usize, OtpError> {
    env.otp
        .import_tokens(
            file.as_bytes().to_vec(),
            format,
            key,
            OPERATOR,
            Arc::new(|_| {}),
        )
        .await
        .map(|s| s.imported)
}

firma_testkit::token_test!(async fn rfc6030_encrypted_example_imports_and_verifies(token) {
    let env = env(token, false).await;
    assert_eq!(import(&env, FIGURE6, ImportFormat::Pskc, psk()).await.unwrap(), 1);
    let stored = env.db.token("987654321").await.unwrap().expect("the RFC 6030 token");
    assert_eq!(stored.manufacturer.as_deref(), Some("Manufacturer"));
    env.otp.assign_token("987654321", OFFICER, OPERATOR).await.unwrap();
    // Figure 6 is an 8-digit HOTP token with the RFC 4226 secret: counter 0 gives 84755224.
    let device = OtpDevice::Token { serial: "987654321".into() };
    assert_eq!(env.otp.verify(&device, "84755224", "req-1", OFFICER).await.unwrap(), OtpOutcome::Accepted);
});

firma_testkit::token_test!(async fn tampered_mac_and_wrong_key_store_nothing(token) {
    let env = env(token, false).await;
    // Change one character of the ValueMAC.
    let start = FIGURE6.find("<ValueMAC>").expect("the figure has a ValueMAC") + "<ValueMAC>".len();
    let mut tampered = FIGURE6.to_owned();
    let c = if &tampered[start..start + 1] == "A" { "B" } else { "A" };
    tampered.replace_range(start..start + 1, c);
    let err = import(&env, &tampered, ImportFormat::Pskc, psk()).await.unwrap_err();
    assert!(err.to_string().to_lowercase().contains("mac"), "{err}");
    let wrong_key = Some(Zeroizing::new(vec![0x42; 16]));
    assert!(import(&env, FIGURE6, ImportFormat::Pskc, wrong_key).await.is_err());
    assert!(env.db.token("987654321").await.unwrap().is_none());
});

firma_testkit::token_test!(async fn duplicates_refuse_the_whole_file(token) {
    let env = env(token, false).await;
    let secret: String = RFC_SECRET.iter().map(|b| format!("{b:02x}")).collect();
    let header = "serial,type,secret,digits,period,counter,algorithm";
    import(&env, &format!("{header}\nA1,hotp,hex:{secret},6,,0,\n"), ImportFormat::Csv, None).await.unwrap();
    let err = import(&env, &format!("{header}\nB1,hotp,hex:{secret},6,,0,\nA1,hotp,hex:{secret},6,,0,\n"), ImportFormat::Csv, None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("A1"), "{err}");
    assert!(env.db.token("B1").await.unwrap().is_none(), "nothing of the refused file is stored");
    // A serial twice in one file is refused by the parser, naming the line.
    let err = import(&env, &format!("{header}\nC1,hotp,hex:{secret},6,,0,\nC1,hotp,hex:{secret},6,,0,\n"), ImportFormat::Csv, None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("C1"), "{err}");
});

firma_testkit::token_test!(async fn large_batches_report_progress_and_keep_no_seed_in_clear(token) {
    let env = env(token, false).await;
    let n = 1200;
    let mut csv = String::from("serial,type,secret,digits,period,counter,algorithm\n");
    let mut seeds = Vec::new();
    for i in 0..n {
        let seed: Vec<u8> = (0..20).map(|j| ((i * 31 + j * 7) % 251) as u8 ^ 0x5a).collect();
        let hex: String = seed.iter().map(|b| format!("{b:02x}")).collect();
        csv.push_str(&format!("TK{i:05},totp,hex:{hex},6,30,,SHA1\n"));
        seeds.push(seed);
    }
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    env.otp
        .import_tokens(csv.into_bytes(), ImportFormat::Csv, None, OPERATOR, Arc::new(move |p| sink.lock().unwrap().push(p)))
        .await
        .unwrap();
    let events = events.lock().unwrap().clone();
    assert_eq!(events.first(), Some(&ImportProgress::Parsed(n)));
    assert_eq!(events.last(), Some(&ImportProgress::Stored { done: n, total: n }));
    let sealed_steps = events.iter().filter(|e| matches!(e, ImportProgress::Sealed { .. })).count();
    assert!(sealed_steps >= 4, "progress while sealing: {events:?}");

    // Read the raw rows: no seed, in any column, in clear.
    let path = env.database.url().strip_prefix("sqlite://").unwrap().to_owned();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{path}")).await.unwrap();
    let rows = sqlx::query("SELECT * FROM otp_tokens").fetch_all(&pool).await.unwrap();
    assert_eq!(rows.len(), n);
    let mut all_bytes = Vec::new();
    for row in &rows {
        for i in 0..row.len() {
            if let Ok(v) = row.try_get::<Vec<u8>, _>(i) {
                all_bytes.extend_from_slice(&v);
            } else if let Ok(Some(v)) = row.try_get::<Option<String>, _>(i) {
                all_bytes.extend_from_slice(v.as_bytes());
            }
        }
    }
    for seed in seeds.iter().step_by(97) {
        let hex: String = seed.iter().map(|b| format!("{b:02x}")).collect();
        assert!(!all_bytes.windows(seed.len()).any(|w| w == seed.as_slice()), "a seed is stored in clear");
        assert!(!all_bytes.windows(hex.len()).any(|w| w == hex.as_bytes()), "a seed is stored in hex");
    }
});
