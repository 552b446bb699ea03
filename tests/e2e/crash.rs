//! Crash safety: the service is killed (SIGKILL) in the middle of a large batch and restarted.
//! No signature exists without its audit record, no SAD signs more than its count, the audit
//! chain verifies, and the request is finished.

use firma_testkit::{AppOptions, TestApp};
use serde_json::json;

use crate::FIRMA;
use crate::signing_support::{Api, audit, b64, big_pdf, number};

const DOCUMENTS: usize = 40;

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_interrupted_by_sigkill_resumes_without_losing_or_repeating_anything() {
    let (mut app, f) = TestApp::spawn_signing(FIRMA, AppOptions::default()).await;
    let pdf = b64(&big_pdf(1_200_000));
    let documents: Vec<_> = (0..DOCUMENTS)
        .map(|i| json!({"name": format!("atto-{i}.pdf"), "atto": "nascita", "format": "pades", "content": pdf}))
        .collect();
    let (id, code) = {
        let api = Api::new(&app);
        let id = api
            .create(&f, &f.officer.credential_id, json!(documents))
            .await;
        (id, app.last_sms_code(&f.officer.phone).unwrap())
    };
    const SIGNED: &str = "SELECT CAST(COUNT(*) AS TEXT) FROM request_documents \
                          WHERE request = $1 AND status = 'signed'";
    {
        let api = Api::new(&app);
        let (status, body) = api
            .post(
                &f.officer.token,
                &format!("/api/v1/signing-requests/{id}/authorize"),
                &json!({"otp": code}),
            )
            .await;
        assert_eq!(status, 202, "{body}");
    }
    // Kill it once a few documents are signed, well before the end.
    let mut before = 0;
    for _ in 0..2000 {
        before = number(&app, SIGNED, &id).await as usize;
        if before >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    app.crash_and_restart().await;
    let at_kill = number(&app, SIGNED, &id).await as usize;
    assert!(
        (3..DOCUMENTS).contains(&at_kill),
        "killed with {at_kill} of {DOCUMENTS} signed (before: {before})"
    );

    // The restarted service resumes the batch.
    let api = Api::new(&app);
    let done = api.wait_finished(&f.ansc_token, &id).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert!(
        app.logs().contains("resuming an interrupted signing batch"),
        "{}",
        app.logs()
    );

    // Exactly one audit record per signed document, no more signatures than the SAD allowed.
    let mut documents_recorded: Vec<u64> = audit(&app, "signing.signature_created")
        .await
        .into_iter()
        .filter(|(_, subject, _)| subject == &format!("request:{id}"))
        .map(|(_, _, details)| {
            let d: serde_json::Value = serde_json::from_str(&details).unwrap();
            d["document"].as_str().unwrap().parse().unwrap()
        })
        .collect();
    documents_recorded.sort();
    assert_eq!(
        documents_recorded,
        (0..DOCUMENTS as u64).collect::<Vec<_>>()
    );
    let remaining = number(
        &app,
        "SELECT CAST(remaining AS TEXT) FROM sads WHERE purpose = $1",
        &id,
    )
    .await;
    assert_eq!(remaining, 0);
    let outputs = number(
        &app,
        "SELECT CAST(COUNT(*) AS TEXT) FROM request_documents \
         WHERE request = $1 AND output IS NOT NULL AND status = 'signed'",
        &id,
    )
    .await;
    assert_eq!(outputs as usize, DOCUMENTS);

    let out = firma_testkit::app::command(FIRMA.as_ref(), &app.token, &app.database)
        .args(["audit", "verify"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
