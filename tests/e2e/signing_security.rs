//! Security of the ANSC API: wrong, replayed and locked-out OTPs, other officers, missing or wrong
//! roles; each refused with its code and each denial audited.

use firma_testkit::{AppOptions, SigningFixture, TestApp};
use serde_json::json;

use crate::FIRMA;
use crate::signing_support::{ATTO_PDF, Api, audit, b64};

fn one_pdf(atto: &str) -> serde_json::Value {
    json!([{"name": "atto.pdf", "atto": atto, "format": "pades", "content": b64(ATTO_PDF)}])
}

async fn authorize(api: &Api<'_>, token: &str, id: &str, otp: &str) -> (u16, serde_json::Value) {
    api.post(
        token,
        &format!("/api/v1/signing-requests/{id}/authorize"),
        &json!({"otp": otp}),
    )
    .await
}

fn wrong(code: &str) -> String {
    if code == "000000" {
        "111111".into()
    } else {
        "000000".into()
    }
}

async fn setup() -> (TestApp, SigningFixture) {
    TestApp::spawn_signing(FIRMA, AppOptions::default()).await
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_and_replayed_codes_are_refused_and_audited() {
    let (app, f) = setup().await;
    let api = Api::new(&app);
    let id = api
        .create(&f, &f.officer.credential_id, one_pdf("nascita"))
        .await;
    let code = app.last_sms_code(&f.officer.phone).unwrap();
    let (status, body) = authorize(&api, &f.officer.token, &id, &wrong(&code)).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "otp_rejected");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("4 attempts left"),
        "{body}"
    );
    let (status, _) = authorize(&api, &f.officer.token, &id, &code).await;
    assert_eq!(status, 202);
    // The same code again: the request is no longer waiting.
    let (status, body) = authorize(&api, &f.officer.token, &id, &code).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "request_not_awaiting_authorization");
    // The code was bound to the first request: it does not authorise a second one.
    let second = api
        .create(&f, &f.officer.credential_id, one_pdf("nascita"))
        .await;
    let (status, body) = authorize(&api, &f.officer.token, &second, &code).await;
    assert_eq!(status, 401, "{body}");
    let rejected = audit(&app, "otp.rejected").await;
    assert_eq!(rejected.len(), 2, "{rejected:?}");
    assert!(
        rejected
            .iter()
            .all(|(actor, _, _)| actor.starts_with("ufficiale:"))
    );
    assert!(rejected[0].2.contains("mismatch"), "{:?}", rejected[0]);
    assert_eq!(audit(&app, "signing.authorized").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn repeated_wrong_codes_lock_the_officer_out() {
    let (app, f) = setup().await;
    let api = Api::new(&app);
    let id = api
        .create(&f, &f.officer.credential_id, one_pdf("morte"))
        .await;
    let code = app.last_sms_code(&f.officer.phone).unwrap();
    for _ in 0..4 {
        let (status, _) = authorize(&api, &f.officer.token, &id, &wrong(&code)).await;
        assert_eq!(status, 401);
    }
    let (status, body) = authorize(&api, &f.officer.token, &id, &wrong(&code)).await;
    assert_eq!(status, 423, "{body}");
    assert_eq!(body["error"]["code"], "otp_locked");
    let (status, _) = authorize(&api, &f.officer.token, &id, &code).await;
    assert_eq!(status, 423, "the right code is refused while locked");
    assert_eq!(audit(&app, "otp.locked_out").await.len(), 1);
    let (_, request) = api
        .get(&f.ansc_token, &format!("/api/v1/signing-requests/{id}"))
        .await;
    assert_eq!(request["status"], "awaiting_authorization");
}

#[tokio::test(flavor = "multi_thread")]
async fn officers_only_ever_see_and_authorise_their_own_requests() {
    let (app, f) = setup().await;
    let api = Api::new(&app);
    let id = api
        .create(&f, &f.officer.credential_id, one_pdf("nascita"))
        .await;
    let code = app.last_sms_code(&f.officer.phone).unwrap();
    let path = format!("/api/v1/signing-requests/{id}");
    // Laura cannot see Mario's request (same answer as for one that does not exist)...
    let (status, body) = api.get(&f.other_officer.token, &path).await;
    assert_eq!(status, 404, "{body}");
    // ...nor authorise it, even with Mario's valid code.
    let (status, _) = authorize(&api, &f.other_officer.token, &id, &code).await;
    assert_eq!(status, 404);
    // ANSC core sees it but cannot authorise it.
    let (status, body) = authorize(&api, &f.ansc_token, &id, &code).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "forbidden");
    // Mario's code is still good: nothing above spent it.
    let (status, _) = authorize(&api, &f.officer.token, &id, &code).await;
    assert_eq!(status, 202);
    let denied = audit(&app, "access.denied").await;
    assert!(denied.len() >= 3, "{denied:?}");
    assert!(
        denied
            .iter()
            .any(|(actor, subject, _)| actor.starts_with("ufficiale:")
                && subject == &format!("request:{id}"))
    );
    // Laura's profiles do not allow an atto di nascita.
    let (status, body) = api
        .post(&f.ansc_token, "/api/v1/signing-requests", &json!({"credential_id": f.other_officer.credential_id, "documents": one_pdf("nascita")}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["code"], "profile_missing");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Formazione atti nascita"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_tokens_and_wrong_roles_are_refused_and_audited() {
    let (app, f) = setup().await;
    let api = Api::new(&app);
    let body = json!({"credential_id": f.officer.credential_id, "documents": one_pdf("nascita")});
    let r = api
        .client
        .post(app.url("/api/v1/signing-requests"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["error"]["code"],
        "unauthenticated"
    );
    let (status, _) = api
        .post(
            "firma_0000000000000000000000000000000000000000000000000000000000000000",
            "/api/v1/signing-requests",
            &body,
        )
        .await;
    assert_eq!(status, 401);
    for token in [&f.als_token, &f.officer.token] {
        let (status, resp) = api.post(token, "/api/v1/signing-requests", &body).await;
        assert_eq!(status, 403, "{resp}");
        assert_eq!(resp["error"]["code"], "forbidden");
    }
    let denied = audit(&app, "access.denied").await;
    assert_eq!(denied.len(), 4, "{denied:?}");
    assert!(denied[0].0 == "anonymous" && denied[1].0 == "anonymous");
    assert!(denied[2].0.starts_with("als:") && denied[3].0.starts_with("ufficiale:"));
}
