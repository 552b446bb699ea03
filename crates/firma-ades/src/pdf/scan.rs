//! Recovery by scanning for object headers `N G obj`, as validators do when a cross-reference
//! offset is wrong (ISO 32000-1 clause 7.5.4 gives offsets; readers commonly repair them).

use std::collections::HashMap;
use std::ops::Range;

use super::lexer::{is_regular, is_whitespace};
use super::object::ObjRef;
use super::parser::parse_header;

/// The headers `N G obj` whose `obj` keyword lies in `range`, in file order, with the offset of
/// their first digit.
pub(crate) fn headers_in(data: &[u8], range: Range<usize>) -> Vec<(ObjRef, usize)> {
    let Some(window) = data.get(range.clone()) else {
        return Vec::new();
    };
    memchr::memmem::find_iter(window, b"obj")
        .filter_map(|p| header_before(data, range.start + p))
        .collect()
}

/// Every object header of the file; a number defined twice keeps its last definition (the
/// newest, in a file with incremental updates).
pub(crate) fn all_headers(data: &[u8]) -> HashMap<u32, (ObjRef, usize)> {
    let mut map = HashMap::new();
    for (r, at) in headers_in(data, 0..data.len()) {
        map.insert(r.num, (r, at));
    }
    map
}

/// Given the offset of an `obj` keyword, walks back over `G`, white-space and `N`.
fn header_before(data: &[u8], obj_at: usize) -> Option<(ObjRef, usize)> {
    if data.get(obj_at + 3).is_some_and(|&c| is_regular(c)) {
        return None; // `objects`, `objstm`...
    }
    let mut i = obj_at;
    let back_ws = |i: &mut usize| {
        let end = *i;
        while *i > 0 && is_whitespace(data[*i - 1]) {
            *i -= 1;
        }
        *i < end
    };
    let back_digits = |i: &mut usize| {
        let end = *i;
        while *i > 0 && data[*i - 1].is_ascii_digit() && end - *i < 10 {
            *i -= 1;
        }
        *i < end
    };
    if !(back_ws(&mut i) && back_digits(&mut i) && back_ws(&mut i) && back_digits(&mut i)) {
        return None;
    }
    if i > 0 && is_regular(data[i - 1]) {
        return None;
    }
    let (r, _) = parse_header(data, i)?;
    Some((r, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_headers_not_endobj() {
        let data = b"%PDF-1.4\n1 0 obj <<>> endobj\n 12 3 obj\n(x)\nendobj";
        let h = headers_in(data, 0..data.len());
        assert_eq!(h, vec![(ObjRef::new(1, 0), 9), (ObjRef::new(12, 3), 30)]);
    }
}
