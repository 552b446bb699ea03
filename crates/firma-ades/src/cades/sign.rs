//! New CAdES signatures (ETSI EN 319 122-1): attached (`.p7m`, content embedded, the Italian
//! convention for signed files) and detached (`.p7s`, content hashed as it streams).

use std::io::Read;

use der::Encode;
use firma_core::{ActiveKey, SignatureAlgorithm};

use super::CadesError;
use crate::cms::oid::ID_DATA;
use crate::cms::signed_data::{SignedDataParts, minimal_version};
use crate::cms::signer::{check_request, make_signer_info};
use crate::cms::{
    CmsOptions, SignerChain, digest, digest_algorithm_id, digest_reader, sign_detached_digest,
};

/// Signs `content` and returns a DER `.p7m`: a ContentInfo holding a SignedData that embeds the
/// content (RFC 5652 section 5.2, `eContent` present) with one CAdES baseline SignerInfo (B-B;
/// B-T when `options.timestamper` is set). Set `options.signing_time` for CAdES-B-B (ETSI EN
/// 319 122-1 clause 5.2.1).
pub fn sign_attached(
    key: &dyn ActiveKey,
    algorithm: SignatureAlgorithm,
    chain: &SignerChain,
    content: &[u8],
    options: &CmsOptions<'_>,
) -> Result<Vec<u8>, CadesError> {
    check_request(key, algorithm, chain, algorithm.hash().output_len())?;
    let md = digest(algorithm.hash(), content);
    let si = make_signer_info(key, algorithm, chain, ID_DATA, &md, options)?;
    let parts = SignedDataParts {
        version: minimal_version(&ID_DATA),
        digest_algorithms: vec![
            digest_algorithm_id(algorithm.hash())
                .to_der()
                .map_err(crate::cms::CmsError::from)?
                .into(),
        ],
        econtent_type: Some(ID_DATA),
        econtent: Some(content),
        certificates: chain.certificates_der().map(Into::into).collect(),
        crls: Vec::new(),
        signer_infos: vec![si.to_der().map_err(crate::cms::CmsError::from)?.into()],
    };
    Ok(parts.into_content_info_der()?)
}

/// Signs the content read from `content` (hashed in blocks, never held in memory) and returns
/// a DER `.p7s`: a ContentInfo holding a SignedData without `eContent` (RFC 5652 section 5.2)
/// with one CAdES baseline SignerInfo.
pub fn sign_detached(
    key: &dyn ActiveKey,
    algorithm: SignatureAlgorithm,
    chain: &SignerChain,
    content: impl Read,
    options: &CmsOptions<'_>,
) -> Result<Vec<u8>, CadesError> {
    check_request(key, algorithm, chain, algorithm.hash().output_len())?;
    let md = digest_reader(algorithm.hash(), content)?;
    Ok(sign_detached_digest(key, algorithm, chain, &md, options)?)
}
