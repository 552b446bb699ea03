//! Attribute templates for the objects the adapter creates (PKCS#11 v2.40 sections 4.4-4.9).

use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, KeyType, ObjectClass};
use firma_core::KeySpec;

/// DER of the named curve OID prime256v1 / secp256r1 (RFC 5480 section 2.1.1.1), for `CKA_EC_PARAMS`.
const P256_PARAMS: [u8; 10] = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];

/// Where a generated private key is kept.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Storage {
    /// Persistent, never extractable: service keys, and officer keys the HSM cannot wrap.
    Token,
    /// A session object, extractable only by wrapping (and, with `wrap_with_trusted`, only under
    /// a `CKA_TRUSTED` key), so that it can be wrapped under the KEK right after generation.
    Wrappable { wrap_with_trusted: bool },
}

pub(crate) fn key_pair_mechanism(spec: KeySpec) -> Mechanism<'static> {
    if spec.is_rsa() {
        Mechanism::RsaPkcsKeyPairGen
    } else {
        Mechanism::EccKeyPairGen
    }
}

pub(crate) fn key_type(spec: KeySpec) -> KeyType {
    if spec.is_rsa() {
        KeyType::RSA
    } else {
        KeyType::EC
    }
}

/// Public and private templates for a signing key pair.
pub(crate) fn key_pair(
    spec: KeySpec,
    id: &[u8],
    label: &str,
    storage: Storage,
) -> (Vec<Attribute>, Vec<Attribute>) {
    let on_token = matches!(storage, Storage::Token);
    let mut public = vec![
        Attribute::Token(on_token),
        Attribute::Private(false),
        Attribute::Verify(true),
        Attribute::Encrypt(false),
        Attribute::Wrap(false),
        Attribute::Id(id.to_vec()),
        Attribute::Label(label.as_bytes().to_vec()),
    ];
    match spec.rsa_bits() {
        Some(bits) => {
            public.push(Attribute::ModulusBits(u64::from(bits).into()));
            public.push(Attribute::PublicExponent(vec![0x01, 0x00, 0x01]));
        }
        None => public.push(Attribute::EcParams(P256_PARAMS.to_vec())),
    }
    let mut private = vec![
        Attribute::Token(on_token),
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Sign(true),
        Attribute::Decrypt(false),
        Attribute::Unwrap(false),
        Attribute::Derive(false),
        Attribute::Id(id.to_vec()),
        Attribute::Label(label.as_bytes().to_vec()),
    ];
    match storage {
        Storage::Token => private.push(Attribute::Extractable(false)),
        Storage::Wrappable { wrap_with_trusted } => {
            private.push(Attribute::Extractable(true));
            if wrap_with_trusted {
                private.push(Attribute::WrapWithTrusted(true));
            }
        }
    }
    (public, private)
}

/// Template for the unwrapped, ephemeral copy of an officer key: a session object that can sign
/// and nothing else, and can never be wrapped out again.
pub(crate) fn unwrapped_private_key(spec: KeySpec) -> Vec<Attribute> {
    vec![
        Attribute::Class(ObjectClass::PRIVATE_KEY),
        Attribute::KeyType(key_type(spec)),
        Attribute::Token(false),
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Extractable(false),
        Attribute::Sign(true),
        Attribute::Decrypt(false),
        Attribute::Unwrap(false),
        Attribute::Derive(false),
    ]
}

/// The key-encryption key: AES-256 on the token, never extractable, only wraps and unwraps.
pub(crate) fn kek(id: &[u8], label: &str) -> Vec<Attribute> {
    vec![
        Attribute::Class(ObjectClass::SECRET_KEY),
        Attribute::KeyType(KeyType::AES),
        Attribute::ValueLen(32u64.into()),
        Attribute::Token(true),
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Extractable(false),
        Attribute::Wrap(true),
        Attribute::Unwrap(true),
        Attribute::Encrypt(false),
        Attribute::Decrypt(false),
        Attribute::Sign(false),
        Attribute::Verify(false),
        Attribute::Derive(false),
        Attribute::Id(id.to_vec()),
        Attribute::Label(label.as_bytes().to_vec()),
    ]
}

/// The sealing key: AES-256 on the token, never extractable, encrypts and decrypts only.
pub(crate) fn seal_key(id: &[u8], label: &str) -> Vec<Attribute> {
    secret(
        id,
        label,
        KeyType::AES,
        &[Attribute::Encrypt(true), Attribute::Decrypt(true)],
    )
}

/// The MAC key: 256-bit generic secret on the token, never extractable, HMAC only.
pub(crate) fn mac_key(id: &[u8], label: &str) -> Vec<Attribute> {
    secret(
        id,
        label,
        KeyType::GENERIC_SECRET,
        &[Attribute::Sign(true), Attribute::Verify(true)],
    )
}

fn secret(id: &[u8], label: &str, key_type: KeyType, uses: &[Attribute]) -> Vec<Attribute> {
    let mut t = vec![
        Attribute::Class(ObjectClass::SECRET_KEY),
        Attribute::KeyType(key_type),
        Attribute::ValueLen(32u64.into()),
        Attribute::Token(true),
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Extractable(false),
        Attribute::Id(id.to_vec()),
        Attribute::Label(label.as_bytes().to_vec()),
    ];
    for flag in [
        Attribute::Encrypt(false),
        Attribute::Decrypt(false),
        Attribute::Sign(false),
        Attribute::Verify(false),
        Attribute::Wrap(false),
        Attribute::Unwrap(false),
        Attribute::Derive(false),
    ] {
        let chosen = uses
            .iter()
            .find(|u| std::mem::discriminant(*u) == std::mem::discriminant(&flag));
        t.push(chosen.cloned().unwrap_or(flag));
    }
    t
}
