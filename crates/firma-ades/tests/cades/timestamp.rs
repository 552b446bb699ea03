//! B-T: the signature time-stamp (RFC 3161 token over the signature value), checked with
//! `openssl ts` as well as with our level check.

use der::{Decode, Encode};
use firma_ades::cades::{BaselineLevel, DetachedContent, Profile, inspect, sign_attached};
use firma_ades::cms::{CmsOptions, digest, estimated_max_len, sign_detached_digest};
use firma_core::HashAlgorithm;
use firma_testkit::pki::TestPki;

use super::support::*;

pub(crate) fn openssl_ts_verify(
    token: &[u8],
    imprint: &[u8],
    spec: firma_core::KeySpec,
    name: &str,
) {
    let pki = TestPki::shared(spec);
    let tok = write(&format!("{name}.tst"), token);
    let root = write(&format!("{name}-root.pem"), pki.root.cert_pem().as_bytes());
    let issuing = write(
        &format!("{name}-issuing.pem"),
        pki.issuing.cert_pem().as_bytes(),
    );
    let text = openssl(&["ts", "-reply", "-in", s(&tok), "-token_in", "-text"]);
    assert_ok(&text, "openssl ts -reply -text");
    let text = String::from_utf8_lossy(&text.stdout).to_string();
    assert!(text.contains("Policy OID: 1.3.6.1.4.1.99999.1.1"), "{text}");
    assert!(text.contains("Nonce: 0x"), "{text}");
    let hex: String = imprint.iter().map(|b| format!("{b:02x}")).collect();
    let out = openssl(&[
        "ts",
        "-verify",
        "-digest",
        &hex,
        "-in",
        s(&tok),
        "-token_in",
        "-CAfile",
        s(&root),
        "-untrusted",
        s(&issuing),
    ]);
    assert_ok(&out, "openssl ts -verify");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Verification: OK"));
    // Another imprint is refused by OpenSSL.
    let mut other = imprint.to_vec();
    other[0] ^= 1;
    let hex: String = other.iter().map(|b| format!("{b:02x}")).collect();
    let out = openssl(&[
        "ts",
        "-verify",
        "-digest",
        &hex,
        "-in",
        s(&tok),
        "-token_in",
        "-CAfile",
        s(&root),
        "-untrusted",
        s(&issuing),
    ]);
    assert_fails(&out, "openssl ts -verify with another imprint");
}

#[test]
fn b_t_signatures_carry_a_valid_token_over_the_signature_value() {
    let content = document(40_000);
    let content_file = write("bt-content.bin", &content);
    for (spec, alg) in algorithms() {
        let pki = TestPki::shared(spec);
        let chain = chain_of(&pki.signer, spec);
        let tsa = tsa_client(spec);
        // PAdES-style: detached digest, no signing-time.
        let pades_opts = CmsOptions {
            timestamper: Some(&tsa),
            ..CmsOptions::default()
        };
        let d = digest(alg.hash(), &content);
        let cms = sign_detached_digest(pki.signer.key.as_ref(), alg, &chain, &d, &pades_opts)
            .expect("sign");
        assert!(cms.len() <= estimated_max_len(&chain, alg, true));
        let f = write(&format!("bt-{alg:?}.p7s"), &cms);
        assert_ok(
            &cms_verify(&f, Some(&content_file), true),
            "openssl cms -verify -cades (B-T)",
        );
        let report = inspect(&cms, Some(DetachedContent::Bytes(&content))).expect("inspect");
        let signer = &report.signers[0];
        assert_eq!(
            signer.level(Profile::Pades),
            Some(BaselineLevel::T),
            "{signer:?}"
        );
        let token = signer
            .timestamp
            .clone()
            .expect("token present")
            .expect("token valid");
        assert_eq!(token.gen_time(), TestPki::valid_at());
        let imprint = digest(HashAlgorithm::Sha256, &signer.signature_value);
        assert_eq!(
            token.imprint().expect("imprint"),
            (HashAlgorithm::Sha256, &imprint[..])
        );
        openssl_ts_verify(token.der(), &imprint, spec, &format!("bt-{alg:?}"));

        // CAdES attached B-T.
        let cades_opts = CmsOptions {
            signing_time: Some(TestPki::valid_at()),
            timestamper: Some(&tsa),
            ..CmsOptions::default()
        };
        let p7m = sign_attached(pki.signer.key.as_ref(), alg, &chain, &content, &cades_opts)
            .expect("sign");
        assert_ok(
            &cms_verify(&write("bt.p7m", &p7m), None, true),
            "openssl cms -verify (B-T p7m)",
        );
        let report = inspect(&p7m, None).expect("inspect");
        assert_eq!(
            report.signers[0].level(Profile::Cades),
            Some(BaselineLevel::T)
        );
    }
}

/// A time-stamp token moved to another signature is not accepted as its time-stamp.
#[test]
fn a_token_of_another_signature_does_not_make_b_t() {
    let spec = firma_core::KeySpec::EcP256;
    let (_, alg) = algorithms()[0];
    let pki = TestPki::shared(spec);
    let chain = chain_of(&pki.signer, spec);
    let tsa = tsa_client(spec);
    let opts = CmsOptions {
        timestamper: Some(&tsa),
        ..CmsOptions::default()
    };
    let a =
        sign_detached_digest(pki.signer.key.as_ref(), alg, &chain, &[1u8; 32], &opts).expect("a");
    let b =
        sign_detached_digest(pki.signer.key.as_ref(), alg, &chain, &[2u8; 32], &opts).expect("b");
    let token_a = inspect(
        &a,
        Some(DetachedContent::Digest(HashAlgorithm::Sha256, &[1u8; 32])),
    )
    .expect("inspect")
    .signers[0]
        .timestamp
        .clone()
        .expect("present")
        .expect("valid");
    let token_b = inspect(
        &b,
        Some(DetachedContent::Digest(HashAlgorithm::Sha256, &[2u8; 32])),
    )
    .expect("inspect")
    .signers[0]
        .timestamp
        .clone()
        .expect("present")
        .expect("valid");
    // Put a's token into b's unsigned attributes.
    let swapped = {
        use cms::content_info::ContentInfo;
        use cms::signed_data::SignedData;
        let mut ci = ContentInfo::from_der(&b).expect("ContentInfo");
        let mut sd: SignedData = ci.content.decode_as().expect("SignedData");
        let mut infos = sd.signer_infos.0.into_vec();
        let attrs = infos[0]
            .unsigned_attrs
            .as_mut()
            .expect("unsigned attributes");
        let mut attr = attrs.as_slice()[0].clone();
        attr.values =
            der::asn1::SetOfVec::try_from(vec![der::Any::from_der(token_a.der()).expect("any")])
                .expect("set");
        *attrs = der::asn1::SetOfVec::try_from(vec![attr]).expect("set");
        sd.signer_infos =
            cms::signed_data::SignerInfos(der::asn1::SetOfVec::try_from(infos).expect("set"));
        ci.content = der::Any::encode_from(&sd).expect("any");
        ci.to_der().expect("der")
    };
    assert_ne!(token_a.der(), token_b.der());
    let report = inspect(
        &swapped,
        Some(DetachedContent::Digest(HashAlgorithm::Sha256, &[2u8; 32])),
    )
    .expect("inspect");
    let s = &report.signers[0];
    assert!(
        matches!(&s.timestamp, Some(Err(e)) if e.contains("does not cover")),
        "{s:?}"
    );
    assert_eq!(s.level(Profile::Pades), Some(BaselineLevel::B));
}
