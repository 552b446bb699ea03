//! One call for a whole PAdES signature: prepare, hash, sign through the key port, finish.

use firma_core::{ActiveKey, SignatureAlgorithm};

use crate::cms::{CmsOptions, SignerChain, estimated_max_len, sign_detached_digest};

use super::error::PadesError;
use super::extend::{LtvOptions, extend};
use super::options::{PadesLevel, PadesOptions};
use super::prepare::prepare;

/// Signs `pdf` with `key` (whose certificate is `chain.signer()`) and returns the signed document:
/// the original bytes followed by an incremental update holding a PAdES baseline signature
/// (ETSI EN 319 142-1): B-B, or B-T with a signature time-stamp from `options.timestamper`,
/// or B-LT / B-LTA: B-T then [`extend`]ed with the validation data `options.validation` fetches.
///
/// The CMS has no signing-time attribute (clause 6.3); the claimed time is /M.
pub fn sign(
    pdf: &[u8],
    key: &dyn ActiveKey,
    algorithm: SignatureAlgorithm,
    chain: &SignerChain,
    options: &PadesOptions<'_>,
) -> Result<Vec<u8>, PadesError> {
    let timestamper = match options.level {
        PadesLevel::BB => None,
        _ => Some(options.timestamper.ok_or(PadesError::TimestampRequired)?),
    };
    let long_term = match options.level {
        PadesLevel::BLt | PadesLevel::BLta => Some(LtvOptions {
            transport: options.validation.ok_or(PadesError::ValidationRequired)?,
            timestamper,
            now: options.details.signing_time,
            issuers: &[],
        }),
        _ => None,
    };
    let room = estimated_max_len(chain, algorithm, timestamper.is_some());
    let prepared = prepare(pdf, &options.details, room)?;
    let digest = prepared.digest(pdf, algorithm.hash())?;
    let cms_options = CmsOptions {
        signing_time: None,
        timestamper,
        skip_self_check: options.skip_self_check,
    };
    let cms = sign_detached_digest(key, algorithm, chain, &digest, &cms_options)?;
    let signed = prepared.into_signed_pdf(pdf, &cms)?;
    match long_term {
        Some(ltv) => extend(&signed, options.level, &ltv),
        None => Ok(signed),
    }
}
