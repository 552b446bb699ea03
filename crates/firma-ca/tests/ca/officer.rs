//! The officer's qualified certificate in the AgID profile, as OpenSSL and pyHanko read it.

use firma_core::{HashAlgorithm, KeySpec, SignatureAlgorithm};
use firma_testkit::token_test;
use time::Duration;

use crate::support::*;

/// The OIDs inside the qcStatements extension, decoded by `openssl asn1parse -strparse`.
fn qc_statement_oids(cert: &std::path::Path) -> Vec<String> {
    let (ok, outer) = openssl(&["asn1parse", "-in", path(cert)]);
    assert!(ok, "{outer}");
    let lines: Vec<&str> = outer.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains(":qcStatements") || l.contains(":1.3.6.1.5.5.7.1.3"))
        .unwrap_or_else(|| panic!("no qcStatements extension in:\n{outer}"));
    let value = lines[at + 1..]
        .iter()
        .find(|l| l.contains("OCTET STRING"))
        .unwrap_or_else(|| panic!("no extnValue after qcStatements:\n{outer}"));
    let offset = value.split(':').next().unwrap().trim();
    let (ok, inner) = openssl(&["asn1parse", "-in", path(cert), "-strparse", offset]);
    assert!(ok, "{inner}");
    // Lines look like `  5:d=2  hl=2 l=   8 prim: OBJECT   :1.3.6.1.5.5.7.11.2`.
    inner
        .lines()
        .filter_map(|l| l.split_once("prim:"))
        .filter_map(|(_, rest)| rest.split_once(':'))
        .filter(|(kind, _)| ["OBJECT", "IA5STRING", "PRINTABLESTRING"].contains(&kind.trim()))
        .map(|(_, value)| value.trim().to_owned())
        .collect()
}

token_test!(fn officer_certificate_follows_the_agid_profile(token) {
    let hsm = connect(token);
    let (material, ca) = create_ca(&hsm, KeySpec::EcP256);
    let key = officer_key(&hsm, KeySpec::EcP256);
    let csr = officer_csr(&hsm, &key, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256));
    let issued = ca.issue_officer(&csr, &key.public_key, &officer(), NOW).unwrap();
    assert_eq!(issued.not_before, NOW);
    assert_eq!(issued.not_after, NOW + Duration::days(1095));
    assert_eq!(issued.serial.len(), 20);

    let files = Files::new();
    let (root, issuing) = files.ca(&material);
    let cert = files.cert("officer.pem", &issued.der);
    let text = x509_text(&cert);
    let expect = |needle: &str| assert!(text.contains(needle), "{needle:?} missing in:\n{text}");

    // Subject (ETSI EN 319 412-2 section 4.2.4, EN 319 412-1 section 5.1.3).
    expect(
        "Subject: C = IT, O = Comune di Roma, SN = ROSSI, GN = MARIO, \
         serialNumber = TINIT-RSSMRA80A01H501U, CN = MARIO ROSSI",
    );
    expect("Not Before: Mar  2 10:30:00 2026 GMT");
    expect("Not After : Mar  1 10:30:00 2029 GMT");
    // keyUsage: nonRepudiation only, critical.
    let ku = section(&text, "X509v3 Key Usage");
    assert!(ku[0].contains("critical"), "{ku:?}");
    assert_eq!(ku[1].trim(), "Non Repudiation", "{ku:?}");
    assert!(!text.contains("Extended Key Usage"), "{text}");
    assert!(!text.contains("Basic Constraints"), "{text}");
    // Policies: the simulator's with its CPS, QCP-n-qscd, agIDcert.
    let policies = section(&text, "X509v3 Certificate Policies").join("\n");
    for p in [
        "Policy: 1.3.6.1.4.1.99999.2.1.1",
        "CPS: http://ca.firma.test/ec/cps",
        "Policy: 0.4.0.194112.1.2",
        "Policy: 1.3.76.16.6",
    ] {
        assert!(policies.contains(p), "{p} missing in {policies}");
    }
    // CRL distribution point and AIA.
    let crl = section(&text, "X509v3 CRL Distribution Points").join("\n");
    assert!(crl.contains("URI:http://ca.firma.test/ec/crl/issuing.crl"), "{crl}");
    let aia = section(&text, "Authority Information Access").join("\n");
    assert!(aia.contains("OCSP - URI:http://ca.firma.test/ec/ocsp"), "{aia}");
    assert!(aia.contains("CA Issuers - URI:http://ca.firma.test/ec/certs/issuing.cer"), "{aia}");
    expect("X509v3 Subject Key Identifier");
    expect("X509v3 Authority Key Identifier");
    // QCStatements, decoded by OpenSSL's ASN.1 parser.
    let qc = qc_statement_oids(&cert);
    for oid in [
        "1.3.6.1.5.5.7.11.2", // id-qcs-pkixQCSyntax-v2 ...
        "0.4.0.194121.1.1",   // ... with id-etsi-qcs-semanticsId-Natural
        "0.4.0.1862.1.1",     // QcCompliance
        "0.4.0.1862.1.4",     // QcSSCD
        "0.4.0.1862.1.6",     // QcType ...
        "0.4.0.1862.1.6.1",   // ... esign
        "0.4.0.1862.1.5",     // QcPDS ...
        "http://ca.firma.test/ec/pds/pds_en.pdf",
        "en",
        "http://ca.firma.test/ec/pds/pds_it.pdf",
        "it",
    ] {
        assert!(
            qc.iter().any(|o| o == oid || o.ends_with(&format!("({oid})"))),
            "{oid} missing in qcStatements {qc:?}"
        );
    }
    // The serial number OpenSSL reads is ours: 20 octets.
    let (ok, serial) = openssl(&["x509", "-noout", "-serial", "-in", path(&cert)]);
    assert!(ok, "{serial}");
    assert_eq!(serial.trim(), format!("serial={}", issued.serial_hex().to_uppercase()));
    assert_eq!(issued.serial_hex().len(), 40);

    // The chain builds, strictly.
    assert_verifies(&root, &issuing, &cert, None);
    // Not for TLS or time-stamping: the purpose checks are not vacuous.
    let (ok, out) = verify_chain(&root, &issuing, &cert, Some("sslclient"));
    assert!(!ok, "an officer certificate must not be a TLS client certificate: {out}");

    // A second certificate for the same officer gets another serial.
    let again = ca.issue_officer(&csr, &key.public_key, &officer(), NOW).unwrap();
    assert_ne!(again.serial, issued.serial);
    let json = serde_json::to_string(&issued).unwrap();
    assert!(json.contains("2026-03-02T10:30:00Z"), "{json}");
    assert_eq!(serde_json::from_str::<firma_ca::IssuedCertificate>(&json).unwrap(), issued);
});

token_test!(fn officer_without_organization_and_long_validity_is_cut_at_the_ca(token) {
    let hsm = connect(token);
    let (material, _) = create_ca(&hsm, KeySpec::EcP256);
    let mut profile = profile();
    profile.officer_validity_days = 3653;
    let ca = firma_ca::CertificateAuthority::open(&hsm, &material, profile).unwrap();
    let key = officer_key(&hsm, KeySpec::EcP256);
    let csr = officer_csr(&hsm, &key, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha384));
    let mut who = officer();
    who.organization = None;
    // Issued a year later: ten more years would outlive the issuing CA (ten years from NOW).
    let later = NOW + Duration::days(365);
    let issued = ca.issue_officer(&csr, &key.public_key, &who, later).unwrap();
    assert_eq!(issued.not_after, NOW + Duration::days(firma_ca::ISSUING_VALIDITY_DAYS));
    let files = Files::new();
    let text = x509_text(&files.cert("officer.pem", &issued.der));
    assert!(
        text.contains("Subject: C = IT, SN = ROSSI, GN = MARIO, serialNumber = TINIT-RSSMRA80A01H501U"),
        "{text}"
    );
    // Before the CA exists, nothing is issued.
    let err = ca
        .issue_officer(&csr, &key.public_key, &who, NOW - Duration::days(1))
        .unwrap_err();
    assert!(matches!(err, firma_ca::CaError::CaNotValidAt { .. }), "{err}");
});

/// Runs pyhanko-certvalidator on the chain and asks for the key usages given.
fn pyhanko_validate(
    root: &std::path::Path,
    issuing: &std::path::Path,
    leaf: &std::path::Path,
    usage: &str,
) -> (bool, String) {
    const SCRIPT: &str = r#"
import asyncio, datetime, sys
from asn1crypto import pem, x509
from pyhanko_certvalidator import CertificateValidator, ValidationContext

def load(p):
    data = open(p, "rb").read()
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return x509.Certificate.load(data)

root, issuing, leaf = (load(p) for p in sys.argv[1:4])
moment = datetime.datetime.fromtimestamp(int(sys.argv[4]), tz=datetime.timezone.utc)
ctx = ValidationContext(trust_roots=[root], other_certs=[issuing], moment=moment,
                        revocation_mode="soft-fail")
validator = CertificateValidator(leaf, validation_context=ctx)
path = asyncio.run(validator.async_validate_usage(set(sys.argv[5].split(","))))
print("VALID", len(path))
"#;
    let out = std::process::Command::new(pyhanko_python())
        .arg("-c")
        .arg(SCRIPT)
        .args([path(root), path(issuing), path(leaf)])
        .arg(verify_at().to_string())
        .arg(usage)
        .output()
        .expect("running pyhanko-certvalidator");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success() && text.contains("VALID 3"), text)
}

token_test!(fn pyhanko_accepts_the_chain_for_non_repudiation(token) {
    let hsm = connect(token);
    let (material, ca) = create_ca(&hsm, KeySpec::EcP256);
    let key = officer_key(&hsm, KeySpec::EcP256);
    let csr = officer_csr(&hsm, &key, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256));
    let issued = ca.issue_officer(&csr, &key.public_key, &officer(), NOW).unwrap();
    let files = Files::new();
    let (root, issuing) = files.ca(&material);
    let cert = files.cert("officer.pem", &issued.der);
    let (ok, text) = pyhanko_validate(&root, &issuing, &cert, "non_repudiation");
    assert!(ok, "pyhanko-certvalidator refused the officer certificate: {text}");
    // The usage check is real: the key is not for digital signatures (authentication).
    let (ok, text) = pyhanko_validate(&root, &issuing, &cert, "digital_signature");
    assert!(!ok, "digitalSignature must not be accepted: {text}");
});
