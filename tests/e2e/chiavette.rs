//! The distribution of the chiavette over real HTTP, prepared with the CLI as operators would:
//! a batch of TOTP chiavette imported and loaded into the Prefettura of Roma's stock, the
//! Prefettura's operator registered as a signer of receipts. An officer asks for the chiavetta,
//! the operator sees the allocation, records the delivery, authorises the receipt with the SMS
//! code; the signed receipt is accepted by pyHanko and pdfsig and its text lists the serial;
//! the officer binds the chiavetta with two consecutive codes computed from its seed and signs
//! an atto with it. SQLite, and PostgreSQL.

use std::path::Path;
use std::process::Command;

use firma_core::Clock;
use firma_otp::{Digits, OtpHash, TimeStep, TotpParams, format_code, totp};
use firma_testkit::app::command;
use firma_testkit::softhsm::TestToken;
use firma_testkit::{TestApp, TestDatabase};
use serde_json::json;

use crate::FIRMA;
use crate::signing_support::{ATTO_PDF, Api, b64, pdfsig, pyhanko_validate};

/// The chiavette's seed (the vendor's file holds it; here a CSV).
const SEED: &[u8] = b"chiavetta-e2e-seed-0";
const CF_OPERATORE: &str = "VRDPLA80A41H501T";
const PHONE_OPERATORE: &str = "+393335550000";
const CF_DELEGATO: &str = "BNCGLI90D50H501M";

fn firma(token: &TestToken, db: &TestDatabase, args: &[&str]) -> String {
    let out = command(FIRMA.as_ref(), token, db)
        .args(args)
        .output()
        .expect("running firma");
    assert!(
        out.status.success(),
        "firma {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn code_at(unix: i64) -> String {
    let p = TotpParams {
        hash: OtpHash::Sha1,
        digits: Digits::SIX,
        step: TimeStep::THIRTY,
        t0: 0,
    };
    format_code(totp(SEED, unix, &p).unwrap(), Digits::SIX)
}

fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What the CLI prepared besides the signing fixture.
struct Distribution {
    operatore: String,
    milano: String,
}

fn prepare(token: &TestToken, db: &TestDatabase) -> Distribution {
    let hex: String = SEED.iter().map(|b| format!("{b:02x}")).collect();
    let batch = token.dir().join("chiavette.csv");
    let mut csv = String::from("serial,type,secret,digits,period,counter,algorithm\n");
    for serial in ["CH-0001", "CH-0002", "CH-0003", "MI-0001"] {
        csv.push_str(&format!("{serial},totp,hex:{hex},6,30,,SHA1\n"));
    }
    std::fs::write(&batch, csv).unwrap();
    firma(token, db, &["tokens", "import", batch.to_str().unwrap()]);
    let out = firma(
        token,
        db,
        &[
            "chiavette",
            "carica",
            "--provincia",
            "058",
            "CH-0001",
            "CH-0002",
        ],
    );
    assert!(
        out.contains("2 chiavette loaded into the stock of province 058"),
        "{out}"
    );
    let list = token.dir().join("roma.txt");
    std::fs::write(&list, "# third box\nCH-0003, CH-0001\n").unwrap();
    let out = firma(
        token,
        db,
        &[
            "chiavette",
            "carica",
            "--provincia",
            "058",
            "--file",
            list.to_str().unwrap(),
        ],
    );
    assert!(
        out.contains("1 chiavette loaded") && out.contains("1 were already in it"),
        "{out}"
    );
    firma(
        token,
        db,
        &["chiavette", "carica", "--provincia", "015", "MI-0001"],
    );
    firma(
        token,
        db,
        &[
            "officers",
            "add",
            "--cf",
            CF_OPERATORE,
            "--nome",
            "Paola",
            "--cognome",
            "Verdi",
            "--email",
            "paola.verdi@interno.it",
            "--comune",
            "058091",
            "--profili",
            "operatore_distribuzione_chiavette",
            "--phone",
            "+39 333 5550000",
        ],
    );
    firma(
        token,
        db,
        &["credentials", "issue", "--officer", CF_OPERATORE],
    );
    let operatore = firma(
        token,
        db,
        &[
            "principals",
            "create",
            "--role",
            "prefettura",
            "--name",
            "Paola Verdi",
            "--provincia",
            "058",
            "--officer",
            CF_OPERATORE,
        ],
    );
    let milano = firma(
        token,
        db,
        &[
            "principals",
            "create",
            "--role",
            "prefettura",
            "--name",
            "Prefettura di Milano",
            "--provincia",
            "015",
        ],
    );
    Distribution { operatore, milano }
}

async fn distribution(postgres: bool) {
    let token = TestToken::create();
    let database = if postgres {
        TestDatabase::postgres().await
    } else {
        TestDatabase::sqlite()
    };
    let (token, database, f, d) = tokio::task::spawn_blocking(move || {
        let f = firma_testkit::signing::prepare(FIRMA.as_ref(), &token, &database);
        let d = prepare(&token, &database);
        (token, database, f, d)
    })
    .await
    .unwrap();
    let app = TestApp::start(FIRMA.as_ref(), token, database, Vec::new()).await;
    let api = Api::new(&app);

    // Mario asks for remote signature with a chiavetta: Roma is allocated one.
    let (status, body) = api
        .post(
            &f.officer.token,
            "/api/v1/richieste-firma",
            &json!({
                "documento": {"tipo": "carta_identita", "numero": "CA12345AB",
                              "rilasciato_da": "Comune di Roma", "scadenza": "2035-12-31"},
                "email": "mario.rossi@comune.roma.it",
                "telefono": "+393331234567",
                "metodo_otp": "chiavetta"
            }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, a) = api
        .get(&d.operatore, "/api/v1/prefetture/058/allocazione")
        .await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["totale"], 1);
    assert_eq!(
        a["comuni"],
        json!([{"comune": "058091", "allocate": 1, "consegnate": 0, "da_consegnare": 1}])
    );
    assert_eq!(a["scorte"]["in_stock"], 3);
    let (status, stock) = api
        .get(
            &d.operatore,
            "/api/v1/prefetture/058/chiavette?stato=in_stock",
        )
        .await;
    assert_eq!(status, 200, "{stock}");
    let serials: Vec<&str> = stock["chiavette"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["serial"].as_str().unwrap())
        .collect();
    assert_eq!(serials, ["CH-0001", "CH-0002", "CH-0003"]);
    let (status, body) = api
        .get(&d.milano, "/api/v1/prefetture/058/allocazione")
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found")),
        "{body}"
    );
    let (status, body) = api
        .get(&f.ansc_token, "/api/v1/prefetture/058/allocazione")
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("forbidden")),
        "{body}"
    );

    // The delivery: recorded, and the receipt's signing request made for the operator.
    let consegna = |serials: &[&str]| {
        json!({"comune": "058091", "seriali": serials, "nome_delegato": "Giulia Bianchi",
               "codice_fiscale_delegato": CF_DELEGATO})
    };
    let (status, c) = api
        .post(&d.operatore, "/api/v1/consegne", &consegna(&["CH-0001"]))
        .await;
    assert_eq!(status, 201, "{c}");
    let id = c["id"].as_str().unwrap().to_owned();
    assert_eq!(c["ricevuta"]["stato"], "in_attesa_di_firma");
    assert_eq!(c["ricevuta"]["otp"]["method"], "sms");
    let request = c["ricevuta"]["signing_request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = api
        .post(&d.operatore, "/api/v1/consegne", &consegna(&["CH-0002"]))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("oltre_allocazione")),
        "{body}"
    );
    let (status, body) = api
        .get(&d.operatore, &format!("/api/v1/consegne/{id}/ricevuta"))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("ricevuta_non_firmata")),
        "{body}"
    );
    let (status, _) = api.get(&d.milano, &format!("/api/v1/consegne/{id}")).await;
    assert_eq!(status, 404);

    // The operator authorises the receipt with the SMS code, like any signature.
    let code = app
        .last_sms_code(PHONE_OPERATORE)
        .expect("an SMS to the operator");
    let (status, body) = api
        .post(
            &d.operatore,
            &format!("/api/v1/signing-requests/{request}/authorize"),
            &json!({"otp": code}),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    let done = api.wait_finished(&d.operatore, &request).await;
    assert_eq!(done["status"], "completed", "{done}");
    let (status, pdf) = api
        .bytes(&d.operatore, &format!("/api/v1/consegne/{id}/ricevuta"))
        .await;
    assert_eq!(status, 200);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ricevuta.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let verdict = pyhanko_validate(&path, &f.root_pem);
    assert!(
        verdict.contains("INTACT:TRUSTED") && verdict.contains("UNTOUCHED"),
        "{verdict}"
    );
    let poppler = pdfsig(&path, &f.root_pem);
    assert!(poppler.contains("Signature is Valid"), "{poppler}");
    assert!(
        poppler.contains("Paola"),
        "signed by the operator's certificate: {poppler}"
    );
    let text = pdftotext(&path);
    for expected in [
        "Ricevuta di consegna chiavette OTP",
        "058091",
        "CH-0001",
        "Giulia Bianchi",
        CF_DELEGATO,
    ] {
        assert!(
            text.contains(expected),
            "{expected} not in the receipt:\n{text}"
        );
    }
    let (_, c) = api
        .get(&d.operatore, &format!("/api/v1/consegne/{id}"))
        .await;
    assert_eq!(c["ricevuta"]["stato"], "firmata", "{c}");

    // Mario binds the delivered chiavetta with two consecutive codes read from it...
    let now = firma_core::SystemClock.now().unix_timestamp();
    let (status, body) = api
        .post(
            &f.officer.token,
            "/api/v1/chiavette/CH-0001/abbinamento",
            &json!({"codice1": code_at(now - 30), "codice2": code_at(now)}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["stato"], "assigned");
    // ...and authorises an atto with it.
    let (status, created) = api
        .post(
            &f.ansc_token,
            "/api/v1/signing-requests",
            &json!({"credential_id": f.officer.credential_id, "documents": [
                {"name": "nascita-1.pdf", "atto": "nascita", "format": "pades", "content": b64(ATTO_PDF)}]}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["otp"]["method"], "token");
    let atto = created["id"].as_str().unwrap().to_owned();
    let (status, body) = api
        .post(
            &f.officer.token,
            &format!("/api/v1/signing-requests/{atto}/authorize"),
            &json!({"otp": code_at(now + 30)}),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(
        api.wait_finished(&f.ansc_token, &atto).await["status"],
        "completed"
    );

    // ANSC core cannot submit receipts: the service makes them.
    let (status, body) = api
        .post(
            &f.ansc_token,
            "/api/v1/signing-requests",
            &json!({"credential_id": f.officer.credential_id, "documents": [
                {"name": "r.pdf", "atto": "ricevuta_chiavette", "format": "pades", "content": b64(ATTO_PDF)}]}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("atto_riservato")),
        "{body}"
    );
    // The API is documented.
    let doc: serde_json::Value = reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/api/v1/prefetture/{provincia}/chiavette",
        "/api/v1/prefetture/{provincia}/allocazione",
        "/api/v1/prefetture/{provincia}/consegne",
        "/api/v1/consegne",
        "/api/v1/consegne/{id}",
        "/api/v1/consegne/{id}/ricevuta",
        "/api/v1/chiavette/{serial}/abbinamento",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is not documented");
    }

    // The operator's commands see the same, and the audit chain holds.
    let out = firma(
        &app.token,
        &app.database,
        &["chiavette", "allocazione", "--provincia", "058"],
    );
    assert!(out.contains("1 chiavette allocated, 1 delivered"), "{out}");
    assert!(out.contains("1 assigned"), "{out}");
    let out = firma(
        &app.token,
        &app.database,
        &["chiavette", "consegne", "--provincia", "058"],
    );
    assert!(
        out.contains(&id) && out.contains("ricevuta firmata"),
        "{out}"
    );
    let out = firma(&app.token, &app.database, &["audit", "verify"]);
    assert!(out.contains("audit chain intact"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn delivery_receipt_and_binding_sqlite() {
    distribution(false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn delivery_receipt_and_binding_postgres() {
    distribution(true).await;
}
