//! Minimal DER writing for assembling `SignedData` from parts that are already encoded
//! (X.690 section 8.1 and 10): used so that embedded content is copied once and existing
//! SignerInfos of a co-signed file are kept byte for byte.

use std::cmp::Ordering;

/// Length of the identifier and length octets of an element with `len` content octets
/// (one-byte tag, definite length, X.690 section 10.1).
pub(crate) fn header_len(len: usize) -> usize {
    1 + match len {
        0..=0x7f => 1,
        0x80..=0xff => 2,
        0x100..=0xffff => 3,
        0x1_0000..=0xff_ffff => 4,
        _ => 5,
    }
}

/// Total length of an element with `len` content octets.
pub(crate) fn tlv_len(len: usize) -> usize {
    header_len(len) + len
}

/// Writes the identifier and length octets.
pub(crate) fn write_header(out: &mut Vec<u8>, tag: u8, len: usize) {
    out.push(tag);
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u64).to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (8 - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// An element with the given content.
pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(tlv_len(content.len()));
    write_header(&mut out, tag, content.len());
    out.extend_from_slice(content);
    out
}

/// X.690 section 11.6: the encodings of a SET OF are ordered as octet strings, the shorter
/// padded at its end with zero octets.
fn der_set_order(a: &[u8], b: &[u8]) -> Ordering {
    let n = a.len().min(b.len());
    match a[..n].cmp(&b[..n]) {
        Ordering::Equal => {
            let (rest, sign) = if a.len() > n {
                (&a[n..], Ordering::Greater)
            } else {
                (&b[n..], Ordering::Less)
            };
            if rest.iter().all(|x| *x == 0) {
                Ordering::Equal
            } else {
                sign
            }
        }
        other => other,
    }
}

/// The content octets of a DER `SET OF` holding `elements` (each a complete encoding): sorted
/// per X.690 section 11.6, exact duplicates dropped.
pub(crate) fn set_of_content<T: AsRef<[u8]>>(elements: &mut Vec<T>) -> Vec<u8> {
    elements.sort_by(|a, b| der_set_order(a.as_ref(), b.as_ref()));
    elements.dedup_by(|a, b| a.as_ref() == b.as_ref());
    let mut out = Vec::with_capacity(elements.iter().map(|e| e.as_ref().len()).sum());
    for e in elements.iter() {
        out.extend_from_slice(e.as_ref());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Encode;
    use der::asn1::OctetString;

    #[test]
    fn headers_match_the_der_crate() {
        for len in [0usize, 1, 127, 128, 255, 256, 65_535, 65_536, 16_777_216] {
            let os = OctetString::new(vec![7u8; len]).unwrap();
            let theirs = os.to_der().unwrap();
            assert_eq!(tlv(0x04, &vec![7u8; len]), theirs, "length {len}");
            assert_eq!(tlv_len(len), theirs.len());
        }
    }

    #[test]
    fn set_order_pads_with_zeros() {
        assert_eq!(der_set_order(&[1, 5], &[1, 5, 0]), Ordering::Equal);
        assert_eq!(der_set_order(&[1, 5], &[1, 5, 1]), Ordering::Less);
        assert_eq!(der_set_order(&[1, 6], &[1, 5, 1]), Ordering::Greater);
        let mut v = vec![vec![2u8, 1], vec![1u8, 5, 0], vec![2u8, 1]];
        let content = set_of_content(&mut v);
        assert_eq!(v, vec![vec![1u8, 5, 0], vec![2u8, 1]]);
        assert_eq!(content, vec![1, 5, 0, 2, 1]);
    }
}
