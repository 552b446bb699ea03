//! Helpers for the onboarding tests: the parties prepared with the CLI as an operator would, the
//! `firma` commands run against the running service's token and database, the forms of the ALS,
//! the sindaco and the officer, and the dates of the real calendar (Italian time).

use std::process::Output;

use firma_core::SystemClock;
use firma_testkit::app::command;
use firma_testkit::softhsm::TestToken;
use firma_testkit::{AppOptions, TestApp, TestDatabase};
use serde_json::{Value, json};
// The `time` crate as sqlx re-exports it (the root package does not depend on it directly).
use sqlx::types::time::Date;

use crate::FIRMA;
use crate::signing_support::Api;

pub const COMUNE: &str = "058091";
pub const CF_MARIO: &str = "RSSMRA85T10A562S";
pub const CF_LAURA: &str = "VNZRRT64C44H501R";
pub const PHONE_MARIO: &str = "+393331234567";
pub const PHONE_LAURA: &str = "+393337654321";
pub const DOCUMENT_NUMBER: &str = "CA12345AB";

/// Bearer tokens of the parties who act before the officer exists.
pub struct Parties {
    pub als: String,
    pub sindaco: String,
    pub ente: String,
    pub ansc: String,
}

fn run(token: &TestToken, db: &TestDatabase, args: &[&str]) -> Output {
    command(FIRMA.as_ref(), token, db)
        .args(args)
        .output()
        .expect("running firma")
}

/// `firma ARGS` on the service's token and database, from a test running on tokio.
pub fn firma(app: &TestApp, args: &[&str]) -> Output {
    tokio::task::block_in_place(|| run(&app.token, &app.database, args))
}

/// `firma ARGS`, which must succeed; its standard output.
pub fn firma_ok(app: &TestApp, args: &[&str]) -> String {
    let out = firma(app, args);
    assert!(
        out.status.success(),
        "firma {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// `firma ARGS`, which must fail with exactly one `error: ...` line and no panic; that line.
pub fn firma_error(app: &TestApp, args: &[&str]) -> String {
    let out = firma(app, args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "firma {} succeeded", args.join(" "));
    assert!(!err.contains("panicked"), "{err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    errors[0].to_owned()
}

/// The CA simulator (`firma ca init`, before the service starts, as the TSA is read at start)
/// and the principals of the ALS and sindaco of Roma, the Ente Certificatore's operator and ANSC
/// core; then `firma serve`. On SQLite, or PostgreSQL with `FIRMA_TEST_DATABASE=postgres`.
pub async fn start() -> (TestApp, Parties) {
    let options = AppOptions::default();
    let token = TestToken::create();
    let database = if options.postgres {
        TestDatabase::postgres().await
    } else {
        TestDatabase::sqlite()
    };
    let (token, database, parties) = tokio::task::spawn_blocking(move || {
        let ok = |args: &[&str]| {
            let out = run(&token, &database, args);
            assert!(
                out.status.success(),
                "firma {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).trim().to_owned()
        };
        ok(&["ca", "init", "--actor", "test"]);
        let principal = |role: &str, name: &str, comune: Option<&str>| {
            let mut args = vec!["principals", "create", "--role", role, "--name", name];
            if let Some(c) = comune {
                args.extend(["--comune", c]);
            }
            ok(&args)
        };
        let parties = Parties {
            als: principal("als", "ALS Roma", Some(COMUNE)),
            sindaco: principal("sindaco", "Sindaco di Roma", Some(COMUNE)),
            ente: principal("ente_certificatore", "Operatore Ente Certificatore", None),
            ansc: principal("ansc_core", "ANSC core", None),
        };
        (token, database, parties)
    })
    .await
    .expect("preparing the onboarding parties");
    let app = TestApp::start(FIRMA.as_ref(), token, database, options.env).await;
    (app, parties)
}

/// Today in Italy, from the system clock (through the `Clock` port), as the service sees it.
pub fn today() -> Date {
    firma_core::onboarding::oggi_in_italia(&SystemClock)
}

/// `n` days, to add to a `Date`.
pub fn days(n: u64) -> std::time::Duration {
    std::time::Duration::from_secs(n * 86_400)
}

pub fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

pub async fn put(api: &Api<'_>, token: &str, path: &str, body: &Value) -> (u16, Value) {
    let r = api
        .client
        .put(api.app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The ALS of Roma registers an officer who may form birth acts; the officer as answered.
pub async fn register(api: &Api<'_>, p: &Parties, cf: &str, nome: &str, cognome: &str) -> Value {
    let (status, body) = api
        .post(
            &p.als,
            &format!("/api/v1/comuni/{COMUNE}/ufficiali"),
            &json!({
                "codice_fiscale": cf,
                "nome": nome,
                "cognome": cognome,
                "email": format!("{}@comune.roma.it", nome.to_lowercase()),
                "profili": ["formazione_atti_nascita", "consultazione"],
            }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body
}

/// The sindaco of Roma sends (201) or changes (200) the proposta di adesione for `data`.
pub async fn propose(api: &Api<'_>, p: &Parties, data: Date) -> (u16, Value) {
    put(
        api,
        &p.sindaco,
        &format!("/api/v1/comuni/{COMUNE}/adesione/proposta"),
        &json!({
            "data_adesione": iso(data),
            "atti_annui": 1200,
            "certificati_annui": 2300,
            "tipologia": "web_app",
        }),
    )
    .await
}

/// The officer's bearer token (`firma principals create --role ufficiale --officer CF`).
pub fn officer_token(app: &TestApp, cf: &str, name: &str) -> String {
    firma_ok(
        app,
        &[
            "principals",
            "create",
            "--role",
            "ufficiale",
            "--name",
            name,
            "--officer",
            cf,
        ],
    )
}

/// The officer files their richiesta firma remota with SMS codes to `phone`.
pub async fn file_richiesta(api: &Api<'_>, officer: &str, phone: &str) -> Value {
    let (status, body) = api
        .post(
            officer,
            "/api/v1/richieste-firma",
            &json!({
                "documento": {
                    "tipo": "carta_identita",
                    "numero": DOCUMENT_NUMBER,
                    "rilasciato_da": "Comune di Roma",
                    "scadenza": iso(today() + days(5 * 365)),
                },
                "email": "ufficiale@comune.roma.it",
                "telefono": phone,
                "metodo_otp": "sms",
            }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body
}
