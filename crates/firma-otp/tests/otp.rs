//! Integration tests of `firma-otp`: RFC 4226 / RFC 6238 vectors, the verification rules, RFC 6030
//! PSKC import (the RFC's own examples and vendor-like files), the CSV form, and a property test
//! that the PSKC parser never panics.

#[path = "otp/support.rs"]
mod support;

#[path = "otp/csv.rs"]
mod csv;
#[path = "otp/pskc_fuzz.rs"]
mod pskc_fuzz;
#[path = "otp/pskc_rfc6030.rs"]
mod pskc_rfc6030;
#[path = "otp/pskc_vendor.rs"]
mod pskc_vendor;
#[path = "otp/resync.rs"]
mod resync;
#[path = "otp/rfc4226.rs"]
mod rfc4226;
#[path = "otp/rfc6238.rs"]
mod rfc6238;
#[path = "otp/verify_hotp.rs"]
mod verify_hotp;
#[path = "otp/verify_totp.rs"]
mod verify_totp;
