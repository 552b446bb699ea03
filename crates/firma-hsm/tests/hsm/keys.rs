//! Key generation in the token and signatures over digests, checked by independent verifiers.

use firma_core::{
    HashAlgorithm, KeyPurpose, KeyRef, KeySpec, KeyStore, KeyStoreError, SignatureAlgorithm,
};

use crate::support::{assert_rejects, connect, sha256, verify};

fn sign_and_verify(
    spec: KeySpec,
    algorithm: SignatureAlgorithm,
    purpose: KeyPurpose,
    token: &firma_testkit::softhsm::TestToken,
) {
    let hsm = connect(token);
    let generated = hsm.generate(spec, purpose).unwrap();
    assert_eq!(generated.key.spec(), spec);
    let key = hsm.activate(&generated.key).unwrap();
    let message = format!("atto di nascita n. 1 firmato con {spec}");
    let signature = key
        .sign_digest(algorithm, &sha256(message.as_bytes()))
        .unwrap();
    verify(
        &generated.public_key,
        algorithm,
        message.as_bytes(),
        &signature,
    );
    assert_rejects(
        &generated.public_key,
        algorithm,
        b"another atto",
        &signature,
    );
}

firma_testkit::token_test!(fn officer_p256_is_wrapped_and_signs(token) {
    let hsm = connect(token);
    let generated = hsm.generate(KeySpec::EcP256, KeyPurpose::Officer).unwrap();
    match &generated.key {
        KeyRef::Wrapped { blob, kek_label, .. } => {
            assert_eq!(kek_label, "firma-kek");
            // PKCS#8 of a P-256 key (with its public point omitted by SoftHSM) padded and
            // wrapped by RFC 5649: 80 bytes on SoftHSM 2.6.
            assert_eq!(blob.len(), 80, "unexpected wrapped P-256 blob size");
        }
        other => panic!("officer P-256 keys should be wrapped, got {other:?}"),
    }
    drop(hsm);
    sign_and_verify(KeySpec::EcP256, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256), KeyPurpose::Officer, token);
});

firma_testkit::token_test!(fn officer_rsa_2048_signs_pkcs1_and_pss(token) {
    sign_and_verify(KeySpec::Rsa2048, SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256), KeyPurpose::Officer, token);
    sign_and_verify(KeySpec::Rsa2048, SignatureAlgorithm::RsaPss(HashAlgorithm::Sha256), KeyPurpose::Officer, token);
});

firma_testkit::token_test!(fn officer_rsa_3072_signs(token) {
    let hsm = connect(token);
    let generated = hsm.generate(KeySpec::Rsa3072, KeyPurpose::Officer).unwrap();
    assert!(matches!(generated.key, KeyRef::Wrapped { .. }));
    let key = hsm.activate(&generated.key).unwrap();
    let alg = SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256);
    let sig = key.sign_digest(alg, &sha256(b"3072")).unwrap();
    assert_eq!(sig.len(), 384);
    verify(&generated.public_key, alg, b"3072", &sig);
});

firma_testkit::token_test!(fn service_keys_are_found_again_by_label(token) {
    let hsm = connect(token);
    let label = "firma-tsa".to_owned();
    assert!(hsm.find_service_key(&label).unwrap().is_none());
    let made = hsm.generate(KeySpec::Rsa2048, KeyPurpose::Service { label: label.clone() }).unwrap();
    assert!(matches!(made.key, KeyRef::Token { .. }));
    let again = hsm.generate(KeySpec::EcP256, KeyPurpose::Service { label: label.clone() });
    assert!(matches!(again, Err(KeyStoreError::InvalidInput(_))), "{again:?}");
    drop(hsm);
    // A new connection (as after a restart) finds the same key with the same public key.
    let hsm = connect(token);
    let found = hsm.find_service_key(&label).unwrap().expect("service key persists on the token");
    assert_eq!(found, made);
    let alg = SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256);
    let sig = hsm.activate(&found.key).unwrap().sign_digest(alg, &sha256(b"tsa")).unwrap();
    verify(&found.public_key, alg, b"tsa", &sig);
});

firma_testkit::token_test!(fn bad_requests_are_refused_before_the_hsm(token) {
    let hsm = connect(token);
    let ec = hsm.generate(KeySpec::EcP256, KeyPurpose::Officer).unwrap();
    let key = hsm.activate(&ec.key).unwrap();
    let short = key.sign_digest(SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256), &[0; 20]);
    assert!(matches!(short, Err(KeyStoreError::InvalidInput(_))), "{short:?}");
    let wrong = key.sign_digest(SignatureAlgorithm::RsaPss(HashAlgorithm::Sha256), &[0; 32]);
    assert!(matches!(wrong, Err(KeyStoreError::InvalidInput(_))), "{wrong:?}");
    // SHA-384 and SHA-512 digests are accepted for ECDSA and verify with the matching hash.
    let sig = key.sign_digest(SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha512), &[1; 64]).unwrap();
    assert!(sig.len() >= 8 && sig[0] == 0x30);
});

firma_testkit::token_test!(fn destroyed_token_key_cannot_sign(token) {
    let hsm = connect(token);
    let made = hsm.generate(KeySpec::EcP256, KeyPurpose::Service { label: "firma-audit".into() }).unwrap();
    let active = hsm.activate(&made.key).unwrap();
    let alg = SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256);
    active.sign_digest(alg, &sha256(b"before")).unwrap();
    hsm.destroy(&made.key).unwrap();
    let after = active.sign_digest(alg, &sha256(b"after"));
    assert!(matches!(after, Err(KeyStoreError::KeyNotFound(_))), "{after:?}");
    assert!(matches!(hsm.activate(&made.key), Err(KeyStoreError::KeyNotFound(_))));
    assert!(hsm.find_service_key("firma-audit").unwrap().is_none());
    assert!(matches!(hsm.destroy(&made.key), Err(KeyStoreError::KeyNotFound(_))));
});
