//! What an operator does from a terminal while the service runs (SQLite, or PostgreSQL with
//! `FIRMA_TEST_DATABASE=postgres`): the Ente Certificatore's queue (`firma richieste list`),
//! forwarding now (`firma richieste inoltra`), the identity check, approval and rejection, the
//! adhesion of a comune, the officers of a comune and the removal of one; refusals as one
//! `error:` line. The web (HTTP) sees the same state.

use serde_json::{Value, json};
use sqlx::types::time::Date;

use crate::onboarding_support::{
    CF_LAURA, CF_MARIO, COMUNE, DOCUMENT_NUMBER, PHONE_LAURA, PHONE_MARIO, days, file_richiesta,
    firma_error, firma_ok, iso, officer_token, propose, register, start, today,
};
use crate::signing_support::{Api, audit, rows};

/// Runs one statement with text parameters on the app's database (SQLite or PostgreSQL).
async fn execute(app: &firma_testkit::TestApp, sql: &str, binds: &[String]) {
    let url = app.database.url();
    if app.database.is_postgres() {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
        for b in binds {
            q = q.bind(b.clone());
        }
        assert_eq!(q.execute(&pool).await.unwrap().rows_affected(), 1);
        pool.close().await;
    } else {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
        for b in binds {
            q = q.bind(b.clone());
        }
        assert_eq!(q.execute(&pool).await.unwrap().rows_affected(), 1);
        pool.close().await;
    }
}

/// The calendar moving on, without the service noticing: the adhesion stored for Roma now
/// falls on `data` (as if the months before it had passed), so only the forwarding job, or
/// `firma richieste inoltra`, finds its richieste eligible.
async fn adesione_now_on(app: &firma_testkit::TestApp, data: Date) {
    let stored = rows(
        app,
        "SELECT adesione FROM adesioni WHERE comune = $1",
        COMUNE,
    )
    .await;
    let mut adesione: Value = serde_json::from_str(&stored[0][0]).unwrap();
    let field = &mut adesione["proposta"]["data_adesione"];
    *field = match field {
        // The `time` crate's compact form: [year, day of the year].
        Value::Array(_) => json!([data.year(), data.ordinal()]),
        _ => json!(iso(data)),
    };
    let opens = firma_core::onboarding::tre_mesi_prima(data);
    execute(
        app,
        "UPDATE adesioni SET adesione = $1, data_adesione = $2, inoltro_dal = $3 \
         WHERE comune = $4",
        &[
            adesione.to_string(),
            iso(data),
            iso(opens),
            COMUNE.to_owned(),
        ],
    )
    .await;
}

/// The richiesta ids in the table `firma richieste list` prints.
fn listed(table: &str) -> Vec<String> {
    table
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_operator_forwards_decides_and_removes_from_the_cli() {
    let (app, p) = start().await;
    let api = Api::new(&app);
    let mario = register(&api, &p, CF_MARIO, "Mario", "Rossi").await;
    register(&api, &p, CF_LAURA, "Laura", "Bianchi").await;
    let mario_token = officer_token(&app, CF_MARIO, "Mario Rossi");
    let laura_token = officer_token(&app, CF_LAURA, "Laura Bianchi");

    // Filed before the sindaco proposed the adhesion: both wait.
    let r_mario = file_richiesta(&api, &mario_token, PHONE_MARIO).await;
    let r_laura = file_richiesta(&api, &laura_token, PHONE_LAURA).await;
    assert_eq!(r_mario["stato"], "in_attesa", "{r_mario}");
    let (id_mario, id_laura) = (
        r_mario["id"].as_str().unwrap().to_owned(),
        r_laura["id"].as_str().unwrap().to_owned(),
    );
    let mut waiting = listed(&firma_ok(
        &app,
        &["richieste", "list", "--stato", "in_attesa"],
    ));
    waiting.sort();
    let mut both = vec![id_mario.clone(), id_laura.clone()];
    both.sort();
    assert_eq!(waiting, both);
    assert!(listed(&firma_ok(&app, &["richieste", "list"])).is_empty());
    let line = firma_ok(&app, &["richieste", "inoltra"]);
    assert!(line.starts_with("0 richieste forwarded"), "{line}");

    // An adhesion 200 days away: the window opens three months before it, not yet.
    let far = today() + days(200);
    let (status, body) = propose(&api, &p, far).await;
    assert_eq!(status, 201, "{body}");
    let shown: Value =
        serde_json::from_str(&firma_ok(&app, &["adesione", "show", COMUNE])).unwrap();
    assert_eq!(shown["data_adesione"], iso(far), "{shown}");
    let line = firma_ok(&app, &["richieste", "inoltra"]);
    assert!(line.starts_with("0 richieste forwarded"), "{line}");
    assert_eq!(
        firma_ok(&app, &["richieste", "list", "--stato", "in_attesa"])
            .lines()
            .count(),
        3
    );

    // Months later the window is open: `inoltra` forwards both, once.
    adesione_now_on(&app, today() + days(60)).await;
    let line = firma_ok(&app, &["richieste", "inoltra"]);
    assert!(line.starts_with("2 richieste forwarded"), "{line}");
    let line = firma_ok(&app, &["richieste", "inoltra"]);
    assert!(line.starts_with("0 richieste forwarded"), "{line}");
    let mut queue = listed(&firma_ok(&app, &["richieste", "list"]));
    queue.sort();
    assert_eq!(queue, both);
    let forwarded = audit(&app, "richiesta.inoltrata").await;
    assert_eq!(forwarded.len(), 2, "{forwarded:?}");

    // The Ente Certificatore's operator: identity check and approval of Mario's richiesta,
    // rejection of Laura's; `show` prints the richiesta as JSON.
    let line = firma_ok(
        &app,
        &[
            "richieste",
            "verify",
            &id_mario,
            "--tipo",
            "carta_identita",
            "--numero",
            DOCUMENT_NUMBER,
            "--actor",
            "operatore-ec",
        ],
    );
    assert!(line.contains("identity check recorded"), "{line}");
    // A check on another document than the declared one is refused.
    let line = firma_error(
        &app,
        &[
            "richieste",
            "verify",
            &id_laura,
            "--tipo",
            "passaporto",
            "--numero",
            "YA0000000",
        ],
    );
    assert!(line.contains("is not the one in the richiesta"), "{line}");
    let credential = firma_ok(
        &app,
        &["richieste", "approve", &id_mario, "--actor", "operatore-ec"],
    );
    assert!(uuid_like(&credential), "{credential}");
    let line = firma_ok(
        &app,
        &[
            "richieste",
            "reject",
            &id_laura,
            "--motivo",
            "Documento di identità scaduto",
            "--actor",
            "operatore-ec",
        ],
    );
    assert!(line.contains("rejected"), "{line}");
    let shown: Value =
        serde_json::from_str(&firma_ok(&app, &["richieste", "show", &id_mario])).unwrap();
    assert_eq!(shown["stato"], "approvata", "{shown}");
    assert_eq!(shown["credential_id"], credential.as_str());
    assert_eq!(
        shown["verifiche"][0]["operatore"], "operatore-ec",
        "{shown}"
    );
    // Decided: the queue is empty, a second decision is refused with one line.
    assert!(listed(&firma_ok(&app, &["richieste", "list"])).is_empty());
    let line = firma_error(&app, &["richieste", "approve", &id_laura]);
    assert!(line.contains("rifiutata"), "{line}");
    let line = firma_error(&app, &["richieste", "approve", "not-a-uuid"]);
    assert!(line.contains("not a richiesta id"), "{line}");
    let approvals = audit(&app, "richiesta.approvata").await;
    assert_eq!(approvals.len(), 1);
    assert_eq!(approvals[0].0, "ente_certificatore:operatore-ec");

    // The web sees the same: Laura reads why; Mario's credential signs (CSC info: valid).
    let (status, mine) = api
        .get(&laura_token, &format!("/api/v1/richieste-firma/{id_laura}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        mine["motivo_rifiuto"], "Documento di identità scaduto",
        "{mine}"
    );
    let (status, info) = api
        .post(
            &mario_token,
            "/csc/v2/credentials/info",
            &json!({"credentialID": credential, "certInfo": true}),
        )
        .await;
    assert_eq!(status, 200, "{info}");
    assert_eq!(info["cert"]["status"], "valid", "{info}");

    // The officers of Roma; Mario leaves: removed from the CLI as the ALS would.
    let table = firma_ok(&app, &["officers", "list", "--comune", COMUNE]);
    assert!(
        table.contains(CF_MARIO) && table.contains(CF_LAURA),
        "{table}"
    );
    assert!(
        table.contains("Mario Rossi") && table.contains("sms"),
        "{table}"
    );
    let line = firma_ok(
        &app,
        &["officers", "remove", CF_MARIO, "--actor", "als-roma"],
    );
    assert!(
        line.contains("removed: 1 certificates revoked, 1 keys destroyed"),
        "{line}"
    );
    let table = firma_ok(&app, &["officers", "list", "--comune", COMUNE]);
    assert!(
        !table.contains(CF_MARIO) && table.contains(CF_LAURA),
        "{table}"
    );
    let removed = audit(&app, "ufficiale.rimosso").await;
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].0, "als:als-roma");
    assert_eq!(
        removed[0].1,
        format!("ufficiale:{}", mario["id"].as_str().unwrap())
    );
    // Revoked at the CA; the officer's principal no longer authenticates.
    let revoked = audit(&app, "credential.revoked").await;
    assert_eq!(revoked.len(), 1, "{revoked:?}");
    assert!(revoked[0].2.contains("cessationOfOperation"), "{revoked:?}");
    let (status, _) = api.get(&mario_token, "/api/v1/richieste-firma").await;
    assert_eq!(status, 401);
    // Not twice; an unknown officer is named.
    let line = firma_error(&app, &["officers", "remove", CF_MARIO]);
    assert!(
        line.contains(CF_MARIO) && line.contains("no officer"),
        "{line}"
    );

    let verify = firma_ok(&app, &["audit", "verify"]);
    assert!(verify.contains("audit chain intact"), "{verify}");
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4
}
