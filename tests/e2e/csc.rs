//! The CSC API over real HTTP on SoftHSM and SQLite: pyHanko's CSC client signs a PDF through
//! `/csc/v1` with an SMS code; `signHash` (v2) for P-256 and RSA-2048 keys, verified by OpenSSL;
//! `signDoc` PAdES and CAdES, validated by pyHanko and OpenSSL; and the refusals of sole control
//! (OTP, SAD, other officers, roles), each with its code and its audit record.

use std::path::{Path, PathBuf};
use std::process::Command;

use firma_testkit::{AppOptions, Officer, SigningFixture, TestApp};
use serde_json::{Value, json};
use sha2::Digest;

use crate::FIRMA;
use crate::signing_support::{
    ATTO_PDF, Api, audit, b64, openssl_cms_verify, pyhanko, pyhanko_validate,
};

const SHA256: &str = "2.16.840.1.101.3.4.2.1";
const ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
const RSA_SHA256: &str = "1.2.840.113549.1.1.11";
const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
const RSASSA_PSS: &str = "1.2.840.113549.1.1.10";
/// RSASSA-PSS-params: SHA-256, MGF1-SHA-256, salt 32 (RFC 4056 section 3), DER.
const PSS_SHA256_PARAMS: &str = "3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120";

fn sha256(data: &[u8]) -> Vec<u8> {
    sha2::Sha256::digest(data).to_vec()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn unb64(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .expect("base64 from the service")
}

/// POST without a token.
async fn post_anonymous(api: &Api<'_>, path: &str, body: &Value) -> (u16, Value) {
    let r = api
        .client
        .post(api.app.url(path))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Whether an `access.denied` record has a reason containing `reason`.
async fn denied(app: &TestApp, reason: &str) -> bool {
    audit(app, "access.denied")
        .await
        .iter()
        .any(|(_, _, details)| details.contains(reason))
}

/// Asserts a CSC error: status, `error` and the service's `code`.
fn assert_csc_error(status: u16, body: &Value, want_status: u16, error: &str, code: &str) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| !d.is_empty()),
        "{body}"
    );
}

/// Sends an SMS code for the officer's credential and reads it from the simulator.
async fn send_otp(api: &Api<'_>, app: &TestApp, officer: &Officer, version: &str) -> String {
    let (status, body) = api
        .post(
            &officer.token,
            &format!("/csc/{version}/credentials/sendOTP"),
            &json!({"credentialID": officer.credential_id}),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    app.last_sms_code(&officer.phone)
        .expect("the simulator received the SMS")
}

/// `credentials/authorize` (v2) for `hashes` with `otp`.
async fn authorize(
    api: &Api<'_>,
    officer: &Officer,
    hashes: &[Vec<u8>],
    otp: &str,
) -> (u16, Value) {
    api.post(
        &officer.token,
        "/csc/v2/credentials/authorize",
        &json!({
            "credentialID": officer.credential_id,
            "numSignatures": hashes.len(),
            "hashes": hashes.iter().map(|h| b64(h)).collect::<Vec<_>>(),
            "hashAlgorithmOID": SHA256,
            "authData": [{"id": "OTP", "value": otp}],
        }),
    )
    .await
}

/// A SAD for `hashes` (sendOTP + authorize).
async fn sad_for(api: &Api<'_>, app: &TestApp, officer: &Officer, hashes: &[Vec<u8>]) -> String {
    let code = send_otp(api, app, officer, "v2").await;
    let (status, body) = authorize(api, officer, hashes, &code).await;
    assert_eq!(status, 200, "{body}");
    body["SAD"].as_str().unwrap().to_owned()
}

async fn sign_hash(
    api: &Api<'_>,
    officer: &Officer,
    credential: &str,
    sad: &str,
    hashes: &[Vec<u8>],
    sign_algo: &str,
) -> (u16, Value) {
    api.post(
        &officer.token,
        "/csc/v2/signatures/signHash",
        &json!({
            "credentialID": credential,
            "SAD": sad,
            "hashes": hashes.iter().map(|h| b64(h)).collect::<Vec<_>>(),
            "hashAlgorithmOID": SHA256,
            "signAlgo": sign_algo,
        }),
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

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("running {cmd:?}: {e}"));
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The public key (PEM file) of the first certificate of `credentials/info`.
fn public_key(dir: &Path, name: &str, cert_b64: &str) -> PathBuf {
    let der = dir.join(format!("{name}.cer"));
    std::fs::write(&der, unb64(cert_b64)).unwrap();
    let pem = dir.join(format!("{name}.pub.pem"));
    let (ok, out) = run(Command::new("openssl")
        .args(["x509", "-inform", "DER", "-noout", "-pubkey", "-in"])
        .arg(&der)
        .arg("-out")
        .arg(&pem));
    assert!(ok, "{out}");
    pem
}

/// `openssl pkeyutl -verify` of a signature over a SHA-256 digest.
fn openssl_verify(
    dir: &Path,
    key: &Path,
    digest: &[u8],
    signature: &[u8],
    options: &[&str],
) -> bool {
    let d = dir.join("digest.bin");
    let s = dir.join("signature.bin");
    std::fs::write(&d, digest).unwrap();
    std::fs::write(&s, signature).unwrap();
    let mut cmd = Command::new("openssl");
    cmd.args(["pkeyutl", "-verify", "-pubin", "-inkey"])
        .arg(key)
        .arg("-in")
        .arg(&d)
        .arg("-sigfile")
        .arg(&s);
    for o in options {
        cmd.args(["-pkeyopt", o]);
    }
    let (ok, out) = run(&mut cmd);
    ok && out.contains("Signature Verified Successfully")
}

fn venv_python() -> PathBuf {
    let python = Path::new(&pyhanko()).with_file_name("python");
    assert!(
        python.exists(),
        "{} is missing: install the validators (scripts/test-deps: python3 -m venv .venv-validators \
         && .venv-validators/bin/pip install pyhanko==0.38.0 pyhanko-cli==0.6.0)",
        python.display()
    );
    python
}

async fn setup(env: &[(&str, &str)]) -> (TestApp, SigningFixture) {
    TestApp::spawn_signing(
        FIRMA,
        AppOptions {
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn pyhanko_csc_signer_signs_a_pdf_through_csc_v1() {
    let (app, f) = setup(&[]).await;
    let api = Api::new(&app);
    // info needs no token.
    let (status, info) = post_anonymous(&api, "/csc/v1/info", &json!({})).await;
    assert_eq!(status, 200, "{info}");
    assert_eq!(info["specs"], "1.0.4.0");
    assert_eq!(info["region"], "IT");
    assert!(
        info["methods"]
            .as_array()
            .unwrap()
            .contains(&json!("signatures/signHash"))
    );
    let (status, list) = api
        .post(&f.officer.token, "/csc/v1/credentials/list", &json!({}))
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["credentialIDs"], json!([f.officer.credential_id]));
    let (status, cred) = api
        .post(
            &f.officer.token,
            "/csc/v1/credentials/info",
            &json!({"credentialID": f.officer.credential_id, "certificates": "chain"}),
        )
        .await;
    assert_eq!(status, 200, "{cred}");
    assert_eq!(cred["authMode"], "explicit");
    assert_eq!(cred["OTP"]["type"], "online");
    assert_eq!(cred["PIN"]["presence"], "false");

    let code = send_otp(&api, &app, &f.officer, "v1").await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("atto.pdf");
    let output = dir.path().join("atto-firmato.pdf");
    std::fs::write(&input, ATTO_PDF).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/e2e/csc_pyhanko.py");
    let python = venv_python();
    let out = tokio::task::spawn_blocking({
        let (base, token, credential, code) = (
            app.base_url.clone(),
            f.officer.token.clone(),
            f.officer.credential_id.clone(),
            code.clone(),
        );
        let (input, output) = (input.clone(), output.clone());
        move || {
            Command::new(python)
                .arg(script)
                .args([&base, &token, &credential, &code])
                .arg(&input)
                .arg(&output)
                .output()
                .expect("running the pyHanko CSC script")
        }
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "pyHanko's CSC signer failed: {stdout}{}\nservice log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        app.logs()
    );
    // What pyHanko read from credentials/info: SCAL 2 (hashes pinned), multisign, key/algo.
    assert!(stdout.contains("hash_pinning_required=True"), "{stdout}");
    assert!(stdout.contains("max_batch_size=100"), "{stdout}");
    assert!(stdout.contains("sha256_ecdsa"), "{stdout}");
    let chain = cred["cert"]["certificates"].as_array().unwrap().len();
    assert!(chain >= 2, "{cred}");
    assert!(stdout.contains(&format!("chain={}", chain - 1)), "{stdout}");

    let verdict = pyhanko_validate(&output, &f.root_pem);
    assert!(
        verdict.contains("INTACT:TRUSTED") && verdict.contains("UNTOUCHED"),
        "{verdict}"
    );
    // The original revision is kept byte for byte (incremental update).
    assert!(std::fs::read(&output).unwrap().starts_with(ATTO_PDF));
    // One authorisation and one signature, audited, through the CSC API.
    let authorized = audit(&app, "signing.authorized").await;
    assert_eq!(authorized.len(), 1, "{authorized:?}");
    assert!(authorized[0].2.contains("csc"), "{authorized:?}");
    let signatures = audit(&app, "signing.signature_created").await;
    assert_eq!(signatures.len(), 1, "{signatures:?}");
    assert!(signatures[0].2.contains("signHash"), "{signatures:?}");
    // The code was spent: it cannot authorise again.
    let (status, body) = api
        .post(
            &f.officer.token,
            "/csc/v1/credentials/authorize",
            &json!({
                "credentialID": f.officer.credential_id,
                "numSignatures": 1,
                "hash": [b64(&sha256(b"altro"))],
                "OTP": &code,
            }),
        )
        .await;
    assert_csc_error(status, &body, 400, "invalid_otp", "otp_rejected");
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_hash_v2_with_p256_and_rsa_2048_verified_by_openssl() {
    let (app, f) = setup(&[]).await;
    let api = Api::new(&app);
    let dir = tempfile::tempdir().unwrap();
    let (status, info) = post_anonymous(&api, "/csc/v2/info", &json!({"lang": "it"})).await;
    assert_eq!(status, 200, "{info}");
    assert_eq!(info["specs"], "2.0.0.2");
    assert!(
        info["signAlgorithms"]["algos"]
            .as_array()
            .unwrap()
            .contains(&json!(RSASSA_PSS))
    );

    // P-256: ecdsa-with-SHA256, DER signatures.
    let mario = &f.officer;
    let (status, cred) = api
        .post(
            &mario.token,
            "/csc/v2/credentials/info",
            &json!({"credentialID": mario.credential_id, "certificates": "chain", "certInfo": true, "authInfo": true}),
        )
        .await;
    assert_eq!(status, 200, "{cred}");
    assert_eq!(cred["key"]["status"], "enabled");
    assert_eq!(cred["key"]["len"], 256);
    assert_eq!(cred["key"]["curve"], "1.2.840.10045.3.1.7");
    assert!(
        cred["key"]["algo"]
            .as_array()
            .unwrap()
            .contains(&json!(ECDSA_SHA256))
    );
    assert_eq!(cred["SCAL"], "2");
    assert_eq!(cred["multisign"], 100);
    assert_eq!(cred["auth"]["mode"], "explicit");
    assert_eq!(cred["auth"]["objects"][0]["id"], "OTP");
    assert_eq!(cred["cert"]["status"], "valid");
    assert!(
        cred["cert"]["subjectDN"]
            .as_str()
            .unwrap()
            .contains("RSSMRA85T10A562S"),
        "{cred}"
    );
    assert!(cred["cert"]["certificates"].as_array().unwrap().len() >= 2);
    let mario_key = public_key(
        dir.path(),
        "mario",
        cred["cert"]["certificates"][0].as_str().unwrap(),
    );

    let hashes = vec![sha256(b"atto di nascita 1"), sha256(b"atto di nascita 2")];
    let sad = sad_for(&api, &app, mario, &hashes).await;
    let (status, body) = sign_hash(
        &api,
        mario,
        &mario.credential_id,
        &sad,
        &hashes,
        ECDSA_SHA256,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let signatures = body["signatures"].as_array().unwrap();
    assert_eq!(signatures.len(), 2);
    for (hash, sig) in hashes.iter().zip(signatures) {
        let sig = unb64(sig.as_str().unwrap());
        assert_eq!(sig[0], 0x30, "ECDSA signatures are DER SEQUENCEs");
        assert!(openssl_verify(dir.path(), &mario_key, hash, &sig, &[]));
        assert!(
            !openssl_verify(dir.path(), &mario_key, &sha256(b"altro"), &sig, &[]),
            "the signature is bound to its hash"
        );
    }

    // RSA-2048: sha256WithRSAEncryption, rsaEncryption + hashAlgorithmOID, and RSASSA-PSS.
    let laura = &f.other_officer;
    let (status, cred) = api
        .post(
            &laura.token,
            "/csc/v2/credentials/info",
            &json!({"credentialID": laura.credential_id}),
        )
        .await;
    assert_eq!(status, 200, "{cred}");
    assert_eq!(cred["key"]["len"], 2048);
    assert_eq!(
        cred["key"]["algo"],
        json!([RSA_SHA256, RSA_ENCRYPTION, RSASSA_PSS])
    );
    assert_eq!(cred["cert"]["certificates"].as_array().unwrap().len(), 1);
    let laura_key = public_key(
        dir.path(),
        "laura",
        cred["cert"]["certificates"][0].as_str().unwrap(),
    );
    let hashes = vec![
        sha256(b"atto di matrimonio 1"),
        sha256(b"atto di matrimonio 2"),
        sha256(b"atto di matrimonio 3"),
    ];
    let sad = sad_for(&api, &app, laura, &hashes).await;
    let (status, body) = sign_hash(
        &api,
        laura,
        &laura.credential_id,
        &sad,
        &hashes[..1],
        RSA_SHA256,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let sig = unb64(body["signatures"][0].as_str().unwrap());
    assert_eq!(sig.len(), 256);
    assert!(openssl_verify(
        dir.path(),
        &laura_key,
        &hashes[0],
        &sig,
        &["digest:sha256"]
    ));
    let (status, body) = sign_hash(
        &api,
        laura,
        &laura.credential_id,
        &sad,
        &hashes[1..2],
        RSA_ENCRYPTION,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let sig = unb64(body["signatures"][0].as_str().unwrap());
    assert!(openssl_verify(
        dir.path(),
        &laura_key,
        &hashes[1],
        &sig,
        &["digest:sha256"]
    ));
    // PSS through the v1 parameter names.
    let (status, body) = api
        .post(
            &laura.token,
            "/csc/v2/signatures/signHash",
            &json!({
                "credentialID": laura.credential_id,
                "SAD": sad,
                "hash": [b64(&hashes[2])],
                "hashAlgo": SHA256,
                "signAlgo": RSASSA_PSS,
                "signAlgoParams": b64(&unhex(PSS_SHA256_PARAMS)),
            }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let sig = unb64(body["signatures"][0].as_str().unwrap());
    let pss = [
        "digest:sha256",
        "rsa_padding_mode:pss",
        "rsa_pss_saltlen:32",
    ];
    assert!(openssl_verify(
        dir.path(),
        &laura_key,
        &hashes[2],
        &sig,
        &pss
    ));
    assert!(
        !openssl_verify(dir.path(), &laura_key, &hashes[2], &sig, &["digest:sha256"]),
        "a PSS signature is not a PKCS#1 v1.5 one"
    );
    assert_eq!(audit(&app, "signing.signature_created").await.len(), 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_replayed_and_locked_out_otps_are_refused_and_audited() {
    let (app, f) = setup(&[]).await;
    let api = Api::new(&app);
    let mario = &f.officer;
    let hashes = vec![sha256(b"atto 1")];
    // A code sent for an ANSC signing request is bound to that request: it does not authorise
    // the CSC credential.
    api.create(
        &f,
        &mario.credential_id,
        json!([{"name": "atto.pdf", "atto": "nascita", "format": "pades", "content": b64(ATTO_PDF)}]),
    )
    .await;
    let request_code = app.last_sms_code(&mario.phone).unwrap();
    let (status, body) = authorize(&api, mario, &hashes, &request_code).await;
    assert_csc_error(status, &body, 400, "invalid_otp", "otp_rejected");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("4 attempts left"),
        "{body}"
    );
    let code = send_otp(&api, &app, mario, "v2").await;
    // Sending again at once is rate limited.
    let (status, body) = api
        .post(
            &mario.token,
            "/csc/v2/credentials/sendOTP",
            &json!({"credentialID": mario.credential_id}),
        )
        .await;
    assert_csc_error(status, &body, 429, "invalid_request", "otp_rate_limited");
    // A wrong code.
    let (status, body) = authorize(&api, mario, &hashes, &wrong(&code)).await;
    assert_csc_error(status, &body, 400, "invalid_otp", "otp_rejected");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("3 attempts left"),
        "{body}"
    );
    let (status, body) = authorize(&api, mario, &hashes, &code).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["expiresIn"], 300);
    // The same code again: replay.
    let (status, body) = authorize(&api, mario, &hashes, &code).await;
    assert_csc_error(status, &body, 400, "invalid_otp", "otp_rejected");
    let rejected = audit(&app, "otp.rejected").await;
    assert_eq!(rejected.len(), 3, "{rejected:?}");
    let causes: Vec<bool> = ["no_challenge", "mismatch", "no_challenge"]
        .iter()
        .zip(&rejected)
        .map(|(cause, (_, _, d))| d.contains(cause))
        .collect();
    assert_eq!(causes, [true, true, true], "{rejected:?}");
    assert!(
        rejected
            .iter()
            .all(|(actor, _, d)| actor.starts_with("ufficiale:")
                && d.contains(&format!("csc:{}", mario.credential_id)))
    );

    // After a code was used, a new one can be asked for at once; wrong codes lock the device.
    let code = send_otp(&api, &app, mario, "v2").await;
    for attempt in 0..3 {
        let (status, body) = authorize(&api, mario, &hashes, &wrong(&code)).await;
        assert_csc_error(status, &body, 400, "invalid_otp", "otp_rejected");
        let left = format!("{} attempts left", 3 - attempt);
        assert!(
            body["error_description"].as_str().unwrap().contains(&left),
            "{body}"
        );
    }
    let (status, body) = authorize(&api, mario, &hashes, &wrong(&code)).await;
    assert_csc_error(status, &body, 400, "invalid_request", "otp_locked");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .starts_with("Credential locked"),
        "{body}"
    );
    let (status, body) = authorize(&api, mario, &hashes, &code).await;
    assert_csc_error(status, &body, 400, "invalid_request", "otp_locked");
    let (status, body) = api
        .post(
            &mario.token,
            "/csc/v2/credentials/sendOTP",
            &json!({"credentialID": mario.credential_id}),
        )
        .await;
    assert_csc_error(status, &body, 400, "invalid_request", "otp_locked");
    assert_eq!(audit(&app, "otp.locked_out").await.len(), 1);
    assert_eq!(audit(&app, "signing.authorized").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn sad_count_hashes_officers_and_roles_are_enforced_and_audited() {
    let (app, f) = setup(&[]).await;
    let api = Api::new(&app);
    let (mario, laura) = (&f.officer, &f.other_officer);
    let (h1, h2, h3) = (sha256(b"uno"), sha256(b"due"), sha256(b"tre"));

    // Bad authorisations are refused before the code is checked (the code stays usable).
    let code = send_otp(&api, &app, mario, "v2").await;
    let (status, body) = api
        .post(
            &mario.token,
            "/csc/v2/credentials/authorize",
            &json!({"credentialID": mario.credential_id, "numSignatures": 3,
                    "hashes": [b64(&h1)], "authData": [{"id": "OTP", "value": code}]}),
        )
        .await;
    assert_csc_error(status, &body, 400, "invalid_request", "invalid_parameter");
    let (status, body) = api
        .post(
            &mario.token,
            "/csc/v2/credentials/authorize",
            &json!({"credentialID": mario.credential_id, "numSignatures": 1,
                    "hashes": [b64(&h1)], "hashAlgorithmOID": "2.16.840.1.101.3.4.2.3",
                    "authData": [{"id": "OTP", "value": code}]}),
        )
        .await;
    assert_csc_error(
        status,
        &body,
        400,
        "invalid_request",
        "unsupported_hash_algorithm",
    );
    let (status, body) = api
        .post(
            &mario.token,
            "/csc/v2/credentials/authorize",
            &json!({"credentialID": mario.credential_id, "numSignatures": 101,
                    "hashes": [b64(&h1)], "authData": [{"id": "OTP", "value": code}]}),
        )
        .await;
    assert_csc_error(status, &body, 400, "invalid_request", "too_many_signatures");
    let (status, body) = authorize(&api, mario, &[h1.clone(), h2.clone()], &code).await;
    assert_eq!(status, 200, "{body}");
    let sad = body["SAD"].as_str().unwrap().to_owned();

    // A hash outside the SAD.
    let (status, body) = sign_hash(
        &api,
        mario,
        &mario.credential_id,
        &sad,
        std::slice::from_ref(&h3),
        ECDSA_SHA256,
    )
    .await;
    assert_csc_error(
        status,
        &body,
        400,
        "invalid_request",
        "sad_hash_not_authorized",
    );
    assert!(denied(&app, "sad_hash_not_authorized").await);
    // More signatures than the SAD allows: refused before anything is signed.
    let three = [h1.clone(), h2.clone(), h1.clone()];
    let (status, body) = sign_hash(
        &api,
        mario,
        &mario.credential_id,
        &sad,
        &three,
        ECDSA_SHA256,
    )
    .await;
    assert_csc_error(status, &body, 400, "invalid_request", "sad_exhausted");
    // An algorithm the key cannot do.
    let (status, body) = sign_hash(
        &api,
        mario,
        &mario.credential_id,
        &sad,
        std::slice::from_ref(&h1),
        RSA_SHA256,
    )
    .await;
    assert_csc_error(
        status,
        &body,
        400,
        "invalid_request",
        "unsupported_sign_algorithm",
    );
    assert!(audit(&app, "signing.signature_created").await.is_empty());

    // Laura cannot use Mario's credential, nor his SAD with her own credential.
    let (status, body) = sign_hash(
        &api,
        laura,
        &mario.credential_id,
        &sad,
        std::slice::from_ref(&h1),
        ECDSA_SHA256,
    )
    .await;
    assert_csc_error(status, &body, 400, "invalid_request", "unknown_credential");
    assert!(denied(&app, "not the officer who owns the credential").await);
    let (status, body) = sign_hash(
        &api,
        laura,
        &laura.credential_id,
        &sad,
        std::slice::from_ref(&h1),
        RSA_SHA256,
    )
    .await;
    assert_csc_error(
        status,
        &body,
        400,
        "invalid_request",
        "sad_wrong_credential",
    );
    assert!(denied(&app, "sad_wrong_credential").await);
    let (status, body) = api
        .post(
            &laura.token,
            "/csc/v2/credentials/info",
            &json!({"credentialID": mario.credential_id}),
        )
        .await;
    assert_csc_error(status, &body, 400, "invalid_request", "unknown_credential");
    let (status, body) = api
        .post(
            &laura.token,
            "/csc/v2/credentials/list",
            &json!({"userID": mario.codice_fiscale}),
        )
        .await;
    assert_csc_error(status, &body, 400, "invalid_request", "user_id_not_allowed");
    assert!(denied(&app, "another user's credentials").await);
    let (status, body) = sign_hash(
        &api,
        mario,
        &mario.credential_id,
        "no-such-sad",
        std::slice::from_ref(&h1),
        ECDSA_SHA256,
    )
    .await;
    assert_csc_error(status, &body, 400, "invalid_request", "sad_unknown");
    assert!(denied(&app, "unknown SAD").await);

    // The SAD signs its two hashes, then is used up.
    let (status, body) = sign_hash(
        &api,
        mario,
        &mario.credential_id,
        &sad,
        &[h1.clone(), h2.clone()],
        ECDSA_SHA256,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = sign_hash(
        &api,
        mario,
        &mario.credential_id,
        &sad,
        std::slice::from_ref(&h1),
        ECDSA_SHA256,
    )
    .await;
    assert_csc_error(status, &body, 400, "invalid_request", "sad_exhausted");
    assert!(denied(&app, "sad_exhausted").await);
    assert_eq!(audit(&app, "signing.signature_created").await.len(), 2);

    // No token, or a token of a role that may not sign.
    let (status, body) = post_anonymous(&api, "/csc/v2/credentials/list", &json!({})).await;
    assert_csc_error(status, &body, 401, "invalid_token", "unauthenticated");
    let (status, body) = post_anonymous(
        &api,
        "/csc/v2/signatures/signHash",
        &json!({"credentialID": mario.credential_id, "SAD": sad, "hashes": [b64(&h1)], "signAlgo": ECDSA_SHA256}),
    )
    .await;
    assert_csc_error(status, &body, 401, "invalid_token", "unauthenticated");
    let anonymous = audit(&app, "access.denied").await;
    assert!(
        anonymous
            .iter()
            .filter(|(actor, subject, _)| actor == "anonymous" && subject.starts_with("/csc/v2/"))
            .count()
            >= 2,
        "{anonymous:?}"
    );
    let (status, body) = api
        .post(&f.als_token, "/csc/v2/credentials/list", &json!({}))
        .await;
    assert_csc_error(status, &body, 403, "access_denied", "forbidden");
    let (status, body) = api
        .post(
            &f.als_token,
            "/csc/v2/credentials/sendOTP",
            &json!({"credentialID": mario.credential_id}),
        )
        .await;
    assert_csc_error(status, &body, 403, "access_denied", "forbidden");
    assert!(denied(&app, "the role als may not").await);
    // ANSC core may read an officer's credentials, never authorise or sign with them.
    let (status, body) = api
        .post(
            &f.ansc_token,
            "/csc/v2/credentials/list",
            &json!({"userID": mario.codice_fiscale, "credentialInfo": true}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["credentialIDs"], json!([mario.credential_id]));
    assert_eq!(
        body["credentialInfos"][0]["credentialID"],
        mario.credential_id
    );
    let (status, body) = authorize(
        &Api::new(&app),
        &Officer {
            token: f.ansc_token.clone(),
            ..mario.clone()
        },
        std::slice::from_ref(&h1),
        "123456",
    )
    .await;
    assert_csc_error(status, &body, 403, "access_denied", "forbidden");
    assert!(denied(&app, "the role ansc_core may not sign").await);

    // Bad input: clear 400s in CSC form, and unknown methods are 501.
    let r = api
        .client
        .post(app.url("/csc/v2/signatures/signHash"))
        .bearer_auth(&mario.token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request", "{body}");
    let (status, body) = api
        .post(
            &mario.token,
            "/csc/v2/signatures/signHash",
            &json!({"credentialID": mario.credential_id, "SAD": sad, "hashes": ["@@"], "signAlgo": ECDSA_SHA256}),
        )
        .await;
    assert_csc_error(status, &body, 400, "invalid_request", "invalid_base64");
    let (status, body) = api
        .post(
            &mario.token,
            "/csc/v2/credentials/extendTransaction",
            &json!({}),
        )
        .await;
    assert_csc_error(status, &body, 501, "invalid_request", "not_implemented");
    let (status, body) = api
        .post(&mario.token, "/csc/v1/signatures/signDoc", &json!({}))
        .await;
    assert_eq!(status, 501, "{body}");

    // The OpenAPI document describes both versions and names the refusals.
    let doc: Value = reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for version in ["v1", "v2"] {
        for method in [
            "info",
            "credentials/list",
            "credentials/info",
            "credentials/sendOTP",
            "credentials/authorize",
            "signatures/signHash",
        ] {
            let reference = doc["paths"][format!("/csc/{version}/{method}")]["$ref"]
                .as_str()
                .unwrap_or_else(|| panic!("/csc/{version}/{method} is not documented"));
            let name = reference.trim_start_matches("#/components/pathItems/");
            assert!(doc["components"]["pathItems"][name]["post"].is_object());
        }
    }
    assert!(doc["paths"]["/csc/v2/signatures/signDoc"].is_object());
    let text = doc.to_string();
    for code in [
        "sad_hash_not_authorized",
        "sad_exhausted",
        "sad_expired",
        "sad_wrong_credential",
        "invalid_otp",
        "otp_locked",
        "invalid_token",
        "access_denied",
    ] {
        assert!(text.contains(code), "{code} is not documented");
    }

    // The chain of all these records verifies.
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

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_sad_signs_nothing() {
    let (app, f) = setup(&[("FIRMA_SIGNING__SAD_TTL_SECONDS", "2")]).await;
    let api = Api::new(&app);
    let mario = &f.officer;
    let hashes = vec![sha256(b"atto in scadenza")];
    let code = send_otp(&api, &app, mario, "v2").await;
    let (status, body) = authorize(&api, mario, &hashes, &code).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["expiresIn"], 2);
    let sad = body["SAD"].as_str().unwrap().to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let (status, body) = sign_hash(
        &api,
        mario,
        &mario.credential_id,
        &sad,
        &hashes,
        ECDSA_SHA256,
    )
    .await;
    assert_csc_error(status, &body, 400, "invalid_request", "sad_expired");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .starts_with("SAD expired"),
        "{body}"
    );
    assert!(denied(&app, "sad_expired").await);
    assert!(audit(&app, "signing.signature_created").await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_doc_pades_and_cades_are_validated_by_pyhanko_and_openssl() {
    let (app, f) = setup(&[]).await;
    let api = Api::new(&app);
    let laura = &f.other_officer;
    let content = b"Atto di matrimonio n. 3, parte I, serie A".to_vec();
    let digest = sha256(b"un atto firmato per impronta");
    let not_a_pdf = b"questo non e' un PDF".to_vec();
    // The SAD covers the documents' SHA-256 (the PDF, the CAdES content twice, the digest) and
    // the bytes wrongly sent as a PDF.
    let hashes = vec![
        sha256(ATTO_PDF),
        sha256(&content),
        sha256(&content),
        digest.clone(),
        sha256(&not_a_pdf),
    ];
    let sad = sad_for(&api, &app, laura, &hashes).await;

    // A document that is not a PDF cannot be signed in PAdES: nothing is signed or spent.
    let (status, body) = api
        .post(
            &laura.token,
            "/csc/v2/signatures/signDoc",
            &json!({"credentialID": laura.credential_id, "SAD": sad,
                    "documents": [{"document": b64(&not_a_pdf), "signature_format": "P"}]}),
        )
        .await;
    assert_csc_error(
        status,
        &body,
        400,
        "invalid_request",
        "document_not_signable",
    );
    // A document outside the SAD.
    let (status, body) = api
        .post(
            &laura.token,
            "/csc/v2/signatures/signDoc",
            &json!({"credentialID": laura.credential_id, "SAD": sad,
                    "documents": [{"document": b64(b"un altro documento"), "signature_format": "C"}]}),
        )
        .await;
    assert_csc_error(
        status,
        &body,
        400,
        "invalid_request",
        "sad_hash_not_authorized",
    );
    assert!(audit(&app, "signing.signature_created").await.is_empty());

    let (status, body) = api
        .post(
            &laura.token,
            "/csc/v2/signatures/signDoc",
            &json!({
                "credentialID": laura.credential_id,
                "SAD": sad,
                "documents": [
                    {"document": b64(ATTO_PDF), "signature_format": "P", "conformance_level": "Ades-B-T", "signAlgo": RSA_SHA256},
                    {"document": b64(&content), "signature_format": "C", "signed_envelope_property": "Attached"},
                    {"document": b64(&content), "signature_format": "C", "signed_envelope_property": "Detached", "conformance_level": "AdES-B-B"},
                ],
                "documentDigests": [
                    {"hashes": [b64(&digest)], "hashAlgorithmOID": SHA256, "signature_format": "C", "signAlgo": RSA_SHA256},
                ],
            }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let enveloped = body["DocumentWithSignature"].as_array().unwrap();
    let detached = body["SignatureObject"].as_array().unwrap();
    assert_eq!((enveloped.len(), detached.len()), (2, 2), "{body}");

    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, b64: &Value| {
        let path = dir.path().join(name);
        std::fs::write(&path, unb64(b64.as_str().unwrap())).unwrap();
        path
    };
    let pdf = write("matrimonio.pdf", &enveloped[0]);
    let verdict = pyhanko_validate(&pdf, &f.root_pem);
    assert!(
        verdict.contains("INTACT:TRUSTED") && verdict.contains("UNTOUCHED"),
        "{verdict}"
    );
    let p7m = write("matrimonio.p7m", &enveloped[1]);
    assert_eq!(
        openssl_cms_verify(&p7m, &f.root_pem, None).unwrap(),
        content
    );
    let data = dir.path().join("matrimonio.txt");
    std::fs::write(&data, &content).unwrap();
    let p7s = write("matrimonio.p7s", &detached[0]);
    openssl_cms_verify(&p7s, &f.root_pem, Some(&data)).unwrap();
    let other = dir.path().join("altro.txt");
    std::fs::write(&other, b"un altro atto").unwrap();
    assert!(openssl_cms_verify(&p7s, &f.root_pem, Some(&other)).is_err());
    // The digest's detached signature verifies against the content it is the digest of.
    let digested = dir.path().join("digested.txt");
    std::fs::write(&digested, b"un atto firmato per impronta").unwrap();
    let digest_p7s = write("impronta.p7s", &detached[1]);
    openssl_cms_verify(&digest_p7s, &f.root_pem, Some(&digested)).unwrap();

    let signatures = audit(&app, "signing.signature_created").await;
    assert_eq!(signatures.len(), 4, "{signatures:?}");
    assert!(signatures.iter().all(|(_, _, d)| d.contains("signDoc")));
    // One use is left (the not-a-PDF hash): a second PDF signature is refused.
    let (status, body) = api
        .post(
            &laura.token,
            "/csc/v2/signatures/signDoc",
            &json!({"credentialID": laura.credential_id, "SAD": sad,
                    "documents": [{"document": b64(ATTO_PDF), "signature_format": "P"},
                                  {"document": b64(&content), "signature_format": "C"}]}),
        )
        .await;
    assert_csc_error(status, &body, 400, "invalid_request", "sad_exhausted");
}
