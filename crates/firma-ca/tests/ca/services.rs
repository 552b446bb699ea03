//! Certificates for the service's own keys in the HSM (TSA, OCSP responder) and for
//! workstations.

use firma_ca::WorkstationSubject;
use firma_core::{HashAlgorithm, KeyPurpose, KeySpec, KeyStore, SignatureAlgorithm};
use firma_testkit::token_test;
use time::Duration;

use crate::support::*;

token_test!(fn tsa_certificate_is_for_time_stamping_only(token) {
    let hsm = connect(token);
    let (material, ca) = create_ca(&hsm, KeySpec::EcP256);
    let tsa_key = hsm
        .generate(KeySpec::EcP256, KeyPurpose::Service { label: "firma-tsa".into() })
        .unwrap();
    let issued = ca.issue_tsa(&tsa_key.public_key, "Firma Remota TSA 1", NOW).unwrap();
    assert_eq!(issued.not_after, NOW + Duration::days(5 * 365));
    let files = Files::new();
    let (root, issuing) = files.ca(&material);
    let cert = files.cert("tsa.pem", &issued.der);
    let text = x509_text(&cert);
    assert!(
        text.contains(
            "Subject: C = IT, O = Firma Remota Ente Certificatore Simulato, \
             organizationIdentifier = VATIT-00000000000, CN = Firma Remota TSA 1"
        ),
        "{text}"
    );
    let eku = section(&text, "X509v3 Extended Key Usage");
    assert!(eku[0].contains("critical"), "{eku:?}");
    assert_eq!(eku[1].trim(), "Time Stamping", "{eku:?}");
    let ku = section(&text, "X509v3 Key Usage");
    assert!(ku[0].contains("critical"), "{ku:?}");
    assert_eq!(ku[1].trim(), "Digital Signature, Non Repudiation", "{ku:?}");
    assert!(text.contains("URI:http://ca.firma.test/ec/crl/issuing.crl"), "{text}");
    assert_verifies(&root, &issuing, &cert, Some("timestampsign"));
    // The purpose check is real: an officer certificate is not a TSA certificate.
    let key = officer_key(&hsm, KeySpec::EcP256);
    let csr = officer_csr(&hsm, &key, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256));
    let officer_cert = ca.issue_officer(&csr, &key.public_key, &officer(), NOW).unwrap();
    let officer_pem = files.cert("officer.pem", &officer_cert.der);
    let (ok, out) = verify_chain(&root, &issuing, &officer_pem, Some("timestampsign"));
    assert!(!ok, "an officer certificate must not pass -purpose timestampsign: {out}");
});

token_test!(fn ocsp_responder_certificate_has_ocsp_signing_and_nocheck(token) {
    let hsm = connect(token);
    let (material, ca) = create_ca(&hsm, KeySpec::Rsa2048);
    let ocsp_key = hsm
        .generate(KeySpec::EcP256, KeyPurpose::Service { label: "firma-ocsp".into() })
        .unwrap();
    let issued = ca
        .issue_ocsp_responder(&ocsp_key.public_key, "Firma Remota OCSP Responder", NOW)
        .unwrap();
    assert_eq!(issued.not_after, NOW + Duration::days(365));
    let files = Files::new();
    let (root, issuing) = files.ca(&material);
    let cert = files.cert("ocsp.pem", &issued.der);
    let text = x509_text(&cert);
    let eku = section(&text, "X509v3 Extended Key Usage");
    assert_eq!(eku[1].trim(), "OCSP Signing", "{eku:?}");
    assert!(text.contains("OCSP No Check"), "{text}");
    let ku = section(&text, "X509v3 Key Usage");
    assert!(ku[0].contains("critical"), "{ku:?}");
    assert_eq!(ku[1].trim(), "Digital Signature", "{ku:?}");
    // No revocation pointers for a no-check responder; the issuer is still published.
    assert!(!text.contains("CRL Distribution Points"), "{text}");
    let aia = section(&text, "Authority Information Access").join("\n");
    assert!(!aia.contains("OCSP - URI"), "{aia}");
    assert!(aia.contains("CA Issuers - URI:http://ca.firma.test/ec/certs/issuing.cer"), "{aia}");
    assert_verifies(&root, &issuing, &cert, None);
    // OpenSSL's OCSP responder check wants exactly this: issued by the CA, EKU OCSPSigning.
    assert_verifies(&root, &issuing, &cert, Some("ocsphelper"));
});

token_test!(fn workstation_certificate_is_a_tls_client_certificate(token) {
    let hsm = connect(token);
    let (material, ca) = create_ca(&hsm, KeySpec::EcP256);
    // The workstation key (here one made in the HSM) proves possession with its CSR.
    let key = officer_key(&hsm, KeySpec::EcP256);
    let active = hsm.activate(&key.key).unwrap();
    let workstation = WorkstationSubject {
        workstation_id: "POSTAZIONE-H501-0001".into(),
        organization: "Comune di Roma".into(),
    };
    let csr = firma_ca::build_csr(
        &*active,
        &workstation.distinguished_name().unwrap(),
        &key.public_key,
        SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256),
    )
    .unwrap();
    let issued = ca.issue_workstation(&csr, &workstation, NOW).unwrap();
    let files = Files::new();
    let (root, issuing) = files.ca(&material);
    let cert = files.cert("workstation.pem", &issued.der);
    let text = x509_text(&cert);
    assert!(
        text.contains("Subject: C = IT, O = Comune di Roma, OU = Postazioni, CN = POSTAZIONE-H501-0001"),
        "{text}"
    );
    let eku = section(&text, "X509v3 Extended Key Usage");
    assert_eq!(eku[1].trim(), "TLS Web Client Authentication", "{eku:?}");
    let ku = section(&text, "X509v3 Key Usage");
    assert!(ku[0].contains("critical"), "{ku:?}");
    assert_eq!(ku[1].trim(), "Digital Signature", "{ku:?}");
    assert!(text.contains("Policy: 1.3.6.1.4.1.99999.2.1.2"), "{text}");
    assert_verifies(&root, &issuing, &cert, Some("sslclient"));
    // Not a server certificate, nor a signing one for pyHanko-style non-repudiation.
    let (ok, out) = verify_chain(&root, &issuing, &cert, Some("sslserver"));
    assert!(!ok, "a workstation certificate must not pass -purpose sslserver: {out}");
});
