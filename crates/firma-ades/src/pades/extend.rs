//! Long-term levels of a PAdES signature (ETSI EN 319 142-1 clauses 6.5 and 6.6): B-LT adds
//! the validation data of every signature and document time-stamp of the document in a DSS
//! ([`add_validation_data`]); B-LTA then adds a document time-stamp over the whole document,
//! DSS included ([`add_document_timestamp`]). Both are incremental updates, so the signatures
//! already there, ours or another producer's, stay valid; extending a B-LTA document again
//! archives the previous document time-stamp's validation data before the new time-stamp.

use firma_core::HashAlgorithm;
use time::OffsetDateTime;

use crate::ltv::{Collector, ValidationData, ValidationTransport, certificates_in_cms};
use crate::pdf::{Document, ExistingSignature};
use crate::tsp::{TsaClient, verify_token};
use der::{Any, Decode, Encode, SliceReader};

use super::dss::add_validation_data;
use super::error::PadesError;
use super::options::{PadesLevel, SignatureDetails};
use super::prepare::prepare_kind;
use super::widget::SignatureKind;

/// Room reserved for a document time-stamp token (a `SignedData` with the TSA certificate
/// and possibly its chain).
const DOC_TIMESTAMP_ROOM: usize = 24 * 1024;
/// The /SubFilter of a document time-stamp (ETSI EN 319 142-1 clause 5.4.3).
const DOC_TIMESTAMP: &[u8] = b"ETSI.RFC3161";

/// What extension to a long-term level needs.
#[derive(Clone, Copy)]
pub struct LtvOptions<'a> {
    /// Fetches certificates, OCSP responses and CRLs.
    pub transport: &'a dyn ValidationTransport,
    /// For B-LTA: the authority of the document time-stamp.
    pub timestamper: Option<&'a TsaClient>,
    /// The time the fetched answers are checked at.
    pub now: OffsetDateTime,
    /// Certificates known to the caller (trust anchors, intermediates) that signatures may not
    /// carry; see [`Collector::with_issuers`].
    pub issuers: &'a [Vec<u8>],
}

impl std::fmt::Debug for LtvOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LtvOptions")
            .field("timestamper", &self.timestamper)
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

/// The validation data of every signature and document time-stamp in `pdf`: their chains and
/// the status of each certificate now. When a document time-stamp covers every signature (a
/// B-LTA document), a certificate revoked after it does not stop the collection (see
/// [`Collector::with_proof_of_existence`]): the document can be archived again.
pub fn collect_validation_data(
    pdf: &[u8],
    options: &LtvOptions<'_>,
) -> Result<ValidationData, PadesError> {
    let doc = Document::parse(pdf)?;
    let (_, catalog) = doc.catalog()?;
    let form = doc.form_info(&catalog)?;
    if form.signatures.is_empty() {
        return Err(PadesError::NothingToExtend);
    }
    let mut certificates = Vec::new();
    for sig in &form.signatures {
        for c in certificates_in_cms(&sig.contents)? {
            if !certificates.contains(&c) {
                certificates.push(c);
            }
        }
    }
    Ok(Collector::new(options.transport, options.now)
        .with_issuers(options.issuers)
        .with_proof_of_existence(proof_of_existence(&form.signatures))
        .collect(&certificates)?)
}

/// The time of the earliest document time-stamp that covers every signature (its revision
/// includes theirs), checked as an RFC 3161 token.
fn proof_of_existence(signatures: &[ExistingSignature]) -> Option<OffsetDateTime> {
    let last_signature = signatures
        .iter()
        .filter(|s| s.sub_filter != DOC_TIMESTAMP)
        .map(|s| s.signed_len)
        .max()?;
    signatures
        .iter()
        .filter(|s| s.sub_filter == DOC_TIMESTAMP && s.signed_len > last_signature)
        .filter_map(|s| {
            let mut r = SliceReader::new(&s.contents).ok()?;
            let token = Any::decode(&mut r).ok()?.to_der().ok()?;
            verify_token(&token).ok().map(|t| t.gen_time())
        })
        .min()
}

/// Extends the signed `pdf` to `level`: [`PadesLevel::BLt`] or [`PadesLevel::BLta`] (B-B and
/// B-T are not extensions and are refused with [`PadesError::NotAnExtension`]). Validation data
/// that cannot be had fails the extension ([`PadesError::Ltv`]): no lower level is returned.
pub fn extend(
    pdf: &[u8],
    level: PadesLevel,
    options: &LtvOptions<'_>,
) -> Result<Vec<u8>, PadesError> {
    if !matches!(level, PadesLevel::BLt | PadesLevel::BLta) {
        return Err(PadesError::NotAnExtension);
    }
    let tsa = match level {
        PadesLevel::BLta => Some(options.timestamper.ok_or(PadesError::TimestampRequired)?),
        _ => None,
    };
    let data = collect_validation_data(pdf, options)?;
    let with_dss = add_validation_data(pdf, &data)?;
    match tsa {
        Some(tsa) => add_document_timestamp(&with_dss, tsa, options.now),
        None => Ok(with_dss),
    }
}

/// Appends a document time-stamp (ETSI EN 319 142-1 clause 5.4.3: /Type /DocTimeStamp,
/// /SubFilter /ETSI.RFC3161, an RFC 3161 token over the byte range in /Contents) in an
/// invisible field, and returns the whole document.
pub fn add_document_timestamp(
    pdf: &[u8],
    tsa: &TsaClient,
    now: OffsetDateTime,
) -> Result<Vec<u8>, PadesError> {
    let details = SignatureDetails::new(now);
    let prepared = prepare_kind(
        pdf,
        &details,
        DOC_TIMESTAMP_ROOM,
        SignatureKind::DocTimeStamp,
    )?;
    let digest = prepared.digest(pdf, HashAlgorithm::Sha256)?;
    let token = tsa
        .timestamp_digest(HashAlgorithm::Sha256, &digest)
        .map_err(PadesError::Timestamp)?;
    prepared.into_signed_pdf(pdf, token.der())
}
