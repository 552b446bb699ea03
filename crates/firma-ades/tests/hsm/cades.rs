//! CAdES attached (`.p7m`) and detached (`.p7s`) B-T signed with an officer key in SoftHSM,
//! time-stamped by a TSA whose key is in the same token: `openssl cms -verify -cades`, pyHanko's
//! CMS validator and `openssl ts -verify` accept them.

use der::Encode;
use firma_ades::cades::{
    BaselineLevel, DetachedContent, Profile, inspect, sign_attached, sign_detached,
};
use firma_ades::cms::{CmsOptions, digest};
use firma_core::{HashAlgorithm, KeySpec};
use firma_testkit::pki::TestPki;
use firma_testkit::softhsm::TestToken;

use super::support::{algorithms, hsm_signer};
use crate::cades::support::{assert_fails, assert_ok, cms_verify, document, pyhanko_cms, write};
use crate::cades::timestamp::openssl_ts_verify;

fn cades_in_softhsm(token: &TestToken, spec: KeySpec) {
    let s = hsm_signer(token, spec);
    let content = document(100 * 1024);
    let content_file = write(&format!("hsm-{spec}-content.bin"), &content);
    let other_file = write(&format!("hsm-{spec}-other.bin"), b"another document");
    let options = CmsOptions {
        signing_time: Some(TestPki::valid_at()),
        timestamper: Some(&s.tsa),
        ..CmsOptions::default()
    };
    for alg in algorithms(spec) {
        let name = format!("hsm-{alg:?}");
        let p7m = sign_attached(s.key.as_ref(), alg, &s.chain, &content, &options).expect("p7m");
        let p7s =
            sign_detached(s.key.as_ref(), alg, &s.chain, &content[..], &options).expect("p7s");
        let p7m_file = write(&format!("{name}.p7m"), &p7m);
        let p7s_file = write(&format!("{name}.p7s"), &p7s);

        assert_ok(
            &cms_verify(&p7m_file, None, true),
            "openssl cms -verify -cades (.p7m)",
        );
        assert_ok(
            &cms_verify(&p7s_file, Some(&content_file), true),
            "openssl cms -verify -cades (.p7s)",
        );
        assert_fails(
            &cms_verify(&p7s_file, Some(&other_file), true),
            "openssl cms -verify of the .p7s against another document",
        );
        assert_eq!(
            pyhanko_cms(&p7m_file, None),
            "True True True True",
            "{alg:?} .p7m"
        );
        assert_eq!(
            pyhanko_cms(&p7s_file, Some(&content_file)),
            "True True True True",
            "{alg:?} .p7s"
        );

        for (file, report) in [
            ("p7m", inspect(&p7m, None).expect("inspect .p7m")),
            (
                "p7s",
                inspect(&p7s, Some(DetachedContent::Bytes(&content))).expect("inspect .p7s"),
            ),
        ] {
            let signer = &report.signers[0];
            assert_eq!(
                signer.level(Profile::Cades),
                Some(BaselineLevel::T),
                "{file}"
            );
            let cert = signer.certificate.as_ref().expect("certificate");
            assert_eq!(
                cert.tbs_certificate()
                    .subject_public_key_info()
                    .to_der()
                    .expect("SPKI"),
                s.officer.public_key.as_bytes(),
                "{file}: signed by the HSM officer key"
            );
            let token = signer
                .timestamp
                .clone()
                .expect("token")
                .expect("valid token");
            assert_eq!(token.tsa_certificate().to_der().expect("DER"), s.tsa_cert);
            let imprint = digest(HashAlgorithm::Sha256, &signer.signature_value);
            openssl_ts_verify(token.der(), &imprint, spec, &format!("{name}-{file}"));
        }
    }
}

firma_testkit::token_test!(fn cades_with_a_p256_officer_key_in_softhsm(token) {
    cades_in_softhsm(token, KeySpec::EcP256);
});

firma_testkit::token_test!(fn cades_with_an_rsa_2048_officer_key_in_softhsm(token) {
    cades_in_softhsm(token, KeySpec::Rsa2048);
});
