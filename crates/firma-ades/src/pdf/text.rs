//! Text in PDF: text strings (ISO 32000-1 clause 7.9.2.2) and WinAnsiEncoding (Annex D.2) for
//! the standard Helvetica font of a visible signature.

use super::object::PdfString;

/// A text string for /T, /Name, /Reason, /Location: PDFDocEncoding when the text is printable
/// ASCII (where PDFDocEncoding and ASCII agree), otherwise UTF-16BE with a byte order mark
/// (clause 7.9.2.2).
pub fn encode_text_string(s: &str) -> PdfString {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        PdfString::literal(s.as_bytes().to_vec())
    } else {
        let mut out = vec![0xfe, 0xff];
        for unit in s.encode_utf16() {
            out.extend_from_slice(&unit.to_be_bytes());
        }
        PdfString::hex(out)
    }
}

/// Decodes a text string: UTF-16BE with BOM, UTF-8 with BOM (PDF 2.0), or PDFDocEncoding read
/// as Latin-1 (they agree on the characters field names use).
pub(crate) fn decode_text_string(b: &[u8]) -> String {
    if let Some(rest) = b.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else if let Some(rest) = b.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        b.iter().map(|&c| char::from(c)).collect()
    }
}

/// Encodes `s` in WinAnsiEncoding (ISO 32000-1 Annex D.2, Windows code page 1252): ASCII and
/// Latin-1 letters such as à è é ì ò ù map directly, the typographic characters of 0x80..0x9F
/// (€, ’, “, ”, –, —, …) to their code points; anything else becomes `?`.
pub fn encode_win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{ff}' => c as u8,
            '€' => 0x80,
            '‚' => 0x82,
            'ƒ' => 0x83,
            '„' => 0x84,
            '…' => 0x85,
            '†' => 0x86,
            '‡' => 0x87,
            'ˆ' => 0x88,
            '‰' => 0x89,
            'Š' => 0x8a,
            '‹' => 0x8b,
            'Œ' => 0x8c,
            'Ž' => 0x8e,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '˜' => 0x98,
            '™' => 0x99,
            'š' => 0x9a,
            '›' => 0x9b,
            'œ' => 0x9c,
            'ž' => 0x9e,
            'Ÿ' => 0x9f,
            _ => b'?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn italian_accents_are_win_ansi() {
        assert_eq!(
            encode_win_ansi("àèéìòù È’€"),
            vec![0xe0, 0xe8, 0xe9, 0xec, 0xf2, 0xf9, 0x20, 0xc8, 0x92, 0x80]
        );
        assert_eq!(encode_win_ansi("ł"), b"?");
    }

    #[test]
    fn text_strings_round_trip() {
        for s in ["Signature1", "Città di Forlì", "日本"] {
            assert_eq!(decode_text_string(&encode_text_string(s).bytes), s);
        }
        assert!(!encode_text_string("plain").hex);
    }
}
