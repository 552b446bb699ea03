//! The Ente Certificatore simulator wired to the store and the HSM: create the CA once, re-open it,
//! issue officers' credentials (key generated in the HSM, CSR proving possession, qualified
//! certificate through the [`EnteCertificatore`] port, whose simulator adapter is
//! [`SimulatedEnteCertificatore`]), and the simulator's time-stamping authority.

mod simulator;

pub use simulator::SimulatedEnteCertificatore;

use std::sync::Arc;

use anyhow::{Context, bail};
use firma_ades::cms::SignerChain;
use firma_ades::tsp::authority::{AuthorityConfig, SerialSource, TimestampAuthority};
use firma_ades::tsp::{TimestampTransport, TsaClient};
use firma_ca::{
    CaMaterial, CaNames, CaProfile, CertificateAuthority, IssuedCertificate, OfficerSubject,
    WorkstationSubject, build_csr,
};
use firma_core::ports::{
    CertificationRequest, EnteCertificatore, EnteCertificatoreError, OfficerIdentity,
};
use firma_core::{
    AuditEvent, AuditKind, AuditLog, Clock, Credential, CredentialId, CredentialStatus,
    DirectoryStore, KeyPurpose, KeyRef, KeySpec, KeyStore, RevocationStore, Ufficiale,
};
use firma_hsm::Hsm;
use firma_store::Database;

use crate::config::{Settings, TsaMode};

/// Label of the simulator TSA's key in the HSM.
pub const TSA_KEY_LABEL: &str = "firma-tsa";

/// Creates the CA (root and issuing keys in the HSM), the simulator TSA's key and certificate and
/// the delegated OCSP responder's key (`firma-ocsp`) and certificate (RFC 6960 section 4.2.2.2),
/// and stores their material; the TSA and responder certificates enter the register of issued
/// certificates. Refuses if a CA exists already.
pub async fn init(
    settings: &Settings,
    hsm: &Hsm,
    db: &Database,
    clock: &dyn Clock,
    actor: &str,
) -> anyhow::Result<CaMaterial> {
    if db.ca_material().await?.is_some() {
        bail!(
            "a certificate authority already exists in this database (`firma ca root` prints its root)"
        );
    }
    let profile = CaProfile::with_base_url(&settings.ca.base_url)?;
    let now = clock.now();
    let hsm2 = hsm.clone();
    let (material, tsa_certificate, ocsp_certificate) = hsm
        .blocking(move |h| {
            let material =
                CertificateAuthority::create(h, &CaNames::default(), KeySpec::EcP256, now)
                    .map_err(|e| firma_core::KeyStoreError::Backend(e.to_string()))?;
            let ca = CertificateAuthority::open(&hsm2, &material, profile)
                .map_err(|e| firma_core::KeyStoreError::Backend(e.to_string()))?;
            let tsa_key = match h.find_service_key(TSA_KEY_LABEL)? {
                Some(k) => k,
                None => h.generate(
                    KeySpec::EcP256,
                    KeyPurpose::Service {
                        label: TSA_KEY_LABEL.to_owned(),
                    },
                )?,
            };
            let tsa = ca
                .issue_tsa(&tsa_key.public_key, "Firma Remota TSA Simulata", now)
                .map_err(|e| firma_core::KeyStoreError::Backend(e.to_string()))?;
            let ocsp_key = match h.find_service_key(crate::revocation::OCSP_KEY_LABEL)? {
                Some(k) => k,
                None => h.generate(
                    KeySpec::EcP256,
                    KeyPurpose::Service {
                        label: crate::revocation::OCSP_KEY_LABEL.to_owned(),
                    },
                )?,
            };
            let ocsp = ca
                .issue_ocsp_responder(&ocsp_key.public_key, "Firma Remota OCSP Simulato", now)
                .map_err(|e| firma_core::KeyStoreError::Backend(e.to_string()))?;
            Ok((material, tsa.der, ocsp.der))
        })
        .await
        .context("creating the certificate authority in the HSM")?;
    let json = serde_json::to_string(&material)?;
    let event = AuditEvent::new(AuditKind::CaCreated, actor, "ca")
        .with("root_key", &material.root_key_label)
        .with("issuing_key", &material.issuing_key_label);
    db.insert_ca_material(&json, Some(&tsa_certificate), &event, now)
        .await?;
    let responder = firma_core::ports::StoredOcspResponder {
        key_label: crate::revocation::OCSP_KEY_LABEL.to_owned(),
        certificate: ocsp_certificate.clone(),
    };
    let event = AuditEvent::new(AuditKind::CaCreated, actor, "ca:ocsp")
        .with("ocsp_responder_key", &responder.key_label);
    db.insert_ocsp_responder(&responder, &[event], now).await?;
    let issued = [
        crate::revocation::certificate_record(
            &tsa_certificate,
            firma_core::ports::IssuedKind::Tsa,
            None,
        )?,
        crate::revocation::certificate_record(
            &ocsp_certificate,
            firma_core::ports::IssuedKind::OcspResponder,
            None,
        )?,
    ];
    db.register_issued(&issued, now).await?;
    Ok(material)
}

/// The stored CA material, or a clear error telling how to create it.
pub async fn material(db: &Database) -> anyhow::Result<(CaMaterial, Option<Vec<u8>>)> {
    let stored = db.ca_material().await?.context(
        "no certificate authority yet: run `firma ca init` (before starting the service)",
    )?;
    Ok((
        serde_json::from_str(&stored.material).context("the stored CA material")?,
        stored.tsa_certificate,
    ))
}

/// The Ente Certificatore the service uses: the simulator (the only adapter so far), over this
/// HSM and database, with the URLs of `ca.base_url`.
pub fn ente_certificatore(
    settings: &Settings,
    hsm: &Hsm,
    db: &Database,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Arc<dyn EnteCertificatore>> {
    Ok(Arc::new(
        SimulatedEnteCertificatore::new(hsm.clone(), db.clone(), clock, &settings.ca.base_url)
            .context("ca.base_url (FIRMA_CA__BASE_URL)")?,
    ))
}

/// Issues a credential for `officer` through `ente`: a key generated in the HSM (wrapped), a
/// PKCS#10 request signed by it (proof of possession), the qualified certificate. Stores the
/// active credential (audited) and registers its certificate; returns it.
pub async fn issue_credential(
    ente: &dyn EnteCertificatore,
    hsm: &Hsm,
    db: &Database,
    clock: &dyn Clock,
    officer: &Ufficiale,
    spec: KeySpec,
    actor: &str,
) -> anyhow::Result<Credential> {
    let credential = certify_officer(ente, hsm, clock, officer, spec).await?;
    let event = AuditEvent::new(
        AuditKind::CredentialIssued,
        actor,
        format!("credential:{}", credential.id.0),
    )
    .with("officer", officer.id.0)
    .with("key_type", spec.name());
    db.insert_credential(&credential, &event, credential.created_at)
        .await?;
    let issued = crate::revocation::certificate_record(
        &credential.certificate_chain[0],
        firma_core::ports::IssuedKind::Officer,
        Some(credential.id),
    )?;
    db.register_issued(&[issued], credential.created_at).await?;
    Ok(credential)
}

/// Why [`certify_officer`] made no credential.
#[derive(Debug, thiserror::Error)]
pub enum CertificationError {
    /// The Ente Certificatore refused the request or is unavailable.
    #[error(transparent)]
    Ente(#[from] EnteCertificatoreError),
    /// Generating the key or signing the request in the HSM failed.
    #[error("generating the officer's key or signing the certification request: {0}")]
    KeyStore(#[from] firma_core::KeyStoreError),
    /// The request could not be built (the officer's data cannot go into a name).
    #[error("building the certification request: {0}")]
    Request(#[from] firma_ca::CaError),
    /// The Ente Certificatore answered with a chain that does not certify the key.
    #[error("the Ente Certificatore's answer is unusable: {0}")]
    InvalidChain(String),
}

/// The HSM and Ente Certificatore part of [`issue_credential`], storing nothing: a new key for
/// `officer` generated in the HSM (wrapped), a PKCS#10 request signed by it (proof of
/// possession, RFC 2986 section 3), sent with the officer's identity through the
/// [`EnteCertificatore`] port; the chain it returns must certify that key. Returns the
/// credential, active, for the caller to store (the onboarding approval stores it in the same
/// transaction as the approved richiesta; a credential not stored leaves only a wrapped blob to
/// forget).
pub async fn certify_officer(
    ente: &dyn EnteCertificatore,
    hsm: &Hsm,
    clock: &dyn Clock,
    officer: &Ufficiale,
    spec: KeySpec,
) -> Result<Credential, CertificationError> {
    let identity = OfficerIdentity {
        codice_fiscale: officer.codice_fiscale.clone(),
        given_name: officer.nome.clone(),
        surname: officer.cognome.clone(),
        organization: Some(format!("Comune {}", officer.comune)),
    };
    let name = OfficerSubject {
        codice_fiscale: identity.codice_fiscale.clone(),
        given_name: identity.given_name.clone(),
        surname: identity.surname.clone(),
        organization: identity.organization.clone(),
    }
    .distinguished_name()?;
    let now = clock.now();
    let (generated, csr) = hsm
        .blocking(move |h| {
            let generated = h.generate(spec, KeyPurpose::Officer)?;
            let key = h.activate(&generated.key)?;
            let csr = build_csr(
                key.as_ref(),
                &name,
                &generated.public_key,
                spec.default_algorithm(),
            );
            Ok((generated, csr))
        })
        .await?;
    let certified = async {
        let request = CertificationRequest {
            csr: csr?,
            public_key: generated.public_key.clone(),
            subject: identity,
        };
        let chain = ente.certify(&request).await?;
        let leaf = chain
            .leaf()
            .ok_or_else(|| CertificationError::InvalidChain("an empty certificate chain".into()))?;
        match firma_ca::certifies_key(leaf, &generated.public_key) {
            Ok(true) => Ok(chain),
            Ok(false) => Err(CertificationError::InvalidChain(
                "the certificate is for another public key than the one requested".into(),
            )),
            Err(e) => Err(CertificationError::InvalidChain(e.to_string())),
        }
    }
    .await;
    let chain = match certified {
        Ok(chain) => chain,
        Err(e) => {
            discard_key(hsm, &generated.key).await;
            return Err(e);
        }
    };
    Ok(Credential {
        id: CredentialId(uuid::Uuid::new_v4()),
        owner: officer.id,
        key: generated.key,
        public_key: generated.public_key,
        algorithm: spec.default_algorithm(),
        status: CredentialStatus::Active,
        certificate_chain: chain.0,
        created_at: now,
    })
}

/// Forgets the key of a credential that got no certificate: a wrapped key is only the blob in
/// memory (dropped by the caller); a token key (the fallback for key types the token cannot
/// wrap) is destroyed. Best effort: a failure is logged, the certification error is the one
/// reported.
async fn discard_key(hsm: &Hsm, key: &KeyRef) {
    if !matches!(key, KeyRef::Token { .. }) {
        return;
    }
    let key = key.clone();
    if let Err(e) = hsm.blocking(move |h| h.destroy(&key)).await {
        tracing::warn!(error = %e, "could not destroy the key of a credential that got no certificate");
    }
}

/// Issues a workstation's TLS client certificate (certificato di postazione) for the PKCS#10
/// request `csr_der` the workstation made with its own key; the subject comes from `workstation`,
/// not from the request. Audited. Returns the certificate and the issuing CA certificate (DER),
/// the chain a client presents in its TLS handshake.
pub async fn issue_workstation(
    settings: &Settings,
    hsm: &Hsm,
    db: &Database,
    clock: &dyn Clock,
    csr_der: Vec<u8>,
    workstation: WorkstationSubject,
    actor: &str,
) -> anyhow::Result<(IssuedCertificate, Vec<u8>)> {
    let (material, _) = material(db).await?;
    let profile = CaProfile::with_base_url(&settings.ca.base_url)?;
    let now = clock.now();
    let hsm2 = hsm.clone();
    let subject = workstation.clone();
    let issued = hsm
        .blocking(move |_| {
            let backend = |e: firma_ca::CaError| firma_core::KeyStoreError::Backend(e.to_string());
            let ca = CertificateAuthority::open(&hsm2, &material, profile).map_err(backend)?;
            let issued = ca
                .issue_workstation(&csr_der, &subject, now)
                .map_err(backend)?;
            Ok((issued, ca.issuing_certificate().to_vec()))
        })
        .await
        .context("issuing the workstation certificate")?;
    let event = AuditEvent::new(
        AuditKind::WorkstationCertificateIssued,
        actor,
        format!("workstation:{}", workstation.workstation_id),
    )
    .with("organization", &workstation.organization)
    .with("serial", issued.0.serial_hex())
    .with(
        "certificate_sha256",
        crate::tls::ClientCertificate::new(&issued.0.der).fingerprint(),
    );
    db.append(&[event], now).await?;
    let record = crate::revocation::certificate_record(
        &issued.0.der,
        firma_core::ports::IssuedKind::Workstation,
        None,
    )?;
    db.register_issued(&[record], now).await?;
    Ok(issued)
}

/// Time-stamp serial numbers: 128 random bits (no state to keep across restarts or instances).
struct RandomSerial;

impl SerialSource for RandomSerial {
    fn next_serial(&self) -> u128 {
        let mut b = [0u8; 16];
        // getrandom(2) does not fail on Linux once the pool is initialised; should it ever, the
        // all-zero buffer becomes serial 1, and clients see a duplicate serial rather than a
        // crash.
        let _ = getrandom::fill(&mut b);
        (u128::from_be_bytes(b) >> 1).max(1)
    }
}

/// The time-stamp client for B-T, as configured: the simulator's TSA (key in the HSM), an RFC 3161
/// TSA at a URL, or none.
pub async fn tsa_client(
    settings: &Settings,
    hsm: &Hsm,
    db: &Database,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Option<Arc<TsaClient>>> {
    let transport: Arc<dyn TimestampTransport> = match settings.tsa.mode {
        TsaMode::None => return Ok(None),
        TsaMode::Url => {
            let timeouts = firma_tsa_http::Timeouts {
                connect: std::time::Duration::from_secs(settings.tsa.timeout_seconds.clamp(1, 10)),
                total: std::time::Duration::from_secs(settings.tsa.timeout_seconds.max(1)),
            };
            Arc::new(
                firma_tsa_http::HttpTimestampTransport::new(&settings.tsa.url, timeouts)
                    .context("tsa.url (FIRMA_TSA__URL)")?,
            )
        }
        TsaMode::Simulator => {
            let Some(firma_core::ports::StoredCa {
                material,
                tsa_certificate: Some(tsa_cert),
            }) = db.ca_material().await?
            else {
                tracing::warn!(
                    "no simulator TSA yet (run `firma ca init`): B-T requests are refused"
                );
                return Ok(None);
            };
            let material: CaMaterial = serde_json::from_str(&material)?;
            let found = hsm
                .blocking(|h| {
                    let key = h.find_service_key(TSA_KEY_LABEL)?.ok_or_else(|| {
                        firma_core::KeyStoreError::KeyNotFound(format!(
                            "the simulator TSA key {TSA_KEY_LABEL:?} is not on the token"
                        ))
                    })?;
                    h.activate(&key.key)
                })
                .await?;
            let chain = SignerChain::from_der(
                &tsa_cert,
                [
                    material.issuing_certificate.clone(),
                    material.root_certificate.clone(),
                ],
            )?;
            let config = AuthorityConfig::new(
                firma_ca::oid::SIMULATOR_TSA_POLICY,
                KeySpec::EcP256.default_algorithm(),
            );
            Arc::new(TimestampAuthority::new(
                Arc::from(found),
                chain,
                Arc::new(RandomSerial),
                clock,
                config,
            ))
        }
    };
    Ok(Some(Arc::new(TsaClient::new(transport))))
}
