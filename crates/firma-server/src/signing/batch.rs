//! Signing an authorised batch: activate the key once, sign each pending document, record each
//! signature with its audit record while spending the SAD, in one transaction per document.

use std::sync::Arc;

use firma_ades::cms::SignerChain;
use firma_ades::ltv::ValidationTransport;
use firma_ades::tsp::TsaClient;
use firma_core::{
    ActiveKey, AuditEvent, AuditKind, DirectoryStore, DocumentStatus, KeyStoreError, RecordOutcome,
    RequestDocument, RequestStatus, SigningRequestId, SigningStore,
};

use super::{Job, SigningError, SigningService};

impl SigningService {
    pub(super) async fn run_batch(
        self: Arc<Self>,
        id: SigningRequestId,
    ) -> Result<(), SigningError> {
        let Some(request) = self.db.request(id).await? else {
            return Ok(());
        };
        if request.status != RequestStatus::Signing {
            return Ok(());
        }
        let credential = self
            .db
            .credential(request.credential)
            .await?
            .ok_or_else(|| SigningError::Internal(format!("request {id} has no credential")))?;
        let Some(sad) = self.db.sad_for(&id.to_string()).await? else {
            return self.fail(id, "no authorisation found for the batch").await;
        };
        if let Some(refusal) = crate::revocation::refusal(&self.db, &credential).await? {
            return self
                .fail(
                    id,
                    &format!("{refusal}: the remaining documents were not signed"),
                )
                .await;
        }
        let pending: Vec<RequestDocument> = self
            .db
            .documents(id)
            .await?
            .into_iter()
            .filter(|d| d.status == DocumentStatus::Pending)
            .collect();
        let now = self.clock.now();
        if now >= sad.expires_at {
            return self
                .fail(id, "the authorisation expired before the batch was finished; submit the remaining documents again")
                .await;
        }
        let chain = match SignerChain::from_der(
            credential
                .certificate_chain
                .first()
                .map(Vec::as_slice)
                .unwrap_or_default(),
            credential.certificate_chain.iter().skip(1),
        ) {
            Ok(c) => Arc::new(c),
            Err(e) => {
                return self
                    .fail(
                        id,
                        &format!("the credential's certificate chain is unusable: {e}"),
                    )
                    .await;
            }
        };
        let keys = self.keys.clone();
        let key_ref = credential.key.clone();
        let key: Arc<dyn ActiveKey> =
            match tokio::task::spawn_blocking(move || keys.activate(&key_ref))
                .await
                .map_err(|e| SigningError::Internal(format!("HSM worker failed: {e}")))?
            {
                Ok(k) => Arc::from(k),
                Err(KeyStoreError::Unavailable(e)) => {
                    // Leave the request signing: a restart or the next resume retries.
                    return Err(SigningError::KeyStore(KeyStoreError::Unavailable(e)));
                }
                Err(e) => {
                    return self
                        .fail(id, &format!("the credential's key cannot be used: {e}"))
                        .await;
                }
            };
        let credential = Arc::new(credential);
        for (n, doc) in pending.into_iter().enumerate() {
            // Revoked or suspended meanwhile: the batch stops before the next signature.
            if let Some(refusal) =
                crate::revocation::current_refusal(&self.db, credential.id).await?
            {
                return self
                    .fail(
                        id,
                        &format!("{refusal}: signing stopped before document {}", doc.index),
                    )
                    .await;
            }
            if let Err(refused) = sad.allows(credential.id, &doc.digest, self.clock.now()) {
                return self
                    .fail(id, &format!("document {}: {refused}", doc.index))
                    .await;
            }
            let Some(input) = self.db.document_input(id, doc.index).await? else {
                return self
                    .fail(id, &format!("document {} has no content", doc.index))
                    .await;
            };
            let signing_time = self.clock.now();
            let job = Job {
                key: key.clone(),
                chain: chain.clone(),
                credential: credential.clone(),
                tsa: self.tsa.clone(),
                // The first signature of a batch is checked against the certificate (a key that
                // does not match it is caught before anything leaves); the rest skip the check.
                self_check: n == 0,
                format: doc.format,
                level: doc.level,
                signing_time,
                validation: Some(self.validation.clone()),
            };
            let output = tokio::task::spawn_blocking(move || job.sign(&input))
                .await
                .map_err(|e| SigningError::Internal(format!("signing worker failed: {e}")))?;
            let output = match output {
                Ok(o) => o,
                Err(e) => return self.fail(id, &format!("document {}: {e}", doc.index)).await,
            };
            let at = self.clock.now();
            let event = AuditEvent::new(
                AuditKind::SignatureCreated,
                format!("ufficiale:{}", credential.owner.0),
                format!("request:{id}"),
            )
            .with("document", doc.index)
            .with("atto", doc.atto.code())
            .with("format", doc.format.code())
            .with("level", doc.level.code())
            .with("credential", credential.id.0)
            .with("document_sha256", hex(&doc.digest))
            .with("sad", &sad.id);
            match self
                .db
                .record_signature(&sad.id, Some((id, doc.index, &output)), &[event], at)
                .await?
            {
                RecordOutcome::Recorded { request_completed } => {
                    if request_completed {
                        let done = AuditEvent::new(
                            AuditKind::SigningRequestCompleted,
                            "system",
                            format!("request:{id}"),
                        );
                        firma_core::AuditLog::append(&self.db, &[done], at).await?;
                        tracing::info!(request = %id, "signing request completed");
                    }
                }
                RecordOutcome::AlreadySigned => continue,
                RecordOutcome::SadRefused => {
                    // A revocation spends the SAD: say so rather than "used up".
                    if let Some(refusal) =
                        crate::revocation::current_refusal(&self.db, credential.id).await?
                    {
                        return self
                            .fail(
                                id,
                                &format!("{refusal}: signing stopped at document {}", doc.index),
                            )
                            .await;
                    }
                    return self
                        .fail(id, "the authorisation expired or was used up before the batch was finished")
                        .await;
                }
            }
        }
        Ok(())
    }

    async fn fail(&self, id: SigningRequestId, reason: &str) -> Result<(), SigningError> {
        tracing::warn!(request = %id, reason, "signing request failed");
        let event = AuditEvent::new(
            AuditKind::SigningRequestFailed,
            "system",
            format!("request:{id}"),
        )
        .with("reason", reason);
        self.db
            .finish_request(
                id,
                RequestStatus::Failed,
                Some(reason),
                &[event],
                self.clock.now(),
            )
            .await?;
        Ok(())
    }
}

impl SigningService {
    /// The time-stamping authority for B-T, if one is configured (the CSC API signs with it too).
    pub(crate) fn tsa(&self) -> Option<Arc<TsaClient>> {
        self.tsa.clone()
    }

    /// The transport of validation data for B-LT and B-LTA.
    pub(crate) fn validation(&self) -> Arc<dyn ValidationTransport> {
        self.validation.clone()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
