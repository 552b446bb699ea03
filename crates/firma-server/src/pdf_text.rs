//! Small, valid PDF 1.7 documents of plain text (A4 pages, Helvetica in WinAnsiEncoding), for the
//! documents the service writes itself: the demo's sample atto, the receipts of the chiavette
//! delivered. Long lines are wrapped at word boundaries; pages follow as the text needs, each
//! numbered "Pagina i di n".

/// A line of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// Bold, larger.
    Title(String),
    Text(String),
    Blank,
}

const TOP: u32 = 770;
const LEADING: u32 = 16;
/// Lines of text per page (the last line of a page is kept for its number).
const LINES_PER_PAGE: usize = 43;
/// Characters per line of 11-point Helvetica across the text width (72 pt margins).
const WRAP: usize = 84;

/// Escapes text for a PDF literal string (ISO 32000-1 section 7.3.4.2) in WinAnsiEncoding:
/// ASCII as is, Latin-1 letters (à, è, é, ì, ò, ù, ...) by their code, which WinAnsi shares
/// with Latin-1 from 0xA0 up; anything else as '?'.
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
                let code = match u32::from(c) {
                    n @ 0xA0..=0xFF => n,
                    _ => u32::from(b'?'),
                };
                out.extend_from_slice(format!("\\{code:03o}").as_bytes());
            }
        }
    }
    out.push(b')');
    out
}

/// Splits `text` into lines of at most `width` characters at spaces (a longer word is cut).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > width {
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            lines.push(word.drain(..width).collect());
        }
        let word: String = word.into_iter().collect();
        let needed =
            current.chars().count() + usize::from(!current.is_empty()) + word.chars().count();
        if needed > width && !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&word);
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
}

/// The content stream of one page.
fn page_content(lines: &[Line], number: usize, pages: usize) -> Vec<u8> {
    let mut content = format!("BT 72 {TOP} Td {LEADING} TL\n").into_bytes();
    for line in lines {
        let (font, text) = match line {
            Line::Title(t) => ("/F2 14 Tf", t.as_str()),
            Line::Text(t) => ("/F1 11 Tf", t.as_str()),
            Line::Blank => ("/F1 11 Tf", ""),
        };
        content.extend_from_slice(font.as_bytes());
        content.push(b' ');
        content.extend_from_slice(&literal(text));
        content.extend_from_slice(b" '\n");
    }
    content.extend_from_slice(b"ET\n");
    if pages > 1 {
        content.extend_from_slice(b"BT /F1 9 Tf 480 40 Td ");
        content.extend_from_slice(&literal(&format!("Pagina {number} di {pages}")));
        content.extend_from_slice(b" Tj ET\n");
    }
    content
}

/// A PDF with `lines`, wrapped and paginated.
pub fn text_pdf(lines: &[Line]) -> Vec<u8> {
    let mut wrapped = Vec::with_capacity(lines.len());
    for line in lines {
        match line {
            Line::Title(t) => wrapped.extend(wrap(t, WRAP * 11 / 14).into_iter().map(Line::Title)),
            Line::Text(t) => wrapped.extend(wrap(t, WRAP).into_iter().map(Line::Text)),
            Line::Blank => wrapped.push(Line::Blank),
        }
    }
    let pages: Vec<&[Line]> = if wrapped.is_empty() {
        vec![&[]]
    } else {
        wrapped.chunks(LINES_PER_PAGE).collect()
    };
    // Objects: 1 catalog, 2 page tree, 3 and 4 fonts, then a page and its content per page.
    let page_id = |i: usize| 5 + 2 * i;
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", page_id(i)))
        .collect();
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            pages.len()
        )
        .into_bytes(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    ];
    for (i, page) in pages.iter().enumerate() {
        let content = page_content(page, i + 1, pages.len());
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << \
                 /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
                page_id(i) + 1
            )
            .into_bytes(),
        );
        objects.push(
            [
                format!("<< /Length {} >>\nstream\n", content.len()).into_bytes(),
                content,
                b"\nendstream".to_vec(),
            ]
            .concat(),
        );
    }
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

    fn signable(pdf: &[u8]) {
        let details = firma_ades::pades::SignatureDetails::new(time::OffsetDateTime::UNIX_EPOCH);
        firma_ades::pades::prepare(pdf, &details, 8192).expect("the PDF can be signed");
    }

    #[test]
    fn latin_letters_are_winansi_codes_and_delimiters_are_escaped() {
        assert_eq!(literal("Forlì (è)"), b"(Forl\\354 \\(\\350\\))".to_vec());
        assert_eq!(literal("Ω"), b"(\\077)".to_vec());
    }

    #[test]
    fn long_text_is_wrapped_at_words() {
        let text = "parola ".repeat(40);
        let lines = wrap(&text, 20);
        assert!(lines.iter().all(|l| l.chars().count() <= 20), "{lines:?}");
        assert_eq!(lines.join(" "), text.trim());
        assert_eq!(wrap(&"x".repeat(45), 20).len(), 3);
        assert_eq!(wrap("", 20), [""]);
    }

    #[test]
    fn many_lines_make_numbered_pages_the_signer_accepts() {
        let lines: Vec<Line> = (0..100).map(|i| Line::Text(format!("riga {i}"))).collect();
        let pdf = text_pdf(&lines);
        assert!(pdf.starts_with(b"%PDF-1.7"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/Count 3"), "100 lines fill 3 pages of 43");
        assert!(text.contains("(Pagina 3 di 3)"));
        signable(&pdf);
        signable(&text_pdf(&[Line::Title("Titolo".into()), Line::Blank]));
        signable(&text_pdf(&[]));
    }
}
