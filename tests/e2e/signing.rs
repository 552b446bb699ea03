//! The main flow over real HTTP, on SoftHSM and SQLite, and the same on PostgreSQL: ANSC core
//! submits a batch of atti, the officer authorises it with one SMS code, the service signs every
//! document; outputs are accepted by pyHanko, pdfsig and OpenSSL.

use firma_testkit::{AppOptions, TestApp};
use serde_json::json;
use sha2::Digest;

use crate::FIRMA;
use crate::signing_support::{ATTO_PDF, Api, b64, openssl_cms_verify, pdfsig, pyhanko_validate};

async fn batch_signed_with_one_otp(postgres: bool) {
    let (app, f) = TestApp::spawn_signing(
        FIRMA,
        AppOptions {
            postgres,
            ..Default::default()
        },
    )
    .await;
    let api = Api::new(&app);
    let content = b"Atto di matrimonio n. 12, parte I, serie A".to_vec();
    let digest = sha2::Sha256::digest(&content).to_vec();
    let documents = json!([
        {"name": "nascita-1.pdf", "atto": "nascita", "format": "pades", "content": b64(ATTO_PDF)},
        {"name": "morte-7.pdf", "atto": "morte", "format": "pades", "level": "B-T", "content": b64(ATTO_PDF)},
        {"name": "nascita-2", "atto": "nascita", "format": "cades-attached", "level": "B-T", "content": b64(&content)},
        {"name": "nascita-3", "atto": "nascita", "format": "cades-detached", "content": b64(&content)},
        {"name": "morte-8", "atto": "morte", "format": "digest", "content": b64(&digest)},
    ]);
    let id = api.create(&f, &f.officer.credential_id, documents).await;
    // The officer sees what they will sign: every document with its hash.
    let (status, seen) = api
        .get(&f.officer.token, &format!("/api/v1/signing-requests/{id}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(seen["status"], "awaiting_authorization");
    assert_eq!(seen["documents"].as_array().unwrap().len(), 5);
    assert_eq!(seen["documents"][4]["sha256"], hex(&digest));
    let code = app
        .last_sms_code(&f.officer.phone)
        .expect("an SMS code was sent");
    let (status, body) = api
        .post(
            &f.officer.token,
            &format!("/api/v1/signing-requests/{id}/authorize"),
            &json!({"otp": code}),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    let done = api.wait_finished(&f.ansc_token, &id).await;
    assert_eq!(done["status"], "completed", "{done}");

    let dir = tempfile::tempdir().unwrap();
    let fetch = |i: u32, name: &str| {
        let path = dir.path().join(name);
        let api = &api;
        let token = f.ansc_token.clone();
        let id = id.clone();
        async move {
            let (status, bytes) = api
                .bytes(
                    &token,
                    &format!("/api/v1/signing-requests/{id}/documents/{i}"),
                )
                .await;
            assert_eq!(status, 200);
            std::fs::write(&path, bytes).unwrap();
            path
        }
    };
    for (i, name) in [(0, "nascita-1.pdf"), (1, "morte-7.pdf")] {
        let pdf = fetch(i, name).await;
        let verdict = pyhanko_validate(&pdf, &f.root_pem);
        assert!(
            verdict.contains("INTACT:TRUSTED") && verdict.contains("UNTOUCHED"),
            "{name}: {verdict}"
        );
        let poppler = pdfsig(&pdf, &f.root_pem);
        assert!(poppler.contains("Signature is Valid"), "{name}: {poppler}");
    }
    let data = dir.path().join("content.txt");
    std::fs::write(&data, &content).unwrap();
    let p7m = fetch(2, "nascita-2.p7m").await;
    assert_eq!(
        openssl_cms_verify(&p7m, &f.root_pem, None).unwrap(),
        content
    );
    for (i, name) in [(3, "nascita-3.p7s"), (4, "morte-8.p7s")] {
        let p7s = fetch(i, name).await;
        openssl_cms_verify(&p7s, &f.root_pem, Some(&data))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        // And not for other content.
        let other = dir.path().join("other.txt");
        std::fs::write(&other, b"un altro atto").unwrap();
        assert!(openssl_cms_verify(&p7s, &f.root_pem, Some(&other)).is_err());
    }

    // Every signature has its audit record, and the chain verifies.
    let out = firma_testkit::app::command(FIRMA.as_ref(), &app.token, &app.database)
        .args(["audit", "verify"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("audit chain intact"));
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_is_signed_with_one_otp_sqlite() {
    batch_signed_with_one_otp(false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_is_signed_with_one_otp_postgres() {
    batch_signed_with_one_otp(true).await;
}
