//! Phase two of a PAdES signature: hashing the byte range (ISO 32000-1 clause 12.8.1: the
//! signature covers the whole file except the /Contents string) and writing the CMS into the
//! placeholder.

use std::io::Write as _;
use std::ops::Range;

use firma_core::HashAlgorithm;

use super::error::PadesError;
use super::widget::{BYTE_RANGE_WIDTH, Placeholders};

/// An incremental update ready for its CMS signature.
///
/// The signed bytes are the original document followed by the update, less the /Contents
/// hexadecimal string: [`PreparedSignature::signed_parts`] gives them as three slices.
#[derive(Clone)]
pub struct PreparedSignature {
    original_len: usize,
    update: Vec<u8>,
    /// The hexadecimal digits of /Contents, as a range of `update` (delimiters excluded).
    contents: Range<usize>,
    byte_range: [u64; 4],
}

impl std::fmt::Debug for PreparedSignature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedSignature")
            .field("original_len", &self.original_len)
            .field("update_len", &self.update.len())
            .field("byte_range", &self.byte_range)
            .finish()
    }
}

impl PreparedSignature {
    pub(crate) fn new(original_len: usize, mut update: Vec<u8>, p: &Placeholders) -> Self {
        let base = original_len as u64;
        let total = base + update.len() as u64;
        let open = base + p.contents_open as u64;
        let close = base + p.contents_close as u64;
        let byte_range = [0, open, close, total - close];
        let mut text = Vec::with_capacity(BYTE_RANGE_WIDTH);
        let _ = write!(
            text,
            "[{} {} {} {}]",
            byte_range[0], byte_range[1], byte_range[2], byte_range[3]
        );
        // Ten-digit offsets (the input limit) always fit the reserved width.
        text.resize(BYTE_RANGE_WIDTH, b' ');
        update[p.byte_range..p.byte_range + BYTE_RANGE_WIDTH].copy_from_slice(&text);
        Self {
            original_len,
            update,
            contents: p.contents_open + 1..p.contents_close - 1,
            byte_range,
        }
    }

    /// /ByteRange: `[0, a, b, c]`, the signed bytes are `0..a` and `b..b+c` of the signed file.
    pub fn byte_range(&self) -> [u64; 4] {
        self.byte_range
    }

    /// The bytes appended to the original document (with the /Contents placeholder until
    /// [`PreparedSignature::finish`]).
    pub fn update(&self) -> &[u8] {
        &self.update
    }

    /// The largest DER CMS signature /Contents can hold.
    pub fn contents_capacity(&self) -> usize {
        self.contents.len() / 2
    }

    /// The signed bytes in order: the original document, the update up to /Contents, the update
    /// after it. Hash them one after the other.
    pub fn signed_parts<'a>(&'a self, pdf: &'a [u8]) -> Result<[&'a [u8]; 3], PadesError> {
        self.check(pdf)?;
        Ok([
            pdf,
            &self.update[..self.contents.start - 1],
            &self.update[self.contents.end + 1..],
        ])
    }

    /// The hash of the signed bytes, computed over the borrowed document without copying it:
    /// the CMS message-digest (ETSI EN 319 142-1 clause 6.3).
    pub fn digest(&self, pdf: &[u8], algorithm: HashAlgorithm) -> Result<Vec<u8>, PadesError> {
        let parts = self.signed_parts(pdf)?;
        Ok(match algorithm {
            HashAlgorithm::Sha256 => hash::<sha2::Sha256>(&parts),
            HashAlgorithm::Sha384 => hash::<sha2::Sha384>(&parts),
            HashAlgorithm::Sha512 => hash::<sha2::Sha512>(&parts),
        })
    }

    /// Writes the DER CMS `cms` into /Contents (hexadecimal, padded with zeros) and returns the
    /// update, to be appended to the original document.
    pub fn finish(mut self, cms: &[u8]) -> Result<Vec<u8>, PadesError> {
        let available = self.contents_capacity();
        if cms.len() > available {
            return Err(PadesError::ContentsTooSmall {
                needed: cms.len(),
                available,
            });
        }
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let digits = &mut self.update[self.contents.clone()];
        for (pair, byte) in digits.chunks_exact_mut(2).zip(cms) {
            pair[0] = HEX[usize::from(byte >> 4)];
            pair[1] = HEX[usize::from(byte & 0x0f)];
        }
        Ok(self.update)
    }

    /// [`PreparedSignature::finish`], returning the whole signed document.
    pub fn into_signed_pdf(self, pdf: &[u8], cms: &[u8]) -> Result<Vec<u8>, PadesError> {
        self.check(pdf)?;
        let update_len = self.update.len();
        let update = self.finish(cms)?;
        let mut out = Vec::with_capacity(pdf.len() + update_len);
        out.extend_from_slice(pdf);
        out.extend_from_slice(&update);
        Ok(out)
    }

    fn check(&self, pdf: &[u8]) -> Result<(), PadesError> {
        if pdf.len() != self.original_len {
            return Err(PadesError::WrongDocument {
                expected: self.original_len,
                actual: pdf.len(),
            });
        }
        Ok(())
    }
}

fn hash<D: sha2::Digest>(parts: &[&[u8]]) -> Vec<u8> {
    let mut h = D::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().to_vec()
}
