//! A detached CMS signature over a digest the caller computed: the building block of PAdES
//! (ETSI EN 319 142-1 clause 6.3, SubFilter `ETSI.CAdES.detached`) and of CAdES `.p7s`.

use std::borrow::Cow;

use der::Encode;
use firma_core::{ActiveKey, SignatureAlgorithm};

use super::CmsError;
use super::chain::SignerChain;
use super::oid::ID_DATA;
use super::options::CmsOptions;
use super::signed_data::{SignedDataParts, minimal_version};
use super::signer::make_signer_info;

/// Room reserved by [`estimated_max_len`] for a signature time-stamp token: a token with a
/// TSA certificate chain of two or three certificates fits with margin.
pub const TIMESTAMP_ALLOWANCE: usize = 12 * 1024;

/// Signs `digest`, the hash under `algorithm.hash()` of content of type `id-data` that is not
/// included, and returns the DER `ContentInfo` (RFC 5652 section 3) holding a `SignedData`
/// without `eContent` (section 5.2: "detached signature"), with the certificates of `chain` and
/// one SignerInfo carrying content-type, message-digest, ESS signing-certificate-v2 and, when
/// `options.signing_time` is set, signing-time; with a signature time-stamp when
/// `options.timestamper` is set.
///
/// For PAdES leave `options.signing_time` as `None` (ETSI EN 319 142-1 clause 6.3).
pub fn sign_detached_digest(
    key: &dyn ActiveKey,
    algorithm: SignatureAlgorithm,
    chain: &SignerChain,
    digest: &[u8],
    options: &CmsOptions<'_>,
) -> Result<Vec<u8>, CmsError> {
    let signer_info = make_signer_info(key, algorithm, chain, ID_DATA, digest, options)?;
    assemble(algorithm, chain, None, signer_info.to_der()?)
}

/// Builds the `ContentInfo` of a fresh SignedData with one SignerInfo.
pub(crate) fn assemble(
    algorithm: SignatureAlgorithm,
    chain: &SignerChain,
    econtent: Option<&[u8]>,
    signer_info_der: Vec<u8>,
) -> Result<Vec<u8>, CmsError> {
    SignedDataParts {
        version: minimal_version(&ID_DATA),
        digest_algorithms: vec![Cow::Owned(
            super::algorithm::digest_algorithm_id(algorithm.hash()).to_der()?,
        )],
        econtent_type: Some(ID_DATA),
        econtent,
        certificates: chain.certificates_der().map(Cow::Borrowed).collect(),
        crls: Vec::new(),
        signer_infos: vec![Cow::Owned(signer_info_der)],
    }
    .into_content_info_der()
}

/// An upper bound of the length of what [`sign_detached_digest`] returns for this chain and
/// algorithm, with signing-time or without, plus [`TIMESTAMP_ALLOWANCE`] when a time-stamp is
/// requested: what a PDF signature's `/Contents` must hold (ETSI EN 319 142-1 clause 6.3).
pub fn estimated_max_len(
    chain: &SignerChain,
    algorithm: SignatureAlgorithm,
    with_timestamp: bool,
) -> usize {
    let certs: usize = chain.certificates_der().map(<[u8]>::len).sum();
    let signature = chain
        .key_kind()
        .map(|k| k.max_signature_len())
        .unwrap_or(1024);
    let issuer_serial = {
        let tbs = chain.signer().tbs_certificate();
        tbs.issuer()
            .encoded_len()
            .ok()
            .and_then(|l| usize::try_from(l).ok())
            .unwrap_or(1024)
            + tbs
                .serial_number()
                .encoded_len()
                .ok()
                .and_then(|l| usize::try_from(l).ok())
                .unwrap_or(32)
    };
    let hash = algorithm.hash().output_len();
    // Fixed parts, measured generously: ContentInfo and SignedData headers, version,
    // digestAlgorithms, encapContentInfo (about 60 bytes); SignerInfo headers, version,
    // digest and signature algorithm identifiers (up to 80 bytes for PSS); content-type (24),
    // signing-time (28), message-digest (17 + hash), ESS signing-certificate-v2 (40 + hash +
    // issuer and serial); the issuer and serial appear twice (sid and ESS).
    let fixed = 60 + 80 + 24 + 28 + 17 + 40 + 64;
    let unsigned = if with_timestamp {
        TIMESTAMP_ALLOWANCE + 32
    } else {
        0
    };
    certs + signature + 2 * issuer_serial + 2 * hash + fixed + unsigned
}
