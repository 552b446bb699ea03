//! The pool survives the module dropping the login of its sessions.

use firma_core::{KeyPurpose, KeySpec, KeyStore};

use crate::support::{connect, raw_session, sha256, verify};

firma_testkit::token_test!(fn signing_resumes_after_a_logout(token) {
    let hsm = connect(token);
    let made = hsm.generate(KeySpec::EcP256, KeyPurpose::Service { label: "firma-ca".into() }).unwrap();
    // Logging out on any session logs out the whole application (PKCS#11 v2.40 section 5.6).
    raw_session(token).logout().unwrap();
    let alg = KeySpec::EcP256.default_algorithm();
    let sig = hsm.activate(&made.key).unwrap().sign_digest(alg, &sha256(b"x")).unwrap();
    verify(&made.public_key, alg, b"x", &sig);
    assert!(hsm.health().unwrap().kek_present);
});
