//! Shared helpers: the test PKI on disk and the OpenSSL command line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, OnceLock};

use firma_ades::cms::SignerChain;
use firma_core::KeySpec;
use firma_testkit::pki::{Party, TestPki};

/// The PKIs of both key types written once per process, and a CA file trusting both roots.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub ca_file: PathBuf,
}

pub fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut ca = String::new();
        for spec in [KeySpec::EcP256, KeySpec::Rsa2048] {
            let pki = TestPki::shared(spec);
            pki.write_files(dir.path()).expect("write PKI");
            ca.push_str(&pki.root.cert_pem());
        }
        let ca_file = dir.path().join("roots.pem");
        std::fs::write(&ca_file, ca).expect("write roots");
        Env { dir, ca_file }
    })
}

pub fn chain_of(party: &Party, spec: KeySpec) -> SignerChain {
    SignerChain::from_der(&party.cert_der, TestPki::shared(spec).chain()).expect("chain")
}

/// `openssl`, or a panic naming how to install it.
pub fn openssl(args: &[&str]) -> Output {
    Command::new("openssl")
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run openssl ({e}); install it: apt-get install -y openssl")
        })
}

pub fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let p = env().dir.path().join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// `openssl cms -verify` of a DER CMS file against both test roots; `content` for a detached
/// signature; `cades` adds `-cades` (requires the ESS signing-certificate-v2 attribute).
pub fn cms_verify(cms: &Path, content: Option<&Path>, cades: bool) -> Output {
    let ca = env().ca_file.clone();
    let out = env().dir.path().join(format!(
        "{}.out",
        cms.file_name().and_then(|n| n.to_str()).unwrap_or("cms")
    ));
    let mut args = vec![
        "cms",
        "-verify",
        "-binary",
        "-inform",
        "DER",
        "-in",
        s(cms),
        "-CAfile",
        s(&ca),
        "-purpose",
        "any",
        "-out",
        s(&out),
    ];
    if let Some(c) = content {
        args.extend(["-content", s(c)]);
    }
    if cades {
        args.push("-cades");
    }
    openssl(&args)
}

pub fn assert_ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed:\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn assert_fails(out: &Output, what: &str) {
    assert!(
        !out.status.success(),
        "{what} unexpectedly succeeded:\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A client of a test TSA (the PKI's TSA key and certificate, clock fixed inside every
/// certificate's validity).
pub fn tsa_client(spec: KeySpec) -> firma_ades::tsp::TsaClient {
    use firma_ades::tsp::TsaClient;
    use firma_ades::tsp::authority::{AuthorityConfig, CounterSerial, TimestampAuthority};
    let pki = TestPki::shared(spec);
    let chain = SignerChain::from_der(&pki.tsa.cert_der, pki.chain()).expect("TSA chain");
    let authority = TimestampAuthority::new(
        pki.tsa.key.clone(),
        chain,
        Arc::new(CounterSerial::default()),
        Arc::new(firma_core::FixedClock::new(TestPki::valid_at())),
        AuthorityConfig::new(
            firma_testkit::pki::TEST_TSA_POLICY,
            spec.default_algorithm(),
        ),
    );
    TsaClient::new(Arc::new(authority))
}

/// Every key type and signature scheme the service offers.
pub fn algorithms() -> Vec<(KeySpec, firma_core::SignatureAlgorithm)> {
    use firma_core::{HashAlgorithm, SignatureAlgorithm};
    vec![
        (
            KeySpec::EcP256,
            SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256),
        ),
        (
            KeySpec::Rsa2048,
            SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256),
        ),
        (
            KeySpec::Rsa2048,
            SignatureAlgorithm::RsaPss(HashAlgorithm::Sha256),
        ),
    ]
}

/// A sample document of `len` bytes.
pub fn document(len: usize) -> Vec<u8> {
    let line = b"ATTO DI NASCITA - Comune di Roma - registro 2026 - parte I serie A - ";
    line.iter().copied().cycle().take(len).collect()
}

/// Offset of the first occurrence of `needle` in `haystack`.
pub fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("needle present")
}

/// The Python interpreter of the pyHanko installation: next to `$FIRMA_PYHANKO`, or in
/// `<workspace>/.venv-validators/bin/`.
pub fn pyhanko_python() -> PathBuf {
    let pyhanko = std::env::var_os("FIRMA_PYHANKO")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv-validators/bin/pyhanko")
        });
    let python = pyhanko.with_file_name("python");
    assert!(
        python.exists(),
        "pyHanko is not installed at {} (set FIRMA_PYHANKO, or run: python3 -m venv .venv-validators && \
         .venv-validators/bin/pip install pyhanko==0.38.0 pyhanko-cli==0.6.0 pyhanko-certvalidator==0.33.0)",
        pyhanko.display()
    );
    python
}

/// Validates a CMS signature with pyHanko's CMS validator (it checks the ESS
/// signing-certificate-v2 hash, which OpenSSL 3.0 does not): prints `intact valid trusted
/// timestamp` as Python booleans (`None` for no time-stamp).
const PYHANKO_CMS: &str = r#"
import asyncio, io, sys
from asn1crypto import cms, pem, x509
from pyhanko.sign.validation import async_validate_detached_cms
from pyhanko_certvalidator import ValidationContext
cms_file, content_file, roots_file = sys.argv[1:4]
sd = cms.ContentInfo.load(open(cms_file, 'rb').read())['content']
roots = [x509.Certificate.load(der) for _, _, der in pem.unarmor(open(roots_file, 'rb').read(), multiple=True)]
vc = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode='soft-fail')
if content_file == '-':
    # An attached signature: validate its content as detached (pyHanko's CMS validator wants
    # detached signatures; the signature does not cover the encapsulation).
    data = io.BytesIO(sd['encap_content_info']['content'].native)
    sd['encap_content_info'] = cms.ContentInfo({'content_type': 'data'})
else:
    data = open(content_file, 'rb')
try:
    st = asyncio.run(async_validate_detached_cms(data, sd, signer_validation_context=vc, ts_validation_context=vc))
except Exception as e:
    print('error', type(e).__name__, e)
    sys.exit(0)
ts = st.timestamp_validity
print(st.intact, st.valid, st.trusted, None if ts is None else (ts.intact and ts.valid and ts.trusted))
"#;

/// Runs [`PYHANKO_CMS`]; `content` is `None` for an attached signature.
pub fn pyhanko_cms(cms: &Path, content: Option<&Path>) -> String {
    let out = Command::new(pyhanko_python())
        .args([
            "-c",
            PYHANKO_CMS,
            s(cms),
            content.map(s).unwrap_or("-"),
            s(&env().ca_file),
        ])
        .output()
        .expect("run pyHanko");
    assert!(
        out.status.success(),
        "pyHanko failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
