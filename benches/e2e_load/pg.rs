//! Two `firma serve` instances on one fresh PostgreSQL database (and one SoftHSM token), driven
//! at once: each client submits to one instance and authorises on the other. Afterwards the
//! database must show no duplicate signature (exactly one `signing.signature_created` audit
//! record per signed document), every request completed, and an intact audit chain.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use firma_testkit::TestDatabase;
use firma_testkit::app::command;
use firma_testkit::softhsm::TestToken;
use serde_json::{Value, json};
use sqlx::{Connection, Row as _};

use crate::client::{Api, Body, Sms, Work};
use crate::pdf::ATTO_PDF;
use crate::raw::KeyKind;
use crate::runner::{Measured, closed_loop};
use crate::service::{Service, Usage, cpu_seconds, prepare};

/// Whether the server of `FIRMA_TEST_POSTGRES_URL` (or the default) answers.
pub async fn available() -> bool {
    let url = std::env::var(firma_testkit::database::POSTGRES_URL_VAR)
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    matches!(
        tokio::time::timeout(Duration::from_secs(3), sqlx::PgConnection::connect(&url)).await,
        Ok(Ok(_))
    )
}

pub struct PgRun {
    pub measured: Measured,
    /// The larger peak RSS of the two, and the cores both used together.
    pub usage: Usage,
    /// What the database says afterwards.
    pub checks: Value,
    pub ok: bool,
}

pub async fn two_instances(
    binary: &Path,
    clients: usize,
    batch: usize,
    duration: Duration,
) -> PgRun {
    let token = TestToken::create();
    let db = TestDatabase::postgres().await;
    let fixture = {
        let (token, db) = (&token, &db);
        tokio::task::block_in_place(|| prepare(binary, token, db, clients))
    };
    let services = [
        Service::start(binary, &token, &db),
        Service::start(binary, &token, &db),
    ];
    let bases = Arc::new(services.iter().map(|s| s.base.clone()).collect::<Vec<_>>());
    let api = Arc::new(Api {
        client: reqwest::Client::new(),
        ansc: fixture.ansc.clone(),
        sms: Sms::new(token.dir().join("data/sms-outbox.jsonl")),
    });
    let bodies: Vec<&'static Body> = fixture
        .officers
        .iter()
        .map(|o| {
            &*Box::leak(Box::new(Body::signing_request(
                o.credential(KeyKind::P256),
                ATTO_PDF,
                batch,
            )))
        })
        .collect();
    let officers = Arc::new(fixture.officers.clone());
    let cpu: f64 = services.iter().map(Service::cpu_seconds).sum();
    let client_cpu = cpu_seconds("self");
    let measured = closed_loop(&api, &bases, &officers, clients, duration, |c| {
        Work::Pades {
            body: bodies[c],
            docs: batch,
            input_len: ATTO_PDF.len(),
        }
    })
    .await;
    let usage = Usage {
        peak_rss_mib: services[0].peak_rss_mib().max(services[1].peak_rss_mib()),
        cores: (services.iter().map(Service::cpu_seconds).sum::<f64>() - cpu)
            / measured.elapsed.as_secs_f64(),
        client_cores: (cpu_seconds("self") - client_cpu) / measured.elapsed.as_secs_f64(),
    };
    drop(services);
    let (checks, ok) = check(binary, &token, &db, measured.items).await;
    PgRun {
        measured,
        usage,
        checks,
        ok,
    }
}

async fn check(
    binary: &Path,
    token: &TestToken,
    db: &TestDatabase,
    signed_by_clients: u64,
) -> (Value, bool) {
    let mut conn = sqlx::PgConnection::connect(db.url())
        .await
        .expect("connecting to the benchmark's database");
    let records = sqlx::query(
        "SELECT subject, details FROM audit_log WHERE kind = 'signing.signature_created'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("reading the audit log");
    let mut per_document: HashMap<(String, String), u32> = HashMap::new();
    for r in &records {
        let subject: String = r.get(0);
        let details: String = r.get(1);
        let document = serde_json::from_str::<Value>(&details)
            .ok()
            .map(|d| d["document"].to_string())
            .unwrap_or(details);
        *per_document.entry((subject, document)).or_default() += 1;
    }
    let duplicates = per_document.values().filter(|&&n| n > 1).count();
    let statuses: Vec<(String, i64)> =
        sqlx::query("SELECT status, count(*) FROM signing_requests GROUP BY status")
            .fetch_all(&mut conn)
            .await
            .expect("reading the requests")
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
    let signed_documents: i64 =
        sqlx::query("SELECT count(*) FROM request_documents WHERE output IS NOT NULL")
            .fetch_one(&mut conn)
            .await
            .expect("counting signed documents")
            .get(0);
    let _ = conn.close().await;
    let verify = command(binary, token, db)
        .args(["audit", "verify"])
        .output()
        .expect("firma audit verify");
    let audit_ok = verify.status.success();
    let not_completed: i64 = statuses
        .iter()
        .filter(|(s, _)| s != "completed")
        .map(|(_, n)| n)
        .sum();
    let ok = duplicates == 0
        && audit_ok
        && not_completed == 0
        && per_document.len() as i64 == signed_documents
        && signed_documents as u64 == signed_by_clients;
    let checks = json!({
        "signature_audit_records": records.len(),
        "documents_with_a_signature_record": per_document.len(),
        "documents_with_more_than_one_signature_record": duplicates,
        "signed_documents_in_database": signed_documents,
        "documents_downloaded_by_clients": signed_by_clients,
        "requests_by_status": statuses.iter().map(|(s, n)| json!({"status": s, "count": n})).collect::<Vec<_>>(),
        "audit_verify": String::from_utf8_lossy(&verify.stdout).trim(),
    });
    (checks, ok)
}
