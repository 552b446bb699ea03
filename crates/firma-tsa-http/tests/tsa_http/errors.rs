//! Each way a TSA can fail gives its own error, quickly.

use std::sync::Arc;
use std::time::{Duration, Instant};

use firma_ades::tsp::{FailureInfo, TsaClient, TspError};
use firma_core::KeySpec;
use firma_tsa_http::{HttpTimestampTransport, HttpTsaError, Timeouts};
use secrecy::SecretString;

use crate::server::{Mode, TestServer, closed_port_url};
use crate::support::{authority, http_error};

const SHORT: Timeouts = Timeouts {
    connect: Duration::from_secs(1),
    total: Duration::from_secs(1),
};

fn client(url: &str, timeouts: Timeouts) -> TsaClient {
    TsaClient::new(Arc::new(
        HttpTimestampTransport::new(url, timeouts).expect("transport"),
    ))
}

/// Time-stamps a message through `url`, returning the error and how long it took.
fn fails(url: &str, timeouts: Timeouts) -> (TspError, Duration) {
    let started = Instant::now();
    let e = client(url, timeouts)
        .timestamp(b"atto")
        .expect_err("the exchange must fail");
    (e, started.elapsed())
}

fn fixed(status: u16, content_type: &'static str, body: &[u8]) -> TestServer {
    TestServer::start(Mode::Fixed {
        status,
        content_type,
        body: body.to_vec(),
        extra_header: None,
    })
}

#[test]
fn a_working_tsa_answers_and_gets_a_proper_query() {
    let server = TestServer::start(Mode::Tsa {
        authority: authority(KeySpec::EcP256),
        basic: None,
    });
    let token = client(&server.url("/tsa"), Timeouts::default())
        .timestamp(b"atto")
        .expect("time-stamp");
    assert_eq!(token.gen_time(), firma_testkit::pki::TestPki::valid_at());
    let recorded = server.recorded();
    assert_eq!(recorded.len(), 1);
    let r = &recorded[0];
    assert_eq!(r.method, "POST");
    assert_eq!(
        r.header("content-type"),
        Some("application/timestamp-query")
    );
    assert_eq!(r.header("accept"), Some("application/timestamp-reply"));
    assert_eq!(r.header("authorization"), None);
    // The body is the DER TimeStampReq (a SEQUENCE), as long as Content-Length says.
    assert_eq!(r.body.first(), Some(&0x30));
    assert_eq!(
        r.header("content-length").map(str::to_owned),
        Some(r.body.len().to_string())
    );
}

#[test]
fn a_closed_port_is_unreachable() {
    let (e, took) = fails(&closed_port_url(), SHORT);
    assert!(
        matches!(http_error(&e), HttpTsaError::Unreachable { .. }),
        "{e}"
    );
    assert!(e.to_string().contains("cannot be reached"), "{e}");
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[test]
fn a_server_that_never_answers_times_out() {
    let server = TestServer::start(Mode::Silent);
    let (e, took) = fails(&server.url("/tsa"), SHORT);
    assert!(
        matches!(http_error(&e), HttpTsaError::Timeout { limit, .. } if *limit == SHORT.total),
        "{e}"
    );
    assert!(e.to_string().contains("did not answer in time"), "{e}");
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(4),
        "{took:?}"
    );
    // It did receive the request: the time went on waiting for the answer.
    assert_eq!(server.recorded().len(), 1);
}

#[test]
fn an_http_error_status_is_reported_with_its_text() {
    let server = fixed(500, "text/plain", b"database\r\n unavailable");
    let (e, took) = fails(&server.url("/tsa"), SHORT);
    match http_error(&e) {
        HttpTsaError::HttpStatus { status, detail, .. } => {
            assert_eq!(*status, 500);
            assert_eq!(detail, "database unavailable");
        }
        other => panic!("{other:?}"),
    }
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[test]
fn a_redirect_is_not_followed() {
    let server = TestServer::start(Mode::Fixed {
        status: 307,
        content_type: "text/plain",
        body: Vec::new(),
        extra_header: Some("Location: http://127.0.0.1:9/elsewhere"),
    });
    let (e, _) = fails(&server.url("/tsa"), SHORT);
    assert!(
        matches!(http_error(&e), HttpTsaError::HttpStatus { status: 307, .. }),
        "{e}"
    );
    assert_eq!(server.recorded().len(), 1);
}

#[test]
fn a_server_that_is_not_a_tsa_is_refused() {
    let server = fixed(200, "text/html; charset=utf-8", b"<html>benvenuti</html>");
    let (e, took) = fails(&server.url("/"), SHORT);
    match http_error(&e) {
        HttpTsaError::ContentType { found, .. } => {
            assert_eq!(found.as_deref(), Some("text/html; charset=utf-8"));
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("did not answer as a TSA"), "{e}");
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[test]
fn a_reply_that_is_not_a_timestamp_response_is_refused_by_the_client() {
    let server = fixed(200, "application/timestamp-reply", b"not DER at all");
    let (e, _) = fails(&server.url("/tsa"), SHORT);
    assert!(matches!(e, TspError::MalformedResponse(_)), "{e:?}");
}

#[test]
fn an_oversized_answer_is_cut_off() {
    let server = fixed(200, "application/timestamp-reply", &vec![0x30; 300_000]);
    let (e, _) = fails(&server.url("/tsa"), SHORT);
    assert!(
        matches!(
            http_error(&e),
            HttpTsaError::TooLarge { limit, .. } if *limit == firma_tsa_http::DEFAULT_MAX_RESPONSE_LEN
        ),
        "{e}"
    );
    // A smaller limit applies too.
    let small = fixed(200, "application/timestamp-reply", &[0x30; 2_000]);
    let transport = HttpTimestampTransport::new(&small.url("/tsa"), SHORT)
        .expect("transport")
        .with_max_response_len(1_000);
    let e = transport.post(b"\x30\x00").expect_err("too large");
    assert!(
        matches!(e, HttpTsaError::TooLarge { limit: 1_000, .. }),
        "{e}"
    );
}

#[test]
fn a_refusal_by_the_tsa_comes_through() {
    let server = TestServer::start(Mode::Tsa {
        authority: authority(KeySpec::EcP256),
        basic: None,
    });
    let other_policy = der::asn1::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.99999.9.9");
    let e = client(&server.url("/tsa"), SHORT)
        .with_policy(other_policy)
        .timestamp(b"atto")
        .expect_err("unknown policy");
    assert!(
        matches!(&e, TspError::Rejected { failures, .. } if failures == &[FailureInfo::UnacceptedPolicy]),
        "{e:?}"
    );
}

#[test]
fn basic_credentials_are_sent() {
    let server = TestServer::start(Mode::Tsa {
        authority: authority(KeySpec::EcP256),
        basic: Some("Basic dXRlbnRlOnNlZ3JldG8=".into()), // utente:segreto
    });
    let url = server.url("/tsa");
    let (e, _) = fails(&url, SHORT);
    assert!(
        matches!(http_error(&e), HttpTsaError::HttpStatus { status: 401, .. }),
        "{e}"
    );
    let transport = HttpTimestampTransport::new(&url, SHORT)
        .expect("transport")
        .with_basic_auth("utente", &SecretString::from("segreto".to_owned()));
    TsaClient::new(Arc::new(transport))
        .timestamp(b"atto")
        .expect("time-stamp with credentials");
}
