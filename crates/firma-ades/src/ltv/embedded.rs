//! The certificates a signature carries: those of its CMS `SignedData` (RFC 5652 section 5.1)
//! and those of the RFC 3161 time-stamp tokens in its unsigned attributes (signature
//! time-stamp, ETSI EN 319 122-1 clause 5.3; archive time-stamps, clause 5.5.3), whose
//! validation data a long-term signature must hold.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use const_oid::ObjectIdentifier;
use der::{Decode, Encode, SliceReader};

use super::LtvError;

/// id-aa-signatureTimeStampToken (RFC 3161 appendix A).
const SIGNATURE_TIME_STAMP: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");
/// id-aa-ets-archiveTimestampV3 (ETSI EN 319 122-1 clause 5.5.3).
const ARCHIVE_TIME_STAMP_V3: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.1733.2.4");
/// Time-stamp tokens nested in time-stamp tokens are not followed deeper than this.
const MAX_DEPTH: usize = 4;

/// The DER certificates in the CMS `cms_der` (a `ContentInfo` with `SignedData`; trailing
/// bytes, such as the zero padding of a PDF /Contents, are ignored) and in its time-stamp
/// tokens, each once, in order of appearance.
pub fn certificates_in_cms(cms_der: &[u8]) -> Result<Vec<Vec<u8>>, LtvError> {
    let mut out = Vec::new();
    collect(cms_der, 0, &mut out)?;
    Ok(out)
}

fn collect(cms_der: &[u8], depth: usize, out: &mut Vec<Vec<u8>>) -> Result<(), LtvError> {
    let bad = |e: der::Error| LtvError::BadSignature(e.to_string());
    let mut reader = SliceReader::new(cms_der).map_err(bad)?;
    let info = ContentInfo::decode(&mut reader).map_err(bad)?;
    let signed: SignedData = info.content.decode_as().map_err(bad)?;
    for choice in signed.certificates.iter().flat_map(|s| s.0.iter()) {
        if let CertificateChoices::Certificate(c) = choice {
            let der = c.to_der().map_err(bad)?;
            if !out.contains(&der) {
                out.push(der);
            }
        }
    }
    if depth >= MAX_DEPTH {
        return Ok(());
    }
    for signer in signed.signer_infos.0.iter() {
        for attr in signer.unsigned_attrs.iter().flat_map(|a| a.iter()) {
            if attr.oid != SIGNATURE_TIME_STAMP && attr.oid != ARCHIVE_TIME_STAMP_V3 {
                continue;
            }
            for value in attr.values.iter() {
                collect(&value.to_der().map_err(bad)?, depth + 1, out)?;
            }
        }
    }
    Ok(())
}
