//! Hashing streams the input and memory does not grow with copies of a document: measured as
//! the growth of the peak resident set (Linux `VmHWM`, reset through `/proc/self/clear_refs`) in
//! a process that runs only the test being measured.

use std::io::Read;
use std::process::Command;

use firma_ades::cades::{DetachedContent, inspect, sign_detached};
use firma_ades::cms::{
    CmsOptions, SignerChain, digest_reader, estimated_max_len, sign_detached_digest,
};
use firma_ades::pades::{self, PadesOptions, SignatureDetails};
use firma_core::KeySpec;
use firma_testkit::pki::TestPki;

use crate::pades::large::big_pdf;

const MIB: u64 = 1024 * 1024;
const CHILD: &str = "FIRMA_ADES_MEMORY_TEST";

/// Runs `body` in a new process of this test binary that runs only the test `name`, so that the
/// peak memory measured is this test's.
fn in_own_process(name: &str, body: impl FnOnce()) {
    if std::env::var(CHILD).as_deref() == Ok(name) {
        body();
        return;
    }
    let out = Command::new(std::env::current_exe().expect("test binary"))
        .args([name, "--exact", "--nocapture", "--test-threads", "1"])
        .env(CHILD, name)
        .output()
        .expect("run the test in its own process");
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{name} failed in its own process");
    assert!(
        stdout.contains("1 passed"),
        "{name} did not run in its own process"
    );
}

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status (Linux)");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().strip_suffix("kB")?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"))
}

/// Resets the peak resident set to the current one (Linux 4.0+); returns it in bytes.
fn reset_peak() -> u64 {
    std::fs::write("/proc/self/clear_refs", "5")
        .expect("reset VmHWM through /proc/self/clear_refs");
    status_kib("VmHWM") * 1024
}

/// The peak resident set since the last reset, in bytes.
fn peak() -> u64 {
    status_kib("VmHWM") * 1024
}

/// `len` bytes of a document, generated as they are read: never in memory as a whole.
struct Generated {
    left: u64,
    counter: u64,
}

impl Generated {
    fn new(len: u64) -> Self {
        Self {
            left: len,
            counter: 0,
        }
    }
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        for b in &mut buf[..n] {
            self.counter = self
                .counter
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            *b = (self.counter >> 56) as u8;
        }
        self.left -= n as u64;
        Ok(n)
    }
}

#[test]
fn a_detached_signature_streams_its_content() {
    in_own_process("memory::a_detached_signature_streams_its_content", || {
        let spec = KeySpec::EcP256;
        let pki = TestPki::shared(spec);
        let chain = SignerChain::from_der(&pki.signer.cert_der, pki.chain()).expect("chain");
        let alg = spec.default_algorithm();
        let options = CmsOptions {
            signing_time: Some(TestPki::valid_at()),
            ..CmsOptions::default()
        };
        let len = 32 * MIB;
        let before = reset_peak();
        let p7s = sign_detached(
            pki.signer.key.as_ref(),
            alg,
            &chain,
            Generated::new(len),
            &options,
        )
        .expect("sign");
        let growth = peak().saturating_sub(before);
        assert!(
            growth < 4 * MIB,
            "signing a {len}-byte stream grew memory by {growth} bytes"
        );
        // The measurement sees buffering: holding the stream costs its length.
        let before = reset_peak();
        let mut held = Vec::new();
        Generated::new(len).read_to_end(&mut held).expect("read");
        let growth = peak().saturating_sub(before);
        assert!(
            growth >= len,
            "holding {len} bytes grew memory by {growth} bytes"
        );
        drop(held);
        // The signature is over the whole stream.
        let hash = digest_reader(alg.hash(), Generated::new(len)).expect("hash");
        let report =
            inspect(&p7s, Some(DetachedContent::Digest(alg.hash(), &hash))).expect("inspect");
        assert!(report.signers[0].error.is_none(), "{:?}", report.signers[0]);
    });
}

#[test]
fn pades_holds_at_most_the_signed_copy_of_a_document() {
    in_own_process(
        "memory::pades_holds_at_most_the_signed_copy_of_a_document",
        || {
            let spec = KeySpec::EcP256;
            let pki = TestPki::shared(spec);
            let chain = SignerChain::from_der(&pki.signer.cert_der, pki.chain()).expect("chain");
            let alg = spec.default_algorithm();
            let pdf = big_pdf(260, 100_000);
            let size = pdf.len() as u64;
            assert!(size > 24 * MIB);

            // Two-phase: the update alone is produced; the document is only borrowed.
            let details = SignatureDetails::new(TestPki::valid_at());
            let before = reset_peak();
            let prepared = pades::prepare(&pdf, &details, estimated_max_len(&chain, alg, false))
                .expect("prepare");
            let hash = prepared.digest(&pdf, alg.hash()).expect("digest");
            let cms = sign_detached_digest(
                pki.signer.key.as_ref(),
                alg,
                &chain,
                &hash,
                &CmsOptions::default(),
            )
            .expect("CMS");
            let update = prepared.finish(&cms).expect("finish");
            let growth = peak().saturating_sub(before);
            assert!(update.len() < 64 * 1024);
            assert!(
                growth < 4 * MIB,
                "signing a {size}-byte PDF in two phases grew memory by {growth} bytes"
            );

            // One call: exactly one more copy, the signed document.
            let before = reset_peak();
            let signed = pades::sign(
                &pdf,
                pki.signer.key.as_ref(),
                alg,
                &chain,
                &PadesOptions::new(TestPki::valid_at()),
            )
            .expect("sign");
            let growth = peak().saturating_sub(before);
            assert!(signed.len() as u64 > size);
            assert!(
                growth >= size && growth < size + 4 * MIB,
                "pades::sign of a {size}-byte PDF grew memory by {growth} bytes (one copy expected)"
            );
        },
    );
}
