//! The service under load, prepared and run as an operator would: `firma ca init`, `officers
//! add`, `credentials issue` and `principals create` on the benchmark's token and database, then
//! the release `firma serve` on a free port. Its peak resident memory is read from
//! `/proc/<pid>/status` (`VmHWM`), reset between scenarios through `/proc/<pid>/clear_refs`.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use firma_testkit::TestDatabase;
use firma_testkit::app::command;
use firma_testkit::softhsm::TestToken;

use crate::raw::KeyKind;

/// One officer per concurrent client: codes by SMS to their own phone (so that a client finds
/// its own code in the simulator's outbox), a P-256 and an RSA-2048 credential.
#[derive(Debug, Clone)]
pub struct Officer {
    pub phone: String,
    pub p256: String,
    pub rsa: String,
    /// The officer's bearer token (authorises requests, calls the CSC API).
    pub token: String,
}

impl Officer {
    pub fn credential(&self, kind: KeyKind) -> &str {
        match kind {
            KeyKind::P256 => &self.p256,
            KeyKind::Rsa2048 => &self.rsa,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Fixture {
    /// ANSC core's bearer token (submits, polls, downloads).
    pub ansc: String,
    pub officers: Vec<Officer>,
}

fn firma(binary: &Path, token: &TestToken, db: &TestDatabase, args: &[&str]) -> String {
    let out = command(binary, token, db)
        .args(args)
        .output()
        .expect("running firma");
    assert!(
        out.status.success(),
        "firma {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A valid codice fiscale, different for each `n` (the check character computed as the
/// Agenzia delle Entrate's algorithm says, DM 12/03/1974 annex).
fn codice_fiscale(n: usize) -> String {
    const ODD: [u32; 26] = [
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24,
        23,
    ];
    let first15 = format!("BNCLRA{:02}A{:02}H501", 50 + n / 28, 1 + n % 28);
    let sum: u32 = first15
        .bytes()
        .enumerate()
        .map(|(i, b)| {
            let index = if b.is_ascii_digit() {
                b - b'0'
            } else {
                b - b'A'
            } as usize;
            if i % 2 == 0 { ODD[index] } else { index as u32 }
        })
        .sum();
    format!("{first15}{}", (b'A' + (sum % 26) as u8) as char)
}

/// The CA simulator, `officers` officers with both credentials, ANSC core.
pub fn prepare(binary: &Path, token: &TestToken, db: &TestDatabase, officers: usize) -> Fixture {
    firma(binary, token, db, &["ca", "init", "--actor", "bench"]);
    let officers = (0..officers)
        .map(|n| {
            let cf = codice_fiscale(n);
            let phone = format!("+39333100{n:04}");
            firma(
                binary,
                token,
                db,
                &[
                    "officers",
                    "add",
                    "--cf",
                    &cf,
                    "--nome",
                    "Lara",
                    "--cognome",
                    &format!("Bianco{n}"),
                    "--email",
                    "ufficiale@comune.roma.it",
                    "--comune",
                    "058091",
                    "--profili",
                    "nascita,morte",
                    "--phone",
                    &phone,
                ],
            );
            let issue = |kind: KeyKind| {
                firma(
                    binary,
                    token,
                    db,
                    &[
                        "credentials",
                        "issue",
                        "--officer",
                        &cf,
                        "--key-type",
                        kind.cli(),
                    ],
                )
            };
            Officer {
                p256: issue(KeyKind::P256),
                rsa: issue(KeyKind::Rsa2048),
                token: firma(
                    binary,
                    token,
                    db,
                    &[
                        "principals",
                        "create",
                        "--role",
                        "ufficiale",
                        "--name",
                        &format!("Lara Bianco{n}"),
                        "--officer",
                        &cf,
                    ],
                ),
                phone,
            }
        })
        .collect();
    let ansc = firma(
        binary,
        token,
        db,
        &[
            "principals",
            "create",
            "--role",
            "ansc_core",
            "--name",
            "ANSC core",
        ],
    );
    Fixture { ansc, officers }
}

/// What the service used during a load point.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    pub peak_rss_mib: f64,
    /// CPU seconds per second of the point (2.0 = both cores busy).
    pub cores: f64,
    /// The same for the benchmark's own process (the HTTP clients and the SMS outbox reader).
    pub client_cores: f64,
}

/// A running `firma serve`, killed on drop.
pub struct Service {
    child: Child,
    pub base: String,
    /// The last lines the service logged (for error reports).
    logs: Arc<Mutex<VecDeque<String>>>,
}

impl Service {
    /// Starts `binary serve` on `token` and `db` and waits for its `listening` line.
    pub fn start(binary: &Path, token: &TestToken, db: &TestDatabase) -> Self {
        let mut child = command(binary, token, db)
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting firma serve");
        let stderr = child.stderr.take().expect("piped stderr");
        let logs = Arc::new(Mutex::new(VecDeque::new()));
        let (tx, rx) = mpsc::channel();
        let sink = logs.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(address) = listening_address(&line) {
                    let _ = tx.send(address);
                }
                let mut logs = sink.lock().unwrap_or_else(|e| e.into_inner());
                if logs.len() == 50 {
                    logs.pop_front();
                }
                logs.push_back(line);
            }
        });
        let Ok(address) = rx.recv_timeout(Duration::from_secs(60)) else {
            let _ = child.kill();
            panic!("firma serve did not start listening");
        };
        Self {
            child,
            base: format!("http://{address}"),
            logs,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resets the peak resident set size to the current one (Linux `clear_refs` value 5).
    pub fn reset_peak_rss(&self) {
        let _ = std::fs::write(format!("/proc/{}/clear_refs", self.pid()), "5");
    }

    /// Peak resident set size since the last reset, in MiB (`VmHWM`).
    pub fn peak_rss_mib(&self) -> f64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    }

    /// CPU time (user + system) the process has used so far, in seconds.
    pub fn cpu_seconds(&self) -> f64 {
        cpu_seconds(&self.pid().to_string())
    }

    /// Peak RSS since the last reset and average cores used since `cpu_before` (over `elapsed`).
    pub fn usage(&self, cpu_before: (f64, f64), elapsed: Duration) -> Usage {
        let seconds = elapsed.as_secs_f64();
        Usage {
            peak_rss_mib: self.peak_rss_mib(),
            cores: (self.cpu_seconds() - cpu_before.0) / seconds,
            client_cores: (cpu_seconds("self") - cpu_before.1) / seconds,
        }
    }

    /// The CPU seconds of the service and of this benchmark (the clients), for [`Self::usage`].
    pub fn cpu_now(&self) -> (f64, f64) {
        (self.cpu_seconds(), cpu_seconds("self"))
    }

    pub fn recent_logs(&self) -> String {
        let logs = self.logs.lock().unwrap_or_else(|e| e.into_inner());
        logs.iter().cloned().collect::<Vec<_>>().join("\n")
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// CPU time (user + system) of process `pid` (or `self`) so far, in seconds.
pub fn cpu_seconds(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may contain spaces): utime is the 14th field of the
    // line, stime the 15th, in clock ticks (USER_HZ, 100 on Linux).
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn listening_address(line: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    if v.get("message")?.as_str()? != "listening" {
        return None;
    }
    Some(v.get("address")?.as_str()?.to_owned())
}
