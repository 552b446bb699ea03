//! `firma principals create`: API callers, their bearer tokens and, for mutual TLS, the client
//! certificates bound to them.

use std::path::Path;

use anyhow::{Context, bail};
use firma_core::{
    AuditEvent, AuditKind, Clock, CodiceFiscale, CodiceIstat, CodiceProvincia, DirectoryStore,
    Principal, PrincipalId, Profilo, Role, SystemClock,
};

use crate::auth::new_token;
use crate::config::Settings;
use crate::tls::ClientCertificate;

/// What `principals create` was given.
pub struct NewPrincipal<'a> {
    pub role: &'a str,
    pub name: &'a str,
    pub comune: Option<&'a str>,
    pub provincia: Option<&'a str>,
    /// For role `ufficiale`: the officer's codice fiscale.
    pub officer: Option<&'a str>,
    /// A PEM file whose first certificate authenticates the principal over mutual TLS.
    pub client_cert: Option<&'a Path>,
}

/// Creates a principal and prints its token, once: only its hash is stored.
pub async fn create(settings: Settings, new: NewPrincipal<'_>, actor: &str) -> anyhow::Result<()> {
    let db = super::connect_database(&settings).await?;
    let role = Role::from_code(new.role).with_context(|| {
        format!(
            "unknown role {:?}: one of {}",
            new.role,
            Role::ALL.map(|r| r.code()).join(", ")
        )
    })?;
    let comune = new.comune.map(CodiceIstat::parse).transpose()?;
    let provincia = new.provincia.map(CodiceProvincia::parse).transpose()?;
    let ufficiale = match (role, new.officer) {
        (Role::Ufficiale | Role::Prefettura, Some(cf)) => {
            let cf = CodiceFiscale::parse(cf)?;
            let (u, _) = db
                .ufficiale_by_cf(&cf)
                .await?
                .with_context(|| format!("no officer with codice fiscale {cf} is registered"))?;
            // A Prefettura operator is linked to their registration as a signer of the receipts
            // of the chiavette delivered.
            if role == Role::Prefettura
                && !u
                    .profili
                    .contains(&Profilo::OperatoreDistribuzioneChiavette)
            {
                bail!(
                    "{cf} lacks the profile operatore_distribuzione_chiavette: register the \
                     operator with `firma officers add ... --profili operatore_distribuzione_chiavette`"
                );
            }
            Some(u.id)
        }
        (Role::Ufficiale, None) => {
            bail!("a principal with role ufficiale needs --officer <codice fiscale>")
        }
        (_, Some(_)) => bail!("--officer is only for roles ufficiale and prefettura"),
        _ => None,
    };
    if matches!(role, Role::Als | Role::Sindaco) && comune.is_none() {
        bail!("role {role} acts for a comune: give --comune <ISTAT code>");
    }
    if role == Role::Prefettura && provincia.is_none() {
        bail!("role prefettura acts for a province: give --provincia <ISTAT code>");
    }
    let certificate = new.client_cert.map(client_certificate).transpose()?;
    let principal = Principal {
        id: PrincipalId(uuid::Uuid::new_v4()),
        name: new.name.to_owned(),
        role,
        comune,
        provincia,
        ufficiale,
    };
    let (token, hash) = new_token().context("no randomness for the token")?;
    let mut event = AuditEvent::new(
        AuditKind::PrincipalCreated,
        actor,
        format!("principal:{}", principal.id.0),
    )
    .with("role", role.code())
    .with("name", &principal.name);
    if let Some(c) = &certificate {
        event = event
            .with("certificate_sha256", c.fingerprint())
            .with("certificate_subject", c.subject());
    }
    db.insert_principal_with_certificate(
        &principal,
        &hash,
        certificate.as_ref().map(|c| &c.sha256),
        &event,
        SystemClock.now(),
    )
    .await?;
    db.close().await;
    if let Some(c) = &certificate {
        eprintln!(
            "principal {} ({}) bound to the client certificate {} (SHA-256 {}); over mutual TLS \
             the certificate alone authenticates it",
            principal.name,
            role,
            c.subject(),
            c.fingerprint()
        );
    }
    eprintln!(
        "principal {} ({}) created; its token is shown once, keep it secret:",
        principal.name, role
    );
    println!("{token}");
    Ok(())
}

/// The first certificate of a PEM file, checked to be an X.509 certificate.
fn client_certificate(path: &Path) -> anyhow::Result<ClientCertificate> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    use x509_cert::der::Decode;

    let pem = std::fs::read(path)
        .with_context(|| format!("cannot read the client certificate {}", path.display()))?;
    let first = CertificateDer::pem_slice_iter(&pem)
        .next()
        .with_context(|| format!("{} holds no PEM certificate", path.display()))?
        .with_context(|| format!("{} is not valid PEM", path.display()))?;
    x509_cert::Certificate::from_der(first.as_ref())
        .with_context(|| format!("the first certificate of {} is not X.509", path.display()))?;
    Ok(ClientCertificate::new(first.as_ref()))
}
