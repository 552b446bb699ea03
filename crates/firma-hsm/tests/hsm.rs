//! Integration tests of the PKCS#11 adapter against real SoftHSM2 tokens, each test with a token
//! directory of its own (see `firma_testkit::softhsm`).

#[path = "hsm/support.rs"]
mod support;

#[path = "hsm/cipher.rs"]
mod cipher;
#[path = "hsm/concurrency.rs"]
mod concurrency;
#[path = "hsm/config_errors.rs"]
mod config_errors;
#[path = "hsm/extraction.rs"]
mod extraction;
#[path = "hsm/keys.rs"]
mod keys;
#[path = "hsm/recovery.rs"]
mod recovery;
#[path = "hsm/wrapped.rs"]
mod wrapped;
