//! Sealing small secrets and keyed hashes under keys that never leave the token.

use cryptoki::object::{Attribute, AttributeInfo, AttributeType, ObjectClass};
use firma_core::{KeyStoreError, SecretCipher};
use firma_hsm::{MAC_KEY_LABEL, SEAL_KEY_LABEL};

use crate::support::{connect, raw_session};

firma_testkit::token_test!(fn sealed_secrets_open_only_unchanged_and_in_their_context(token) {
    let hsm = connect(token);
    let seed = b"12345678901234567890";
    let sealed = hsm.seal(b"token:ABC123", seed).unwrap();
    assert_eq!(sealed.len(), 1 + 12 + seed.len() + 16);
    assert!(!sealed.windows(seed.len()).any(|w| w == seed), "the seed must not appear in clear");
    assert_eq!(hsm.open(b"token:ABC123", &sealed).unwrap().as_slice(), seed);
    // A fresh IV each time: sealing twice gives different bytes.
    assert_ne!(hsm.seal(b"token:ABC123", seed).unwrap(), sealed);
    // Moved to another record, or changed anywhere: refused.
    let moved = hsm.open(b"token:XYZ999", &sealed);
    assert!(matches!(moved, Err(KeyStoreError::InvalidInput(_))), "{moved:?}");
    for i in [0, 1, 14, sealed.len() - 1] {
        let mut changed = sealed.clone();
        changed[i] ^= 0x80;
        assert!(hsm.open(b"token:ABC123", &changed).is_err(), "byte {i} changed");
    }
    assert!(hsm.open(b"token:ABC123", &sealed[..20]).is_err());
    // A new connection (as after a restart) opens what the first one sealed.
    drop(hsm);
    assert_eq!(connect(token).open(b"token:ABC123", &sealed).unwrap().as_slice(), seed);
});

firma_testkit::token_test!(fn keyed_hashes_are_stable_and_distinct(token) {
    let hsm = connect(token);
    let a = hsm.keyed_hash(b"challenge-1:123456").unwrap();
    assert_eq!(a, hsm.keyed_hash(b"challenge-1:123456").unwrap());
    assert_ne!(a, hsm.keyed_hash(b"challenge-1:123457").unwrap());
    // Not a plain hash: SHA-256 of the input differs from the keyed hash.
    use sha2::Digest;
    assert_ne!(a.as_slice(), sha2::Sha256::digest(b"challenge-1:123456").as_slice());
});

firma_testkit::token_test!(fn the_sealing_and_mac_keys_cannot_be_read(token) {
    let _hsm = connect(token);
    let s = raw_session(token);
    for label in [SEAL_KEY_LABEL, MAC_KEY_LABEL] {
        let keys = s
            .find_objects(&[
                Attribute::Class(ObjectClass::SECRET_KEY),
                Attribute::Label(label.as_bytes().to_vec()),
            ])
            .unwrap();
        assert_eq!(keys.len(), 1, "{label}");
        let info = s.get_attribute_info(keys[0], &[AttributeType::Value]).unwrap();
        assert!(matches!(info[0], AttributeInfo::Sensitive), "{label}: {info:?}");
    }
});
