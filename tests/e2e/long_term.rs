//! PAdES B-LT and B-LTA over real HTTP (ETSI EN 319 142-1 clauses 6.5 and 6.6): the service
//! fetches the validation data from the responders the certificates name (the running
//! simulator's OCSP responder and CA certificates), writes it in a DSS and adds a document
//! time-stamp. pyHanko's AdES validation (`sign adesverify`, revocation information required,
//! fetched online) passes them, pdfsig accepts them; after the officer's certificate is
//! revoked the B-LTA signature still validates, its archived OCSP response saying `good` at
//! signing time. B-LT without reachable responders fails with a stable code rather than
//! producing a lower level.

use std::path::{Path, PathBuf};
use std::process::Command;

use firma_testkit::{AppOptions, SigningFixture, TestApp};
use serde_json::{Value, json};

use crate::FIRMA;
use crate::signing_support::{ATTO_PDF, Api, b64, openssl_cms_verify, pdfsig, pyhanko};

/// `pyhanko sign adesverify`: AdES validation with revocation information required (embedded,
/// or fetched from the URLs in the certificates). Returns (success, output).
fn adesverify(pdf: &Path, root: &Path) -> (bool, String) {
    let out = Command::new(pyhanko())
        .args(["sign", "adesverify", "--pretty-print", "--trust"])
        .arg(root)
        .arg("--trust-replace")
        .arg(pdf)
        .output()
        .expect("pyHanko is installed (scripts/test-deps)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// `pyhanko sign validate` with online revocation checking (not `--no-revocation-check`).
fn validate_with_revocation(pdf: &Path, root: &Path) -> String {
    let out = Command::new(pyhanko())
        .args(["sign", "validate", "--trust"])
        .arg(root)
        .arg("--trust-replace")
        .arg(pdf)
        .output()
        .expect("pyHanko is installed (scripts/test-deps)");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

const CONTENT: &[u8] = b"Atto di nascita n. 7, parte I, serie A";

/// The certificate-values and revocation-values of a CAdES B-LT file (`cades_lt.py`).
fn cades_lt(cms: &Path) -> String {
    let python = pyhanko().replace("/bin/pyhanko", "/bin/python");
    let out = Command::new(python)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/e2e/cades_lt.py"
        ))
        .arg(cms)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What the DSS of `pdf` holds, read by pyHanko (`lta_dss.py`).
fn dss(pdf: &Path) -> String {
    let python = pyhanko().replace("/bin/pyhanko", "/bin/python");
    let out = Command::new(python)
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/e2e/lta_dss.py"))
        .arg(pdf)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Submits `documents`, authorises with the SMS code, waits: the finished request.
async fn sign(app: &TestApp, f: &SigningFixture, documents: Value) -> (String, Value) {
    let api = Api::new(app);
    let id = api.create(f, &f.officer.credential_id, documents).await;
    let code = app.last_sms_code(&f.officer.phone).expect("an SMS code");
    let (status, body) = api
        .post(
            &f.officer.token,
            &format!("/api/v1/signing-requests/{id}/authorize"),
            &json!({"otp": code}),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    let done = api.wait_finished(&f.ansc_token, &id).await;
    (id, done)
}

async fn download(app: &TestApp, f: &SigningFixture, id: &str, i: u32, to: PathBuf) -> PathBuf {
    let (status, bytes) = Api::new(app)
        .bytes(
            &f.ansc_token,
            &format!("/api/v1/signing-requests/{id}/documents/{i}"),
        )
        .await;
    assert_eq!(status, 200);
    std::fs::write(&to, bytes).unwrap();
    to
}

async fn long_term_levels(postgres: bool) {
    let (app, f) = TestApp::spawn_signing_with_ca_urls(
        FIRMA,
        AppOptions {
            postgres,
            ..Default::default()
        },
    )
    .await;
    let documents = json!([
        {"name": "nascita-lt.pdf", "atto": "nascita", "format": "pades", "level": "B-LT", "content": b64(ATTO_PDF)},
        {"name": "nascita-lta.pdf", "atto": "nascita", "format": "pades", "level": "B-LTA", "content": b64(ATTO_PDF)},
        {"name": "nascita-lt.p7m", "atto": "nascita", "format": "cades-attached", "level": "B-LT", "content": b64(CONTENT)},
        {"name": "nascita-lt.p7s", "atto": "nascita", "format": "cades-detached", "level": "B-LT", "content": b64(CONTENT)},
    ]);
    let (id, done) = sign(&app, &f, documents).await;
    assert_eq!(done["status"], "completed", "{done}");
    let dir = tempfile::tempdir().unwrap();
    let lt = download(&app, &f, &id, 0, dir.path().join("lt.pdf")).await;
    let lta = download(&app, &f, &id, 1, dir.path().join("lta.pdf")).await;

    for (name, pdf, timestamps) in [("B-LT", &lt, 0), ("B-LTA", &lta, 1)] {
        let archived = dss(pdf);
        // The officer's and the TSA's certificates, each with a `good` OCSP response.
        assert_eq!(archived.matches(" good ").count(), 2, "{name}: {archived}");
        assert!(
            archived.contains(&format!("doc_timestamps={timestamps}")),
            "{name}: {archived}"
        );
        let (ok, verdict) = adesverify(pdf, &f.root_pem);
        assert!(
            ok && verdict.contains("The signature is judged VALID"),
            "{name}: {verdict}"
        );
        let legacy = validate_with_revocation(pdf, &f.root_pem);
        assert!(legacy.contains("INTACT:TRUSTED"), "{name}: {legacy}");
        // The DSS and document time-stamp updates are judged allowed.
        assert!(
            legacy.contains("EXTENDED_WITH_LTA_UPDATES"),
            "{name}: {legacy}"
        );
        let poppler = pdfsig(pdf, &f.root_pem);
        assert!(poppler.contains("Signature is Valid"), "{name}: {poppler}");
    }

    // CAdES B-LT: OpenSSL verifies, the unsigned attributes hold the chain and two `good`
    // OCSP responses (the officer's and the TSA's certificates).
    let p7m = download(&app, &f, &id, 2, dir.path().join("lt.p7m")).await;
    let p7s = download(&app, &f, &id, 3, dir.path().join("lt.p7s")).await;
    let content = dir.path().join("content.txt");
    std::fs::write(&content, CONTENT).unwrap();
    assert_eq!(
        openssl_cms_verify(&p7m, &f.root_pem, None).unwrap(),
        CONTENT
    );
    openssl_cms_verify(&p7s, &f.root_pem, Some(&content)).unwrap();
    for (name, cms) in [("p7m", &p7m), ("p7s", &p7s)] {
        let values = cades_lt(cms);
        assert_eq!(values.matches(" good").count(), 2, "{name}: {values}");
        // The officer, the issuing CA, the root, the TSA and the OCSP responder.
        assert!(values.contains("certificate_values=5"), "{name}: {values}");
        assert!(values.contains("crls=1"), "{name}: {values}");
    }

    // The officer's certificate is revoked: the B-LTA signature keeps validating, on the
    // OCSP response archived when it was good.
    let (status, body) = Api::new(&app)
        .post(
            &f.ca_token,
            &format!("/api/v1/credentials/{}/revoke", f.officer.credential_id),
            &json!({"reason": "keyCompromise"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (ok, verdict) = adesverify(&lta, &f.root_pem);
    assert!(
        ok && verdict.contains("The signature is judged VALID"),
        "after revocation: {verdict}"
    );
    let archived = dss(&lta);
    assert_eq!(archived.matches(" good ").count(), 2, "{archived}");
    assert!(!archived.contains("revoked"), "{archived}");
    // A plain validation now, with fresh revocation data, sees the revocation.
    let fresh = validate_with_revocation(&lt, &f.root_pem);
    assert!(!fresh.contains("INTACT:TRUSTED,"), "{fresh}");

    // The B-LTA document is archived again: the new DSS adds the `revoked` answer next to the
    // `good` one, and the signature still validates on the first archive time-stamp.
    let (status, body) = extend(&app, &f, &std::fs::read(&lta).unwrap(), "B-LTA").await;
    assert_eq!(status, 200, "{body}");
    let again = dir.path().join("lta-again.pdf");
    std::fs::write(&again, decoded(&body)).unwrap();
    let archived = dss(&again);
    assert!(archived.contains("doc_timestamps=2"), "{archived}");
    assert_eq!(archived.matches(" revoked ").count(), 1, "{archived}");
    let (ok, verdict) = adesverify(&again, &f.root_pem);
    assert!(
        ok && verdict.contains("The signature is judged VALID"),
        "{verdict}"
    );
    // The B-LT document has no archive time-stamp: it cannot be made B-LTA any more.
    let (status, body) = extend(&app, &f, &std::fs::read(&lt).unwrap(), "B-LTA").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("validation_data_unavailable")),
        "{body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("revoked"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn pades_b_lt_and_b_lta_validate_with_revocation_checking_sqlite() {
    long_term_levels(false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pades_b_lt_and_b_lta_validate_with_revocation_checking_postgres() {
    long_term_levels(true).await;
}

/// The certificates name responders where nothing listens: B-LT fails with
/// `validation_data_unavailable` and no document is produced at a lower level.
#[tokio::test(flavor = "multi_thread")]
async fn b_lt_without_reachable_responders_fails_clearly() {
    let (app, f) = TestApp::spawn_signing(FIRMA, AppOptions::default()).await;
    let documents = json!([
        {"name": "morte-lt.pdf", "atto": "morte", "format": "pades", "level": "B-LT", "content": b64(ATTO_PDF)},
    ]);
    let (id, done) = sign(&app, &f, documents).await;
    assert_eq!(done["status"], "failed", "{done}");
    let failure = done["failure"].as_str().unwrap_or_default();
    assert!(failure.contains("validation_data_unavailable"), "{done}");
    assert!(failure.contains("no revocation data"), "{done}");
    let (status, _) = Api::new(&app)
        .bytes(
            &f.ansc_token,
            &format!("/api/v1/signing-requests/{id}/documents/0"),
        )
        .await;
    assert_ne!(status, 200);

    // B-LTA is for PAdES only: refused at submission.
    let (status, body) = Api::new(&app)
        .post(
            &f.ansc_token,
            "/api/v1/signing-requests",
            &json!({"credential_id": f.officer.credential_id, "documents": [
                {"name": "n", "atto": "nascita", "format": "cades-attached", "level": "B-LTA", "content": b64(b"atto")},
            ]}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "level_unavailable", "{body}");
}

/// `POST /api/v1/pades/extend`: (status, body).
async fn extend(app: &TestApp, f: &SigningFixture, pdf: &[u8], level: &str) -> (u16, Value) {
    Api::new(app)
        .post(
            &f.ansc_token,
            "/api/v1/pades/extend",
            &json!({"level": level, "content": b64(pdf)}),
        )
        .await
}

fn decoded(body: &Value) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(body["content"].as_str().unwrap())
        .unwrap()
}

/// Another producer's B-LT (pyHanko's `ltvfix` DSS, compressed streams and VRI, over our
/// B-T signature) is extended to B-LTA keeping what its DSS holds; a B-LTA document gets a
/// second archive time-stamp; pyHanko validates each with revocation information required.
#[tokio::test(flavor = "multi_thread")]
async fn third_party_b_lt_is_extended_to_b_lta_and_archived_again() {
    let (app, f) = TestApp::spawn_signing_with_ca_urls(FIRMA, AppOptions::default()).await;
    let documents = json!([
        {"name": "morte-bt.pdf", "atto": "morte", "format": "pades", "level": "B-T", "content": b64(ATTO_PDF)},
    ]);
    let (id, done) = sign(&app, &f, documents).await;
    assert_eq!(done["status"], "completed", "{done}");
    let dir = tempfile::tempdir().unwrap();
    let bt = download(&app, &f, &id, 0, dir.path().join("bt.pdf")).await;

    // pyHanko adds its own DSS (B-LT by another producer).
    let out = Command::new(pyhanko())
        .args(["sign", "ltvfix", "--field", "Signature1", "--trust"])
        .arg(&f.root_pem)
        .arg("--trust-replace")
        .arg(&bt)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let foreign = std::fs::read(&bt).unwrap();
    let before = dss(&bt);
    assert!(before.contains(" good "), "{before}");

    let (status, body) = extend(&app, &f, &foreign, "B-LTA").await;
    assert_eq!(status, 200, "{body}");
    let lta = decoded(&body);
    assert!(
        lta.starts_with(&foreign),
        "an incremental update keeps every byte"
    );
    let lta_path = dir.path().join("lta.pdf");
    std::fs::write(&lta_path, &lta).unwrap();
    let archived = dss(&lta_path);
    assert!(archived.contains("doc_timestamps=1"), "{archived}");
    let (ok, verdict) = adesverify(&lta_path, &f.root_pem);
    assert!(
        ok && verdict.contains("The signature is judged VALID"),
        "{verdict}"
    );
    let legacy = validate_with_revocation(&lta_path, &f.root_pem);
    assert!(
        legacy.contains("INTACT:TRUSTED") && legacy.contains("EXTENDED_WITH_LTA_UPDATES"),
        "{legacy}"
    );

    // A new archive time-stamp over the B-LTA document.
    let (status, body) = extend(&app, &f, &lta, "B-LTA").await;
    assert_eq!(status, 200, "{body}");
    let again = decoded(&body);
    assert!(again.starts_with(&lta));
    let again_path = dir.path().join("lta2.pdf");
    std::fs::write(&again_path, &again).unwrap();
    assert!(dss(&again_path).contains("doc_timestamps=2"));
    let (ok, verdict) = adesverify(&again_path, &f.root_pem);
    assert!(
        ok && verdict.contains("The signature is judged VALID"),
        "{verdict}"
    );
    let poppler = pdfsig(&again_path, &f.root_pem);
    assert!(poppler.contains("Signature is Valid"), "{poppler}");

    // Refusals with stable codes.
    let (status, body) = extend(&app, &f, ATTO_PDF, "B-LTA").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("document_not_extensible")),
        "{body}"
    );
    let (status, body) = extend(&app, &f, &lta, "B-T").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("invalid_level")),
        "{body}"
    );
    let (status, body) = Api::new(&app)
        .post(
            &f.officer.token,
            "/api/v1/pades/extend",
            &json!({"level": "B-LTA", "content": b64(&lta)}),
        )
        .await;
    assert_eq!(status, 403, "{body}");
}

/// The CSC API's `signatures/signDoc` makes PAdES B-LTA and CAdES B-LT (`conformance_level`
/// `Ades-B-LTA`, `Ades-B-LT`), validated like the others; CAdES B-LTA is refused before the
/// SAD is used.
#[tokio::test(flavor = "multi_thread")]
async fn csc_sign_doc_makes_long_term_signatures() {
    let (app, f) = TestApp::spawn_signing_with_ca_urls(FIRMA, AppOptions::default()).await;
    let api = Api::new(&app);
    let officer = &f.officer;
    let hashes = [sha256(ATTO_PDF), sha256(CONTENT)];
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
                "numSignatures": 2,
                "hashes": hashes.iter().map(|h| b64(h)).collect::<Vec<_>>(),
                "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1",
                "authData": [{"id": "OTP", "value": code}],
            }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let sad = body["SAD"].as_str().unwrap().to_owned();

    let (status, body) = api
        .post(
            &officer.token,
            "/csc/v2/signatures/signDoc",
            &json!({"credentialID": officer.credential_id, "SAD": sad, "documents": [
                {"document": b64(CONTENT), "signature_format": "C", "conformance_level": "Ades-B-LTA"},
            ]}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap_or_default()
            .contains("B-LTA"),
        "{body}"
    );

    let (status, body) = api
        .post(
            &officer.token,
            "/csc/v2/signatures/signDoc",
            &json!({"credentialID": officer.credential_id, "SAD": sad, "documents": [
                {"document": b64(ATTO_PDF), "signature_format": "P", "conformance_level": "Ades-B-LTA"},
                {"document": b64(CONTENT), "signature_format": "C", "signed_envelope_property": "Attached", "conformance_level": "Ades-B-LT"},
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let docs = body["DocumentWithSignature"].as_array().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, v: &Value| {
        use base64::Engine;
        let path = dir.path().join(name);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap())
            .unwrap();
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let pdf = write("lta.pdf", &docs[0]);
    assert!(dss(&pdf).contains("doc_timestamps=1"));
    let (ok, verdict) = adesverify(&pdf, &f.root_pem);
    assert!(
        ok && verdict.contains("The signature is judged VALID"),
        "{verdict}"
    );
    let p7m = write("lt.p7m", &docs[1]);
    assert_eq!(
        openssl_cms_verify(&p7m, &f.root_pem, None).unwrap(),
        CONTENT
    );
    assert_eq!(cades_lt(&p7m).matches(" good").count(), 2);
}

fn sha256(data: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(data).to_vec()
}
