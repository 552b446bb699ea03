//! OTP verification throughput (firma-otp, pure computation, no database): TOTP with a ±1 step
//! window (3 HMACs per verification) and HOTP with a look-ahead of 10 (11 HMACs, 12 when a
//! rejected code is also checked for a replay), for HMAC-SHA-1 and HMAC-SHA-256.
//!
//! Run: `cargo bench --bench otp_verify` (add `-- --quick` for a short run).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use firma_otp::{
    Digits, HotpParams, OtpDeviceState, OtpHash, Seed, TimeStep, TotpParams, VerifyPolicy,
    format_code, hotp, totp_at_step, verify_hotp, verify_totp,
};

/// 2023-11-14T22:13:20Z.
const NOW: i64 = 1_700_000_000;

fn cases() -> [(&'static str, OtpHash, Seed); 2] {
    [
        (
            "sha1",
            OtpHash::Sha1,
            Seed::from_slice(b"12345678901234567890"),
        ),
        (
            "sha256",
            OtpHash::Sha256,
            Seed::from_slice(b"12345678901234567890123456789012"),
        ),
    ]
}

fn totp_window_1(c: &mut Criterion) {
    let policy = VerifyPolicy {
        totp_back: 1,
        totp_forward: 1,
        ..VerifyPolicy::default()
    };
    let mut group = c.benchmark_group("totp_verify_window_1");
    group.throughput(Throughput::Elements(1));
    for (name, hash, seed) in cases() {
        let params = TotpParams::new(hash, Digits::SIX, TimeStep::THIRTY);
        let step = params.time_step(NOW).expect("after T0");
        let good = format_code(
            totp_at_step(seed.expose_secret_bytes(), step, &params),
            Digits::SIX,
        );
        let state = OtpDeviceState::default();
        assert!(verify_totp(&seed, &params, &state, &policy, &good, NOW).is_accepted());
        group.bench_function(format!("{name}/accept"), |b| {
            b.iter(|| {
                verify_totp(
                    black_box(&seed),
                    &params,
                    &state,
                    &policy,
                    black_box(&good),
                    black_box(NOW),
                )
            })
        });
        group.bench_function(format!("{name}/reject"), |b| {
            b.iter(|| {
                verify_totp(
                    black_box(&seed),
                    &params,
                    &state,
                    &policy,
                    black_box("000000"),
                    black_box(NOW),
                )
            })
        });
    }
    group.finish();
}

fn hotp_look_ahead_10(c: &mut Criterion) {
    let policy = VerifyPolicy {
        hotp_look_ahead: 10,
        ..VerifyPolicy::default()
    };
    let mut group = c.benchmark_group("hotp_verify_look_ahead_10");
    group.throughput(Throughput::Elements(1));
    for (name, hash, seed) in cases() {
        let params = HotpParams {
            hash,
            digits: Digits::SIX,
        };
        let state = OtpDeviceState::hotp(1_000);
        // The token is 10 presses ahead: the match is at the far edge of the window.
        let edge = format_code(hotp(seed.expose_secret_bytes(), 1_010, params), Digits::SIX);
        assert!(verify_hotp(&seed, &params, &state, &policy, &edge).is_accepted());
        group.bench_function(format!("{name}/accept"), |b| {
            b.iter(|| verify_hotp(black_box(&seed), &params, &state, &policy, black_box(&edge)))
        });
        group.bench_function(format!("{name}/reject"), |b| {
            b.iter(|| {
                verify_hotp(
                    black_box(&seed),
                    &params,
                    &state,
                    &policy,
                    black_box("000000"),
                )
            })
        });
    }
    group.finish();
}

criterion_group!(benches, totp_window_1, hotp_look_ahead_10);
criterion_main!(benches);
