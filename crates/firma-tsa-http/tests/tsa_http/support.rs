//! The test TSA, the transport's errors out of the client's, and the validators.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use firma_ades::cms::SignerChain;
use firma_ades::tsp::TspError;
use firma_ades::tsp::authority::{AuthorityConfig, CounterSerial, TimestampAuthority};
use firma_core::{FixedClock, KeySpec};
use firma_testkit::pki::{TEST_TSA_POLICY, TestPki};
use firma_tsa_http::HttpTsaError;

/// The test PKI's TSA (software key), its clock inside every certificate's validity.
pub fn authority(spec: KeySpec) -> Arc<TimestampAuthority> {
    let pki = TestPki::shared(spec);
    let chain = SignerChain::from_der(&pki.tsa.cert_der, pki.chain()).expect("TSA chain");
    Arc::new(TimestampAuthority::new(
        pki.tsa.key.clone(),
        chain,
        Arc::new(CounterSerial::default()),
        Arc::new(FixedClock::new(TestPki::valid_at())),
        AuthorityConfig::new(TEST_TSA_POLICY, spec.default_algorithm()),
    ))
}

/// The transport's error inside a client error.
pub fn http_error(e: &TspError) -> &HttpTsaError {
    match e {
        TspError::Transport(t) => t
            .downcast_ref::<HttpTsaError>()
            .unwrap_or_else(|| panic!("not an HTTP transport error: {t}")),
        other => panic!("not a transport error: {other:?}"),
    }
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// pyHanko's CLI: `$FIRMA_PYHANKO` or `<workspace>/.venv-validators/bin/pyhanko`.
pub fn pyhanko_bin() -> PathBuf {
    let p = std::env::var_os("FIRMA_PYHANKO")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".venv-validators/bin/pyhanko"));
    assert!(
        p.exists(),
        "pyHanko not found at {}; install it: python3 -m venv .venv-validators && \
         .venv-validators/bin/pip install pyhanko==0.38.0 pyhanko-cli==0.6.0 pyhanko-certvalidator==0.33.0 \
         (or set FIRMA_PYHANKO)",
        p.display()
    );
    p
}

pub fn text(out: &std::process::Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
