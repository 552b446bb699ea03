//! From a `SignatureAlgorithm` and a digest to the PKCS#11 mechanism and input, and back from the
//! token's output to the encoding the formats need.
//!
//! SoftHSM2 has no `CKM_ECDSA_SHA256`, and hashing inside the token would mean streaming whole
//! documents through it: the service hashes, the token signs the digest.

use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use firma_core::{HashAlgorithm, KeySpec, KeyStoreError, SignatureAlgorithm};

/// DER prefix of `DigestInfo` for each hash (RFC 8017 section 9.2, note 1).
fn digest_info_prefix(hash: HashAlgorithm) -> &'static [u8] {
    match hash {
        HashAlgorithm::Sha256 => &[
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ],
        HashAlgorithm::Sha384 => &[
            0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x02, 0x05, 0x00, 0x04, 0x30,
        ],
        HashAlgorithm::Sha512 => &[
            0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x03, 0x05, 0x00, 0x04, 0x40,
        ],
    }
}

fn pss_params(hash: HashAlgorithm) -> PkcsPssParams {
    let (hash_alg, mgf) = match hash {
        HashAlgorithm::Sha256 => (MechanismType::SHA256, PkcsMgfType::MGF1_SHA256),
        HashAlgorithm::Sha384 => (MechanismType::SHA384, PkcsMgfType::MGF1_SHA384),
        HashAlgorithm::Sha512 => (MechanismType::SHA512, PkcsMgfType::MGF1_SHA512),
    };
    PkcsPssParams {
        hash_alg,
        mgf,
        // RFC 4056 section 3 / ETSI TS 119 312: salt as long as the hash.
        s_len: (hash.output_len() as u64).into(),
    }
}

/// What to send to `C_Sign`: the mechanism and the data it signs.
pub(crate) struct SignInput {
    pub mechanism: Mechanism<'static>,
    pub data: Vec<u8>,
}

/// Checks the request before anything reaches the HSM and prepares the mechanism.
pub(crate) fn sign_input(
    spec: KeySpec,
    algorithm: SignatureAlgorithm,
    digest: &[u8],
) -> Result<SignInput, KeyStoreError> {
    if !algorithm.fits(spec) {
        return Err(KeyStoreError::InvalidInput(format!(
            "a {spec} key cannot make {algorithm:?} signatures"
        )));
    }
    let hash = algorithm.hash();
    if digest.len() != hash.output_len() {
        return Err(KeyStoreError::InvalidInput(format!(
            "a {hash:?} digest has {} bytes, got {}",
            hash.output_len(),
            digest.len()
        )));
    }
    Ok(match algorithm {
        SignatureAlgorithm::Ecdsa(_) => SignInput {
            mechanism: Mechanism::Ecdsa,
            data: digest.to_vec(),
        },
        SignatureAlgorithm::RsaPkcs1v15(h) => {
            let prefix = digest_info_prefix(h);
            let mut data = Vec::with_capacity(prefix.len() + digest.len());
            data.extend_from_slice(prefix);
            data.extend_from_slice(digest);
            SignInput {
                mechanism: Mechanism::RsaPkcs,
                data,
            }
        }
        SignatureAlgorithm::RsaPss(h) => SignInput {
            mechanism: Mechanism::RsaPkcsPss(pss_params(h)),
            data: digest.to_vec(),
        },
    })
}

/// Converts the token's output to the encoding of the port: `CKM_ECDSA` returns `r || s`
/// (PKCS#11 v2.40 section 2.3.1), CMS and X.509 want DER `ECDSA-Sig-Value` (RFC 5480 section 2.2).
pub(crate) fn encode_signature(
    algorithm: SignatureAlgorithm,
    raw: Vec<u8>,
) -> Result<Vec<u8>, KeyStoreError> {
    match algorithm {
        SignatureAlgorithm::Ecdsa(_) => p256::ecdsa::Signature::from_slice(&raw)
            .map(|sig| sig.to_der().as_bytes().to_vec())
            .map_err(|_| {
                KeyStoreError::Backend(format!(
                    "the HSM returned a {}-byte ECDSA signature, expected 64 bytes r||s",
                    raw.len()
                ))
            }),
        SignatureAlgorithm::RsaPkcs1v15(_) | SignatureAlgorithm::RsaPss(_) => Ok(raw),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_wrong_digest_lengths_and_algorithms() {
        let alg = SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256);
        assert!(matches!(
            sign_input(KeySpec::EcP256, alg, &[0; 31]),
            Err(KeyStoreError::InvalidInput(_))
        ));
        assert!(matches!(
            sign_input(KeySpec::Rsa2048, alg, &[0; 32]),
            Err(KeyStoreError::InvalidInput(_))
        ));
        assert!(sign_input(KeySpec::EcP256, alg, &[0; 32]).is_ok());
    }

    #[test]
    fn digest_info_is_der_of_the_hash_oid() {
        // The prefix must be SEQUENCE { SEQUENCE { OID, NULL }, OCTET STRING (len) }.
        for h in [
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ] {
            let p = digest_info_prefix(h);
            assert_eq!(usize::from(p[1]) + 2, p.len() + h.output_len());
            assert_eq!(usize::from(p[p.len() - 1]), h.output_len());
            let oid = h.oid();
            assert_eq!(&p[6..6 + oid.as_bytes().len()], oid.as_bytes());
        }
        let input = sign_input(
            KeySpec::Rsa2048,
            SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256),
            &[7; 32],
        )
        .unwrap();
        assert_eq!(input.data.len(), 19 + 32);
    }

    #[test]
    fn ecdsa_output_becomes_der() {
        let mut raw = vec![0u8; 64];
        raw[31] = 1;
        raw[63] = 2;
        let der = encode_signature(SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256), raw).unwrap();
        assert_eq!(der, [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02]);
        assert!(
            encode_signature(
                SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256),
                vec![1; 10]
            )
            .is_err()
        );
    }
}
