//! `firma tokens ...`: hardware OTP tokens (chiavette).

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use firma_core::OtpStore;
use firma_core::otp::OtpOutcome;

use crate::config::Settings;
use crate::otp::{ImportFormat, ImportProgress, read_pre_shared_key};

/// `firma tokens import FILE`: seals every seed in the HSM and stores the batch, with progress.
pub async fn import(
    settings: Settings,
    file: &Path,
    format: Option<ImportFormat>,
    psk_file: Option<&Path>,
    actor: &str,
) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let format = format.unwrap_or_else(|| ImportFormat::detect(&bytes));
    let psk = psk_file.map(read_pre_shared_key).transpose()?;
    let hsm = super::connect_hsm(&settings).await?;
    let db = super::connect_database(&settings).await?;
    let otp = super::otp_service(&settings, &hsm, &db)?;
    let progress: Arc<dyn Fn(ImportProgress) + Send + Sync> = Arc::new(|p| {
        let line = match p {
            ImportProgress::Parsed(n) => format!("read {n} tokens from the file\n"),
            ImportProgress::Sealed { done, total } => {
                format!("sealing seeds in the HSM: {done}/{total}\n")
            }
            ImportProgress::Stored { done, total } => format!("storing: {done}/{total}\n"),
        };
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(line.as_bytes());
        let _ = out.flush();
    });
    let summary = otp
        .import_tokens(bytes, format, psk, actor, progress)
        .await
        .with_context(|| format!("importing {}", file.display()))?;
    println!(
        "imported {} tokens ({}) from {}",
        summary.imported,
        summary.format.name(),
        file.display()
    );
    db.close().await;
    Ok(())
}

/// `firma tokens show SERIAL`: the token's parameters and state (never its seed).
pub async fn show(settings: Settings, serial: &str) -> anyhow::Result<()> {
    let db = super::connect_database(&settings).await?;
    let policy = settings.otp.to_settings()?.policy;
    let token = db
        .token(serial)
        .await?
        .with_context(|| format!("no token with serial {serial}"))?;
    println!("serial        {}", token.serial);
    println!(
        "manufacturer  {}",
        token.manufacturer.as_deref().unwrap_or("-")
    );
    println!("parameters    {:?}", token.params);
    println!("status        {}", token.status.code());
    println!("owner         {}", token.owner.as_deref().unwrap_or("-"));
    println!("failures      {}", token.state.failures);
    println!(
        "locked        {}",
        if policy.is_state_locked(&token.state) {
            "yes"
        } else {
            "no"
        }
    );
    db.close().await;
    Ok(())
}

/// `firma tokens assign SERIAL --owner OFFICER`.
pub async fn assign(
    settings: Settings,
    serial: &str,
    owner: &str,
    actor: &str,
) -> anyhow::Result<()> {
    let hsm = super::connect_hsm(&settings).await?;
    let db = super::connect_database(&settings).await?;
    super::otp_service(&settings, &hsm, &db)?
        .assign_token(serial, owner, actor)
        .await?;
    println!("token {serial} assigned to {owner}");
    Ok(())
}

/// `firma tokens unlock SERIAL --reason TEXT`.
pub async fn unlock(
    settings: Settings,
    subject: &str,
    reason: &str,
    actor: &str,
) -> anyhow::Result<()> {
    let hsm = super::connect_hsm(&settings).await?;
    let db = super::connect_database(&settings).await?;
    super::otp_service(&settings, &hsm, &db)?
        .unlock(subject, actor, reason)
        .await?;
    println!("{subject} unlocked");
    Ok(())
}

/// `firma tokens resync SERIAL CODE1 CODE2`.
pub async fn resync(
    settings: Settings,
    serial: &str,
    code1: &str,
    code2: &str,
    actor: &str,
) -> anyhow::Result<()> {
    let hsm = super::connect_hsm(&settings).await?;
    let db = super::connect_database(&settings).await?;
    let outcome = super::otp_service(&settings, &hsm, &db)?
        .resync_token(serial, code1, code2, actor)
        .await?;
    match outcome {
        OtpOutcome::Accepted => {
            println!("token {serial} resynchronised");
            Ok(())
        }
        other => anyhow::bail!("token {serial} not resynchronised: {other:?}"),
    }
}
