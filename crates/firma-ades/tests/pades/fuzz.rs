//! Property tests over the PDF reader and the signing path: mutated corpus files and random
//! bytes never make `prepare` panic, hang or allocate without bound; hostile structures (loops,
//! huge counts, deep nesting, decompression bombs) are refused quickly.

use std::time::{Duration, Instant};

use firma_ades::pades::{self, SignatureDetails};
use firma_ades::pdf::Document;
use firma_testkit::pki::TestPki;
use proptest::prelude::*;

use super::support::*;

const SEEDS: [&str; 8] = [
    "atto-classic-1.4.pdf",
    "xref-stream-1.5.pdf",
    "hybrid-1.5.pdf",
    "pdf-2.0.pdf",
    "linearized-objstm.pdf",
    "form-inline-1.7.pdf",
    "signed-once.pdf",
    "certified-p2-form.pdf",
];

/// Each case must finish well within this (debug build, one core).
const PER_CASE: Duration = Duration::from_secs(2);

/// Runs the signing path; when it succeeds, our own reader must accept the result.
fn exercise(pdf: &[u8]) {
    let start = Instant::now();
    let details = SignatureDetails::new(TestPki::valid_at());
    if let Ok(prepared) = pades::prepare(pdf, &details, 256) {
        let update = prepared
            .finish(&[0x30, 0x03, 0x02, 0x01, 0x00])
            .expect("fits");
        let mut signed = pdf.to_vec();
        signed.extend_from_slice(&update);
        let doc = Document::parse(&signed).expect("our own output parses");
        let (_, catalog) = doc.catalog().expect("catalog of our output");
        let form = doc.form_info(&catalog).expect("form of our output");
        assert!(form.fields.iter().any(|f| f.signed));
    }
    let took = start.elapsed();
    assert!(took < PER_CASE, "one case took {took:?}");
}

#[derive(Debug, Clone)]
enum Mutation {
    Set(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
    Digits(usize, u32),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        2 => (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16)).prop_map(|(i, v)| Mutation::Insert(i, v)),
        2 => (any::<usize>(), 1usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        3 => (any::<usize>(), any::<u32>()).prop_map(|(i, n)| Mutation::Digits(i, n)),
    ]
}

fn apply(mut data: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = data.len().max(1);
        match m {
            Mutation::Set(i, b) => {
                if !data.is_empty() {
                    data[i % len] = *b;
                }
            }
            Mutation::Insert(i, v) => {
                let at = i % (data.len() + 1);
                data.splice(at..at, v.iter().copied());
            }
            Mutation::Delete(i, n) => {
                let at = i % len;
                let end = (at + n).min(data.len());
                if at < end {
                    data.drain(at..end);
                }
            }
            Mutation::Truncate(i) => data.truncate(i % len),
            // Overwrite a run of digits with another number: counts, offsets, sizes.
            Mutation::Digits(i, n) => {
                if let Some(pos) = data.iter().skip(i % len).position(u8::is_ascii_digit) {
                    let at = i % len + pos;
                    let end = at + data[at..].iter().take_while(|b| b.is_ascii_digit()).count();
                    data.splice(at..end, n.to_string().into_bytes());
                }
            }
        }
    }
    data
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_corpus_files(seed in 0usize..SEEDS.len(), mutations in prop::collection::vec(mutation(), 1..6)) {
        exercise(&apply(corpus(SEEDS[seed]), &mutations));
    }

    #[test]
    fn random_bytes_after_a_header(body in prop::collection::vec(any::<u8>(), 0..2048)) {
        let mut pdf = b"%PDF-1.7\n".to_vec();
        pdf.extend_from_slice(&body);
        exercise(&pdf);
    }

    #[test]
    fn random_tokens(tokens in prop::collection::vec(prop::sample::select(vec![
        "<<", ">>", "[", "]", "/Type", "/Pages", "/Kids", "/Count", "/Root", "/Prev", "/Size",
        "/XRefStm", "/W", "/Index", "/Length", "/Filter", "/FlateDecode", "/ObjStm", "/N", "/First",
        "/AcroForm", "/Fields", "/Annots", "/Perms", "/DocMDP", "/Reference", "1 0 R", "2 0 R",
        "3 0 R", "1 0 obj", "2 0 obj", "3 0 obj", "endobj", "stream\n", "\nendstream", "xref\n",
        "0 4\n", "0000000009 00000 n \n", "trailer", "startxref\n9\n", "%%EOF", "0", "1", "3",
        "99999999", "(x)", "<41>", "null", "true",
    ]), 0..120)) {
        let mut pdf = b"%PDF-1.7\n".to_vec();
        for t in tokens {
            pdf.extend_from_slice(t.as_bytes());
            pdf.push(b' ');
        }
        exercise(&pdf);
    }
}

fn refused_quickly(pdf: &[u8]) {
    let start = Instant::now();
    let r = pades::prepare(pdf, &SignatureDetails::new(TestPki::valid_at()), 256);
    assert!(r.is_err(), "hostile input accepted");
    assert!(start.elapsed() < PER_CASE);
}

#[test]
fn hostile_structures() {
    // A page tree that loops.
    refused_quickly(&classic(
        &[
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [2 0 R] /Count 5 >>",
        ],
        "",
    ));
    // A /Prev loop is cut, the rest parses; a /Prev into nowhere is damage.
    let mut looped = classic(
        &[
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [] /Count 0 >>",
        ],
        "",
    );
    let xref_at = String::from_utf8_lossy(&looped).rfind("xref\n0").unwrap();
    let text = String::from_utf8_lossy(&looped)
        .replace("/Root 1 0 R", &format!("/Root 1 0 R /Prev {xref_at}"));
    looped = text.into_bytes();
    refused_quickly(&looped); // no page to put the widget on
    // An xref subsection claiming billions of entries.
    refused_quickly(b"%PDF-1.4\nxref\n0 4000000000\ntrailer<</Root 1 0 R>>\nstartxref\n9\n%%EOF");
    // A /Size beyond the object-number limit (ISO 32000-1 Annex C).
    let huge = classic(
        &[
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [] /Count 0 >>",
        ],
        "/Size 4294967295",
    );
    let e = pades::prepare(&huge, &SignatureDetails::new(TestPki::valid_at()), 256).unwrap_err();
    assert!(e.to_string().contains("objects"), "{e}");
    // Deep nesting.
    let deep = format!(
        "<< /Type /Catalog /Pages 2 0 R /X {}>>",
        "[".repeat(100_000)
    );
    refused_quickly(&classic(
        &[&deep, "<< /Type /Pages /Kids [] /Count 0 >>"],
        "",
    ));
    // A stream /Length that refers to the stream itself, and fields that refer to each other.
    refused_quickly(&classic(
        &[
            "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [3 0 R] >> >>",
            "<< /Type /Pages /Kids [] /Count 0 >>",
            "<< /T (a) /Kids [3 0 R] >>",
        ],
        "",
    ));
}

#[test]
fn decompression_bomb_in_an_object_stream() {
    // 64 MiB of spaces compress to about 64 KiB: far beyond 32 times the input, refused.
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(&vec![b' '; 64 << 20], 9);
    let mut pdf = b"%PDF-1.7\n".to_vec();
    let objstm_at = pdf.len();
    pdf.extend_from_slice(
        format!(
            "1 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length {} >>\nstream\n",
            packed.len()
        )
        .as_bytes(),
    );
    pdf.extend_from_slice(&packed);
    pdf.extend_from_slice(b"\nendstream\nendobj\n");
    // A cross-reference stream that puts the catalog (object 2) in that object stream.
    let xref_at = pdf.len();
    let mut rows = Vec::new();
    for (kind, f1, f2) in [
        (0u8, 0u32, 65535u16),
        (1, objstm_at as u32, 0),
        (2, 1, 0),
        (1, xref_at as u32, 0),
    ] {
        rows.push(kind);
        rows.extend_from_slice(&f1.to_be_bytes());
        rows.extend_from_slice(&f2.to_be_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "3 0 obj\n<< /Type /XRef /Size 4 /W [1 4 2] /Root 2 0 R /Length {} >>\nstream\n",
            rows.len()
        )
        .as_bytes(),
    );
    pdf.extend_from_slice(&rows);
    pdf.extend_from_slice(format!("\nendstream\nendobj\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    let start = Instant::now();
    let e = pades::prepare(&pdf, &SignatureDetails::new(TestPki::valid_at()), 256).unwrap_err();
    assert!(e.to_string().contains("decodes to more than"), "{e}");
    assert!(start.elapsed() < PER_CASE);
}
