//! A fresh SoftHSM2 token for each test, in its own directory.
//!
//! SoftHSM reads the location of its tokens from the file named by `SOFTHSM2_CONF`, once, when
//! the module is initialised, and a process can initialise a PKCS#11 module only once. So a test
//! that needs its own token directory needs its own process: [`run_in_token_process`] (and the
//! [`token_test!`](crate::token_test) macro) re-runs the current test binary for just that test,
//! with `SOFTHSM2_CONF` pointing at a token made for it, and reports the child's result. This
//! works the same under `cargo test` (tests in threads) and `cargo nextest` (a process per test).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHILD_TEST: &str = "FIRMA_TESTKIT_CHILD_TEST";
const CHILD_DIR: &str = "FIRMA_TESTKIT_TOKEN_DIR";
/// How long a test process may run before it is killed.
const CHILD_TIMEOUT: Duration = Duration::from_secs(600);

/// Where SoftHSM2's PKCS#11 module is: `FIRMA_TEST_PKCS11_MODULE`, or the usual Debian paths.
pub fn module_path() -> PathBuf {
    if let Ok(p) = std::env::var("FIRMA_TEST_PKCS11_MODULE") {
        return PathBuf::from(p);
    }
    [
        "/usr/lib/softhsm/libsofthsm2.so",
        "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/local/lib/softhsm/libsofthsm2.so",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
    .unwrap_or_else(|| {
        panic!(
            "SoftHSM2 is not installed: run hsm-sim/setup (or `apt-get install softhsm2`), \
             or set FIRMA_TEST_PKCS11_MODULE to a PKCS#11 module"
        )
    })
}

/// A SoftHSM2 token initialised in a directory of its own.
#[derive(Debug)]
pub struct TestToken {
    dir: PathBuf,
    /// Removes the directory on drop when this value created it.
    _owner: Option<tempfile::TempDir>,
    pub label: String,
    pub user_pin: String,
    pub so_pin: String,
}

impl TestToken {
    pub const LABEL: &'static str = "firma-test";
    pub const USER_PIN: &'static str = "test-user-pin-1234";
    pub const SO_PIN: &'static str = "test-so-pin-5678";

    /// Creates a directory with a `softhsm2.conf` and initialises one token in it.
    pub fn create() -> Self {
        let owner = tempfile::Builder::new()
            .prefix("firma-softhsm-")
            .tempdir()
            .expect("creating a temporary directory for the token");
        let dir = owner.path().to_owned();
        std::fs::create_dir_all(dir.join("tokens")).expect("creating the token directory");
        std::fs::write(
            dir.join("softhsm2.conf"),
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
                dir.join("tokens").display()
            ),
        )
        .expect("writing softhsm2.conf");
        let token = Self {
            dir,
            _owner: Some(owner),
            label: Self::LABEL.to_owned(),
            user_pin: Self::USER_PIN.to_owned(),
            so_pin: Self::SO_PIN.to_owned(),
        };
        token.init_token();
        token
    }

    /// The token a parent process made for this one (see [`run_in_token_process`]).
    fn inherited(dir: PathBuf) -> Self {
        Self {
            dir,
            _owner: None,
            label: Self::LABEL.to_owned(),
            user_pin: Self::USER_PIN.to_owned(),
            so_pin: Self::SO_PIN.to_owned(),
        }
    }

    fn init_token(&self) {
        let out = Command::new("softhsm2-util")
            .env("SOFTHSM2_CONF", self.conf())
            .args(["--init-token", "--free", "--label", &self.label])
            .args(["--so-pin", &self.so_pin, "--pin", &self.user_pin])
            .output()
            .unwrap_or_else(|e| {
                panic!("running softhsm2-util failed ({e}): run hsm-sim/setup or `apt-get install softhsm2`")
            });
        assert!(
            out.status.success(),
            "softhsm2-util --init-token failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The `softhsm2.conf` to give the module through `SOFTHSM2_CONF`.
    pub fn conf(&self) -> PathBuf {
        self.dir.join("softhsm2.conf")
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The PKCS#11 module to load.
    pub fn module(&self) -> PathBuf {
        module_path()
    }

    /// Environment a child process (the `firma` binary, a tool) needs to see this token.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![(
            "SOFTHSM2_CONF".to_owned(),
            self.conf().to_string_lossy().into_owned(),
        )]
    }
}

/// Runs `body` with a token of its own, in a child process whose `SOFTHSM2_CONF` points at it.
///
/// `test_path` is the test's path as `module_path!()::name` gives it; the first segment (the
/// test crate's name) is dropped to get the name libtest knows. In the child, `body` runs
/// directly; in the parent this creates the token, runs the child and fails if the child fails.
pub fn run_in_token_process(test_path: &str, body: impl FnOnce(&TestToken)) {
    let name = test_path
        .split_once("::")
        .map_or(test_path, |(_, rest)| rest);
    if std::env::var(CHILD_TEST).as_deref() == Ok(name) {
        let dir = std::env::var(CHILD_DIR).expect("the parent passes the token directory");
        let token = TestToken::inherited(PathBuf::from(dir));
        body(&token);
        return;
    }
    let token = TestToken::create();
    let exe = std::env::current_exe().expect("the path of the test binary");
    let mut child = Command::new(exe)
        .args([name, "--exact", "--nocapture", "--test-threads", "1"])
        .env(CHILD_TEST, name)
        .env(CHILD_DIR, token.dir())
        .env("SOFTHSM2_CONF", token.conf())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting the test in a child process");
    // Drain both pipes on threads so a chatty child cannot block on a full pipe.
    let stdout = child.stdout.take().map(drain);
    let stderr = child.stderr.take().map(drain);
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for the test process") {
            break status;
        }
        if started.elapsed() > CHILD_TIMEOUT {
            let _ = child.kill();
            panic!("test {name} did not finish within {CHILD_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = stdout
        .map(|h| h.join().unwrap_or_default())
        .unwrap_or_default();
    let err = stderr
        .map(|h| h.join().unwrap_or_default())
        .unwrap_or_default();
    print!("{out}");
    eprint!("{err}");
    assert!(
        status.success(),
        "test {name} failed in its token process ({status})"
    );
    assert!(
        out.contains("1 passed"),
        "test {name} did not run in its token process (is the name right?)"
    );
}

/// For a benchmark or tool binary: re-runs the current executable, with the same arguments, in a
/// child process that sees a fresh token, and exits with its status. In that child, returns the
/// token. (Same reason as [`run_in_token_process`]: `SOFTHSM2_CONF` is read once per process.)
pub fn reexec_with_token() -> TestToken {
    if let Ok(dir) = std::env::var(CHILD_DIR) {
        return TestToken::inherited(PathBuf::from(dir));
    }
    let token = TestToken::create();
    let exe = std::env::current_exe().expect("the path of the current executable");
    let status = Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env(CHILD_DIR, token.dir())
        .env("SOFTHSM2_CONF", token.conf())
        .status()
        .expect("re-running the executable with its token");
    drop(token);
    std::process::exit(status.code().unwrap_or(1));
}

fn drain(mut pipe: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
}

/// Declares a test that runs with a fresh SoftHSM token in its own process.
///
/// ```text
/// firma_testkit::token_test!(fn signs(token) { /* token: &TestToken */ });
/// firma_testkit::token_test!(async fn signs_async(token) { /* on a tokio runtime */ });
/// ```
#[macro_export]
macro_rules! token_test {
    ($(#[$m:meta])* fn $name:ident($token:ident) $body:block) => {
        #[test]
        $(#[$m])*
        fn $name() {
            $crate::softhsm::run_in_token_process(
                concat!(module_path!(), "::", stringify!($name)),
                |$token: &$crate::softhsm::TestToken| $body,
            );
        }
    };
    ($(#[$m:meta])* async fn $name:ident($token:ident) $body:block) => {
        #[test]
        $(#[$m])*
        fn $name() {
            $crate::softhsm::run_in_token_process(
                concat!(module_path!(), "::", stringify!($name)),
                |$token: &$crate::softhsm::TestToken| {
                    $crate::runtime().block_on(async move { $body })
                },
            );
        }
    };
}

/// A multi-threaded tokio runtime for a test body.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .expect("building a tokio runtime")
}
