//! PKCS#10 requests: ours are accepted by OpenSSL, OpenSSL's by us, and forged or foreign ones
//! are refused before anything is issued.

use firma_ca::{CaError, MAX_CSR_LEN, WorkstationSubject, build_csr, verify_csr};
use firma_core::{HashAlgorithm, KeySpec, KeyStore, SignatureAlgorithm};
use firma_testkit::token_test;

use crate::support::*;

token_test!(fn openssl_accepts_our_csrs(token) {
    let hsm = connect(token);
    let files = Files::new();
    for (spec, algorithm, openssl_name) in [
        (KeySpec::EcP256, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256), "ecdsa-with-SHA256"),
        (KeySpec::EcP256, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha384), "ecdsa-with-SHA384"),
        (
            KeySpec::Rsa2048,
            SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256),
            "sha256WithRSAEncryption",
        ),
        (KeySpec::Rsa2048, SignatureAlgorithm::RsaPss(HashAlgorithm::Sha256), "rsassaPss"),
    ] {
        let key = officer_key(&hsm, spec);
        let der = officer_csr(&hsm, &key, algorithm);
        let verified = verify_csr(&der).unwrap();
        assert_eq!(verified.key_spec, spec);
        verified.require_key(&key.public_key).unwrap();
        let file = files.csr(&format!("{spec}-{openssl_name}.csr"), &der);
        let (ok, text) = openssl(&["req", "-verify", "-noout", "-text", "-in", path(&file)]);
        assert!(ok && text.contains("verify OK"), "openssl req -verify ({algorithm:?}): {text}");
        assert!(text.contains(openssl_name), "{openssl_name} missing in {text}");
        assert!(text.contains("serialNumber = TINIT-RSSMRA80A01H501U"), "{text}");
    }
});

token_test!(fn tampered_csr_is_refused(token) {
    let hsm = connect(token);
    let (_, ca) = create_ca(&hsm, KeySpec::EcP256);
    let key = officer_key(&hsm, KeySpec::EcP256);
    let good = officer_csr(&hsm, &key, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256));
    // Change the surname in the signed CertificationRequestInfo: ROSSI -> ROSSO.
    let at = good.windows(5).position(|w| w == b"ROSSI").expect("the surname in the CSR");
    let mut forged = good.clone();
    forged[at + 4] = b'O';
    assert!(matches!(verify_csr(&forged), Err(CaError::CsrSignatureInvalid(_))));
    let err = ca.issue_officer(&forged, &key.public_key, &officer(), NOW).unwrap_err();
    assert!(matches!(err, CaError::CsrSignatureInvalid(_)), "{err}");
    // OpenSSL agrees that the forged request's signature is bad, and that the good one is fine.
    let files = Files::new();
    let (ok, text) = openssl(&["req", "-verify", "-noout", "-in", path(&files.csr("forged.csr", &forged))]);
    assert!(!ok || !text.contains("verify OK"), "OpenSSL accepted the forged CSR: {text}");
    let (ok, text) = openssl(&["req", "-verify", "-noout", "-in", path(&files.csr("good.csr", &good))]);
    assert!(ok && text.contains("verify OK"), "{text}");
    // A flipped bit in the signature itself.
    let mut bad_sig = good.clone();
    let last = bad_sig.len() - 3;
    bad_sig[last] ^= 0x01;
    assert!(verify_csr(&bad_sig).is_err());
    // Trailing bytes, truncation, garbage and oversized input.
    let mut trailing = good.clone();
    trailing.push(0);
    assert!(matches!(verify_csr(&trailing), Err(CaError::CsrMalformed(_))));
    assert!(matches!(verify_csr(&good[..good.len() - 1]), Err(CaError::CsrMalformed(_))));
    assert!(matches!(verify_csr(b"not a CSR"), Err(CaError::CsrMalformed(_))));
    let huge = vec![0x30; MAX_CSR_LEN + 1];
    assert!(matches!(verify_csr(&huge), Err(CaError::CsrTooLarge { .. })));
    // The genuine request is still accepted.
    ca.issue_officer(&good, &key.public_key, &officer(), NOW).unwrap();
});

token_test!(fn csr_of_another_key_is_refused(token) {
    let hsm = connect(token);
    let (_, ca) = create_ca(&hsm, KeySpec::EcP256);
    let credential = officer_key(&hsm, KeySpec::EcP256);
    let intruder = officer_key(&hsm, KeySpec::EcP256);
    // A well-signed request, but for another key than the credential's.
    let csr = officer_csr(&hsm, &intruder, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256));
    verify_csr(&csr).unwrap();
    let err = ca.issue_officer(&csr, &credential.public_key, &officer(), NOW).unwrap_err();
    assert!(matches!(err, CaError::CsrKeyMismatch), "{err}");
    // A request naming the credential's key but signed by another key proves nothing.
    let intruder_active = hsm.activate(&intruder.key).unwrap();
    let err = build_csr(
        &*intruder_active,
        &officer().distinguished_name().unwrap(),
        &credential.public_key,
        SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256),
    )
    .unwrap_err();
    assert!(matches!(err, CaError::CsrSignatureInvalid(_)), "{err}");
    // Nor does an RSA key under an EC credential.
    let rsa = officer_key(&hsm, KeySpec::Rsa2048);
    let csr = officer_csr(&hsm, &rsa, SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256));
    let err = ca.issue_officer(&csr, &credential.public_key, &officer(), NOW).unwrap_err();
    assert!(matches!(err, CaError::CsrKeyMismatch), "{err}");
});

token_test!(fn openssl_csrs_are_verified_and_forgeries_refused(token) {
    let hsm = connect(token);
    let (material, ca) = create_ca(&hsm, KeySpec::EcP256);
    let files = Files::new();
    let (root, issuing) = files.ca(&material);
    // Keys and requests made by OpenSSL, as a workstation would: EC P-256, RSA PKCS#1 v1.5,
    // RSA-PSS with OpenSSL's default (maximum) salt length.
    for (name, genpkey, sigopts) in [
        ("ec", vec!["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"], vec![]),
        ("rsa", vec!["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], vec![]),
        (
            "rsa-pss",
            vec!["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
            vec!["-sigopt", "rsa_padding_mode:pss"],
        ),
    ] {
        let key = files.path(&format!("{name}.key"));
        let mut args = vec!["genpkey"];
        args.extend(genpkey.iter().copied());
        args.extend(["-out", path(&key)]);
        let (ok, text) = openssl(&args);
        assert!(ok, "{text}");
        let csr = files.path(&format!("{name}.csr"));
        let mut args = vec![
            "req", "-new", "-key", path(&key), "-subj", "/C=IT/O=Comune di Roma/CN=PC-ANAGRAFE-01",
            "-sha256", "-outform", "DER", "-out", path(&csr),
        ];
        args.extend(sigopts.iter().copied());
        let (ok, text) = openssl(&args);
        assert!(ok, "{text}");
        let der = std::fs::read(&csr).unwrap();
        let verified = verify_csr(&der).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(verified.subject.to_string(), "CN=PC-ANAGRAFE-01,O=Comune di Roma,C=IT");
        let workstation = WorkstationSubject {
            workstation_id: format!("PC-ANAGRAFE-{name}"),
            organization: "Comune di Roma".into(),
        };
        let cert = ca.issue_workstation(&der, &workstation, NOW).unwrap();
        let pem = files.cert(&format!("{name}.pem"), &cert.der);
        assert_verifies(&root, &issuing, &pem, Some("sslclient"));
        // The same request with one byte of the subject changed.
        let at = der.windows(8).position(|w| w == b"ANAGRAFE").unwrap();
        let mut forged = der.clone();
        forged[at] = b'X';
        let err = ca.issue_workstation(&forged, &workstation, NOW).unwrap_err();
        assert!(matches!(err, CaError::CsrSignatureInvalid(_)), "{name}: {err}");
    }
    // Keys this CA does not certify.
    let key = files.path("p384.key");
    let (ok, text) = openssl(&[
        "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", path(&key),
    ]);
    assert!(ok, "{text}");
    let csr = files.path("p384.csr");
    let (ok, text) = openssl(&[
        "req", "-new", "-key", path(&key), "-subj", "/CN=x", "-outform", "DER", "-out", path(&csr),
    ]);
    assert!(ok, "{text}");
    let err = verify_csr(&std::fs::read(&csr).unwrap()).unwrap_err();
    assert!(matches!(err, CaError::UnsupportedKey(_)), "{err}");
    assert!(err.to_string().contains("P-256"), "{err}");
    let _ = hsm.find_service_key("firma-ca-root").unwrap().expect("the CA key stays");
});
