//! A sample atto as a small, valid PDF 1.7 (one A4 page of Helvetica text), for the demo.

/// Escapes text for a PDF literal string (ISO 32000-1 section 7.3.4.2), keeping WinAnsi
/// characters (à, è, ì, ò, ù are in WinAnsiEncoding).
fn literal(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 2);
    out.push(b'(');
    for c in text.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push(b'\\');
                out.push(c as u8);
            }
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c as u8),
            c => {
                let code = match c {
                    'à' => 0xE0,
                    'è' => 0xE8,
                    'é' => 0xE9,
                    'ì' => 0xEC,
                    'ò' => 0xF2,
                    'ù' => 0xF9,
                    _ => b'?',
                };
                out.extend_from_slice(format!("\\{code:03o}").as_bytes());
            }
        }
    }
    out.push(b')');
    out
}

/// A one-page PDF with `lines` of text.
pub fn atto_pdf(lines: &[&str]) -> Vec<u8> {
    let mut content = b"BT /F1 12 Tf 72 770 Td 16 TL\n".to_vec();
    for line in lines {
        content.extend_from_slice(&literal(line));
        content.extend_from_slice(b" '\n");
    }
    content.extend_from_slice(b"ET\n");
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec(),
        [format!("<< /Length {} >>\nstream\n", content.len()).into_bytes(), content, b"\nendstream".to_vec()].concat(),
    ];
    let mut pdf = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        pdf.extend_from_slice(body);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        pdf.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_is_a_pdf_the_signer_accepts() {
        let pdf = atto_pdf(&["Atto di nascita n. 1", "Comune di Forlì (è)"]);
        assert!(pdf.starts_with(b"%PDF-1.7"));
        let details = firma_ades::pades::SignatureDetails::new(time::OffsetDateTime::UNIX_EPOCH);
        firma_ades::pades::prepare(&pdf, &details, 8192).expect("the sample PDF can be signed");
        assert!(
            pdf.windows(4).any(|w| w == b"\\354"),
            "ì is WinAnsi octal 354"
        );
    }
}
