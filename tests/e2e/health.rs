//! Liveness, readiness, and JSON errors for unknown routes, on the embedded default (SQLite).

use firma_testkit::{AppOptions, TestApp};
use serde_json::Value;

use crate::FIRMA;

#[tokio::test]
async fn ready_when_the_hsm_and_the_database_answer() {
    let app = TestApp::spawn(FIRMA, AppOptions::default()).await;
    let client = reqwest::Client::new();

    let live = client.get(app.url("/health/live")).send().await.unwrap();
    assert_eq!(live.status(), 200);
    assert_eq!(live.json::<Value>().await.unwrap()["status"], "up");

    let ready = client.get(app.url("/health/ready")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready", "{body}");
    assert_eq!(body["checks"]["hsm"]["status"], "up", "{body}");
    assert!(
        body["checks"]["hsm"]["detail"]
            .as_str()
            .unwrap()
            .contains("firma-test")
    );
    assert_eq!(body["checks"]["database"]["status"], "up", "{body}");
    let backend = if app.database.is_postgres() {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(body["checks"]["database"]["detail"], backend);
    // The SQLite file exists where the configuration said.
    if let Some(path) = app.sqlite_path() {
        assert!(path.exists());
    }
}

#[tokio::test]
async fn unknown_routes_get_json_errors() {
    let app = TestApp::spawn(FIRMA, AppOptions::default()).await;
    let client = reqwest::Client::new();
    let r = client.get(app.url("/no/such/thing")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    assert!(body["error"]["message"].as_str().unwrap().len() > 10);

    let r = client.post(app.url("/health/live")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "method_not_allowed");
}

#[tokio::test]
async fn logs_are_structured_and_hold_no_secrets() {
    let app = TestApp::spawn(FIRMA, AppOptions::default()).await;
    reqwest::get(app.url("/health/ready")).await.unwrap();
    let logs = app.logs();
    let mut lines = 0;
    for line in logs.lines() {
        let v: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(
            v.get("level").is_some() && v.get("timestamp").is_some(),
            "{line}"
        );
        lines += 1;
    }
    assert!(lines >= 3, "{logs}");
    assert!(logs.contains("HSM connected") && logs.contains("listening"));
    assert!(
        !logs.contains(&app.token.user_pin),
        "the PIN must never be logged"
    );
}

#[tokio::test]
async fn the_openapi_document_describes_the_api() {
    let app = TestApp::spawn(FIRMA, AppOptions::default()).await;
    let r = reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    let doc: Value = r.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/api/v1/signing-requests",
        "/api/v1/signing-requests/{id}",
        "/api/v1/signing-requests/{id}/authorize",
        "/api/v1/signing-requests/{id}/otp",
        "/api/v1/signing-requests/{id}/cancel",
        "/api/v1/signing-requests/{id}/documents/{index}",
        "/health/ready",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is not documented");
    }
    // Every error code the create endpoint can answer is named in its description.
    let create = doc["paths"]["/api/v1/signing-requests"]["post"]["responses"].to_string();
    for code in [
        "malformed_json",
        "invalid_base64",
        "pdf_refused",
        "profile_missing",
        "payload_too_large",
        "idempotency_key_reused",
    ] {
        assert!(create.contains(code), "{code} is not documented");
    }
}
