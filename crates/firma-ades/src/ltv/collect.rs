//! Gathering validation data over a transport (ETSI EN 319 142-1 clause 5.4.2.2: "the
//! certificate values, OCSP responses and CRLs needed to validate the signature").

use der::Decode;
use firma_ca::{CertStatusAnswer, check_crl, ocsp};
use time::OffsetDateTime;
use x509_cert::Certificate;

use super::urls::urls;
use super::{LtvError, ValidationData};
use crate::tsp::TransportError;

/// Fetches what certificates point at. Implementations bound every exchange in time and size
/// and say in their errors which URL failed and how (unreachable, timeout, HTTP status).
pub trait ValidationTransport: Send + Sync {
    /// `GET url`: a DER certificate (`caIssuers`, RFC 5280 section 4.2.2.1) or a DER CRL
    /// (section 4.2.1.13).
    fn get(&self, url: &str) -> Result<Vec<u8>, TransportError>;
    /// `POST url` of a DER `OCSPRequest` as `application/ocsp-request` (RFC 6960 appendix
    /// A.1): the DER `OCSPResponse`.
    fn ocsp(&self, url: &str, request_der: &[u8]) -> Result<Vec<u8>, TransportError>;
    /// CRLs to try for a CA certificate that names no revocation source (no CRL distribution
    /// point, no OCSP responder), such as the issuer's known authority revocation list. Only a
    /// CRL of the certificate's issuer that verifies is kept; none is required.
    fn fallback_crl_urls(&self) -> Vec<String> {
        Vec::new()
    }
}

/// Collects validation data at one moment (`now`, from the caller's clock).
pub struct Collector<'a> {
    transport: &'a dyn ValidationTransport,
    now: OffsetDateTime,
    issuers: &'a [Vec<u8>],
    proof_of_existence: Option<OffsetDateTime>,
}

/// Chains longer than this are refused (a loop of cross-certificates, or a hostile input).
const MAX_CERTIFICATES: usize = 64;

struct Known {
    der: Vec<u8>,
    cert: Certificate,
}

impl<'a> Collector<'a> {
    pub fn new(transport: &'a dyn ValidationTransport, now: OffsetDateTime) -> Self {
        Self {
            transport,
            now,
            issuers: &[],
            proof_of_existence: None,
        }
    }

    /// The signatures are proven to have existed at `at` (a time-stamp over them, ETSI EN 319
    /// 102-1 clause 5.6.2.3): a certificate revoked after `at` does not stop the collection;
    /// the answer saying so is archived too (it is the evidence a validator weighs against the
    /// time-stamp), with the earlier answers the document already holds.
    pub fn with_proof_of_existence(mut self, at: Option<OffsetDateTime>) -> Self {
        self.proof_of_existence = at;
        self
    }

    fn tolerated(&self, revoked_at: OffsetDateTime) -> bool {
        self.proof_of_existence.is_some_and(|poe| revoked_at > poe)
    }

    /// Certificates (DER) the caller knows, looked up as issuers before `caIssuers` is
    /// fetched: trust anchors and intermediates a signature does not carry. Only those that
    /// are in a chain are added to the validation data.
    pub fn with_issuers(mut self, issuers: &'a [Vec<u8>]) -> Self {
        self.issuers = issuers;
        self
    }

    /// The validation data of `certificates` (DER): each one's chain up to a self-signed
    /// certificate (issuers taken from `certificates`, else fetched from `caIssuers`), and for
    /// every certificate of those chains that declares an OCSP responder or a CRL distribution
    /// point a checked answer saying it is not revoked: an OCSP response when one is
    /// available, else a CRL. A delegated OCSP responder's certificate is added with the
    /// responses it signed; with `id-pkix-ocsp-nocheck` its own status is not asked.
    ///
    /// A revoked certificate is [`LtvError::Revoked`]; a certificate whose declared sources
    /// all fail is [`LtvError::NoRevocationData`].
    pub fn collect(&self, certificates: &[Vec<u8>]) -> Result<ValidationData, LtvError> {
        let mut known: Vec<Known> = Vec::new();
        for der in certificates {
            add_known(&mut known, der)?;
        }
        let mut data = ValidationData::default();
        let mut queue: Vec<usize> = (0..known.len()).rev().collect();
        for der in self.issuers {
            add_known(&mut known, der)?;
        }
        let mut done: Vec<Vec<u8>> = Vec::new();
        while let Some(i) = queue.pop() {
            if done.contains(&known[i].der) {
                continue;
            }
            if done.len() >= MAX_CERTIFICATES {
                return Err(LtvError::BadCertificate(format!(
                    "more than {MAX_CERTIFICATES} certificates in the chains"
                )));
            }
            done.push(known[i].der.clone());
            data.add_certificate(&known[i].der);
            let tbs = known[i].cert.tbs_certificate();
            if tbs.issuer() == tbs.subject() {
                continue; // a self-signed root: its trust is the validator's choice
            }
            let issuer = self.issuer(&mut known, i)?;
            queue.push(issuer);
            let (der, issuer_der) = (known[i].der.clone(), known[issuer].der.clone());
            if let Some(responder) =
                self.revocation(&known[i].cert, &der, &issuer_der, &mut data)?
            {
                let r = add_known(&mut known, &responder)?;
                queue.push(r);
            }
        }
        Ok(data)
    }

    /// The index in `known` of the issuer of `known[i]`, fetched if needed.
    fn issuer(&self, known: &mut Vec<Known>, i: usize) -> Result<usize, LtvError> {
        let name = known[i].cert.tbs_certificate().issuer().clone();
        if let Some(j) = known
            .iter()
            .position(|k| k.cert.tbs_certificate().subject() == &name)
        {
            return Ok(j);
        }
        let subject = known[i].cert.tbs_certificate().subject().to_string();
        let mut tried = Vec::new();
        for url in urls(&known[i].cert).ca_issuers {
            match self.transport.get(&url) {
                Ok(der) => match Certificate::from_der(&der) {
                    Ok(c) if c.tbs_certificate().subject() == &name => {
                        return add_known(known, &der);
                    }
                    Ok(_) => tried.push(format!("{url}: a certificate of another subject")),
                    Err(e) => tried.push(format!("{url}: not a DER certificate ({e})")),
                },
                Err(e) => tried.push(format!("{url}: {e}")),
            }
        }
        Err(LtvError::IssuerNotFound {
            subject,
            detail: if tried.is_empty() {
                "it is not among the certificates given and the certificate has no caIssuers URL"
                    .into()
            } else {
                tried.join("; ")
            },
        })
    }

    /// Adds an OCSP response or a CRL for `cert` to `data`; returns the delegated responder's
    /// certificate, if one signed the OCSP response.
    fn revocation(
        &self,
        cert: &Certificate,
        der: &[u8],
        issuer: &[u8],
        data: &mut ValidationData,
    ) -> Result<Option<Vec<u8>>, LtvError> {
        let urls = urls(cert);
        if urls.no_check {
            return Ok(None);
        }
        if urls.ocsp.is_empty() && urls.crl.is_empty() {
            for url in self.transport.fallback_crl_urls() {
                if let Ok(crl) = self.transport.get(&url)
                    && let Ok(checked) = check_crl(&crl, der, issuer, self.now)
                {
                    if let Some(at) = checked.revoked_at {
                        return Err(LtvError::Revoked {
                            subject: cert.tbs_certificate().subject().to_string(),
                            revoked_at: at.to_string(),
                        });
                    }
                    data.add_crl(&crl);
                    break;
                }
            }
            return Ok(None);
        }
        let subject = cert.tbs_certificate().subject().to_string();
        let revoked = |at: OffsetDateTime| LtvError::Revoked {
            subject: subject.clone(),
            revoked_at: at.to_string(),
        };
        let mut tried = Vec::new();
        for url in &urls.ocsp {
            let request = match ocsp::build_ocsp_request(der, issuer, None) {
                Ok(r) => r,
                Err(e) => return Err(LtvError::BadCertificate(e.to_string())),
            };
            let response = match self.transport.ocsp(url, &request) {
                Ok(r) => r,
                Err(e) => {
                    tried.push(format!("OCSP {url}: {e}"));
                    continue;
                }
            };
            match ocsp::verify_ocsp_response(&response, der, issuer, self.now, None) {
                Ok(v) => match v.status {
                    CertStatusAnswer::Good => {
                        data.add_ocsp_response(&response);
                        return Ok(v.responder_certificate);
                    }
                    CertStatusAnswer::Revoked { revoked_at, .. } if self.tolerated(revoked_at) => {
                        data.add_ocsp_response(&response);
                        return Ok(v.responder_certificate);
                    }
                    CertStatusAnswer::Revoked { revoked_at, .. } => {
                        return Err(revoked(revoked_at));
                    }
                    CertStatusAnswer::Unknown => {
                        tried.push(format!("OCSP {url}: status unknown"));
                    }
                },
                Err(e) => tried.push(format!("OCSP {url}: {e}")),
            }
        }
        for url in &urls.crl {
            let crl = match self.transport.get(url) {
                Ok(c) => c,
                Err(e) => {
                    tried.push(format!("CRL {url}: {e}"));
                    continue;
                }
            };
            match check_crl(&crl, der, issuer, self.now) {
                Ok(c) => match c.revoked_at {
                    Some(at) if !self.tolerated(at) => return Err(revoked(at)),
                    _ => {
                        data.add_crl(&crl);
                        return Ok(None);
                    }
                },
                Err(e) => tried.push(format!("CRL {url}: {e}")),
            }
        }
        Err(LtvError::NoRevocationData {
            subject,
            tried: tried.join("; "),
        })
    }
}

fn add_known(known: &mut Vec<Known>, der: &[u8]) -> Result<usize, LtvError> {
    let cert = Certificate::from_der(der).map_err(|e| LtvError::BadCertificate(e.to_string()))?;
    let der = der.to_vec();
    if let Some(i) = known.iter().position(|k| k.der == der) {
        return Ok(i);
    }
    known.push(Known { der, cert });
    Ok(known.len() - 1)
}
