//! Bad configuration fails with one message that names what to fix.

use firma_hsm::{Hsm, HsmError};

use crate::support::config;

fn connect_err(c: &firma_hsm::HsmConfig) -> HsmError {
    match Hsm::connect(c) {
        Ok(_) => panic!("connect should fail"),
        Err(e) => e,
    }
}

firma_testkit::token_test!(fn wrong_module_path(token) {
    let mut c = config(token);
    c.module = "/nonexistent/libpkcs11.so".into();
    let e = connect_err(&c);
    assert!(matches!(e, HsmError::ModuleMissing { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains("/nonexistent/libpkcs11.so") && msg.contains("hsm.module"), "{msg}");
});

firma_testkit::token_test!(fn not_a_pkcs11_module(token) {
    let mut c = config(token);
    c.module = token.conf(); // a file, but not a shared library
    let e = connect_err(&c);
    assert!(matches!(e, HsmError::ModuleLoad { .. }), "{e:?}");
    assert!(e.to_string().contains("hsm.module"));
});

firma_testkit::token_test!(fn wrong_pin(token) {
    let mut c = config(token);
    c.user_pin = "wrong-pin-0000".to_owned().into();
    let e = connect_err(&c);
    assert!(matches!(e, HsmError::PinIncorrect { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains("PIN") && msg.contains("FIRMA_HSM__PIN"), "{msg}");
    assert!(!msg.contains("wrong-pin-0000"), "the PIN must never appear in messages");
    // The right PIN still works afterwards (one failure does not lock the token).
    firma_hsm::Hsm::connect(&config(token)).unwrap();
});

firma_testkit::token_test!(fn missing_token(token) {
    let mut c = config(token);
    c.token_label = "no-such-token".into();
    let e = connect_err(&c);
    assert!(matches!(e, HsmError::TokenNotFound { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains("no-such-token") && msg.contains("firma-test") && msg.contains("hsm.token_label"), "{msg}");
});

firma_testkit::token_test!(fn empty_pin(token) {
    let mut c = config(token);
    c.user_pin = String::new().into();
    assert!(matches!(connect_err(&c), HsmError::PinMissing { .. }));
});

firma_testkit::token_test!(fn token_created_after_start_is_found(token) {
    // The service starts while another process is still creating its token: the module is
    // initialised before the token exists, and the adapter must still find it.
    let creator = std::thread::spawn({
        let conf = token.conf();
        move || {
            std::thread::sleep(std::time::Duration::from_millis(400));
            let out = std::process::Command::new("softhsm2-util")
                .env("SOFTHSM2_CONF", conf)
                .args(["--init-token", "--free", "--label", "late-token", "--so-pin", "so-pin-1", "--pin", "user-pin-1"])
                .output()
                .unwrap();
            assert!(out.status.success());
        }
    });
    let mut c = config(token);
    c.token_label = "late-token".into();
    c.user_pin = "user-pin-1".to_owned().into();
    c.token_wait = std::time::Duration::from_secs(5);
    let late = firma_hsm::Hsm::connect(&c);
    creator.join().unwrap();
    let late = late.expect("the token created after start is found");
    assert_eq!(late.token_info().unwrap().label, "late-token");
    // The first token is still usable beside it.
    firma_hsm::Hsm::connect(&config(token)).unwrap().health().unwrap();
});
