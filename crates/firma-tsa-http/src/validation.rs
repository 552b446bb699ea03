//! The HTTP transport of validation data for B-LT ([`firma_ades::ltv::ValidationTransport`]):
//! `GET` of certificates (`caIssuers`, RFC 5280 section 4.2.2.1) and CRLs (section
//! 4.2.1.13), `POST` of OCSP requests as `application/ocsp-request` (RFC 6960 appendix A.1).
//! Every exchange is bounded by a connect timeout, a total timeout and a size limit, and its
//! failure names the URL and the reason (unreachable, timeout, HTTP status).

use std::time::Duration;

use firma_ades::ltv::ValidationTransport;
use firma_ades::tsp::TransportError;

use crate::Timeouts;

/// The largest certificate, CRL or OCSP response read.
pub const MAX_VALIDATION_RESPONSE_LEN: usize = 4 * 1024 * 1024;

/// A failed fetch of validation data.
#[derive(Debug, thiserror::Error)]
pub enum HttpFetchError {
    /// The URL is not `http` or `https`.
    #[error("{url} is not an http or https URL")]
    InvalidUrl { url: String },
    /// Nothing answered there.
    #[error("{url} cannot be reached: {detail}")]
    Unreachable { url: String, detail: String },
    /// No answer in time.
    #[error("{url} did not answer within {limit:?}")]
    Timeout { url: String, limit: Duration },
    /// An HTTP status other than 200 OK.
    #[error("{url} answered HTTP {status}")]
    HttpStatus { url: String, status: u16 },
    /// The answer is longer than [`MAX_VALIDATION_RESPONSE_LEN`].
    #[error("{url} sent more than {limit} bytes")]
    TooLarge { url: String, limit: usize },
    /// Another failure (malformed HTTP, TLS).
    #[error("the exchange with {url} failed: {detail}")]
    Protocol { url: String, detail: String },
}

/// Fetches validation data over HTTP; cheap to clone, safe to share between threads.
#[derive(Debug, Clone)]
pub struct HttpValidationTransport {
    agent: ureq::Agent,
    timeouts: Timeouts,
    fallback_crls: Vec<String>,
}

impl HttpValidationTransport {
    /// Redirects are followed (up to 3) for `GET`s, as CRL and certificate hosts use them.
    pub fn new(timeouts: Timeouts) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_connect(Some(timeouts.connect))
            .timeout_global(Some(timeouts.total))
            .http_status_as_error(false)
            .max_redirects(3)
            .user_agent(concat!("firma-remota/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Self {
            agent,
            timeouts,
            fallback_crls: Vec::new(),
        }
    }

    /// CRLs tried for CA certificates that name no revocation source (see
    /// [`ValidationTransport::fallback_crl_urls`]).
    pub fn with_fallback_crls(mut self, urls: Vec<String>) -> Self {
        self.fallback_crls = urls;
        self
    }

    /// `GET url`: the body of a 200 answer.
    pub fn fetch(&self, url: &str) -> Result<Vec<u8>, HttpFetchError> {
        check(url)?;
        let response = self.agent.get(url).call();
        self.body(url, response)
    }

    /// `POST url` of a DER OCSP request: the body of a 200 answer.
    pub fn post_ocsp(&self, url: &str, request_der: &[u8]) -> Result<Vec<u8>, HttpFetchError> {
        check(url)?;
        let response = self
            .agent
            .post(url)
            .header("Content-Type", "application/ocsp-request")
            .header("Accept", "application/ocsp-response")
            .send(request_der);
        self.body(url, response)
    }

    fn body(
        &self,
        url: &str,
        response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Vec<u8>, HttpFetchError> {
        let mut response = response.map_err(|e| self.error(url, e))?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(HttpFetchError::HttpStatus {
                url: url.to_owned(),
                status,
            });
        }
        response
            .body_mut()
            .with_config()
            .limit(MAX_VALIDATION_RESPONSE_LEN as u64)
            .read_to_vec()
            .map_err(|e| self.error(url, e))
    }

    fn error(&self, url: &str, e: ureq::Error) -> HttpFetchError {
        let url = url.to_owned();
        match e {
            ureq::Error::Timeout(ureq::Timeout::Connect) => HttpFetchError::Timeout {
                url,
                limit: self.timeouts.connect,
            },
            ureq::Error::Timeout(_) => HttpFetchError::Timeout {
                url,
                limit: self.timeouts.total,
            },
            ureq::Error::HostNotFound => HttpFetchError::Unreachable {
                url,
                detail: "host not found".into(),
            },
            ureq::Error::ConnectionFailed => HttpFetchError::Unreachable {
                url,
                detail: "connection failed".into(),
            },
            ureq::Error::BodyExceedsLimit(_) => HttpFetchError::TooLarge {
                url,
                limit: MAX_VALIDATION_RESPONSE_LEN,
            },
            ureq::Error::Io(io) => match io.kind() {
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                    HttpFetchError::Timeout {
                        url,
                        limit: self.timeouts.total,
                    }
                }
                _ => HttpFetchError::Unreachable {
                    url,
                    detail: io.to_string(),
                },
            },
            other => HttpFetchError::Protocol {
                url,
                detail: other.to_string(),
            },
        }
    }
}

fn check(url: &str) -> Result<(), HttpFetchError> {
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(())
    } else {
        Err(HttpFetchError::InvalidUrl {
            url: url.to_owned(),
        })
    }
}

impl ValidationTransport for HttpValidationTransport {
    fn get(&self, url: &str) -> Result<Vec<u8>, TransportError> {
        self.fetch(url).map_err(|e| Box::new(e) as TransportError)
    }

    fn ocsp(&self, url: &str, request_der: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.post_ocsp(url, request_der)
            .map_err(|e| Box::new(e) as TransportError)
    }

    fn fallback_crl_urls(&self) -> Vec<String> {
        self.fallback_crls.clone()
    }
}
