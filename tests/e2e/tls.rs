//! HTTPS and mutual TLS with workstation certificates (certificati di postazione): the server's
//! certificate from a throwaway OpenSSL CA, workstation keys and requests made by OpenSSL, the
//! workstation certificates issued by `firma ca workstation` and bound to principals with
//! `firma principals create --client-cert`, the CA simulator's root as `tls.client_ca`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use firma_testkit::app::command;
use firma_testkit::softhsm::TestToken;
use firma_testkit::{TestApp, TestDatabase};
use serde_json::{Value, json};

use crate::FIRMA;
use crate::signing_support::{ATTO_PDF, b64};

/// Runs OpenSSL in `dir`, asserting it succeeds.
fn openssl(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is needed for the TLS tests (apt-get install openssl)");
    assert!(
        out.status.success(),
        "openssl {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A new P-256 key and PKCS#10 request, made by OpenSSL as a workstation would.
fn key_and_csr(dir: &Path, name: &str, subject: &str) {
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-subj",
            subject,
            "-keyout",
            &format!("{name}-key.pem"),
            "-out",
            &format!("{name}.csr"),
        ],
    );
}

/// `name.pem` issued by the throwaway OpenSSL CA with the extensions `ext` (openssl x509 syntax).
fn issue_with_test_ca(dir: &Path, name: &str, subject: &str, ext: &str) {
    key_and_csr(dir, name, subject);
    std::fs::write(dir.join(format!("{name}.ext")), ext).unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            "test-ca.pem",
            "-CAkey",
            "test-ca-key.pem",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            &format!("{name}.ext"),
            "-out",
            &format!("{name}.pem"),
        ],
    );
}

/// The SHA-256 fingerprint of the first certificate of a PEM file, by OpenSSL, lower-case hex.
fn openssl_fingerprint(dir: &Path, pem: &str) -> String {
    let out = openssl(
        dir,
        &["x509", "-in", pem, "-noout", "-fingerprint", "-sha256"],
    );
    out.trim()
        .rsplit('=')
        .next()
        .unwrap()
        .replace(':', "")
        .to_lowercase()
}

fn firma(token: &TestToken, db: &TestDatabase, args: &[&str]) -> Output {
    command(Path::new(FIRMA), token, db)
        .args(args)
        .output()
        .expect("running firma")
}

fn firma_ok(token: &TestToken, db: &TestDatabase, args: &[&str]) -> (String, String) {
    let out = firma(token, db, args);
    assert!(
        out.status.success(),
        "firma {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The PKI of a TLS test, in `dir` (the token's directory).
struct Pki {
    dir: PathBuf,
}

impl Pki {
    /// The service's certificate for 127.0.0.1 and localhost from a throwaway OpenSSL CA, a
    /// "rogue" client certificate from that CA (not the Ente Certificatore), the CA simulator's
    /// root from `firma ca root`, and workstation certificates issued by `firma ca workstation`
    /// for requests made by OpenSSL: `ws1.pem` and `ws2.pem` (with their `-key.pem`).
    fn create(token: &TestToken, db: &TestDatabase) -> Self {
        let dir = token.dir().join("pki");
        std::fs::create_dir_all(&dir).unwrap();
        openssl(
            &dir,
            &[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=Test TLS CA",
                "-keyout",
                "test-ca-key.pem",
                "-out",
                "test-ca.pem",
            ],
        );
        issue_with_test_ca(
            &dir,
            "server",
            "/CN=localhost",
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n\
             extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n",
        );
        // Same subject as a real workstation, but not issued by the Ente Certificatore.
        issue_with_test_ca(
            &dir,
            "rogue",
            "/C=IT/O=Comune di Roma/OU=Postazioni/CN=PC-ROMA-01",
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n\
             extendedKeyUsage=clientAuth\n",
        );
        let (root, _) = firma_ok(token, db, &["ca", "root"]);
        std::fs::write(dir.join("client-ca.pem"), root).unwrap();
        for (name, id) in [("ws1", "PC-ROMA-01"), ("ws2", "PC-ROMA-02")] {
            // The workstation's own request names it however it likes: the CA sets the subject.
            key_and_csr(&dir, name, "/CN=postazione");
            let out = dir.join(format!("{name}.pem"));
            let (_, stderr) = firma_ok(
                token,
                db,
                &[
                    "ca",
                    "workstation",
                    "--csr",
                    dir.join(format!("{name}.csr")).to_str().unwrap(),
                    "--id",
                    id,
                    "--organization",
                    "Comune di Roma",
                    "--out",
                    out.to_str().unwrap(),
                    "--actor",
                    "alp-roma",
                ],
            );
            assert!(stderr.contains(id), "{stderr}");
        }
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap()
    }

    /// The service's `FIRMA_TLS__*` settings with `client_auth`.
    fn env(&self, client_auth: &str) -> Vec<(String, String)> {
        let path = |name: &str| self.path(name).display().to_string();
        vec![
            ("FIRMA_TLS__ENABLED".into(), "true".into()),
            ("FIRMA_TLS__CERTIFICATE_CHAIN".into(), path("server.pem")),
            ("FIRMA_TLS__PRIVATE_KEY".into(), path("server-key.pem")),
            ("FIRMA_TLS__CLIENT_CA".into(), path("client-ca.pem")),
            ("FIRMA_TLS__CLIENT_AUTH".into(), client_auth.into()),
        ]
    }

    /// An HTTPS client trusting the test CA, presenting `identity` (the certificate chain file
    /// `name.pem` with the key `name-key.pem`) when given.
    fn client(&self, identity: Option<&str>) -> reqwest::Client {
        let root = reqwest::Certificate::from_pem(&self.read("test-ca.pem")).unwrap();
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .add_root_certificate(root)
            .timeout(Duration::from_secs(30));
        if let Some(name) = identity {
            let pem = [
                self.read(&format!("{name}-key.pem")),
                self.read(&format!("{name}.pem")),
            ]
            .concat();
            builder = builder.identity(reqwest::Identity::from_pem(&pem).unwrap());
        }
        builder.build().unwrap()
    }
}

/// The service's HTTPS base URL (the test kit builds `http://` from the logged address).
fn https(app: &TestApp, path: &str) -> String {
    format!("{}{path}", app.base_url.replacen("http://", "https://", 1))
}

/// Sends a request; `Err` when no HTTP response came back (e.g. the handshake was refused).
async fn send(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Result<(u16, Value), reqwest::Error> {
    let mut request = match body {
        Some(body) => client.post(url).json(body),
        None => client.get(url),
    };
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    Ok((status, response.json().await.unwrap_or(Value::Null)))
}

/// The audit records of kind `kind`: (actor, subject, details), from SQLite or PostgreSQL.
async fn audit(app: &TestApp, kind: &str) -> Vec<(String, String, Value)> {
    crate::signing_support::audit(app, kind)
        .await
        .into_iter()
        .map(|(actor, subject, details)| (actor, subject, serde_json::from_str(&details).unwrap()))
        .collect()
}

/// How many TLS handshakes the service logged as refused.
fn refused_handshakes(app: &TestApp) -> usize {
    app.logs().matches("TLS handshake refused").count()
}

/// Whether the service's log shows `needle` at least `times` times within five seconds (the
/// client may see a refused handshake before the service has logged it).
async fn logged(app: &TestApp, needle: &str, times: usize) -> bool {
    for _ in 0..250 {
        if app.logs().matches(needle).count() >= times {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

fn one_pdf(credential: &str) -> Value {
    json!({
        "credential_id": credential,
        "documents": [{"name": "atto.pdf", "atto": "nascita", "format": "pades", "content": b64(ATTO_PDF)}],
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workstation_certificate_alone_authenticates_over_mutual_tls() {
    let token = TestToken::create();
    let db = TestDatabase::sqlite();
    let (token, db, f, pki, bound) = tokio::task::spawn_blocking(move || {
        let f = firma_testkit::signing::prepare(Path::new(FIRMA), &token, &db);
        let pki = Pki::create(&token, &db);
        // The workstation certificate is the Ente Certificatore's, for TLS clients, as OpenSSL
        // sees it: it chains to the simulator's root with the issuing CA sent along.
        let text = openssl(&pki.dir, &["x509", "-in", "ws1.pem", "-noout", "-text"]);
        assert!(
            text.contains("TLS Web Client Authentication")
                && text.contains("O = Comune di Roma")
                && text.contains("CN = PC-ROMA-01"),
            "{text}"
        );
        let verified = openssl(
            &pki.dir,
            &[
                "verify",
                "-CAfile",
                "client-ca.pem",
                "-untrusted",
                "ws1.pem",
                "-purpose",
                "sslclient",
                "ws1.pem",
            ],
        );
        assert!(verified.contains("OK"), "{verified}");
        // ANSC core's workstation, bound to a principal: the token is still printed.
        let ws1 = pki.path("ws1.pem");
        let (stdout, stderr) = firma_ok(
            &token,
            &db,
            &[
                "principals",
                "create",
                "--role",
                "ansc_core",
                "--name",
                "ANSC core PC-ROMA-01",
                "--client-cert",
                ws1.to_str().unwrap(),
            ],
        );
        assert!(stdout.trim().starts_with("firma_"), "{stdout}");
        let fingerprint = openssl_fingerprint(&pki.dir, "ws1.pem");
        assert!(stderr.contains(&fingerprint), "{stderr}");
        // One certificate, one principal.
        let again = firma(
            &token,
            &db,
            &[
                "principals",
                "create",
                "--role",
                "admin",
                "--name",
                "someone else",
                "--client-cert",
                ws1.to_str().unwrap(),
            ],
        );
        let err = String::from_utf8_lossy(&again.stderr);
        assert!(
            !again.status.success() && err.contains(&fingerprint) && err.contains("already"),
            "{err}"
        );
        // `firma check` reads the TLS files and says what it found.
        let mut check = command(Path::new(FIRMA), &token, &db);
        check.arg("check").envs(pki.env("optional"));
        let out = check.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains("TLS       ok: HTTPS")
                && stdout.contains("CN=localhost")
                && stdout.contains("client certificates optional")
                && stdout.contains("database  ok"),
            "{stdout}"
        );
        (token, db, f, pki, fingerprint)
    })
    .await
    .unwrap();

    let app = TestApp::start(Path::new(FIRMA), token, db, pki.env("optional")).await;
    // The log line reaches `logs()` just after the test kit saw the address.
    let mut listening = String::new();
    for _ in 0..50 {
        if let Some(line) = app.logs().lines().find(|l| l.contains("\"listening\"")) {
            listening = line.to_owned();
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        listening.contains("\"scheme\":\"https\"") && listening.contains("\"url\":\"https://"),
        "{listening}"
    );
    let url = https(&app, "/api/v1/signing-requests");
    let workstation = pki.client(Some("ws1"));

    // The workstation certificate alone, no token: ANSC core creates the request.
    let (status, created) = send(
        &workstation,
        &url,
        None,
        Some(&one_pdf(&f.officer.credential_id)),
    )
    .await
    .unwrap();
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let made = audit(&app, "signing.request_created").await;
    assert_eq!(made.len(), 1, "{made:?}");
    assert_eq!(made[0].0, "ansc_core:ANSC core PC-ROMA-01");

    // The officer has no certificate; client_auth = "optional" lets them use their token.
    let officer = pki.client(None);
    let code = app.last_sms_code(&f.officer.phone).expect("an SMS code");
    let (status, body) = send(
        &officer,
        &format!("{url}/{id}/authorize"),
        Some(&f.officer.token),
        Some(&json!({"otp": code})),
    )
    .await
    .unwrap();
    assert_eq!(status, 202, "{body}");
    let mut finished = Value::Null;
    for _ in 0..300 {
        let (status, body) = send(&workstation, &format!("{url}/{id}"), None, None)
            .await
            .unwrap();
        assert_eq!(status, 200, "{body}");
        if body["status"] == "completed" || body["status"] == "failed" {
            finished = body;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(finished["status"], "completed", "{finished}");

    // No certificate and no token: 401, audited as before.
    let (status, body) = send(
        &officer,
        &url,
        None,
        Some(&one_pdf(&f.officer.credential_id)),
    )
    .await
    .unwrap();
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "unauthenticated");

    // A certificate the Ente Certificatore did not issue never gets past the handshake, even
    // with a valid token.
    let before = refused_handshakes(&app);
    let rogue = pki.client(Some("rogue"));
    let refused = send(
        &rogue,
        &url,
        Some(&f.ansc_token),
        Some(&one_pdf(&f.officer.credential_id)),
    )
    .await;
    assert!(refused.is_err(), "{refused:?}");
    assert!(
        logged(&app, "TLS handshake refused", before + 1).await
            && app.logs().contains("UnknownIssuer"),
        "{}",
        app.logs()
    );
    // A valid workstation certificate bound to nobody: 401, never anonymous or the token's.
    let unbound = pki.client(Some("ws2"));
    let (status, body) = send(
        &unbound,
        &url,
        Some(&f.ansc_token),
        Some(&one_pdf(&f.officer.credential_id)),
    )
    .await
    .unwrap();
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "unauthenticated");
    let ws2_fingerprint = openssl_fingerprint(&pki.dir, "ws2.pem");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&ws2_fingerprint),
        "{body}"
    );
    // Plain HTTP to the TLS port gets no HTTP answer.
    let plain = reqwest::Client::new()
        .get(app.url("/health/live"))
        .send()
        .await;
    assert!(plain.is_err(), "{plain:?}");
    // Both refused handshakes were logged, and the service still serves.
    assert!(
        logged(&app, "TLS handshake refused", before + 2).await,
        "{}",
        app.logs()
    );
    let (status, _) = send(&officer, &https(&app, "/health/live"), None, None)
        .await
        .unwrap();
    assert_eq!(status, 200);

    let denied = audit(&app, "access.denied").await;
    let by_certificate: Vec<_> = denied
        .iter()
        .filter(|(_, _, d)| d.get("certificate_sha256").is_some())
        .collect();
    assert_eq!(by_certificate.len(), 1, "{denied:?}");
    let (actor, subject, details) = by_certificate[0];
    assert_eq!(actor, "anonymous");
    assert_eq!(subject, "/api/v1/signing-requests");
    assert_eq!(details["certificate_sha256"], ws2_fingerprint.as_str());
    assert!(
        details["certificate_subject"]
            .as_str()
            .unwrap()
            .contains("CN=PC-ROMA-02"),
        "{details}"
    );
    // The bound certificate was audited when issued and bound.
    let issued = audit(&app, "ca.workstation_certificate_issued").await;
    assert_eq!(issued.len(), 2, "{issued:?}");
    assert_eq!(issued[0].0, "operator:alp-roma");
    assert_eq!(issued[0].1, "workstation:PC-ROMA-01");
    assert_eq!(issued[0].2["certificate_sha256"], bound.as_str());
    let created = audit(&app, "principal.created").await;
    assert!(
        created
            .iter()
            .any(|(_, _, d)| d["certificate_sha256"] == bound.as_str()),
        "{created:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn required_client_certificates_refuse_connections_without_one() {
    let token = TestToken::create();
    // On PostgreSQL: the certificate column, its unique index and the lookup of that backend.
    let db = TestDatabase::postgres().await;
    let (token, db, pki, ansc_token) = tokio::task::spawn_blocking(move || {
        firma_ok(&token, &db, &["ca", "init"]);
        let pki = Pki::create(&token, &db);
        let ws1 = pki.path("ws1.pem");
        let (ansc_token, _) = firma_ok(
            &token,
            &db,
            &[
                "principals",
                "create",
                "--role",
                "ansc_core",
                "--name",
                "ANSC core PC-ROMA-01",
                "--client-cert",
                ws1.to_str().unwrap(),
            ],
        );
        // Misconfigurations stop `check` (and `serve`) with the setting to fix.
        let mut env = pki.env("required");
        env.retain(|(k, _)| k != "FIRMA_TLS__CLIENT_CA");
        let out = command(Path::new(FIRMA), &token, &db)
            .arg("check")
            .envs(env)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains("needs tls.client_ca"),
            "{err}"
        );
        let out = command(Path::new(FIRMA), &token, &db)
            .arg("serve")
            .envs(pki.env("required"))
            .env("FIRMA_TLS__PRIVATE_KEY", pki.path("missing-key.pem"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success()
                && err.contains("tls.private_key")
                && err.contains("missing-key.pem"),
            "{err}"
        );
        (token, db, pki, ansc_token.trim().to_owned())
    })
    .await
    .unwrap();

    let app = TestApp::start(Path::new(FIRMA), token, db, pki.env("required")).await;
    let unknown = https(
        &app,
        "/api/v1/signing-requests/00000000-0000-4000-8000-000000000000",
    );

    // The bound workstation is authenticated: the request it asks for does not exist (404), it
    // is not refused (401).
    let (status, body) = send(&pki.client(Some("ws1")), &unknown, None, None)
        .await
        .unwrap();
    assert_eq!(status, 404, "{body}");

    // Without a certificate nothing gets through, not even a valid bearer token; nor with a
    // certificate from another CA.
    let before = refused_handshakes(&app);
    for identity in [None, Some("rogue")] {
        let refused = send(&pki.client(identity), &unknown, Some(&ansc_token), None).await;
        assert!(refused.is_err(), "{identity:?}: {refused:?}");
    }
    assert!(
        logged(&app, "TLS handshake refused", before + 2).await
            && app.logs().contains("peer sent no certificates")
            && app.logs().contains("UnknownIssuer"),
        "{}",
        app.logs()
    );

    // A workstation certificate of the CA bound to nobody: 401, audited.
    let (status, body) = send(&pki.client(Some("ws2")), &unknown, Some(&ansc_token), None)
        .await
        .unwrap();
    assert_eq!(status, 401, "{body}");
    let denied = audit(&app, "access.denied").await;
    assert_eq!(denied.len(), 1, "{denied:?}");
    assert_eq!(
        denied[0].2["certificate_sha256"],
        openssl_fingerprint(&pki.dir, "ws2.pem").as_str()
    );
}
