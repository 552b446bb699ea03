//! `firma audit verify`: checks the hash chain of the audit log from its first record.

use firma_core::{AuditLog, verify_chain};

use crate::config::Settings;

const PAGE: u32 = 1000;

pub async fn verify(settings: Settings) -> anyhow::Result<()> {
    let db = super::connect_database(&settings).await?;
    let mut last = None;
    let mut count = 0usize;
    loop {
        let after = last.map_or(0, |(seq, _)| seq);
        let page = db.records(after, PAGE).await?;
        if page.is_empty() {
            break;
        }
        count += page.len();
        last = verify_chain(last, &page).map_err(|e| anyhow::anyhow!("audit chain broken: {e}"))?;
    }
    db.close().await;
    match last {
        Some((seq, hash)) => println!(
            "audit chain intact: {count} records, last {seq}, head {}",
            hex(&hash)
        ),
        None => println!("audit chain intact: no records yet"),
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
