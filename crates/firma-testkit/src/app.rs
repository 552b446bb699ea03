//! The whole service, as users run it: the `firma` binary started on a free port with a fresh
//! SoftHSM token and a fresh database, driven over real HTTP.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use crate::database::TestDatabase;
use crate::softhsm::TestToken;

/// How to start the service.
pub struct AppOptions {
    /// Run on a new PostgreSQL database instead of a SQLite file. The default is SQLite, or
    /// PostgreSQL when `FIRMA_TEST_DATABASE=postgres` (how the end-to-end suite runs a second
    /// time on PostgreSQL).
    pub postgres: bool,
    /// Extra environment, applied last (e.g. `FIRMA_HSM__PIN` to test a wrong PIN).
    pub env: Vec<(String, String)>,
}

/// A running `firma serve`.
pub struct TestApp {
    pub base_url: String,
    pub token: TestToken,
    pub database: TestDatabase,
    child: Child,
    logs: Arc<Mutex<String>>,
    binary: PathBuf,
    env: Vec<(String, String)>,
}

/// Starts `serve` and waits for its `listening` log line.
async fn launch(
    binary: &Path,
    token: &TestToken,
    database: &TestDatabase,
    env: &[(String, String)],
) -> (Child, Arc<Mutex<String>>, String) {
    let mut cmd = command(binary, token, database);
    cmd.arg("serve")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("starting the firma binary");
    let logs = Arc::new(Mutex::new(String::new()));
    let (address_tx, address_rx) = mpsc::channel();
    let stderr = child.stderr.take().expect("piped stderr");
    let sink = logs.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(address) = listening_address(&line) {
                let _ = address_tx.send(address);
            }
            let mut logs = sink.lock().unwrap_or_else(|e| e.into_inner());
            logs.push_str(&line);
            logs.push('\n');
        }
    });
    let address =
        tokio::task::spawn_blocking(move || address_rx.recv_timeout(Duration::from_secs(60)))
            .await
            .expect("waiting for the service");
    match address {
        Ok(a) => (child, logs, a),
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            let logs = logs.lock().unwrap_or_else(|e| e.into_inner()).clone();
            panic!("the service did not start listening; its log:\n{logs}");
        }
    }
}

/// The command to run `binary` against `token` and `database`, configured only through the
/// environment (the embedded defaults plus `FIRMA_*` overrides), as an operator would.
pub fn command(binary: &Path, token: &TestToken, database: &TestDatabase) -> Command {
    let mut cmd = Command::new(binary);
    cmd.env_remove("FIRMA_CONFIG")
        .env_remove("RUST_LOG")
        .env("SOFTHSM2_CONF", token.conf())
        .env("FIRMA_HSM__MODULE", token.module())
        .env("FIRMA_HSM__TOKEN_LABEL", &token.label)
        .env("FIRMA_HSM__PIN", &token.user_pin)
        .env("FIRMA_HSM__SESSIONS", "2")
        .env("FIRMA_HSM__TOKEN_WAIT_SECONDS", "1")
        .env("FIRMA_DATABASE__URL", database.url())
        .env("FIRMA_SERVER__PORT", "0")
        .env("FIRMA_SERVER__SHUTDOWN_GRACE_SECONDS", "5")
        .env("FIRMA_LOG__FORMAT", "json")
        .current_dir(token.dir())
        .stdin(Stdio::null());
    cmd
}

impl Default for AppOptions {
    fn default() -> Self {
        Self {
            postgres: std::env::var("FIRMA_TEST_DATABASE").as_deref() == Ok("postgres"),
            env: Vec::new(),
        }
    }
}

impl TestApp {
    /// Starts `binary serve` on a fresh token and database and waits until it listens.
    pub async fn spawn(binary: impl AsRef<Path>, options: AppOptions) -> Self {
        let token = TestToken::create();
        let database = if options.postgres {
            TestDatabase::postgres().await
        } else {
            TestDatabase::sqlite()
        };
        Self::start(binary.as_ref(), token, database, options.env).await
    }

    /// Starts `binary serve` on an existing token and database (prepared with CLI commands).
    pub async fn start(
        binary: &Path,
        token: TestToken,
        database: TestDatabase,
        env: Vec<(String, String)>,
    ) -> Self {
        let (child, logs, address) = launch(binary, &token, &database, &env).await;
        Self {
            base_url: format!("http://{address}"),
            token,
            database,
            child,
            logs,
            binary: binary.to_owned(),
            env,
        }
    }

    /// Kills the process (SIGKILL: no shutdown at all) and starts it again on the same token
    /// and database; the address may change.
    pub async fn crash_and_restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let (child, logs, address) =
            launch(&self.binary, &self.token, &self.database, &self.env).await;
        self.child = child;
        self.logs = logs;
        self.base_url = format!("http://{address}");
    }

    /// The code in the latest SMS the simulator "sent" to `phone` (E.164, e.g. +393331234567).
    pub fn last_sms_code(&self, phone: &str) -> Option<String> {
        let text = std::fs::read_to_string(self.token.dir().join("data/sms-outbox.jsonl")).ok()?;
        text.lines()
            .rev()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .find(|m| m["to"] == phone)
            .and_then(|m| {
                let text = m["text"].as_str()?.to_owned();
                let rest = text.split("codice ").nth(1)?;
                Some(rest.chars().take_while(char::is_ascii_digit).collect())
            })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Everything the service has logged so far.
    pub fn logs(&self) -> String {
        self.logs.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM and waits (up to `timeout`) for the process to exit.
    pub fn terminate(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// The path of the SQLite file, for tests that read raw rows.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        self.database
            .url()
            .strip_prefix("sqlite://")
            .map(PathBuf::from)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The address in the service's JSON log line `{"message":"listening","address":"..."}`.
fn listening_address(line: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    if v.get("message")?.as_str()? != "listening" {
        return None;
    }
    Some(v.get("address")?.as_str()?.to_owned())
}
