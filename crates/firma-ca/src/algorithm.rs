//! Signature algorithm identifiers for certificates and certification requests: ECDSA (RFC
//! 5758 section 3.2), RSASSA-PKCS1-v1_5 (RFC 4055 section 5) and RSASSA-PSS (RFC 4055 section
//! 3.1, RFC 4056 section 3).

use der::{Any, Decode, Encode, Sequence};
use firma_core::{HashAlgorithm, SignatureAlgorithm};
use sha2::Digest;
use spki::AlgorithmIdentifierOwned;

use crate::error::CaError;
use crate::oid::{ID_MGF1, ID_RSASSA_PSS};

/// `RSASSA-PSS-params` (RFC 4055 section 3.1).
///
/// ```text
/// RSASSA-PSS-params  ::=  SEQUENCE  {
///     hashAlgorithm      [0] HashAlgorithm DEFAULT sha1Identifier,
///     maskGenAlgorithm   [1] MaskGenAlgorithm DEFAULT mgf1SHA1Identifier,
///     saltLength         [2] INTEGER DEFAULT 20,
///     trailerField       [3] INTEGER DEFAULT 1  }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct RsaPssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    mask_gen: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    salt_len: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    trailer: Option<u32>,
}

/// The `AlgorithmIdentifier` for a signature made by this crate.
///
/// - ECDSA: `ecdsa-with-SHA*`, parameters absent (RFC 5758 section 3.2).
/// - PKCS#1 v1.5: `sha*WithRSAEncryption`, parameters NULL (RFC 4055 section 5).
/// - PSS: `id-RSASSA-PSS` with the hash, MGF1 over the same hash, a salt as long as the hash
///   and the default trailer field (RFC 4055 section 3.1, RFC 4056 section 3).
pub(crate) fn signature_algorithm_id(
    algorithm: SignatureAlgorithm,
) -> Result<AlgorithmIdentifierOwned, CaError> {
    let parameters = match algorithm {
        SignatureAlgorithm::Ecdsa(_) => None,
        SignatureAlgorithm::RsaPkcs1v15(_) => Some(Any::null()),
        SignatureAlgorithm::RsaPss(h) => {
            let hash_id = AlgorithmIdentifierOwned {
                oid: h.oid(),
                parameters: Some(Any::null()),
            };
            let params = RsaPssParams {
                hash: Some(hash_id.clone()),
                mask_gen: Some(AlgorithmIdentifierOwned {
                    oid: ID_MGF1,
                    parameters: Some(Any::encode_from(&hash_id)?),
                }),
                salt_len: Some(h.output_len() as u32),
                trailer: None,
            };
            Some(Any::encode_from(&params)?)
        }
    };
    Ok(AlgorithmIdentifierOwned {
        oid: algorithm.oid(),
        parameters,
    })
}

/// What a received signature algorithm identifier asks the verifier to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    Ecdsa(HashAlgorithm),
    RsaPkcs1v15(HashAlgorithm),
    RsaPss {
        hash: HashAlgorithm,
        salt_len: usize,
    },
}

impl Scheme {
    pub(crate) fn hash(self) -> HashAlgorithm {
        match self {
            Self::Ecdsa(h) | Self::RsaPkcs1v15(h) | Self::RsaPss { hash: h, .. } => h,
        }
    }
}

/// Reads the signature algorithm identifier of a received certificate or CSR. Only the SHA-2
/// variants are accepted; SHA-1 is refused (ETSI TS 119 312).
pub(crate) fn parse_signature_algorithm(id: &AlgorithmIdentifierOwned) -> Result<Scheme, CaError> {
    use HashAlgorithm::{Sha256, Sha384, Sha512};
    let simple = [
        (SignatureAlgorithm::Ecdsa(Sha256), Scheme::Ecdsa(Sha256)),
        (SignatureAlgorithm::Ecdsa(Sha384), Scheme::Ecdsa(Sha384)),
        (SignatureAlgorithm::Ecdsa(Sha512), Scheme::Ecdsa(Sha512)),
        (
            SignatureAlgorithm::RsaPkcs1v15(Sha256),
            Scheme::RsaPkcs1v15(Sha256),
        ),
        (
            SignatureAlgorithm::RsaPkcs1v15(Sha384),
            Scheme::RsaPkcs1v15(Sha384),
        ),
        (
            SignatureAlgorithm::RsaPkcs1v15(Sha512),
            Scheme::RsaPkcs1v15(Sha512),
        ),
    ];
    if let Some((_, scheme)) = simple.iter().find(|(a, _)| a.oid() == id.oid) {
        return Ok(*scheme);
    }
    if id.oid != ID_RSASSA_PSS {
        return Err(CaError::UnsupportedAlgorithm(format!(
            "{} (only ECDSA, RSASSA-PKCS1-v1_5 and RSASSA-PSS with SHA-2 are accepted)",
            id.oid
        )));
    }
    let params = match &id.parameters {
        Some(p) => RsaPssParams::from_der(&p.to_der()?)
            .map_err(|e| CaError::UnsupportedAlgorithm(format!("RSASSA-PSS parameters: {e}")))?,
        None => {
            return Err(CaError::UnsupportedAlgorithm(
                "RSASSA-PSS without parameters".into(),
            ));
        }
    };
    let hash = params
        .hash
        .as_ref()
        .and_then(|h| HashAlgorithm::from_oid(&h.oid))
        .ok_or_else(|| {
            CaError::UnsupportedAlgorithm("RSASSA-PSS with a hash other than SHA-2".into())
        })?;
    let mgf_hash = params
        .mask_gen
        .as_ref()
        .filter(|m| m.oid == ID_MGF1)
        .and_then(|m| m.parameters.as_ref())
        .and_then(|p| p.decode_as::<AlgorithmIdentifierOwned>().ok())
        .map(|h| h.oid);
    if mgf_hash != Some(hash.oid()) {
        return Err(CaError::UnsupportedAlgorithm(
            "RSASSA-PSS with a mask generation function other than MGF1 over the same hash".into(),
        ));
    }
    if params.trailer.is_some_and(|t| t != 1) {
        return Err(CaError::UnsupportedAlgorithm(
            "RSASSA-PSS with a trailer field other than 1".into(),
        ));
    }
    let salt_len = params.salt_len.unwrap_or(20) as usize;
    Ok(Scheme::RsaPss { hash, salt_len })
}

/// The digest of `data` under `hash` (FIPS 180-4).
pub(crate) fn digest(hash: HashAlgorithm, data: &[u8]) -> Vec<u8> {
    match hash {
        HashAlgorithm::Sha256 => sha2::Sha256::digest(data).to_vec(),
        HashAlgorithm::Sha384 => sha2::Sha384::digest(data).to_vec(),
        HashAlgorithm::Sha512 => sha2::Sha512::digest(data).to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pss_identifiers_round_trip() {
        for h in [
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ] {
            let id = signature_algorithm_id(SignatureAlgorithm::RsaPss(h)).unwrap();
            assert_eq!(
                parse_signature_algorithm(&id).unwrap(),
                Scheme::RsaPss {
                    hash: h,
                    salt_len: h.output_len()
                }
            );
            let ec = signature_algorithm_id(SignatureAlgorithm::Ecdsa(h)).unwrap();
            assert_eq!(ec.parameters, None);
            assert_eq!(parse_signature_algorithm(&ec).unwrap(), Scheme::Ecdsa(h));
        }
    }

    #[test]
    fn sha1_is_refused() {
        let sha1_rsa = AlgorithmIdentifierOwned {
            oid: const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.5"),
            parameters: Some(Any::null()),
        };
        assert!(matches!(
            parse_signature_algorithm(&sha1_rsa),
            Err(CaError::UnsupportedAlgorithm(_))
        ));
    }
}
