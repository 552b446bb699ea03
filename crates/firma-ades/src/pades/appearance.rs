//! The normal appearance of a visible signature (ISO 32000-1 clause 12.5.5): a form XObject
//! (clause 8.10) with lines of Helvetica text in WinAnsiEncoding (clause 9.6.2.2, Annex D), one
//! of the standard 14 fonts that every viewer has, so nothing is embedded.

use std::io::Write as _;

use time::OffsetDateTime;

use crate::pdf::{Dict, Object, encode_win_ansi};

use super::date::display_date;
use super::error::PadesError;
use super::options::Appearance;

/// Largest and smallest font sizes used, in points.
const MAX_FONT: f64 = 10.0;
const MIN_FONT: f64 = 2.0;
/// Line height as a multiple of the font size, and the inner margin in points.
const LEADING: f64 = 1.2;
const MARGIN: f64 = 2.0;

/// Checks the rectangle and returns it normalised.
pub(crate) fn checked_rect(a: &Appearance) -> Result<[f64; 4], PadesError> {
    let [x1, y1, x2, y2] = a.rect;
    if a.rect.iter().any(|v| !v.is_finite() || v.abs() > 14_400.0) {
        return Err(PadesError::InvalidAppearance(
            "the rectangle's coordinates must be finite and within the page limits".into(),
        ));
    }
    let r = [x1.min(x2), y1.min(y2), x1.max(x2), y1.max(y2)];
    if r[2] - r[0] < 10.0 || r[3] - r[1] < 10.0 {
        return Err(PadesError::InvalidAppearance(
            "the rectangle must be at least 10 x 10 points".into(),
        ));
    }
    Ok(r)
}

/// The lines shown: who signed, role, comune, when.
fn lines(a: &Appearance, at: OffsetDateTime) -> Vec<Vec<u8>> {
    let mut out = vec![
        encode_win_ansi("Firmato digitalmente da"),
        encode_win_ansi(&a.signer_name),
    ];
    for extra in [&a.role, &a.comune].into_iter().flatten() {
        out.push(encode_win_ansi(extra));
    }
    out.push(encode_win_ansi(&format!("Data: {}", display_date(at))));
    out
}

/// The form XObject's dictionary and content stream for a widget of `rect`.
pub(crate) fn appearance_stream(
    a: &Appearance,
    rect: [f64; 4],
    at: OffsetDateTime,
) -> (Dict, Vec<u8>) {
    let (w, h) = (rect[2] - rect[0], rect[3] - rect[1]);
    let lines = lines(a, at);
    let widest = lines.iter().map(|l| text_width(l)).fold(1.0, f64::max);
    let n = lines.len() as f64;
    let size = (MAX_FONT)
        .min((h - 2.0 * MARGIN) / (n * LEADING))
        .min((w - 2.0 * MARGIN) * 1000.0 / widest)
        .max(MIN_FONT);
    let leading = size * LEADING;
    let mut content = Vec::new();
    // A thin frame, then the text from the top-left corner down.
    let _ = writeln!(
        content,
        "q 0.5 w 0 0 0 RG 0.25 0.25 {} {} re S Q",
        fmt(w - 0.5),
        fmt(h - 0.5)
    );
    let _ = writeln!(
        content,
        "BT /Helv {} Tf 0 g {} TL {} {} Td",
        fmt(size),
        fmt(leading),
        fmt(MARGIN),
        fmt(h - MARGIN - size)
    );
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            content.extend_from_slice(b"T* ");
        }
        content.push(b'(');
        escape(&mut content, line);
        content.extend_from_slice(b") Tj\n");
    }
    content.extend_from_slice(b"ET");

    let mut font = Dict::new();
    font.set("Type", Object::name("Font"));
    font.set("Subtype", Object::name("Type1"));
    font.set("BaseFont", Object::name("Helvetica"));
    font.set("Encoding", Object::name("WinAnsiEncoding"));
    let mut fonts = Dict::new();
    fonts.set("Helv", Object::Dict(font));
    let mut resources = Dict::new();
    resources.set("Font", Object::Dict(fonts));
    let mut dict = Dict::new();
    dict.set("Type", Object::name("XObject"));
    dict.set("Subtype", Object::name("Form"));
    dict.set(
        "BBox",
        Object::Array(vec![
            Object::Int(0),
            Object::Int(0),
            Object::Real(round(w)),
            Object::Real(round(h)),
        ]),
    );
    dict.set("Resources", Object::Dict(resources));
    (dict, content)
}

fn round(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

fn fmt(v: f64) -> String {
    format!("{}", round(v))
}

/// A literal string's bytes (clause 7.3.4.2): delimiters escaped, bytes above 0x7E in octal so
/// that the content stream stays ASCII.
fn escape(out: &mut Vec<u8>, text: &[u8]) {
    for &b in text {
        match b {
            b'(' | b')' | b'\\' => {
                out.push(b'\\');
                out.push(b);
            }
            0x20..=0x7e => out.push(b),
            _ => {
                let _ = write!(out, "\\{b:03o}");
            }
        }
    }
}

/// Width in thousandths of the font size (Helvetica metrics, Adobe Core14 AFM).
fn text_width(text: &[u8]) -> f64 {
    text.iter().map(|&b| f64::from(glyph_width(b))).sum()
}

fn glyph_width(b: u8) -> u16 {
    const ASCII: [u16; 95] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278,
        278, // ' '../
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584,
        556, // 0..?
        1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722,
        778, // @..O
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469,
        556, // P.._
        333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556,
        556, // `..o
        556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p..~
    ];
    match b {
        0x20..=0x7e => ASCII[usize::from(b - 0x20)],
        0xc0..=0xc5 | 0xdd | 0xde => 667,
        0xc6 => 1000,
        0xc7 | 0xd0 | 0xd1 | 0xd9..=0xdc => 722,
        0xc8..=0xcb => 667,
        0xcc..=0xcf | 0xec..=0xef => 278,
        0xd2..=0xd6 | 0xd8 => 778,
        0xe6 => 889,
        0xe7 | 0xfd | 0xff => 500,
        0xdf | 0xf8 => 611,
        0xd7 | 0xf7 => 584,
        _ => 556,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn accented_text_is_escaped_in_octal() {
        let a = Appearance {
            page_index: 0,
            rect: [10.0, 10.0, 210.0, 70.0],
            signer_name: "Niccolò Forlì (test)".into(),
            role: Some("Ufficiale dello stato civile".into()),
            comune: Some("Comune di Forlì".into()),
        };
        let (_, content) = appearance_stream(
            &a,
            checked_rect(&a).unwrap(),
            datetime!(2026-01-02 03:04:05 UTC),
        );
        let text = String::from_utf8(content).unwrap();
        assert!(
            text.contains("(Niccol\\362 Forl\\354 \\(test\\)) Tj"),
            "{text}"
        );
        assert!(text.contains("(Data: 02/01/2026 03:04:05 UTC) Tj"));
    }

    #[test]
    fn degenerate_rectangles_are_refused() {
        let mut a = Appearance {
            page_index: 0,
            rect: [0.0, 0.0, 5.0, 100.0],
            signer_name: String::new(),
            role: None,
            comune: None,
        };
        assert!(checked_rect(&a).is_err());
        a.rect = [0.0, 0.0, f64::NAN, 100.0];
        assert!(checked_rect(&a).is_err());
    }
}
