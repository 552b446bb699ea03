//! Shared helpers: connect to the test token, create a CA, run OpenSSL and pyHanko.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use firma_ca::{CaMaterial, CaNames, CaProfile, CertificateAuthority, OfficerSubject, build_csr};
use firma_core::{CodiceFiscale, GeneratedKey, KeyPurpose, KeySpec, KeyStore, SignatureAlgorithm};
use firma_hsm::{Hsm, HsmConfig};
use firma_testkit::softhsm::TestToken;
use time::OffsetDateTime;
use time::macros::datetime;

pub fn connect(token: &TestToken) -> Hsm {
    let mut c = HsmConfig::new(
        token.module(),
        token.label.clone(),
        token.user_pin.clone().into(),
    );
    c.sessions = 2;
    c.token_wait = Duration::from_millis(300);
    Hsm::connect(&c).expect("connecting to the test token")
}

/// The time the tests issue at.
pub const NOW: OffsetDateTime = datetime!(2026-03-02 10:30:00 UTC);

/// The moment OpenSSL and pyHanko verify at: an hour after issuance.
pub fn verify_at() -> i64 {
    NOW.unix_timestamp() + 3600
}

pub const BASE_URL: &str = "http://ca.firma.test/ec";

pub fn profile() -> CaProfile {
    CaProfile::with_base_url(BASE_URL).expect("the test profile is valid")
}

pub fn officer() -> OfficerSubject {
    OfficerSubject {
        codice_fiscale: CodiceFiscale::parse("RSSMRA80A01H501U").unwrap(),
        given_name: "MARIO".into(),
        surname: "ROSSI".into(),
        organization: Some("Comune di Roma".into()),
    }
}

/// Creates a CA of `spec` with the default names on the token and opens it.
pub fn create_ca(hsm: &Hsm, spec: KeySpec) -> (CaMaterial, CertificateAuthority) {
    let material =
        CertificateAuthority::create(hsm, &CaNames::default(), spec, NOW).expect("creating the CA");
    let ca = CertificateAuthority::open(hsm, &material, profile()).expect("opening the CA");
    (material, ca)
}

/// An officer key generated in the HSM.
pub fn officer_key(hsm: &Hsm, spec: KeySpec) -> GeneratedKey {
    hsm.generate(spec, KeyPurpose::Officer)
        .expect("generating an officer key")
}

/// A CSR for `key`'s public key, signed in the HSM with `algorithm`.
pub fn officer_csr(hsm: &Hsm, key: &GeneratedKey, algorithm: SignatureAlgorithm) -> Vec<u8> {
    let active = hsm.activate(&key.key).expect("activating the officer key");
    build_csr(
        &*active,
        &officer().distinguished_name().unwrap(),
        &key.public_key,
        algorithm,
    )
    .expect("building the CSR")
}

/// A temporary directory for PEM files handed to the tools.
pub struct Files(tempfile::TempDir);

impl Files {
    pub fn new() -> Self {
        Self(tempfile::tempdir().expect("a temporary directory"))
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }

    /// Writes a DER certificate as PEM.
    pub fn cert(&self, name: &str, der: &[u8]) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, firma_ca::pem(der)).unwrap();
        p
    }

    /// Writes a DER PKCS#10 request as PEM.
    pub fn csr(&self, name: &str, der: &[u8]) -> PathBuf {
        let p = self.path(name);
        let pem =
            der::pem::encode_string("CERTIFICATE REQUEST", der::pem::LineEnding::LF, der).unwrap();
        std::fs::write(&p, pem).unwrap();
        p
    }

    /// Writes the root and issuing CA certificates of `material`.
    pub fn ca(&self, material: &CaMaterial) -> (PathBuf, PathBuf) {
        (
            self.cert("root.pem", &material.root_certificate),
            self.cert("issuing.pem", &material.issuing_certificate),
        )
    }
}

/// Runs `openssl` and returns (success, stdout + stderr).
pub fn openssl(args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("running openssl failed ({e}): install it with `apt-get install -y openssl`")
        });
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// `openssl x509 -text -noout` of a PEM certificate.
pub fn x509_text(cert: &Path) -> String {
    let (ok, text) = openssl(&["x509", "-text", "-noout", "-in", path(cert)]);
    assert!(ok, "openssl x509 failed: {text}");
    text
}

/// `openssl verify -x509_strict` of `leaf` with the root as the only trust anchor and the
/// issuing CA as untrusted intermediate, at [`verify_at`]; `purpose` adds `-purpose`.
pub fn verify_chain(
    root: &Path,
    issuing: &Path,
    leaf: &Path,
    purpose: Option<&str>,
) -> (bool, String) {
    let at = verify_at().to_string();
    let mut args = vec![
        "verify",
        "-x509_strict",
        "-attime",
        &at,
        "-CAfile",
        path(root),
        "-untrusted",
        path(issuing),
    ];
    if let Some(p) = purpose {
        args.extend(["-purpose", p]);
    }
    args.push(path(leaf));
    openssl(&args)
}

/// Asserts that [`verify_chain`] says OK.
pub fn assert_verifies(root: &Path, issuing: &Path, leaf: &Path, purpose: Option<&str>) {
    let (ok, text) = verify_chain(root, issuing, leaf, purpose);
    assert!(
        ok && text.contains(": OK"),
        "openssl verify (purpose {purpose:?}) refused {}: {text}",
        leaf.display()
    );
}

pub fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temporary path")
}

/// The section of `openssl x509 -text` output that starts at the line containing `header`
/// and holds the indented lines below it.
pub fn section<'a>(text: &'a str, header: &str) -> Vec<&'a str> {
    let mut lines = text.lines().skip_while(|l| !l.contains(header));
    let Some(first) = lines.next() else {
        panic!("no {header:?} in:\n{text}")
    };
    let indent = first.len() - first.trim_start().len();
    let mut out = vec![first];
    out.extend(lines.take_while(|l| l.len() - l.trim_start().len() > indent));
    out
}

/// pyHanko's executable: `$FIRMA_PYHANKO`, else `<workspace>/.venv-validators/bin/pyhanko`.
pub fn pyhanko_python() -> PathBuf {
    let pyhanko = std::env::var_os("FIRMA_PYHANKO").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv-validators/bin/pyhanko"),
        PathBuf::from,
    );
    let python = pyhanko.with_file_name("python");
    assert!(
        python.exists(),
        "pyHanko's Python is not at {}: install the validators with `python3 -m venv \
         .venv-validators && .venv-validators/bin/pip install pyhanko==0.38.0 pyhanko-cli==0.6.0 \
         pyhanko-certvalidator==0.33.0` (or set FIRMA_PYHANKO)",
        python.display()
    );
    python
}
