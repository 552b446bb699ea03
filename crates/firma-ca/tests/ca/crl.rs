//! CRLs (RFC 5280 section 5) as OpenSSL and pyhanko-certvalidator read and apply them.

use firma_ca::{CaError, RevocationReason, RevokedEntry, build_crl, build_root_crl, crl_pem};
use firma_core::KeySpec;
use firma_testkit::token_test;
use time::Duration;

use crate::revocation_support::*;
use crate::support::*;

/// `openssl verify -crl_check[_all]` at [`verify_at`] with the root as trust anchor.
fn verify_with_crls(
    root: &std::path::Path,
    issuing: &std::path::Path,
    leaf: &std::path::Path,
    crls: &[&std::path::Path],
    all: bool,
) -> (bool, String) {
    let at = verify_at().to_string();
    let mut args = vec![
        "verify",
        "-x509_strict",
        "-attime",
        &at,
        if all { "-crl_check_all" } else { "-crl_check" },
        "-CAfile",
        path(root),
        "-untrusted",
        path(issuing),
    ];
    for crl in crls {
        args.extend(["-CRLfile", path(crl)]);
    }
    args.push(path(leaf));
    openssl(&args)
}

token_test!(fn crl_lists_revocations_and_openssl_applies_it(token) {
    let hsm = connect(token);
    let (material, ca) = create_ca(&hsm, KeySpec::EcP256);
    let good = issue_officer_at(&hsm, &ca, KeySpec::EcP256, NOW);
    let compromised = issue_officer_at(&hsm, &ca, KeySpec::EcP256, NOW);
    let held = issue_officer_at(&hsm, &ca, KeySpec::EcP256, NOW);
    let left = issue_officer_at(&hsm, &ca, KeySpec::EcP256, NOW);
    let revoked_at = NOW + Duration::minutes(10);
    let mut key_compromise =
        RevokedEntry::new(&compromised.serial, revoked_at, RevocationReason::KeyCompromise);
    key_compromise.invalidity_date = Some(NOW + Duration::minutes(5));
    let hold = RevokedEntry::new(&held.serial, revoked_at, RevocationReason::CertificateHold);
    let unspecified = RevokedEntry::new(&left.serial, revoked_at, RevocationReason::Unspecified);
    let this_update = NOW + Duration::minutes(30);
    let next_update = this_update + Duration::days(1);
    let entries = [key_compromise.clone(), hold.clone(), unspecified];
    let crl = build_crl(&ca, &entries, this_update, next_update, 7).unwrap();

    let files = Files::new();
    let (root, issuing) = files.ca(&material);
    let chain = chain_file(&files, &material.root_certificate, &material.issuing_certificate);
    let crl_der = write(&files, "issuing.crl", &crl);
    let crl_pem_file = write(&files, "issuing-crl.pem", crl_pem(&crl).as_bytes());

    // What OpenSSL reads in it.
    let (ok, text) = openssl(&["crl", "-inform", "DER", "-in", path(&crl_der), "-text", "-noout"]);
    assert!(ok, "{text}");
    let expect = |needle: &str| assert!(text.contains(needle), "{needle:?} missing in:\n{text}");
    expect("Version 2 (0x1)");
    expect("Signature Algorithm: ecdsa-with-SHA256");
    expect("Issuer: C = IT, O = Firma Remota Ente Certificatore Simulato");
    expect("Last Update: Mar  2 11:00:00 2026 GMT");
    expect("Next Update: Mar  3 11:00:00 2026 GMT");
    let number = section(&text, "X509v3 CRL Number");
    assert_eq!(number[1].trim(), "7", "{number:?}");
    let aki = section(&text, "X509v3 Authority Key Identifier")[1].trim().to_owned();
    let issuing_ski =
        section(&x509_text(&issuing), "X509v3 Subject Key Identifier")[1].trim().to_owned();
    assert!(aki.ends_with(&issuing_ski), "CRL AKI {aki} vs issuing SKI {issuing_ski}");
    // Each entry: serial, date, and its reason code (none for unspecified).
    let entry = |serial: &str| section(&text, &format!("Serial Number: {}", serial.to_uppercase()));
    let kc = entry(&compromised.serial_hex()).join("\n");
    assert!(kc.contains("Revocation Date: Mar  2 10:40:00 2026 GMT"), "{kc}");
    assert!(kc.contains("Key Compromise"), "{kc}");
    assert!(kc.contains("Invalidity Date") && kc.contains("Mar  2 10:35:00 2026 GMT"), "{kc}");
    let h = entry(&held.serial_hex()).join("\n");
    assert!(h.contains("Certificate Hold"), "{h}");
    assert!(!h.contains("Invalidity Date"), "{h}");
    let u = entry(&left.serial_hex()).join("\n");
    assert!(!u.contains("Reason Code"), "unspecified must carry no reason code: {u}");
    assert!(!text.contains(&good.serial_hex().to_uppercase()), "{text}");

    // The signature verifies with the issuing CA certificate; a tampered CRL does not.
    let (ok, out) = openssl(&[
        "crl", "-inform", "DER", "-in", path(&crl_der), "-CAfile", path(&chain), "-noout",
    ]);
    assert!(ok && out.contains("verify OK"), "{out}");
    let mut tampered = crl.clone();
    let last = tampered.len() - 3;
    tampered[last] ^= 0x01;
    let tampered_file = write(&files, "tampered.crl", &tampered);
    let (ok, out) = openssl(&[
        "crl", "-inform", "DER", "-in", path(&tampered_file), "-CAfile", path(&chain), "-noout",
    ]);
    assert!(!ok || out.contains("verify failure"), "a tampered CRL must not verify: {out}");
    assert!(!out.contains("verify OK"), "{out}");

    // Certificate verification with the CRL: good passes, revoked and suspended fail.
    let good_pem = files.cert("good.pem", &good.der);
    let (ok, out) = verify_with_crls(&root, &issuing, &good_pem, &[&crl_pem_file], false);
    assert!(ok && out.contains(": OK"), "{out}");
    for (name, cert) in [("compromised", &compromised), ("held", &held), ("left", &left)] {
        let pem = files.cert(&format!("{name}.pem"), &cert.der);
        let (ok, out) = verify_with_crls(&root, &issuing, &pem, &[&crl_pem_file], false);
        assert!(!ok && out.contains("certificate revoked"), "{name}: {out}");
    }

    // Lifting the suspension: the next CRL drops the entry and the certificate verifies again.
    let lifted = build_crl(
        &ca,
        &[key_compromise],
        this_update + Duration::minutes(10),
        next_update,
        8,
    )
    .unwrap();
    let lifted_file = write(&files, "lifted.pem", crl_pem(&lifted).as_bytes());
    let (ok, text) = openssl(&["crl", "-in", path(&lifted_file), "-text", "-noout"]);
    assert!(ok && section(&text, "X509v3 CRL Number")[1].trim() == "8", "{text}");
    let held_pem = files.path("held.pem");
    let (ok, out) = verify_with_crls(&root, &issuing, &held_pem, &[&lifted_file], false);
    assert!(ok && out.contains(": OK"), "after lifting the hold: {out}");

    // The whole path (-crl_check_all) also needs the root's CRL for the issuing CA.
    let (ok, out) = verify_with_crls(&root, &issuing, &good_pem, &[&crl_pem_file], true);
    assert!(!ok && out.contains("unable to get certificate CRL"), "{out}");
    let arl = build_root_crl(&ca, &[], this_update, next_update, 1).unwrap();
    let arl_file = write(&files, "root-crl.pem", crl_pem(&arl).as_bytes());
    let (ok, out) =
        verify_with_crls(&root, &issuing, &good_pem, &[&crl_pem_file, &arl_file], true);
    assert!(ok && out.contains(": OK"), "{out}");
    // A root CRL revoking the issuing CA makes every officer certificate fail.
    let issuing_serial = {
        let (ok, s) = openssl(&["x509", "-noout", "-serial", "-in", path(&issuing)]);
        assert!(ok, "{s}");
        s.trim().trim_start_matches("serial=").to_owned()
    };
    let issuing_serial: Vec<u8> = (0..issuing_serial.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&issuing_serial[i..i + 2], 16).unwrap())
        .collect();
    let ca_revoked = build_root_crl(
        &ca,
        &[RevokedEntry::new(&issuing_serial, revoked_at, RevocationReason::CaCompromise)],
        this_update,
        next_update,
        2,
    )
    .unwrap();
    let ca_revoked_file = write(&files, "root-crl-2.pem", crl_pem(&ca_revoked).as_bytes());
    let (ok, text) = openssl(&["crl", "-in", path(&ca_revoked_file), "-text", "-noout"]);
    assert!(ok && text.contains("CA Compromise"), "{text}");
    assert!(text.contains("CN = Firma Remota Simulated Root CA"), "{text}");
    let (ok, out) =
        verify_with_crls(&root, &issuing, &good_pem, &[&crl_pem_file, &ca_revoked_file], true);
    assert!(!ok && out.contains("certificate revoked"), "{out}");

    // pyhanko-certvalidator, revocation checking hard-fail, CRLs only.
    let arl_der = write(&files, "root.crl", &arl);
    let moment = verify_at();
    let (verdict, out) =
        pyhanko_revocation(&root, &issuing, &good_pem, moment, &[&crl_der, &arl_der], &[]);
    assert_eq!(verdict, PyhankoVerdict::Valid, "{out}");
    let compromised_pem = files.path("compromised.pem");
    let (verdict, out) =
        pyhanko_revocation(&root, &issuing, &compromised_pem, moment, &[&crl_der, &arl_der], &[]);
    assert_eq!(verdict, PyhankoVerdict::Revoked, "{out}");
    // Hard-fail is real: without the issuing CA's CRL (the officer certificate names its
    // distribution point) the good certificate is not accepted either. (The issuing CA
    // certificate names no CRL, so pyHanko does not demand the root's.)
    let (verdict, out) = pyhanko_revocation(&root, &issuing, &good_pem, moment, &[&arl_der], &[]);
    assert_eq!(verdict, PyhankoVerdict::Invalid, "{out}");
    assert!(out.to_lowercase().contains("revocation"), "{out}");
});

token_test!(fn rsa_crl_without_entries_and_refusals(token) {
    let hsm = connect(token);
    let (material, ca) = create_ca(&hsm, KeySpec::Rsa2048);
    let this_update = NOW + Duration::hours(1);
    let next_update = this_update + Duration::hours(6);
    let crl = build_crl(&ca, &[], this_update, next_update, u64::MAX).unwrap();
    let files = Files::new();
    let chain = chain_file(&files, &material.root_certificate, &material.issuing_certificate);
    let crl_file = write(&files, "empty.crl", &crl);
    let (ok, text) = openssl(&["crl", "-inform", "DER", "-in", path(&crl_file), "-text", "-noout"]);
    assert!(ok, "{text}");
    assert!(text.contains("No Revoked Certificates."), "{text}");
    assert!(text.contains("sha256WithRSAEncryption"), "{text}");
    // The largest CRL number this API takes, 2^64 - 1, as OpenSSL prints it (hex above 2^63).
    let number = section(&text, "X509v3 CRL Number")[1].trim().to_owned();
    assert!(
        number == "18446744073709551615" || number.eq_ignore_ascii_case("0xFFFFFFFFFFFFFFFF"),
        "{number}"
    );
    let (ok, out) = openssl(&[
        "crl", "-inform", "DER", "-in", path(&crl_file), "-CAfile", path(&chain), "-noout",
    ]);
    assert!(ok && out.contains("verify OK"), "{out}");

    // Refusals name what is wrong, before anything is signed.
    let err = build_crl(&ca, &[], this_update, this_update, 1).unwrap_err();
    assert!(matches!(err, CaError::InvalidRevocation(_)) && err.to_string().contains("nextUpdate"), "{err}");
    let err = build_crl(&ca, &[], NOW - Duration::days(1), NOW, 1).unwrap_err();
    assert!(matches!(err, CaError::CaNotValidAt { which: "issuing", .. }), "{err}");
    let entry = RevokedEntry::new(&[0x42], this_update, RevocationReason::Superseded);
    let err = build_crl(&ca, &[entry.clone(), entry.clone()], this_update, next_update, 2)
        .unwrap_err();
    assert!(err.to_string().contains("listed twice"), "{err}");
    let future = RevokedEntry::new(&[0x43], next_update, RevocationReason::Superseded);
    let err = build_crl(&ca, &[future], this_update, next_update, 2).unwrap_err();
    assert!(err.to_string().contains("after this CRL's thisUpdate"), "{err}");
});
