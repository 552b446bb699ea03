//! Signing with sole control (SCAL2): ANSC core submits atti for an officer's credential, the
//! officer authorises the batch with one OTP, the service signs every document with the officer's
//! key in the HSM.
//!
//! - `create`: checks the officer's profiles against each atto, that every document can be signed,
//!   stores the request (idempotency key: a retried create returns the first request), starts the
//!   OTP challenge (SMS now, or the token's code expected).
//! - `authorize`: the officer's OTP, verified atomically; Signature Activation Data bound to the
//!   credential, the exact document hashes and their count, short-lived.
//! - the batch: the key is activated once (unwrapped in the HSM), each signature is made, then
//!   stored with its audit record in one transaction that also spends one use of the SAD. A
//!   signature that was made but not recorded (crash) simply does not exist; on restart the batch
//!   resumes with the documents still pending while the SAD is valid, or fails cleanly.

mod batch;
mod create;
mod error;
mod extend;
mod job;
pub mod validation;
mod view;

use std::sync::Arc;

use firma_ades::tsp::TsaClient;
use firma_core::otp::{OtpDevice, OtpOutcome};
use firma_core::{
    AuditEvent, AuditKind, Clock, Credential, DirectoryStore, KeyStore, Principal, RequestStatus,
    Role, Sad, SigningRequest, SigningRequestId, SigningStore, Ufficiale,
};
use firma_store::Database;
use time::Duration;

pub use create::{CreateOutcomeView, NewDocumentInput, NewRequest, OtpStart};
pub use error::SigningError;
pub(crate) use job::Job;
pub use view::{DocumentView, RequestView, SignedDocument};

use crate::otp::OtpService;

/// Limits and lifetimes of signing requests.
#[derive(Debug, Clone)]
pub struct SigningSettings {
    /// How long the officer has to authorise a request.
    pub request_ttl: Duration,
    /// How long Signature Activation Data stays valid after the OTP.
    pub sad_ttl: Duration,
    pub max_documents: usize,
    pub max_document_bytes: usize,
}

impl Default for SigningSettings {
    fn default() -> Self {
        Self {
            request_ttl: Duration::hours(24),
            sad_ttl: Duration::minutes(5),
            max_documents: 100,
            max_document_bytes: 16 * 1024 * 1024,
        }
    }
}

pub struct SigningService {
    db: Database,
    keys: Arc<dyn KeyStore>,
    otp: Arc<OtpService>,
    clock: Arc<dyn Clock>,
    tsa: Option<Arc<TsaClient>>,
    settings: SigningSettings,
    /// Fetches validation data (certificates, OCSP, CRLs) for B-LT and B-LTA.
    validation: Arc<dyn firma_ades::ltv::ValidationTransport>,
}

impl SigningService {
    pub fn new(
        db: Database,
        keys: Arc<dyn KeyStore>,
        otp: Arc<OtpService>,
        clock: Arc<dyn Clock>,
        tsa: Option<Arc<TsaClient>>,
        settings: SigningSettings,
    ) -> Self {
        Self {
            db,
            keys,
            otp,
            clock,
            tsa,
            settings,
            validation: Arc::new(firma_tsa_http::HttpValidationTransport::new(
                firma_tsa_http::Timeouts::default(),
            )),
        }
    }

    /// Uses `transport` for the validation data of B-LT and B-LTA (HTTP by default).
    pub fn with_validation(
        mut self,
        transport: Arc<dyn firma_ades::ltv::ValidationTransport>,
    ) -> Self {
        self.validation = transport;
        self
    }

    pub fn settings(&self) -> &SigningSettings {
        &self.settings
    }

    /// Whether B-T (a time-stamp from a TSA) can be produced.
    pub fn has_tsa(&self) -> bool {
        self.tsa.is_some()
    }

    /// The request, if `caller` may see it: ANSC core, or the officer whose credential it uses.
    pub async fn get(
        &self,
        caller: &Principal,
        id: SigningRequestId,
    ) -> Result<RequestView, SigningError> {
        let (request, credential, _) = self.load_visible(caller, id).await?;
        let request = self.expire_if_due(request).await?;
        let documents = self.db.documents(id).await?;
        Ok(RequestView::new(&request, &credential, &documents))
    }

    /// The signed bytes of document `index`.
    pub async fn signed_document(
        &self,
        caller: &Principal,
        id: SigningRequestId,
        index: u32,
    ) -> Result<SignedDocument, SigningError> {
        self.load_visible(caller, id).await?;
        let documents = self.db.documents(id).await?;
        let doc =
            documents
                .iter()
                .find(|d| d.index == index)
                .ok_or_else(|| SigningError::NotFound {
                    what: "document",
                    id: format!("{id}/{index}"),
                })?;
        let bytes = self.db.document_output(id, index).await?.ok_or_else(|| {
            SigningError::conflict(
                "document_not_signed",
                format!("document {index} of request {id} is not signed (yet)"),
            )
        })?;
        Ok(SignedDocument::new(doc, bytes))
    }

    /// The officer authorises the request with an OTP; signing starts in the background.
    pub async fn authorize(
        self: &Arc<Self>,
        caller: &Principal,
        id: SigningRequestId,
        code: &str,
    ) -> Result<RequestView, SigningError> {
        let (request, credential, officer) = self.load_visible(caller, id).await?;
        if !caller.signs_as(credential.owner) {
            return Err(self
                .deny(
                    caller,
                    &format!("request:{id}"),
                    "only the officer who owns the credential can authorise its signatures",
                )
                .await);
        }
        let request = self.expire_if_due(request).await?;
        if request.status != RequestStatus::AwaitingAuthorization {
            return Err(SigningError::conflict(
                "request_not_awaiting_authorization",
                format!(
                    "the request is {}, not awaiting authorisation",
                    request.status.code()
                ),
            ));
        }
        // Revoked or suspended since the request was created: refused before the OTP is used.
        if let Some(refusal) = crate::revocation::refusal(&self.db, &credential).await? {
            return Err(SigningError::conflict("credential_not_active", refusal));
        }
        let device = officer_device(&officer.1, &officer.0)?;
        let outcome = self
            .otp
            .verify(&device, code, &id.to_string(), &caller.actor())
            .await?;
        match outcome {
            OtpOutcome::Accepted => {}
            OtpOutcome::Rejected {
                cause,
                attempts_left,
            } => {
                return Err(SigningError::OtpRejected {
                    cause: cause.code(),
                    attempts_left,
                });
            }
            OtpOutcome::Locked => return Err(SigningError::OtpLocked),
        }
        let documents = self.db.documents(id).await?;
        let now = self.clock.now();
        let sad = Sad {
            id: uuid::Uuid::new_v4().to_string(),
            credential: credential.id,
            hashes: documents.iter().map(|d| d.digest).collect(),
            remaining: documents.len() as u32,
            expires_at: now + self.settings.sad_ttl,
        };
        let event = AuditEvent::new(
            AuditKind::SigningAuthorized,
            caller.actor(),
            format!("request:{id}"),
        )
        .with("credential", credential.id.0)
        .with("documents", documents.len())
        .with("sad_expires_at", sad.expires_at);
        if !self
            .db
            .authorize_request(id, &sad, &id.to_string(), &[event], now)
            .await?
        {
            return Err(SigningError::conflict(
                "request_not_awaiting_authorization",
                "the request changed while it was being authorised",
            ));
        }
        self.spawn_batch(id);
        self.get(caller, id).await
    }

    /// Cancels a request that is not finished: ANSC core or the officer.
    pub async fn cancel(
        &self,
        caller: &Principal,
        id: SigningRequestId,
    ) -> Result<RequestView, SigningError> {
        self.load_visible(caller, id).await?;
        let event = AuditEvent::new(
            AuditKind::SigningRequestCancelled,
            caller.actor(),
            format!("request:{id}"),
        );
        if !self
            .db
            .finish_request(
                id,
                RequestStatus::Cancelled,
                None,
                &[event],
                self.clock.now(),
            )
            .await?
        {
            return Err(SigningError::conflict(
                "request_final",
                "the request is already finished and cannot be cancelled",
            ));
        }
        self.get(caller, id).await
    }

    /// Sends a new SMS code for the request (the officer, or ANSC core on their behalf).
    pub async fn resend_otp(
        &self,
        caller: &Principal,
        id: SigningRequestId,
    ) -> Result<crate::otp::SentCode, SigningError> {
        let (request, _, officer) = self.load_visible(caller, id).await?;
        if request.status != RequestStatus::AwaitingAuthorization {
            return Err(SigningError::conflict(
                "request_not_awaiting_authorization",
                "codes are sent only while the request awaits authorisation",
            ));
        }
        match officer_device(&officer.1, &officer.0)? {
            OtpDevice::Sms { owner } => Ok(self
                .otp
                .send_sms_code(
                    &owner,
                    &id.to_string(),
                    &what(request.documents),
                    &caller.actor(),
                )
                .await?),
            OtpDevice::Token { .. } => Err(SigningError::conflict(
                "otp_by_token",
                "this officer authorises with a hardware token: no code is sent",
            )),
        }
    }

    /// Resumes the batches that were signing when the service stopped.
    pub async fn resume(self: &Arc<Self>) -> Result<usize, SigningError> {
        let pending = self.db.requests_in(RequestStatus::Signing).await?;
        for r in &pending {
            tracing::info!(request = %r.id, "resuming an interrupted signing batch");
            self.spawn_batch(r.id);
        }
        Ok(pending.len())
    }

    fn spawn_batch(self: &Arc<Self>, id: SigningRequestId) {
        let service = self.clone();
        tokio::spawn(async move {
            if let Err(e) = service.run_batch(id).await {
                tracing::error!(request = %id, error = %e, "signing batch failed");
            }
        });
    }

    /// Loads a request with its credential and officer, if `caller` may see it.
    async fn load_visible(
        &self,
        caller: &Principal,
        id: SigningRequestId,
    ) -> Result<(SigningRequest, Credential, (Ufficiale, Option<OtpDevice>)), SigningError> {
        let not_found = || SigningError::NotFound {
            what: "signing request",
            id: id.to_string(),
        };
        let request = self.db.request(id).await?.ok_or_else(not_found)?;
        let credential = self
            .db
            .credential(request.credential)
            .await?
            .ok_or_else(|| SigningError::Internal(format!("request {id} has no credential")))?;
        // The officer, or the Prefettura operator signing their own receipts of chiavette.
        let visible = caller.role == Role::AnscCore || caller.signs_as(credential.owner);
        if !visible {
            // Same answer as for a request that does not exist: no probing of other officers'
            // requests; the attempt is audited.
            self.deny(
                caller,
                &format!("request:{id}"),
                "not the officer of this request",
            )
            .await;
            return Err(not_found());
        }
        let officer = self.db.ufficiale(credential.owner).await?.ok_or_else(|| {
            SigningError::Internal(format!("credential {} has no officer", credential.id.0))
        })?;
        Ok((request, credential, officer))
    }

    /// Marks a request not authorised in time as expired.
    async fn expire_if_due(&self, request: SigningRequest) -> Result<SigningRequest, SigningError> {
        let now = self.clock.now();
        if request.status == RequestStatus::AwaitingAuthorization && now >= request.expires_at {
            let event = AuditEvent::new(
                AuditKind::SigningRequestFailed,
                "system",
                format!("request:{}", request.id),
            )
            .with("reason", "not authorised in time");
            self.db
                .finish_request(
                    request.id,
                    RequestStatus::Expired,
                    Some("not authorised in time"),
                    &[event],
                    now,
                )
                .await?;
            return Ok(SigningRequest {
                status: RequestStatus::Expired,
                failure: Some("not authorised in time".to_owned()),
                ..request
            });
        }
        Ok(request)
    }

    async fn deny(&self, caller: &Principal, subject: &str, reason: &str) -> SigningError {
        crate::auth::audit_refusal(&self.db, self.clock.as_ref(), caller, subject, reason).await;
        SigningError::Forbidden(reason.to_owned())
    }
}

/// The officer's OTP device, or a clear error when none is configured.
fn officer_device(
    device: &Option<OtpDevice>,
    officer: &Ufficiale,
) -> Result<OtpDevice, SigningError> {
    device.clone().ok_or_else(|| {
        SigningError::conflict(
            "otp_device_missing",
            format!(
                "officer {} has no OTP device (SMS phone or hardware token) to authorise with",
                officer.codice_fiscale
            ),
        )
    })
}

/// "la firma di N atti", for the SMS text.
fn what(documents: u32) -> String {
    if documents == 1 {
        "la firma di 1 atto".to_owned()
    } else {
        format!("la firma di {documents} atti")
    }
}
