//! One document signed on a blocking thread, in the format and at the level asked: PAdES
//! (B-B to B-LTA, ETSI EN 319 142-1), CAdES attached/detached or a bare digest (B-B to B-LT, EN
//! 319 122-1). Failures carry a stable code.

use std::io::Cursor;
use std::sync::Arc;

use firma_ades::cades;
use firma_ades::cms::{CmsOptions, SignerChain, sign_detached_digest};
use firma_ades::ltv::ValidationTransport;
use firma_ades::pades::{self, PadesOptions};
use firma_ades::tsp::TsaClient;
use firma_core::{ActiveKey, Credential, DocumentFormat, SignatureLevel};
use time::OffsetDateTime;

/// Everything a blocking signer thread needs for one document. Shared with the CSC API's
/// `signatures/signDoc`, which produces the same formats.
pub(crate) struct Job {
    pub(crate) key: Arc<dyn ActiveKey>,
    pub(crate) chain: Arc<SignerChain>,
    /// Its `algorithm` is the signature scheme used.
    pub(crate) credential: Arc<Credential>,
    pub(crate) tsa: Option<Arc<TsaClient>>,
    pub(crate) self_check: bool,
    pub(crate) format: DocumentFormat,
    pub(crate) level: SignatureLevel,
    pub(crate) signing_time: OffsetDateTime,
    /// Fetches validation data for B-LT and B-LTA.
    pub(crate) validation: Option<Arc<dyn ValidationTransport>>,
}

/// Why one document could not be signed: a stable code and a message.
#[derive(Debug)]
pub(crate) struct JobError {
    /// `validation_data_unavailable` (B-LT/B-LTA without validation data: nothing lower is
    /// produced instead), `level_unavailable`, or `document_not_signable`.
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

impl std::fmt::Display for JobError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl JobError {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    fn not_signable(e: impl std::fmt::Display) -> Self {
        Self::new("document_not_signable", e.to_string())
    }
}

impl From<pades::PadesError> for JobError {
    fn from(e: pades::PadesError) -> Self {
        match e {
            pades::PadesError::Ltv(_) | pades::PadesError::Timestamp(_) => {
                Self::new("validation_data_unavailable", e.to_string())
            }
            other => Self::not_signable(other),
        }
    }
}

impl Job {
    pub(crate) fn sign(&self, input: &[u8]) -> Result<Vec<u8>, JobError> {
        let algorithm = self.credential.algorithm;
        let tsa = if self.level.needs_timestamp() {
            Some(self.tsa.as_deref().ok_or_else(|| {
                JobError::new(
                    "level_unavailable",
                    format!(
                        "{} asked but no time-stamp authority is configured",
                        self.level.code()
                    ),
                )
            })?)
        } else {
            None
        };
        let cms = CmsOptions {
            signing_time: Some(self.signing_time),
            timestamper: tsa,
            skip_self_check: !self.self_check,
        };
        let key = self.key.as_ref();
        if self.level == SignatureLevel::BLta && self.format != DocumentFormat::Pades {
            return Err(JobError::new(
                "level_unavailable",
                "B-LTA is offered for PAdES only (CAdES: up to B-LT)",
            ));
        }
        let validation = || {
            self.validation.as_deref().ok_or_else(|| {
                JobError::new(
                    "validation_data_unavailable",
                    "no transport for validation data is configured",
                )
            })
        };
        let signed = match self.format {
            DocumentFormat::Pades => {
                let mut options = PadesOptions::new(self.signing_time);
                options.skip_self_check = !self.self_check;
                if let Some(tsa) = tsa {
                    options = options.with_timestamp(tsa);
                    if self.level.is_long_term() {
                        let lta = self.level == SignatureLevel::BLta;
                        options = options.with_long_term(tsa, validation()?, lta);
                    }
                }
                return Ok(pades::sign(input, key, algorithm, &self.chain, &options)?);
            }
            DocumentFormat::CadesAttached => {
                cades::sign_attached(key, algorithm, &self.chain, input, &cms)
                    .map_err(JobError::not_signable)
            }
            DocumentFormat::CadesDetached => {
                cades::sign_detached(key, algorithm, &self.chain, Cursor::new(input), &cms)
                    .map_err(JobError::not_signable)
            }
            DocumentFormat::Digest => {
                sign_detached_digest(key, algorithm, &self.chain, input, &cms)
                    .map_err(JobError::not_signable)
            }
        }?;
        if self.level != SignatureLevel::BLt {
            return Ok(signed);
        }
        // CAdES B-LT: certificate-values and revocation-values (ETSI EN 319 122-1 clause 5.5).
        cades::extend_to_lt(&signed, validation()?, self.signing_time).map_err(|e| match e {
            cades::CadesError::Ltv(_) => {
                JobError::new("validation_data_unavailable", e.to_string())
            }
            other => JobError::not_signable(other),
        })
    }
}
