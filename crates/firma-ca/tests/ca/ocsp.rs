//! The OCSP responder (RFC 6960) judged by `openssl ocsp` and pyhanko-certvalidator, and the
//! client-side checks agreeing with OpenSSL on the same responses.
//!
//! `openssl ocsp` checks thisUpdate/nextUpdate against the system clock (`-attime` only moves
//! the chain verification), so these tests run on the wall clock: the CA is created a day
//! before it.

use std::collections::HashMap;
use std::path::PathBuf;

use firma_ca::ocsp::{
    CertIdHash, MAX_OCSP_REQUEST_LEN, OcspResponseStatus, build_ocsp_request_with_hash,
    parse_ocsp_request, respond, respond_detailed,
};
use firma_ca::{
    CaError, CaMaterial, CaNames, CertStatusAnswer, CertificateAuthority, IssuedCertificate,
    OcspResponder, RevocationReason, RevokedEntry, build_ocsp_request, check_ocsp_response,
    verify_ocsp_response,
};
use firma_core::{KeyPurpose, KeySpec, KeyStore};
use firma_hsm::Hsm;
use firma_testkit::token_test;
use time::{Duration, OffsetDateTime};

use crate::revocation_support::*;
use crate::support::*;

#[allow(clippy::disallowed_methods)] // see the module documentation
fn wall_clock() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// A CA created a day ago with three officer certificates: one good, one revoked for key
/// compromise, one suspended; the register the responder answers from.
struct Pki {
    material: CaMaterial,
    ca: CertificateAuthority,
    files: Files,
    issuing: PathBuf,
    chain: PathBuf,
    good: IssuedCertificate,
    revoked: IssuedCertificate,
    held: IssuedCertificate,
    register: HashMap<Vec<u8>, Option<RevokedEntry>>,
    now: OffsetDateTime,
}

impl Pki {
    fn new(hsm: &Hsm, spec: KeySpec, prefix: &str) -> Self {
        let now = wall_clock();
        let created = now - Duration::days(1);
        let names = CaNames {
            key_label_prefix: prefix.into(),
            ..CaNames::default()
        };
        let material = CertificateAuthority::create(hsm, &names, spec, created).unwrap();
        let ca = CertificateAuthority::open(hsm, &material, profile()).unwrap();
        let good = issue_officer_at(hsm, &ca, KeySpec::EcP256, created);
        let revoked = issue_officer_at(hsm, &ca, KeySpec::EcP256, created);
        let held = issue_officer_at(hsm, &ca, KeySpec::EcP256, created);
        let revoked_at = now - Duration::hours(1);
        let mut register = HashMap::new();
        register.insert(good.serial.clone(), None);
        register.insert(
            revoked.serial.clone(),
            Some(RevokedEntry::new(
                &revoked.serial,
                revoked_at,
                RevocationReason::KeyCompromise,
            )),
        );
        register.insert(
            held.serial.clone(),
            Some(RevokedEntry::new(
                &held.serial,
                revoked_at,
                RevocationReason::CertificateHold,
            )),
        );
        let files = Files::new();
        let (_, issuing) = files.ca(&material);
        let chain = chain_file(
            &files,
            &material.root_certificate,
            &material.issuing_certificate,
        );
        for (name, cert) in [
            ("good.pem", &good),
            ("revoked.pem", &revoked),
            ("held.pem", &held),
        ] {
            files.cert(name, &cert.der);
        }
        Self {
            material,
            ca,
            files,
            issuing,
            chain,
            good,
            revoked,
            held,
            register,
            now,
        }
    }

    /// The register lookup handed to `respond`.
    fn status_of(&self) -> impl Fn(&[u8]) -> CertStatusAnswer + '_ {
        |serial| match self.register.get(serial) {
            None => CertStatusAnswer::Unknown,
            Some(entry) => CertStatusAnswer::from_register(true, entry.as_ref()),
        }
    }

    fn revoked_at(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp((self.now - Duration::hours(1)).unix_timestamp())
            .unwrap()
    }

    /// `openssl ocsp ... -reqout` with the extra arguments; returns the request bytes.
    fn openssl_request(&self, name: &str, args: &[&str]) -> Vec<u8> {
        let out = self.files.path(name);
        let mut all = vec!["ocsp"];
        all.extend_from_slice(args);
        all.extend(["-reqout", path(&out)]);
        let (ok, text) = openssl(&all);
        assert!(ok, "openssl ocsp -reqout failed: {text}");
        std::fs::read(&out).unwrap()
    }

    /// `openssl ocsp -respin` with the request (for the nonce check), the issuing CA as
    /// -issuer (where OpenSSL looks for a CA signer), the chain as -CAfile and -resp_text:
    /// (success, output).
    fn openssl_read(&self, request: Option<&std::path::Path>, response: &[u8]) -> (bool, String) {
        let resp = write(&self.files, "resp.der", response);
        let mut args = vec![
            "ocsp",
            "-respin",
            path(&resp),
            "-issuer",
            path(&self.issuing),
            "-CAfile",
            path(&self.chain),
            "-resp_text",
        ];
        if let Some(r) = request {
            args.extend(["-reqin", path(r)]);
        }
        openssl(&args)
    }

    /// `openssl ocsp -respin -issuer -cert <name>` (no nonce check): the status lines.
    fn openssl_status(&self, response: &[u8], cert_args: &[&str]) -> (bool, String) {
        let resp = write(&self.files, "resp-status.der", response);
        let mut args = vec![
            "ocsp",
            "-respin",
            path(&resp),
            "-issuer",
            path(&self.issuing),
            "-CAfile",
            path(&self.chain),
            "-no_nonce",
        ];
        args.extend_from_slice(cert_args);
        openssl(&args)
    }
}

/// A delegated responder key in the HSM and its certificate.
fn delegated_responder(hsm: &Hsm, pki: &Pki, label: &str) -> (OcspResponder, IssuedCertificate) {
    let key = hsm
        .generate(
            KeySpec::EcP256,
            KeyPurpose::Service {
                label: label.into(),
            },
        )
        .unwrap();
    let cert = pki
        .ca
        .issue_ocsp_responder(
            &key.public_key,
            "Firma Remota OCSP Responder",
            pki.now - Duration::days(1),
        )
        .unwrap();
    let responder = OcspResponder::delegated(
        hsm.activate(&key.key).unwrap(),
        &cert.der,
        &pki.material.issuing_certificate,
    )
    .unwrap();
    (responder, cert)
}

token_test!(fn delegated_responder_answers_good_revoked_and_unknown(token) {
    let hsm = connect(token);
    let pki = Pki::new(&hsm, KeySpec::EcP256, "ocsp-ec");
    let (responder, responder_cert) = delegated_responder(&hsm, &pki, "firma-ocsp");
    assert_eq!(responder.certificate(), Some(responder_cert.der.as_slice()));
    let status_of = pki.status_of();
    let issuing = path(&pki.issuing).to_owned();

    // good / revoked / suspended, each with an OpenSSL request carrying a nonce (the default).
    let cases = [
        ("good", &pki.good, "good", CertStatusAnswer::Good),
        (
            "revoked",
            &pki.revoked,
            "keyCompromise",
            CertStatusAnswer::Revoked {
                revoked_at: pki.revoked_at(),
                reason: Some(RevocationReason::KeyCompromise),
            },
        ),
        (
            "held",
            &pki.held,
            "certificateHold",
            CertStatusAnswer::Revoked {
                revoked_at: pki.revoked_at(),
                reason: Some(RevocationReason::CertificateHold),
            },
        ),
    ];
    for (name, cert, shown, expected) in cases {
        let cert_pem = pki.files.path(&format!("{name}.pem"));
        let request = pki.openssl_request(
            &format!("{name}-req.der"),
            &["-issuer", &issuing, "-cert", path(&cert_pem)],
        );
        let info = parse_ocsp_request(&request).unwrap();
        assert_eq!(info.certificates.len(), 1);
        assert_eq!(info.certificates[0].hash, Some(CertIdHash::Sha1), "OpenSSL's default");
        assert_eq!(info.certificates[0].serial, cert.serial);
        let nonce = info.nonce.clone().expect("openssl ocsp sends a nonce by default");
        let reply = respond_detailed(&request, &responder, &status_of, pki.now);
        assert_eq!(reply.status, OcspResponseStatus::Successful, "{:?}", reply.problem);
        let response = reply.der;

        // OpenSSL: signature and responder authorisation verified, nonce echoed.
        let req_file = pki.files.path(&format!("{name}-req.der"));
        let (ok, text) = pki.openssl_read(Some(&req_file), &response);
        assert!(ok && text.contains("Response verify OK"), "{name}: {text}");
        assert!(!text.contains("nonce"), "{name}: nonce not echoed: {text}");
        let nonce_hex: String = nonce.iter().map(|b| format!("{b:02X}")).collect();
        assert!(text.replace(':', "").contains(&nonce_hex), "{name}: nonce {nonce_hex} in {text}");
        assert!(text.contains("Responder Id:"), "{text}");
        assert!(text.contains("CN=Firma Remota OCSP Responder"), "the certificate is sent: {text}");
        let (ok, status) = pki.openssl_status(&response, &["-cert", path(&cert_pem)]);
        assert!(ok && status.contains("Response verify OK"), "{name}: {status}");
        let line = format!("{}: {}", path(&cert_pem), if name == "good" { "good" } else { "revoked" });
        assert!(status.contains(&line), "{line:?} missing in {status}");
        if name != "good" {
            assert!(status.contains(&format!("Reason: {shown}")), "{status}");
            assert!(status.contains("Revocation Time:"), "{status}");
        }
        assert!(status.contains("This Update:") && status.contains("Next Update:"), "{status}");

        // Our client-side check agrees.
        let checked = verify_ocsp_response(
            &response, &cert.der, &pki.material.issuing_certificate, pki.now, Some(&nonce),
        )
        .unwrap();
        assert_eq!(checked.status, expected, "{name}");
        assert_eq!(checked.responder_certificate.as_deref(), Some(responder_cert.der.as_slice()));
        assert_eq!(checked.next_update, Some(checked.this_update + Duration::days(1)));
        assert_eq!(
            check_ocsp_response(&response, &cert.der, &pki.material.issuing_certificate, pki.now)
                .unwrap(),
            expected
        );
    }

    // A serial this CA never issued: unknown.
    let request = pki.openssl_request(
        "unknown-req.der",
        &["-issuer", &issuing, "-serial", "0x0123456789ABCDEF"],
    );
    let response = respond(&request, &responder, &status_of, pki.now);
    let (ok, status) = pki.openssl_status(&response, &["-serial", "0x0123456789ABCDEF"]);
    assert!(ok && status.contains("Response verify OK"), "{status}");
    assert!(status.contains("0x0123456789ABCDEF: unknown"), "{status}");

    // SHA-256 CertIDs, no nonce, two certificates in one request.
    let request = pki.openssl_request(
        "sha256-req.der",
        &[
            "-sha256", "-no_nonce", "-issuer", &issuing,
            "-cert", path(&pki.files.path("good.pem")),
            "-cert", path(&pki.files.path("revoked.pem")),
        ],
    );
    let info = parse_ocsp_request(&request).unwrap();
    assert!(info.nonce.is_none());
    assert_eq!(info.certificates.iter().map(|c| c.hash).collect::<Vec<_>>(), [Some(CertIdHash::Sha256); 2]);
    let response = respond(&request, &responder, &status_of, pki.now);
    let (ok, status) = pki.openssl_status(
        &response,
        &["-sha256", "-cert", path(&pki.files.path("good.pem")), "-cert", path(&pki.files.path("revoked.pem"))],
    );
    assert!(ok && status.contains("Response verify OK"), "{status}");
    assert!(status.contains("good.pem: good") && status.contains("revoked.pem: revoked"), "{status}");
    let (_, text) = pki.openssl_read(None, &response);
    assert!(!text.contains("OCSP Nonce"), "no nonce asked, none sent: {text}");
    for (cert, expected_good) in [(&pki.good, true), (&pki.revoked, false)] {
        let answer = check_ocsp_response(&response, &cert.der, &pki.material.issuing_certificate, pki.now)
            .unwrap();
        assert_eq!(answer == CertStatusAnswer::Good, expected_good);
    }

    // A CertID for another issuer (the issuing CA's own certificate, under the root): unknown,
    // and our checker refuses this responder's authority for the root's certificates.
    let root_pem = pki.files.path("root.pem");
    let request = pki.openssl_request(
        "other-issuer-req.der",
        &["-issuer", path(&root_pem), "-cert", &issuing],
    );
    let response = respond(&request, &responder, &status_of, pki.now);
    let (_, text) = pki.openssl_read(None, &response);
    assert!(text.contains("Cert Status: unknown"), "{text}");
    let err = check_ocsp_response(
        &response, &pki.material.issuing_certificate, &pki.material.root_certificate, pki.now,
    )
    .unwrap_err();
    assert!(err.to_string().contains("not issued by the certificate's issuer"), "{err}");

    // pyhanko-certvalidator with revocation checking hard-fail and only the OCSP responses.
    let good_req = build_ocsp_request(&pki.good.der, &pki.material.issuing_certificate, None).unwrap();
    let good_resp = write(&pki.files, "good-resp.der", &respond(&good_req, &responder, &status_of, pki.now));
    let revoked_req =
        build_ocsp_request(&pki.revoked.der, &pki.material.issuing_certificate, None).unwrap();
    let revoked_resp =
        write(&pki.files, "revoked-resp.der", &respond(&revoked_req, &responder, &status_of, pki.now));
    let moment = pki.now.unix_timestamp() + 60;
    let (verdict, out) = pyhanko_revocation(
        &root_pem, &pki.issuing, &pki.files.path("good.pem"), moment, &[], &[&good_resp],
    );
    assert_eq!(verdict, PyhankoVerdict::Valid, "{out}");
    let (verdict, out) = pyhanko_revocation(
        &root_pem, &pki.issuing, &pki.files.path("revoked.pem"), moment, &[], &[&revoked_resp],
    );
    assert_eq!(verdict, PyhankoVerdict::Revoked, "{out}");
    // The good certificate's response says nothing about the revoked one.
    let (verdict, out) = pyhanko_revocation(
        &root_pem, &pki.issuing, &pki.files.path("revoked.pem"), moment, &[], &[&good_resp],
    );
    assert_eq!(verdict, PyhankoVerdict::Invalid, "{out}");
});

token_test!(fn ca_signed_responses_verify_and_nonces_are_echoed(token) {
    let hsm = connect(token);
    let pki = Pki::new(&hsm, KeySpec::Rsa2048, "ocsp-rsa");
    let responder = pki.ca.issuing_ocsp_responder(&hsm).unwrap();
    assert!(responder.certificate().is_none());
    let status_of = pki.status_of();
    let issuing = path(&pki.issuing).to_owned();
    for name in ["good", "revoked"] {
        let cert_pem = pki.files.path(&format!("{name}.pem"));
        let req_file = pki.files.path(&format!("{name}-req.der"));
        let request = pki.openssl_request(
            &format!("{name}-req.der"),
            &["-issuer", &issuing, "-cert", path(&cert_pem)],
        );
        let response = respond(&request, &responder, &status_of, pki.now);
        let (ok, text) = pki.openssl_read(Some(&req_file), &response);
        assert!(ok && text.contains("Response verify OK"), "{name}: {text}");
        assert!(!text.contains("nonce"), "{name}: {text}");
        assert!(text.contains("sha256WithRSAEncryption"), "{text}");
        // No certificate is sent; the ResponderID is the issuing CA's key hash (its SKI).
        assert!(!text.contains("Certificate:"), "{text}");
        let ski = section(&x509_text(&pki.issuing), "X509v3 Subject Key Identifier")[1]
            .trim()
            .replace(':', "");
        assert!(text.contains(&format!("Responder Id: {ski}")), "{ski} in {text}");
        let (ok, status) = pki.openssl_status(&response, &["-cert", path(&cert_pem)]);
        assert!(ok && status.contains("Response verify OK"), "{status}");
        assert!(status.contains(&format!("{}: {name}", path(&cert_pem))), "{status}");
        let cert = if name == "good" { &pki.good } else { &pki.revoked };
        let ours = check_ocsp_response(&response, &cert.der, &pki.material.issuing_certificate, pki.now)
            .unwrap();
        assert_eq!(ours == CertStatusAnswer::Good, name == "good", "{ours:?}");
        if let CertStatusAnswer::Revoked { reason, revoked_at } = ours {
            assert_eq!(reason, Some(RevocationReason::KeyCompromise));
            assert_eq!(revoked_at, pki.revoked_at());
        }
    }

    // pyhanko-certvalidator accepts the CA-signed answers too (hard-fail, OCSP only).
    let root_pem = pki.files.path("root.pem");
    let moment = pki.now.unix_timestamp() + 60;
    for (name, cert, expected) in [
        ("good", &pki.good, PyhankoVerdict::Valid),
        ("revoked", &pki.revoked, PyhankoVerdict::Revoked),
    ] {
        let request = build_ocsp_request(&cert.der, &pki.material.issuing_certificate, None).unwrap();
        let response = write(
            &pki.files,
            &format!("{name}-ca-resp.der"),
            &respond(&request, &responder, &status_of, pki.now),
        );
        let leaf = pki.files.path(&format!("{name}.pem"));
        let (verdict, out) =
            pyhanko_revocation(&root_pem, &pki.issuing, &leaf, moment, &[], &[&response]);
        assert_eq!(verdict, expected, "{name}: {out}");
    }

    // Our own request, with a nonce: OpenSSL reads it, the responder echoes the nonce, the
    // checker insists on it.
    let nonce = [0x5a; 32];
    let request = build_ocsp_request(&pki.held.der, &pki.material.issuing_certificate, Some(&nonce))
        .unwrap();
    let req_file = write(&pki.files, "ours-req.der", &request);
    let (ok, text) = openssl(&["ocsp", "-reqin", path(&req_file), "-req_text"]);
    assert!(ok, "{text}");
    assert!(text.contains("Hash Algorithm: sha1"), "{text}");
    assert!(text.contains(&format!("Serial Number: {}", pki.held.serial_hex().to_uppercase())), "{text}");
    assert!(text.contains("OCSP Nonce"), "{text}");
    let response = respond(&request, &responder, &status_of, pki.now);
    let (ok, text) = pki.openssl_read(Some(&req_file), &response);
    assert!(ok && text.contains("Response verify OK") && !text.contains("nonce"), "{text}");
    assert!(text.contains("Revocation Reason: certificateHold"), "{text}");
    let issuer = &pki.material.issuing_certificate;
    let checked = verify_ocsp_response(&response, &pki.held.der, issuer, pki.now, Some(&nonce)).unwrap();
    assert_eq!(checked.nonce.as_deref(), Some(&nonce[..]));
    assert!(matches!(
        checked.status,
        CertStatusAnswer::Revoked { reason: Some(RevocationReason::CertificateHold), .. }
    ));
    let err = verify_ocsp_response(&response, &pki.held.der, issuer, pki.now, Some(&[1; 32])).unwrap_err();
    assert!(err.to_string().contains("replayed"), "{err}");
    let sha256 = build_ocsp_request_with_hash(&pki.good.der, issuer, None, CertIdHash::Sha512).unwrap();
    let response = respond(&sha256, &responder, &status_of, pki.now);
    let err = verify_ocsp_response(&response, &pki.good.der, issuer, pki.now, Some(&nonce)).unwrap_err();
    assert!(err.to_string().contains("not echoed"), "{err}");
    assert_eq!(check_ocsp_response(&response, &pki.good.der, issuer, pki.now).unwrap(), CertStatusAnswer::Good);
    // A nonce out of RFC 9654's bounds is not put in a request.
    assert!(matches!(
        build_ocsp_request(&pki.good.der, issuer, Some(&[])),
        Err(CaError::InvalidOcspRequest(_))
    ));
    assert!(build_ocsp_request(&pki.good.der, issuer, Some(&[0; 129])).is_err());
    // A certificate with the wrong issuer is refused.
    let err = build_ocsp_request(&pki.good.der, &pki.material.root_certificate, None).unwrap_err();
    assert!(matches!(err, CaError::InvalidCertificate { which: "issuer", .. }), "{err}");
});

token_test!(fn malformed_requests_and_bad_responses_are_refused(token) {
    let hsm = connect(token);
    let pki = Pki::new(&hsm, KeySpec::EcP256, "ocsp-bad");
    let (responder, _) = delegated_responder(&hsm, &pki, "firma-ocsp");
    let status_of = pki.status_of();
    let issuing = path(&pki.issuing).to_owned();
    let good_pem = pki.files.path("good.pem");
    let request = pki.openssl_request("req.der", &["-issuer", &issuing, "-cert", path(&good_pem)]);

    // Tampered, truncated, extended, oversized, empty, garbage: malformedRequest, no panic.
    let mut wrong_length = request.clone();
    wrong_length[1] = wrong_length[1].wrapping_add(1);
    let mut extended = request.clone();
    extended.push(0);
    let mut wrong_tag = request.clone();
    wrong_tag[2] = 0x31;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("wrong outer length", wrong_length),
        ("truncated", request[..request.len() - 1].to_vec()),
        ("trailing byte", extended),
        ("wrong inner tag", wrong_tag),
        ("oversized", vec![0x30; MAX_OCSP_REQUEST_LEN + 1]),
        ("empty", Vec::new()),
        ("garbage", b"GET /ocsp HTTP/1.1".to_vec()),
    ];
    for (what, bad) in cases {
        let reply = respond_detailed(&bad, &responder, &status_of, pki.now);
        assert_eq!(reply.status, OcspResponseStatus::MalformedRequest, "{what}");
        assert!(matches!(reply.problem, Some(CaError::OcspRequestMalformed(_))), "{what}: {:?}", reply.problem);
        let (_, text) = pki.openssl_read(None, &reply.der);
        assert!(text.contains("Responder Error: malformedrequest (1)"), "{what}: {text}");
        let err = check_ocsp_response(&reply.der, &pki.good.der, &pki.material.issuing_certificate, pki.now)
            .unwrap_err();
        assert!(matches!(err, CaError::OcspResponderError(OcspResponseStatus::MalformedRequest)), "{err}");
        assert!(err.to_string().contains("malformedRequest"), "{err}");
    }

    // A good response, then ways it can be wrong for the checker; OpenSSL agrees where it can.
    let response = respond(&request, &responder, &status_of, pki.now);
    let issuer = &pki.material.issuing_certificate;
    assert_eq!(check_ocsp_response(&response, &pki.good.der, issuer, pki.now).unwrap(), CertStatusAnswer::Good);
    // A signed byte altered (producedAt one second off): the signature no longer verifies.
    let mut tampered = response.clone();
    let at = signed_byte_offset(&tampered);
    assert!(tampered[at].is_ascii_digit());
    tampered[at] ^= 0x01;
    let (_, text) = pki.openssl_status(&tampered, &["-cert", path(&good_pem)]);
    assert!(!text.contains("Response verify OK"), "{text}");
    let err = check_ocsp_response(&tampered, &pki.good.der, issuer, pki.now).unwrap_err();
    assert!(err.to_string().contains("signature"), "{err}");
    // Stale two days later; not yet valid a day earlier.
    let err = check_ocsp_response(&response, &pki.good.der, issuer, pki.now + Duration::days(2)).unwrap_err();
    assert!(err.to_string().contains("stale"), "{err}");
    let err = check_ocsp_response(&response, &pki.good.der, issuer, pki.now - Duration::hours(1)).unwrap_err();
    assert!(err.to_string().contains("thisUpdate"), "{err}");
    // Every byte altered in turn: refused or (in the unsigned certs) harmless, never a panic,
    // never a different answer.
    for at in 0..response.len() {
        let mut mangled = response.clone();
        mangled[at] ^= 0x04;
        if let Ok(answer) = check_ocsp_response(&mangled, &pki.good.der, issuer, pki.now) {
            assert_eq!(answer, CertStatusAnswer::Good, "byte {at}");
        }
    }
    for len in 0..response.len() {
        assert!(check_ocsp_response(&response[..len], &pki.good.der, issuer, pki.now).is_err());
    }
    // About another certificate.
    let err = check_ocsp_response(&response, &pki.revoked.der, issuer, pki.now).unwrap_err();
    assert!(err.to_string().contains("no answer for serial number"), "{err}");

    // A responder of another CA (with the same names) is not authorised for this one, even
    // when it answers.
    let other = Pki::new(&hsm, KeySpec::EcP256, "ocsp-other");
    let (foreign, _) = delegated_responder(&hsm, &other, "firma-ocsp-other");
    let response = respond(&request, &foreign, &status_of, pki.now);
    let err = check_ocsp_response(&response, &pki.good.der, issuer, pki.now).unwrap_err();
    assert!(err.to_string().contains("not signed by the issuer"), "{err}");
    let (_, text) = pki.openssl_status(&response, &["-cert", path(&good_pem)]);
    assert!(!text.contains("Response verify OK"), "{text}");

    // Responders that cannot be set up.
    let officer_key = hsm.generate(KeySpec::EcP256, KeyPurpose::Officer).unwrap();
    let err = OcspResponder::delegated(hsm.activate(&officer_key.key).unwrap(), &pki.good.der, issuer)
        .unwrap_err();
    assert!(err.to_string().contains("id-kp-OCSPSigning"), "{err}");
    let (_, responder_cert) = delegated_responder(&hsm, &pki, "firma-ocsp-2");
    let err = OcspResponder::delegated(hsm.activate(&officer_key.key).unwrap(), &responder_cert.der, issuer)
        .unwrap_err();
    assert!(err.to_string().contains("not the key"), "{err}");
    let err = OcspResponder::delegated(
        hsm.activate(&officer_key.key).unwrap(),
        &responder_cert.der,
        &other.material.issuing_certificate,
    )
    .unwrap_err();
    assert!(err.to_string().contains("not signed by the issuer"), "{err}");
    assert!(OcspResponder::by_issuer(hsm.activate(&officer_key.key).unwrap(), issuer).is_err());

    // Past the responder certificate's validity the responder refuses to sign.
    let reply = respond_detailed(&request, &responder, &status_of, pki.now + Duration::days(400));
    assert_eq!(reply.status, OcspResponseStatus::InternalError);
    assert!(reply.problem.unwrap().to_string().contains("not at"));
    let (_, text) = pki.openssl_read(None, &reply.der);
    assert!(text.contains("Responder Error: internalerror (2)"), "{text}");
});

/// The offset of the last seconds digit of the first GeneralizedTime (producedAt) in a
/// response: a byte of the signed `ResponseData` that can change and stay well formed.
fn signed_byte_offset(response: &[u8]) -> usize {
    let at = response
        .windows(2)
        .position(|w| w == [0x18, 0x0f])
        .expect("a GeneralizedTime in the response");
    at + 2 + 13
}
