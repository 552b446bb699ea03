//! The whole onboarding path over real HTTP against `firma serve`, on SoftHSM and SQLite (or
//! PostgreSQL with `FIRMA_TEST_DATABASE=postgres`): the ALS registers an officer, the sindaco
//! proposes the adhesion, the officer files the richiesta firma remota (forwarded at once), the
//! Ente Certificatore's operator checks the identity and approves (key generated in the HSM,
//! CSR, qualified certificate from the CA simulator), ANSC core submits an atto di nascita, the
//! officer authorises it with the SMS code, and pyHanko validates the signed PDF with the
//! simulator's root as its only trust anchor; OpenSSL reads the AgID profile in the certificate.

use std::path::Path;
use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::onboarding_support::{
    CF_MARIO, COMUNE, DOCUMENT_NUMBER, PHONE_MARIO, days, file_richiesta, firma_ok, officer_token,
    propose, register, start, today,
};
use crate::signing_support::{ATTO_PDF, Api, b64, pyhanko_validate};

fn openssl(args: &[&str], file: &Path) -> String {
    let out = Command::new("openssl")
        .args(args)
        .arg(file)
        .output()
        .expect("openssl");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "openssl {args:?}: {text}");
    text
}

/// The OIDs inside the certificate's qcStatements extension (RFC 3739, ETSI EN 319 412-5), as
/// `openssl asn1parse -strparse` decodes them.
fn qc_statement_oids(cert: &Path) -> Vec<String> {
    let outer = openssl(&["asn1parse", "-inform", "DER", "-in"], cert);
    let lines: Vec<&str> = outer.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains(":qcStatements") || l.contains(":1.3.6.1.5.5.7.1.3"))
        .unwrap_or_else(|| panic!("no qcStatements extension in:\n{outer}"));
    let value = lines[at + 1..]
        .iter()
        .find(|l| l.contains("OCTET STRING"))
        .unwrap_or_else(|| panic!("no extnValue after qcStatements:\n{outer}"));
    let offset = value.split(':').next().unwrap().trim();
    let inner = openssl(
        &["asn1parse", "-inform", "DER", "-strparse", offset, "-in"],
        cert,
    );
    inner
        .lines()
        .filter_map(|l| l.split_once("prim:"))
        .filter_map(|(_, rest)| rest.split_once(':'))
        .filter(|(kind, _)| kind.trim() == "OBJECT")
        .map(|(_, value)| value.trim().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn from_als_registration_to_a_pades_signature_trusted_by_pyhanko() {
    let (app, p) = start().await;
    let api = Api::new(&app);

    // The ALS registers the officer with their profiles.
    let officer = register(&api, &p, CF_MARIO, "Mario", "Rossi").await;
    assert_eq!(officer["otp_device"], Value::Null, "{officer}");
    assert!(
        officer["profili"]
            .as_array()
            .unwrap()
            .contains(&json!("formazione_atti_nascita"))
    );
    // The sindaco proposes the adhesion 45 days from today: at least 30 days ahead, and within
    // three months, so the richieste of Roma are forwarded as soon as they are filed.
    let (status, adesione) = propose(&api, &p, today() + days(45)).await;
    assert_eq!(status, 201, "{adesione}");

    // The officer (a principal bound to them) files the richiesta firma remota, with SMS.
    let mario = officer_token(&app, CF_MARIO, "Mario Rossi");
    let richiesta = file_richiesta(&api, &mario, PHONE_MARIO).await;
    assert_eq!(richiesta["stato"], "inoltrata", "{richiesta}");
    assert_eq!(richiesta["comune"], COMUNE);
    let rid = richiesta["id"].as_str().unwrap().to_owned();

    // The Ente Certificatore's queue holds it; its operator checks the identity and approves.
    let (status, queue) = api.get(&p.ente, "/api/v1/richieste-firma").await;
    assert_eq!(status, 200, "{queue}");
    let queued: Vec<&str> = queue["richieste"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(queued, [rid.as_str()]);
    let (status, checked) = api
        .post(
            &p.ente,
            &format!("/api/v1/richieste-firma/{rid}/verifiche"),
            &json!({"tipo_documento": "carta_identita", "numero_documento": DOCUMENT_NUMBER}),
        )
        .await;
    assert_eq!(status, 201, "{checked}");
    let (status, approved) = api
        .post(
            &p.ente,
            &format!("/api/v1/richieste-firma/{rid}/approva"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 200, "{approved}");
    assert_eq!(approved["richiesta"]["stato"], "approvata", "{approved}");
    assert_eq!(approved["otp_device"], "sms");
    assert_eq!(approved["key_type"], "ec-p256");
    let credential = approved["credential_id"].as_str().unwrap().to_owned();

    // The credential is active: the officer sees it through the CSC API, certificate valid.
    let (status, info) = api
        .post(
            &mario,
            "/csc/v2/credentials/info",
            &json!({"credentialID": credential, "certificates": "chain", "certInfo": true}),
        )
        .await;
    assert_eq!(status, 200, "{info}");
    assert_eq!(info["key"]["status"], "enabled", "{info}");
    assert_eq!(info["cert"]["status"], "valid", "{info}");
    let chain = info["cert"]["certificates"].as_array().unwrap();
    assert_eq!(chain.len(), 3, "officer, issuing CA, root: {info}");

    // ANSC core submits an atto di nascita (PAdES) for that credential; the SMS simulator
    // delivers the code to the phone of the richiesta; the officer authorises.
    let (status, created) = api
        .post(
            &p.ansc,
            "/api/v1/signing-requests",
            &json!({"credential_id": credential, "documents": [
                {"name": "nascita-1.pdf", "atto": "nascita", "format": "pades", "content": b64(ATTO_PDF)},
            ]}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let code = app
        .last_sms_code(PHONE_MARIO)
        .expect("the SMS simulator received the code");
    let (status, body) = api
        .post(
            &mario,
            &format!("/api/v1/signing-requests/{id}/authorize"),
            &json!({"otp": code}),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    let done = api.wait_finished(&p.ansc, &id).await;
    assert_eq!(done["status"], "completed", "{done}\n{}", app.logs());

    // The signed PDF, validated by pyHanko with the simulator's root, fetched from the CA's
    // public endpoint, as the only trust anchor.
    let dir = tempfile::tempdir().unwrap();
    let (status, pdf) = api
        .bytes(
            &p.ansc,
            &format!("/api/v1/signing-requests/{id}/documents/0"),
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        pdf.starts_with(ATTO_PDF),
        "an incremental update of the atto"
    );
    let pdf_path = dir.path().join("nascita-1-firmato.pdf");
    std::fs::write(&pdf_path, &pdf).unwrap();
    let root = reqwest::get(app.url("/ca/certs/root.cer"))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let root_path = dir.path().join("root.cer");
    std::fs::write(&root_path, &root).unwrap();
    // The same root `firma ca root` prints.
    let root_pem = firma_ok(&app, &["ca", "root"]);
    let root_b64: String = root_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    assert_eq!(STANDARD.decode(root_b64).unwrap(), root);
    assert_eq!(
        chain[2].as_str().map(|c| STANDARD.decode(c).unwrap()),
        Some(root.clone())
    );
    let verdict = pyhanko_validate(&pdf_path, &root_path);
    assert!(
        verdict.contains("INTACT:TRUSTED") && verdict.contains("UNTOUCHED"),
        "{verdict}"
    );

    // The officer's certificate, as OpenSSL reads it: TINIT-<codice fiscale>, nonRepudiation,
    // the QC statements of a qualified certificate for electronic signatures.
    let leaf = dir.path().join("ufficiale.cer");
    std::fs::write(&leaf, STANDARD.decode(chain[0].as_str().unwrap()).unwrap()).unwrap();
    let text = openssl(&["x509", "-inform", "DER", "-noout", "-text", "-in"], &leaf);
    assert!(
        text.contains(&format!("serialNumber = TINIT-{CF_MARIO}")),
        "{text}"
    );
    assert!(
        text.contains("GN = Mario") && text.contains("SN = Rossi"),
        "{text}"
    );
    // The serial number the approval reported.
    let serial: String = text
        .lines()
        .skip_while(|l| !l.contains("Serial Number:"))
        .nth(1)
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_hexdigit)
        .collect();
    let reported = approved["serial"].as_str().unwrap();
    assert_eq!(
        serial.trim_start_matches('0'),
        reported.trim_start_matches('0'),
        "{text}"
    );
    let ku: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.contains("X509v3 Key Usage"))
        .take(2)
        .collect();
    assert!(ku[0].contains("critical"), "{ku:?}");
    assert_eq!(ku[1].trim(), "Non Repudiation", "{ku:?}");
    assert!(text.contains("qcStatements"), "{text}");
    let qc = qc_statement_oids(&leaf);
    for oid in [
        "0.4.0.1862.1.1",   // QcCompliance
        "0.4.0.1862.1.4",   // QcSSCD
        "0.4.0.1862.1.6.1", // QcType esign
    ] {
        assert!(
            qc.iter()
                .any(|o| o == oid || o.ends_with(&format!("({oid})"))),
            "{oid} missing in qcStatements {qc:?}"
        );
    }

    // Every step left its audit record, and the chain verifies.
    let verify = firma_ok(&app, &["audit", "verify"]);
    assert!(verify.contains("audit chain intact"), "{verify}");
}
