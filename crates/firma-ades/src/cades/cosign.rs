//! Parallel co-signature of an existing `.p7m` (RFC 5652 section 5.1: SignerInfos is a SET;
//! ETSI EN 319 122-1 clause 4.3 "parallel signatures"): a new SignerInfo over the same content,
//! the certificates and digest algorithms merged; the existing SignerInfos are copied byte for
//! byte so their signatures stay valid.

use std::borrow::Cow;

use cms::cert::CertificateChoices;
use cms::revocation::RevocationInfoChoice;
use cms::signed_data::SignerInfo;
use der::{Decode, Encode};
use firma_core::{ActiveKey, HashAlgorithm, SignatureAlgorithm};
use spki::AlgorithmIdentifierOwned;

use super::CadesError;
use super::container::{SignedDataView, parse_signed_data};
use super::input::decode_cms_input;
use crate::cms::signed_data::{SignedDataParts, minimal_version};
use crate::cms::signer::{check_request, make_signer_info};
use crate::cms::verify::verify_signer_info;
use crate::cms::{CmsError, CmsOptions, SignerChain, digest, digest_algorithm_id};

/// Adds a signature by `key` to the `.p7m` in `p7m` (DER, BER, base64 or PEM) and returns the
/// co-signed file, DER at the top level. The existing signatures must verify (message digest,
/// signature, ESS signing certificate) and every element copied must be DER, otherwise the
/// file is refused: a co-signature endorses the file as it is.
pub fn cosign_attached(
    key: &dyn ActiveKey,
    algorithm: SignatureAlgorithm,
    chain: &SignerChain,
    p7m: &[u8],
    options: &CmsOptions<'_>,
) -> Result<Vec<u8>, CadesError> {
    check_request(key, algorithm, chain, algorithm.hash().output_len())?;
    let der = decode_cms_input(p7m)?;
    let view = parse_signed_data(&der)?;
    if view.signer_infos.is_empty() {
        return Err(CadesError::NoSigners);
    }
    let content = view.econtent.as_deref().ok_or(CadesError::NoContent)?;
    check_existing(&view, content)?;

    let md = digest(algorithm.hash(), content);
    let si = make_signer_info(key, algorithm, chain, view.econtent_type, &md, options)?;
    let ours = digest_algorithm_id(algorithm.hash());

    let mut digest_algorithms: Vec<Cow<'_, [u8]>> = view
        .digest_algorithms
        .iter()
        .map(|d| Cow::Borrowed(*d))
        .collect();
    let have_ours = view
        .digest_algorithms
        .iter()
        .any(|d| AlgorithmIdentifierOwned::from_der(d).is_ok_and(|a| a.oid == ours.oid));
    if !have_ours {
        digest_algorithms.push(ours.to_der().map_err(CmsError::from)?.into());
    }
    let mut certificates: Vec<Cow<'_, [u8]>> = view
        .certificates
        .iter()
        .map(|c| Cow::Borrowed(*c))
        .collect();
    for c in chain.certificates_der() {
        if !view.certificates.contains(&c) {
            certificates.push(Cow::Borrowed(c));
        }
    }
    let mut signer_infos: Vec<Cow<'_, [u8]>> = view
        .signer_infos
        .iter()
        .map(|s| Cow::Borrowed(*s))
        .collect();
    signer_infos.push(si.to_der().map_err(CmsError::from)?.into());

    let parts = SignedDataParts {
        version: view.version.max(minimal_version(&view.econtent_type)),
        digest_algorithms,
        econtent_type: Some(view.econtent_type),
        econtent: Some(content),
        certificates,
        crls: view.crls.iter().map(|c| Cow::Borrowed(*c)).collect(),
        signer_infos,
    };
    Ok(parts.into_content_info_der()?)
}

/// Checks every element copied from the file: certificates, CRLs and digest algorithms must be
/// DER (RFC 5652 sections 10.2.1 to 10.2.3), and every SignerInfo must decode and verify. A
/// signature this crate cannot check (an algorithm it does not implement) is refused too: the
/// co-signer would endorse what nobody checked.
fn check_existing(view: &SignedDataView<'_>, content: &[u8]) -> Result<(), CadesError> {
    let invalid = |what: &'static str, index: usize, e: der::Error| CadesError::InvalidElement {
        what,
        index,
        reason: e.to_string(),
    };
    for (i, d) in view.digest_algorithms.iter().enumerate() {
        AlgorithmIdentifierOwned::from_der(d).map_err(|e| invalid("digestAlgorithms", i, e))?;
    }
    let mut certs = Vec::new();
    for (i, c) in view.certificates.iter().enumerate() {
        match CertificateChoices::from_der(c).map_err(|e| invalid("certificates", i, e))? {
            CertificateChoices::Certificate(cert) => certs.push(cert),
            CertificateChoices::Other(_) => {}
        }
    }
    for (i, c) in view.crls.iter().enumerate() {
        RevocationInfoChoice::from_der(c).map_err(|e| invalid("crls", i, e))?;
    }
    let mut digests: Vec<(HashAlgorithm, Vec<u8>)> = Vec::new();
    for (index, raw) in view.signer_infos.iter().enumerate() {
        let invalid = |reason: String| CadesError::ExistingSignatureInvalid { index, reason };
        let si =
            SignerInfo::from_der(raw).map_err(|e| invalid(format!("not a DER SignerInfo: {e}")))?;
        let content_digest = |h: HashAlgorithm| {
            if let Some((_, d)) = digests.iter().find(|(dh, _)| *dh == h) {
                return Ok(d.clone());
            }
            let d = digest(h, content);
            digests.push((h, d.clone()));
            Ok(d)
        };
        verify_signer_info(&si, &certs, &view.econtent_type, content_digest)
            .map_err(|e| invalid(e.to_string()))?;
    }
    Ok(())
}
