//! Creating, refusing to re-create, and re-opening the CA hierarchy.

use firma_ca::{CaError, CaMaterial, CaNames, CertificateAuthority};
use firma_core::{HashAlgorithm, KeySpec, KeyStore, SignatureAlgorithm};
use firma_testkit::token_test;

use crate::support::*;

token_test!(fn creates_a_hierarchy_that_openssl_verifies(token) {
    let hsm = connect(token);
    let (material, ca) = create_ca(&hsm, KeySpec::EcP256);
    assert_eq!(material.root_key_label, "firma-ca-root");
    assert_eq!(material.issuing_key_label, "firma-ca-issuing");
    // The keys are on the token, as service keys.
    for label in ["firma-ca-root", "firma-ca-issuing"] {
        assert!(hsm.find_service_key(label).unwrap().is_some(), "{label}");
    }
    let files = Files::new();
    let (root, issuing) = files.ca(&material);
    let root_text = x509_text(&root);
    let issuing_text = x509_text(&issuing);
    for (text, pathlen) in [(&root_text, "pathlen:1"), (&issuing_text, "pathlen:0")] {
        let bc = section(text, "X509v3 Basic Constraints");
        assert!(bc[0].contains("critical"), "{bc:?}");
        assert!(bc[1].contains("CA:TRUE") && bc[1].contains(pathlen), "{bc:?}");
        let ku = section(text, "X509v3 Key Usage");
        assert!(ku[0].contains("critical"), "{ku:?}");
        assert_eq!(ku[1].trim(), "Certificate Sign, CRL Sign", "{ku:?}");
        assert!(text.contains("X509v3 Subject Key Identifier"), "{text}");
        assert!(text.contains("X509v3 Authority Key Identifier"), "{text}");
        assert!(text.contains("ecdsa-with-SHA256"), "{text}");
    }
    assert!(root_text.contains("Not Before: Mar  2 10:30:00 2026 GMT"), "{root_text}");
    // Twenty and ten years (7305 and 3653 days).
    assert!(root_text.contains("Not After : Mar  2 10:30:00 2046 GMT"), "{root_text}");
    assert!(issuing_text.contains("Not After : Mar  2 10:30:00 2036 GMT"), "{issuing_text}");
    assert!(
        issuing_text.contains("Issuer: C = IT, O = Firma Remota Ente Certificatore Simulato"),
        "{issuing_text}"
    );
    // The issuing CA's AKI is the root's SKI.
    let root_ski = section(&root_text, "X509v3 Subject Key Identifier")[1].trim().to_owned();
    let issuing_aki = section(&issuing_text, "X509v3 Authority Key Identifier")[1].trim().to_owned();
    assert!(issuing_aki.ends_with(&root_ski), "{issuing_aki} vs {root_ski}");
    // OpenSSL builds root -> issuing.
    let at = verify_at().to_string();
    let (ok, text) = openssl(&[
        "verify", "-x509_strict", "-attime", &at, "-CAfile", path(&root), path(&issuing),
    ]);
    assert!(ok && text.contains(": OK"), "{text}");
    // The other way round does not verify: the check is not vacuous.
    let (ok, text) = openssl(&["verify", "-attime", &at, "-CAfile", path(&issuing), path(&root)]);
    assert!(!ok, "the root must not verify under the issuing CA: {text}");
    // The material survives serialisation.
    let json = serde_json::to_string(&material).unwrap();
    assert_eq!(serde_json::from_str::<CaMaterial>(&json).unwrap(), material);
    assert_eq!(ca.root_certificate(), material.root_certificate.as_slice());
    assert_eq!(
        ca.signature_algorithm(),
        SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256)
    );
    let debug = format!("{ca:?}");
    assert!(debug.contains("firma-ca-issuing") && debug.contains("bytes"), "{debug}");
});

token_test!(fn refuses_to_create_a_second_ca_over_the_first(token) {
    let hsm = connect(token);
    let (material, _) = create_ca(&hsm, KeySpec::EcP256);
    let err = CertificateAuthority::create(&hsm, &CaNames::default(), KeySpec::EcP256, NOW)
        .unwrap_err();
    match &err {
        CaError::KeysExist { labels } => {
            assert_eq!(labels, &["firma-ca-root".to_owned(), "firma-ca-issuing".to_owned()]);
        }
        other => panic!("expected KeysExist, got {other}"),
    }
    assert!(err.to_string().contains("CertificateAuthority::open"), "{err}");
    // The refusal touched nothing: the first CA still opens and issues.
    let ca = CertificateAuthority::open(&hsm, &material, profile()).unwrap();
    let key = officer_key(&hsm, KeySpec::EcP256);
    let csr = officer_csr(&hsm, &key, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256));
    let cert = ca.issue_officer(&csr, &key.public_key, &officer(), NOW).unwrap();
    let files = Files::new();
    let (root, issuing) = files.ca(&material);
    assert_verifies(&root, &issuing, &files.cert("officer.pem", &cert.der), None);
    // Names that cannot go into a certificate are refused before any key is generated.
    let bad = CaNames {
        key_label_prefix: "bad-ca".into(),
        organization: " ".into(),
        ..CaNames::default()
    };
    let err = CertificateAuthority::create(&hsm, &bad, KeySpec::EcP256, NOW).unwrap_err();
    assert!(
        matches!(err, CaError::InvalidSubject { field: "organizationName", .. }),
        "{err}"
    );
    assert!(hsm.find_service_key("bad-ca-root").unwrap().is_none());
    // Another prefix makes a second, independent CA on the same token.
    let names = CaNames { key_label_prefix: "second-ca".into(), ..CaNames::default() };
    let second = CertificateAuthority::create(&hsm, &names, KeySpec::EcP256, NOW).unwrap();
    assert_eq!(second.root_key_label, "second-ca-root");
    assert_ne!(second.root_certificate, material.root_certificate);
});

token_test!(fn reopens_in_a_new_connection_and_still_issues(token) {
    let json = {
        let hsm = connect(token);
        let material =
            CertificateAuthority::create(&hsm, &CaNames::default(), KeySpec::EcP256, NOW).unwrap();
        serde_json::to_string(&material).unwrap()
    };
    // A new connection (in production: a new process), with only the stored material.
    let hsm = connect(token);
    let material: CaMaterial = serde_json::from_str(&json).unwrap();
    let ca = CertificateAuthority::open(&hsm, &material, profile()).unwrap();
    let key = officer_key(&hsm, KeySpec::EcP256);
    let csr = officer_csr(&hsm, &key, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256));
    let cert = ca.issue_officer(&csr, &key.public_key, &officer(), NOW).unwrap();
    let files = Files::new();
    let (root, issuing) = files.ca(&material);
    assert_verifies(&root, &issuing, &files.cert("officer.pem", &cert.der), None);
});

token_test!(fn refuses_material_that_does_not_match_the_token(token) {
    let hsm = connect(token);
    let (material, _) = create_ca(&hsm, KeySpec::EcP256);
    let names = CaNames { key_label_prefix: "other".into(), ..CaNames::default() };
    let other = CertificateAuthority::create(&hsm, &names, KeySpec::EcP256, NOW).unwrap();

    // Labels pointing at the other CA's keys.
    let swapped = CaMaterial {
        root_key_label: other.root_key_label.clone(),
        ..material.clone()
    };
    match CertificateAuthority::open(&hsm, &swapped, profile()) {
        Err(CaError::KeyDoesNotMatchCertificate { label, which }) => {
            assert_eq!((label.as_str(), which), ("other-root", "root"));
        }
        other => panic!("expected KeyDoesNotMatchCertificate, got {other:?}"),
    }
    // A label with no key.
    let missing = CaMaterial { issuing_key_label: "nothing-here".into(), ..material.clone() };
    assert!(matches!(
        CertificateAuthority::open(&hsm, &missing, profile()),
        Err(CaError::KeyMissing { label }) if label == "nothing-here"
    ));
    // An issuing certificate of another root.
    let foreign = CaMaterial {
        issuing_certificate: other.issuing_certificate.clone(),
        ..material.clone()
    };
    let err = CertificateAuthority::open(&hsm, &foreign, profile()).unwrap_err();
    assert!(matches!(err, CaError::InvalidMaterial(_)), "{err}");
    assert!(err.to_string().contains("issuing certificate"), "{err}");
    // Not a certificate at all.
    let garbage = CaMaterial { root_certificate: vec![0x30, 0x03, 1, 2, 3], ..material.clone() };
    assert!(matches!(
        CertificateAuthority::open(&hsm, &garbage, profile()),
        Err(CaError::InvalidMaterial(_))
    ));
    // The genuine material still opens.
    CertificateAuthority::open(&hsm, &material, profile()).unwrap();
});

token_test!(fn rsa_hierarchy_issues_certificates_openssl_verifies(token) {
    let hsm = connect(token);
    let (material, ca) = create_ca(&hsm, KeySpec::Rsa2048);
    let files = Files::new();
    let (root, issuing) = files.ca(&material);
    let text = x509_text(&issuing);
    assert!(text.contains("sha256WithRSAEncryption"), "{text}");
    assert!(text.contains("Public-Key: (2048 bit)"), "{text}");
    // An RSA officer proving possession with RSA-PSS, and an EC officer under the RSA CA.
    let rsa_key = officer_key(&hsm, KeySpec::Rsa2048);
    let csr = officer_csr(&hsm, &rsa_key, SignatureAlgorithm::RsaPss(HashAlgorithm::Sha256));
    let rsa_cert = ca.issue_officer(&csr, &rsa_key.public_key, &officer(), NOW).unwrap();
    assert_verifies(&root, &issuing, &files.cert("rsa-officer.pem", &rsa_cert.der), None);
    let ec_key = officer_key(&hsm, KeySpec::EcP256);
    let csr = officer_csr(&hsm, &ec_key, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256));
    let ec_cert = ca.issue_officer(&csr, &ec_key.public_key, &officer(), NOW).unwrap();
    assert_verifies(&root, &issuing, &files.cert("ec-officer.pem", &ec_cert.der), None);
});
