//! Helpers of the CRL and OCSP tests: officer certificates to revoke, and
//! pyhanko-certvalidator with revocation checking.

use std::path::{Path, PathBuf};

use firma_ca::{CertificateAuthority, IssuedCertificate};
use firma_core::{HashAlgorithm, KeySpec, SignatureAlgorithm};
use firma_hsm::Hsm;
use time::OffsetDateTime;

use crate::support::*;

/// Issues an officer certificate with a fresh key of `spec` at `at`.
pub fn issue_officer_at(
    hsm: &Hsm,
    ca: &CertificateAuthority,
    spec: KeySpec,
    at: OffsetDateTime,
) -> IssuedCertificate {
    let key = officer_key(hsm, spec);
    let algorithm = if spec.is_rsa() {
        SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256)
    } else {
        SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256)
    };
    let csr = officer_csr(hsm, &key, algorithm);
    ca.issue_officer(&csr, &key.public_key, &officer(), at)
        .expect("issuing an officer certificate")
}

/// Writes bytes to a file of `files`.
pub fn write(files: &Files, name: &str, bytes: &[u8]) -> PathBuf {
    let p = files.path(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// The root and issuing CA certificates in one PEM file, for `-CAfile`.
pub fn chain_file(files: &Files, root: &[u8], issuing: &[u8]) -> PathBuf {
    let p = files.path("chain.pem");
    std::fs::write(
        &p,
        format!("{}{}", firma_ca::pem(root), firma_ca::pem(issuing)),
    )
    .unwrap();
    p
}

/// What pyhanko-certvalidator concluded.
#[derive(Debug, PartialEq, Eq)]
pub enum PyhankoVerdict {
    Valid,
    Revoked,
    Invalid,
}

/// Runs pyhanko-certvalidator on `leaf` (root as the only trust anchor, the issuing CA as
/// intermediate) at `moment`, with `revocation_mode="hard-fail"` and only the CRLs and OCSP
/// responses (DER files) given: every certificate of the path must have revocation
/// information among them, and a revoked one fails.
pub fn pyhanko_revocation(
    root: &Path,
    issuing: &Path,
    leaf: &Path,
    moment: i64,
    crls: &[&Path],
    ocsps: &[&Path],
) -> (PyhankoVerdict, String) {
    const SCRIPT: &str = r#"
import asyncio, datetime, sys
from asn1crypto import pem, x509
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import RevokedError

def load(p):
    data = open(p, "rb").read()
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return x509.Certificate.load(data)

root, issuing, leaf = (load(p) for p in sys.argv[1:4])
moment = datetime.datetime.fromtimestamp(int(sys.argv[4]), tz=datetime.timezone.utc)
crls = [open(p, "rb").read() for p in sys.argv[5].split(",") if p]
ocsps = [open(p, "rb").read() for p in sys.argv[6].split(",") if p]
ctx = ValidationContext(trust_roots=[root], other_certs=[issuing], moment=moment,
                        crls=crls, ocsps=ocsps, revocation_mode="hard-fail")
validator = CertificateValidator(leaf, validation_context=ctx)
try:
    path = asyncio.run(validator.async_validate_usage({"non_repudiation"}))
    print("VALID", len(path))
except RevokedError as e:
    print("REVOKED", e)
except Exception as e:
    print("INVALID", type(e).__name__, e)
"#;
    let join = |list: &[&Path]| list.iter().map(|p| path(p)).collect::<Vec<_>>().join(",");
    let out = std::process::Command::new(pyhanko_python())
        .arg("-c")
        .arg(SCRIPT)
        .args([path(root), path(issuing), path(leaf)])
        .arg(moment.to_string())
        .arg(join(crls))
        .arg(join(ocsps))
        .output()
        .expect("running pyhanko-certvalidator");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let verdict = if !out.status.success() {
        PyhankoVerdict::Invalid
    } else if text.starts_with("VALID 3") {
        PyhankoVerdict::Valid
    } else if text.starts_with("REVOKED") {
        PyhankoVerdict::Revoked
    } else {
        PyhankoVerdict::Invalid
    };
    (verdict, text)
}
