//! A PAdES B-T signature time-stamped through the HTTP transport: pyHanko validates it and finds
//! the signature time-stamp (level B-T).

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use firma_ades::cms::SignerChain;
use firma_ades::pades::{self, PadesOptions};
use firma_ades::tsp::TsaClient;
use firma_core::KeySpec;
use firma_testkit::pki::TestPki;
use firma_tsa_http::{HttpTimestampTransport, Timeouts};

use crate::server::{Mode, TestServer};
use crate::support::{authority, pyhanko_bin, text};

#[test]
fn pades_b_t_through_the_url_is_valid() {
    let spec = KeySpec::EcP256;
    let pki = TestPki::shared(spec);
    let server = TestServer::start(Mode::Tsa {
        authority: authority(spec),
        basic: None,
    });
    let transport =
        HttpTimestampTransport::new(&server.url("/tsa"), Timeouts::default()).expect("transport");
    let tsa = TsaClient::new(Arc::new(transport));
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pdf = std::fs::read(manifest.join("../firma-ades/tests/corpus/atto-classic-1.4.pdf"))
        .expect("corpus PDF");
    let chain = SignerChain::from_der(&pki.signer.cert_der, pki.chain()).expect("chain");
    let signed = pades::sign(
        &pdf,
        pki.signer.key.as_ref(),
        spec.default_algorithm(),
        &chain,
        &PadesOptions::new(TestPki::valid_at()).with_timestamp(&tsa),
    )
    .expect("B-T signature");
    assert_eq!(server.recorded().len(), 1, "one time-stamp request");

    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("bt.pdf");
    std::fs::write(&file, &signed).expect("write");
    let root = dir.path().join("root.pem");
    std::fs::write(&root, pki.root.cert_pem()).expect("write root");

    let out = Command::new(pyhanko_bin())
        .args([
            "sign",
            "validate",
            "--trust-replace",
            "--no-revocation-check",
            "--trust",
        ])
        .arg(&root)
        .arg(&file)
        .output()
        .expect("run pyHanko");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success()
            && stdout.contains(":INTACT:TRUSTED,")
            && stdout.trim_end().ends_with(",UNTOUCHED"),
        "pyHanko:\n{}",
        text(&out)
    );

    // The baseline level, decided by pyHanko's library (the script of firma-ades' tests).
    let script = manifest.join("../firma-ades/tests/pades/level_check.py");
    let out = Command::new(pyhanko_bin().with_file_name("python"))
        .arg(&script)
        .arg(&file)
        .arg("-1")
        .arg(&root)
        .output()
        .expect("run the level check");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success()
            && report.contains(r#""level": "B-T""#)
            && report.contains(r#""timestamp_ok": true"#),
        "level check:\n{}",
        text(&out)
    );
}
