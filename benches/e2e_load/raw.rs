//! The raw HSM rate the end-to-end figures are compared with: `C_Sign` through cryptoki on the
//! benchmark's own SoftHSM2 token, with a key pair of the same type as the officer's, as a session
//! object (how the service holds an activated officer key), one thread per session.

use std::time::{Duration, Instant};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::types::AuthPin;
use firma_testkit::softhsm::TestToken;

/// DER prefix of a SHA-256 DigestInfo (RFC 8017 section 9.2): what PKCS#1 v1.5 signs.
const DIGEST_INFO_SHA256: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];
/// The named curve P-256 (RFC 5480 section 2.1.1.1).
const P256_PARAMS: [u8; 10] = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    P256,
    Rsa2048,
}

impl KeyKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::P256 => "P-256",
            Self::Rsa2048 => "RSA-2048",
        }
    }

    /// The `--key-type` of `firma credentials issue`.
    pub fn cli(self) -> &'static str {
        match self {
            Self::P256 => "ec-p256",
            Self::Rsa2048 => "rsa-2048",
        }
    }
}

/// Signatures per second for each key kind and session count (`(kind, sessions, rate)`), each
/// measured for `duration` with one thread per session.
pub fn c_sign_rates(
    token: &TestToken,
    configs: &[(KeyKind, usize)],
    duration: Duration,
) -> Vec<(KeyKind, usize, f64)> {
    let ctx = Pkcs11::new(token.module()).expect("loading SoftHSM2");
    ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .expect("C_Initialize");
    let slot = ctx
        .get_slots_with_initialized_token()
        .expect("slots")
        .into_iter()
        .find(|s| {
            ctx.get_token_info(*s)
                .is_ok_and(|i| i.label().trim() == token.label)
        })
        .expect("the benchmark's token");
    configs
        .iter()
        .map(|&(kind, sessions)| {
            let rate = c_sign_rate(&ctx, slot, token, kind, sessions, duration);
            (kind, sessions, rate)
        })
        .collect()
}

fn c_sign_rate(
    ctx: &Pkcs11,
    slot: cryptoki::slot::Slot,
    token: &TestToken,
    kind: KeyKind,
    sessions: usize,
    duration: Duration,
) -> f64 {
    let admin = ctx.open_rw_session(slot).expect("a session");
    // One login serves every session of the application; "already logged in" is fine.
    let _ = admin.login(UserType::User, Some(&AuthPin::from(token.user_pin.clone())));
    let key = generate(&admin, kind);
    let mut data = Vec::new();
    if kind == KeyKind::Rsa2048 {
        data.extend_from_slice(&DIGEST_INFO_SHA256);
    }
    data.extend_from_slice(&[0x5a; 32]);
    // Sessions are Send but not Sync: each thread owns one, as the service's pool lends them.
    let workers: Vec<Session> = (0..sessions)
        .map(|_| ctx.open_rw_session(slot).expect("a session"))
        .collect();
    let started = Instant::now();
    let total: u64 = std::thread::scope(|scope| {
        let handles: Vec<_> = workers
            .into_iter()
            .map(|session| {
                let data = &data;
                scope.spawn(move || {
                    // Mechanisms are not Sync: each thread makes its own.
                    let mechanism = match kind {
                        KeyKind::P256 => Mechanism::Ecdsa,
                        KeyKind::Rsa2048 => Mechanism::RsaPkcs,
                    };
                    let mut n = 0u64;
                    while started.elapsed() < duration {
                        std::hint::black_box(session.sign(&mechanism, key, data).expect("C_Sign"));
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("signer")).sum()
    });
    let rate = total as f64 / started.elapsed().as_secs_f64();
    let _ = admin.destroy_object(key);
    rate
}

fn generate(session: &Session, kind: KeyKind) -> ObjectHandle {
    let (mechanism, mut public) = match kind {
        KeyKind::P256 => (
            Mechanism::EccKeyPairGen,
            vec![Attribute::EcParams(P256_PARAMS.to_vec())],
        ),
        KeyKind::Rsa2048 => (
            Mechanism::RsaPkcsKeyPairGen,
            vec![
                Attribute::ModulusBits(2048u64.into()),
                Attribute::PublicExponent(vec![0x01, 0x00, 0x01]),
            ],
        ),
    };
    public.extend([Attribute::Token(false), Attribute::Verify(true)]);
    let private = [
        Attribute::Token(false),
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Sign(true),
    ];
    let (_, private) = session
        .generate_key_pair(&mechanism, &public, &private)
        .expect("generating the raw-rate key pair");
    private
}
