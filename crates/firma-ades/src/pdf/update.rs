//! Incremental updates (ISO 32000-1 clause 7.5.6): new and rewritten objects appended after the
//! original bytes, followed by a cross-reference section of the same form as the file's last one
//! (a table, clause 7.5.4, or a stream, clause 7.5.8) whose /Prev points to it.

use std::io::Write as _;

use super::object::{Dict, ObjRef, Object, PdfString};
use super::serialize::{write_dict, write_object};
use super::xref::XrefForm;

/// Trailer keys that belong to one cross-reference section and are not carried over.
const SECTION_KEYS: [&str; 4] = ["Prev", "XRefStm", "Size", "ID"];

/// Builds the bytes appended to a document.
#[derive(Debug)]
pub struct UpdateWriter {
    /// Length of the original document; offsets in the update are absolute.
    base: usize,
    out: Vec<u8>,
    objects: Vec<(ObjRef, usize)>,
}

impl UpdateWriter {
    /// Starts an update of `original`. If the original does not end with an end-of-line marker
    /// one is written first, so that the first object header starts a line (clause 7.5.5 lets
    /// `%%EOF` be the last line without one).
    pub fn new(original: &[u8], capacity: usize) -> Self {
        let mut out = Vec::with_capacity(capacity);
        if !matches!(original.last(), Some(b'\n' | b'\r')) {
            out.push(b'\n');
        }
        Self {
            base: original.len(),
            out,
            objects: Vec::new(),
        }
    }

    /// The absolute offset of the next byte written.
    pub fn position(&self) -> usize {
        self.base + self.out.len()
    }

    /// The update's bytes so far.
    pub fn bytes(&self) -> &[u8] {
        &self.out
    }

    /// Raw output inside an object begun with [`UpdateWriter::begin_object`].
    pub fn raw(&mut self) -> &mut Vec<u8> {
        &mut self.out
    }

    /// Lists an existing object of the original at `offset` in the update's cross-reference
    /// section (to correct a wrong offset of the original's).
    pub fn existing(&mut self, r: ObjRef, offset: usize) {
        if !self.contains(r.num) {
            self.objects.push((r, offset));
        }
    }

    /// Whether object `num` is already in the update.
    pub fn contains(&self, num: u32) -> bool {
        self.objects.iter().any(|(r, _)| r.num == num)
    }

    /// Writes `N G obj` and records the object's offset.
    pub fn begin_object(&mut self, r: ObjRef) {
        self.objects.push((r, self.position()));
        let _ = writeln!(self.out, "{} {} obj", r.num, r.generation);
    }

    pub fn end_object(&mut self) {
        self.out.extend_from_slice(b"\nendobj\n");
    }

    /// A whole object.
    pub fn object(&mut self, r: ObjRef, value: &Object) {
        self.begin_object(r);
        write_object(&mut self.out, value);
        self.end_object();
    }

    /// A stream with its /Length set (clause 7.3.8).
    pub fn stream(&mut self, r: ObjRef, dict: &Dict, data: &[u8]) {
        let mut dict = dict.clone();
        dict.set("Length", Object::Int(data.len() as i64));
        self.begin_object(r);
        write_dict(&mut self.out, &dict);
        self.out.extend_from_slice(b"\nstream\n");
        self.out.extend_from_slice(data);
        self.out.extend_from_slice(b"\nendstream");
        self.end_object();
    }

    /// Ends the update with its cross-reference section, trailer, `startxref` and `%%EOF`, and
    /// returns the appended bytes.
    ///
    /// `trailer` is the document's current trailer: its entries (/Root, /Info...) are carried
    /// over. `prev` is the offset of the previous section, `size` the document's /Size before the
    /// update, `xref_stream_num` the object number for a cross-reference stream (unused for a
    /// table), `id` the file identifier pair (clause 14.4).
    pub fn finish(
        mut self,
        form: XrefForm,
        trailer: &Dict,
        prev: usize,
        size: u32,
        xref_stream_num: u32,
        id: [Vec<u8>; 2],
    ) -> Vec<u8> {
        let mut tail = Dict::new();
        for (k, v) in trailer.iter() {
            if !SECTION_KEYS.iter().any(|s| k.as_bytes() == s.as_bytes()) {
                tail.0.push((k.clone(), v.clone()));
            }
        }
        tail.set(
            "ID",
            Object::Array(
                id.into_iter()
                    .map(|i| Object::String(PdfString::hex(i)))
                    .collect(),
            ),
        );
        tail.set("Prev", Object::Int(prev as i64));
        let max_num = self.objects.iter().map(|(r, _)| r.num).max().unwrap_or(0);
        match form {
            XrefForm::Table => {
                let size = size.max(max_num + 1);
                tail.set("Size", Object::Int(i64::from(size)));
                self.write_table(&tail);
            }
            XrefForm::Stream => {
                let size = size.max(max_num + 1).max(xref_stream_num + 1);
                tail.set("Size", Object::Int(i64::from(size)));
                self.write_xref_stream(tail, xref_stream_num);
            }
        }
        self.out
    }

    /// Contiguous runs of object numbers, each a subsection (clause 7.5.4).
    fn runs(objects: &mut [(ObjRef, usize)]) -> Vec<&[(ObjRef, usize)]> {
        objects.sort_by_key(|(r, _)| r.num);
        objects.chunk_by(|a, b| b.0.num == a.0.num + 1).collect()
    }

    fn write_table(&mut self, trailer: &Dict) {
        let start = self.position();
        let mut objects = std::mem::take(&mut self.objects);
        self.out.extend_from_slice(b"xref\n");
        for run in Self::runs(&mut objects) {
            let _ = writeln!(self.out, "{} {}", run[0].0.num, run.len());
            for (r, offset) in run {
                // Exactly 20 bytes per entry, ending with space + LF.
                let _ = writeln!(self.out, "{offset:010} {:05} n ", r.generation);
            }
        }
        self.out.extend_from_slice(b"trailer\n");
        write_dict(&mut self.out, trailer);
        let _ = write!(self.out, "\nstartxref\n{start}\n%%EOF\n");
    }

    /// An uncompressed cross-reference stream (clause 7.5.8.2) that lists itself.
    fn write_xref_stream(&mut self, mut dict: Dict, num: u32) {
        let start = self.position();
        let mut objects = std::mem::take(&mut self.objects);
        objects.push((ObjRef::new(num, 0), start));
        let max_offset = objects.iter().map(|(_, o)| *o).max().unwrap_or(0) as u64;
        let width = (8 - (max_offset.leading_zeros() / 8) as usize).max(1);
        let mut index = Vec::new();
        let mut rows = Vec::with_capacity(objects.len() * (width + 3));
        for run in Self::runs(&mut objects) {
            index.push(Object::Int(i64::from(run[0].0.num)));
            index.push(Object::Int(run.len() as i64));
            for (r, offset) in run {
                rows.push(1u8);
                rows.extend_from_slice(&(*offset as u64).to_be_bytes()[8 - width..]);
                rows.extend_from_slice(&r.generation.to_be_bytes());
            }
        }
        dict.set("Type", Object::name("XRef"));
        dict.set("Index", Object::Array(index));
        dict.set(
            "W",
            Object::Array(vec![
                Object::Int(1),
                Object::Int(width as i64),
                Object::Int(2),
            ]),
        );
        // `stream` records this object's offset again; drop the duplicate pushed above.
        self.objects.clear();
        self.stream(ObjRef::new(num, 0), &dict, &rows);
        let _ = write!(self.out, "startxref\n{start}\n%%EOF\n");
    }
}
