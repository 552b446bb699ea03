//! The wrapped-key model: the blob lives outside the HSM, survives a restart, signs only through
//! the token's KEK, and a damaged blob is refused.

use firma_core::{
    HashAlgorithm, KeyPurpose, KeyRef, KeySpec, KeyStore, KeyStoreError, SignatureAlgorithm,
};

use crate::support::{connect, sha256, verify};

firma_testkit::token_test!(fn wrapped_keys_round_trip_across_connections(token) {
    let stored = {
        let hsm = connect(token);
        [KeySpec::EcP256, KeySpec::Rsa2048]
            .map(|spec| hsm.generate(spec, KeyPurpose::Officer).unwrap())
    };
    // As after a restart: a new connection, the blobs from "the database".
    let hsm = connect(token);
    for generated in &stored {
        let alg = generated.key.spec().default_algorithm();
        let key = hsm.activate(&generated.key).unwrap();
        for i in 0..3 {
            let msg = format!("documento {i}");
            let sig = key.sign_digest(alg, &sha256(msg.as_bytes())).unwrap();
            verify(&generated.public_key, alg, msg.as_bytes(), &sig);
        }
    }
});

firma_testkit::token_test!(fn damaged_or_foreign_blobs_are_refused(token) {
    let hsm = connect(token);
    let made = hsm.generate(KeySpec::EcP256, KeyPurpose::Officer).unwrap();
    let KeyRef::Wrapped { spec, kek_label, blob } = made.key.clone() else { panic!("wrapped") };
    let mut flipped = blob.clone();
    flipped[40] ^= 0x01;
    let damaged = KeyRef::Wrapped { spec, kek_label: kek_label.clone(), blob: flipped };
    assert!(matches!(hsm.activate(&damaged), Err(KeyStoreError::KeyNotFound(_))));
    let truncated = KeyRef::Wrapped { spec, kek_label: kek_label.clone(), blob: blob[..blob.len() - 8].to_vec() };
    assert!(hsm.activate(&truncated).is_err());
    let unknown_kek = KeyRef::Wrapped { spec, kek_label: "no-such-kek".into(), blob: blob.clone() };
    assert!(matches!(hsm.activate(&unknown_kek), Err(KeyStoreError::KeyNotFound(_))));
    // A blob declared as the wrong key type does not unwrap into a usable key.
    let mislabelled = KeyRef::Wrapped { spec: KeySpec::Rsa2048, kek_label, blob };
    match hsm.activate(&mislabelled) {
        Err(_) => {}
        Ok(k) => assert!(k
            .sign_digest(SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256), &[0; 32])
            .is_err()),
    }
});

firma_testkit::token_test!(fn a_blob_is_useless_under_another_token(token) {
    // The same blob given to a token with a different KEK: it must not unwrap.
    let hsm = connect(token);
    let made = hsm.generate(KeySpec::EcP256, KeyPurpose::Officer).unwrap();
    // A second KEK on the same token stands in for another token's KEK.
    hsm.ensure_kek("other-kek").unwrap();
    let KeyRef::Wrapped { spec, blob, .. } = made.key else { panic!("wrapped") };
    let foreign = KeyRef::Wrapped { spec, kek_label: "other-kek".into(), blob };
    assert!(matches!(hsm.activate(&foreign), Err(KeyStoreError::KeyNotFound(_))));
});
