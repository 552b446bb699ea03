//! `firma demo`: signs a sample atto end to end on the configured service (the embedded default:
//! SQLite + the hsm-sim SoftHSM token), through the real HTTP API: ANSC core submits the atto,
//! the SMS simulator "delivers" the code, the officer authorises, the service signs with the
//! officer's key in the HSM, and the signed PDF is written to disk.

mod pdf;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use base64::Engine;
use firma_core::otp::OtpDevice;
use firma_core::{
    Clock, CodiceFiscale, CodiceIstat, Credential, CredentialStatus, DirectoryStore, Email,
    KeySpec, Profilo, SystemClock, Ufficiale, UfficialeId,
};
use serde_json::{Value, json};

use crate::config::Settings;
use crate::sms::read_outbox;
use crate::state::AppState;

const DEMO_CF: &str = "RSSMRA85T10A562S";
const DEMO_PHONE: &str = "+393330000001";
const ACTOR: &str = "operator:demo";

pub async fn run(settings: Settings, out_dir: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let step = |n: u32, text: &str| println!("[{n}/7] {text}");
    let hsm = crate::commands::connect_hsm(&settings).await?;
    let db = crate::commands::connect_database(&settings).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);

    step(
        1,
        "Ente Certificatore simulator: CA and TSA keys in the HSM",
    );
    if db.ca_material().await?.is_none() {
        crate::ca::init(&settings, &hsm, &db, clock.as_ref(), ACTOR)
            .await
            .context("creating the demo CA (if the token already holds CA keys from another database, reset with `rm -rf hsm-sim/.state data` and run hsm-sim/setup)")?;
        println!("      created the CA (root and issuing keys generated in the HSM)");
    } else {
        println!("      the CA exists already");
    }
    let (material, _) = crate::ca::material(&db).await?;
    std::fs::create_dir_all(out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    let root_pem = out_dir.join("ca-root.pem");
    std::fs::write(&root_pem, material.root_pem())?;

    step(
        2,
        "Ufficiale dello stato civile Mario Rossi (codes by SMS) and a qualified credential",
    );
    let (officer, credential) =
        officer_and_credential(&settings, &hsm, &db, clock.as_ref()).await?;
    println!(
        "      credential {} ({}, key wrapped under the HSM's key-encryption key)",
        credential.id.0,
        KeySpec::EcP256
    );

    step(3, "Bearer tokens for ANSC core and for the officer");
    let ansc = principal(&db, firma_core::Role::AnscCore, "ANSC core (demo)", None).await?;
    let officer_token = principal(
        &db,
        firma_core::Role::Ufficiale,
        "Mario Rossi",
        Some(officer.id),
    )
    .await?;

    // The service, in this process, on a free port.
    let (otp, signing) = crate::commands::services(&settings, &hsm, &db, clock.clone()).await?;
    let chiavette = std::sync::Arc::new(crate::chiavette::ChiavetteService::new(
        db.clone(),
        otp.clone(),
        signing.clone(),
        clock.clone(),
    ));
    let state = AppState {
        hsm: hsm.clone(),
        db: db.clone(),
        clock: clock.clone(),
        otp,
        signing,
        chiavette,
        revocation: crate::revocation::service(&settings, &hsm, &db, clock.clone())?,
        onboarding: crate::onboarding::service(
            &settings,
            &hsm,
            &db,
            clock.clone(),
            crate::revocation::service(&settings, &hsm, &db, clock.clone())?,
        )?,
        sms_outbox: Some(settings.sms.outbox.clone()),
        max_request_bytes: settings.api.max_request_bytes,
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let base = format!("http://{}", listener.local_addr()?);
    let server =
        tokio::spawn(async move { axum::serve(listener, crate::routes::router(state)).await });
    let client = reqwest::Client::new();

    step(
        4,
        &format!(
            "ANSC core submits an atto di nascita (PAdES B-T) to {base}/api/v1/signing-requests"
        ),
    );
    let atto = pdf::atto_pdf(&[
        "COMUNE DI ROMA - Ufficio dello stato civile",
        "",
        "ATTO DI NASCITA n. 1, parte I, serie A, anno 2026",
        "",
        "L'anno duemilaventisei, il giorno ventitré del mese di novembre,",
        "avanti a me, Mario Rossi, ufficiale dello stato civile,",
        "è comparso il padre, che ha dichiarato la nascita di un bambino",
        "di sesso maschile, a cui è dato il nome di Luca.",
        "",
        "(atto di esempio generato da firma demo)",
    ]);
    let body = json!({
        "credential_id": credential.id.0.to_string(),
        "documents": [{
            "name": "atto-di-nascita-1-2026.pdf",
            "atto": "nascita",
            "format": "pades",
            "level": "B-T",
            "content": base64::engine::general_purpose::STANDARD.encode(&atto),
        }],
    });
    let created: Value = call(
        client
            .post(format!("{base}/api/v1/signing-requests"))
            .bearer_auth(&ansc)
            .json(&body),
        201,
    )
    .await?;
    let id = created["id"].as_str().context("the request id")?.to_owned();
    println!(
        "      request {id}: {}, document SHA-256 {}",
        created["status"].as_str().unwrap_or("?"),
        created["documents"][0]["sha256"].as_str().unwrap_or("?")
    );

    step(
        5,
        "The SMS simulator delivers the one-time code to the officer's phone",
    );
    let code = latest_code(&settings.sms.outbox)?;
    println!("      SMS to {DEMO_PHONE}: code {code}");

    step(
        6,
        "The officer authorises the batch with the code; the service signs in the HSM",
    );
    call(
        client
            .post(format!("{base}/api/v1/signing-requests/{id}/authorize"))
            .bearer_auth(&officer_token)
            .json(&json!({"otp": code})),
        202,
    )
    .await?;
    let deadline = Instant::now() + Duration::from_secs(60);
    let done = loop {
        let r: Value = call(
            client
                .get(format!("{base}/api/v1/signing-requests/{id}"))
                .bearer_auth(&ansc),
            200,
        )
        .await?;
        if r["status"] != "signing" {
            break r;
        }
        if Instant::now() > deadline {
            bail!("the request is still signing after 60 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    if done["status"] != "completed" {
        bail!("the request ended {}: {}", done["status"], done["failure"]);
    }

    step(7, "ANSC core downloads the signed atto");
    let signed = client
        .get(format!("{base}/api/v1/signing-requests/{id}/documents/0"))
        .bearer_auth(&ansc)
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    let out = out_dir.join("atto-di-nascita-1-2026-firmato.pdf");
    std::fs::write(&out, &signed)?;
    server.abort();
    println!(
        "\nSigned in {:.1} s: {} ({} bytes). Trust anchor: {}",
        started.elapsed().as_secs_f64(),
        out.display(),
        signed.len(),
        root_pem.display()
    );
    validate_if_possible(&out, &root_pem);
    db.close().await;
    Ok(())
}

async fn call(request: reqwest::RequestBuilder, expected: u16) -> anyhow::Result<Value> {
    let response = request.send().await?;
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if status != expected {
        bail!("the API answered {status}: {body}");
    }
    Ok(body)
}

fn latest_code(outbox: &Path) -> anyhow::Result<String> {
    let messages = read_outbox(outbox, Some(DEMO_PHONE), 1)?;
    let text = &messages
        .last()
        .context("no SMS in the simulator's outbox")?
        .text;
    text.split("codice ")
        .nth(1)
        .map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .filter(|c| !c.is_empty())
        .context("no code in the SMS")
}

async fn officer_and_credential(
    settings: &Settings,
    hsm: &firma_hsm::Hsm,
    db: &firma_store::Database,
    clock: &dyn Clock,
) -> anyhow::Result<(Ufficiale, Credential)> {
    let cf = CodiceFiscale::parse(DEMO_CF)?;
    let officer = match db.ufficiale_by_cf(&cf).await? {
        Some((u, _)) => u,
        None => {
            let officer = Ufficiale {
                id: UfficialeId(uuid::Uuid::new_v4()),
                codice_fiscale: cf,
                nome: "Mario".into(),
                cognome: "Rossi".into(),
                email: Email::parse("mario.rossi@comune.roma.it")?,
                comune: CodiceIstat::parse("058091")?,
                profili: [Profilo::FormazioneAttiNascita, Profilo::FormazioneAttiMorte]
                    .into_iter()
                    .collect(),
            };
            let owner = officer.id.0.to_string();
            let otp = crate::commands::otp_service(settings, hsm, db)?;
            otp.register_phone(&owner, &firma_core::PhoneNumber::parse(DEMO_PHONE)?)
                .await?;
            let event = firma_core::AuditEvent::new(
                firma_core::AuditKind::UfficialeRegistered,
                ACTOR,
                format!("ufficiale:{owner}"),
            );
            db.insert_ufficiale(
                &officer,
                Some(&OtpDevice::Sms { owner }),
                &event,
                clock.now(),
            )
            .await?;
            officer
        }
    };
    let existing = db
        .credentials_of(officer.id)
        .await?
        .into_iter()
        .find(|c| c.status == CredentialStatus::Active);
    let credential = match existing {
        Some(c) => c,
        None => {
            let ente = crate::ca::ente_certificatore(settings, hsm, db, Arc::new(SystemClock))?;
            crate::ca::issue_credential(
                ente.as_ref(),
                hsm,
                db,
                clock,
                &officer,
                KeySpec::EcP256,
                ACTOR,
            )
            .await?
        }
    };
    Ok((officer, credential))
}

async fn principal(
    db: &firma_store::Database,
    role: firma_core::Role,
    name: &str,
    ufficiale: Option<UfficialeId>,
) -> anyhow::Result<String> {
    let (token, hash) = crate::auth::new_token()?;
    let p = firma_core::Principal {
        id: firma_core::PrincipalId(uuid::Uuid::new_v4()),
        name: name.to_owned(),
        role,
        comune: None,
        provincia: None,
        ufficiale,
    };
    let event = firma_core::AuditEvent::new(
        firma_core::AuditKind::PrincipalCreated,
        ACTOR,
        format!("principal:{}", p.id.0),
    )
    .with("role", role.code());
    db.insert_principal(&p, &hash, &event, SystemClock.now())
        .await?;
    Ok(token)
}

/// Runs pyHanko on the result when the test validators are installed (scripts/test-deps).
fn validate_if_possible(pdf: &Path, root: &Path) {
    let pyhanko = PathBuf::from(".venv-validators/bin/pyhanko");
    if !pyhanko.exists() {
        println!(
            "To check it with an independent validator: pyhanko sign validate --trust {} --trust-replace --no-revocation-check {}",
            root.display(),
            pdf.display()
        );
        return;
    }
    match std::process::Command::new(&pyhanko)
        .args(["sign", "validate", "--trust"])
        .arg(root)
        .args(["--trust-replace", "--no-revocation-check"])
        .arg(pdf)
        .output()
    {
        Ok(out) => println!(
            "pyHanko (independent validator) says: {}",
            String::from_utf8_lossy(&out.stdout).trim()
        ),
        Err(e) => println!("pyHanko could not run: {e}"),
    }
}
