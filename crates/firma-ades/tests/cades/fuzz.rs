//! Property tests: the CMS, CAdES and time-stamp parsers never panic on mutated input, and the
//! test authority always answers with a well-formed TimeStampResp.

use std::sync::OnceLock;

use der::Decode;
use firma_ades::cades::{
    DetachedContent, cosign_attached, extract_content, inspect, sign_attached,
};
use firma_ades::cms::{CmsOptions, SignerChain};
use firma_ades::tsp::asn1::TimeStampResp;
use firma_ades::tsp::authority::{AuthorityConfig, CounterSerial, respond};
use firma_ades::tsp::{PreparedRequest, verify_token};
use firma_core::{HashAlgorithm, KeySpec, SignatureAlgorithm};
use firma_testkit::pki::TestPki;
use proptest::prelude::*;

use super::support::*;

struct Samples {
    p7m: Vec<u8>,
    p7m_bt: Vec<u8>,
    request: PreparedRequest,
    response: Vec<u8>,
    token: Vec<u8>,
}

fn samples() -> &'static Samples {
    static S: OnceLock<Samples> = OnceLock::new();
    S.get_or_init(|| {
        let ec = TestPki::shared(KeySpec::EcP256);
        let chain = chain_of(&ec.signer, KeySpec::EcP256);
        let alg = SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256);
        let tsa = tsa_client(KeySpec::EcP256);
        let p7m = sign_attached(
            ec.signer.key.as_ref(),
            alg,
            &chain,
            b"content",
            &CmsOptions::default(),
        )
        .expect("p7m");
        let opts = CmsOptions {
            timestamper: Some(&tsa),
            signing_time: Some(TestPki::valid_at()),
            ..CmsOptions::default()
        };
        let p7m_bt =
            sign_attached(ec.signer.key.as_ref(), alg, &chain, b"content", &opts).expect("p7m");
        let request =
            PreparedRequest::new(HashAlgorithm::Sha256, &[5u8; 32], &[9, 9], None).expect("req");
        let response = respond_with(request.der());
        let token = TimeStampResp::from_der(&response)
            .expect("resp")
            .time_stamp_token
            .map(|t| der::Encode::to_der(&t).expect("der"))
            .expect("token");
        Samples {
            p7m,
            p7m_bt,
            request,
            response,
            token,
        }
    })
}

fn respond_with(request: &[u8]) -> Vec<u8> {
    let ec = TestPki::shared(KeySpec::EcP256);
    respond(
        request,
        ec.tsa.key.as_ref(),
        &SignerChain::from_der(&ec.tsa.cert_der, ec.chain()).expect("chain"),
        &CounterSerial::default(),
        TestPki::valid_at(),
        &AuthorityConfig::new(
            firma_testkit::pki::TEST_TSA_POLICY,
            SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256),
        ),
    )
}

/// A mutation: flip bytes, cut, or insert, at positions taken modulo the length.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(Vec<(usize, u8)>),
    Truncate(usize),
    Insert(usize, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => prop::collection::vec((any::<usize>(), 1u8..=255), 1..6).prop_map(Mutation::Flip),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        1 => (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8)).prop_map(|(p, b)| Mutation::Insert(p, b)),
    ]
}

fn apply(input: &[u8], m: &Mutation) -> Vec<u8> {
    let mut v = input.to_vec();
    match m {
        Mutation::Flip(flips) => {
            for (pos, x) in flips {
                let i = pos % v.len();
                v[i] ^= x;
            }
        }
        Mutation::Truncate(n) => v.truncate(n % v.len()),
        Mutation::Insert(pos, bytes) => {
            let i = pos % (v.len() + 1);
            v.splice(i..i, bytes.iter().copied());
        }
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn cades_parsers_never_panic(which in 0usize..2, m in mutation()) {
        let s = samples();
        let input = apply(if which == 0 { &s.p7m } else { &s.p7m_bt }, &m);
        let _ = extract_content(&input);
        let _ = inspect(&input, None);
        let _ = inspect(&input, Some(DetachedContent::Bytes(b"content")));
        let ec = TestPki::shared(KeySpec::EcP256);
        let result = cosign_attached(
            ec.signer2.key.as_ref(),
            SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256),
            &chain_of(&ec.signer2, KeySpec::EcP256),
            &input,
            &CmsOptions::default(),
        );
        // Whatever is accepted for co-signing still has every signature intact.
        if let Ok(out) = result {
            let report = inspect(&out, None).expect("our own output parses");
            prop_assert!(report.signers.iter().all(|s| s.error.is_none()), "{:?}", report);
        }
    }

    #[test]
    fn tsp_parsers_never_panic(m in mutation()) {
        let s = samples();
        let _ = s.request.check_response(&apply(&s.response, &m));
        let _ = verify_token(&apply(&s.token, &m));
    }

    #[test]
    fn the_authority_always_answers_a_time_stamp_response(m in mutation()) {
        let s = samples();
        let response = respond_with(&apply(s.request.der(), &m));
        prop_assert!(TimeStampResp::from_der(&response).is_ok());
    }
}
