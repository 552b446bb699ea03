//! Shared helpers: the corpus, the test PKI on disk with an NSS database, and the validators.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, OnceLock};

use firma_ades::cms::SignerChain;
use firma_ades::pades::{self, PadesOptions};
use firma_ades::tsp::TsaClient;
use firma_ades::tsp::authority::{AuthorityConfig, CounterSerial, TimestampAuthority};
use firma_core::{FixedClock, KeySpec, SignatureAlgorithm};
use firma_testkit::pki::{TEST_TSA_POLICY, TestPki};

/// The workspace root (validators live in `<root>/.venv-validators`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn corpus_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(name)
}

pub fn corpus(name: &str) -> Vec<u8> {
    std::fs::read(corpus_path(name)).unwrap_or_else(|e| panic!("corpus file {name}: {e}"))
}

/// Temporary files, trust roots and the NSS database, made once per process.
pub struct Env {
    /// `<target>/tmp/pades`, emptied at the start of each run (a static is never dropped, so a
    /// `TempDir` here would leak into /tmp).
    pub dir: PathBuf,
    /// The test PKI roots (EC and RSA) and the corpus root (earlier signatures of the corpus).
    pub roots: Vec<PathBuf>,
    /// `sql:<dir>` of an NSS database trusting the same roots, for pdfsig.
    pub nss: String,
}

pub fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pades");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut roots = Vec::new();
        for spec in [KeySpec::EcP256, KeySpec::Rsa2048] {
            let p = dir.join(format!("root-{spec}.pem"));
            std::fs::write(&p, TestPki::shared(spec).root.cert_pem()).expect("write root");
            roots.push(p);
        }
        roots.push(corpus_path("corpus-root.pem"));
        let nss = nss_database(&dir.join("nss"), &roots);
        Env { dir, roots, nss }
    })
}

/// Creates an NSS database in `dir` trusting `roots` for pdfsig; returns `sql:<dir>`.
pub fn nss_database(dir: &Path, roots: &[PathBuf]) -> String {
    std::fs::create_dir(dir).expect("nss dir");
    let nss = format!("sql:{}", dir.display());
    ok(
        &tool(
            "certutil",
            "libnss3-tools",
            &["-N", "--empty-password", "-d", &nss],
        ),
        "certutil -N",
    );
    for (i, root) in roots.iter().enumerate() {
        let name = format!("root{i}");
        let args = ["-A", "-d", &nss, "-n", &name, "-t", "CT,C,C", "-i", s(root)];
        ok(&tool("certutil", "libnss3-tools", &args), "certutil -A");
    }
    nss
}

pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

pub fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let p = env().dir.join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

/// Runs `program`, or panics naming the Debian package to install.
pub fn tool(program: &str, package: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run {program} ({e}); install it: apt-get install -y {package}")
        })
}

pub fn ok(out: &Output, what: &str) {
    assert!(out.status.success(), "{what} failed:\n{}", text(out));
}

pub fn text(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
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

/// `pyhanko sign validate --trust ... --trust-replace --no-revocation-check [--pretty-print]`.
pub fn pyhanko_validate(pdf: &Path, strict: bool, pretty: bool) -> Output {
    pyhanko_validate_trusting(&env().roots, pdf, strict, pretty)
}

/// [`pyhanko_validate`] trusting `roots` (for tests in a process of their own, which must not
/// share [`env`]'s directory).
pub fn pyhanko_validate_trusting(
    roots: &[PathBuf],
    pdf: &Path,
    strict: bool,
    pretty: bool,
) -> Output {
    let mut cmd = Command::new(pyhanko_bin());
    cmd.args([
        "sign",
        "validate",
        "--trust-replace",
        "--no-revocation-check",
    ]);
    for root in roots {
        cmd.args(["--trust", s(root)]);
    }
    if !strict {
        cmd.arg("--no-strict-syntax");
    }
    if pretty {
        cmd.arg("--pretty-print");
    }
    cmd.arg(pdf).output().expect("run pyhanko")
}

/// Asserts pyHanko finds `count` signatures, all intact and trusted, none followed by illegal
/// modifications, and the last one covering the whole file. `strict: false` is only for
/// hybrid-reference inputs, which pyHanko's strict mode refuses.
pub fn assert_pyhanko_valid(pdf: &Path, count: usize, strict: bool) {
    assert_pyhanko_valid_trusting(&env().roots, pdf, count, strict);
}

/// [`assert_pyhanko_valid`] trusting `roots`.
pub fn assert_pyhanko_valid_trusting(roots: &[PathBuf], pdf: &Path, count: usize, strict: bool) {
    let out = pyhanko_validate_trusting(roots, pdf, strict, false);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines: Vec<&str> = stdout.lines().filter(|l| l.contains(':')).collect();
    let detail = || text(&pyhanko_validate_trusting(roots, pdf, strict, true));
    assert!(
        out.status.success(),
        "pyHanko rejects {}:\n{}\n{}",
        pdf.display(),
        text(&out),
        detail()
    );
    assert_eq!(
        lines.len(),
        count,
        "pyHanko signature count for {}:\n{stdout}",
        pdf.display()
    );
    for line in &lines {
        assert!(
            line.contains(":INTACT:TRUSTED,") && !line.contains("ILLEGAL"),
            "pyHanko on {}: {line}\n{}",
            pdf.display(),
            detail()
        );
    }
    let last = lines.last().expect("a signature");
    assert!(
        last.ends_with(",UNTOUCHED"),
        "our signature must cover the whole file: {last}"
    );
}

/// `pdfsig -nssdir ...`: every signature's value valid; the certificate trusted for a file with
/// one signature (poppler 22.12 says "Unknown issue" for later signatures of multi-signature
/// files, see VALIDATORS.md).
pub fn assert_pdfsig_valid(pdf: &Path, count: usize) {
    assert_pdfsig_valid_with(&env().nss, pdf, count);
}

/// [`assert_pdfsig_valid`] with the NSS database `nss` (`sql:<dir>`, see [`nss_database`]).
pub fn assert_pdfsig_valid_with(nss: &str, pdf: &Path, count: usize) {
    let out = tool("pdfsig", "poppler-utils", &["-nssdir", nss, s(pdf)]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "pdfsig on {}:\n{}",
        pdf.display(),
        text(&out)
    );
    let valid = stdout
        .matches("Signature Validation: Signature is Valid.")
        .count();
    assert_eq!(valid, count, "pdfsig on {}:\n{stdout}", pdf.display());
    // An empty signature field is listed too ("not signed"); count verdicts only.
    let verdicts = stdout.matches("Signature Validation:").count();
    assert_eq!(verdicts, count, "{stdout}");
    if count == 1 {
        assert!(
            stdout.contains("Certificate is Trusted"),
            "pdfsig on {}:\n{stdout}",
            pdf.display()
        );
        assert!(stdout.contains("Total document signed"), "{stdout}");
    }
    assert!(stdout.contains("ETSI.CAdES.detached"), "{stdout}");
}

/// pdfsig's verdicts, one per signature.
pub fn pdfsig_verdicts(pdf: &Path) -> Vec<String> {
    let out = tool("pdfsig", "poppler-utils", &["-nssdir", &env().nss, s(pdf)]);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("Signature Validation:"))
        .map(|l| l.trim().to_string())
        .collect()
}

/// `qpdf --check` warnings and errors (lines starting with WARNING or naming an error).
pub fn qpdf_problems(pdf: &Path) -> (Option<i32>, Vec<String>) {
    let out = tool("qpdf", "qpdf", &["--check", s(pdf)]);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // Warnings name the file and sometimes an offset; keep only the message to compare files.
    let problems = all
        .lines()
        .filter(|l| {
            l.starts_with("WARNING")
                || (l.starts_with("qpdf:") && !l.contains("succeeded with warnings"))
        })
        .map(|l| l.rsplit(": ").next().unwrap_or(l).to_string())
        .collect();
    (out.status.code(), problems)
}

/// Asserts `qpdf --check` reports no problem on `signed` that it does not report on `original`.
pub fn assert_qpdf_no_new_problems(original: &Path, signed: &Path) {
    let (code_before, before) = qpdf_problems(original);
    let (code_after, after) = qpdf_problems(signed);
    let new: Vec<&String> = after.iter().filter(|p| !before.contains(p)).collect();
    assert!(
        new.is_empty(),
        "qpdf --check: new problems in {}: {new:?}",
        signed.display()
    );
    if code_before == Some(0) {
        assert_eq!(
            code_after,
            Some(0),
            "qpdf --check on {}: {after:?}",
            signed.display()
        );
    }
}

pub fn algorithm(spec: KeySpec) -> SignatureAlgorithm {
    spec.default_algorithm()
}

pub fn chain(spec: KeySpec) -> SignerChain {
    let pki = TestPki::shared(spec);
    SignerChain::from_der(&pki.signer.cert_der, pki.chain()).expect("chain")
}

/// B-B options at the PKI's reference time.
pub fn options() -> PadesOptions<'static> {
    PadesOptions::new(TestPki::valid_at())
}

/// Signs with the EC test officer.
pub fn sign(pdf: &[u8], options: &PadesOptions<'_>) -> Result<Vec<u8>, pades::PadesError> {
    sign_with(KeySpec::EcP256, pdf, options)
}

pub fn sign_with(
    spec: KeySpec,
    pdf: &[u8],
    options: &PadesOptions<'_>,
) -> Result<Vec<u8>, pades::PadesError> {
    let pki = TestPki::shared(spec);
    pades::sign(
        pdf,
        pki.signer.key.as_ref(),
        algorithm(spec),
        &chain(spec),
        options,
    )
}

/// A client of the in-process test TSA of `spec`'s PKI.
pub fn tsa(spec: KeySpec) -> TsaClient {
    let pki = TestPki::shared(spec);
    let chain = SignerChain::from_der(&pki.tsa.cert_der, pki.chain()).expect("TSA chain");
    let authority = TimestampAuthority::new(
        pki.tsa.key.clone(),
        chain,
        Arc::new(CounterSerial::starting_at(1)),
        Arc::new(FixedClock::new(TestPki::valid_at())),
        AuthorityConfig::new(TEST_TSA_POLICY, algorithm(spec)),
    );
    TsaClient::new(Arc::new(authority))
}

/// A one-revision PDF with a classic xref table; `objects[i]` is object `i + 1`, the catalog
/// is object 1.
pub fn classic(objects: &[&str], trailer: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< {trailer} /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}
