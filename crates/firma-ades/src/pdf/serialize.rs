//! Writing objects back (ISO 32000-1 clause 7.3), for the objects an incremental update
//! rewrites whole.

use std::io::Write as _;

use super::lexer::is_regular;
use super::object::{Dict, Name, Object, PdfString};

/// Appends the syntax of `obj` to `out`.
pub fn write_object(out: &mut Vec<u8>, obj: &Object) {
    match obj {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Bool(true) => out.extend_from_slice(b"true"),
        Object::Bool(false) => out.extend_from_slice(b"false"),
        Object::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Object::Real(r) => write_real(out, *r),
        Object::String(s) => write_string(out, s),
        Object::Name(n) => write_name(out, n),
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_object(out, item);
            }
            out.push(b']');
        }
        Object::Dict(d) => write_dict(out, d),
        Object::Ref(r) => {
            let _ = write!(out, "{} {} R", r.num, r.generation);
        }
    }
}

pub(crate) fn write_dict(out: &mut Vec<u8>, d: &Dict) {
    out.extend_from_slice(b"<<");
    for (k, v) in d.iter() {
        write_name(out, k);
        out.push(b' ');
        write_object(out, v);
    }
    out.extend_from_slice(b">>");
}

/// Reals are written in plain decimal notation (clause 7.3.3 has no exponents).
fn write_real(out: &mut Vec<u8>, r: f64) {
    if r.is_finite() {
        let _ = write!(out, "{r}");
    } else {
        out.push(b'0');
    }
}

/// A name (clause 7.3.5): bytes outside `!`..`~`, delimiters and `#` as `#xx`.
pub(crate) fn write_name(out: &mut Vec<u8>, n: &Name) {
    out.push(b'/');
    for &b in n.as_bytes() {
        if (0x21..=0x7e).contains(&b) && is_regular(b) && b != b'#' {
            out.push(b);
        } else {
            let _ = write!(out, "#{b:02X}");
        }
    }
}

/// A string in its original form (clause 7.3.4): literal strings escape `(`, `)`, `\` and
/// carriage returns (which a reader would otherwise turn into line feeds).
pub(crate) fn write_string(out: &mut Vec<u8>, s: &PdfString) {
    if s.hex {
        out.push(b'<');
        for b in &s.bytes {
            let _ = write!(out, "{b:02X}");
        }
        out.push(b'>');
        return;
    }
    out.push(b'(');
    for &b in &s.bytes {
        match b {
            b'(' | b')' | b'\\' => {
                out.push(b'\\');
                out.push(b);
            }
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
    out.push(b')');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::lexer::Lexer;
    use crate::pdf::parser::parse_object;

    #[test]
    fn round_trip() {
        let src: &[u8] = b"<</A [1 -2.5 (a\\)b\\r) <00ff> /N#20x 3 0 R true null] /B<</C/D>>>>";
        let obj = parse_object(&mut Lexer::new(src, 0)).unwrap();
        let mut out = Vec::new();
        write_object(&mut out, &obj);
        let again = parse_object(&mut Lexer::new(&out, 0)).unwrap();
        assert_eq!(obj, again);
    }
}
