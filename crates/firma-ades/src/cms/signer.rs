//! Making a SignerInfo (RFC 5652 section 5.3) through the key port: the signed attributes are
//! hashed here and the key signs the digest (section 5.4).

use cms::cert::IssuerAndSerialNumber;
use cms::content_info::CmsVersion;
use cms::signed_data::{SignerIdentifier, SignerInfo};
use der::Encode;
use der::asn1::{ObjectIdentifier, OctetString};
use firma_core::{ActiveKey, SignatureAlgorithm};

use super::CmsError;
use super::algorithm::{digest_algorithm_id, signature_algorithm_id};
use super::attributes::{signed_attributes, timestamp_attributes};
use super::chain::SignerChain;
use super::digest::digest;
use super::options::CmsOptions;
use super::verify::verify_digest_signature;

/// Checks that `algorithm` can be used with this key and certificate on a digest of this
/// length.
pub(crate) fn check_request(
    key: &dyn ActiveKey,
    algorithm: SignatureAlgorithm,
    chain: &SignerChain,
    digest_len: usize,
) -> Result<(), CmsError> {
    if !algorithm.fits(key.spec()) {
        return Err(CmsError::AlgorithmDoesNotFitKey {
            algorithm,
            key: key.spec(),
        });
    }
    chain.check_algorithm(algorithm)?;
    let expected = algorithm.hash().output_len();
    if digest_len != expected {
        return Err(CmsError::DigestLength {
            algorithm,
            expected,
            actual: digest_len,
        });
    }
    Ok(())
}

/// A CAdES-B-B SignerInfo over content of type `content_type` whose hash under
/// `algorithm.hash()` is `message_digest`; B-T when `options.timestamper` is set.
///
/// RFC 5652 section 5.3: version 1 with `issuerAndSerialNumber`, signed attributes present;
/// section 5.4: the signature covers the DER encoding of the signed attributes with the
/// `SET OF` tag.
pub(crate) fn make_signer_info(
    key: &dyn ActiveKey,
    algorithm: SignatureAlgorithm,
    chain: &SignerChain,
    content_type: ObjectIdentifier,
    message_digest: &[u8],
    options: &CmsOptions<'_>,
) -> Result<SignerInfo, CmsError> {
    check_request(key, algorithm, chain, message_digest.len())?;
    let hash = algorithm.hash();
    let signed_attrs = signed_attributes(
        content_type,
        message_digest,
        options.signing_time,
        chain,
        hash,
    )?;
    let to_sign = digest(hash, &signed_attrs.to_der()?);
    let signature = key.sign_digest(algorithm, &to_sign)?;
    if !options.skip_self_check {
        let scheme =
            super::algorithm::parse_signature_algorithm(&signature_algorithm_id(algorithm)?)?;
        verify_digest_signature(chain.signer(), scheme, hash, &to_sign, &signature)
            .map_err(|e| CmsError::KeyCertificateMismatch(e.to_string()))?;
    }
    let unsigned_attrs = match options.timestamper {
        Some(tsa) => {
            let token = tsa.timestamp(&signature)?;
            Some(timestamp_attributes(token.der())?)
        }
        None => None,
    };
    let tbs = chain.signer().tbs_certificate();
    Ok(SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer().clone(),
            serial_number: tbs.serial_number().clone(),
        }),
        digest_alg: digest_algorithm_id(hash),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: signature_algorithm_id(algorithm)?,
        signature: OctetString::new(signature)?,
        unsigned_attrs,
    })
}
