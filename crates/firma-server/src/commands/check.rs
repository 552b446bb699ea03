//! `firma check`: is the configuration right? Connects to the HSM and the database and says so.

use std::time::Duration;

use crate::config::Settings;

pub async fn run(settings: Settings) -> anyhow::Result<()> {
    match crate::tls::server(&settings.tls)? {
        Some(tls) => println!("TLS       ok: HTTPS, {}", tls.summary),
        None => println!("TLS       off: plain HTTP (tls.enabled = false)"),
    }
    let hsm = super::connect_hsm(&settings).await?;
    let token = hsm.blocking(|h| h.token_info()).await?;
    let health = hsm.blocking(|h| h.health()).await?;
    println!(
        "HSM       ok: token {:?} ({} {}, serial {}), {} sessions, key-encryption key {}",
        token.label,
        token.manufacturer,
        token.model,
        token.serial,
        token.sessions,
        if health.kek_present {
            "present"
        } else {
            "MISSING"
        }
    );
    let db = super::connect_database(&settings).await?;
    let latency = db.ping(Duration::from_secs(5)).await?;
    println!(
        "database  ok: {} ({:.1} ms), schema up to date",
        db.backend().name(),
        latency.as_secs_f64() * 1000.0
    );
    db.close().await;
    Ok(())
}
