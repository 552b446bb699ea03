//! Algorithm identifiers for CMS signatures: RFC 5754 (SHA-2 digests), RFC 5758 section 3.2
//! (ECDSA), RFC 4055 section 5 / RFC 5754 section 3.2 (RSASSA-PKCS1-v1_5) and RFC 4055
//! section 3.1 with RFC 4056 (RSASSA-PSS).

use der::asn1::ObjectIdentifier;
use der::{Any, Decode, Encode, Sequence};
use firma_core::{HashAlgorithm, SignatureAlgorithm};
use spki::AlgorithmIdentifierOwned;

use super::CmsError;
use super::oid::{ID_MGF1, ID_RSASSA_PSS, RSA_ENCRYPTION};

/// `DigestAlgorithmIdentifier` of a SHA-2 function. RFC 5754 section 2: the parameters are
/// absent.
pub fn digest_algorithm_id(hash: HashAlgorithm) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: hash.oid(),
        parameters: None,
    }
}

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
pub(crate) struct RsaPssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub mask_gen: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    pub salt_len: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    pub trailer: Option<u32>,
}

/// The `SignatureAlgorithmIdentifier` for a SignerInfo.
///
/// - ECDSA: `ecdsa-with-SHA*`, parameters absent (RFC 5758 section 3.2).
/// - PKCS#1 v1.5: `sha*WithRSAEncryption`, parameters NULL (RFC 5754 section 3.2).
/// - PSS: `id-RSASSA-PSS` with the hash, MGF1 over the same hash and a salt as long as the hash,
///   trailer field 1 (RFC 4056 section 3, RFC 4055 section 3.1). Hash identifiers inside the
///   parameters carry NULL, as OpenSSL writes them (RFC 4055 section 2.1 allows both).
pub fn signature_algorithm_id(
    algorithm: SignatureAlgorithm,
) -> Result<AlgorithmIdentifierOwned, CmsError> {
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

/// What a SignerInfo's `signatureAlgorithm` asks the verifier to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VerifyScheme {
    Ecdsa,
    RsaPkcs1v15,
    RsaPss {
        hash: HashAlgorithm,
        salt_len: usize,
    },
}

/// Reads a signature algorithm identifier of an existing SignerInfo. `digest` is the
/// SignerInfo's digest algorithm, which an `rsaEncryption` or `ecdsa-with-*` identifier
/// combines with.
pub(crate) fn parse_signature_algorithm(
    id: &AlgorithmIdentifierOwned,
) -> Result<VerifyScheme, CmsError> {
    let ecdsa = [
        "1.2.840.10045.4.3.2",
        "1.2.840.10045.4.3.3",
        "1.2.840.10045.4.3.4",
    ];
    let pkcs1 = [
        "1.2.840.113549.1.1.11",
        "1.2.840.113549.1.1.12",
        "1.2.840.113549.1.1.13",
    ];
    let s = id.oid.to_string();
    if ecdsa.contains(&s.as_str()) {
        return Ok(VerifyScheme::Ecdsa);
    }
    if pkcs1.contains(&s.as_str()) || id.oid == RSA_ENCRYPTION {
        return Ok(VerifyScheme::RsaPkcs1v15);
    }
    if id.oid == ID_RSASSA_PSS {
        let params = match &id.parameters {
            Some(p) => RsaPssParams::from_der(&p.to_der()?)
                .map_err(|e| CmsError::Malformed(format!("RSASSA-PSS parameters: {e}")))?,
            None => return Err(CmsError::Malformed("RSASSA-PSS without parameters".into())),
        };
        let hash = match &params.hash {
            Some(h) => hash_from_oid(&h.oid)?,
            None => return Err(CmsError::Unsupported("RSASSA-PSS with SHA-1".into())),
        };
        if let Some(mgf) = &params.mask_gen {
            let inner = mgf
                .parameters
                .as_ref()
                .map(|p| p.decode_as::<AlgorithmIdentifierOwned>())
                .transpose()
                .map_err(|e| CmsError::Malformed(format!("MGF1 parameters: {e}")))?;
            if mgf.oid != ID_MGF1 || inner.map(|i| i.oid) != Some(hash.oid()) {
                return Err(CmsError::Unsupported(
                    "RSASSA-PSS with a mask generation function other than MGF1 over the same hash"
                        .into(),
                ));
            }
        } else {
            return Err(CmsError::Unsupported("RSASSA-PSS with MGF1-SHA-1".into()));
        }
        if params.trailer.is_some_and(|t| t != 1) {
            return Err(CmsError::Unsupported(
                "RSASSA-PSS trailer field other than 1".into(),
            ));
        }
        let salt_len = params.salt_len.unwrap_or(20) as usize;
        return Ok(VerifyScheme::RsaPss { hash, salt_len });
    }
    Err(CmsError::Unsupported(format!("signature algorithm {s}")))
}

/// The SHA-2 function named by `oid`.
pub(crate) fn hash_from_oid(oid: &ObjectIdentifier) -> Result<HashAlgorithm, CmsError> {
    HashAlgorithm::from_oid(oid)
        .ok_or_else(|| CmsError::Unsupported(format!("digest algorithm {oid}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pss_identifier_round_trips() {
        for h in [
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ] {
            let id = signature_algorithm_id(SignatureAlgorithm::RsaPss(h)).unwrap();
            assert_eq!(
                parse_signature_algorithm(&id).unwrap(),
                VerifyScheme::RsaPss {
                    hash: h,
                    salt_len: h.output_len()
                }
            );
        }
    }

    #[test]
    fn sha256_pss_parameters_are_the_openssl_encoding() {
        let id = signature_algorithm_id(SignatureAlgorithm::RsaPss(HashAlgorithm::Sha256)).unwrap();
        // Byte for byte what `openssl cms -sign -keyopt rsa_padding_mode:pss -keyopt
        // rsa_pss_saltlen:digest` writes (RFC 4055 section 3.1, RFC 4056 section 3).
        let expected = "304106092a864886f70d01010a3034a00f300d06096086480165030402010500\
                        a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120";
        let der = id.to_der().unwrap();
        let hex: String = der.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, expected);
    }
}
