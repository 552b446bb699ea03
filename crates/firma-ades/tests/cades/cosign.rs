//! Parallel co-signatures of an existing `.p7m`.

use base64::Engine as _;
use firma_ades::cades::{
    BaselineLevel, CadesError, Profile, cosign_attached, extract_content, inspect, sign_attached,
    sign_detached,
};
use firma_ades::cms::CmsOptions;
use firma_core::{HashAlgorithm, KeySpec, SignatureAlgorithm};
use firma_testkit::pki::TestPki;

use super::support::*;

fn options() -> CmsOptions<'static> {
    CmsOptions {
        signing_time: Some(TestPki::valid_at()),
        ..CmsOptions::default()
    }
}

fn first_p7m(content: &[u8]) -> Vec<u8> {
    let ec = TestPki::shared(KeySpec::EcP256);
    sign_attached(
        ec.signer.key.as_ref(),
        SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256),
        &chain_of(&ec.signer, KeySpec::EcP256),
        content,
        &options(),
    )
    .expect("first signature")
}

#[test]
fn co_signatures_keep_every_signature_valid() {
    let content = document(20_000);
    let p7m = first_p7m(&content);
    let rsa = TestPki::shared(KeySpec::Rsa2048);
    let ec = TestPki::shared(KeySpec::EcP256);
    let two = cosign_attached(
        rsa.signer2.key.as_ref(),
        SignatureAlgorithm::RsaPss(HashAlgorithm::Sha256),
        &chain_of(&rsa.signer2, KeySpec::Rsa2048),
        &p7m,
        &options(),
    )
    .expect("second signature");
    let three = cosign_attached(
        ec.signer2.key.as_ref(),
        SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256),
        &chain_of(&ec.signer2, KeySpec::EcP256),
        &two,
        &options(),
    )
    .expect("third signature");
    for (name, file, signers) in [("two", &two, 2), ("three", &three, 3)] {
        let f = write(&format!("cosigned-{name}.p7m"), file);
        // OpenSSL verifies every SignerInfo.
        assert_ok(
            &cms_verify(&f, None, true),
            &format!("openssl cms -verify ({name} signers)"),
        );
        let report = inspect(file, None).expect("inspect");
        assert_eq!(report.signers.len(), signers);
        for s in &report.signers {
            assert_eq!(s.level(Profile::Cades), Some(BaselineLevel::B), "{s:?}");
        }
        assert_eq!(extract_content(file).expect("content"), content);
        // The first SignerInfo is carried over byte for byte.
        let first_sig = &inspect(&p7m, None).expect("inspect").signers[0].signature_value;
        assert!(
            report
                .signers
                .iter()
                .any(|s| &s.signature_value == first_sig)
        );
    }
    // Certificates merged without duplicates: the EC issuing CA is shared by two signers.
    let issuing = &ec.issuing.cert_der;
    let count = three
        .windows(issuing.len())
        .filter(|w| w == issuing)
        .count();
    assert_eq!(count, 1, "the issuing CA certificate appears once");
    // A flipped byte in the content breaks every signature for OpenSSL.
    let mut bad = three.clone();
    let at = find(&bad, &content[..64]) + 100;
    bad[at] ^= 0x20;
    assert_fails(
        &cms_verify(&write("cosigned-bad.p7m", &bad), None, false),
        "tampered co-signed file",
    );
}

#[test]
fn base64_and_pem_p7m_are_accepted() {
    let content = document(3_000);
    let p7m = first_p7m(&content);
    let b64 = base64::engine::general_purpose::STANDARD.encode(&p7m);
    let wrapped: String = b64
        .as_bytes()
        .chunks(64)
        .map(|c| format!("{}\r\n", std::str::from_utf8(c).expect("ascii")))
        .collect();
    let pem = format!("-----BEGIN PKCS7-----\n{wrapped}-----END PKCS7-----\n");
    let ec = TestPki::shared(KeySpec::EcP256);
    for input in [b64.into_bytes(), wrapped.into_bytes(), pem.into_bytes()] {
        let out = cosign_attached(
            ec.signer2.key.as_ref(),
            SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256),
            &chain_of(&ec.signer2, KeySpec::EcP256),
            &input,
            &options(),
        )
        .expect("co-sign");
        assert_eq!(out[0], 0x30, "output is DER");
        assert_ok(
            &cms_verify(&write("cosigned-b64.p7m", &out), None, true),
            "openssl",
        );
    }
}

/// A `.p7m` made by OpenSSL with `-stream`: BER with indefinite lengths and a constructed
/// OCTET STRING, as some signing tools write them.
#[test]
fn a_ber_p7m_from_openssl_is_co_signed() {
    let dir = tempfile::tempdir().expect("dir");
    let key = dir.path().join("key.pem");
    let cert = dir.path().join("cert.pem");
    let data = dir.path().join("data.bin");
    let p7m = dir.path().join("openssl.p7m");
    std::fs::write(&data, document(50_000)).expect("write");
    assert_ok(
        &openssl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            s(&key),
            "-out",
            s(&cert),
            "-subj",
            "/CN=OpenSSL signer/C=IT",
            "-days",
            "3650",
            "-addext",
            "keyUsage=critical,nonRepudiation,digitalSignature",
        ]),
        "openssl req",
    );
    assert_ok(
        &openssl(&[
            "cms",
            "-sign",
            "-binary",
            "-nodetach",
            "-stream",
            "-cades",
            "-in",
            s(&data),
            "-signer",
            s(&cert),
            "-inkey",
            s(&key),
            "-outform",
            "DER",
            "-out",
            s(&p7m),
        ]),
        "openssl cms -sign -stream",
    );
    let input = std::fs::read(&p7m).expect("read");
    assert_eq!(
        &input[..2],
        &[0x30, 0x80],
        "OpenSSL wrote indefinite-length BER"
    );
    let ec = TestPki::shared(KeySpec::EcP256);
    let out = cosign_attached(
        ec.signer.key.as_ref(),
        SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256),
        &chain_of(&ec.signer, KeySpec::EcP256),
        &input,
        &options(),
    )
    .expect("co-sign");
    let ca = dir.path().join("ca.pem");
    let mut roots = std::fs::read(&env().ca_file).expect("roots");
    roots.extend(std::fs::read(&cert).expect("cert"));
    std::fs::write(&ca, roots).expect("write");
    let out_file = dir.path().join("cosigned.p7m");
    std::fs::write(&out_file, &out).expect("write");
    assert_ok(
        &openssl(&[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            s(&out_file),
            "-CAfile",
            s(&ca),
            "-purpose",
            "any",
            "-cades",
            "-out",
            s(&dir.path().join("out.bin")),
        ]),
        "openssl verifies the OpenSSL signature and ours",
    );
    let report = inspect(&out, None).expect("inspect");
    assert_eq!(report.signers.len(), 2);
    assert!(
        report.signers.iter().all(|s| s.error.is_none()),
        "{report:?}"
    );
}

#[test]
fn broken_or_detached_files_are_not_co_signed() {
    let content = document(5_000);
    let p7m = first_p7m(&content);
    let ec = TestPki::shared(KeySpec::EcP256);
    let alg = SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256);
    let chain = chain_of(&ec.signer2, KeySpec::EcP256);
    let key = ec.signer2.key.as_ref();

    let mut tampered = p7m.clone();
    let at = find(&tampered, &content[..64]) + 10;
    tampered[at] ^= 1;
    assert!(matches!(
        cosign_attached(key, alg, &chain, &tampered, &options()),
        Err(CadesError::ExistingSignatureInvalid { index: 0, .. })
    ));

    let p7s = sign_detached(key, alg, &chain, &content[..], &options()).expect("p7s");
    assert!(matches!(
        cosign_attached(key, alg, &chain, &p7s, &options()),
        Err(CadesError::NoContent)
    ));
}
