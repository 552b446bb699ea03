//! Attached CAdES (`.p7m`).

use firma_ades::cades::{BaselineLevel, Profile, extract_content, inspect, sign_attached};
use firma_ades::cms::CmsOptions;
use firma_testkit::pki::TestPki;

use super::support::*;

#[test]
fn p7m_verifies_with_openssl_and_embeds_the_content() {
    let content = document(100 * 1024);
    for (spec, alg) in algorithms() {
        let pki = TestPki::shared(spec);
        let chain = chain_of(&pki.signer, spec);
        let options = CmsOptions {
            signing_time: Some(TestPki::valid_at()),
            ..CmsOptions::default()
        };
        let p7m =
            sign_attached(pki.signer.key.as_ref(), alg, &chain, &content, &options).expect("sign");
        let f = write(&format!("attached-{alg:?}.p7m"), &p7m);
        let out = cms_verify(&f, None, true);
        assert_ok(&out, &format!("openssl cms -verify -cades ({alg:?})"));
        let extracted_by_openssl =
            std::fs::read(f.with_extension("p7m.out")).expect("openssl output");
        assert_eq!(extracted_by_openssl, content);
        assert_eq!(extract_content(&p7m).expect("extract"), content);

        let report = inspect(&p7m, None).expect("inspect");
        assert!(report.attached);
        assert_eq!(
            report.signers[0].level(Profile::Cades),
            Some(BaselineLevel::B)
        );
    }
}

#[test]
fn a_flipped_byte_in_content_or_signed_attributes_is_rejected_by_openssl() {
    let content = document(10_000);
    for (spec, alg) in algorithms() {
        let pki = TestPki::shared(spec);
        let chain = chain_of(&pki.signer, spec);
        let options = CmsOptions {
            signing_time: Some(TestPki::valid_at()),
            ..CmsOptions::default()
        };
        let p7m =
            sign_attached(pki.signer.key.as_ref(), alg, &chain, &content, &options).expect("sign");

        // A byte of the embedded content.
        let mut bad = p7m.clone();
        let at = find(&bad, &content[..64]) + 5_000;
        bad[at] ^= 0x01;
        let f = write(&format!("flipped-content-{alg:?}.p7m"), &bad);
        assert_fails(&cms_verify(&f, None, false), "openssl on flipped content");
        assert!(
            inspect(&bad, None).expect("inspect").signers[0]
                .error
                .is_some()
        );

        // A byte of the signing-time value inside the signed attributes (the time's "26"
        // year digits after the UTCTime tag 0x17 0x0d).
        let mut bad = p7m.clone();
        let at = find(&bad, &[0x17, 0x0d, b'2', b'6']) + 5;
        bad[at] ^= 0x01;
        let f = write(&format!("flipped-attrs-{alg:?}.p7m"), &bad);
        assert_fails(
            &cms_verify(&f, None, false),
            "openssl on flipped signed attributes",
        );
        let report = inspect(&bad, None).expect("inspect");
        assert!(
            report.signers[0]
                .error
                .as_deref()
                .unwrap_or("")
                .contains("does not verify")
        );
    }
}
