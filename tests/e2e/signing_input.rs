//! Bad input gets a clear 4xx with a stable code, the service keeps serving; idempotent creates;
//! cancellation.

use firma_testkit::{AppOptions, TestApp};
use serde_json::json;

use crate::FIRMA;
use crate::signing_support::{ATTO_PDF, Api, b64};

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_gets_clear_errors_and_the_service_keeps_serving() {
    let env = vec![(
        "FIRMA_API__MAX_REQUEST_BYTES".to_owned(),
        "200000".to_owned(),
    )];
    let (app, f) = TestApp::spawn_signing(
        FIRMA,
        AppOptions {
            env,
            ..Default::default()
        },
    )
    .await;
    let api = Api::new(&app);
    let url = app.url("/api/v1/signing-requests");
    let send = |body: reqwest::Body, ct: &'static str| {
        api.client
            .post(&url)
            .bearer_auth(&f.ansc_token)
            .header("content-type", ct)
            .body(body)
            .send()
    };
    let expect = |status: u16, code: &'static str| {
        move |r: (u16, serde_json::Value)| {
            assert_eq!(r.0, status, "{}", r.1);
            assert_eq!(r.1["error"]["code"], code, "{}", r.1);
            assert!(r.1["error"]["message"].as_str().unwrap().len() > 10);
        }
    };
    async fn read(r: reqwest::Response) -> (u16, serde_json::Value) {
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(serde_json::Value::Null))
    }
    expect(400, "malformed_json")(
        read(
            send("{\"credential_id\": ".into(), "application/json")
                .await
                .unwrap(),
        )
        .await,
    );
    expect(415, "unsupported_media_type")(
        read(
            api.client
                .post(app.url(&format!("/api/v1/signing-requests/{}/authorize", uuid())))
                .bearer_auth(&f.officer.token)
                .header("content-type", "text/plain")
                .body("{}")
                .send()
                .await
                .unwrap(),
        )
        .await,
    );
    let huge = json!({"credential_id": f.officer.credential_id, "documents": [{"name": "a", "atto": "nascita", "format": "cades-attached", "content": b64(&vec![7u8; 300_000])}]});
    let too_large = send(huge.to_string().into(), "application/json")
        .await
        .unwrap();
    // The unread rest of the body makes the connection unusable: the service says so, so that
    // the client's next request (below, on the same pooled client) goes on a new connection.
    assert_eq!(
        too_large.headers().get("connection").map(|v| v.as_bytes()),
        Some(&b"close"[..])
    );
    expect(413, "payload_too_large")(read(too_large).await);
    let doc = |format: &str, content: String| json!({"credential_id": f.officer.credential_id, "documents": [{"name": "a", "atto": "nascita", "format": format, "content": content}]});
    expect(422, "pdf_refused")(
        api.post(
            &f.ansc_token,
            "/api/v1/signing-requests",
            &doc("pades", b64(b"this is not a PDF, it is plain text")),
        )
        .await,
    );
    expect(400, "invalid_base64")(
        api.post(
            &f.ansc_token,
            "/api/v1/signing-requests",
            &doc("pades", "%%%not-base64%%%".into()),
        )
        .await,
    );
    expect(422, "invalid_digest")(
        api.post(
            &f.ansc_token,
            "/api/v1/signing-requests",
            &doc("digest", b64(&[1u8; 20])),
        )
        .await,
    );
    expect(422, "invalid_format")(
        api.post(
            &f.ansc_token,
            "/api/v1/signing-requests",
            &doc("xades", b64(b"x")),
        )
        .await,
    );
    expect(422, "no_documents")(
        api.post(
            &f.ansc_token,
            "/api/v1/signing-requests",
            &json!({"credential_id": f.officer.credential_id, "documents": []}),
        )
        .await,
    );
    let unknown = json!({"credential_id": uuid(), "documents": [{"name": "a", "atto": "nascita", "format": "pades", "content": b64(ATTO_PDF)}]});
    expect(404, "not_found")(
        api.post(&f.ansc_token, "/api/v1/signing-requests", &unknown)
            .await,
    );
    let bad_atto = json!({"credential_id": f.officer.credential_id, "documents": [{"name": "a", "atto": "battesimo", "format": "pades", "content": b64(ATTO_PDF)}]});
    expect(422, "invalid_atto")(
        api.post(&f.ansc_token, "/api/v1/signing-requests", &bad_atto)
            .await,
    );
    expect(422, "invalid_request")(
        api.post(
            &f.ansc_token,
            "/api/v1/signing-requests",
            &json!({"documents": []}),
        )
        .await,
    );
    // Nothing above created a request or crashed the service.
    assert_eq!(
        reqwest::get(app.url("/health/ready"))
            .await
            .unwrap()
            .status(),
        200
    );
    let ok = api.create(&f, &f.officer.credential_id, json!([{"name": "a.pdf", "atto": "nascita", "format": "pades", "content": b64(ATTO_PDF)}])).await;
    assert_eq!(ok.len(), 36);
}

#[tokio::test(flavor = "multi_thread")]
async fn retried_creates_with_an_idempotency_key_make_one_request() {
    let (app, f) = TestApp::spawn_signing(FIRMA, AppOptions::default()).await;
    let api = Api::new(&app);
    let body = json!({"credential_id": f.officer.credential_id, "documents": [{"name": "a.pdf", "atto": "nascita", "format": "pades", "content": b64(ATTO_PDF)}]});
    let post = |b: &serde_json::Value| {
        api.client
            .post(app.url("/api/v1/signing-requests"))
            .bearer_auth(&f.ansc_token)
            .header("idempotency-key", "ansc-batch-42")
            .json(b)
            .send()
    };
    let first = post(&body).await.unwrap();
    assert_eq!(first.status(), 201);
    let first: serde_json::Value = first.json().await.unwrap();
    let again = post(&body).await.unwrap();
    assert_eq!(again.status(), 200);
    let again: serde_json::Value = again.json().await.unwrap();
    assert_eq!(first["id"], again["id"]);
    // Only one SMS was sent.
    let outbox = std::fs::read_to_string(app.token.dir().join("data/sms-outbox.jsonl")).unwrap();
    assert_eq!(outbox.lines().count(), 1);
    let mut different = body.clone();
    different["documents"][0]["name"] = json!("b.pdf");
    let conflict = post(&different).await.unwrap();
    assert_eq!(conflict.status(), 409);
    assert_eq!(
        conflict.json::<serde_json::Value>().await.unwrap()["error"]["code"],
        "idempotency_key_reused"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cancelled_request_cannot_be_authorised() {
    let (app, f) = TestApp::spawn_signing(FIRMA, AppOptions::default()).await;
    let api = Api::new(&app);
    let id = api.create(&f, &f.officer.credential_id, json!([{"name": "a.pdf", "atto": "nascita", "format": "pades", "content": b64(ATTO_PDF)}])).await;
    let code = app.last_sms_code(&f.officer.phone).unwrap();
    let (status, body) = api
        .post(
            &f.ansc_token,
            &format!("/api/v1/signing-requests/{id}/cancel"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "cancelled");
    let (status, body) = api
        .post(
            &f.officer.token,
            &format!("/api/v1/signing-requests/{id}/authorize"),
            &json!({"otp": code}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    let (status, _) = api
        .post(
            &f.ansc_token,
            &format!("/api/v1/signing-requests/{id}/cancel"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 409, "a finished request cannot be cancelled again");
    let (status, body) = api
        .bytes(
            &f.ansc_token,
            &format!("/api/v1/signing-requests/{id}/documents/0"),
        )
        .await;
    assert_eq!(status, 409, "{}", String::from_utf8_lossy(&body));
}

fn uuid() -> String {
    "6b1e2c1a-0000-4000-8000-000000000001".to_owned()
}
