//! Lexical conventions (ISO 32000-1 clause 7.2): white-space, delimiters, comments and tokens.

use super::object::{Name, PdfString};

/// White-space characters (clause 7.2.2, Table 1).
pub(crate) fn is_whitespace(b: u8) -> bool {
    matches!(b, 0 | 9 | 10 | 12 | 13 | 32)
}

/// Delimiter characters (clause 7.2.2, Table 2).
pub(crate) fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

pub(crate) fn is_regular(b: u8) -> bool {
    !is_whitespace(b) && !is_delimiter(b)
}

/// One token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token<'a> {
    Int(i64),
    Real(f64),
    Name(Name),
    String(PdfString),
    ArrayStart,
    ArrayEnd,
    DictStart,
    DictEnd,
    /// A run of regular characters that is not a number: `true`, `obj`, `R`, `stream`...
    Keyword(&'a [u8]),
}

/// A cursor over the input that produces tokens.
#[derive(Debug, Clone)]
pub(crate) struct Lexer<'a> {
    data: &'a [u8],
    pub pos: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(data: &'a [u8], pos: usize) -> Self {
        Self { data, pos }
    }

    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    pub fn peek_byte(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    /// Skips white-space and comments (clause 7.2.3).
    pub fn skip_ws(&mut self) {
        while let Some(&b) = self.data.get(self.pos) {
            if is_whitespace(b) {
                self.pos += 1;
            } else if b == b'%' {
                while let Some(&c) = self.data.get(self.pos) {
                    if c == b'\r' || c == b'\n' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// The next token, or `None` at the end of the input or on a byte that starts no token.
    pub fn next_token(&mut self) -> Option<Token<'a>> {
        self.skip_ws();
        let b = *self.data.get(self.pos)?;
        match b {
            b'[' => {
                self.pos += 1;
                Some(Token::ArrayStart)
            }
            b']' => {
                self.pos += 1;
                Some(Token::ArrayEnd)
            }
            b'<' if self.data.get(self.pos + 1) == Some(&b'<') => {
                self.pos += 2;
                Some(Token::DictStart)
            }
            b'>' if self.data.get(self.pos + 1) == Some(&b'>') => {
                self.pos += 2;
                Some(Token::DictEnd)
            }
            b'<' => self.hex_string().map(Token::String),
            b'(' => self.literal_string().map(Token::String),
            b'/' => Some(Token::Name(self.name())),
            b')' | b'>' | b'{' | b'}' => {
                self.pos += 1;
                Some(Token::Keyword(&self.data[self.pos - 1..self.pos]))
            }
            _ => {
                let start = self.pos;
                while self.data.get(self.pos).is_some_and(|&c| is_regular(c)) {
                    self.pos += 1;
                }
                let word = &self.data[start..self.pos];
                Some(number(word).unwrap_or(Token::Keyword(word)))
            }
        }
    }

    /// Reads an unsigned decimal integer at the cursor (after white-space), as used in
    /// cross-reference tables and object headers.
    pub fn unsigned(&mut self) -> Option<u64> {
        self.skip_ws();
        let start = self.pos;
        let mut value: u64 = 0;
        while let Some(&b) = self.data.get(self.pos) {
            if !b.is_ascii_digit() {
                break;
            }
            value = value.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
            self.pos += 1;
        }
        (self.pos > start).then_some(value)
    }

    /// Consumes `word` if it is the next token.
    pub fn keyword(&mut self, word: &[u8]) -> bool {
        self.skip_ws();
        let end = self.pos + word.len();
        if self.data.get(self.pos..end) == Some(word)
            && self.data.get(end).is_none_or(|&c| !is_regular(c))
        {
            self.pos = end;
            true
        } else {
            false
        }
    }

    /// A name after its slash (clause 7.3.5): `#xx` escapes decoded.
    fn name(&mut self) -> Name {
        self.pos += 1;
        let mut out = Vec::new();
        while let Some(&b) = self.data.get(self.pos) {
            if !is_regular(b) {
                break;
            }
            if b == b'#' {
                let hex = self.data.get(self.pos + 1..self.pos + 3);
                if let Some(v) = hex.and_then(|h| Some(hex_val(h[0])? << 4 | hex_val(h[1])?)) {
                    out.push(v);
                    self.pos += 3;
                    continue;
                }
            }
            out.push(b);
            self.pos += 1;
        }
        Name(out)
    }

    /// A hexadecimal string (clause 7.3.4.3); an odd final digit is followed by an implied 0.
    fn hex_string(&mut self) -> Option<PdfString> {
        self.pos += 1;
        let mut out = Vec::new();
        let mut high: Option<u8> = None;
        loop {
            let b = *self.data.get(self.pos)?;
            self.pos += 1;
            if b == b'>' {
                break;
            }
            if is_whitespace(b) {
                continue;
            }
            let v = hex_val(b)?;
            match high.take() {
                Some(h) => out.push(h << 4 | v),
                None => high = Some(v),
            }
        }
        if let Some(h) = high {
            out.push(h << 4);
        }
        Some(PdfString::hex(out))
    }

    /// A literal string (clause 7.3.4.2): balanced parentheses, escapes, end-of-line markers
    /// normalised to a line feed.
    fn literal_string(&mut self) -> Option<PdfString> {
        self.pos += 1;
        let mut out = Vec::new();
        let mut depth = 1usize;
        loop {
            let b = *self.data.get(self.pos)?;
            self.pos += 1;
            match b {
                b'(' => {
                    depth += 1;
                    out.push(b);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    out.push(b);
                }
                b'\r' => {
                    if self.data.get(self.pos) == Some(&b'\n') {
                        self.pos += 1;
                    }
                    out.push(b'\n');
                }
                b'\\' => self.escape(&mut out)?,
                _ => out.push(b),
            }
        }
        Some(PdfString::literal(out))
    }

    fn escape(&mut self, out: &mut Vec<u8>) -> Option<()> {
        let e = *self.data.get(self.pos)?;
        self.pos += 1;
        match e {
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'\r' => {
                if self.data.get(self.pos) == Some(&b'\n') {
                    self.pos += 1;
                }
            }
            b'\n' => {}
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                for _ in 0..2 {
                    match self.data.get(self.pos) {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            self.pos += 1;
                        }
                        _ => break,
                    }
                }
                // High-order overflow is ignored (clause 7.3.4.2).
                out.push((v & 0xff) as u8);
            }
            other => out.push(other),
        }
        Some(())
    }
}

pub(crate) fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// A numeric token (clause 7.3.3): `123`, `+17`, `-.002`, `4.`; integers too large for `i64`
/// become reals.
fn number(word: &[u8]) -> Option<Token<'static>> {
    let (sign, digits) = match word.first()? {
        b'+' => (1.0, &word[1..]),
        b'-' => (-1.0, &word[1..]),
        _ => (1.0, word),
    };
    if digits.is_empty() {
        return None;
    }
    let mut dots = 0;
    for &c in digits {
        match c {
            b'0'..=b'9' => {}
            b'.' => dots += 1,
            _ => return None,
        }
    }
    if dots > 1 || digits == b"." {
        return None;
    }
    let text = std::str::from_utf8(digits).ok()?;
    if dots == 0
        && let Ok(v) = text.parse::<i64>()
    {
        return Some(Token::Int(if sign < 0.0 { -v } else { v }));
    }
    let v: f64 = text
        .parse()
        .ok()
        .or_else(|| format!("0{text}").parse().ok())?;
    Some(Token::Real(sign * v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(s: &[u8]) -> Vec<Token<'_>> {
        let mut lx = Lexer::new(s, 0);
        std::iter::from_fn(|| lx.next_token()).collect()
    }

    #[test]
    fn numbers_names_strings() {
        let t = tokens(b"123 -.5 +17 4. /A#20B (a\\(b\\)\\101\r\nc) <41 4> % comment\n true");
        assert_eq!(t[0], Token::Int(123));
        assert_eq!(t[1], Token::Real(-0.5));
        assert_eq!(t[2], Token::Int(17));
        assert_eq!(t[3], Token::Real(4.0));
        assert_eq!(t[4], Token::Name(Name(b"A B".to_vec())));
        assert_eq!(
            t[5],
            Token::String(PdfString::literal(b"a(b)A\nc".to_vec()))
        );
        assert_eq!(t[6], Token::String(PdfString::hex(b"A@".to_vec())));
        assert_eq!(t[7], Token::Keyword(b"true"));
        assert_eq!(t.len(), 8);
    }

    #[test]
    fn unterminated_string_is_none() {
        assert_eq!(tokens(b"(abc"), vec![]);
        assert_eq!(tokens(b"<41"), vec![]);
    }
}
