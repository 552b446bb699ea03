//! `firma adesione` and `firma richieste`: what an operator of the service or of the Ente
//! Certificatore does from a terminal (the same rules and audit records as the API).
//!
//! The Ente Certificatore commands act as an operator of role `ente_certificatore` named by
//! `--actor` (default: the login name), who appears by that name in the identity checks and the
//! audit log.

use std::str::FromStr;
use std::sync::Arc;

use anyhow::Context;
use clap::Subcommand;
use firma_core::onboarding::{RichiestaId, TipoDocumento, data_in_italia};
use firma_core::ports::RichiesteFilter;
use firma_core::{Clock, CodiceIstat, OnboardingStore, Principal, PrincipalId, Role, SystemClock};

use crate::config::Settings;
use crate::onboarding::{AdesioneView, OnboardingService, RichiestaView};

#[derive(Debug, Subcommand)]
pub enum AdesioneCommand {
    /// Show a comune's adhesion: proposta, dichiarazione, when its richieste are forwarded.
    Show {
        /// ISTAT code of the comune.
        comune: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum RichiesteCommand {
    /// List richieste firma remota (by default the Ente Certificatore's queue: inoltrata).
    List {
        /// in_attesa, inoltrata, approvata, rifiutata, annullata, or tutte.
        #[arg(long, default_value = "inoltrata")]
        stato: String,
        /// Only this comune (ISTAT code).
        #[arg(long)]
        comune: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Show one richiesta (JSON).
    Show { id: String },
    /// Forward now the richieste that are eligible today (what `firma serve` does periodically).
    Inoltra,
    /// Record that the identity of the officer was checked on the declared document.
    Verify {
        id: String,
        /// carta_identita, passaporto or patente.
        #[arg(long)]
        tipo: String,
        /// The number of the document checked.
        #[arg(long)]
        numero: String,
        #[arg(long)]
        actor: Option<String>,
    },
    /// Approve: the officer's key in the HSM, CSR, qualified certificate, credential active.
    Approve {
        id: String,
        /// ec-p256, rsa-2048 or rsa-3072 (default: onboarding.key_type).
        #[arg(long)]
        key_type: Option<String>,
        #[arg(long)]
        actor: Option<String>,
    },
    /// Reject, with a reason the officer can act on.
    Reject {
        id: String,
        #[arg(long)]
        motivo: String,
        #[arg(long)]
        actor: Option<String>,
    },
}

const STATI: [&str; 5] = [
    "in_attesa",
    "inoltrata",
    "approvata",
    "rifiutata",
    "annullata",
];

fn richiesta_id(s: &str) -> anyhow::Result<RichiestaId> {
    uuid::Uuid::from_str(s)
        .map(RichiestaId)
        .with_context(|| format!("{s:?} is not a richiesta id (a UUID)"))
}

/// The Ente Certificatore operator at the terminal.
fn operatore(actor: Option<&str>) -> Principal {
    let name = super::operator(actor);
    let name = name.strip_prefix("operator:").unwrap_or(&name).to_owned();
    Principal {
        id: PrincipalId(uuid::Uuid::nil()),
        name,
        role: Role::EnteCertificatore,
        comune: None,
        provincia: None,
        ufficiale: None,
    }
}

fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

pub async fn adesione(settings: Settings, command: AdesioneCommand) -> anyhow::Result<()> {
    match command {
        AdesioneCommand::Show { comune } => {
            let comune = CodiceIstat::parse(&comune)?;
            let db = super::connect_database(&settings).await?;
            let stored = db.adesione(&comune).await?;
            db.close().await;
            let stored = stored
                .with_context(|| format!("comune {comune} has no proposta di adesione yet"))?;
            print_json(&AdesioneView::new(&stored.adesione))
        }
    }
}

/// The service with the HSM, database and system clock of `settings`.
pub(super) async fn service(
    settings: &Settings,
) -> anyhow::Result<(Arc<OnboardingService>, firma_store::Database)> {
    let hsm = super::connect_hsm(settings).await?;
    let db = super::connect_database(settings).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let revocation = crate::revocation::service(settings, &hsm, &db, clock.clone())?;
    let service = crate::onboarding::service(settings, &hsm, &db, clock, revocation)?;
    Ok((service, db))
}

pub async fn richieste(settings: Settings, command: RichiesteCommand) -> anyhow::Result<()> {
    match command {
        RichiesteCommand::List {
            stato,
            comune,
            limit,
        } => {
            let stati = if stato == "tutte" {
                STATI.to_vec()
            } else {
                vec![*STATI.iter().find(|s| **s == stato).with_context(|| {
                    format!(
                        "stato {stato:?} is not one of {} or tutte",
                        STATI.join(", ")
                    )
                })?]
            };
            let comune = comune.as_deref().map(CodiceIstat::parse).transpose()?;
            let db = super::connect_database(&settings).await?;
            let found = db
                .richieste(&RichiesteFilter {
                    comune,
                    stati,
                    limit: limit.clamp(1, crate::onboarding::MAX_LIST),
                    ..Default::default()
                })
                .await?;
            db.close().await;
            let today = data_in_italia(SystemClock.now());
            println!(
                "{:<36}  {:<6}  {:<10}  {:<9}  {:<25}  ufficiale",
                "richiesta", "comune", "stato", "otp", "inoltrata il"
            );
            for s in &found {
                let v = RichiestaView::new(s, None, today);
                println!(
                    "{:<36}  {:<6}  {:<10}  {:<9}  {:<25}  {}",
                    v.id,
                    v.comune,
                    v.stato,
                    v.metodo_otp,
                    v.inoltrata_il.as_deref().unwrap_or("-"),
                    v.ufficiale
                );
            }
            eprintln!("{} richieste", found.len());
            Ok(())
        }
        RichiesteCommand::Show { id } => {
            let id = richiesta_id(&id)?;
            let db = super::connect_database(&settings).await?;
            let stored = db.richiesta(id).await?;
            let adesione = match &stored {
                Some(s) => db.adesione(s.richiesta.comune()).await?,
                None => None,
            };
            db.close().await;
            let stored = stored.with_context(|| format!("no richiesta {id}"))?;
            print_json(&RichiestaView::new(
                &stored,
                adesione.as_ref().map(|a| &a.adesione),
                data_in_italia(SystemClock.now()),
            ))
        }
        RichiesteCommand::Inoltra => {
            let (service, db) = service(&settings).await?;
            let report = service.inoltra_dovute().await?;
            db.close().await;
            println!(
                "{} richieste forwarded to the Ente Certificatore{}",
                report.inoltrate,
                if report.rinviate > 0 {
                    format!(
                        " ({} changed meanwhile: run again to look at them)",
                        report.rinviate
                    )
                } else {
                    String::new()
                }
            );
            Ok(())
        }
        RichiesteCommand::Verify {
            id,
            tipo,
            numero,
            actor,
        } => {
            let id = richiesta_id(&id)?;
            let tipo = TipoDocumento::from_code(&tipo).with_context(|| {
                format!("document type {tipo:?} is not one of carta_identita, passaporto, patente")
            })?;
            let (service, db) = service(&settings).await?;
            let result = service
                .registra_verifica(&operatore(actor.as_deref()), id, tipo, &numero)
                .await;
            db.close().await;
            let view = result?;
            println!(
                "identity check recorded on richiesta {} ({} checks)",
                view.id,
                view.verifiche.len()
            );
            Ok(())
        }
        RichiesteCommand::Approve {
            id,
            key_type,
            actor,
        } => {
            let id = richiesta_id(&id)?;
            let (service, db) = service(&settings).await?;
            let result = service
                .approva(&operatore(actor.as_deref()), id, key_type.as_deref())
                .await;
            db.close().await;
            let approved = result?;
            eprintln!(
                "richiesta {} approved: certificate {} ({}), OTP device {}; the credential id is:",
                approved.richiesta.id, approved.serial, approved.key_type, approved.otp_device
            );
            println!("{}", approved.credential_id);
            Ok(())
        }
        RichiesteCommand::Reject { id, motivo, actor } => {
            let id = richiesta_id(&id)?;
            let (service, db) = service(&settings).await?;
            let result = service
                .rifiuta(&operatore(actor.as_deref()), id, &motivo)
                .await;
            db.close().await;
            let view = result?;
            println!("richiesta {} rejected", view.id);
            Ok(())
        }
    }
}
