//! Bad configuration ends with one clear message naming what to fix: no panic, no backtrace.

use std::process::Output;

use firma_testkit::TestDatabase;
use firma_testkit::app::command;
use firma_testkit::softhsm::TestToken;

use crate::FIRMA;

/// Runs `firma check` with the given environment on top of a working one.
fn check_with(env: &[(&str, &str)]) -> (Output, TestToken) {
    let token = TestToken::create();
    let db = TestDatabase::sqlite();
    let mut cmd = command(FIRMA.as_ref(), &token, &db);
    cmd.arg("check").env("RUST_BACKTRACE", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    (cmd.output().expect("running firma"), token)
}

/// The one error line; asserts there is exactly one and no panic or backtrace.
fn error_line(out: &Output) -> String {
    assert!(!out.status.success(), "firma should fail");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("backtrace"), "{stderr}");
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    errors[0].to_owned()
}

#[test]
fn works_when_nothing_is_wrong() {
    let (out, _token) = check_with(&[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("HSM       ok") && stdout.contains("database  ok"),
        "{stdout}"
    );
}

#[test]
fn wrong_module_path() {
    let (out, _) = check_with(&[("FIRMA_HSM__MODULE", "/opt/nowhere/libpkcs11.so")]);
    let line = error_line(&out);
    assert!(
        line.contains("/opt/nowhere/libpkcs11.so") && line.contains("FIRMA_HSM__MODULE"),
        "{line}"
    );
}

#[test]
fn wrong_pin() {
    let (out, _) = check_with(&[("FIRMA_HSM__PIN", "not-the-pin-31337")]);
    let line = error_line(&out);
    assert!(
        line.contains("PIN") && line.contains("wrong") && line.contains("FIRMA_HSM__PIN"),
        "{line}"
    );
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !all.contains("not-the-pin-31337"),
        "the PIN must not be printed"
    );
}

#[test]
fn missing_token() {
    let (out, _) = check_with(&[("FIRMA_HSM__TOKEN_LABEL", "absent-token")]);
    let line = error_line(&out);
    assert!(
        line.contains("absent-token") && line.contains("hsm.token_label"),
        "{line}"
    );
    assert!(
        line.contains("firma-test"),
        "the message lists the tokens that exist: {line}"
    );
}

#[test]
fn missing_pin_file() {
    let (out, _) = check_with(&[
        ("FIRMA_HSM__PIN", ""),
        ("FIRMA_HSM__PIN_FILE", "/nonexistent/pin"),
    ]);
    let line = error_line(&out);
    assert!(
        line.contains("/nonexistent/pin") && line.contains("hsm-sim/setup"),
        "{line}"
    );
}

#[test]
fn unreachable_database() {
    let (out, _) = check_with(&[(
        "FIRMA_DATABASE__URL",
        "postgres://firma:topsecret@127.0.0.1:9/firma",
    )]);
    let line = error_line(&out);
    assert!(
        line.contains("127.0.0.1:9") && line.contains("FIRMA_DATABASE__URL"),
        "{line}"
    );
    assert!(
        !line.contains("topsecret"),
        "passwords are redacted: {line}"
    );
}

#[test]
fn invalid_values_and_files() {
    let (out, _) = check_with(&[("FIRMA_SERVER__PORT", "eighty")]);
    let line = error_line(&out);
    assert!(
        line.contains("invalid configuration") && line.contains("port"),
        "{line}"
    );

    let (out, _) = check_with(&[("FIRMA_CONFIG", "/etc/firma/absent.toml")]);
    let line = error_line(&out);
    assert!(line.contains("/etc/firma/absent.toml"), "{line}");

    let (out, _) = check_with(&[("FIRMA_HSM__SESION", "4")]);
    let line = error_line(&out);
    assert!(line.contains("sesion"), "a misspelt key is named: {line}");
}
