//! Shared helpers: connect to the test token, hash, verify with independent implementations.

use std::time::Duration;

use firma_core::{PublicKeyDer, SignatureAlgorithm};
use firma_hsm::{Hsm, HsmConfig};
use firma_testkit::softhsm::TestToken;
use p256::pkcs8::DecodePublicKey;
use sha2::Digest;

pub fn config(token: &TestToken) -> HsmConfig {
    let mut c = HsmConfig::new(
        token.module(),
        token.label.clone(),
        token.user_pin.clone().into(),
    );
    c.sessions = 4;
    c.token_wait = Duration::from_millis(300);
    c
}

pub fn connect(token: &TestToken) -> Hsm {
    Hsm::connect(&config(token)).expect("connecting to the test token")
}

pub fn sha256(data: &[u8]) -> Vec<u8> {
    sha2::Sha256::digest(data).to_vec()
}

/// Verifies `signature` over `message` with the RustCrypto implementations, which share no code
/// with SoftHSM (OpenSSL/Botan inside).
pub fn verify(
    public_key: &PublicKeyDer,
    algorithm: SignatureAlgorithm,
    message: &[u8],
    signature: &[u8],
) {
    use firma_core::HashAlgorithm::Sha256;
    match algorithm {
        SignatureAlgorithm::Ecdsa(Sha256) => {
            use p256::ecdsa::signature::Verifier;
            let key = p256::ecdsa::VerifyingKey::from_public_key_der(public_key.as_bytes())
                .expect("P-256 SPKI");
            let sig = p256::ecdsa::Signature::from_der(signature).expect("DER ECDSA signature");
            key.verify(message, &sig).expect("ECDSA signature verifies");
        }
        SignatureAlgorithm::RsaPkcs1v15(Sha256) => {
            use rsa::signature::Verifier;
            let key =
                rsa::RsaPublicKey::from_public_key_der(public_key.as_bytes()).expect("RSA SPKI");
            let key = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key);
            let sig = rsa::pkcs1v15::Signature::try_from(signature).expect("RSA signature");
            key.verify(message, &sig)
                .expect("RSA PKCS#1 v1.5 signature verifies");
        }
        SignatureAlgorithm::RsaPss(Sha256) => {
            use rsa::signature::Verifier;
            let key =
                rsa::RsaPublicKey::from_public_key_der(public_key.as_bytes()).expect("RSA SPKI");
            let key = rsa::pss::VerifyingKey::<sha2::Sha256>::new(key);
            let sig = rsa::pss::Signature::try_from(signature).expect("RSA signature");
            key.verify(message, &sig)
                .expect("RSA-PSS signature verifies");
        }
        other => panic!("no verifier for {other:?} in these tests"),
    }
}

/// Asserts that verification of a wrong message fails (the verifier is not vacuous).
pub fn assert_rejects(
    public_key: &PublicKeyDer,
    algorithm: SignatureAlgorithm,
    message: &[u8],
    signature: &[u8],
) {
    let result = std::panic::catch_unwind(|| verify(public_key, algorithm, message, signature));
    assert!(
        result.is_err(),
        "a signature over another message must not verify"
    );
}

/// A raw cryptoki session on the test token, beside the adapter's (same process, so it shares
/// the adapter's login): what code with access to the module could try.
pub fn raw_session(token: &TestToken) -> cryptoki::session::Session {
    use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
    let ctx = Pkcs11::new(token.module()).unwrap();
    // The adapter has initialised the module already in this process.
    let _ = ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK));
    let slot = ctx
        .get_slots_with_initialized_token()
        .unwrap()
        .into_iter()
        .find(|s| ctx.get_token_info(*s).unwrap().label().trim() == token.label)
        .expect("test token slot");
    ctx.open_rw_session(slot).unwrap()
}
