//! The PAdES baseline level, decided by an independent implementation (pyHanko's library, see
//! `level_check.py`): B-B without a time-stamp authority, B-T with one.

use std::path::{Path, PathBuf};
use std::process::Command;

use firma_core::KeySpec;
use firma_testkit::pki::TestPki;

use super::support::*;

fn level(pdf: &Path, index: i32) -> String {
    level_trusting(&env().roots, pdf, index)
}

/// The baseline level report (JSON) of signature `index` (-1: the last) of `pdf`, trusting
/// `roots`.
pub fn level_trusting(roots: &[PathBuf], pdf: &Path, index: i32) -> String {
    let python = pyhanko_bin().with_file_name("python");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pades/level_check.py");
    let mut cmd = Command::new(&python);
    cmd.arg(&script).arg(pdf).arg(index.to_string());
    for root in roots {
        cmd.arg(root);
    }
    let out = cmd.output().expect("run pyHanko's python");
    assert!(out.status.success(), "level check failed:\n{}", text(&out));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn b_b_and_b_t_levels_are_met() {
    let pdf = corpus("atto-classic-1.4.pdf");
    let bb = write("level-bb.pdf", &sign(&pdf, &options()).unwrap());
    let report = level(&bb, -1);
    assert!(report.contains(r#""level": "B-B""#), "{report}");

    let tsa = tsa(KeySpec::EcP256);
    let opts = firma_ades::pades::PadesOptions::new(TestPki::valid_at()).with_timestamp(&tsa);
    let bt = write("level-bt.pdf", &sign(&pdf, &opts).unwrap());
    let report = level(&bt, -1);
    assert!(report.contains(r#""level": "B-T""#), "{report}");

    // The check can fail: the first signature of this corpus file is adbe.pkcs7.detached with a
    // CMS signing-time, not PAdES.
    let report = level(&corpus_path("signed-twice.pdf"), 0);
    assert!(report.contains(r#""level": null"#), "{report}");
}
