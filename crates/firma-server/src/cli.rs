//! The `firma` command line. `anyhow` lives here, at the binary's edge: errors are printed as one
//! line naming what to fix, never as a panic or a backtrace.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::commands;
use crate::config::Settings;
use crate::otp::ImportFormat;
use crate::telemetry;

#[derive(Debug, Parser)]
#[command(
    name = "firma",
    version,
    about = "Remote qualified signatures for ANSC (firma-remota)"
)]
pub struct Cli {
    /// A configuration file layered over the embedded defaults (then FIRMA_* variables).
    #[arg(long, global = true, env = "FIRMA_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP service until SIGTERM or Ctrl-C.
    Serve,
    /// Check the configuration: connect to the HSM and the database, report, exit.
    Check,
    /// Sign a sample atto end to end through the HTTP API (creates the demo CA, officer and
    /// credential when missing) and write the signed PDF.
    Demo {
        /// Where to write the signed PDF and the CA root certificate.
        #[arg(long, default_value = "data/demo")]
        out: PathBuf,
    },
    /// HSM administration.
    Hsm {
        #[command(subcommand)]
        command: HsmCommand,
    },
    /// Database administration.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// Hardware OTP tokens (chiavette): import, assign, unlock, resynchronise.
    Tokens {
        #[command(subcommand)]
        command: TokensCommand,
    },
    /// SMS codes: the simulator's outbox, unlocking an officer's SMS device.
    Sms {
        #[command(subcommand)]
        command: SmsCommand,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// API callers (principals) and their bearer tokens.
    Principals {
        #[command(subcommand)]
        command: PrincipalsCommand,
    },
    /// Ufficiali dello stato civile.
    Officers {
        #[command(subcommand)]
        command: OfficersCommand,
    },
    /// The Ente Certificatore simulator's certificate authority.
    Ca {
        #[command(subcommand)]
        command: CaCommand,
    },
    /// Officers' signing credentials.
    Credentials {
        #[command(subcommand)]
        command: CredentialsCommand,
    },
    /// Adhesions of the comuni to ANSC.
    Adesione {
        #[command(subcommand)]
        command: commands::onboarding::AdesioneCommand,
    },
    /// Richieste firma remota: forwarding, the Ente Certificatore's queue and decisions.
    Richieste {
        #[command(subcommand)]
        command: commands::onboarding::RichiesteCommand,
    },
    /// Chiavette of the Prefetture: stock, allocation, deliveries.
    Chiavette {
        #[command(subcommand)]
        command: commands::chiavette::ChiavetteCommand,
    },
}

#[derive(Debug, Subcommand)]
enum CaCommand {
    /// Create the CA (root and issuing keys in the HSM) and the simulator's TSA; prints the root.
    Init {
        #[arg(long)]
        actor: Option<String>,
    },
    /// Print the root certificate (PEM): the trust anchor for validators.
    Root,
    /// Issue a workstation's TLS client certificate (certificato di postazione) for the PKCS#10
    /// request the workstation made (e.g. `openssl req -new -newkey ec -pkeyopt
    /// ec_paramgen_curve:P-256 -nodes`); prints it, then the issuing CA certificate, as PEM.
    Workstation {
        /// The workstation's certificate signing request (PEM or DER).
        #[arg(long, value_name = "FILE")]
        csr: PathBuf,
        /// The workstation's identifier (the certificate's commonName).
        #[arg(long, value_name = "WORKSTATION_ID")]
        id: String,
        /// The comune or prefettura the workstation belongs to (organizationName).
        #[arg(long)]
        organization: String,
        /// Write the certificate and the issuing CA certificate (PEM) to this file instead.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[arg(long)]
        actor: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum CredentialsCommand {
    /// Issue a credential: key generated in the HSM, CSR, qualified certificate; prints its id.
    Issue {
        /// The officer's codice fiscale.
        #[arg(long)]
        officer: String,
        /// ec-p256, rsa-2048 or rsa-3072.
        #[arg(long, default_value = "ec-p256")]
        key_type: String,
        #[arg(long)]
        actor: Option<String>,
    },
    /// Revoke a credential's certificate (RFC 5280 reason) and destroy its key; with
    /// certificateHold, suspend it instead.
    Revoke {
        /// The credential id.
        id: String,
        /// keyCompromise, affiliationChanged, superseded, cessationOfOperation,
        /// privilegeWithdrawn, cACompromise, aACompromise, unspecified or certificateHold.
        #[arg(long)]
        reason: String,
        /// When the key was compromised or the certificate otherwise became invalid, if
        /// earlier (RFC 3339).
        #[arg(long, value_name = "DATE-TIME")]
        invalidity_date: Option<String>,
        #[arg(long)]
        actor: Option<String>,
    },
    /// Suspend a credential's certificate (certificateHold): it cannot sign until reinstated.
    Suspend {
        id: String,
        #[arg(long)]
        actor: Option<String>,
    },
    /// Lift the suspension of a credential's certificate.
    Reinstate {
        id: String,
        #[arg(long)]
        actor: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum PrincipalsCommand {
    /// Create a principal and print its bearer token (shown once, stored hashed). With
    /// --client-cert the principal is also bound to a TLS client certificate, which alone is
    /// enough to authenticate over mutual TLS (no token needed then).
    Create {
        /// ansc_core, ufficiale, als, sindaco, prefettura, ente_certificatore or admin.
        #[arg(long)]
        role: String,
        /// A name for people (and the audit log).
        #[arg(long)]
        name: String,
        /// ISTAT code of the comune (ALS, sindaco).
        #[arg(long)]
        comune: Option<String>,
        /// ISTAT code of the province (prefettura).
        #[arg(long)]
        provincia: Option<String>,
        /// Codice fiscale of the officer (role ufficiale), or of the Prefettura operator's
        /// registration as a signer of receipts (role prefettura).
        #[arg(long)]
        officer: Option<String>,
        /// A client certificate (PEM; the first certificate of the file, e.g. a workstation
        /// certificate from `firma ca workstation`) that authenticates this principal over
        /// mutual TLS on its own, without the token.
        #[arg(long, value_name = "FILE.pem")]
        client_cert: Option<PathBuf>,
        #[arg(long)]
        actor: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum OfficersCommand {
    /// Register an officer with profiles and the OTP device they authorise with.
    Add {
        #[arg(long = "cf")]
        codice_fiscale: String,
        #[arg(long)]
        nome: String,
        #[arg(long)]
        cognome: String,
        #[arg(long)]
        email: String,
        /// ISTAT code of the comune.
        #[arg(long)]
        comune: String,
        /// Profiles, comma separated: nascita, morte, matrimonio, cittadinanza, unione_civile
        /// (short for formazione_atti_*), certificazione, consultazione, ...
        #[arg(long, value_delimiter = ',')]
        profili: Vec<String>,
        /// Mobile phone for SMS codes.
        #[arg(long)]
        phone: Option<String>,
        /// Serial of an imported hardware token to bind.
        #[arg(long)]
        token: Option<String>,
        #[arg(long)]
        actor: Option<String>,
    },
    /// The officers of a comune (what its ALS sees).
    List {
        /// ISTAT code of the comune.
        #[arg(long)]
        comune: String,
    },
    /// Remove an officer, as the ALS of their comune does: every certificate revoked
    /// (cessationOfOperation) and its key destroyed, open richieste cancelled, chiavette
    /// released, the officer's principals revoked.
    Remove {
        /// The officer's codice fiscale or id.
        officer: String,
        /// Who acts (as an ALS of the officer's comune), for the audit log.
        #[arg(long)]
        actor: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum TokensCommand {
    /// Import a batch from the vendor's file (RFC 6030 PSKC, or CSV), sealing seeds in the HSM.
    Import {
        file: PathBuf,
        /// pskc or csv; guessed from the content when absent.
        #[arg(long, value_parser = ["pskc", "csv"])]
        format: Option<String>,
        /// File with the pre-shared key (hex) of an encrypted PSKC file.
        #[arg(long, value_name = "FILE")]
        psk_file: Option<PathBuf>,
        /// Who is acting, for the audit log (default: the login name).
        #[arg(long)]
        actor: Option<String>,
    },
    /// Show a token's parameters and state (never its seed).
    Show { serial: String },
    /// Bind a token to the officer who uses it.
    Assign {
        serial: String,
        #[arg(long)]
        owner: String,
        #[arg(long)]
        actor: Option<String>,
    },
    /// Unlock a token locked after too many wrong codes.
    Unlock {
        serial: String,
        /// Why (recorded in the audit log).
        #[arg(long)]
        reason: String,
        #[arg(long)]
        actor: Option<String>,
    },
    /// Resynchronise a token with two consecutive codes.
    Resync {
        serial: String,
        code1: String,
        code2: String,
        #[arg(long)]
        actor: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum SmsCommand {
    /// Messages the simulator "sent" (the simulated phones), oldest first.
    Outbox {
        /// Only messages to this number.
        #[arg(long)]
        to: Option<String>,
        /// How many of the latest messages.
        #[arg(long, default_value_t = 20)]
        last: usize,
    },
    /// Send a test message (no code) through the configured gateway, to check it works.
    Test {
        #[arg(long)]
        to: String,
    },
    /// Unlock an officer's SMS device locked after too many wrong codes.
    Unlock {
        owner: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        actor: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check the hash chain; report the first broken link.
    Verify,
}

#[derive(Debug, Subcommand)]
enum HsmCommand {
    /// Show the token and module in use.
    Info,
    /// Create the key-encryption key if the token has none.
    Init,
    /// Generate officer keys of every type in the HSM, sign, verify outside the HSM, report rates.
    Selftest {
        /// Signatures per key type.
        #[arg(long, default_value_t = 200)]
        signatures: usize,
    },
}

#[derive(Debug, Subcommand)]
enum DbCommand {
    /// Apply pending migrations.
    Migrate,
}

/// Entry point of the `firma` binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(cli.config.as_deref())?;
    telemetry::init(&settings.log);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("firma-worker")
        .build()?;
    runtime.block_on(async move {
        match cli.command {
            Command::Serve => commands::serve::run(settings).await,
            Command::Check => commands::check::run(settings).await,
            Command::Demo { out } => crate::demo::run(settings, &out).await,
            Command::Hsm { command } => match command {
                HsmCommand::Info => commands::hsm::info(settings).await,
                HsmCommand::Init => commands::hsm::init(settings).await,
                HsmCommand::Selftest { signatures } => {
                    commands::hsm::selftest(settings, signatures).await
                }
            },
            Command::Tokens { command } => match command {
                TokensCommand::Import {
                    file,
                    format,
                    psk_file,
                    actor,
                } => {
                    let format = format.as_deref().map(|f| {
                        if f == "pskc" {
                            ImportFormat::Pskc
                        } else {
                            ImportFormat::Csv
                        }
                    });
                    let actor = commands::operator(actor.as_deref());
                    commands::tokens::import(settings, &file, format, psk_file.as_deref(), &actor)
                        .await
                }
                TokensCommand::Show { serial } => commands::tokens::show(settings, &serial).await,
                TokensCommand::Assign {
                    serial,
                    owner,
                    actor,
                } => {
                    let actor = commands::operator(actor.as_deref());
                    commands::tokens::assign(settings, &serial, &owner, &actor).await
                }
                TokensCommand::Unlock {
                    serial,
                    reason,
                    actor,
                } => {
                    let actor = commands::operator(actor.as_deref());
                    let subject = format!("token:{serial}");
                    commands::tokens::unlock(settings, &subject, &reason, &actor).await
                }
                TokensCommand::Resync {
                    serial,
                    code1,
                    code2,
                    actor,
                } => {
                    let actor = commands::operator(actor.as_deref());
                    commands::tokens::resync(settings, &serial, &code1, &code2, &actor).await
                }
            },
            Command::Sms { command } => match command {
                SmsCommand::Outbox { to, last } => {
                    commands::sms::outbox(&settings, to.as_deref(), last)
                }
                SmsCommand::Test { to } => commands::sms::test(&settings, &to).await,
                SmsCommand::Unlock {
                    owner,
                    reason,
                    actor,
                } => {
                    let actor = commands::operator(actor.as_deref());
                    let subject = format!("sms:{owner}");
                    commands::tokens::unlock(settings, &subject, &reason, &actor).await
                }
            },
            Command::Principals { command } => match command {
                PrincipalsCommand::Create {
                    role,
                    name,
                    comune,
                    provincia,
                    officer,
                    client_cert,
                    actor,
                } => {
                    let actor = commands::operator(actor.as_deref());
                    commands::principals::create(
                        settings,
                        commands::principals::NewPrincipal {
                            role: &role,
                            name: &name,
                            comune: comune.as_deref(),
                            provincia: provincia.as_deref(),
                            officer: officer.as_deref(),
                            client_cert: client_cert.as_deref(),
                        },
                        &actor,
                    )
                    .await
                }
            },
            Command::Officers { command } => match command {
                OfficersCommand::Add {
                    codice_fiscale,
                    nome,
                    cognome,
                    email,
                    comune,
                    profili,
                    phone,
                    token,
                    actor,
                } => {
                    let actor = commands::operator(actor.as_deref());
                    commands::officers::add(
                        settings,
                        commands::officers::NewOfficer {
                            codice_fiscale: &codice_fiscale,
                            nome: &nome,
                            cognome: &cognome,
                            email: &email,
                            comune: &comune,
                            profili: &profili,
                            phone: phone.as_deref(),
                            token: token.as_deref(),
                        },
                        &actor,
                    )
                    .await
                    .map(|_| ())
                }
                OfficersCommand::List { comune } => {
                    commands::officers::list(settings, &comune).await
                }
                OfficersCommand::Remove { officer, actor } => {
                    commands::officers::remove(settings, &officer, actor.as_deref()).await
                }
            },
            Command::Ca { command } => match command {
                CaCommand::Init { actor } => {
                    let actor = commands::operator(actor.as_deref());
                    commands::ca::init(settings, &actor).await
                }
                CaCommand::Root => commands::ca::root(settings).await,
                CaCommand::Workstation {
                    csr,
                    id,
                    organization,
                    out,
                    actor,
                } => {
                    let actor = commands::operator(actor.as_deref());
                    commands::ca::workstation(
                        settings,
                        &csr,
                        &id,
                        &organization,
                        out.as_deref(),
                        &actor,
                    )
                    .await
                }
            },
            Command::Credentials { command } => match command {
                CredentialsCommand::Issue {
                    officer,
                    key_type,
                    actor,
                } => {
                    let actor = commands::operator(actor.as_deref());
                    commands::ca::issue(settings, &officer, &key_type, &actor).await
                }
                CredentialsCommand::Revoke {
                    id,
                    reason,
                    invalidity_date,
                    actor,
                } => {
                    let actor = commands::operator(actor.as_deref());
                    commands::revocation::revoke(
                        settings,
                        &id,
                        &reason,
                        invalidity_date.as_deref(),
                        &actor,
                    )
                    .await
                }
                CredentialsCommand::Suspend { id, actor } => {
                    let actor = commands::operator(actor.as_deref());
                    commands::revocation::suspend(settings, &id, &actor).await
                }
                CredentialsCommand::Reinstate { id, actor } => {
                    let actor = commands::operator(actor.as_deref());
                    commands::revocation::reinstate(settings, &id, &actor).await
                }
            },
            Command::Adesione { command } => {
                commands::onboarding::adesione(settings, command).await
            }
            Command::Richieste { command } => {
                commands::onboarding::richieste(settings, command).await
            }
            Command::Chiavette { command } => commands::chiavette::run(settings, command).await,
            Command::Audit { command } => match command {
                AuditCommand::Verify => commands::audit::verify(settings).await,
            },
            Command::Db { command } => match command {
                DbCommand::Migrate => {
                    let db = commands::connect_database(&settings).await?;
                    db.close().await;
                    println!("database schema up to date");
                    Ok(())
                }
            },
        }
    })
}
