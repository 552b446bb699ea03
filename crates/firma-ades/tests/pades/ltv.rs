//! B-LT's DSS writer and the refusals of extension, without a network: the DSS is added in an
//! incremental update (checked by `qpdf --check` and our reader), merged with an existing one
//! without repeating entries, on classic and cross-reference-stream files.

use firma_ades::ltv::{ValidationData, ValidationTransport};
use firma_ades::pades::{self, LtvOptions, PadesError, PadesLevel, add_validation_data};
use firma_ades::pdf::{Document, Object};
use firma_ades::tsp::TransportError;
use time::macros::datetime;

use super::support::{assert_qpdf_no_new_problems, corpus, corpus_path, write};

/// A transport where nothing answers.
struct Down;

impl ValidationTransport for Down {
    fn get(&self, url: &str) -> Result<Vec<u8>, TransportError> {
        Err(format!("{url}: connection refused").into())
    }
    fn ocsp(&self, url: &str, _: &[u8]) -> Result<Vec<u8>, TransportError> {
        Err(format!("{url}: connection refused").into())
    }
}

/// The number of entries of each DSS array: (Certs, OCSPs, CRLs).
fn dss_counts(pdf: &[u8]) -> (usize, usize, usize) {
    let doc = Document::parse(pdf).unwrap();
    let (_, catalog) = doc.catalog().unwrap();
    let dss = doc.get_dict_in(&catalog, "DSS").unwrap().expect("a DSS");
    assert_eq!(dss.get_name("Type"), Some(&b"DSS"[..]));
    let len = |k: &str| match doc.get_in(&dss, k).unwrap() {
        Object::Array(a) => a.len(),
        _ => 0,
    };
    (len("Certs"), len("OCSPs"), len("CRLs"))
}

fn data(certs: &[&[u8]], ocsps: &[&[u8]], crls: &[&[u8]]) -> ValidationData {
    let mut d = ValidationData::default();
    certs.iter().for_each(|c| d.add_certificate(c));
    ocsps.iter().for_each(|o| d.add_ocsp_response(o));
    crls.iter().for_each(|c| d.add_crl(c));
    d
}

#[test]
fn the_dss_is_added_merged_and_never_repeated() {
    for name in [
        "atto-classic-1.4.pdf",
        "xref-stream-1.5.pdf",
        "signed-once.pdf",
    ] {
        let original = corpus(name);
        let first = data(&[b"cert-a", b"cert-b"], &[b"ocsp-a"], &[]);
        let once = add_validation_data(&original, &first).unwrap();
        assert!(once.starts_with(&original), "{name}: an incremental update");
        assert_eq!(dss_counts(&once), (2, 1, 0), "{name}");
        // Nothing new: the document is returned as it was.
        assert_eq!(add_validation_data(&once, &first).unwrap(), once, "{name}");
        // Only what is new is added; the DSS keeps what it had.
        let second = data(&[b"cert-b", b"cert-c"], &[b"ocsp-a"], &[b"crl-a"]);
        let twice = add_validation_data(&once, &second).unwrap();
        assert!(twice.starts_with(&once));
        assert_eq!(dss_counts(&twice), (3, 1, 1), "{name}");
        let path = write(&format!("ltv-dss-{name}"), &twice);
        assert_qpdf_no_new_problems(&corpus_path(name), &path);
    }
}

#[test]
fn extension_is_refused_without_signatures_or_a_long_term_level() {
    let options = LtvOptions {
        transport: &Down,
        timestamper: None,
        now: datetime!(2026-01-01 00:00 UTC),
        issuers: &[],
    };
    let unsigned = corpus("atto-classic-1.4.pdf");
    assert!(matches!(
        pades::extend(&unsigned, PadesLevel::BLt, &options),
        Err(PadesError::NothingToExtend)
    ));
    let signed = corpus("signed-once.pdf");
    assert!(matches!(
        pades::extend(&signed, PadesLevel::BT, &options),
        Err(PadesError::NotAnExtension)
    ));
    assert!(matches!(
        pades::extend(&signed, PadesLevel::BLta, &options),
        Err(PadesError::TimestampRequired)
    ));
}

/// Another producer's signature (pyHanko's, in the corpus; its chain names no revocation
/// source) extended to B-LTA, then archived again: pyHanko still finds it intact and trusted,
/// and judges the DSS and document time-stamps allowed updates.
#[test]
fn a_third_party_signature_is_extended_to_b_lta_and_stays_valid() {
    let tsa = super::support::tsa(firma_core::KeySpec::EcP256);
    let pem = std::fs::read_to_string(corpus_path("corpus-root.pem")).unwrap();
    let root = pem_der(&pem);
    let unknown_root = LtvOptions {
        transport: &Down,
        timestamper: Some(&tsa),
        now: firma_testkit::pki::TestPki::valid_at(),
        issuers: &[],
    };
    let signed = corpus("signed-once.pdf");
    // The signature does not carry its root and names no caIssuers: refused, not lowered.
    let err = pades::extend(&signed, PadesLevel::BLta, &unknown_root).unwrap_err();
    assert!(err.to_string().contains("Corpus Signer"), "{err}");
    // The trust anchors the caller knows: the corpus root and the TSA's root.
    let tsa_root = firma_testkit::pki::TestPki::shared(firma_core::KeySpec::EcP256)
        .root
        .cert_der
        .clone();
    let issuers = [root, tsa_root];
    let options = LtvOptions {
        issuers: &issuers,
        ..unknown_root
    };
    let lta = pades::extend(&signed, PadesLevel::BLta, &options).unwrap();
    assert!(lta.starts_with(&signed));
    let again = pades::extend(&lta, PadesLevel::BLta, &options).unwrap();
    assert!(again.starts_with(&lta));
    for (name, pdf, timestamps) in [("lta", &lta, 1), ("lta2", &again, 2)] {
        let doc = Document::parse(pdf).unwrap();
        let (_, catalog) = doc.catalog().unwrap();
        let form = doc.form_info(&catalog).unwrap();
        assert_eq!(form.signatures.len(), 1 + timestamps, "{name}");
        let stamps = form
            .signatures
            .iter()
            .filter(|s| s.sub_filter == b"ETSI.RFC3161")
            .count();
        assert_eq!(stamps, timestamps, "{name}");
        let (certs, _, _) = dss_counts(pdf);
        assert!(
            certs >= 2,
            "{name}: the signer's and the TSA's certificates"
        );
        let path = write(&format!("ltv-third-party-{name}.pdf"), pdf);
        let out = super::support::pyhanko_validate_trusting(
            &super::support::env().roots,
            &path,
            true,
            false,
        );
        let verdict = super::support::text(&out);
        assert!(out.status.success(), "{name}: {verdict}");
        assert!(
            verdict.contains(":INTACT:TRUSTED,") && verdict.contains("EXTENDED_WITH_LTA_UPDATES"),
            "{name}: {verdict}"
        );
        assert!(!verdict.contains("ILLEGAL"), "{name}: {verdict}");
        assert_qpdf_no_new_problems(&corpus_path("signed-once.pdf"), &path);
    }
}

fn pem_der(pem: &str) -> Vec<u8> {
    use base64::Engine;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}
