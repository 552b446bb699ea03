//! Results: one row per scenario and number of clients, printed as a Markdown table and written
//! as CSV and JSON under `target/e2e-load/`, plotted by `scripts/e2e-load-plot`.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use crate::runner::Measured;
use crate::service::Usage;

#[derive(Debug, Clone)]
pub struct Row {
    pub scenario: String,
    pub key: &'static str,
    /// Documents (or hashes) per request.
    pub batch: usize,
    pub clients: usize,
    pub items: u64,
    pub seconds: f64,
    pub per_second: f64,
    /// The raw `C_Sign` rate of the same key type with the service's number of sessions.
    pub raw_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub peak_rss_mib: f64,
    /// Cores the service process used on average (CPU seconds per second).
    pub server_cores: f64,
    /// Cores the benchmark's clients used (they share the machine with the service).
    pub client_cores: f64,
    pub errors: u64,
}

impl Row {
    pub fn new(
        scenario: &str,
        key: &'static str,
        batch: usize,
        clients: usize,
        measured: &Measured,
        raw_per_second: f64,
        usage: Usage,
    ) -> Self {
        let mut latencies = measured.latencies.clone();
        latencies.sort();
        Self {
            scenario: scenario.to_owned(),
            key,
            batch,
            clients,
            items: measured.items,
            seconds: measured.elapsed.as_secs_f64(),
            per_second: measured.per_second(),
            raw_per_second,
            p50_ms: percentile(&latencies, 0.50),
            p99_ms: percentile(&latencies, 0.99),
            peak_rss_mib: usage.peak_rss_mib,
            server_cores: usage.cores,
            client_cores: usage.client_cores,
            errors: measured.errors,
        }
    }

    pub fn ratio(&self) -> f64 {
        self.per_second / self.raw_per_second
    }

    fn json(&self) -> Value {
        json!({
            "scenario": self.scenario, "key": self.key, "batch": self.batch,
            "clients": self.clients, "items": self.items, "seconds": self.seconds,
            "per_second": self.per_second, "raw_per_second": self.raw_per_second,
            "ratio_to_raw": self.ratio(), "p50_ms": self.p50_ms, "p99_ms": self.p99_ms,
            "peak_rss_mib": self.peak_rss_mib, "server_cores": self.server_cores,
            "client_cores": self.client_cores,
            "errors": self.errors,
        })
    }
}

/// The `q` quantile (nearest rank) of sorted latencies, in milliseconds.
fn percentile(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1000.0
}

pub fn markdown(rows: &[Row]) -> String {
    let mut out = String::from(
        "| scenario | key | per request | clients | signed/s | raw C_Sign/s | ratio | p50 ms | p99 ms | peak RSS MiB | CPU server + clients (cores) | errors |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {:.0} | {:.0} | {:.2} | {:.1} | {:.1} | {:.0} | {:.2} + {:.2} | {} |",
            r.scenario,
            r.key,
            r.batch,
            r.clients,
            r.per_second,
            r.raw_per_second,
            r.ratio(),
            r.p50_ms,
            r.p99_ms,
            r.peak_rss_mib,
            r.server_cores,
            r.client_cores,
            r.errors
        );
    }
    out
}

/// Writes `results.csv` and `results.json` (with `extra`: raw rates, checks) into `dir`.
pub fn write(dir: &Path, rows: &[Row], extra: Value) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut csv = String::from(
        "scenario,key,batch,clients,items,seconds,per_second,raw_per_second,ratio_to_raw,p50_ms,p99_ms,peak_rss_mib,server_cores,client_cores,errors\n",
    );
    for r in rows {
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{:.3},{:.1},{:.1},{:.4},{:.2},{:.2},{:.1},{:.2},{:.2},{}",
            r.scenario,
            r.key,
            r.batch,
            r.clients,
            r.items,
            r.seconds,
            r.per_second,
            r.raw_per_second,
            r.ratio(),
            r.p50_ms,
            r.p99_ms,
            r.peak_rss_mib,
            r.server_cores,
            r.client_cores,
            r.errors
        );
    }
    std::fs::write(dir.join("results.csv"), csv)?;
    let json = json!({"rows": rows.iter().map(Row::json).collect::<Vec<_>>(), "run": extra});
    std::fs::write(
        dir.join("results.json"),
        serde_json::to_vec_pretty(&json).unwrap_or_default(),
    )
}
