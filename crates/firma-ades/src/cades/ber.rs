//! A bounded reader of BER/DER elements (X.690 section 8.1) for `.p7m` files made by other
//! tools, which may use indefinite lengths (X.690 section 8.1.3.6) and constructed OCTET
//! STRINGs (section 8.7.3). Elements are returned as slices of the input, so existing
//! signatures can be copied byte for byte.

use super::CadesError;

/// Deepest nesting followed while looking for the end of indefinite-length elements.
pub(crate) const MAX_DEPTH: usize = 32;

/// One element.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    /// The identifier octet (tag numbers up to 30 only: CMS needs no more).
    pub tag: u8,
    /// The whole encoding: identifier, length, content and, if indefinite, end-of-contents.
    pub raw: &'a [u8],
    /// The content octets (without end-of-contents).
    pub content: &'a [u8],
    /// Offset of the content in the original input.
    pub content_offset: usize,
}

/// Reads the elements of `data`, which starts at `offset` in the original input.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    offset: usize,
    depth: usize,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self {
            data,
            pos: 0,
            offset: 0,
            depth: 0,
        }
    }

    /// A reader over the content of `tlv`, one level deeper.
    pub fn inside(&self, tlv: &Tlv<'a>) -> Result<Self, CadesError> {
        if self.depth + 1 > MAX_DEPTH {
            return Err(CadesError::TooDeep(MAX_DEPTH));
        }
        Ok(Self {
            data: tlv.content,
            pos: 0,
            offset: tlv.content_offset,
            depth: self.depth + 1,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    pub fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    pub fn position(&self) -> usize {
        self.offset + self.pos
    }

    /// The next element's tag, if any.
    pub fn peek_tag(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    fn malformed(&self, at: usize, reason: &'static str) -> CadesError {
        CadesError::Malformed {
            offset: self.offset + at,
            reason,
        }
    }

    /// Reads the next element.
    pub fn read(&mut self) -> Result<Tlv<'a>, CadesError> {
        let start = self.pos;
        let truncated = CadesError::Truncated {
            offset: self.offset + start,
        };
        let tag = *self.data.get(start).ok_or(truncated)?;
        if tag & 0x1f == 0x1f {
            return Err(self.malformed(start, "high tag numbers are not used by CMS"));
        }
        let first = *self.data.get(start + 1).ok_or(CadesError::Truncated {
            offset: self.offset + start,
        })?;
        let mut pos = start + 2;
        let length = if first < 0x80 {
            Some(usize::from(first))
        } else if first == 0x80 {
            None
        } else {
            let n = usize::from(first & 0x7f);
            if n > 4 {
                return Err(self.malformed(start + 1, "length of more than four octets"));
            }
            let bytes = self.data.get(pos..pos + n).ok_or(CadesError::Truncated {
                offset: self.offset + start,
            })?;
            pos += n;
            Some(
                bytes
                    .iter()
                    .fold(0usize, |acc, b| (acc << 8) | usize::from(*b)),
            )
        };
        match length {
            Some(len) => {
                let end = pos
                    .checked_add(len)
                    .filter(|e| *e <= self.data.len())
                    .ok_or(CadesError::Truncated {
                        offset: self.offset + start,
                    })?;
                self.pos = end;
                Ok(Tlv {
                    tag,
                    raw: &self.data[start..end],
                    content: &self.data[pos..end],
                    content_offset: self.offset + pos,
                })
            }
            None => {
                if tag & 0x20 == 0 {
                    return Err(self.malformed(start, "a primitive element with indefinite length"));
                }
                if self.depth + 1 > MAX_DEPTH {
                    return Err(CadesError::TooDeep(MAX_DEPTH));
                }
                // Find the end-of-contents octets that close this element (X.690 8.1.5).
                let mut inner = Reader {
                    data: self.data,
                    pos,
                    offset: self.offset,
                    depth: self.depth + 1,
                };
                loop {
                    match inner.data.get(inner.pos..inner.pos + 2) {
                        Some([0, 0]) => break,
                        Some(_) => {
                            inner.read()?;
                        }
                        None => {
                            return Err(CadesError::Truncated {
                                offset: self.offset + start,
                            });
                        }
                    }
                }
                let content_end = inner.pos;
                self.pos = content_end + 2;
                Ok(Tlv {
                    tag,
                    raw: &self.data[start..self.pos],
                    content: &self.data[pos..content_end],
                    content_offset: self.offset + pos,
                })
            }
        }
    }

    /// Reads the next element and checks its tag.
    pub fn expect(&mut self, tag: u8, expected: &'static str) -> Result<Tlv<'a>, CadesError> {
        let at = self.position();
        if self.peek_tag() != Some(tag) {
            return Err(CadesError::Structure {
                expected,
                offset: at,
            });
        }
        self.read()
    }

    /// Every remaining element.
    pub fn all(&mut self) -> Result<Vec<Tlv<'a>>, CadesError> {
        let mut v = Vec::new();
        while !self.is_empty() {
            v.push(self.read()?);
        }
        Ok(v)
    }
}

/// The value of an OCTET STRING, primitive or constructed from segments (X.690 section 8.7).
pub(crate) fn octet_string_value(
    reader: &Reader<'_>,
    tlv: &Tlv<'_>,
    out: &mut Vec<u8>,
) -> Result<(), CadesError> {
    match tlv.tag {
        0x04 => {
            out.extend_from_slice(tlv.content);
            Ok(())
        }
        0x24 => {
            let mut inner = reader.inside(tlv)?;
            while !inner.is_empty() {
                let seg = inner.read()?;
                octet_string_value(&inner, &seg, out)?;
            }
            Ok(())
        }
        _ => Err(CadesError::Structure {
            expected: "an OCTET STRING",
            offset: tlv.content_offset,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_definite_and_indefinite_lengths() {
        // SEQUENCE (indefinite) { OCTET STRING (constructed, indefinite) { "ab", "c" } }
        let ber = [
            0x30, 0x80, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0, 0, 0, 0,
        ];
        let mut r = Reader::new(&ber);
        let seq = r.read().unwrap();
        assert!(r.is_empty());
        assert_eq!(seq.raw.len(), ber.len());
        let mut inner = r.inside(&seq).unwrap();
        let os = inner.read().unwrap();
        let mut v = Vec::new();
        octet_string_value(&inner, &os, &mut v).unwrap();
        assert_eq!(v, b"abc");
    }

    #[test]
    fn refuses_bad_encodings() {
        let cases: [(&[u8], &str); 5] = [
            (&[0x30, 0x05, 0x01], "truncated"),
            (&[0x04, 0x80, 0, 0], "primitive indefinite"),
            (&[0x30, 0x85, 1, 1, 1, 1, 1], "long length"),
            (&[0x30, 0x80, 0x04, 0x00], "no end-of-contents"),
            (&[0x1f, 0x01, 0x00], "high tag"),
        ];
        for (bytes, what) in cases {
            assert!(Reader::new(bytes).read().is_err(), "{what}");
        }
        let deep: Vec<u8> = std::iter::repeat_n([0x30u8, 0x80], 40).flatten().collect();
        assert!(matches!(
            Reader::new(&deep).read(),
            Err(CadesError::TooDeep(_))
        ));
    }
}
