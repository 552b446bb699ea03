//! Helpers for the signing tests: an HTTP client with a principal's token, request bodies, the
//! independent validators.

use std::path::Path;
use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use firma_testkit::{SigningFixture, TestApp};
use serde_json::{Value, json};

pub const ATTO_PDF: &[u8] =
    include_bytes!("../../crates/firma-ades/tests/corpus/atto-classic-1.4.pdf");

pub fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

pub struct Api<'a> {
    pub app: &'a TestApp,
    pub client: reqwest::Client,
}

impl<'a> Api<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            client: reqwest::Client::new(),
        }
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> (u16, Value) {
        let r = self
            .client
            .post(self.app.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        let r = self
            .client
            .get(self.app.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn bytes(&self, token: &str, path: &str) -> (u16, Vec<u8>) {
        let r = self
            .client
            .get(self.app.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.bytes().await.unwrap().to_vec())
    }

    /// Creates a request for `credential` with `documents`; returns its id.
    pub async fn create(&self, f: &SigningFixture, credential: &str, documents: Value) -> String {
        let (status, body) = self
            .post(
                &f.ansc_token,
                "/api/v1/signing-requests",
                &json!({"credential_id": credential, "documents": documents}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().unwrap().to_owned()
    }

    /// Polls until the request leaves `signing` (or 60 s pass); returns it.
    pub async fn wait_finished(&self, token: &str, id: &str) -> Value {
        for _ in 0..600 {
            let (_, body) = self
                .get(token, &format!("/api/v1/signing-requests/{id}"))
                .await;
            if body["status"] != "signing" && body["status"] != "awaiting_authorization" {
                return body;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("request {id} did not finish");
    }
}

pub fn pyhanko() -> String {
    std::env::var("FIRMA_PYHANKO").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/.venv-validators/bin/pyhanko").to_owned()
    })
}

/// pyHanko's verdict on every signature of `pdf` (`INTACT:TRUSTED,...` lines).
pub fn pyhanko_validate(pdf: &Path, root: &Path) -> String {
    let out = Command::new(pyhanko())
        .args(["sign", "validate", "--trust"])
        .arg(root)
        .args(["--trust-replace", "--no-revocation-check"])
        .arg(pdf)
        .output()
        .expect("pyHanko is installed (scripts/test-deps)");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `pdfsig` with an NSS database holding the root.
pub fn pdfsig(pdf: &Path, root: &Path) -> String {
    let nss = pdf.with_extension("nssdb");
    std::fs::create_dir_all(&nss).unwrap();
    let db = format!("sql:{}", nss.display());
    let ok = Command::new("certutil")
        .args(["-N", "--empty-password", "-d", &db])
        .status()
        .unwrap();
    assert!(ok.success());
    let ok = Command::new("certutil")
        .args(["-A", "-d", &db, "-n", "root", "-t", "CT,C,C", "-i"])
        .arg(root)
        .status()
        .unwrap();
    assert!(ok.success());
    let out = Command::new("pdfsig")
        .args(["-nssdir", &db])
        .arg(pdf)
        .output()
        .expect("pdfsig (poppler-utils)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `openssl cms -verify -cades`: Ok(content) or Err(output).
pub fn openssl_cms_verify(
    cms: &Path,
    root: &Path,
    content: Option<&Path>,
) -> Result<Vec<u8>, String> {
    let mut cmd = Command::new("openssl");
    cmd.args([
        "cms", "-verify", "-cades", "-binary", "-inform", "DER", "-purpose", "any", "-in",
    ])
    .arg(cms)
    .arg("-CAfile")
    .arg(root);
    if let Some(c) = content {
        cmd.arg("-content").arg(c);
    }
    let out = cmd.output().expect("openssl");
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// A valid one-page PDF of about `size` bytes.
pub use firma_testkit::pdf::pdf_of_size as big_pdf;

/// Runs `sql` (one `$1` parameter) on the app's database, SQLite or PostgreSQL, and returns the
/// rows as text columns (cast non-text columns in the SQL).
pub async fn rows(app: &TestApp, sql: &str, bind: &str) -> Vec<Vec<String>> {
    use sqlx::Row;
    let url = app.database.url();
    if app.database.is_postgres() {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .bind(bind)
            .fetch_all(&pool)
            .await
            .unwrap();
        pool.close().await;
        rows.iter()
            .map(|r| (0..r.len()).map(|i| r.get::<String, _>(i)).collect())
            .collect()
    } else {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .bind(bind)
            .fetch_all(&pool)
            .await
            .unwrap();
        pool.close().await;
        rows.iter()
            .map(|r| (0..r.len()).map(|i| r.get::<String, _>(i)).collect())
            .collect()
    }
}

/// The audit records of kind `kind`, in order: (actor, subject, details as JSON text).
pub async fn audit(app: &TestApp, kind: &str) -> Vec<(String, String, String)> {
    rows(
        app,
        "SELECT actor, subject, details FROM audit_log WHERE kind = $1 ORDER BY seq",
        kind,
    )
    .await
    .into_iter()
    .map(|mut r| {
        let details = r.pop().unwrap();
        let subject = r.pop().unwrap();
        (r.pop().unwrap(), subject, details)
    })
    .collect()
}

/// A single number from `sql` (one `$1` parameter), e.g. a `COUNT(*)`.
pub async fn number(app: &TestApp, sql: &str, bind: &str) -> i64 {
    rows(app, sql, bind).await[0][0].parse().unwrap()
}
