//! PAdES signing throughput (firma-ades, one thread) with officer keys in SoftHSM2 (wrapped
//! P-256 and RSA-2048 keys, activated once as for a batch) and with a software P-256 key, next
//! to the raw HSM signing rate measured in the same run: a 3-page atto from the test corpus and
//! a generated multi-megabyte PDF.
//!
//! - `pades_sign/raw_hsm/*`: `ActiveKey::sign_digest` on the activated HSM key (one C_Sign);
//! - `pades_sign/b_b/<pdf>/<key>`: `pades::sign` (prepare the update, hash the byte range, CMS with
//!   the self-check, fill /Contents);
//! - `pades_sign/b_b/<pdf>/<key>_no_self_check`: the same through the two-phase API with
//!   `CmsOptions::skip_self_check`;
//! - `pades_sign/b_b/<pdf>/prepare_only`: the PDF engine alone (parse, incremental update, byte
//!   range), no hashing or signing;
//! - `pades_sign/b_t/atto_3_pages/hsm_p256`: B-T, time-stamped by a TSA whose key is in the token.
//!
//! Run: `cargo bench --bench pades_sign` (add `-- --quick` for a short run). The benchmark makes
//! its own SoftHSM2 token (it re-runs itself with `SOFTHSM2_CONF` pointing at it).

#[path = "support/hsm_officers.rs"]
mod hsm_officers;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group};
use firma_ades::cms::{CmsOptions, estimated_max_len, sign_detached_digest};
use firma_ades::pades::{self, PadesOptions, SignatureDetails};
use firma_core::KeySpec;
use firma_testkit::pki::TestPki;

use hsm_officers::{Signer, connect, hsm_signer, hsm_tsa, software_signer};

const ATTO: &[u8] = include_bytes!("../crates/firma-ades/tests/corpus/atto-classic-1.4.pdf");

/// A classic-xref PDF of `pages` pages with uncompressed content streams of about `per_page`
/// bytes each.
fn big_pdf(pages: usize, per_page: usize) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    let obj = |out: &mut Vec<u8>, offsets: &mut Vec<usize>, body: &[u8]| {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", offsets.len()).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    };
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    obj(&mut out, &mut offsets, b"<< /Type /Catalog /Pages 2 0 R >>");
    let pages_dict = format!(
        "<< /Type /Pages /Kids [{}] /Count {pages} >>",
        kids.join(" ")
    );
    obj(&mut out, &mut offsets, pages_dict.as_bytes());
    obj(
        &mut out,
        &mut offsets,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    );
    let mut line = 0u64;
    for i in 0..pages {
        let page = format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            5 + 2 * i
        );
        obj(&mut out, &mut offsets, page.as_bytes());
        let mut content = b"BT /F1 6 Tf 8 TL 20 830 Td\n".to_vec();
        while content.len() < per_page {
            line += 1;
            let row = format!(
                "(Riga {line} del registro: {:016x}) '\n",
                line.wrapping_mul(0x9e37_79b9_7f4a_7c15)
            );
            content.extend_from_slice(row.as_bytes());
        }
        content.extend_from_slice(b"ET");
        let mut body = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        body.extend_from_slice(&content);
        body.extend_from_slice(b"\nendstream");
        obj(&mut out, &mut offsets, &body);
    }
    let xref = out.len();
    let n = offsets.len() + 1;
    out.extend_from_slice(format!("xref\n0 {n}\n0000000000 65535 f \n").as_bytes());
    for o in &offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    let trailer = format!("trailer\n<< /Size {n} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
    out.extend_from_slice(trailer.as_bytes());
    out
}

/// PAdES B-B through the two-phase API, without the CMS self-check.
fn sign_no_self_check(pdf: &[u8], s: &Signer, details: &SignatureDetails) -> Vec<u8> {
    let room = estimated_max_len(&s.chain, s.algorithm, false);
    let prepared = pades::prepare(pdf, details, room).expect("prepare");
    let digest = prepared.digest(pdf, s.algorithm.hash()).expect("digest");
    let options = CmsOptions {
        skip_self_check: true,
        ..CmsOptions::default()
    };
    let cms = sign_detached_digest(s.key.as_ref(), s.algorithm, &s.chain, &digest, &options)
        .expect("CMS");
    prepared.into_signed_pdf(pdf, &cms).expect("finish")
}

fn bench(c: &mut Criterion) {
    let hsm = connect();
    let signers: Vec<Signer> = vec![
        hsm_signer(&hsm, KeySpec::EcP256),
        hsm_signer(&hsm, KeySpec::Rsa2048),
        software_signer(KeySpec::EcP256),
    ];
    let options = PadesOptions::new(TestPki::valid_at());
    let details = SignatureDetails::new(TestPki::valid_at());
    let big = big_pdf(100, 50_000);
    let digest = [0x5a; 32];

    let mut group = c.benchmark_group("pades_sign/raw_hsm");
    group.throughput(Throughput::Elements(1));
    for s in signers.iter().filter(|s| s.name.starts_with("hsm")) {
        group.bench_function(&s.name, |b| {
            b.iter(|| s.key.sign_digest(s.algorithm, &digest).expect("sign"))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("pades_sign/b_b");
    group.throughput(Throughput::Elements(1));
    for (name, pdf) in [("atto_3_pages", ATTO), ("pdf_5mb", big.as_slice())] {
        if pdf.len() > 1_000_000 {
            group
                .sample_size(20)
                .measurement_time(Duration::from_secs(6));
        }
        for s in &signers {
            group.bench_function(format!("{name}/{}", s.name), |b| {
                b.iter(|| {
                    pades::sign(
                        black_box(pdf),
                        s.key.as_ref(),
                        s.algorithm,
                        &s.chain,
                        &options,
                    )
                    .expect("sign")
                })
            });
            group.bench_function(format!("{name}/{}_no_self_check", s.name), |b| {
                b.iter(|| sign_no_self_check(black_box(pdf), s, &details))
            });
        }
        let room = estimated_max_len(&signers[0].chain, signers[0].algorithm, false);
        group.bench_function(format!("{name}/prepare_only"), |b| {
            b.iter(|| pades::prepare(black_box(pdf), &details, room).expect("prepare"))
        });
    }
    group.finish();

    let tsa = hsm_tsa(&hsm);
    let bt = PadesOptions::new(TestPki::valid_at()).with_timestamp(&tsa);
    let mut group = c.benchmark_group("pades_sign/b_t");
    group.throughput(Throughput::Elements(1));
    let s = &signers[0];
    group.bench_function(format!("atto_3_pages/{}", s.name), |b| {
        b.iter(|| {
            pades::sign(black_box(ATTO), s.key.as_ref(), s.algorithm, &s.chain, &bt).expect("sign")
        })
    });
    group.finish();
}

criterion_group!(benches, bench);

fn main() {
    // In the first process this re-runs the benchmark, with the same arguments, in a child that
    // sees a fresh token, and exits with its status; in the child it returns at once.
    drop(firma_testkit::softhsm::reexec_with_token());
    benches();
    Criterion::default().configure_from_args().final_summary();
}
