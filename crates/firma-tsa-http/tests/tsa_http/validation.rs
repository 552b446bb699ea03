//! The HTTP transport of validation data (`HttpValidationTransport`) against a local server:
//! a GET and an OCSP POST bring back the body, and every failure names the URL and its cause
//! (unreachable, HTTP status, silence past the timeout, too large).

use std::time::{Duration, Instant};

use firma_tsa_http::{HttpFetchError, HttpValidationTransport, Timeouts};

use crate::server::{Mode, TestServer, closed_port_url};

const SHORT: Timeouts = Timeouts {
    connect: Duration::from_secs(1),
    total: Duration::from_secs(1),
};

fn fixed(status: u16, body: &[u8]) -> TestServer {
    TestServer::start(Mode::Fixed {
        status,
        content_type: "application/ocsp-response",
        body: body.to_vec(),
        extra_header: None,
    })
}

#[test]
fn answers_come_back_and_ocsp_requests_are_posted_as_such() {
    let server = fixed(200, b"\x30\x03\x0a\x01\x00");
    let http = HttpValidationTransport::new(SHORT);
    assert_eq!(
        http.fetch(&server.url("/ca/crl/issuing.crl")).unwrap(),
        b"\x30\x03\x0a\x01\x00"
    );
    assert_eq!(
        http.post_ocsp(&server.url("/ca/ocsp"), b"request").unwrap(),
        b"\x30\x03\x0a\x01\x00"
    );
    let recorded = server.recorded();
    let post = recorded
        .iter()
        .find(|r| r.method == "POST")
        .expect("the OCSP POST");
    assert_eq!(
        post.header("content-type"),
        Some("application/ocsp-request")
    );
    assert_eq!(post.body, b"request");
}

#[test]
fn failures_name_the_url_and_the_cause() {
    let http = HttpValidationTransport::new(SHORT);
    let url = closed_port_url();
    let e = http.fetch(&url).unwrap_err();
    assert!(matches!(e, HttpFetchError::Unreachable { .. }), "{e}");
    assert!(e.to_string().contains(&url), "{e}");

    let server = fixed(404, b"not here");
    let url = server.url("/ca/certs/issuing.cer");
    let e = http.fetch(&url).unwrap_err();
    assert!(
        matches!(e, HttpFetchError::HttpStatus { status: 404, .. }),
        "{e}"
    );
    assert!(e.to_string().contains(&url), "{e}");

    let silent = TestServer::start(Mode::Silent);
    let started = Instant::now();
    let e = http
        .post_ocsp(&silent.url("/ca/ocsp"), b"request")
        .unwrap_err();
    assert!(matches!(e, HttpFetchError::Timeout { .. }), "{e}");
    assert!(started.elapsed() < Duration::from_secs(3));

    let e = http.fetch("ldap://directory.example/cn=CA").unwrap_err();
    assert!(matches!(e, HttpFetchError::InvalidUrl { .. }), "{e}");
}
