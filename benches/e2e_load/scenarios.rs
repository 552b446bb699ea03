//! The run: raw HSM rates, the service prepared and started, each scenario at each number of
//! clients, single-document latency at half the maximum single-document rate, the two-instance
//! PostgreSQL run, then the report.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::Arc;
use std::time::{Duration, Instant};

use firma_testkit::TestDatabase;
use firma_testkit::softhsm::TestToken;
use serde_json::json;

use crate::client::{Api, Body, Sms, Work};
use crate::pdf::{ATTO_PDF, pdf_of_size};
use crate::pg;
use crate::raw::{KeyKind, c_sign_rates};
use crate::report::{self, Row};
use crate::runner::{closed_loop, open_loop};
use crate::service::{Officer, Service, prepare};

const FIRMA: &str = env!("CARGO_BIN_EXE_firma");
/// The service's HSM sessions (`FIRMA_HSM__SESSIONS` set by the testkit's `command`).
const SESSIONS: usize = 2;

pub struct Options {
    quick: bool,
    only: Option<String>,
    clients: Option<usize>,
    seconds: Option<f64>,
    /// `perf record` (`--perf`) or `strace -c` (`--strace`) of the service during each scenario.
    perf: bool,
    strace: bool,
}

impl Options {
    /// `--quick`, `--only NAME`, `--clients N`, `--seconds S`, `--perf`, `--strace`; anything
    /// else (cargo passes `--bench`) is ignored.
    pub fn from_args() -> Self {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let value = |name: &str| {
            args.iter()
                .position(|a| a == name)
                .and_then(|i| args.get(i + 1).cloned())
        };
        Self {
            quick: args.iter().any(|a| a == "--quick"),
            only: value("--only"),
            clients: value("--clients").and_then(|v| v.parse().ok()),
            seconds: value("--seconds").and_then(|v| v.parse().ok()),
            perf: args.iter().any(|a| a == "--perf"),
            strace: args.iter().any(|a| a == "--strace"),
        }
    }

    fn client_counts(&self, max: usize) -> Vec<usize> {
        if let Some(n) = self.clients {
            return vec![n];
        }
        let all: &[usize] = if self.quick {
            &[1, 4, 16]
        } else {
            &[1, 2, 4, 8, 16, 32]
        };
        all.iter().copied().filter(|&n| n <= max).collect()
    }

    fn point(&self) -> Duration {
        Duration::from_secs_f64(self.seconds.unwrap_or(if self.quick { 1.5 } else { 2.5 }))
    }
}

#[derive(Clone, Copy)]
enum Doc {
    Atto,
    Kb100,
    Mb8,
}

#[derive(Clone, Copy)]
enum Via {
    Pades(Doc),
    SignHash,
}

struct Scenario {
    name: &'static str,
    kind: KeyKind,
    via: Via,
    /// Documents or hashes per request.
    batch: usize,
    max_clients: usize,
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "pades-atto-p256",
        kind: KeyKind::P256,
        via: Via::Pades(Doc::Atto),
        batch: 20,
        max_clients: 32,
    },
    Scenario {
        name: "pades-atto-rsa2048",
        kind: KeyKind::Rsa2048,
        via: Via::Pades(Doc::Atto),
        batch: 20,
        max_clients: 32,
    },
    Scenario {
        name: "pades-100kb-p256",
        kind: KeyKind::P256,
        via: Via::Pades(Doc::Kb100),
        batch: 10,
        max_clients: 32,
    },
    Scenario {
        name: "pades-8mb-p256",
        kind: KeyKind::P256,
        via: Via::Pades(Doc::Mb8),
        batch: 1,
        max_clients: 16,
    },
    Scenario {
        name: "csc-signhash-p256",
        kind: KeyKind::P256,
        via: Via::SignHash,
        batch: 50,
        max_clients: 32,
    },
    Scenario {
        name: "csc-signhash-rsa2048",
        kind: KeyKind::Rsa2048,
        via: Via::SignHash,
        batch: 50,
        max_clients: 32,
    },
    Scenario {
        name: "single-atto-p256",
        kind: KeyKind::P256,
        via: Via::Pades(Doc::Atto),
        batch: 1,
        max_clients: 32,
    },
];

/// The work of each officer's client for `scenario` (request bodies built once, kept for the run).
fn works(scenario: &Scenario, officers: &[Officer]) -> Vec<Work<'static>> {
    let pdf: Vec<u8> = match scenario.via {
        Via::SignHash => {
            return officers
                .iter()
                .map(|_| Work::SignHash {
                    kind: scenario.kind,
                    hashes: scenario.batch,
                })
                .collect();
        }
        Via::Pades(Doc::Atto) => ATTO_PDF.to_vec(),
        Via::Pades(Doc::Kb100) => pdf_of_size(100 * 1024),
        Via::Pades(Doc::Mb8) => pdf_of_size(8 * 1024 * 1024),
    };
    officers
        .iter()
        .map(|o| {
            let body = Body::signing_request(o.credential(scenario.kind), &pdf, scenario.batch);
            Work::Pades {
                body: Box::leak(Box::new(body)),
                docs: scenario.batch,
                input_len: pdf.len(),
            }
        })
        .collect()
}

fn target_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.ancestors().nth(3).map(Path::to_owned))
        .unwrap_or_else(|| PathBuf::from("target"))
        .join("e2e-load")
}

pub async fn run(token: TestToken, options: Options) {
    let started = Instant::now();
    let max_clients = options.client_counts(32).into_iter().max().unwrap_or(1);
    let selected: Vec<&Scenario> = SCENARIOS
        .iter()
        .filter(|s| options.only.as_deref().is_none_or(|o| o == s.name))
        .collect();
    assert!(!selected.is_empty(), "--only names none of the scenarios");

    // 1. The raw rate, before the service exists (nothing else on the CPU).
    let raw_time = Duration::from_secs_f64(if options.quick { 0.8 } else { 1.5 });
    let configs = [
        (KeyKind::P256, 1),
        (KeyKind::P256, SESSIONS),
        (KeyKind::Rsa2048, 1),
        (KeyKind::Rsa2048, SESSIONS),
    ];
    let raw = tokio::task::block_in_place(|| c_sign_rates(&token, &configs, raw_time));
    let raw_rate = |kind: KeyKind| {
        raw.iter()
            .find(|(k, s, _)| *k == kind && *s == SESSIONS)
            .map_or(f64::NAN, |r| r.2)
    };
    for (kind, sessions, rate) in &raw {
        println!(
            "raw C_Sign {} with {sessions} session(s): {rate:.0}/s",
            kind.name()
        );
    }

    // 2. The service on its embedded default, prepared with the CLI.
    let binary = Path::new(FIRMA);
    let db = TestDatabase::sqlite();
    let t = Instant::now();
    let fixture = tokio::task::block_in_place(|| prepare(binary, &token, &db, max_clients));
    println!(
        "prepared the CA, {max_clients} officers with a P-256 and an RSA-2048 credential each, in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    // A fresh process per scenario: each peak RSS is that scenario's own.
    let start = || tokio::task::block_in_place(|| Service::start(binary, &token, &db));
    let api = Arc::new(Api {
        client: reqwest::Client::new(),
        ansc: fixture.ansc.clone(),
        sms: Sms::new(token.dir().join("data/sms-outbox.jsonl")),
    });
    let officers = Arc::new(fixture.officers.clone());

    // 3. The scenarios.
    let mut rows = Vec::new();
    let mut profiler: Option<Child> = None;
    for scenario in &selected {
        let works = works(scenario, &officers);
        let service = start();
        let bases = Arc::new(vec![service.base.clone()]);
        // One round first: fails fast with the service's log if the scenario cannot run.
        let warm = closed_loop(&api, &bases, &officers, 1, Duration::ZERO, |c| works[c]).await;
        assert!(
            warm.errors == 0,
            "{}: {:?}\nservice log:\n{}",
            scenario.name,
            warm.first_error,
            service.recent_logs()
        );
        if options.perf || options.strace {
            profiler = Some(start_profiler(service.pid(), options.perf));
        }
        for clients in options.client_counts(scenario.max_clients) {
            service.reset_peak_rss();
            let cpu = service.cpu_now();
            let m = closed_loop(&api, &bases, &officers, clients, options.point(), |c| {
                works[c]
            })
            .await;
            let row = Row::new(
                scenario.name,
                scenario.kind.name(),
                scenario.batch,
                clients,
                &m,
                raw_rate(scenario.kind),
                service.usage(cpu, m.elapsed),
            );
            print_row(&row, m.first_error.as_deref());
            rows.push(row);
        }
        if let Some(mut p) = profiler.take() {
            stop_profiler(&mut p);
        }
    }

    // 4. Single-document latency at half the highest single-document rate (open loop).
    let single: Vec<&Row> = rows
        .iter()
        .filter(|r| r.scenario == "single-atto-p256")
        .collect();
    if let Some(best) = single
        .iter()
        .max_by(|a, b| a.per_second.total_cmp(&b.per_second))
    {
        let rate = best.per_second / 2.0;
        let scenario = SCENARIOS
            .iter()
            .find(|s| s.name == "single-atto-p256")
            .expect("the single-document scenario");
        let works = works(scenario, &officers);
        let service = start();
        let cpu = service.cpu_now();
        let duration = options.point().mul_f64(2.0);
        let m = open_loop(&api, &service.base, &officers, rate, duration, |c| works[c]).await;
        let row = Row::new(
            &format!("single-atto-p256 open loop at {rate:.0}/s"),
            scenario.kind.name(),
            1,
            0,
            &m,
            raw_rate(scenario.kind),
            service.usage(cpu, m.elapsed),
        );
        print_row(&row, m.first_error.as_deref());
        rows.push(row);
    }

    // 5. Two instances on one PostgreSQL database.
    let mut pg_checks = json!(null);
    if options.only.is_none() {
        if pg::available().await {
            let clients = if options.quick { 4 } else { 8 };
            let run = pg::two_instances(binary, clients, 20, options.point().mul_f64(2.0)).await;
            let row = Row::new(
                "two instances, one PostgreSQL: pades-atto-p256",
                KeyKind::P256.name(),
                20,
                clients,
                &run.measured,
                raw_rate(KeyKind::P256),
                run.usage,
            );
            print_row(&row, run.measured.first_error.as_deref());
            println!(
                "PostgreSQL checks ({}): {}",
                if run.ok { "passed" } else { "FAILED" },
                run.checks
            );
            rows.push(row);
            pg_checks = json!({"passed": run.ok, "checks": run.checks});
        } else {
            println!(
                "PostgreSQL not reachable (FIRMA_TEST_POSTGRES_URL): two-instance run skipped"
            );
        }
    }

    // 6. The report.
    println!("\n{}", report::markdown(&rows));
    let dir = target_dir();
    let extra = json!({
        "raw_c_sign": raw.iter().map(|(k, s, r)| json!({"key": k.name(), "sessions": s, "per_second": r})).collect::<Vec<_>>(),
        "service_sessions": SESSIONS,
        "quick": options.quick,
        "postgres": pg_checks,
        "seconds": started.elapsed().as_secs_f64(),
    });
    report::write(&dir, &rows, extra).expect("writing the results");
    println!("results: {}", dir.join("results.csv").display());
    plot(&dir);
    println!("total time {:.0} s", started.elapsed().as_secs_f64());
}

fn print_row(row: &Row, error: Option<&str>) {
    println!(
        "{:<48} {:>8} x{:<3} clients {:>2}: {:>8.0}/s ({:.2} of raw), p50 {:.1} ms, p99 {:.1} ms, peak RSS {:.0} MiB, CPU server {:.2} + clients {:.2} cores, errors {}{}",
        row.scenario,
        row.key,
        row.batch,
        row.clients,
        row.per_second,
        row.ratio(),
        row.p50_ms,
        row.p99_ms,
        row.peak_rss_mib,
        row.server_cores,
        row.client_cores,
        row.errors,
        error.map(|e| format!(" (first: {e})")).unwrap_or_default()
    );
}

/// `perf record` (on-CPU samples with DWARF call stacks: `target/e2e-load/perf.data`) or
/// `strace -c -f` (system calls and the time spent in them: `target/e2e-load/strace.txt`) of
/// the service while a scenario runs.
fn start_profiler(pid: u32, perf: bool) -> Child {
    let dir = target_dir();
    let _ = std::fs::create_dir_all(&dir);
    let mut cmd = if perf {
        let mut c = Command::new("perf");
        c.args([
            "record",
            "-e",
            "cpu-clock",
            "-F",
            "250",
            "--call-graph",
            "dwarf,16384",
        ])
        .arg("-o")
        .arg(dir.join("perf.data"));
        c
    } else {
        let mut c = Command::new("strace");
        c.args(["-c", "-f", "-w", "-o"]).arg(dir.join("strace.txt"));
        c
    };
    cmd.arg("-p")
        .arg(pid.to_string())
        .spawn()
        .expect("perf (linux-perf) for --perf, strace for --strace")
}

fn stop_profiler(profiler: &mut Child) {
    let _ = Command::new("kill")
        .args(["-INT", &profiler.id().to_string()])
        .status();
    let _ = profiler.wait();
    println!(
        "profile: perf report -i {} --no-children, or {}",
        target_dir().join("perf.data").display(),
        target_dir().join("strace.txt").display()
    );
}

/// `scripts/e2e-load-plot` (python3 with matplotlib; `FIRMA_PLOT_PYTHON` names another python).
fn plot(dir: &Path) {
    let python = std::env::var("FIRMA_PLOT_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/e2e-load-plot");
    let png = dir.join("throughput.png");
    let status = Command::new(&python)
        .arg(&script)
        .arg(dir.join("results.csv"))
        .arg(&png)
        .status();
    match status {
        Ok(s) if s.success() => println!("plot: {}", png.display()),
        _ => println!(
            "no plot: `{python} {}` failed (pip install matplotlib, or set FIRMA_PLOT_PYTHON)",
            script.display()
        ),
    }
}
