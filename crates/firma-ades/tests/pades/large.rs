//! A multi-megabyte document: signed without trouble, validated.

use std::time::Instant;

use super::support::*;

/// A classic-xref PDF of `pages` pages, each with an uncompressed content stream of about
/// `per_page` bytes.
pub fn big_pdf(pages: usize, per_page: usize) -> Vec<u8> {
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
    obj(
        &mut out,
        &mut offsets,
        format!(
            "<< /Type /Pages /Kids [{}] /Count {pages} >>",
            kids.join(" ")
        )
        .as_bytes(),
    );
    obj(
        &mut out,
        &mut offsets,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    );
    let mut line = 0u64;
    for i in 0..pages {
        obj(&mut out, &mut offsets, format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            5 + 2 * i
        ).as_bytes());
        let mut content = b"BT /F1 6 Tf 8 TL 20 830 Td\n".to_vec();
        while content.len() < per_page {
            line += 1;
            content.extend_from_slice(
                format!(
                    "(Riga {line} del registro: {:016x}) ' \n",
                    line.wrapping_mul(0x9e3779b97f4a7c15)
                )
                .as_bytes(),
            );
        }
        content.extend_from_slice(b"ET");
        let mut body = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        body.extend_from_slice(&content);
        body.extend_from_slice(b"\nendstream");
        obj(&mut out, &mut offsets, &body);
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes(),
    );
    for o in &offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            offsets.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[test]
fn five_megabyte_document() {
    let pdf = big_pdf(100, 50_000);
    assert!(pdf.len() > 5_000_000);
    let original = write("big.pdf", &pdf);
    let start = Instant::now();
    let signed = sign(&pdf, &options()).unwrap();
    let took = start.elapsed();
    // Generous bound for unoptimised test builds; the benchmark measures the real figure.
    assert!(took.as_secs() < 10, "signing 5 MB took {took:?}");
    assert!(
        signed.len() - pdf.len() < 64 * 1024,
        "the update is {} bytes",
        signed.len() - pdf.len()
    );
    let out = write("big-signed.pdf", &signed);
    assert_pyhanko_valid(&out, 1, true);
    assert_pdfsig_valid(&out, 1);
    assert_qpdf_no_new_problems(&original, &out);
}
