//! OCSP answers (RFC 6960) from the register: `good` for a certificate the CA issued and did not
//! revoke, `revoked` with the time and reason (`certificateHold` while suspended), `unknown` for
//! a serial the CA never issued or another issuer's `CertID`. Never fails: every problem is an
//! OCSP status (`malformedRequest`, `internalError`, `tryLater`; section 4.2.1), sent with HTTP
//! 200 as any OCSP response.

use std::collections::HashMap;

use firma_ca::ocsp::{OcspResponseStatus, parse_ocsp_request, respond_detailed};
use firma_ca::{CertStatusAnswer, RevocationReason};
use firma_core::RevocationStore;
use firma_core::ports::SerialStatus;

use super::{RevocationError, RevocationService};

/// A DER `OCSPResponse` and its status (for the log).
#[derive(Debug)]
pub struct OcspAnswer {
    pub der: Vec<u8>,
    pub status: OcspResponseStatus,
}

impl OcspAnswer {
    /// `OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED }`, without `responseBytes`.
    fn status_only(status: OcspResponseStatus) -> Self {
        Self {
            der: vec![0x30, 0x03, 0x0a, 0x01, status as u8],
            status,
        }
    }
}

impl RevocationService {
    /// Answers a DER `OCSPRequest` (at most `firma_ca::ocsp::MAX_OCSP_REQUEST_LEN` bytes are
    /// read; longer requests are `malformedRequest`).
    pub async fn ocsp(&self, request: &[u8]) -> OcspAnswer {
        let info = match parse_ocsp_request(request) {
            Ok(info) => info,
            Err(e) => {
                tracing::debug!(error = %e, "malformed OCSP request");
                return OcspAnswer::status_only(OcspResponseStatus::MalformedRequest);
            }
        };
        let authority = match self.authority().await {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(error = %e, "OCSP request while the CA cannot be opened");
                return OcspAnswer::status_only(match e {
                    RevocationError::NoCa => OcspResponseStatus::Unauthorized,
                    _ => OcspResponseStatus::TryLater,
                });
            }
        };
        let mut answers = HashMap::with_capacity(info.certificates.len());
        for certificate in &info.certificates {
            match self.status_of(&certificate.serial).await {
                Ok(answer) => {
                    answers.insert(certificate.serial.clone(), answer);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "OCSP lookup failed");
                    return OcspAnswer::status_only(OcspResponseStatus::TryLater);
                }
            }
        }
        let now = self.clock.now();
        let request = request.to_vec();
        let reply = tokio::task::spawn_blocking(move || {
            respond_detailed(
                &request,
                &authority.responder,
                |serial| {
                    answers
                        .get(serial)
                        .copied()
                        .unwrap_or(CertStatusAnswer::Unknown)
                },
                now,
            )
        })
        .await;
        match reply {
            Ok(reply) => {
                if let Some(problem) = &reply.problem {
                    tracing::warn!(status = reply.status.name(), error = %problem, "OCSP request not answered");
                }
                OcspAnswer {
                    der: reply.der,
                    status: reply.status,
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "the OCSP signing worker failed");
                OcspAnswer::status_only(OcspResponseStatus::InternalError)
            }
        }
    }

    /// The status of `serial` (magnitude) in the register; a serial missing from the register
    /// of issued certificates is looked up again after completing it from the credentials.
    async fn status_of(&self, serial: &[u8]) -> Result<CertStatusAnswer, RevocationError> {
        let mut status = self.db.serial_status(serial).await?;
        if status == SerialStatus::NotIssued && self.complete_register().await? > 0 {
            status = self.db.serial_status(serial).await?;
        }
        Ok(match status {
            SerialStatus::NotIssued => CertStatusAnswer::Unknown,
            SerialStatus::Good => CertStatusAnswer::Good,
            SerialStatus::Revoked(entry) => CertStatusAnswer::Revoked {
                revoked_at: entry.revoked_at,
                reason: RevocationReason::from_code(entry.reason),
            },
        })
    }
}
