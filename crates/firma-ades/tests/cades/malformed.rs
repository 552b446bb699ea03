//! Malformed and unsuitable CMS inputs get specific errors.

use firma_ades::cades::{
    CadesError, DetachedContent, cosign_attached, decode_cms_input, extract_content, inspect,
    sign_attached,
};
use firma_ades::cms::CmsOptions;
use firma_core::{HashAlgorithm, KeySpec, SignatureAlgorithm};
use firma_testkit::pki::TestPki;

use super::support::*;

fn p7m() -> Vec<u8> {
    let ec = TestPki::shared(KeySpec::EcP256);
    sign_attached(
        ec.signer.key.as_ref(),
        SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256),
        &chain_of(&ec.signer, KeySpec::EcP256),
        &document(2_000),
        &CmsOptions::default(),
    )
    .expect("sign")
}

fn cosign(input: &[u8]) -> Result<Vec<u8>, CadesError> {
    let ec = TestPki::shared(KeySpec::EcP256);
    cosign_attached(
        ec.signer2.key.as_ref(),
        SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256),
        &chain_of(&ec.signer2, KeySpec::EcP256),
        input,
        &CmsOptions::default(),
    )
}

#[test]
fn unreadable_inputs_get_specific_errors() {
    let good = p7m();
    assert!(matches!(cosign(b""), Err(CadesError::Empty)));
    assert!(matches!(extract_content(b" \r\n"), Err(CadesError::Empty)));
    assert!(matches!(
        cosign(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
        Err(CadesError::NotCms)
    ));
    assert!(matches!(
        cosign(b"-----BEGIN PKCS7-----\n!!!!\n-----END PKCS7-----\n"),
        Err(CadesError::Base64(_))
    ));
    assert!(matches!(
        cosign(&good[..good.len() / 2]),
        Err(CadesError::Truncated { offset: 0 })
    ));
    let mut trailing = good.clone();
    trailing.extend_from_slice(b"junk");
    assert!(matches!(
        cosign(&trailing),
        Err(CadesError::TrailingData(4))
    ));

    // digestAlgorithms SET (0x31) turned into a SEQUENCE.
    let mut wrong_tag = good.clone();
    let sd = find(&good, &[0x02, 0x01, 0x01, 0x31]);
    wrong_tag[sd + 3] = 0x30;
    assert!(matches!(
        cosign(&wrong_tag),
        Err(CadesError::Structure {
            expected: "digestAlgorithms SET",
            ..
        })
    ));
    let mut bad_version = good.clone();
    bad_version[sd + 2] = 9;
    assert!(matches!(
        cosign(&bad_version),
        Err(CadesError::Malformed {
            reason: "CMSVersion is not 0 to 5",
            ..
        })
    ));

    let deep: Vec<u8> = std::iter::repeat_n([0x30u8, 0x80], 64).flatten().collect();
    assert!(matches!(cosign(&deep), Err(CadesError::TooDeep(_))));
    let primitive_indefinite = [0x30u8, 0x80, 0x06, 0x80, 0, 0];
    assert!(matches!(
        cosign(&primitive_indefinite),
        Err(CadesError::Malformed { .. })
    ));
    assert!(matches!(
        decode_cms_input(&good),
        Ok(std::borrow::Cow::Borrowed(_))
    ));
}

#[test]
fn other_cms_types_are_refused() {
    let pki = TestPki::shared(KeySpec::Rsa2048);
    let dir = tempfile::tempdir().expect("dir");
    let cert = dir.path().join("c.pem");
    std::fs::write(&cert, pki.signer.cert_pem()).expect("write");
    let data = dir.path().join("d.bin");
    std::fs::write(&data, b"secret").expect("write");

    // EnvelopedData (RFC 5652 section 6).
    let env = dir.path().join("e.der");
    assert_ok(
        &openssl(&[
            "cms",
            "-encrypt",
            "-binary",
            "-in",
            s(&data),
            "-outform",
            "DER",
            "-out",
            s(&env),
            s(&cert),
        ]),
        "openssl cms -encrypt",
    );
    let env = std::fs::read(&env).expect("read");
    assert!(
        matches!(cosign(&env), Err(CadesError::NotSignedData(oid)) if oid == "1.2.840.113549.1.7.3")
    );
    assert!(matches!(
        inspect(&env, None),
        Err(CadesError::NotSignedData(_))
    ));

    // A certificates-only SignedData (`.p7c`).
    let p7c = dir.path().join("c.p7c");
    assert_ok(
        &openssl(&[
            "crl2pkcs7",
            "-nocrl",
            "-certfile",
            s(&cert),
            "-outform",
            "DER",
            "-out",
            s(&p7c),
        ]),
        "openssl crl2pkcs7",
    );
    let p7c = std::fs::read(&p7c).expect("read");
    assert!(matches!(cosign(&p7c), Err(CadesError::NoSigners)));
    assert!(matches!(extract_content(&p7c), Err(CadesError::NoContent)));

    // Content given for an attached signature, or missing for a detached one.
    let good = p7m();
    assert!(matches!(
        inspect(&good, Some(DetachedContent::Bytes(b"x"))),
        Err(CadesError::ContentEmbedded)
    ));
    let ec = TestPki::shared(KeySpec::EcP256);
    let p7s = firma_ades::cms::sign_detached_digest(
        ec.signer.key.as_ref(),
        SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256),
        &chain_of(&ec.signer, KeySpec::EcP256),
        &[0u8; 32],
        &CmsOptions::default(),
    )
    .expect("sign");
    assert!(matches!(inspect(&p7s, None), Err(CadesError::NoContent)));
}
