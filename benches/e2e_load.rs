//! End-to-end load benchmark (issue 7): the release `firma serve` on its embedded default (a
//! SQLite file and a SoftHSM2 token of the benchmark's own), prepared with the CLI, driven over
//! HTTP by N concurrent clients; each figure is printed next to the raw SoftHSM2 `C_Sign` rate
//! for the same key type and the service's number of sessions (2), measured in the same run.
//!
//! ```text
//! cargo bench --bench e2e_load                  # full run (~5 minutes)
//! cargo bench --bench e2e_load -- --quick       # fewer client counts, shorter points
//! cargo bench --bench e2e_load -- --only pades-atto-p256 --clients 8 --seconds 10 --perf
//! ```
//!
//! Results: a Markdown table on stdout, `target/e2e-load/results.{csv,json}`, and the plot of
//! throughput against concurrency (`scripts/e2e-load-plot`, when matplotlib is installed).

#[path = "e2e_load/client.rs"]
mod client;
#[path = "e2e_load/pdf.rs"]
mod pdf;
#[path = "e2e_load/pg.rs"]
mod pg;
#[path = "e2e_load/raw.rs"]
mod raw;
#[path = "e2e_load/report.rs"]
mod report;
#[path = "e2e_load/runner.rs"]
mod runner;
#[path = "e2e_load/scenarios.rs"]
mod scenarios;
#[path = "e2e_load/service.rs"]
mod service;

use firma_testkit::softhsm::reexec_with_token;

fn main() {
    // Re-runs itself in a child that sees a fresh token (see benches/hsm_sign.rs).
    let token = reexec_with_token();
    let options = scenarios::Options::from_args();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(scenarios::run(token, options));
}
