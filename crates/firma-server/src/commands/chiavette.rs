//! `firma chiavette`: what the service administrator and the Prefetture's operators do from a
//! terminal with the distribution of the chiavette (the same rules and audit records as the API):
//! load a province's stock, show its allocation and its deliveries.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use clap::Subcommand;
use firma_core::{CodiceIstat, CodiceProvincia, SystemClock};

use crate::chiavette::ChiavetteService;
use crate::config::Settings;

#[derive(Debug, Subcommand)]
pub enum ChiavetteCommand {
    /// Assign imported chiavette to a Prefettura's stock, all or nothing (serials already in
    /// that stock are left as they are).
    Carica {
        /// ISTAT code of the province (e.g. 058 for Roma).
        #[arg(long)]
        provincia: String,
        /// Serials of imported chiavette.
        serials: Vec<String>,
        /// A file of serials (separated by newlines, spaces or commas; `#` starts a comment).
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
        #[arg(long)]
        actor: Option<String>,
    },
    /// A province's allocation (one chiavetta per officer of its comuni who chose it), the
    /// deliveries so far and the stock.
    Allocazione {
        #[arg(long)]
        provincia: String,
    },
    /// A province's deliveries, with the state of their receipts.
    Consegne {
        #[arg(long)]
        provincia: String,
        /// Only this comune (ISTAT code).
        #[arg(long)]
        comune: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
}

/// Serials from a file: newlines, spaces or commas between them; `#` comments.
fn serials_from(path: &Path) -> anyhow::Result<Vec<String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the file of serials {}", path.display()))?;
    Ok(text
        .lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .flat_map(|l| l.split(|c: char| c.is_whitespace() || c == ','))
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect())
}

async fn service(settings: &Settings) -> anyhow::Result<(ChiavetteService, firma_store::Database)> {
    let hsm = super::connect_hsm(settings).await?;
    let db = super::connect_database(settings).await?;
    let clock: Arc<dyn firma_core::Clock> = Arc::new(SystemClock);
    let (otp, signing) = super::services(settings, &hsm, &db, clock.clone()).await?;
    Ok((ChiavetteService::new(db.clone(), otp, signing, clock), db))
}

pub async fn run(settings: Settings, command: ChiavetteCommand) -> anyhow::Result<()> {
    match command {
        ChiavetteCommand::Carica {
            provincia,
            mut serials,
            file,
            actor,
        } => {
            let provincia = CodiceProvincia::parse(&provincia)?;
            if let Some(file) = file {
                serials.extend(serials_from(&file)?);
            }
            let actor = super::operator(actor.as_deref());
            let (service, db) = service(&settings).await?;
            let result = service.carica_come(&actor, &provincia, &serials).await;
            db.close().await;
            let view = result?;
            println!(
                "{} chiavette loaded into the stock of province {}{}",
                view.caricate.len(),
                view.provincia,
                if view.gia_presenti.is_empty() {
                    String::new()
                } else {
                    format!(" ({} were already in it)", view.gia_presenti.len())
                }
            );
        }
        ChiavetteCommand::Allocazione { provincia } => {
            let provincia = CodiceProvincia::parse(&provincia)?;
            let (service, db) = service(&settings).await?;
            let result = service.allocazione_di(&provincia).await;
            db.close().await;
            let a = result?;
            println!(
                "province {}: {} chiavette allocated, {} delivered; stock: {}",
                a.provincia,
                a.totale,
                a.consegnate,
                a.scorte
                    .iter()
                    .map(|(s, n)| format!("{n} {s}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            println!(
                "{:<8} {:>9} {:>10} {:>13}",
                "comune", "allocate", "consegnate", "da_consegnare"
            );
            for c in &a.comuni {
                println!(
                    "{:<8} {:>9} {:>10} {:>13}",
                    c.comune, c.allocate, c.consegnate, c.da_consegnare
                );
            }
        }
        ChiavetteCommand::Consegne {
            provincia,
            comune,
            limit,
        } => {
            let provincia = CodiceProvincia::parse(&provincia)?;
            let comune = comune.as_deref().map(CodiceIstat::parse).transpose()?;
            let (service, db) = service(&settings).await?;
            let result = service
                .consegne_di(&provincia, comune.as_ref(), limit.max(1))
                .await;
            db.close().await;
            for c in result? {
                println!(
                    "{}  {} n.{}  {}  {} chiavette  {} ({})  ricevuta {}",
                    c.id,
                    c.comune,
                    c.numero,
                    c.data,
                    c.seriali.len(),
                    c.delegato.nome,
                    c.delegato.codice_fiscale,
                    c.ricevuta.stato
                );
            }
        }
    }
    Ok(())
}
