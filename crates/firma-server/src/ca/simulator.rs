//! The Ente Certificatore simulator behind the [`EnteCertificatore`] port: the CA of `firma-ca`
//! with its keys in this service's HSM, its material in the database (`firma ca init`).

use std::sync::Arc;

use firma_ca::{CaError, CaMaterial, CaProfile, CertificateAuthority, OfficerSubject, verify_csr};
use firma_core::ports::{
    BoxFuture, CertificateChain, CertificationRequest, EnteCertificatore, EnteCertificatoreError,
};
use firma_core::{Clock, DirectoryStore};
use firma_hsm::Hsm;
use firma_store::Database;

/// The simulator: issues officers' qualified certificates (AgID profile) under the issuing CA
/// created by `firma ca init`, with URLs under `ca.base_url`.
pub struct SimulatedEnteCertificatore {
    hsm: Hsm,
    db: Database,
    clock: Arc<dyn Clock>,
    profile: CaProfile,
}

impl SimulatedEnteCertificatore {
    /// `ca_base_url` is `ca.base_url`: where the certificates say the CRL, OCSP and issuer are.
    pub fn new(
        hsm: Hsm,
        db: Database,
        clock: Arc<dyn Clock>,
        ca_base_url: &str,
    ) -> Result<Self, CaError> {
        Ok(Self {
            hsm,
            db,
            clock,
            profile: CaProfile::with_base_url(ca_base_url)?,
        })
    }

    async fn issue(
        &self,
        request: &CertificationRequest,
    ) -> Result<CertificateChain, EnteCertificatoreError> {
        // Proof of possession (RFC 2986 section 3) and the expected key, before anything else.
        let csr = verify_csr(&request.csr).map_err(classify)?;
        csr.require_key(&request.public_key).map_err(classify)?;
        let id = &request.subject;
        let subject = OfficerSubject {
            codice_fiscale: id.codice_fiscale.clone(),
            given_name: id.given_name.clone(),
            surname: id.surname.clone(),
            organization: id.organization.clone(),
        };
        subject.distinguished_name().map_err(classify)?;

        let stored = self
            .db
            .ca_material()
            .await
            .map_err(|e| unavailable(format!("reading the CA material: {e}")))?
            .ok_or_else(|| {
                unavailable(
                    "no certificate authority yet: run `firma ca init` (before starting the \
                     service)",
                )
            })?;
        let material: CaMaterial = serde_json::from_str(&stored.material)
            .map_err(|e| unavailable(format!("the stored CA material: {e}")))?;
        let now = self.clock.now();
        let profile = self.profile.clone();
        let csr_der = request.csr.clone();
        let key = request.public_key.clone();
        self.hsm
            .blocking(move |h| {
                Ok((|| {
                    let ca = CertificateAuthority::open(h, &material, profile)?;
                    let issued = ca.issue_officer(&csr_der, &key, &subject, now)?;
                    Ok(CertificateChain(vec![
                        issued.der,
                        ca.issuing_certificate().to_vec(),
                        ca.root_certificate().to_vec(),
                    ]))
                })()
                .map_err(classify))
            })
            .await
            .map_err(|e| unavailable(format!("the CA's HSM: {e}")))?
    }
}

impl EnteCertificatore for SimulatedEnteCertificatore {
    fn certify<'a>(
        &'a self,
        request: &'a CertificationRequest,
    ) -> BoxFuture<'a, Result<CertificateChain, EnteCertificatoreError>> {
        Box::pin(self.issue(request))
    }
}

fn unavailable(message: impl Into<String>) -> EnteCertificatoreError {
    EnteCertificatoreError::Unavailable(message.into())
}

/// What the request got wrong is a refusal; what the CA cannot do now is unavailability.
fn classify(e: CaError) -> EnteCertificatoreError {
    match e {
        CaError::CsrTooLarge { .. }
        | CaError::CsrMalformed(_)
        | CaError::CsrSignatureInvalid(_)
        | CaError::CsrKeyMismatch
        | CaError::UnsupportedKey(_)
        | CaError::UnsupportedAlgorithm(_)
        | CaError::InvalidSubject { .. } => EnteCertificatoreError::Refused(e.to_string()),
        other => EnteCertificatoreError::Unavailable(other.to_string()),
    }
}
