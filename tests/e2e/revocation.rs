//! Revocation and suspension by the Ente Certificatore operator, judged by OpenSSL over real
//! HTTP: the certificates point at the running service's CRL, OCSP and CA issuer URLs;
//! `openssl ocsp` reads `good`, then `revoked` with the reason, `revoked (certificateHold)`
//! while suspended and `good` again once reinstated; `openssl crl` lists the serials with their
//! reasons under increasing CRL numbers; `openssl verify -crl_check` refuses the revoked
//! certificate. And the service refuses to sign with a revoked or suspended credential: at
//! create, at authorize, in a batch in progress, and through the CSC API.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use firma_testkit::{AppOptions, SigningFixture, TestApp};
use serde_json::{Value, json};
use sha2::Digest;

use crate::FIRMA;
use crate::signing_support::{ATTO_PDF, Api, audit, b64, big_pdf, number, rows};

/// `openssl ARGS`: (success, stdout and stderr).
fn openssl(args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("running openssl failed ({e}): install it with `apt-get install -y openssl`")
        });
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// `GET` without a token: (status, content type, body).
async fn fetch(app: &TestApp, path: &str) -> (u16, String, Vec<u8>) {
    let r = reqwest::get(app.url(path)).await.unwrap();
    let status = r.status().as_u16();
    let content_type = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, content_type, r.bytes().await.unwrap().to_vec())
}

/// `POST {ca}/ocsp` with a raw body: the DER response.
async fn post_ocsp(app: &TestApp, body: Vec<u8>) -> Vec<u8> {
    let r = reqwest::Client::new()
        .post(app.url("/ca/ocsp"))
        .header("content-type", "application/ocsp-request")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/ocsp-response");
    r.bytes().await.unwrap().to_vec()
}

/// The files of one test: certificates as PEM, CRLs, OCSP messages.
struct Pki {
    dir: tempfile::TempDir,
    root: PathBuf,
    issuing: PathBuf,
    ocsp_url: String,
}

impl Pki {
    /// The CA certificates downloaded from the service (DER), as PEM files.
    async fn download(app: &TestApp, f: &SigningFixture) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        for name in ["root", "issuing"] {
            let (status, content_type, der) = fetch(app, &format!("/ca/certs/{name}.cer")).await;
            assert_eq!(status, 200);
            assert_eq!(content_type, "application/pkix-cert");
            let der_file = dir.path().join(format!("{name}.cer"));
            std::fs::write(&der_file, der).unwrap();
            let pem = dir.path().join(format!("{name}.pem"));
            let (ok, text) = openssl(&[
                "x509",
                "-inform",
                "DER",
                "-in",
                p(&der_file),
                "-out",
                p(&pem),
            ]);
            assert!(ok, "{text}");
            files.push(pem);
        }
        // The root served is the one `firma ca init` printed.
        let served = std::fs::read_to_string(&files[0]).unwrap();
        let printed = std::fs::read_to_string(&f.root_pem).unwrap();
        assert_eq!(served.trim(), printed.trim());
        let issuing = files.pop().unwrap();
        let root = files.pop().unwrap();
        Self {
            dir,
            root,
            issuing,
            ocsp_url: app.url("/ca/ocsp"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The officer certificate from CSC credentials/info, as a PEM file.
    async fn officer_certificate(&self, api: &Api<'_>, token: &str, credential: &str) -> PathBuf {
        let (status, info) = api
            .post(
                token,
                "/csc/v2/credentials/info",
                &json!({"credentialID": credential, "certificates": "single"}),
            )
            .await;
        assert_eq!(status, 200, "{info}");
        let der = STANDARD
            .decode(info["cert"]["certificates"][0].as_str().unwrap())
            .unwrap();
        let pem = self.path(&format!("{credential}.pem"));
        std::fs::write(&pem, certificate_pem(&der)).unwrap();
        pem
    }

    /// `openssl ocsp` against the service (POST, with a nonce): its output.
    async fn ocsp(&self, cert: &Path) -> String {
        let args = [
            "ocsp",
            "-issuer",
            p(&self.issuing),
            "-cert",
            p(cert),
            "-url",
            &self.ocsp_url,
            "-CAfile",
            p(&self.root),
            "-resp_text",
        ]
        .map(str::to_owned);
        let (ok, text) = tokio::task::spawn_blocking(move || {
            openssl(&args.iter().map(String::as_str).collect::<Vec<_>>())
        })
        .await
        .unwrap();
        assert!(ok, "{text}");
        assert!(text.contains("Response verify OK"), "{text}");
        text
    }

    /// The issuing CA's CRL downloaded now: (`openssl crl -text` output, DER).
    async fn crl(&self, app: &TestApp, name: &str) -> (String, Vec<u8>) {
        let (status, content_type, der) = fetch(app, "/ca/crl/issuing.crl").await;
        assert_eq!(status, 200);
        assert_eq!(content_type, "application/pkix-crl");
        let file = self.path(&format!("{name}.crl"));
        std::fs::write(&file, &der).unwrap();
        // Signed by the issuing CA (checked against the downloaded certificate).
        let (ok, text) = openssl(&[
            "crl",
            "-inform",
            "DER",
            "-in",
            p(&file),
            "-noout",
            "-text",
            "-CAfile",
            p(&self.issuing),
        ]);
        assert!(ok && text.contains("verify OK"), "{text}");
        (text, der)
    }

    /// `openssl verify -crl_check` of `cert` with the CRL `crl` (DER): (success, output).
    fn verify_with_crl(&self, cert: &Path, crl: &[u8]) -> (bool, String) {
        let der = self.path("check.crl");
        std::fs::write(&der, crl).unwrap();
        let pem = self.path("check-crl.pem");
        let (ok, text) = openssl(&["crl", "-inform", "DER", "-in", p(&der), "-out", p(&pem)]);
        assert!(ok, "{text}");
        openssl(&[
            "verify",
            "-crl_check",
            "-CRLfile",
            p(&pem),
            "-CAfile",
            p(&self.root),
            "-untrusted",
            p(&self.issuing),
            p(cert),
        ])
    }
}

fn certificate_pem(der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

/// The serial number of a PEM certificate, upper-case hexadecimal as `openssl crl` prints it.
fn serial(cert: &Path) -> String {
    let (ok, text) = openssl(&["x509", "-in", p(cert), "-noout", "-serial"]);
    assert!(ok, "{text}");
    text.trim().trim_start_matches("serial=").to_owned()
}

/// The CRL number in `openssl crl -text` output.
fn crl_number(text: &str) -> u64 {
    let after = text
        .split("X509v3 CRL Number:")
        .nth(1)
        .unwrap_or_else(|| panic!("no CRL number in {text}"));
    after.split_whitespace().next().unwrap().parse().unwrap()
}

/// `firma credentials ...` against the app's HSM and database: (success, stdout, stderr).
fn cli(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let out = firma_testkit::app::command(FIRMA.as_ref(), &app.token, &app.database)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn openssl_follows_revocation_and_suspension_through_ocsp_and_crl() {
    let (app, f) = TestApp::spawn_signing_with_ca_urls(FIRMA, AppOptions::default()).await;
    let api = Api::new(&app);
    let pki = Pki::download(&app, &f).await;
    let mario = pki
        .officer_certificate(&api, &f.officer.token, &f.officer.credential_id)
        .await;
    let laura = pki
        .officer_certificate(&api, &f.other_officer.token, &f.other_officer.credential_id)
        .await;

    // The certificate points at this service.
    let (ok, text) = openssl(&["x509", "-in", p(&mario), "-noout", "-text"]);
    assert!(ok, "{text}");
    let base = app.url("/ca");
    for url in [
        format!("URI:{base}/crl/issuing.crl"),
        format!("OCSP - URI:{base}/ocsp"),
        format!("CA Issuers - URI:{base}/certs/issuing.cer"),
    ] {
        assert!(text.contains(&url), "{url} missing from\n{text}");
    }

    // Good, from the delegated responder (its own certificate, EKU OCSPSigning, in the answer).
    let text = pki.ocsp(&mario).await;
    assert!(text.contains(&format!("{}: good", p(&mario))), "{text}");
    assert!(text.contains("OCSP Signing"), "{text}");
    assert!(text.contains("Firma Remota OCSP Simulato"), "{text}");
    assert!(pki.ocsp(&laura).await.contains(": good"));

    // The first CRL: number 1, nothing revoked; served again unchanged while nothing changes.
    let (first, first_der) = pki.crl(&app, "first").await;
    assert!(first.contains("No Revoked Certificates"), "{first}");
    let n1 = crl_number(&first);
    let (_, again) = pki.crl(&app, "again").await;
    assert_eq!(
        again, first_der,
        "an unchanged register must not make a new CRL"
    );
    let (ok, text) = pki.verify_with_crl(&mario, &first_der);
    assert!(ok, "{text}");

    // Revocation for key compromise over the API.
    let (status, body) = api
        .post(
            &f.ca_token,
            &format!("/api/v1/credentials/{}/revoke", f.officer.credential_id),
            &json!({"reason": "keyCompromise", "invalidity_date": "2026-01-02T03:04:05Z"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "revoked", "{body}");
    assert_eq!(body["key_destroyed"], true, "{body}");
    let text = pki.ocsp(&mario).await;
    assert!(text.contains(&format!("{}: revoked", p(&mario))), "{text}");
    assert!(text.contains("Reason: keyCompromise"), "{text}");
    assert!(text.contains("Revocation Time:"), "{text}");
    let mario_serial = serial(&mario);
    let (second, second_der) = pki.crl(&app, "second").await;
    assert!(
        second.contains(&format!("Serial Number: {mario_serial}")),
        "{second}"
    );
    assert!(second.contains("Key Compromise"), "{second}");
    assert!(second.contains("Invalidity Date"), "{second}");
    assert!(second.contains("Jan  2 03:04:05 2026 GMT"), "{second}");
    let n2 = crl_number(&second);
    assert!(n2 > n1, "CRL number {n2} after {n1}");
    let (ok, text) = pki.verify_with_crl(&mario, &second_der);
    assert!(!ok && text.contains("certificate revoked"), "{text}");
    // Laura's certificate still verifies against the same CRL.
    let (ok, text) = pki.verify_with_crl(&laura, &second_der);
    assert!(ok, "{text}");

    // Suspension with the CLI: revoked (certificateHold), listed with its reason.
    let (ok, stdout, stderr) = cli(
        &app,
        &[
            "credentials",
            "suspend",
            &f.other_officer.credential_id,
            "--actor",
            "ec-op",
        ],
    );
    assert!(ok, "{stderr}");
    assert_eq!(stdout.trim(), "suspended");
    let text = pki.ocsp(&laura).await;
    assert!(text.contains(&format!("{}: revoked", p(&laura))), "{text}");
    assert!(text.contains("Reason: certificateHold"), "{text}");
    let laura_serial = serial(&laura);
    let (third, _) = pki.crl(&app, "third").await;
    assert!(
        third.contains(&format!("Serial Number: {laura_serial}")),
        "{third}"
    );
    assert!(third.contains("Certificate Hold"), "{third}");
    assert!(
        third.contains(&format!("Serial Number: {mario_serial}")),
        "{third}"
    );
    let n3 = crl_number(&third);
    assert!(n3 > n2, "CRL number {n3} after {n2}");

    // Reinstated over the API: good again, off the CRL, CRL number up again.
    let (status, body) = api
        .post(
            &f.ca_token,
            &format!(
                "/api/v1/credentials/{}/reinstate",
                f.other_officer.credential_id
            ),
            &json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "active", "{body}");
    let text = pki.ocsp(&laura).await;
    assert!(text.contains(&format!("{}: good", p(&laura))), "{text}");
    let (fourth, fourth_der) = pki.crl(&app, "fourth").await;
    assert!(
        !fourth.contains(&format!("Serial Number: {laura_serial}")),
        "{fourth}"
    );
    assert!(
        fourth.contains(&format!("Serial Number: {mario_serial}")),
        "{fourth}"
    );
    assert!(crl_number(&fourth) > n3);
    assert!(pki.verify_with_crl(&laura, &fourth_der).0);

    // OCSP by GET (base64 in the path, URL-encoded), no nonce.
    let req = pki.path("get-req.der");
    let (ok, text) = openssl(&[
        "ocsp",
        "-issuer",
        p(&pki.issuing),
        "-cert",
        p(&mario),
        "-no_nonce",
        "-reqout",
        p(&req),
    ]);
    assert!(ok, "{text}");
    let encoded = STANDARD
        .encode(std::fs::read(&req).unwrap())
        .replace('/', "%2F")
        .replace('+', "%2B")
        .replace('=', "%3D");
    let (status, content_type, der) = fetch(&app, &format!("/ca/ocsp/{encoded}")).await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "application/ocsp-response")
    );
    let resp = pki.path("get-resp.der");
    std::fs::write(&resp, der).unwrap();
    let (ok, text) = openssl(&[
        "ocsp",
        "-respin",
        p(&resp),
        "-issuer",
        p(&pki.issuing),
        "-cert",
        p(&mario),
        "-CAfile",
        p(&pki.root),
        "-no_nonce",
    ]);
    assert!(ok && text.contains("Response verify OK"), "{text}");
    assert!(text.contains(": revoked"), "{text}");

    // A serial this CA never issued is unknown, not good.
    let args = [
        "ocsp",
        "-issuer",
        p(&pki.issuing),
        "-serial",
        "0x1234567890",
        "-url",
        &pki.ocsp_url,
        "-CAfile",
        p(&pki.root),
    ]
    .map(str::to_owned);
    let (ok, text) = tokio::task::spawn_blocking(move || {
        openssl(&args.iter().map(String::as_str).collect::<Vec<_>>())
    })
    .await
    .unwrap();
    assert!(ok && text.contains("0x1234567890: unknown"), "{text}");

    // Garbage, oversized and undecodable requests: malformedRequest, never a crash.
    const MALFORMED: [u8; 5] = [0x30, 0x03, 0x0a, 0x01, 0x01];
    assert_eq!(
        post_ocsp(&app, b"not an OCSP request".to_vec()).await,
        MALFORMED
    );
    assert_eq!(post_ocsp(&app, vec![0x30; 100_000]).await, MALFORMED);
    assert_eq!(post_ocsp(&app, Vec::new()).await, MALFORMED);
    let (status, _, der) = fetch(&app, "/ca/ocsp/%%%not-base64").await;
    assert!(
        status == 400 || (status == 200 && der == MALFORMED),
        "{status}"
    );
    let (status, _, der) = fetch(&app, "/ca/ocsp/bm90IGRlcg==").await;
    assert_eq!((status, der.as_slice()), (200, &MALFORMED[..]));

    // The root's CRL (for the issuing CA certificate) is signed by the root, empty.
    let (status, content_type, root_crl) = fetch(&app, "/ca/crl/root.crl").await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "application/pkix-crl")
    );
    let file = pki.path("root.crl");
    std::fs::write(&file, root_crl).unwrap();
    let (ok, text) = openssl(&[
        "crl",
        "-inform",
        "DER",
        "-in",
        p(&file),
        "-noout",
        "-text",
        "-CAfile",
        p(&pki.root),
    ]);
    assert!(ok && text.contains("verify OK"), "{text}");
    assert!(text.contains("No Revoked Certificates"), "{text}");

    // Audited: the revocation with its reason, the key destroyed, the suspension by the CLI
    // operator, the reinstatement, each CRL.
    let revoked = audit(&app, "credential.revoked").await;
    assert_eq!(revoked.len(), 1);
    assert_eq!(
        revoked[0].1,
        format!("credential:{}", f.officer.credential_id)
    );
    assert!(revoked[0].2.contains("keyCompromise"), "{:?}", revoked[0]);
    assert_eq!(
        revoked[0].0,
        "ente_certificatore:Operatore Ente Certificatore"
    );
    assert_eq!(audit(&app, "credential.key_destroyed").await.len(), 1);
    let suspended = audit(&app, "credential.suspended").await;
    assert_eq!(suspended.len(), 1);
    assert_eq!(suspended[0].0, "operator:ec-op");
    assert_eq!(audit(&app, "credential.reinstated").await.len(), 1);
    let crls = audit(&app, "ca.crl_issued").await;
    assert!(crls.len() >= 5, "{crls:?}");

    // The credentials as stored: revoked with the key blob erased; active again.
    let stored = rows(
        &app,
        "SELECT status, key_ref FROM credentials WHERE id = $1",
        &f.officer.credential_id,
    )
    .await;
    assert_eq!(stored[0][0], "revoked");
    let key_ref: Value = serde_json::from_str(&stored[0][1]).unwrap();
    assert_eq!(key_ref["storage"], "wrapped", "{key_ref}");
    assert!(
        key_ref["blob"].as_str().is_some_and(str::is_empty)
            || key_ref["blob"].as_array().is_some_and(Vec::is_empty),
        "the wrapped key must be erased: {key_ref}"
    );
    let stored = rows(
        &app,
        "SELECT status FROM credentials WHERE id = $1",
        &f.other_officer.credential_id,
    )
    .await;
    assert_eq!(stored[0][0], "active");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signature_made_after_revocation_is_refused_by_the_service() {
    let (app, f) = TestApp::spawn_signing(FIRMA, AppOptions::default()).await;
    let api = Api::new(&app);
    let one = json!([{"name": "atto.pdf", "atto": "nascita", "format": "pades", "content": b64(ATTO_PDF)}]);

    // A request created before the revocation, not authorised yet.
    let early = api.create(&f, &f.officer.credential_id, one.clone()).await;
    let early_code = app.last_sms_code(&f.officer.phone).unwrap();

    // A large batch, authorised; the credential is revoked while it is being signed.
    const DOCUMENTS: usize = 40;
    let pdf = b64(&big_pdf(1_200_000));
    let documents: Vec<_> = (0..DOCUMENTS)
        .map(|i| json!({"name": format!("atto-{i}.pdf"), "atto": "nascita", "format": "pades", "content": pdf}))
        .collect();
    let batch = api
        .create(&f, &f.officer.credential_id, json!(documents))
        .await;
    let code = app.last_sms_code(&f.officer.phone).unwrap();
    let (status, body) = api
        .post(
            &f.officer.token,
            &format!("/api/v1/signing-requests/{batch}/authorize"),
            &json!({"otp": code}),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    const SIGNED: &str = "SELECT CAST(COUNT(*) AS TEXT) FROM request_documents \
                          WHERE request = $1 AND status = 'signed'";
    for _ in 0..2000 {
        if number(&app, SIGNED, &batch).await >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let (status, body) = api
        .post(
            &f.ca_token,
            &format!("/api/v1/credentials/{}/revoke", f.officer.credential_id),
            &json!({"reason": "keyCompromise"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let done = api.wait_finished(&f.ansc_token, &batch).await;
    assert_eq!(done["status"], "failed", "{done}");
    let failure = done["failure"].as_str().unwrap_or_default();
    assert!(
        failure.contains("revoked (keyCompromise)") && failure.contains("signing stopped"),
        "{done}"
    );
    let signed = number(&app, SIGNED, &batch).await as usize;
    assert!(
        (2..DOCUMENTS).contains(&signed),
        "{signed} of {DOCUMENTS} signed: the batch must stop at the revocation"
    );
    // Every signature that exists was recorded, and none after the revocation.
    let recorded = audit(&app, "signing.signature_created")
        .await
        .into_iter()
        .filter(|(_, subject, _)| subject == &format!("request:{batch}"))
        .count();
    assert_eq!(recorded, signed);
    let revoked_at = rows(
        &app,
        "SELECT CAST(revoked_at AS TEXT) FROM revocations WHERE credential = $1",
        &f.officer.credential_id,
    )
    .await;
    assert_eq!(revoked_at.len(), 1, "one register entry");
    let failed = audit(&app, "signing.request_failed").await;
    assert!(
        failed
            .iter()
            .any(|(_, s, d)| s == &format!("request:{batch}") && d.contains("revoked")),
        "{failed:?}"
    );

    // The request made before the revocation cannot be authorised, even with a valid code.
    let (status, body) = api
        .post(
            &f.officer.token,
            &format!("/api/v1/signing-requests/{early}/authorize"),
            &json!({"otp": early_code}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "credential_not_active", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("keyCompromise"),
        "{body}"
    );
    // A new request is refused at once.
    let (status, body) = api
        .post(
            &f.ansc_token,
            "/api/v1/signing-requests",
            &json!({"credential_id": f.officer.credential_id, "documents": one}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "credential_not_active", "{body}");
    // Revoked is final: neither revoked again nor reinstated.
    let (status, body) = api
        .post(
            &f.ca_token,
            &format!("/api/v1/credentials/{}/revoke", f.officer.credential_id),
            &json!({"reason": "superseded"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("credential_revoked"))
    );
    let (status, body) = api
        .post(
            &f.ca_token,
            &format!("/api/v1/credentials/{}/reinstate", f.officer.credential_id),
            &json!({}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("credential_not_suspended"))
    );

    // CSC: a SAD obtained before the suspension signs nothing after it.
    let laura = &f.other_officer;
    let hash = sha2::Sha256::digest(b"atto di matrimonio").to_vec();
    let sad = csc_sad(&api, &app, laura, &hash).await;
    let (status, body) = api
        .post(
            &f.ca_token,
            &format!("/api/v1/credentials/{}/suspend", laura.credential_id),
            &json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "suspended");
    assert_eq!(body["key_destroyed"], false);
    let (status, body) = sign_hash(&api, laura, &sad, &hash).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "credential_disabled", "{body}");
    let (status, body) = api
        .post(
            &laura.token,
            "/csc/v2/credentials/sendOTP",
            &json!({"credentialID": laura.credential_id}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("credential_disabled"))
    );
    // Suspended twice: refused.
    let (status, body) = api
        .post(
            &f.ca_token,
            &format!("/api/v1/credentials/{}/suspend", laura.credential_id),
            &json!({}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("credential_suspended"))
    );

    // Reinstated: the SAD of before stays spent, a new one signs.
    let (status, body) = api
        .post(
            &f.ca_token,
            &format!("/api/v1/credentials/{}/reinstate", laura.credential_id),
            &json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = sign_hash(&api, laura, &sad, &hash).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("sad_exhausted")),
        "{body}"
    );
    let sad = csc_sad(&api, &app, laura, &hash).await;
    let (status, body) = sign_hash(&api, laura, &sad, &hash).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["signatures"].as_array().unwrap().len(), 1);
}

/// A CSC SAD for one hash (sendOTP, then authorize v2 with the SMS code).
async fn csc_sad(
    api: &Api<'_>,
    app: &TestApp,
    officer: &firma_testkit::Officer,
    hash: &[u8],
) -> String {
    let (status, body) = api
        .post(
            &officer.token,
            "/csc/v2/credentials/sendOTP",
            &json!({"credentialID": officer.credential_id}),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let code = app.last_sms_code(&officer.phone).unwrap();
    let (status, body) = api
        .post(
            &officer.token,
            "/csc/v2/credentials/authorize",
            &json!({
                "credentialID": officer.credential_id,
                "numSignatures": 1,
                "hashes": [b64(hash)],
                "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1",
                "authData": [{"id": "OTP", "value": code}],
            }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["SAD"].as_str().unwrap().to_owned()
}

async fn sign_hash(
    api: &Api<'_>,
    officer: &firma_testkit::Officer,
    sad: &str,
    hash: &[u8],
) -> (u16, Value) {
    api.post(
        &officer.token,
        "/csc/v2/signatures/signHash",
        &json!({
            "credentialID": officer.credential_id,
            "SAD": sad,
            "hashes": [b64(hash)],
            "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1",
            "signAlgo": "1.2.840.113549.1.1.11",
        }),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_ente_certificatore_revokes_and_every_refusal_is_audited() {
    let (app, f) = TestApp::spawn_signing(FIRMA, AppOptions::default()).await;
    let api = Api::new(&app);
    let path = |what: &str| format!("/api/v1/credentials/{}/{what}", f.officer.credential_id);
    let body = json!({"reason": "keyCompromise"});
    for (token, role) in [
        (&f.als_token, "als"),
        (&f.ansc_token, "ansc_core"),
        (&f.officer.token, "ufficiale"),
    ] {
        for what in ["revoke", "suspend", "reinstate"] {
            let (status, answer) = api.post(token, &path(what), &body).await;
            assert_eq!(status, 403, "{role} {what}: {answer}");
            assert_eq!(answer["error"]["code"], "forbidden");
        }
        let denied = audit(&app, "access.denied").await;
        assert!(
            denied.iter().any(|(_, subject, details)| subject
                == &format!("credential:{}", f.officer.credential_id)
                && details.contains(&format!("the role {role} may not revoke"))),
            "{denied:?}"
        );
    }
    // Without a token: 401, audited as anonymous.
    let r = reqwest::Client::new()
        .post(app.url(&path("revoke")))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // Nothing changed.
    let status = rows(
        &app,
        "SELECT status FROM credentials WHERE id = $1",
        &f.officer.credential_id,
    )
    .await;
    assert_eq!(status[0][0], "active");
    assert!(audit(&app, "credential.revoked").await.is_empty());

    // Bad input from the operator: named, nothing changed.
    let (status, answer) = api
        .post(&f.ca_token, &path("revoke"), &json!({"reason": "onHold"}))
        .await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (422, Some("invalid_reason"))
    );
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("keyCompromise")
    );
    let (status, answer) = api
        .post(
            &f.ca_token,
            &path("revoke"),
            &json!({"reason": "keyCompromise", "invalidity_date": "2999-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (422, Some("invalid_invalidity_date"))
    );
    let (status, _) = api
        .post(
            &f.ca_token,
            "/api/v1/credentials/00000000-0000-4000-8000-000000000000/revoke",
            &body,
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = api
        .post(&f.ca_token, "/api/v1/credentials/not-a-uuid/revoke", &body)
        .await;
    assert_eq!(status, 404);
    let (status, answer) = api.post(&f.ca_token, &path("reinstate"), &json!({})).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (409, Some("credential_not_suspended"))
    );
    // The CLI names the reasons it accepts.
    let (ok, _, stderr) = cli(
        &app,
        &[
            "credentials",
            "revoke",
            &f.officer.credential_id,
            "--reason",
            "stolen",
        ],
    );
    assert!(!ok && stderr.contains("keyCompromise"), "{stderr}");
    // The CLI revokes for real: the credential is revoked and cannot sign.
    let (ok, stdout, stderr) = cli(
        &app,
        &[
            "credentials",
            "revoke",
            &f.officer.credential_id,
            "--reason",
            "affiliationChanged",
            "--actor",
            "ec-op",
        ],
    );
    assert!(ok, "{stderr}");
    assert_eq!(stdout.trim(), "revoked");
    assert!(stderr.contains("key destroyed"), "{stderr}");
    let revoked = audit(&app, "credential.revoked").await;
    assert_eq!(revoked.len(), 1);
    assert_eq!(revoked[0].0, "operator:ec-op");
    assert!(revoked[0].2.contains("affiliationChanged"));
    let status = rows(
        &app,
        "SELECT status FROM credentials WHERE id = $1",
        &f.officer.credential_id,
    )
    .await;
    assert_eq!(status[0][0], "revoked");

    // A credential still waiting for its certificate (an officer removed before the CA issued
    // it): nothing to suspend, but it is revoked with its key destroyed.
    let waiting = "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b";
    rows(
        &app,
        &format!(
            "INSERT INTO credentials (id, ufficiale, key_ref, public_key, algorithm, status, \
             certificate_chain, created_at, updated_at) SELECT $1, ufficiale, key_ref, \
             public_key, algorithm, 'awaiting_certificate', '[]', created_at, updated_at \
             FROM credentials WHERE id = '{}'",
            f.other_officer.credential_id
        ),
        waiting,
    )
    .await;
    let (status, answer) = api
        .post(
            &f.ca_token,
            &format!("/api/v1/credentials/{waiting}/suspend"),
            &json!({}),
        )
        .await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (409, Some("no_certificate"))
    );
    let (status, answer) = api
        .post(
            &f.ca_token,
            &format!("/api/v1/credentials/{waiting}/revoke"),
            &json!({"reason": "cessationOfOperation"}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "revoked");
    assert_eq!(answer["key_destroyed"], true);
    assert!(answer.get("serial").is_none(), "{answer}");
    let stored = rows(
        &app,
        "SELECT key_ref FROM credentials WHERE id = $1",
        waiting,
    )
    .await;
    assert!(
        stored[0][0].contains("\"blob\":\"\"") || stored[0][0].contains("\"blob\":[]"),
        "{stored:?}"
    );
    // The copied key of the other officer is untouched.
    let other = rows(
        &app,
        "SELECT key_ref FROM credentials WHERE id = $1",
        &f.other_officer.credential_id,
    )
    .await;
    assert_ne!(other[0][0], stored[0][0]);

    // The OpenAPI document describes the operator API and the public CA endpoints.
    let doc: Value = reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/api/v1/credentials/{id}/revoke",
        "/api/v1/credentials/{id}/suspend",
        "/api/v1/credentials/{id}/reinstate",
        "/ca/crl/issuing.crl",
        "/ca/crl/root.crl",
        "/ca/certs/issuing.cer",
        "/ca/certs/root.cer",
        "/ca/ocsp",
        "/ca/ocsp/{request}",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is not documented");
    }
    let text = doc.to_string();
    for code in [
        "credential_revoked",
        "credential_suspended",
        "credential_not_suspended",
        "invalid_reason",
        "malformedRequest",
    ] {
        assert!(text.contains(code), "{code} is not documented");
    }
}
