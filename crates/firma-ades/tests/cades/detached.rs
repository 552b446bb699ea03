//! Detached signatures: `sign_detached_digest` (what PAdES embeds) and `sign_detached` (`.p7s`,
//! streamed content).

use firma_ades::cades::{BaselineLevel, DetachedContent, Profile, inspect, sign_detached};
use firma_ades::cms::{CmsError, CmsOptions, digest, estimated_max_len, sign_detached_digest};
use firma_core::{HashAlgorithm, KeySpec, SignatureAlgorithm};
use firma_testkit::pki::TestPki;

use super::support::*;

#[test]
fn detached_digest_signature_verifies_with_openssl() {
    let content = document(5_000);
    let content_file = write("detached-content.bin", &content);
    let other = write("detached-other.bin", b"other content");
    for (spec, alg) in algorithms() {
        let pki = TestPki::shared(spec);
        let chain = chain_of(&pki.signer, spec);
        let d = digest(alg.hash(), &content);
        let cms = sign_detached_digest(
            pki.signer.key.as_ref(),
            alg,
            &chain,
            &d,
            &CmsOptions::default(),
        )
        .expect("sign");
        assert!(
            cms.len() <= estimated_max_len(&chain, alg, false),
            "{alg:?}: {} bytes",
            cms.len()
        );
        let f = write(&format!("detached-{alg:?}.p7s"), &cms);
        assert_ok(
            &cms_verify(&f, Some(&content_file), true),
            &format!("openssl cms -verify -cades ({alg:?})"),
        );
        assert_fails(
            &cms_verify(&f, Some(&other), false),
            "verification against other content",
        );

        // Our own level check: PAdES profile (no signing-time), B-B.
        let report = inspect(&cms, Some(DetachedContent::Digest(alg.hash(), &d))).expect("inspect");
        assert_eq!(report.signers.len(), 1);
        let signer = &report.signers[0];
        assert_eq!(signer.error, None);
        assert_eq!(signer.signing_time, None);
        assert_eq!(signer.level(Profile::Pades), Some(BaselineLevel::B));
        assert_eq!(
            signer.level(Profile::Cades),
            None,
            "CAdES B-B needs signing-time"
        );
    }
}

#[test]
fn streamed_p7s_with_signing_time_is_cades_b_b() {
    let content = document(300_000);
    let content_file = write("p7s-content.bin", &content);
    for (spec, alg) in algorithms() {
        let pki = TestPki::shared(spec);
        let chain = chain_of(&pki.signer, spec);
        let options = CmsOptions {
            signing_time: Some(TestPki::valid_at()),
            ..CmsOptions::default()
        };
        // A reader that yields small pieces: the hash must not depend on how content arrives.
        let reader = std::io::BufReader::with_capacity(777, &content[..]);
        let p7s =
            sign_detached(pki.signer.key.as_ref(), alg, &chain, reader, &options).expect("sign");
        let f = write(&format!("streamed-{alg:?}.p7s"), &p7s);
        assert_ok(
            &cms_verify(&f, Some(&content_file), true),
            "openssl cms -verify -cades",
        );
        let report = inspect(&p7s, Some(DetachedContent::Bytes(&content))).expect("inspect");
        assert!(!report.attached);
        assert_eq!(report.signers[0].signing_time, Some(TestPki::valid_at()));
        assert_eq!(
            report.signers[0].level(Profile::Cades),
            Some(BaselineLevel::B)
        );
        let mut changed = content.clone();
        changed[150_000] ^= 1;
        let report = inspect(&p7s, Some(DetachedContent::Bytes(&changed))).expect("inspect");
        assert!(
            report.signers[0]
                .error
                .as_deref()
                .unwrap_or("")
                .contains("message-digest")
        );
        assert_eq!(report.signers[0].level(Profile::Cades), None);
    }
}

#[test]
fn wrong_inputs_are_refused_before_signing() {
    let ec = TestPki::shared(KeySpec::EcP256);
    let rsa = TestPki::shared(KeySpec::Rsa2048);
    let ec_chain = chain_of(&ec.signer, KeySpec::EcP256);
    let alg = SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256);
    let opts = CmsOptions::default();
    // Digest of the wrong length.
    assert!(matches!(
        sign_detached_digest(ec.signer.key.as_ref(), alg, &ec_chain, &[0u8; 20], &opts),
        Err(CmsError::DigestLength {
            expected: 32,
            actual: 20,
            ..
        })
    ));
    // An RSA algorithm for an EC key.
    assert!(matches!(
        sign_detached_digest(
            ec.signer.key.as_ref(),
            SignatureAlgorithm::RsaPss(HashAlgorithm::Sha256),
            &ec_chain,
            &[0u8; 32],
            &opts
        ),
        Err(CmsError::AlgorithmDoesNotFitKey { .. })
    ));
    // The key does not belong to the certificate: caught by the self-check.
    assert!(matches!(
        sign_detached_digest(ec.signer2.key.as_ref(), alg, &ec_chain, &[0u8; 32], &opts),
        Err(CmsError::KeyCertificateMismatch(_))
    ));
    // An EC certificate with an RSA key.
    assert!(matches!(
        sign_detached_digest(
            rsa.signer.key.as_ref(),
            SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256),
            &ec_chain,
            &[0u8; 32],
            &opts
        ),
        Err(CmsError::AlgorithmDoesNotFitCertificate { .. })
    ));
    // Not a certificate.
    assert!(matches!(
        firma_ades::cms::SignerChain::from_der(b"not a certificate", Vec::<Vec<u8>>::new()),
        Err(CmsError::InvalidCertificate { index: 0, .. })
    ));
}
