//! Objects from tokens (ISO 32000-1 clauses 7.3 and 7.3.10): direct objects with a nesting
//! limit, and indirect objects `N G obj ... endobj` including streams.

use super::error::PdfError;
use super::lexer::{Lexer, Token};
use super::object::{Dict, Indirect, ObjRef, Object, Stream};

/// Arrays and dictionaries nested deeper than this are refused (the limit guards the stack; real
/// documents stay far below it, Annex C of ISO 32000-1 suggests 28 for arrays).
pub(crate) const MAX_DEPTH: usize = 64;

fn syntax(pos: usize, what: &str) -> PdfError {
    PdfError::damaged(format!("{what} at byte {pos}"))
}

/// Parses one direct object at the lexer's position.
pub(crate) fn parse_object(lx: &mut Lexer<'_>) -> Result<Object, PdfError> {
    parse_at_depth(lx, 0)
}

fn parse_at_depth(lx: &mut Lexer<'_>, depth: usize) -> Result<Object, PdfError> {
    if depth > MAX_DEPTH {
        return Err(syntax(lx.pos, "objects nested too deeply"));
    }
    let start = lx.pos;
    let token = lx
        .next_token()
        .ok_or_else(|| syntax(start, "expected an object"))?;
    Ok(match token {
        Token::Int(n) => {
            // `N G R` (clause 7.3.10) needs two tokens of look-ahead.
            let save = lx.pos;
            if let (Ok(num), Some(Token::Int(g))) = (u32::try_from(n), lx.next_token())
                && let (Ok(generation), Some(Token::Keyword(b"R"))) =
                    (u16::try_from(g), lx.next_token())
            {
                return Ok(Object::Ref(ObjRef::new(num, generation)));
            }
            lx.pos = save;
            Object::Int(n)
        }
        Token::Real(r) => Object::Real(r),
        Token::Name(n) => Object::Name(n),
        Token::String(s) => Object::String(s),
        Token::ArrayStart => {
            let mut items = Vec::new();
            loop {
                lx.skip_ws();
                match lx.peek_byte() {
                    Some(b']') => {
                        lx.pos += 1;
                        break;
                    }
                    None => return Err(syntax(lx.pos, "unterminated array")),
                    _ => items.push(parse_at_depth(lx, depth + 1)?),
                }
            }
            Object::Array(items)
        }
        Token::DictStart => Object::Dict(parse_dict_body(lx, depth)?),
        Token::Keyword(b"true") => Object::Bool(true),
        Token::Keyword(b"false") => Object::Bool(false),
        Token::Keyword(b"null") => Object::Null,
        Token::Keyword(_) | Token::ArrayEnd | Token::DictEnd => {
            return Err(syntax(
                start,
                "unexpected token where an object was expected",
            ));
        }
    })
}

/// The entries of a dictionary after its `<<`.
fn parse_dict_body(lx: &mut Lexer<'_>, depth: usize) -> Result<Dict, PdfError> {
    let mut dict = Dict::new();
    loop {
        let at = lx.pos;
        match lx.next_token() {
            Some(Token::DictEnd) => return Ok(dict),
            Some(Token::Name(key)) => {
                let value = parse_at_depth(lx, depth + 1)?;
                dict.0.push((key, value));
            }
            _ => return Err(syntax(at, "expected a name or >> in a dictionary")),
        }
    }
}

/// Reads the header `N G obj` at `pos` (after optional white-space); returns the reference and
/// the position after `obj`.
pub(crate) fn parse_header(data: &[u8], pos: usize) -> Option<(ObjRef, usize)> {
    let mut lx = Lexer::new(data, pos);
    let num = u32::try_from(lx.unsigned()?).ok()?;
    let generation = u16::try_from(lx.unsigned()?).ok()?;
    lx.keyword(b"obj")
        .then_some((ObjRef::new(num, generation), lx.pos))
}

/// Parses the indirect object whose header is at `pos`. `length` resolves an indirect stream
/// /Length (clause 7.3.8.2); when it is absent or wrong the data ends at `endstream`, as
/// validators recover it.
pub(crate) fn parse_indirect(
    data: &[u8],
    pos: usize,
    length: &dyn Fn(ObjRef) -> Option<i64>,
) -> Result<(ObjRef, Indirect), PdfError> {
    let (reference, body) = parse_header(data, pos)
        .ok_or_else(|| syntax(pos, "expected an object header `N G obj`"))?;
    let mut lx = Lexer::new(data, body);
    let object = parse_object(&mut lx)?;
    let Object::Dict(dict) = object else {
        return Ok((reference, Indirect::Object(object)));
    };
    if !lx.keyword(b"stream") {
        return Ok((reference, Indirect::Object(Object::Dict(dict))));
    }
    // The keyword is followed by CRLF or LF (clause 7.3.8.1); a lone CR is tolerated.
    let mut start = lx.pos;
    match data.get(start..start + 2) {
        Some(b"\r\n") => start += 2,
        Some([b'\n', ..]) | Some([b'\r', ..]) => start += 1,
        _ => {}
    }
    let declared = match dict.get("Length") {
        Some(Object::Int(n)) => Some(*n),
        Some(Object::Ref(r)) if *r != reference => length(*r),
        _ => None,
    };
    let end = declared
        .and_then(|n| usize::try_from(n).ok())
        .and_then(|n| start.checked_add(n))
        .filter(|&end| end <= data.len() && ends_stream(data, end))
        .or_else(|| find_endstream(data, start))
        .ok_or_else(|| syntax(start, "stream without endstream"))?;
    Ok((
        reference,
        Indirect::Stream(Stream {
            dict,
            data: start..end,
        }),
    ))
}

/// Whether `endstream` follows `end` after at most an end-of-line marker.
fn ends_stream(data: &[u8], end: usize) -> bool {
    let mut lx = Lexer::new(data, end);
    lx.keyword(b"endstream")
}

/// Recovery for a missing or wrong /Length: the data ends before the next `endstream`, minus the
/// end-of-line marker that precedes it.
fn find_endstream(data: &[u8], start: usize) -> Option<usize> {
    let rel = memchr::memmem::find(data.get(start..)?, b"endstream")?;
    let mut end = start + rel;
    if end > start && data[end - 1] == b'\n' {
        end -= 1;
    }
    if end > start && data[end - 1] == b'\r' {
        end -= 1;
    }
    Some(end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::object::Name;

    fn parse(s: &[u8]) -> Result<Object, PdfError> {
        parse_object(&mut Lexer::new(s, 0))
    }

    #[test]
    fn dictionaries_arrays_refs() {
        let o = parse(b"<< /A [1 2 0 R 3.5 (x)] /B << /C null >> /D 4 0 R >>").unwrap();
        let d = o.as_dict().unwrap();
        assert_eq!(
            d.get("A").unwrap().as_array().unwrap()[1],
            Object::Ref(ObjRef::new(2, 0))
        );
        assert_eq!(d.get("D"), Some(&Object::Ref(ObjRef::new(4, 0))));
        assert_eq!(d.0[1].0, Name::new("B"));
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = vec![b'['; 10_000];
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn stream_with_wrong_length_recovers() {
        let data = b"7 0 obj << /Length 99 >> stream\nabc\nendstream endobj";
        let (r, ind) = parse_indirect(data, 0, &|_| None).unwrap();
        assert_eq!(r, ObjRef::new(7, 0));
        let Indirect::Stream(s) = ind else { panic!() };
        assert_eq!(&data[s.data], b"abc");
    }
}
