//! Raw signing through the PKCS#11 adapter against calling cryptoki directly on the same key
//! object, for ECDSA P-256 and RSA-2048, with 1 and 2 sessions (threads).
//!
//! `cargo bench --bench hsm_sign`. The benchmark makes its own SoftHSM2 token (it re-runs itself
//! with `SOFTHSM2_CONF` pointing at it). The adapter should stay within 10% of direct cryptoki.

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group};
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, ObjectClass};
use cryptoki::session::Session;
use firma_core::{ActiveKey, KeyPurpose, KeySpec, KeyStore};
use firma_hsm::{Hsm, HsmConfig};
use firma_testkit::softhsm::{TestToken, reexec_with_token};

const DIGEST_INFO_SHA256: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

struct Setup {
    hsm: Hsm,
    token: TestToken,
}

fn setup() -> Setup {
    let token = reexec_with_token();
    let mut config = HsmConfig::new(
        token.module(),
        token.label.clone(),
        token.user_pin.clone().into(),
    );
    config.sessions = 2;
    let hsm = Hsm::connect(&config).expect("connecting to the bench token");
    for (spec, label) in [
        (KeySpec::EcP256, "bench-ec"),
        (KeySpec::Rsa2048, "bench-rsa"),
    ] {
        if hsm.find_service_key(label).unwrap().is_none() {
            hsm.generate(
                spec,
                KeyPurpose::Service {
                    label: label.into(),
                },
            )
            .unwrap();
        }
    }
    Setup { hsm, token }
}

/// A session of our own on the same token, as a program using cryptoki directly would have.
fn direct_session(token: &TestToken) -> Session {
    let ctx = Pkcs11::new(token.module()).unwrap();
    let _ = ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK));
    let slot = ctx
        .get_slots_with_initialized_token()
        .unwrap()
        .into_iter()
        .find(|s| ctx.get_token_info(*s).unwrap().label().trim() == token.label)
        .unwrap();
    // The adapter has logged the application in; the login is shared by every session.
    ctx.open_rw_session(slot).unwrap()
}

fn direct_sign_fn(session: &Session, label: &str) -> impl Fn(&Session) + use<> {
    let handle = session
        .find_objects(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::Label(label.as_bytes().to_vec()),
        ])
        .unwrap()[0];
    let rsa = label.contains("rsa");
    let mut data = Vec::new();
    if rsa {
        data.extend_from_slice(&DIGEST_INFO_SHA256);
    }
    data.extend_from_slice(&[0x5a; 32]);
    move |s: &Session| {
        let mechanism = if rsa {
            Mechanism::RsaPkcs
        } else {
            Mechanism::Ecdsa
        };
        std::hint::black_box(s.sign(&mechanism, handle, &data).unwrap());
    }
}

/// Runs `iters` operations split over `threads` threads; returns the wall time.
fn parallel(iters: u64, threads: u64, op: impl Fn(u64) + Sync) -> Duration {
    let started = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..threads {
            let op = &op;
            let share = iters / threads + u64::from(t < iters % threads);
            scope.spawn(move || {
                for _ in 0..share {
                    op(t);
                }
            });
        }
    });
    started.elapsed()
}

fn bench(c: &mut Criterion) {
    let Setup { hsm, token } = setup();
    for (spec, label) in [
        (KeySpec::EcP256, "bench-ec"),
        (KeySpec::Rsa2048, "bench-rsa"),
    ] {
        let service = hsm.find_service_key(label).unwrap().unwrap();
        let adapter_key: Arc<dyn ActiveKey> = Arc::from(hsm.activate(&service.key).unwrap());
        let officer = hsm.generate(spec, KeyPurpose::Officer).unwrap();
        let officer_key: Arc<dyn ActiveKey> = Arc::from(hsm.activate(&officer.key).unwrap());
        let algorithm = spec.default_algorithm();
        let digest = [0x5a; 32];

        let mut group = c.benchmark_group(format!("hsm_sign/{spec}"));
        group.throughput(Throughput::Elements(1));
        if spec.is_rsa() {
            group
                .sample_size(20)
                .measurement_time(Duration::from_secs(4));
        } else {
            group.measurement_time(Duration::from_secs(3));
        }
        for threads in [1u64, 2] {
            let sessions: Vec<Session> = (0..threads).map(|_| direct_session(&token)).collect();
            let sign = direct_sign_fn(&sessions[0], label);
            // Sessions are Send but not Sync: each thread takes its own, as the pool does.
            let sessions: Vec<std::sync::Mutex<Session>> =
                sessions.into_iter().map(std::sync::Mutex::new).collect();
            group.bench_function(format!("cryptoki-direct/{threads}-session"), |b| {
                b.iter_custom(|iters| {
                    parallel(iters, threads, |t| {
                        let s = sessions[t as usize].lock().unwrap();
                        sign(&s);
                    })
                })
            });
            group.bench_function(format!("adapter-token-key/{threads}-session"), |b| {
                b.iter_custom(|iters| {
                    parallel(iters, threads, |_| {
                        std::hint::black_box(adapter_key.sign_digest(algorithm, &digest).unwrap());
                    })
                })
            });
            group.bench_function(
                format!("adapter-wrapped-officer-key/{threads}-session"),
                |b| {
                    b.iter_custom(|iters| {
                        parallel(iters, threads, |_| {
                            std::hint::black_box(
                                officer_key.sign_digest(algorithm, &digest).unwrap(),
                            );
                        })
                    })
                },
            );
        }
        // A whole wrapped-key activation: unwrap, one signature, destroy (why the service
        // unwraps once per authorised batch, never per signature).
        group.bench_function("adapter-unwrap-sign-destroy/1-session", |b| {
            b.iter(|| {
                let key = hsm.activate(&officer.key).unwrap();
                std::hint::black_box(key.sign_digest(algorithm, &digest).unwrap());
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);

fn main() {
    // In the first process this re-runs the benchmark, with the same arguments, in a child that
    // sees a fresh token, and exits with its status; in the child it returns at once.
    drop(reexec_with_token());
    benches();
    Criterion::default().configure_from_args().final_summary();
}
