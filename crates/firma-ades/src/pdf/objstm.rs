//! Object streams (ISO 32000-1 clause 7.5.7): a header of /N pairs `number offset` followed,
//! from /First on, by the objects themselves.

use super::error::PdfError;
use super::filter;
use super::lexer::Lexer;
use super::object::{Object, Stream};
use super::parser::parse_object;

/// A decoded object stream.
#[derive(Debug)]
pub(crate) struct ObjectStream {
    data: Vec<u8>,
    /// Object number and absolute offset in `data` of each member.
    members: Vec<(u32, usize)>,
}

impl ObjectStream {
    pub fn decode(stream: &Stream, raw: &[u8], limit: usize) -> Result<Self, PdfError> {
        let dict = &stream.dict;
        if dict.get_name("Type") != Some(b"ObjStm") {
            return Err(PdfError::damaged(
                "an object refers to a stream that is not /Type /ObjStm",
            ));
        }
        let data = filter::decode(dict, raw, limit)?;
        let n = dict.get_int("N").unwrap_or(0);
        let first = dict
            .get_int("First")
            .and_then(|f| usize::try_from(f).ok())
            .filter(|&f| f <= data.len())
            .ok_or_else(|| PdfError::damaged("object stream with an invalid /First"))?;
        // Each pair takes at least four bytes, which bounds /N by the header's length.
        let n = usize::try_from(n).unwrap_or(0).min(first / 4 + 1);
        let mut lx = Lexer::new(&data[..first], 0);
        let mut members = Vec::with_capacity(n);
        for _ in 0..n {
            let (Some(num), Some(off)) = (lx.unsigned(), lx.unsigned()) else {
                break;
            };
            let (Ok(num), Some(off)) = (
                u32::try_from(num),
                usize::try_from(off).ok().and_then(|o| o.checked_add(first)),
            ) else {
                break;
            };
            members.push((num, off));
        }
        Ok(Self { data, members })
    }

    /// The object `num`, expected at `index` (the cross-reference entry's second field); looked
    /// up by number if the index is wrong.
    pub fn get(&self, num: u32, index: u32) -> Result<Object, PdfError> {
        let at = match self.members.get(index as usize) {
            Some(&(n, off)) if n == num => off,
            _ => self
                .members
                .iter()
                .find(|(n, _)| *n == num)
                .map(|&(_, off)| off)
                .ok_or_else(|| {
                    PdfError::damaged(format!("object {num} is missing from its object stream"))
                })?,
        };
        if at >= self.data.len() {
            return Err(PdfError::damaged(format!(
                "object {num} lies outside its object stream"
            )));
        }
        parse_object(&mut Lexer::new(&self.data, at))
    }
}
