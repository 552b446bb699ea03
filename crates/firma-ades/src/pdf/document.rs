//! A PDF opened for signing: header, cross-reference chain, and objects fetched on demand from
//! the borrowed input (ISO 32000-1 clause 7.5, file structure).

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use super::error::PdfError;
use super::object::{Dict, Indirect, ObjRef, Object, Stream};
use super::objstm::ObjectStream;
use super::parser::{parse_header, parse_indirect};
use super::scan;
use super::xref::{self, Xref, XrefEntry, XrefForm};

/// Offsets in a cross-reference table have ten digits (clause 7.5.4).
pub const MAX_INPUT_LEN: u64 = 9_999_999_999;
/// A reference that leads to another reference is followed this many times at most.
const MAX_HOPS: usize = 16;
/// Nested fetches (a stream /Length in an object stream...) stop here.
const MAX_FETCH_DEPTH: usize = 4;

/// Resource limits derived from the input's length, so that allocation stays proportional to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes a cross-reference or object stream may decode to.
    pub decoded_stream: usize,
}

impl Limits {
    pub fn for_input(len: usize) -> Self {
        Self {
            decoded_stream: len.saturating_mul(32).clamp(1 << 20, 1 << 30),
        }
    }
}

/// A parsed PDF, borrowing its bytes.
pub struct Document<'a> {
    data: &'a [u8],
    version: (u8, u8),
    xref: Xref,
    limits: Limits,
    object_streams: RefCell<HashMap<u32, Rc<ObjectStream>>>,
    headers: OnceCell<HashMap<u32, (ObjRef, usize)>>,
}

impl std::fmt::Debug for Document<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document")
            .field("len", &self.data.len())
            .field("version", &self.version)
            .field("xref_form", &self.xref.form)
            .field("startxref", &self.xref.startxref)
            .finish_non_exhaustive()
    }
}

impl<'a> Document<'a> {
    /// Opens `data`: checks the header (clause 7.5.2), loads the cross-reference chain and
    /// refuses encrypted files (clause 7.6).
    pub fn parse(data: &'a [u8]) -> Result<Self, PdfError> {
        if data.len() as u64 > MAX_INPUT_LEN {
            return Err(PdfError::TooLarge {
                len: data.len() as u64,
                max: MAX_INPUT_LEN,
            });
        }
        let version = header(data)?;
        let limits = Limits::for_input(data.len());
        let xref = xref::load(data, limits.decoded_stream)?;
        let doc = Self {
            data,
            version,
            xref,
            limits,
            object_streams: RefCell::new(HashMap::new()),
            headers: OnceCell::new(),
        };
        if let Some(encrypt) = doc.xref.encrypt.clone() {
            let filter = doc
                .resolve(&encrypt)
                .ok()
                .and_then(|e| {
                    e.as_dict()
                        .and_then(|d| d.get_name("Filter"))
                        .map(<[u8]>::to_vec)
                })
                .map(|f| format!("/{}", String::from_utf8_lossy(&f)))
                .unwrap_or_else(|| "unknown".into());
            return Err(PdfError::Encrypted { filter });
        }
        Ok(doc)
    }

    /// The whole input.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The version in the file header (`%PDF-1.7` gives `(1, 7)`).
    pub fn header_version(&self) -> (u8, u8) {
        self.version
    }

    /// The newest trailer (clause 7.5.5), completed from older ones.
    pub fn trailer(&self) -> &Dict {
        &self.xref.trailer
    }

    /// The form of the last cross-reference section.
    pub fn xref_form(&self) -> XrefForm {
        self.xref.form
    }

    /// The byte offset of the last cross-reference section (the update's /Prev).
    pub fn startxref(&self) -> usize {
        self.xref.startxref
    }

    /// The first object number free for new objects (the trailer's /Size, or more).
    pub fn next_object_number(&self) -> u32 {
        self.xref.size.max(1)
    }

    /// Where the cross-reference chain says object `num` is.
    pub fn xref_entry(&self, num: u32) -> Option<XrefEntry> {
        self.xref.entries.get(&num).copied()
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The object `r`, null when free or missing (clause 7.3.10). Streams are refused here:
    /// use [`Document::get_stream`].
    pub fn get(&self, r: ObjRef) -> Result<Object, PdfError> {
        match self.fetch(r, 0)? {
            None => Ok(Object::Null),
            Some(Indirect::Object(o)) => Ok(o),
            Some(Indirect::Stream(_)) => Err(PdfError::damaged(format!(
                "object {} {} is a stream where a direct object was expected",
                r.num, r.generation
            ))),
        }
    }

    /// The stream `r`, with its raw data's position in [`Document::data`].
    pub fn get_stream(&self, r: ObjRef) -> Result<Option<Stream>, PdfError> {
        Ok(match self.fetch(r, 0)? {
            Some(Indirect::Stream(s)) => Some(s),
            _ => None,
        })
    }

    /// `obj` with references followed.
    pub fn resolve(&self, obj: &Object) -> Result<Object, PdfError> {
        let mut current = obj.clone();
        for _ in 0..MAX_HOPS {
            match current {
                Object::Ref(r) => current = self.get(r)?,
                other => return Ok(other),
            }
        }
        Err(PdfError::damaged("a chain of references that does not end"))
    }

    /// The value of `key` in `dict`, references followed; null when absent.
    pub fn get_in(&self, dict: &Dict, key: &str) -> Result<Object, PdfError> {
        match dict.get(key) {
            Some(v) => self.resolve(v),
            None => Ok(Object::Null),
        }
    }

    /// Like [`Document::get_in`] for a dictionary value: `None` when absent or not a dictionary.
    pub fn get_dict_in(&self, dict: &Dict, key: &str) -> Result<Option<Dict>, PdfError> {
        Ok(match self.get_in(dict, key)? {
            Object::Dict(d) => Some(d),
            _ => None,
        })
    }

    fn fetch(&self, r: ObjRef, depth: usize) -> Result<Option<Indirect>, PdfError> {
        if depth > MAX_FETCH_DEPTH {
            return Err(PdfError::damaged(
                "objects that refer to each other in a loop",
            ));
        }
        match self.xref.entries.get(&r.num) {
            None | Some(XrefEntry::Free) => Ok(None),
            Some(&XrefEntry::InFile { offset, .. }) => {
                self.fetch_in_file(r.num, offset, depth).map(Some)
            }
            Some(&XrefEntry::InStream { stream, index }) => {
                let objstm = self.object_stream(stream, depth)?;
                objstm.get(r.num, index).map(|o| Some(Indirect::Object(o)))
            }
        }
    }

    /// An uncompressed object; if its offset does not hold its header, the last header
    /// `num G obj` in the file is used instead (repair by scanning).
    fn fetch_in_file(&self, num: u32, offset: usize, depth: usize) -> Result<Indirect, PdfError> {
        let offset = match parse_header(self.data, offset) {
            Some((found, _)) if found.num == num => offset,
            _ => self
                .headers
                .get_or_init(|| scan::all_headers(self.data))
                .get(&num)
                .map(|&(_, at)| at)
                .ok_or_else(|| {
                    PdfError::damaged(format!(
                        "object {num} is neither at its cross-reference offset {offset} nor anywhere else in the file"
                    ))
                })?,
        };
        let length = |r: ObjRef| match self.fetch(r, depth + 1) {
            Ok(Some(Indirect::Object(Object::Int(n)))) => Some(n),
            _ => None,
        };
        parse_indirect(self.data, offset, &length).map(|(_, o)| o)
    }

    fn object_stream(&self, num: u32, depth: usize) -> Result<Rc<ObjectStream>, PdfError> {
        if let Some(s) = self.object_streams.borrow().get(&num) {
            return Ok(Rc::clone(s));
        }
        let Some(&XrefEntry::InFile { offset, .. }) = self.xref.entries.get(&num) else {
            return Err(PdfError::damaged(format!(
                "object stream {num} is not an uncompressed object"
            )));
        };
        let Indirect::Stream(stream) = self.fetch_in_file(num, offset, depth + 1)? else {
            return Err(PdfError::damaged(format!(
                "object stream {num} is not a stream"
            )));
        };
        let raw = &self.data[stream.data.clone()];
        let decoded = Rc::new(ObjectStream::decode(
            &stream,
            raw,
            self.limits.decoded_stream,
        )?);
        self.object_streams
            .borrow_mut()
            .insert(num, Rc::clone(&decoded));
        Ok(decoded)
    }

    /// Uncompressed objects whose cross-reference offset does not hold their header, with the
    /// offset where scanning found it (the last `N G obj` of that number). An update lists them
    /// again at their true offsets, so that readers of the signed file need no repair
    /// (ISO 32000-1 clause 7.5.6 lets an update's section list any object).
    pub fn misplaced_objects(&self) -> Vec<(ObjRef, usize)> {
        let mut found = Vec::new();
        for (&num, entry) in &self.xref.entries {
            let XrefEntry::InFile { offset, .. } = *entry else {
                continue;
            };
            if parse_header(self.data, offset).is_some_and(|(r, _)| r.num == num) {
                continue;
            }
            let headers = self.headers.get_or_init(|| scan::all_headers(self.data));
            if let Some(&(r, at)) = headers.get(&num) {
                found.push((r, at));
            }
        }
        found.sort_unstable();
        found
    }

    /// The document catalog (clause 7.7.2), from the trailer's /Root.
    pub fn catalog(&self) -> Result<(ObjRef, Dict), PdfError> {
        let root = self
            .trailer()
            .get("Root")
            .and_then(Object::as_ref)
            .ok_or_else(|| PdfError::damaged("the trailer has no /Root reference to a catalog"))?;
        match self.get(root)? {
            Object::Dict(d) if d.get_name("Type").is_none_or(|t| t == b"Catalog") => Ok((root, d)),
            _ => Err(PdfError::damaged(format!(
                "/Root {} {} R is not a catalog dictionary",
                root.num, root.generation
            ))),
        }
    }
}

/// The header `%PDF-M.m` (clause 7.5.2), which must start the file. Readers accept it within the
/// first 1024 bytes, but then the offsets of the file are shifted; such a file is refused rather
/// than guessed at.
fn header(data: &[u8]) -> Result<(u8, u8), PdfError> {
    let head = &data[..data.len().min(1024)];
    let at = memchr::memmem::find(head, b"%PDF-")
        .ok_or_else(|| PdfError::NotPdf("the file does not start with a %PDF- header".into()))?;
    if at != 0 {
        return Err(PdfError::damaged(format!(
            "{at} bytes of something else precede the %PDF- header"
        )));
    }
    let v = &data[5..data.len().min(8)];
    match v {
        [major @ b'1'..=b'9', b'.', minor @ b'0'..=b'9'] => Ok((major - b'0', minor - b'0')),
        _ => Err(PdfError::NotPdf(
            "the %PDF- header has no version M.m".into(),
        )),
    }
}
