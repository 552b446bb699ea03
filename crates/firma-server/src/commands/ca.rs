//! `firma ca ...` and `firma credentials ...`: the Ente Certificatore simulator.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use firma_core::{CodiceFiscale, DirectoryStore, KeySpec, SystemClock};

use crate::config::Settings;

/// `firma ca init`: creates the CA and the simulator TSA (keys in the HSM). Run it before starting
/// the service, which reads the TSA at start.
pub async fn init(settings: Settings, actor: &str) -> anyhow::Result<()> {
    let hsm = super::connect_hsm(&settings).await?;
    let db = super::connect_database(&settings).await?;
    let material = crate::ca::init(&settings, &hsm, &db, &SystemClock, actor).await?;
    db.close().await;
    eprintln!(
        "certificate authority created (keys {} and {} in the HSM); its root certificate:",
        material.root_key_label, material.issuing_key_label
    );
    print!("{}", material.root_pem());
    Ok(())
}

/// `firma ca root`: the root certificate (PEM), the trust anchor for validators.
pub async fn root(settings: Settings) -> anyhow::Result<()> {
    let db = super::connect_database(&settings).await?;
    let (material, _) = crate::ca::material(&db).await?;
    db.close().await;
    print!("{}", material.root_pem());
    Ok(())
}

/// `firma ca workstation --csr FILE --id ID --organization ORG [--out FILE]`: a workstation's TLS
/// client certificate (certificato di postazione) for its PKCS#10 request; the certificate and
/// the issuing CA certificate, PEM, on stdout or in `out`.
pub async fn workstation(
    settings: Settings,
    csr: &Path,
    id: &str,
    organization: &str,
    out: Option<&Path>,
    actor: &str,
) -> anyhow::Result<()> {
    let csr_der = read_csr(csr)?;
    // The request's own signature first, so that a bad request is reported as such.
    firma_ca::verify_csr(&csr_der)
        .with_context(|| format!("the certificate request {}", csr.display()))?;
    let subject = firma_ca::WorkstationSubject {
        workstation_id: id.to_owned(),
        organization: organization.to_owned(),
    };
    subject
        .distinguished_name()
        .context("--id and --organization")?;
    let hsm = super::connect_hsm(&settings).await?;
    let db = super::connect_database(&settings).await?;
    let (issued, issuing) =
        crate::ca::issue_workstation(&settings, &hsm, &db, &SystemClock, csr_der, subject, actor)
            .await?;
    db.close().await;
    let pem = format!("{}{}", issued.pem(), firma_ca::pem(&issuing));
    let fingerprint = crate::tls::ClientCertificate::new(&issued.der).fingerprint();
    match out {
        Some(path) => {
            std::fs::write(path, &pem)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!(
                "workstation certificate for {id} written to {} with the issuing CA certificate \
                 (serial {}, SHA-256 {fingerprint})",
                path.display(),
                issued.serial_hex()
            );
        }
        None => {
            eprintln!(
                "workstation certificate for {id} (serial {}, SHA-256 {fingerprint}), then the \
                 issuing CA certificate:",
                issued.serial_hex()
            );
            print!("{pem}");
        }
    }
    Ok(())
}

/// A PKCS#10 request from a file, PEM (`CERTIFICATE REQUEST`, as `openssl req` writes) or DER.
fn read_csr(path: &Path) -> anyhow::Result<Vec<u8>> {
    use rustls_pki_types::CertificateSigningRequestDer;
    use rustls_pki_types::pem::PemObject;

    let len = std::fs::metadata(path)
        .with_context(|| format!("cannot read the certificate request {}", path.display()))?
        .len();
    // A PEM request is 4/3 of the DER plus headers; anything far larger is not a request.
    if len > 2 * firma_ca::MAX_CSR_LEN as u64 {
        bail!(
            "{} is {len} bytes: too large for a certificate request",
            path.display()
        );
    }
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read the certificate request {}", path.display()))?;
    if bytes.windows(10).any(|w| w == b"-----BEGIN") {
        let csr = CertificateSigningRequestDer::from_pem_slice(&bytes).with_context(|| {
            format!(
                "{} holds no PEM `CERTIFICATE REQUEST` (make it with `openssl req -new ...`)",
                path.display()
            )
        })?;
        Ok(csr.as_ref().to_vec())
    } else {
        Ok(bytes)
    }
}

/// `firma credentials issue --officer CF`: key in the HSM, CSR, qualified certificate from the
/// Ente Certificatore (through its port).
pub async fn issue(
    settings: Settings,
    officer: &str,
    key_type: &str,
    actor: &str,
) -> anyhow::Result<()> {
    let spec = KeySpec::from_name(key_type)
        .with_context(|| format!("unknown key type {key_type:?}: ec-p256, rsa-2048 or rsa-3072"))?;
    let cf = CodiceFiscale::parse(officer)?;
    let hsm = super::connect_hsm(&settings).await?;
    let db = super::connect_database(&settings).await?;
    let (officer, _) = db.ufficiale_by_cf(&cf).await?.with_context(|| {
        format!("no officer with codice fiscale {cf}: register one with `firma officers add`")
    })?;
    let ente = crate::ca::ente_certificatore(&settings, &hsm, &db, Arc::new(SystemClock))?;
    let credential = crate::ca::issue_credential(
        ente.as_ref(),
        &hsm,
        &db,
        &SystemClock,
        &officer,
        spec,
        actor,
    )
    .await?;
    db.close().await;
    eprintln!(
        "credential issued for {} {} ({spec}, key wrapped under the HSM's key-encryption key); its id:",
        officer.nome, officer.cognome
    );
    println!("{}", credential.id.0);
    Ok(())
}
