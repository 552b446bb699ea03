//! The Ente Certificatore simulator's certificate authority, with its keys in the HSM.
//!
//! - [`CertificateAuthority::create`] generates a root and an issuing CA key as HSM service keys
//!   and certifies them (RFC 5280); [`CertificateAuthority::open`] re-opens the CA from the
//!   stored [`CaMaterial`] in a later process.
//! - [`build_csr`] makes a PKCS#10 request (RFC 2986) signed through the key port, so the HSM
//!   proves possession of an officer's key; [`verify_csr`] checks one.
//! - [`CertificateAuthority::issue_officer`] issues a qualified certificate for electronic
//!   signatures in the Italian (AgID) profile: ETSI EN 319 412-1 section 5.1.3 subject
//!   serialNumber `TINIT-<codice fiscale>`, EN 319 412-2 keyUsage nonRepudiation, EN 319 412-5
//!   QCStatements, certificate policies, CRL distribution point and AIA.
//! - TSA (RFC 3161 section 2.3), OCSP responder (RFC 6960 section 4.2.2.2) and workstation
//!   (TLS client) certificates.
//! - Revocation: [`RevokedEntry`] with a [`RevocationReason`] (RFC 5280 section 5.3.1;
//!   suspension is `certificateHold`), X.509 v2 CRLs ([`build_crl`], RFC 5280 section 5) and
//!   OCSP ([`ocsp`], RFC 6960): the responder and the client checks the B-LT collector needs.
//!
//! Synchronous; the only I/O is through the [`firma_core::KeyStore`] and
//! [`firma_core::ActiveKey`] ports. Time is a parameter.

mod algorithm;
mod authority;
mod certificate;
mod crl;
mod crl_check;
mod csr;
mod encode;
mod error;
mod extensions;
mod issue;
mod material;
mod name;
pub mod ocsp;
pub mod oid;
mod profile;
mod public_key;
mod revocation;

pub use authority::{CertificateAuthority, ISSUING_VALIDITY_DAYS, ROOT_VALIDITY_DAYS};
pub use certificate::certifies_key;
pub use crl::{MAX_CRL_ENTRIES, build_crl, build_root_crl, crl_pem};
pub use crl_check::{CheckedCrl, MAX_CRL_LEN, check_crl};
pub use csr::{MAX_CSR_LEN, VerifiedCsr, build_csr, verify_csr};
pub use error::CaError;
pub use material::{CaMaterial, IssuedCertificate, pem};
pub use name::{CaNames, OfficerSubject, WorkstationSubject};
pub use ocsp::{OcspResponder, build_ocsp_request, check_ocsp_response, verify_ocsp_response};
pub use profile::{CaProfile, PdsLocation};
pub use revocation::{CertStatusAnswer, RevocationReason, RevokedEntry};
pub use x509_cert::name::Name;
