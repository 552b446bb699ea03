//! Extension of signed PDFs, ours or another producer's, to PAdES B-LT (validation data in a
//! DSS) or B-LTA (then a document time-stamp), ETSI EN 319 142-1 clauses 6.5 and 6.6; a B-LTA
//! document gets its previous time-stamp's validation data and a new archive time-stamp. No
//! key is used: only the time-stamp authority and the responders the certificates name.

use std::sync::Arc;

use firma_ades::pades::{self, LtvOptions, PadesError, PadesLevel};
use firma_core::{AuditEvent, AuditKind, Principal, Role, SignatureLevel};
use sha2::{Digest, Sha256};

use super::{SigningError, SigningService};

impl SigningService {
    /// Extends `pdf` to `level` (B-LT or B-LTA) for ANSC core. Validation data that cannot
    /// be had is `validation_data_unavailable`; nothing lower is returned.
    pub async fn extend_pades(
        self: &Arc<Self>,
        caller: &Principal,
        pdf: Vec<u8>,
        level: SignatureLevel,
    ) -> Result<Vec<u8>, SigningError> {
        if caller.role != Role::AnscCore {
            return Err(self
                .deny(
                    caller,
                    "pades-extensions",
                    "only ANSC core extends signatures",
                )
                .await);
        }
        let target = match level {
            SignatureLevel::BLt => PadesLevel::BLt,
            SignatureLevel::BLta => PadesLevel::BLta,
            other => {
                return Err(SigningError::invalid(
                    "invalid_level",
                    format!(
                        "{} is not an extension level: use B-LT or B-LTA",
                        other.code()
                    ),
                ));
            }
        };
        if target == PadesLevel::BLta && self.tsa.is_none() {
            return Err(SigningError::invalid(
                "level_unavailable",
                "B-LTA needs a time-stamp authority, and none is configured (tsa.url)",
            ));
        }
        if pdf.len() > self.settings.max_document_bytes {
            return Err(SigningError::invalid(
                "document_too_large",
                format!(
                    "the document is {} bytes, more than the {} accepted",
                    pdf.len(),
                    self.settings.max_document_bytes
                ),
            ));
        }
        let (tsa, validation, now) = (self.tsa.clone(), self.validation.clone(), self.clock.now());
        let input_hash = hex(&Sha256::digest(&pdf));
        let out = tokio::task::spawn_blocking(move || {
            let options = LtvOptions {
                transport: validation.as_ref(),
                timestamper: tsa.as_deref(),
                now,
                // Signatures carry their chains, or name where their issuers are published.
                issuers: &[],
            };
            pades::extend(&pdf, target, &options)
        })
        .await
        .map_err(|e| SigningError::Internal(format!("extension worker failed: {e}")))?;
        let out = out.map_err(|e| match e {
            PadesError::Ltv(_) | PadesError::Timestamp(_) => {
                SigningError::invalid("validation_data_unavailable", e.to_string())
            }
            other => SigningError::invalid("document_not_extensible", other.to_string()),
        })?;
        let event = AuditEvent::new(
            AuditKind::SignatureCreated,
            caller.actor(),
            "pades-extension",
        )
        .with("level", level.code())
        .with("input_sha256", &input_hash)
        .with("output_sha256", hex(&Sha256::digest(&out)));
        firma_core::AuditLog::append(&self.db, &[event], self.clock.now()).await?;
        Ok(out)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
