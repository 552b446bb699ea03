//! RFC 3161 section 3.4, "Time-Stamp Protocol via HTTP": the request is sent with an HTTP POST
//! whose body is the DER `TimeStampReq` and whose Content-Type is `application/timestamp-query`;
//! the answer's body is the DER `TimeStampResp` with Content-Type `application/timestamp-reply`.

use std::fmt;
use std::io::Read;
use std::time::Duration;

use base64::Engine;
use firma_ades::tsp::{TimestampTransport, TransportError};
use secrecy::{ExposeSecret, SecretString};
use ureq::http::Uri;

use crate::HttpTsaError;

/// The media type of a request (RFC 3161 section 3.4).
const QUERY: &str = "application/timestamp-query";
/// The media type of a reply (RFC 3161 section 3.4).
const REPLY: &str = "application/timestamp-reply";
/// The media type of replies in the drafts that preceded RFC 3161, still sent by some TSAs.
const REPLY_DRAFT: &str = "application/timestamp-response";

/// The default limit on the size of an answer. A `TimeStampResp` with the TSA's certificate
/// chain is a few kilobytes.
pub const DEFAULT_MAX_RESPONSE_LEN: usize = 128 * 1024;

/// How long an exchange may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing the connection (TCP, and TLS for `https`).
    pub connect: Duration,
    /// The whole exchange: resolving, connecting, sending, waiting for and reading the answer.
    pub total: Duration,
}

impl Default for Timeouts {
    /// 5 seconds to connect, 20 seconds in all.
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(5),
            total: Duration::from_secs(20),
        }
    }
}

/// An RFC 3161 HTTP transport to one TSA URL. Cheap to clone (connections are pooled and shared
/// by the clones); safe to use from several threads.
#[derive(Clone)]
pub struct HttpTimestampTransport {
    agent: ureq::Agent,
    url: String,
    timeouts: Timeouts,
    max_response_len: usize,
    /// `Basic <base64(user:password)>`.
    authorization: Option<SecretString>,
}

impl fmt::Debug for HttpTimestampTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpTimestampTransport")
            .field("url", &self.url)
            .field("timeouts", &self.timeouts)
            .field("max_response_len", &self.max_response_len)
            .field("basic_auth", &self.authorization.is_some())
            .finish_non_exhaustive()
    }
}

impl HttpTimestampTransport {
    /// A transport to the TSA at `url` (`http` or `https`, without user information: see
    /// [`Self::with_basic_auth`]). Redirects are not followed (RFC 3161 section 3.4 has none; a
    /// POST must not be replayed elsewhere silently): a redirect is an [`HttpTsaError::HttpStatus`].
    /// Proxies are taken from the usual environment variables (`HTTP_PROXY`, `HTTPS_PROXY`,
    /// `ALL_PROXY`, `NO_PROXY`).
    pub fn new(url: &str, timeouts: Timeouts) -> Result<Self, HttpTsaError> {
        check_url(url)?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_connect(Some(timeouts.connect))
            .timeout_global(Some(timeouts.total))
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(concat!("firma-remota/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Self {
            agent,
            url: url.to_owned(),
            timeouts,
            max_response_len: DEFAULT_MAX_RESPONSE_LEN,
            authorization: None,
        })
    }

    /// Limits answers to `max` bytes (default [`DEFAULT_MAX_RESPONSE_LEN`]).
    pub fn with_max_response_len(mut self, max: usize) -> Self {
        self.max_response_len = max;
        self
    }

    /// Sends HTTP Basic credentials (RFC 7617) with every request, as TSAs of qualified trust
    /// service providers usually require. The password is kept in a `SecretString` and never
    /// shown in `Debug` or in errors.
    pub fn with_basic_auth(mut self, user: &str, password: &SecretString) -> Self {
        let pair = format!("{user}:{}", password.expose_secret());
        let encoded = base64::engine::general_purpose::STANDARD.encode(pair.as_bytes());
        self.authorization = Some(SecretString::from(format!("Basic {encoded}")));
        self
    }

    /// The TSA's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// POSTs `request_der` (a DER `TimeStampReq`) and returns the body of a `200 OK`
    /// `application/timestamp-reply` answer, unchecked (the client checks the `TimeStampResp`).
    pub fn post(&self, request_der: &[u8]) -> Result<Vec<u8>, HttpTsaError> {
        let mut request = self
            .agent
            .post(&self.url)
            .header("Content-Type", QUERY)
            .header("Accept", REPLY);
        if let Some(auth) = &self.authorization {
            request = request.header("Authorization", auth.expose_secret());
        }
        let mut response = request.send(request_der).map_err(|e| self.error(e))?;
        let status = response.status().as_u16();
        if status != 200 {
            let mut start = Vec::new();
            // Best effort: the start of the answer helps whoever reads the error.
            let _ = response
                .body_mut()
                .as_reader()
                .take(512)
                .read_to_end(&mut start);
            return Err(HttpTsaError::HttpStatus {
                url: self.url.clone(),
                status,
                detail: printable(&start),
            });
        }
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        if !content_type.as_deref().is_some_and(is_reply) {
            return Err(HttpTsaError::ContentType {
                url: self.url.clone(),
                found: content_type.map(|t| printable(t.as_bytes())),
            });
        }
        response
            .body_mut()
            .with_config()
            .limit(u64::try_from(self.max_response_len).unwrap_or(u64::MAX))
            .read_to_vec()
            .map_err(|e| self.error(e))
    }

    fn error(&self, e: ureq::Error) -> HttpTsaError {
        let url = self.url.clone();
        match e {
            ureq::Error::Timeout(t) => {
                let (phase, limit) = match t {
                    ureq::Timeout::Connect => ("connecting", self.timeouts.connect),
                    ureq::Timeout::Global => ("the exchange as a whole", self.timeouts.total),
                    ureq::Timeout::Resolve => ("resolving the host name", self.timeouts.total),
                    ureq::Timeout::SendRequest | ureq::Timeout::SendBody => {
                        ("sending the request", self.timeouts.total)
                    }
                    ureq::Timeout::RecvResponse => ("waiting for the answer", self.timeouts.total),
                    ureq::Timeout::RecvBody => ("reading the answer", self.timeouts.total),
                    _ => ("the exchange", self.timeouts.total),
                };
                HttpTsaError::Timeout {
                    url,
                    phase: phase.to_owned(),
                    limit,
                }
            }
            ureq::Error::HostNotFound => HttpTsaError::Unreachable {
                url,
                detail: "host not found".to_owned(),
            },
            ureq::Error::ConnectionFailed => HttpTsaError::Unreachable {
                url,
                detail: "connection failed".to_owned(),
            },
            ureq::Error::BodyExceedsLimit(_) => HttpTsaError::TooLarge {
                url,
                limit: self.max_response_len,
            },
            ureq::Error::BadUri(reason) => HttpTsaError::InvalidUrl { url, reason },
            ureq::Error::Io(io) => {
                use std::io::ErrorKind::*;
                match io.kind() {
                    TimedOut | WouldBlock => HttpTsaError::Timeout {
                        url,
                        phase: "the exchange".to_owned(),
                        limit: self.timeouts.total,
                    },
                    UnexpectedEof => HttpTsaError::Protocol {
                        url,
                        detail: "the connection closed before a complete answer".to_owned(),
                    },
                    _ => HttpTsaError::Unreachable {
                        url,
                        detail: io.to_string(),
                    },
                }
            }
            ureq::Error::StatusCode(status) => HttpTsaError::HttpStatus {
                url,
                status,
                detail: String::new(),
            },
            other => HttpTsaError::Protocol {
                url,
                detail: other.to_string(),
            },
        }
    }
}

impl TimestampTransport for HttpTimestampTransport {
    fn exchange(&self, request_der: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.post(request_der)
            .map_err(|e| Box::new(e) as TransportError)
    }
}

fn check_url(url: &str) -> Result<(), HttpTsaError> {
    let invalid = |reason: &str| HttpTsaError::InvalidUrl {
        // Never echo what could be credentials.
        url: url.split_once('@').map_or(url, |(_, host)| host).to_owned(),
        reason: reason.to_owned(),
    };
    let uri: Uri = url.parse().map_err(|_| invalid("not a URL"))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        _ => return Err(invalid("the scheme must be http or https")),
    }
    let authority = uri.authority().ok_or_else(|| invalid("no host"))?;
    if authority.as_str().contains('@') {
        return Err(invalid(
            "credentials in the URL are not accepted; configure them separately (basic auth)",
        ));
    }
    if authority.host().is_empty() {
        return Err(invalid("no host"));
    }
    Ok(())
}

/// Whether a Content-Type is a time-stamp reply (the media type, parameters ignored, case
/// insensitive: RFC 9110 section 8.3.1).
fn is_reply(content_type: &str) -> bool {
    let media = content_type.split(';').next().unwrap_or("").trim();
    media.eq_ignore_ascii_case(REPLY) || media.eq_ignore_ascii_case(REPLY_DRAFT)
}

/// At most 200 printable characters of `bytes`, whitespace collapsed.
fn printable(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect();
    words.join(" ").chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked() {
        for good in [
            "http://127.0.0.1:8080/tsa",
            "https://tsa.example/",
            "HTTP://h",
        ] {
            HttpTimestampTransport::new(good, Timeouts::default())
                .unwrap_or_else(|e| panic!("{good}: {e}"));
        }
        for bad in [
            "",
            "tsa.example",
            "ftp://tsa.example/",
            "http://",
            "http://user:secret@tsa.example/",
        ] {
            let e = HttpTimestampTransport::new(bad, Timeouts::default())
                .expect_err(bad)
                .to_string();
            assert!(e.starts_with("invalid TSA URL"), "{bad}: {e}");
            assert!(!e.contains("secret"), "{e}");
        }
    }

    #[test]
    fn reply_media_types() {
        assert!(is_reply("application/timestamp-reply"));
        assert!(is_reply("Application/TimeStamp-Reply; charset=binary"));
        assert!(is_reply("application/timestamp-response"));
        assert!(!is_reply("text/html"));
        assert!(!is_reply("application/timestamp-query"));
        assert!(!is_reply(""));
    }

    #[test]
    fn credentials_stay_out_of_debug() {
        let t = HttpTimestampTransport::new("https://tsa.example/", Timeouts::default())
            .unwrap()
            .with_basic_auth("utente", &SecretString::from("segreto".to_owned()));
        let text = format!("{t:?}");
        assert!(
            text.contains("basic_auth: true") && !text.contains("segreto"),
            "{text}"
        );
    }

    #[test]
    fn printable_text_is_bounded() {
        assert_eq!(
            printable(b"  Internal\r\n\tServer \x00Error "),
            "Internal Server Error"
        );
        assert_eq!(printable(&[b'x'; 1000]).len(), 200);
    }
}
