//! The Ente Certificatore port: the qualified trust service provider that certifies officers'
//! keys. The CA simulator (`firma-server/src/ca/simulator.rs`) implements it; a real Ente
//! Certificatore's adapter (its RA interface, CMP, EST or a proprietary API) replaces it
//! without touching the onboarding flow.
//!
//! The service keeps the key: the officer's key pair is generated in the service's HSM and
//! only a certification request leaves it ("CSR out, certificate in"). The Ente Certificatore
//! never sees, generates or holds the private key.

use super::BoxFuture;
use crate::codice_fiscale::CodiceFiscale;
use crate::key::PublicKeyDer;

/// The officer's identity data the certificate must carry, as the Ente Certificatore's operator
/// checked it on the identity document (Regulation (EU) No 910/2014, art. 24(1)): not what the
/// CSR's subject says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficerIdentity {
    /// The subject serialNumber is `TINIT-<codice fiscale>` (ETSI EN 319 412-1 section 5.1.3:
    /// national tax identification number, country IT).
    pub codice_fiscale: CodiceFiscale,
    /// givenName (X.520), as on the identity document.
    pub given_name: String,
    /// surname (X.520), as on the identity document.
    pub surname: String,
    /// organizationName: the comune the officer serves, when the certificate names it.
    pub organization: Option<String>,
}

/// What is sent to the Ente Certificatore.
#[derive(Debug, Clone)]
pub struct CertificationRequest {
    /// A DER PKCS#10 `CertificationRequest` (RFC 2986 section 4) signed by the subject's private
    /// key: the signature over the `CertificationRequestInfo` is the proof of possession
    /// (RFC 2986 section 3).
    pub csr: Vec<u8>,
    /// The public key (DER `SubjectPublicKeyInfo`) the service generated for the credential:
    /// the request must be for exactly this key.
    pub public_key: PublicKeyDer,
    /// Who the certificate is for.
    pub subject: OfficerIdentity,
}

/// What the Ente Certificatore issued: the certificate chain, DER, leaf first (the officer's
/// certificate, then each CA certificate up to and including the root, as in a TLS
/// `certificate_list`, RFC 8446 section 4.4.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateChain(pub Vec<Vec<u8>>);

impl CertificateChain {
    /// The officer's certificate, if the chain is not empty.
    pub fn leaf(&self) -> Option<&[u8]> {
        self.0.first().map(Vec::as_slice)
    }
}

/// Why no certificate was issued. A refusal is final for this request (sending it again
/// unchanged gets the same answer); unavailability is not (try again later).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnteCertificatoreError {
    /// The Ente Certificatore examined the request and will not certify it: the CSR's signature
    /// does not verify, it is for another key than `public_key`, the key or the identity data
    /// are not acceptable.
    #[error("the Ente Certificatore refused the certification request: {0}")]
    Refused(String),
    /// It could not be reached or cannot issue now (network, its CA offline or not set up
    /// yet).
    #[error("the Ente Certificatore is unavailable: {0}")]
    Unavailable(String),
}

/// Certifies an officer's public key.
///
/// Contract, for every implementation:
/// - input: [`CertificationRequest`], a PKCS#10 request already signed by the subject's key and
///   the identity data to certify;
/// - before issuing, verify the request's self-signature (proof of possession, RFC 2986
///   section 3) and that it is for `public_key`; otherwise
///   [`EnteCertificatoreError::Refused`], and nothing is issued;
/// - the certificate's subject comes from `subject` (`serialNumber` `TINIT-<codice fiscale>`,
///   givenName, surname, organizationName), never from the CSR's subject; the profile is the
///   AgID one for qualified electronic signatures (ETSI EN 319 412-2 keyUsage nonRepudiation,
///   EN 319 412-5 QCStatements);
/// - output: the chain, leaf first, DER ([`CertificateChain`]);
/// - failures are [`EnteCertificatoreError::Refused`] or
///   [`EnteCertificatoreError::Unavailable`], never a panic.
///
/// The caller does not trust the answer blindly: it checks that the leaf certifies
/// `public_key` before storing the credential.
///
/// Asynchronous, like [`super::SmsGateway`]: a real Ente Certificatore is a remote service;
/// the simulator runs its HSM work on a blocking thread.
pub trait EnteCertificatore: Send + Sync + 'static {
    fn certify<'a>(
        &'a self,
        request: &'a CertificationRequest,
    ) -> BoxFuture<'a, Result<CertificateChain, EnteCertificatoreError>>;
}
