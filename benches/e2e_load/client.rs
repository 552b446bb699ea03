//! The clients: ANSC core and the officers over HTTP, as a deployment would call the service.
//! Signing API: create → the SMS code from the simulator's outbox → authorize → poll → download
//! every document. CSC API: `credentials/sendOTP` → code → `credentials/authorize` →
//! `signatures/signHash`. The SMS outbox is tailed from the offset last read (each client's
//! officer has a phone of their own, so the newest code to that phone is the client's).

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use serde_json::{Value, json};

use crate::raw::KeyKind;
use crate::service::Officer;

const SHA256: &str = "2.16.840.1.101.3.4.2.1";
const ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
const RSA_SHA256: &str = "1.2.840.113549.1.1.11";

/// The simulator's outbox, read incrementally.
pub struct Sms {
    path: PathBuf,
    state: Mutex<SmsState>,
}

#[derive(Default)]
struct SmsState {
    offset: u64,
    /// Per phone: how many codes were sent to it, and the newest.
    codes: HashMap<String, (u64, String)>,
}

impl Sms {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            state: Mutex::default(),
        }
    }

    fn refresh(&self, state: &mut SmsState) {
        let Ok(mut file) = std::fs::File::open(&self.path) else {
            return;
        };
        let mut buf = Vec::new();
        if file.seek(SeekFrom::Start(state.offset)).is_err() || file.read_to_end(&mut buf).is_err()
        {
            return;
        }
        // Only whole lines: a line being appended is read next time.
        let Some(end) = buf.iter().rposition(|&b| b == b'\n') else {
            return;
        };
        for line in buf[..end].split(|&b| b == b'\n') {
            let Ok(m) = serde_json::from_slice::<Value>(line) else {
                continue;
            };
            let (Some(to), Some(text)) = (m["to"].as_str(), m["text"].as_str()) else {
                continue;
            };
            let code: String = text
                .split("codice ")
                .nth(1)
                .unwrap_or_default()
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let entry = state.codes.entry(to.to_owned()).or_default();
            entry.0 += 1;
            entry.1 = code;
        }
        state.offset += end as u64 + 1;
    }

    /// How many codes `phone` has received so far.
    pub fn count(&self, phone: &str) -> u64 {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        self.refresh(&mut state);
        state.codes.get(phone).map_or(0, |c| c.0)
    }

    /// The newest code to `phone` once it has received more than `seen` (up to 10 s).
    pub async fn code_after(&self, phone: &str, seen: u64) -> Result<String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            {
                let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
                self.refresh(&mut state);
                if let Some((n, code)) = state.codes.get(phone)
                    && *n > seen
                {
                    return Ok(code.clone());
                }
            }
            if Instant::now() > deadline {
                bail!("no SMS code reached {phone} within 10 s");
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
}

/// A request body built once and sent many times (documents are base64 inside the JSON).
pub struct Body(pub &'static [u8]);

impl Body {
    /// The signing-request body: `count` copies of `pdf` as PAdES B-B for `credential`.
    pub fn signing_request(credential: &str, pdf: &[u8], count: usize) -> Self {
        use base64::Engine;
        let content = base64::engine::general_purpose::STANDARD.encode(pdf);
        let documents: Vec<Value> = (0..count)
            .map(|n| {
                json!({"name": format!("atto-{n}.pdf"), "atto": "nascita", "format": "pades",
                       "level": "B-B", "content": content})
            })
            .collect();
        let body = json!({"credential_id": credential, "documents": documents});
        Self(serde_json::to_vec(&body).expect("JSON").leak())
    }
}

/// What one client signs per round.
#[derive(Clone, Copy)]
pub enum Work<'a> {
    /// A signing request of `docs` documents (the body built for this client's officer).
    Pades {
        body: &'a Body,
        docs: usize,
        input_len: usize,
    },
    /// A CSC authorisation and `signHash` of `hashes` distinct SHA-256 values.
    SignHash { kind: KeyKind, hashes: usize },
}

impl Work<'_> {
    pub fn items(&self) -> usize {
        match self {
            Self::Pades { docs, .. } => *docs,
            Self::SignHash { hashes, .. } => *hashes,
        }
    }
}

pub struct Api {
    pub client: reqwest::Client,
    pub ansc: String,
    pub sms: Sms,
}

async fn send(request: reqwest::RequestBuilder, expected: u16) -> Result<Value> {
    let response = request.send().await?;
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if status != expected {
        bail!("HTTP {status} (expected {expected}): {body}");
    }
    Ok(body)
}

impl Api {
    /// One round of `work` for `officer`; `bases` are the service instances to use for
    /// (submit/poll/download, authorise/CSC): the same one, or two sharing a database.
    pub async fn round(
        &self,
        bases: (&str, &str),
        officer: &Officer,
        work: Work<'_>,
        round: u64,
    ) -> Result<()> {
        match work {
            Work::Pades {
                body,
                docs,
                input_len,
            } => self.pades(bases, officer, body, docs, input_len).await,
            Work::SignHash { kind, hashes } => {
                self.sign_hash(bases.1, officer, kind, hashes, round).await
            }
        }
    }

    async fn pades(
        &self,
        (main, other): (&str, &str),
        officer: &Officer,
        body: &Body,
        docs: usize,
        input_len: usize,
    ) -> Result<()> {
        let seen = self.sms.count(&officer.phone);
        let created = send(
            self.client
                .post(format!("{main}/api/v1/signing-requests"))
                .bearer_auth(&self.ansc)
                .header("content-type", "application/json")
                .body(body.0),
            201,
        )
        .await?;
        let id = created["id"].as_str().unwrap_or_default().to_owned();
        let code = self.sms.code_after(&officer.phone, seen).await?;
        send(
            self.client
                .post(format!("{other}/api/v1/signing-requests/{id}/authorize"))
                .bearer_auth(&officer.token)
                .json(&json!({"otp": code})),
            202,
        )
        .await?;
        // Poll: 1 ms, then a little longer each time, at most 5 ms between polls for a single
        // document and 25 ms for a batch (the latency measured includes up to one gap; every
        // poll costs the service a few database reads, so a batch client polls less often).
        let cap = if docs == 1 { 5 } else { 25 };
        let mut polls = 0u64;
        loop {
            let r = send(
                self.client
                    .get(format!("{main}/api/v1/signing-requests/{id}"))
                    .bearer_auth(&self.ansc),
                200,
            )
            .await?;
            match r["status"].as_str() {
                Some("completed") => break,
                Some("signing" | "awaiting_authorization") => {}
                _ => bail!("request {id} ended {}: {}", r["status"], r["failure"]),
            }
            polls += 1;
            tokio::time::sleep(Duration::from_millis((1 + polls / 2).min(cap))).await;
        }
        for n in 0..docs {
            let r = self
                .client
                .get(format!("{main}/api/v1/signing-requests/{id}/documents/{n}"))
                .bearer_auth(&self.ansc)
                .send()
                .await?;
            if r.status().as_u16() != 200 {
                bail!("document {n} of {id}: HTTP {}", r.status());
            }
            let signed = r.bytes().await?;
            if signed.len() <= input_len || !signed.starts_with(b"%PDF") {
                bail!(
                    "document {n} of {id}: {} bytes, not a signed PDF",
                    signed.len()
                );
            }
        }
        Ok(())
    }

    async fn sign_hash(
        &self,
        base: &str,
        officer: &Officer,
        kind: KeyKind,
        count: usize,
        round: u64,
    ) -> Result<()> {
        use base64::Engine;
        use sha2::Digest;
        let credential = officer.credential(kind);
        let hashes: Vec<String> = (0..count)
            .map(|n| {
                let h = sha2::Sha256::digest(format!("{credential}/{round}/{n}"));
                base64::engine::general_purpose::STANDARD.encode(h)
            })
            .collect();
        let seen = self.sms.count(&officer.phone);
        send(
            self.client
                .post(format!("{base}/csc/v2/credentials/sendOTP"))
                .bearer_auth(&officer.token)
                .json(&json!({"credentialID": credential})),
            204,
        )
        .await?;
        let code = self.sms.code_after(&officer.phone, seen).await?;
        let sad = send(
            self.client
                .post(format!("{base}/csc/v2/credentials/authorize"))
                .bearer_auth(&officer.token)
                .json(&json!({
                    "credentialID": credential,
                    "numSignatures": count,
                    "hashes": hashes,
                    "hashAlgorithmOID": SHA256,
                    "authData": [{"id": "OTP", "value": code}],
                })),
            200,
        )
        .await?;
        let sign_algo = match kind {
            KeyKind::P256 => ECDSA_SHA256,
            KeyKind::Rsa2048 => RSA_SHA256,
        };
        let signed = send(
            self.client
                .post(format!("{base}/csc/v2/signatures/signHash"))
                .bearer_auth(&officer.token)
                .json(&json!({
                    "credentialID": credential,
                    "SAD": sad["SAD"],
                    "hashes": hashes,
                    "hashAlgorithmOID": SHA256,
                    "signAlgo": sign_algo,
                })),
            200,
        )
        .await?;
        let n = signed["signatures"].as_array().map_or(0, Vec::len);
        if n != count {
            bail!("signHash returned {n} signatures for {count} hashes");
        }
        Ok(())
    }
}
