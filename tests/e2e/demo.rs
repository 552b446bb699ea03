//! `firma demo`, the quick start's showcase, on a fresh token and database: it signs a sample atto
//! through the HTTP API and writes a PDF that pyHanko accepts, twice in a row (idempotent setup).

use firma_testkit::TestDatabase;
use firma_testkit::app::command;
use firma_testkit::softhsm::TestToken;

use crate::FIRMA;
use crate::signing_support::pyhanko_validate;

#[test]
fn the_demo_signs_a_sample_atto_end_to_end() {
    let token = TestToken::create();
    let db = TestDatabase::sqlite();
    for run in 0..2 {
        let out = command(FIRMA.as_ref(), &token, &db)
            .args(["demo", "--out", "demo-out"])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "run {run}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains("[7/7]") && stdout.contains("SMS to +393330000001: code"),
            "{stdout}"
        );
    }
    let dir = token.dir().join("demo-out");
    let verdict = pyhanko_validate(
        &dir.join("atto-di-nascita-1-2026-firmato.pdf"),
        &dir.join("ca-root.pem"),
    );
    assert!(
        verdict.contains("INTACT:TRUSTED") && verdict.contains("TIMESTAMP_TOKEN<INTACT:TRUSTED>"),
        "{verdict}"
    );
}
