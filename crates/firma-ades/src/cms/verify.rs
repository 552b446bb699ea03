//! Checking a SignerInfo (RFC 5652 section 5.6): used on time-stamp tokens received from a TSA
//! and by the CAdES level check. Certificate path validation is the relying party's job and is
//! not done here.

use cms::signed_data::{SignerIdentifier, SignerInfo};
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Any, Encode};
use firma_core::HashAlgorithm;
use x509_cert::Certificate;
use x509_cert::attr::Attributes;
use x509_cert::ext::pkix::SubjectKeyIdentifier;

use super::CmsError;
use super::algorithm::{VerifyScheme, hash_from_oid, parse_signature_algorithm};
use super::chain::{p256_public_key, rsa_public_key};
use super::digest::digest;
use super::ess::check_signing_certificate;
use super::oid::{
    ID_AA_SIGNING_CERTIFICATE, ID_AA_SIGNING_CERTIFICATE_V2, ID_CONTENT_TYPE, ID_MESSAGE_DIGEST,
};

/// Verifies `signature` over `digest` with the public key of `cert`.
pub(crate) fn verify_digest_signature(
    cert: &Certificate,
    scheme: VerifyScheme,
    hash: HashAlgorithm,
    digest: &[u8],
    signature: &[u8],
) -> Result<(), CmsError> {
    match scheme {
        VerifyScheme::Ecdsa => {
            use p256::ecdsa::signature::hazmat::PrehashVerifier;
            let key = p256_public_key(cert)?;
            let sig = p256::ecdsa::Signature::from_der(signature)
                .map_err(|e| CmsError::Verification(format!("ECDSA signature encoding: {e}")))?;
            key.verify_prehash(digest, &sig)
                .map_err(|_| CmsError::Verification("ECDSA signature does not verify".into()))
        }
        VerifyScheme::RsaPkcs1v15 => {
            let key = rsa_public_key(cert)?;
            let padding = match hash {
                HashAlgorithm::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                HashAlgorithm::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                HashAlgorithm::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
            };
            key.verify(padding, digest, signature).map_err(|_| {
                CmsError::Verification("RSA PKCS#1 v1.5 signature does not verify".into())
            })
        }
        VerifyScheme::RsaPss {
            hash: pss_hash,
            salt_len,
        } => {
            if pss_hash != hash {
                return Err(CmsError::Unsupported(
                    "RSASSA-PSS hash differs from the digest algorithm".into(),
                ));
            }
            let key = rsa_public_key(cert)?;
            let result = match hash {
                HashAlgorithm::Sha256 => key.verify(
                    rsa::Pss::<sha2::Sha256>::new_with_salt(salt_len),
                    digest,
                    signature,
                ),
                HashAlgorithm::Sha384 => key.verify(
                    rsa::Pss::<sha2::Sha384>::new_with_salt(salt_len),
                    digest,
                    signature,
                ),
                HashAlgorithm::Sha512 => key.verify(
                    rsa::Pss::<sha2::Sha512>::new_with_salt(salt_len),
                    digest,
                    signature,
                ),
            };
            result
                .map_err(|_| CmsError::Verification("RSASSA-PSS signature does not verify".into()))
        }
    }
}

/// The one value of the attribute `oid`, if present. RFC 5652 section 5.3: the content-type,
/// message-digest and signing-time attributes (and, by ETSI EN 319 122-1, the others used
/// here) occur once, with one value.
pub(crate) fn single_value(
    attrs: &Attributes,
    oid: ObjectIdentifier,
) -> Result<Option<&Any>, CmsError> {
    let mut found = attrs.iter().filter(|a| a.oid == oid);
    let Some(attr) = found.next() else {
        return Ok(None);
    };
    if found.next().is_some() || attr.values.len() != 1 {
        return Err(CmsError::Malformed(format!(
            "attribute {oid} must occur once with one value"
        )));
    }
    Ok(attr.values.get(0))
}

/// Finds the certificate a SignerInfo names (RFC 5652 section 5.3, `sid`).
pub(crate) fn find_signer_cert<'c>(
    sid: &SignerIdentifier,
    certs: &'c [Certificate],
) -> Option<&'c Certificate> {
    certs.iter().find(|c| {
        let tbs = c.tbs_certificate();
        match sid {
            SignerIdentifier::IssuerAndSerialNumber(isn) => {
                tbs.issuer() == &isn.issuer && tbs.serial_number() == &isn.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => {
                matches!(tbs.get_extension::<SubjectKeyIdentifier>(), Ok(Some((_, s))) if &s == ski)
            }
        }
    })
}

/// What [`verify_signer_info`] found.
#[derive(Debug)]
pub(crate) struct VerifiedSigner<'c> {
    pub cert: &'c Certificate,
    /// Which ESS signing-certificate attribute was present and matched: 2, 1 or none.
    pub ess_version: Option<u8>,
}

/// Verifies one SignerInfo with signed attributes (RFC 5652 section 5.6): the signer
/// certificate among `certs`, the content-type attribute equal to `econtent_type`, the
/// message-digest attribute equal to `content_digest(hash)`, the ESS signing-certificate
/// attribute (if present) naming that certificate, and the signature over the DER signed
/// attributes.
pub(crate) fn verify_signer_info<'c>(
    si: &SignerInfo,
    certs: &'c [Certificate],
    econtent_type: &ObjectIdentifier,
    content_digest: impl FnOnce(HashAlgorithm) -> Result<Vec<u8>, CmsError>,
) -> Result<VerifiedSigner<'c>, CmsError> {
    let cert = find_signer_cert(&si.sid, certs).ok_or_else(|| {
        CmsError::Verification("the signer certificate is not in the SignedData".into())
    })?;
    let hash = hash_from_oid(&si.digest_alg.oid)?;
    let attrs = si
        .signed_attrs
        .as_ref()
        .ok_or_else(|| CmsError::Unsupported("SignerInfo without signed attributes".into()))?;
    let ct = single_value(attrs, ID_CONTENT_TYPE)?
        .ok_or_else(|| CmsError::Verification("no content-type attribute".into()))?
        .decode_as::<ObjectIdentifier>()
        .map_err(|e| CmsError::Malformed(format!("content-type attribute: {e}")))?;
    if &ct != econtent_type {
        return Err(CmsError::Verification(format!(
            "content-type attribute {ct} differs from the content type {econtent_type}"
        )));
    }
    let md = single_value(attrs, ID_MESSAGE_DIGEST)?
        .ok_or_else(|| CmsError::Verification("no message-digest attribute".into()))?
        .decode_as::<OctetString>()
        .map_err(|e| CmsError::Malformed(format!("message-digest attribute: {e}")))?;
    if md.as_bytes() != content_digest(hash)?.as_slice() {
        return Err(CmsError::Verification(
            "the message-digest attribute does not match the content".into(),
        ));
    }
    let mut ess_version = None;
    for (oid, v2, version) in [
        (ID_AA_SIGNING_CERTIFICATE_V2, true, 2),
        (ID_AA_SIGNING_CERTIFICATE, false, 1),
    ] {
        if let Some(value) = single_value(attrs, oid)? {
            check_signing_certificate(&value.to_der()?, v2, cert)?;
            ess_version.get_or_insert(version);
        }
    }
    let scheme = parse_signature_algorithm(&si.signature_algorithm)?;
    let signed = digest(hash, &attrs.to_der()?);
    verify_digest_signature(cert, scheme, hash, &signed, si.signature.as_bytes())?;
    Ok(VerifiedSigner { cert, ess_version })
}
