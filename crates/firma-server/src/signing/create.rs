//! Creating a signing request: every check before anything is stored.

use std::sync::Arc;

use firma_ades::pades::{self, SignatureDetails};
use firma_core::otp::OtpDevice;
use firma_core::{
    AuditEvent, AuditKind, CreateOutcome, CredentialId, CredentialStatus, DirectoryStore,
    DocumentFormat, DocumentStatus, NewDocument, Principal, RequestDocument, RequestStatus, Role,
    SignatureLevel, SigningRequest, SigningRequestId, SigningStore, TipoAtto,
};
use sha2::{Digest, Sha256};

use super::view::RequestView;
use super::{SigningError, SigningService, officer_device, what};

/// A document as submitted, already decoded from base64.
#[derive(Debug, Clone)]
pub struct NewDocumentInput {
    pub name: String,
    pub atto: TipoAtto,
    pub format: DocumentFormat,
    pub level: SignatureLevel,
    /// The bytes (for `digest`: the 32-byte SHA-256 digest).
    pub content: Vec<u8>,
}

/// A request as submitted.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub credential: CredentialId,
    pub documents: Vec<NewDocumentInput>,
    /// SHA-256 of the body as received, to tell a retry from a different request.
    pub body_hash: [u8; 32],
    pub idempotency_key: Option<String>,
}

/// The created (or, for a retried create, the existing) request.
pub struct CreateOutcomeView {
    pub created: bool,
    pub request: RequestView,
    /// What happened with the OTP challenge (for SMS: sent, or why not).
    pub otp: OtpStart,
}

/// How the officer will authorise.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OtpStart {
    pub method: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl SigningService {
    /// ANSC core submits atti dello stato civile for an officer's credential.
    pub async fn create(
        self: &Arc<Self>,
        caller: &Principal,
        input: NewRequest,
    ) -> Result<CreateOutcomeView, SigningError> {
        if caller.role != Role::AnscCore {
            return Err(self
                .deny(
                    caller,
                    "signing-requests",
                    "only ANSC core submits signing requests",
                )
                .await);
        }
        if let Some(index) = input
            .documents
            .iter()
            .position(|d| !TipoAtto::ATTI_STATO_CIVILE.contains(&d.atto))
        {
            return Err(SigningError::invalid(
                "atto_riservato",
                format!(
                    "document {index} is a {}: the service makes those itself (receipts of the \
                     Prefetture's deliveries of chiavette), they are not submitted",
                    input.documents[index].atto.code()
                ),
            ));
        }
        let sms_what = what(input.documents.len() as u32);
        self.submit(caller, input, &sms_what).await
    }

    /// Creates a request on behalf of `caller`, who is allowed to (ANSC core, or the service
    /// itself for a Prefettura operator's receipt): the same checks and the same OTP challenge.
    /// `sms_what` completes the SMS text "il codice ... autorizza {sms_what}".
    pub(crate) async fn submit(
        self: &Arc<Self>,
        caller: &Principal,
        input: NewRequest,
        sms_what: &str,
    ) -> Result<CreateOutcomeView, SigningError> {
        if input.documents.is_empty() {
            return Err(SigningError::invalid(
                "no_documents",
                "a request needs at least one document",
            ));
        }
        if input.documents.len() > self.settings.max_documents {
            return Err(SigningError::invalid(
                "too_many_documents",
                format!(
                    "{} documents; at most {} per request",
                    input.documents.len(),
                    self.settings.max_documents
                ),
            ));
        }
        if let Some(key) = &input.idempotency_key
            && (key.is_empty() || key.len() > 200)
        {
            return Err(SigningError::invalid(
                "invalid_idempotency_key",
                "the Idempotency-Key header must be 1 to 200 characters",
            ));
        }
        let credential =
            self.db
                .credential(input.credential)
                .await?
                .ok_or_else(|| SigningError::NotFound {
                    what: "credential",
                    id: input.credential.0.to_string(),
                })?;
        if credential.status != CredentialStatus::Active || credential.certificate_chain.is_empty()
        {
            return Err(SigningError::conflict(
                "credential_not_active",
                format!(
                    "the credential is {}, it cannot sign",
                    credential.status.code()
                ),
            ));
        }
        let (officer, device) = self.db.ufficiale(credential.owner).await?.ok_or_else(|| {
            SigningError::conflict(
                "officer_removed",
                "the credential's officer is no longer registered",
            )
        })?;
        let device = officer_device(&device, &officer)?;

        let now = self.clock.now();
        let mut documents = Vec::with_capacity(input.documents.len());
        for (i, d) in input.documents.into_iter().enumerate() {
            let index = i as u32;
            if !officer.puo_firmare(d.atto) {
                return Err(SigningError::invalid(
                    "profile_missing",
                    format!(
                        "document {index} is an atto di {}: the officer lacks the profile \"{}\"",
                        d.atto.code(),
                        d.atto.profilo_richiesto().label()
                    ),
                ));
            }
            if d.level.needs_timestamp() && self.tsa.is_none() {
                return Err(SigningError::invalid(
                    "level_unavailable",
                    format!(
                        "document {index} asks for {}, but no time-stamp authority is configured (tsa.url)",
                        d.level.code()
                    ),
                ));
            }
            if d.level == SignatureLevel::BLta && d.format != DocumentFormat::Pades {
                return Err(SigningError::invalid(
                    "level_unavailable",
                    format!(
                        "document {index} asks for B-LTA in {}: B-LTA is offered for PAdES only (CAdES: up to B-LT)",
                        d.format.code()
                    ),
                ));
            }
            let digest: [u8; 32] = match d.format {
                DocumentFormat::Digest => d.content.as_slice().try_into().map_err(|_| {
                    SigningError::invalid(
                        "invalid_digest",
                        format!("document {index}: a digest is the 32 bytes of a SHA-256 hash, got {} bytes", d.content.len()),
                    )
                })?,
                _ => {
                    if d.content.len() > self.settings.max_document_bytes {
                        return Err(SigningError::invalid(
                            "document_too_large",
                            format!(
                                "document {index} has {} bytes; at most {}",
                                d.content.len(),
                                self.settings.max_document_bytes
                            ),
                        ));
                    }
                    if d.content.is_empty() {
                        return Err(SigningError::invalid("empty_document", format!("document {index} is empty")));
                    }
                    Sha256::digest(&d.content).into()
                }
            };
            if d.format == DocumentFormat::Pades {
                check_pdf(index, &d.content)?;
            }
            documents.push(NewDocument {
                document: RequestDocument {
                    index,
                    name: d.name,
                    atto: d.atto,
                    format: d.format,
                    level: d.level,
                    digest,
                    status: DocumentStatus::Pending,
                    signed_at: None,
                },
                input: d.content,
            });
        }

        let id = SigningRequestId(uuid::Uuid::new_v4());
        let request = SigningRequest {
            id,
            credential: credential.id,
            created_by: caller.actor(),
            idempotency_key: input.idempotency_key,
            body_hash: input.body_hash,
            status: RequestStatus::AwaitingAuthorization,
            failure: None,
            documents: documents.len() as u32,
            created_at: now,
            expires_at: now + self.settings.request_ttl,
        };
        let event = AuditEvent::new(
            AuditKind::SigningRequestCreated,
            caller.actor(),
            format!("request:{id}"),
        )
        .with("credential", credential.id.0)
        .with("officer", officer.id.0)
        .with("documents", documents.len())
        .with(
            "atti",
            documents
                .iter()
                .map(|d| d.document.atto.code())
                .collect::<Vec<_>>()
                .join(","),
        );
        match self
            .db
            .create_request(&request, &documents, &[event], now)
            .await?
        {
            CreateOutcome::Created => {}
            CreateOutcome::Existing {
                id,
                same_body: true,
            } => {
                let request = self.get(caller, id).await?;
                return Ok(CreateOutcomeView {
                    created: false,
                    otp: OtpStart {
                        method: device_method(&device),
                        sent: None,
                        expires_at: None,
                        error: None,
                    },
                    request,
                });
            }
            CreateOutcome::Existing { .. } => {
                return Err(SigningError::conflict(
                    "idempotency_key_reused",
                    "this Idempotency-Key was already used for a different request",
                ));
            }
        }

        let otp = match &device {
            OtpDevice::Token { .. } => OtpStart {
                method: "token",
                sent: None,
                expires_at: None,
                error: None,
            },
            OtpDevice::Sms { owner } => {
                match self
                    .otp
                    .send_sms_code(owner, &id.to_string(), sms_what, &caller.actor())
                    .await
                {
                    Ok(sent) => OtpStart {
                        method: "sms",
                        sent: Some(true),
                        expires_at: sent
                            .expires_at
                            .format(&time::format_description::well_known::Rfc3339)
                            .ok(),
                        error: None,
                    },
                    // The request exists; the officer can ask for the code again.
                    Err(e) => OtpStart {
                        method: "sms",
                        sent: Some(false),
                        expires_at: None,
                        error: Some(e.to_string()),
                    },
                }
            }
        };
        let request = self.get(caller, id).await?;
        Ok(CreateOutcomeView {
            created: true,
            request,
            otp,
        })
    }
}

fn device_method(device: &OtpDevice) -> &'static str {
    match device {
        OtpDevice::Token { .. } => "token",
        OtpDevice::Sms { .. } => "sms",
    }
}

/// Refuses, before storing, a PDF that cannot be signed safely (not a PDF, damaged, encrypted,
/// certified with no changes allowed, ...): the same checks signing will make.
fn check_pdf(index: u32, pdf: &[u8]) -> Result<(), SigningError> {
    let details = SignatureDetails::new(time::OffsetDateTime::UNIX_EPOCH);
    pades::prepare(pdf, &details, 16 * 1024)
        .map(|_| ())
        .map_err(|e| {
            SigningError::invalid(
                "pdf_refused",
                format!("document {index} cannot be signed as PAdES: {e}"),
            )
        })
}
