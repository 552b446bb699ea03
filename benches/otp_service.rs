//! OTP verification through the service, on real parts: the seed opened by SoftHSM (AES-256-GCM),
//! the decision, and the compare-and-swap with its audit record in SQLite. Beside it, in the same
//! run, the HSM operations alone: open a sealed seed, HMAC an SMS code.
//!
//! `cargo bench --bench otp_service`. Makes its own SoftHSM token (it re-runs itself with
//! `SOFTHSM2_CONF` pointing at it) and a temporary SQLite database.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group};
use firma_core::otp::{OtpDevice, OtpOutcome, OtpSettings};
use firma_core::{Clock, SecretCipher, SystemClock};
use firma_hsm::{Hsm, HsmConfig};
use firma_otp::{Digits, HotpParams, OtpHash, format_code, hotp};
use firma_server::otp::{ImportFormat, OtpService};
use firma_server::sms::SimulatedGateway;
use firma_store::{Database, DatabaseConfig};
use firma_testkit::softhsm::reexec_with_token;

const SECRET: &[u8] = b"12345678901234567890";

fn bench(c: &mut Criterion) {
    let token = reexec_with_token();
    let rt = firma_testkit::runtime();
    let mut config = HsmConfig::new(
        token.module(),
        token.label.clone(),
        token.user_pin.clone().into(),
    );
    config.sessions = 2;
    let hsm = Hsm::connect(&config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = rt.block_on(async {
        let db = Database::connect(&DatabaseConfig {
            url: format!("sqlite://{}", dir.path().join("bench.db").display()),
            max_connections: 4,
            connect_timeout: Duration::from_secs(5),
        })
        .await
        .unwrap();
        db.migrate().await.unwrap();
        db
    });
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let otp = OtpService::new(
        db,
        Arc::new(hsm.clone()),
        clock.clone(),
        Arc::new(SimulatedGateway::new(
            dir.path().join("outbox.jsonl"),
            clock,
        )),
        OtpSettings::default(),
    );
    let hex: String = SECRET.iter().map(|b| format!("{b:02x}")).collect();
    rt.block_on(async {
        let csv = format!(
            "serial,type,secret,digits,period,counter,algorithm\nB1,hotp,hex:{hex},6,,0,\n"
        );
        otp.import_tokens(
            csv.into_bytes(),
            ImportFormat::Csv,
            None,
            "operator:bench",
            Arc::new(|_| {}),
        )
        .await
        .unwrap();
        otp.assign_token("B1", "officer:bench", "operator:bench")
            .await
            .unwrap();
    });

    let mut group = c.benchmark_group("otp_service");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(4));

    let sealed = hsm.seal(b"context", SECRET).unwrap();
    group.bench_function("hsm-open-sealed-seed", |b| {
        b.iter(|| std::hint::black_box(hsm.open(b"context", &sealed).unwrap()))
    });
    group.bench_function("hsm-hmac-sms-code", |b| {
        b.iter(|| {
            std::hint::black_box(
                hsm.keyed_hash(b"firma-sms-otp\x00challenge\x00123456")
                    .unwrap(),
            )
        })
    });

    // Each iteration submits the token's next code: accepted, state and audit record stored.
    let counter = AtomicU64::new(0);
    let device = OtpDevice::Token {
        serial: "B1".into(),
    };
    let params = HotpParams {
        hash: OtpHash::Sha1,
        digits: Digits::SIX,
    };
    group.bench_function("verify-hotp-accepted-sqlite", |b| {
        b.iter(|| {
            let code = format_code(
                hotp(SECRET, counter.fetch_add(1, Ordering::Relaxed), params),
                Digits::SIX,
            );
            let outcome = rt
                .block_on(otp.verify(&device, &code, "bench", "officer:bench"))
                .unwrap();
            assert_eq!(outcome, OtpOutcome::Accepted);
        })
    });
    group.finish();
}

criterion_group!(benches, bench);

fn main() {
    drop(reexec_with_token());
    benches();
    Criterion::default().configure_from_args().final_summary();
}
