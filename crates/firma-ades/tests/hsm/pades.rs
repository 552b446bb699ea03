//! PAdES B-B and B-T signed with an officer key in SoftHSM, time-stamped by a TSA whose key is
//! in the same token: pyHanko (validation and baseline level), pdfsig and qpdf accept them.

use der::{Decode, Encode};
use firma_ades::cades::{BaselineLevel, DetachedContent, Profile, inspect};
use firma_ades::cms::digest;
use firma_ades::pades::{self, PadesOptions};
use firma_core::{KeySpec, SignatureAlgorithm};
use firma_testkit::pki::TestPki;
use firma_testkit::softhsm::TestToken;

use super::support::{HsmSigner, algorithms, hsm_signer};
use crate::pades::level::level_trusting;
use crate::pades::support::{
    assert_pdfsig_valid_with, assert_pyhanko_valid_trusting, assert_qpdf_no_new_problems, corpus,
    pyhanko_validate_trusting, text,
};

/// The last signature's CMS and the hash of its /ByteRange, read from the file.
fn last_signature(pdf: &[u8], alg: SignatureAlgorithm) -> (Vec<u8>, Vec<u8>) {
    let rfind = |needle: &[u8]| {
        pdf.windows(needle.len())
            .rposition(|w| w == needle)
            .unwrap_or_else(|| panic!("{} not found", String::from_utf8_lossy(needle)))
    };
    let at = rfind(b"/ByteRange [") + b"/ByteRange [".len();
    let end = at + pdf[at..].iter().position(|b| *b == b']').expect("]");
    let range: Vec<usize> = std::str::from_utf8(&pdf[at..end])
        .expect("ASCII")
        .split_whitespace()
        .map(|n| n.parse().expect("number"))
        .collect();
    let [a, b, c, d] = range[..] else {
        panic!("byte range {range:?}")
    };
    let mut covered = pdf[a..a + b].to_vec();
    covered.extend_from_slice(&pdf[c..c + d]);
    let at = rfind(b"/Contents <") + b"/Contents <".len();
    let end = at + pdf[at..].iter().position(|b| *b == b'>').expect(">");
    let bytes: Vec<u8> = pdf[at..end]
        .chunks(2)
        .map(|h| u8::from_str_radix(std::str::from_utf8(h).expect("hex"), 16).expect("hex"))
        .collect();
    // /Contents is zero-padded after the DER ContentInfo.
    let (ci, _) = cms::content_info::ContentInfo::from_der_partial(&bytes).expect("ContentInfo");
    (ci.to_der().expect("DER"), digest(alg.hash(), &covered))
}

/// The signature was made by the HSM officer key and time-stamped by the HSM TSA key.
fn assert_made_in_the_hsm(s: &HsmSigner, pdf: &[u8], alg: SignatureAlgorithm, timestamped: bool) {
    let (cms, hash) = last_signature(pdf, alg);
    let report = inspect(&cms, Some(DetachedContent::Digest(alg.hash(), &hash))).expect("inspect");
    let signer = &report.signers[0];
    let cert = signer.certificate.as_ref().expect("signer certificate");
    assert_eq!(
        cert.tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .expect("SPKI"),
        s.officer.public_key.as_bytes(),
        "the signer certificate is the one issued for the HSM key"
    );
    if timestamped {
        assert_eq!(signer.level(Profile::Pades), Some(BaselineLevel::T));
        let token = signer
            .timestamp
            .clone()
            .expect("token")
            .expect("valid token");
        assert_eq!(token.tsa_certificate().to_der().expect("DER"), s.tsa_cert);
    } else {
        assert_eq!(signer.level(Profile::Pades), Some(BaselineLevel::B));
    }
}

fn pades_in_softhsm(token: &TestToken, spec: KeySpec) {
    let s = hsm_signer(token, spec);
    let pdf = corpus("atto-classic-1.4.pdf");
    let original = s.write("atto.pdf", &pdf);
    let bb_options = PadesOptions::new(TestPki::valid_at());
    let bt_options = PadesOptions::new(TestPki::valid_at()).with_timestamp(&s.tsa);
    for alg in algorithms(spec) {
        for (level, options) in [("B-B", &bb_options), ("B-T", &bt_options)] {
            let signed =
                pades::sign(&pdf, s.key.as_ref(), alg, &s.chain, options).expect("PAdES signature");
            assert_eq!(&signed[..pdf.len()], &pdf[..], "original bytes kept");
            assert_made_in_the_hsm(&s, &signed, alg, level == "B-T");
            let f = s.write(&format!("{level}-{alg:?}.pdf"), &signed);
            assert_pyhanko_valid_trusting(&s.roots, &f, 1, true);
            let report = level_trusting(&s.roots, &f, -1);
            assert!(
                report.contains(&format!(r#""level": "{level}""#)),
                "{alg:?}: {report}"
            );
            assert_pdfsig_valid_with(&s.nss, &f, 1);
            assert_qpdf_no_new_problems(&original, &f);
        }
    }

    // A second HSM signature over the first: both stay valid.
    let alg = spec.default_algorithm();
    let once = pades::sign(&pdf, s.key.as_ref(), alg, &s.chain, &bt_options).expect("first");
    let twice = pades::sign(&once, s.key.as_ref(), alg, &s.chain, &bt_options).expect("second");
    let f = s.write("twice.pdf", &twice);
    assert_pyhanko_valid_trusting(&s.roots, &f, 2, true);
    let first = level_trusting(&s.roots, &f, 0);
    assert!(first.contains(r#""level": "B-T""#), "{first}");

    // The validators are not vacuous: a byte of the original changed is caught.
    let mut tampered = once.clone();
    let at = tampered
        .windows(15)
        .position(|w| w == b"Atto di nascita")
        .expect("title");
    tampered[at] ^= 1;
    let f = s.write("tampered.pdf", &tampered);
    let out = pyhanko_validate_trusting(&s.roots, &f, true, false);
    assert!(
        !out.status.success() && !String::from_utf8_lossy(&out.stdout).contains(":INTACT:"),
        "pyHanko accepts a changed document:\n{}",
        text(&out)
    );
}

firma_testkit::token_test!(fn pades_with_a_p256_officer_key_in_softhsm(token) {
    pades_in_softhsm(token, KeySpec::EcP256);
});

firma_testkit::token_test!(fn pades_with_an_rsa_2048_officer_key_in_softhsm(token) {
    pades_in_softhsm(token, KeySpec::Rsa2048);
});
