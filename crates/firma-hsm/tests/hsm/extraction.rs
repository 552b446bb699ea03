//! Private keys cannot be read out of the token: not in clear, not wrapped under a key of an
//! attacker's choosing.

use cryptoki::mechanism::Mechanism;
use cryptoki::object::{
    Attribute, AttributeInfo, AttributeType, KeyType, ObjectClass, ObjectHandle,
};
use cryptoki::session::Session;
use firma_core::{KeyPurpose, KeyRef, KeySpec, KeyStore};

use crate::support::{connect, raw_session};

fn private_keys(s: &Session) -> Vec<ObjectHandle> {
    s.find_objects(&[Attribute::Class(ObjectClass::PRIVATE_KEY)])
        .unwrap()
}

fn bool_attr(s: &Session, h: ObjectHandle, t: AttributeType) -> bool {
    match s.get_attributes(h, &[t]).unwrap().pop() {
        Some(Attribute::Sensitive(b) | Attribute::Extractable(b) | Attribute::Token(b)) => b,
        other => panic!("{t:?}: {other:?}"),
    }
}

/// An AES key the attacker controls, able to wrap.
fn attacker_kek(s: &Session) -> ObjectHandle {
    s.generate_key(
        &Mechanism::AesKeyGen,
        &[
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(KeyType::AES),
            Attribute::ValueLen(32u64.into()),
            Attribute::Token(false),
            Attribute::Wrap(true),
            Attribute::Extractable(true),
            Attribute::Sensitive(false),
        ],
    )
    .unwrap()
}

fn assert_not_extractable(s: &Session, key: ObjectHandle) {
    assert!(
        bool_attr(s, key, AttributeType::Sensitive),
        "CKA_SENSITIVE must be true"
    );
    assert!(
        !bool_attr(s, key, AttributeType::Extractable),
        "CKA_EXTRACTABLE must be false"
    );
    let info = s
        .get_attribute_info(
            key,
            &[
                AttributeType::Value,
                AttributeType::PrivateExponent,
                AttributeType::Prime,
            ],
        )
        .unwrap();
    for i in info {
        assert!(
            matches!(i, AttributeInfo::Sensitive | AttributeInfo::TypeInvalid),
            "private key material must not be readable: {i:?}"
        );
    }
    let kek = attacker_kek(s);
    let wrapped = s.wrap_key(&Mechanism::AesKeyWrapPad, kek, key);
    assert!(
        wrapped.is_err(),
        "wrapping under an attacker's key must fail"
    );
}

firma_testkit::token_test!(fn token_keys_cannot_be_read_or_wrapped_out(token) {
    let hsm = connect(token);
    hsm.generate(KeySpec::Rsa2048, KeyPurpose::Service { label: "firma-ca".into() }).unwrap();
    hsm.generate(KeySpec::EcP256, KeyPurpose::Service { label: "firma-tsa".into() }).unwrap();
    let s = raw_session(token);
    let keys = private_keys(&s);
    assert_eq!(keys.len(), 2);
    for key in keys {
        assert!(bool_attr(&s, key, AttributeType::Token));
        assert_not_extractable(&s, key);
    }
});

firma_testkit::token_test!(fn officer_keys_exist_only_wrapped_or_unwrapped_for_use(token) {
    let hsm = connect(token);
    let made = hsm.generate(KeySpec::EcP256, KeyPurpose::Officer).unwrap();
    let s = raw_session(token);
    // After generation nothing of the officer key is left on the token.
    assert!(private_keys(&s).is_empty(), "the clear officer key must be destroyed after wrapping");
    let KeyRef::Wrapped { blob, .. } = &made.key else { panic!("expected a wrapped key") };
    // The blob is not a PKCS#8 structure in clear.
    assert_ne!(blob.first(), Some(&0x30));
    // While a batch is being signed, the unwrapped copy is a sensitive, non-extractable session object.
    let active = hsm.activate(&made.key).unwrap();
    let keys = private_keys(&s);
    assert_eq!(keys.len(), 1);
    assert!(!bool_attr(&s, keys[0], AttributeType::Token));
    assert_not_extractable(&s, keys[0]);
    // And it is gone when the batch is done.
    drop(active);
    assert!(private_keys(&s).is_empty(), "the unwrapped key must be destroyed on drop");
});
