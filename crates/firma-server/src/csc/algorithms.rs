//! Algorithm identifiers of the CSC API: `key/algo` of `credentials/info`, and `signAlgo`,
//! `hashAlgorithmOID` (v1: `hashAlgo`) and `signAlgoParams` of the signing methods (CSC API v2.0
//! section 11.10). Only SHA-256 is authorised: Signature Activation Data holds SHA-256 digests.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use firma_core::{HashAlgorithm, KeySpec, SignatureAlgorithm};
use rsa::pkcs1::RsaPssParamsOwned;
use rsa::pkcs1::der::Decode;

use super::CscError;

/// id-sha256 (NIST CSOR, RFC 5754 section 2.2).
pub const SHA256: &str = "2.16.840.1.101.3.4.2.1";
/// ecdsa-with-SHA256 (RFC 5758 section 3.2).
pub const ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
/// id-ecPublicKey (RFC 5480 section 2.1.1): ECDSA, the hash named by `hashAlgorithmOID`.
pub const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
/// sha256WithRSAEncryption (RFC 4055 section 5).
pub const RSA_SHA256: &str = "1.2.840.113549.1.1.11";
/// rsaEncryption (RFC 8017 appendix C): RSASSA-PKCS1-v1_5, the hash named by `hashAlgorithmOID`.
pub const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
/// id-RSASSA-PSS (RFC 4055 section 3.1), with `signAlgoParams`.
pub const RSASSA_PSS: &str = "1.2.840.113549.1.1.10";
/// id-mgf1 (RFC 8017 appendix B.2.1).
const MGF1: &str = "1.2.840.113549.1.1.8";
/// secp256r1 / prime256v1 (RFC 5480 section 2.1.1.1).
pub const P256: &str = "1.2.840.10045.3.1.7";

/// Every signature algorithm the service signs with (`info` → `signAlgorithms/algos`).
pub const ALL: [&str; 5] = [
    ECDSA_SHA256,
    EC_PUBLIC_KEY,
    RSA_SHA256,
    RSA_ENCRYPTION,
    RSASSA_PSS,
];

/// `key/algo` of a credential: the signature algorithm OIDs a client may pass as `signAlgo`,
/// the combined ones first (pyHanko, for one, checks that its `sha256_ecdsa` / `sha256_rsa` is
/// among them).
pub fn key_algorithms(spec: KeySpec) -> Vec<&'static str> {
    if spec.is_rsa() {
        vec![RSA_SHA256, RSA_ENCRYPTION, RSASSA_PSS]
    } else {
        vec![ECDSA_SHA256, EC_PUBLIC_KEY]
    }
}

/// `key/len` in bits.
pub fn key_length(spec: KeySpec) -> u32 {
    spec.rsa_bits().unwrap_or(256)
}

/// Checks an optional hash algorithm OID: absent means SHA-256 (the v1 `credentials/authorize`
/// has no hash algorithm parameter; the digests must then be 32 bytes).
pub fn require_sha256(oid: Option<&str>, parameter: &str) -> Result<(), CscError> {
    match oid {
        None | Some(SHA256) => Ok(()),
        Some(other) => Err(CscError::invalid(
            "unsupported_hash_algorithm",
            format!(
                "Invalid parameter {parameter}: {other} is not supported; only SHA-256 \
                 ({SHA256}) hashes can be authorised and signed"
            ),
        )),
    }
}

/// The signature scheme asked by `signAlgo` (+ `hashAlgorithmOID`, `signAlgoParams`), if the
/// credential's key can do it.
pub fn signature_algorithm(
    sign_algo: Option<&str>,
    hash_algo: Option<&str>,
    params: Option<&str>,
    spec: KeySpec,
    hash_parameter: &str,
) -> Result<SignatureAlgorithm, CscError> {
    let sign_algo = sign_algo.ok_or_else(|| CscError::missing("string", "signAlgo"))?;
    require_sha256(hash_algo, hash_parameter)?;
    let algorithm = match sign_algo {
        ECDSA_SHA256 | EC_PUBLIC_KEY => SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256),
        RSA_SHA256 | RSA_ENCRYPTION => SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256),
        RSASSA_PSS => {
            let params = params.ok_or_else(|| {
                CscError::invalid(
                    "missing_parameter",
                    "Missing (or invalid type) string parameter signAlgoParams: RSASSA-PSS needs \
                     its DER RSASSA-PSS-params (RFC 4055 section 3.1), base64",
                )
            })?;
            pss_params(params)?;
            SignatureAlgorithm::RsaPss(HashAlgorithm::Sha256)
        }
        other => {
            return Err(CscError::invalid(
                "unsupported_sign_algorithm",
                format!(
                    "Invalid parameter signAlgo: {other} is not supported; use one of the \
                     credential's key/algo ({})",
                    key_algorithms(spec).join(", ")
                ),
            ));
        }
    };
    if !algorithm.fits(spec) {
        return Err(CscError::invalid(
            "unsupported_sign_algorithm",
            format!(
                "Invalid parameter signAlgo: a {spec} key cannot sign with {sign_algo}; use one \
                 of the credential's key/algo ({})",
                key_algorithms(spec).join(", ")
            ),
        ));
    }
    Ok(algorithm)
}

/// Accepts only the RSASSA-PSS parameters the HSM signs with: SHA-256, MGF1 with SHA-256, a
/// 32-byte salt, trailer field 1 (RFC 4056 section 3, ETSI TS 119 312).
fn pss_params(b64: &str) -> Result<(), CscError> {
    let invalid = |why: String| {
        CscError::invalid(
            "unsupported_sign_algorithm",
            format!("Invalid parameter signAlgoParams: {why}"),
        )
    };
    let der = STANDARD
        .decode(b64.trim())
        .map_err(|e| invalid(format!("not base64: {e}")))?;
    let params = RsaPssParamsOwned::from_der(&der)
        .map_err(|e| invalid(format!("not DER RSASSA-PSS-params: {e}")))?;
    let mgf_hash = params
        .mask_gen
        .parameters
        .as_ref()
        .map(|h| h.oid.to_string());
    let supported = params.hash.oid.to_string() == SHA256
        && params.mask_gen.oid.to_string() == MGF1
        && mgf_hash.as_deref() == Some(SHA256)
        && params.salt_len == 32
        && params.trailer_field == rsa::pkcs1::TrailerField::BC;
    if supported {
        Ok(())
    } else {
        Err(invalid(
            "only SHA-256 with MGF1-SHA-256, a 32-byte salt and trailer field 1 are supported"
                .to_owned(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `RSASSA-PSS-params` for SHA-256 as OpenSSL writes them (the parameters of the
    /// AlgorithmIdentifier in firma-ades' test vector).
    const PSS_SHA256: &str = "3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120";

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn algorithms_map_to_what_the_key_can_do() {
        let ec = KeySpec::EcP256;
        let rsa = KeySpec::Rsa2048;
        assert_eq!(
            signature_algorithm(Some(ECDSA_SHA256), None, None, ec, "hashAlgo").unwrap(),
            SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256)
        );
        assert_eq!(
            signature_algorithm(Some(RSA_ENCRYPTION), Some(SHA256), None, rsa, "hashAlgo").unwrap(),
            SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256)
        );
        let e = signature_algorithm(Some(RSA_SHA256), None, None, ec, "hashAlgo").unwrap_err();
        assert_eq!(e.code, "unsupported_sign_algorithm");
        assert!(e.description.contains("ec-p256"), "{}", e.description);
        let e = signature_algorithm(
            Some(ECDSA_SHA256),
            Some("2.16.840.1.101.3.4.2.3"),
            None,
            ec,
            "hashAlgorithmOID",
        )
        .unwrap_err();
        assert_eq!(e.code, "unsupported_hash_algorithm");
        assert!(e.description.contains("hashAlgorithmOID"));
        let e = signature_algorithm(None, None, None, ec, "hashAlgo").unwrap_err();
        assert!(e.description.contains("signAlgo"));
    }

    #[test]
    fn pss_needs_the_parameters_the_hsm_uses() {
        let rsa = KeySpec::Rsa2048;
        let good = STANDARD.encode(hex(PSS_SHA256));
        assert_eq!(
            signature_algorithm(Some(RSASSA_PSS), None, Some(&good), rsa, "hashAlgo").unwrap(),
            SignatureAlgorithm::RsaPss(HashAlgorithm::Sha256)
        );
        assert!(signature_algorithm(Some(RSASSA_PSS), None, None, rsa, "hashAlgo").is_err());
        // Salt of 20 bytes (the DER default: the [2] field left out).
        let mut short_salt = hex(PSS_SHA256);
        short_salt.truncate(short_salt.len() - 5);
        short_salt[1] -= 5;
        let e = signature_algorithm(
            Some(RSASSA_PSS),
            None,
            Some(&STANDARD.encode(short_salt)),
            rsa,
            "hashAlgo",
        )
        .unwrap_err();
        assert!(e.description.contains("32-byte salt"), "{}", e.description);
        let e =
            signature_algorithm(Some(RSASSA_PSS), None, Some("%%"), rsa, "hashAlgo").unwrap_err();
        assert!(e.description.contains("base64"));
    }
}
