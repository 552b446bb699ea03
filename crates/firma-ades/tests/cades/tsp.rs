//! The RFC 3161 client and the test authority: nonce, imprint, status and signature checks;
//! requests from `openssl ts -query` answered so that `openssl ts -verify` accepts them; bad
//! requests refused with the right PKIFailureInfo.

use std::sync::Arc;

use der::{Decode, Encode};
use firma_ades::cms::SignerChain;
use firma_ades::tsp::asn1::TimeStampReq;
use firma_ades::tsp::{
    FailureInfo, PreparedRequest, TimestampTransport, TransportError, TsaClient, TspError,
};
use firma_core::HashAlgorithm;
use firma_testkit::pki::TestPki;

use super::support::*;

/// A transport that rewrites the request before the TSA sees it.
struct Tampering<F: Fn(&mut TimeStampReq) + Send + Sync> {
    inner: TsaClientTransport,
    f: F,
}

type TsaClientTransport = Arc<dyn TimestampTransport>;

impl<F: Fn(&mut TimeStampReq) + Send + Sync> TimestampTransport for Tampering<F> {
    fn exchange(&self, request_der: &[u8]) -> Result<Vec<u8>, TransportError> {
        let mut req = TimeStampReq::from_der(request_der)?;
        (self.f)(&mut req);
        self.inner.exchange(&req.to_der()?)
    }
}

struct Fixed(Vec<u8>);

impl TimestampTransport for Fixed {
    fn exchange(&self, _: &[u8]) -> Result<Vec<u8>, TransportError> {
        Ok(self.0.clone())
    }
}

fn authority(spec: firma_core::KeySpec) -> Arc<dyn TimestampTransport> {
    use firma_ades::tsp::authority::{AuthorityConfig, CounterSerial, TimestampAuthority};
    let pki = TestPki::shared(spec);
    Arc::new(TimestampAuthority::new(
        pki.tsa.key.clone(),
        SignerChain::from_der(&pki.tsa.cert_der, pki.chain()).expect("chain"),
        Arc::new(CounterSerial::starting_at(1000)),
        Arc::new(firma_core::FixedClock::new(TestPki::valid_at())),
        AuthorityConfig::new(
            firma_testkit::pki::TEST_TSA_POLICY,
            spec.default_algorithm(),
        ),
    ))
}

#[test]
fn the_client_checks_nonce_imprint_status_and_signature() {
    let spec = firma_core::KeySpec::Rsa2048;
    let ok = TsaClient::new(authority(spec))
        .timestamp(b"signature value")
        .expect("stamp");
    assert!(ok.covers(b"signature value"));

    let nonce = TsaClient::new(Arc::new(Tampering {
        inner: authority(spec),
        f: |r: &mut TimeStampReq| r.nonce = Some(der::asn1::Int::new(&[0x05]).expect("int")),
    }));
    assert!(matches!(
        nonce.timestamp(b"x"),
        Err(TspError::NonceMismatch)
    ));

    let imprint = TsaClient::new(Arc::new(Tampering {
        inner: authority(spec),
        f: |r: &mut TimeStampReq| {
            r.message_imprint.hashed_message = der::asn1::OctetString::new([7u8; 32]).expect("os")
        },
    }));
    assert!(matches!(
        imprint.timestamp(b"x"),
        Err(TspError::ImprintMismatch)
    ));

    let policy = TsaClient::new(authority(spec))
        .with_policy(der::asn1::ObjectIdentifier::new_unwrap("1.2.3.4"));
    match policy.timestamp(b"x") {
        Err(TspError::Rejected {
            status: 2,
            failures,
            ..
        }) => {
            assert_eq!(failures, vec![FailureInfo::UnacceptedPolicy])
        }
        other => panic!("expected a rejection, got {other:?}"),
    }

    let garbage = TsaClient::new(Arc::new(Fixed(b"\x30\x03\x02\x01".to_vec())));
    assert!(matches!(
        garbage.timestamp(b"x"),
        Err(TspError::MalformedResponse(_))
    ));

    // A response whose token has one flipped byte in the TSTInfo.
    let request =
        PreparedRequest::new(HashAlgorithm::Sha256, &[9u8; 32], &[1, 2, 3], None).expect("req");
    let response = authority(spec).exchange(request.der()).expect("exchange");
    request
        .check_response(&response)
        .expect("untouched response is fine");
    let at = find(&response, &[9u8; 32]);
    let mut bad = response.clone();
    bad[at + 31] ^= 1;
    assert!(matches!(
        request.check_response(&bad),
        Err(TspError::BadSignature(_))
    ));
    let mut bad = response.clone();
    let gen_time = find(&response, b"20260302103000Z");
    bad[gen_time + 13] = b'1';
    assert!(matches!(
        request.check_response(&bad),
        Err(TspError::BadSignature(_))
    ));
}

#[test]
fn a_certificate_without_the_time_stamping_usage_is_refused() {
    use firma_ades::tsp::authority::{AuthorityConfig, CounterSerial, respond};
    let spec = firma_core::KeySpec::EcP256;
    let pki = TestPki::shared(spec);
    let officer = x509_cert::Certificate::from_der(&pki.signer.cert_der).expect("cert");
    assert!(matches!(
        firma_ades::tsp::check_tsa_certificate(&officer, TestPki::valid_at()),
        Err(TspError::BadTsaCertificate(_))
    ));
    // The authority will not stamp with it either: it answers a rejection, not a token.
    let request = PreparedRequest::new(HashAlgorithm::Sha256, &[1u8; 32], &[1], None).expect("req");
    let response = respond(
        request.der(),
        pki.signer.key.as_ref(),
        &chain_of(&pki.signer, spec),
        &CounterSerial::default(),
        TestPki::valid_at(),
        &AuthorityConfig::new(
            firma_testkit::pki::TEST_TSA_POLICY,
            spec.default_algorithm(),
        ),
    );
    assert!(matches!(
        request.check_response(&response),
        Err(TspError::Rejected { status: 2, .. })
    ));
    // And a token verifies only with a TSA certificate valid at genTime.
    let request = PreparedRequest::new(HashAlgorithm::Sha256, &[1u8; 32], &[1], None).expect("req");
    let response = respond(
        request.der(),
        pki.tsa.key.as_ref(),
        &SignerChain::from_der(&pki.tsa.cert_der, pki.chain()).expect("chain"),
        &CounterSerial::default(),
        time::macros::datetime!(2040-01-01 00:00 UTC),
        &AuthorityConfig::new(
            firma_testkit::pki::TEST_TSA_POLICY,
            spec.default_algorithm(),
        ),
    );
    match request.check_response(&response) {
        Err(TspError::Rejected { failures, .. }) => {
            assert_eq!(failures, vec![FailureInfo::TimeNotAvailable])
        }
        other => panic!("expected timeNotAvailable, got {other:?}"),
    }
}

/// Requests made by `openssl ts -query` are answered with responses `openssl ts -verify`
/// accepts; bad requests get the right PKIFailureInfo.
#[test]
fn the_authority_answers_openssl_and_refuses_bad_requests() {
    for spec in [firma_core::KeySpec::EcP256, firma_core::KeySpec::Rsa2048] {
        let pki = TestPki::shared(spec);
        let data = write("ts-data.bin", b"some data to stamp");
        let query = env().dir.path().join(format!("{spec}.tsq"));
        assert_ok(
            &openssl(&[
                "ts",
                "-query",
                "-data",
                s(&data),
                "-sha256",
                "-cert",
                "-out",
                s(&query),
            ]),
            "openssl ts -query",
        );
        let response = authority(spec)
            .exchange(&std::fs::read(&query).expect("query"))
            .expect("respond");
        let reply = write(&format!("{spec}.tsr"), &response);
        let root = write(
            &format!("{spec}-tsroot.pem"),
            pki.root.cert_pem().as_bytes(),
        );
        let issuing = write(
            &format!("{spec}-tsissuing.pem"),
            pki.issuing.cert_pem().as_bytes(),
        );
        let out = openssl(&[
            "ts",
            "-verify",
            "-queryfile",
            s(&query),
            "-in",
            s(&reply),
            "-CAfile",
            s(&root),
            "-untrusted",
            s(&issuing),
        ]);
        assert_ok(&out, "openssl ts -verify -queryfile");
        let out = openssl(&[
            "ts",
            "-verify",
            "-data",
            s(&data),
            "-in",
            s(&reply),
            "-CAfile",
            s(&root),
            "-untrusted",
            s(&issuing),
        ]);
        assert_ok(&out, "openssl ts -verify -data");
        let text = openssl(&["ts", "-reply", "-in", s(&reply), "-text"]);
        let text = String::from_utf8_lossy(&text.stdout).to_string();
        assert!(text.contains("Status: Granted."), "{text}");
        assert!(text.contains("Accuracy: 0x01 seconds"), "{text}");
    }

    let tsa = authority(firma_core::KeySpec::EcP256);
    let good = PreparedRequest::new(HashAlgorithm::Sha256, &[3u8; 32], &[4], None).expect("req");
    let good_req = TimeStampReq::from_der(good.der()).expect("decode");
    let reject = |der: &[u8]| -> Vec<FailureInfo> {
        match good.check_response(&tsa.exchange(der).expect("respond")) {
            Err(TspError::Rejected {
                status: 2,
                failures,
                ..
            }) => failures,
            other => panic!("expected a rejection, got {other:?}"),
        }
    };
    assert_eq!(reject(b"not a request"), vec![FailureInfo::BadDataFormat]);
    let mut r = good_req.clone();
    r.version = 2;
    assert_eq!(
        reject(&r.to_der().expect("der")),
        vec![FailureInfo::BadRequest]
    );
    let mut r = good_req.clone();
    r.message_imprint.hash_algorithm.oid = der::asn1::ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
    assert_eq!(reject(&r.to_der().expect("der")), vec![FailureInfo::BadAlg]);
    let mut r = good_req.clone();
    r.message_imprint.hashed_message = der::asn1::OctetString::new([1u8; 20]).expect("os");
    assert_eq!(
        reject(&r.to_der().expect("der")),
        vec![FailureInfo::BadDataFormat]
    );
    let mut r = good_req.clone();
    r.extensions = Some(vec![x509_cert::ext::Extension {
        extn_id: der::asn1::ObjectIdentifier::new_unwrap("1.2.3"),
        critical: false,
        extn_value: der::asn1::OctetString::new([5u8]).expect("os"),
    }]);
    assert_eq!(
        reject(&r.to_der().expect("der")),
        vec![FailureInfo::UnacceptedExtension]
    );
}
