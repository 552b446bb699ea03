//! pyHanko's CMS validator on our CAdES output, including the ESS signing-certificate-v2
//! hash that OpenSSL does not check.

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::{Decode, Encode};
use firma_ades::cades::{Profile, inspect, sign_attached, sign_detached};
use firma_ades::cms::{CmsOptions, digest};
use firma_core::{ActiveKey, KeySpec};
use firma_testkit::pki::TestPki;

use super::support::*;

#[test]
fn pyhanko_accepts_b_b_and_b_t_signatures() {
    let content = document(30_000);
    let content_file = write("pyhanko-content.bin", &content);
    for (spec, alg) in algorithms() {
        let pki = TestPki::shared(spec);
        let chain = chain_of(&pki.signer, spec);
        let tsa = tsa_client(spec);
        let bb = CmsOptions {
            signing_time: Some(TestPki::valid_at()),
            ..CmsOptions::default()
        };
        let bt = CmsOptions {
            timestamper: Some(&tsa),
            ..bb
        };
        let p7s =
            sign_detached(pki.signer.key.as_ref(), alg, &chain, &content[..], &bb).expect("sign");
        let f = write(&format!("pyhanko-{alg:?}.p7s"), &p7s);
        assert_eq!(
            pyhanko_cms(&f, Some(&content_file)),
            "True True True None",
            "{alg:?} B-B"
        );
        let p7m = sign_attached(pki.signer.key.as_ref(), alg, &chain, &content, &bt).expect("sign");
        let f = write(&format!("pyhanko-{alg:?}.p7m"), &p7m);
        assert_eq!(pyhanko_cms(&f, None), "True True True True", "{alg:?} B-T");
    }
}

/// A signature whose ESS signing-certificate-v2 names another certificate, correctly signed:
/// `openssl cms -verify` accepts it without `-cades` and refuses it with `-cades`; pyHanko and
/// our level check refuse it.
#[test]
fn a_wrong_ess_certificate_hash_is_caught_by_pyhanko_and_our_check() {
    let spec = KeySpec::EcP256;
    let (_, alg) = algorithms()[0];
    let pki = TestPki::shared(spec);
    let content = document(1_000);
    let p7m = sign_attached(
        pki.signer.key.as_ref(),
        alg,
        &chain_of(&pki.signer, spec),
        &content,
        &CmsOptions {
            signing_time: Some(TestPki::valid_at()),
            ..CmsOptions::default()
        },
    )
    .expect("sign");
    // Replace the certificate hash inside the ESS attribute, then sign the attributes again.
    let mut ci = ContentInfo::from_der(&p7m).expect("ContentInfo");
    let mut sd: SignedData = ci.content.decode_as().expect("SignedData");
    let mut infos = sd.signer_infos.0.into_vec();
    let cert_hash = digest(alg.hash(), &pki.signer.cert_der);
    let attrs = infos[0].signed_attrs.take().expect("signed attributes");
    let mut der_attrs = attrs.to_der().expect("der");
    let at = find(&der_attrs, &cert_hash);
    der_attrs[at] ^= 0xff;
    let attrs = x509_cert::attr::Attributes::from_der(&der_attrs).expect("attributes");
    let sig = pki
        .signer
        .key
        .sign_digest(alg, &digest(alg.hash(), &attrs.to_der().expect("der")))
        .expect("sign");
    infos[0].signed_attrs = Some(attrs);
    infos[0].signature = der::asn1::OctetString::new(sig).expect("octets");
    sd.signer_infos =
        cms::signed_data::SignerInfos(der::asn1::SetOfVec::try_from(infos).expect("set"));
    ci.content = der::Any::encode_from(&sd).expect("any");
    let forged = ci.to_der().expect("der");
    let f = write("wrong-ess.p7m", &forged);

    assert_ok(
        &cms_verify(&f, None, false),
        "the signature itself is valid",
    );
    let out = cms_verify(&f, None, true);
    assert_fails(&out, "openssl cms -verify -cades");
    assert!(String::from_utf8_lossy(&out.stderr).contains("ess cert id not found"));
    let original = write("right-ess.p7m", &p7m);
    assert_eq!(pyhanko_cms(&original, None), "True True True None");
    let py = pyhanko_cms(&f, None);
    assert!(
        py.contains("Signing certificate attribute does not match"),
        "pyHanko: {py}"
    );
    let report = inspect(&forged, None).expect("inspect");
    let error = report.signers[0].error.clone().unwrap_or_default();
    assert!(error.contains("ESS signing certificate"), "{error}");
    assert_eq!(report.signers[0].level(Profile::Cades), None);
}
