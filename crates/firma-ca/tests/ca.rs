//! Integration tests of the CA with its keys in SoftHSM2, each test with a token of its own
//! (see `firma_testkit::softhsm`). Certificates and requests are judged by OpenSSL (and
//! pyhanko-certvalidator), not only by this crate.

#[path = "ca/support.rs"]
mod support;

#[path = "ca/revocation_support.rs"]
mod revocation_support;

#[path = "ca/crl.rs"]
mod crl;
#[path = "ca/crl_check.rs"]
mod crl_check;
#[path = "ca/csr.rs"]
mod csr;
#[path = "ca/hierarchy.rs"]
mod hierarchy;
#[path = "ca/ocsp.rs"]
mod ocsp;
#[path = "ca/officer.rs"]
mod officer;
#[path = "ca/services.rs"]
mod services;
