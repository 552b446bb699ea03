//! Signatures made with keys inside SoftHSM2 through the PKCS#11 adapter (`firma_hsm::Hsm`):
//! a wrapped officer key (`KeyPurpose::Officer`, unwrapped by `activate`) with a certificate the
//! test PKI's issuing CA issues for its public key, and a test TSA whose key is a service key
//! (`firma-tsa`) in the same token. Each test runs in a process of its own with a fresh token
//! (`firma_testkit::token_test!`); outputs are judged by pyHanko, pdfsig, qpdf and OpenSSL.

mod cades;
mod pades;
mod support;
