//! A sample atto as a small, valid PDF 1.7 (one A4 page of Helvetica text), for the demo.

use crate::pdf_text::{Line, text_pdf};

/// A one-page PDF with `lines` of text.
pub fn atto_pdf(lines: &[&str]) -> Vec<u8> {
    let lines: Vec<Line> = lines.iter().map(|l| Line::Text((*l).to_owned())).collect();
    text_pdf(&lines)
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
