//! The cross-reference chain: `startxref`, classic tables (ISO 32000-1 clause 7.5.4), trailers
//! (7.5.5), incremental updates linked by /Prev (7.5.6), cross-reference streams (7.5.8) and
//! hybrid-reference files with /XRefStm (7.5.8.4).

use std::collections::{HashMap, HashSet};

use super::error::PdfError;
use super::filter;
use super::lexer::Lexer;
use super::object::{Dict, Indirect, Object};
use super::parser::{parse_indirect, parse_object};
use super::scan;

/// Where an object lives, according to the cross-reference information.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XrefEntry {
    /// Free (deleted); references to it resolve to null (clause 7.3.10).
    Free,
    /// An uncompressed object at a byte offset (entry type 1, clause 7.5.8.3 Table 18).
    InFile { offset: usize, generation: u16 },
    /// The `index`-th object of object stream `stream` (entry type 2).
    InStream { stream: u32, index: u32 },
}

/// The form of a cross-reference section; an incremental update uses the form of the file's last
/// section, so that readers that understand the original understand the update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XrefForm {
    /// A classic `xref` table followed by a `trailer` dictionary (clause 7.5.4).
    Table,
    /// A cross-reference stream (clause 7.5.8, PDF 1.5).
    Stream,
}

/// One parsed section.
struct Section {
    entries: Vec<(u32, XrefEntry)>,
    trailer: Dict,
    form: XrefForm,
}

/// The merged cross-reference information of the whole chain.
#[derive(Debug, Clone)]
pub(crate) struct Xref {
    pub entries: HashMap<u32, XrefEntry>,
    /// The newest trailer, with /Root, /Info, /ID completed from older ones if it lacks them.
    pub trailer: Dict,
    /// The form of the newest section.
    pub form: XrefForm,
    /// The byte offset of the newest section (what the update's /Prev points to).
    pub startxref: usize,
    /// One more than the highest object number in use (the update's first free number).
    pub size: u32,
    /// The /Encrypt entry of any trailer in the chain.
    pub encrypt: Option<Object>,
}

/// The largest object number a PDF may use (ISO 32000-1 Annex C.2, Table C.1).
pub(crate) const MAX_OBJECTS: u32 = 8_388_607;
/// At most this many sections are followed through /Prev (a guard against loops and bloat).
const MAX_SECTIONS: usize = 10_000;
/// How far around a wrong offset a section is looked for.
const WINDOW: usize = 1024;

/// Loads the whole chain, newest section first (clause 7.5.6): entries of newer sections win.
pub(crate) fn load(data: &[u8], decode_limit: usize) -> Result<Xref, PdfError> {
    let declared = find_startxref(data)?;
    let (start, first) = locate(data, declared, decode_limit).ok_or_else(|| {
        PdfError::damaged(format!(
            "no cross-reference section at the offset given by startxref ({declared}) or near it"
        ))
    })?;
    let mut xref = Xref {
        entries: HashMap::new(),
        trailer: first.trailer.clone(),
        form: first.form,
        startxref: start,
        size: 0,
        encrypt: None,
    };
    let mut visited = HashSet::new();
    let mut section = first;
    let mut offset = start;
    loop {
        visited.insert(offset);
        absorb(&mut xref, &section);
        if section.form == XrefForm::Table {
            // Hybrid-reference file: the stream's entries come after the table's, before /Prev.
            if let Some(stm) = section.trailer.get_int("XRefStm") {
                let stm = usize::try_from(stm).map_err(|_| bad_offset("/XRefStm", stm))?;
                let (_, hidden) = locate(data, stm, decode_limit).ok_or_else(|| {
                    PdfError::damaged(format!("no cross-reference stream at /XRefStm {stm}"))
                })?;
                absorb_entries(&mut xref, &hidden);
            }
        }
        let Some(prev) = section.trailer.get_int("Prev") else {
            break;
        };
        let prev = usize::try_from(prev).map_err(|_| bad_offset("/Prev", prev))?;
        if visited.contains(&prev) || visited.len() >= MAX_SECTIONS {
            break; // a /Prev loop: everything reachable has been read
        }
        let (found, next) = locate(data, prev, decode_limit).ok_or_else(|| {
            PdfError::damaged(format!(
                "no cross-reference section at /Prev {prev} or near it"
            ))
        })?;
        if visited.contains(&found) {
            break;
        }
        offset = found;
        section = next;
    }
    let max_num = xref.entries.keys().copied().max().unwrap_or(0);
    xref.size = xref.size.max(max_num.saturating_add(1));
    if xref.size > MAX_OBJECTS {
        return Err(PdfError::damaged(format!(
            "the cross-reference information claims {} objects, more than the {MAX_OBJECTS} a PDF may have",
            xref.size
        )));
    }
    Ok(xref)
}

fn bad_offset(what: &str, v: i64) -> PdfError {
    PdfError::damaged(format!("{what} {v} is not a byte offset"))
}

fn absorb(xref: &mut Xref, section: &Section) {
    absorb_entries(xref, section);
    for key in ["Root", "Info", "ID"] {
        if !xref.trailer.contains(key)
            && let Some(v) = section.trailer.get(key)
        {
            xref.trailer.set(key, v.clone());
        }
    }
    if xref.encrypt.is_none() {
        xref.encrypt = section.trailer.get("Encrypt").cloned();
    }
    if let Some(size) = section.trailer.get_int("Size") {
        let size = u32::try_from(size.clamp(0, i64::from(u32::MAX))).unwrap_or(0);
        xref.size = xref.size.max(size);
    }
}

fn absorb_entries(xref: &mut Xref, section: &Section) {
    for &(num, entry) in &section.entries {
        if num != 0 {
            xref.entries.entry(num).or_insert(entry);
        }
    }
}

/// The offset after the last `startxref` keyword (clause 7.5.5).
fn find_startxref(data: &[u8]) -> Result<usize, PdfError> {
    let at = memchr::memmem::rfind(data, b"startxref").ok_or_else(|| {
        PdfError::damaged("no startxref: the file is truncated or is not a complete PDF")
    })?;
    let mut lx = Lexer::new(data, at + b"startxref".len());
    lx.unsigned()
        .and_then(|v| usize::try_from(v).ok())
        .ok_or_else(|| PdfError::damaged("startxref is not followed by a byte offset"))
}

/// The section at `offset`, or failing that the nearest one within [`WINDOW`] bytes (offsets
/// shifted by end-of-line conversion or a lost byte).
fn locate(data: &[u8], offset: usize, limit: usize) -> Option<(usize, Section)> {
    if let Ok(s) = parse_section(data, offset, limit) {
        return Some((offset, s));
    }
    let lo = offset.saturating_sub(WINDOW).min(data.len());
    let hi = offset.saturating_add(WINDOW).min(data.len());
    let mut candidates: Vec<usize> = memchr::memmem::find_iter(&data[lo..hi], b"xref")
        .map(|p| lo + p)
        .filter(|&p| p < 5 || &data[p - 5..p] != b"start")
        .chain(scan::headers_in(data, lo..hi).into_iter().map(|(_, p)| p))
        .collect();
    candidates.sort_by_key(|&p| p.abs_diff(offset));
    candidates
        .into_iter()
        .find_map(|p| parse_section(data, p, limit).ok().map(|s| (p, s)))
}

fn parse_section(data: &[u8], offset: usize, limit: usize) -> Result<Section, PdfError> {
    if offset >= data.len() {
        return Err(PdfError::damaged(
            "cross-reference offset beyond the end of the file",
        ));
    }
    let mut lx = Lexer::new(data, offset);
    if lx.keyword(b"xref") {
        parse_table(&mut lx)
    } else {
        parse_stream(data, offset, limit)
    }
}

/// A classic table (clause 7.5.4): subsections `first count` of 20-byte entries, then `trailer`.
fn parse_table(lx: &mut Lexer<'_>) -> Result<Section, PdfError> {
    let mut entries = Vec::new();
    loop {
        if lx.keyword(b"trailer") {
            break;
        }
        let at = lx.pos;
        let bad = || PdfError::damaged(format!("malformed xref table near byte {at}"));
        let first = lx.unsigned().ok_or_else(bad)?;
        let count = lx.unsigned().ok_or_else(bad)?;
        let remaining = lx.data().len().saturating_sub(lx.pos) as u64;
        if count > remaining / 18 + 1 || first > u64::from(u32::MAX) {
            return Err(bad());
        }
        for i in 0..count {
            let offset = lx.unsigned().ok_or_else(bad)?;
            let generation = lx.unsigned().ok_or_else(bad)?;
            lx.skip_ws();
            let kind = lx.peek_byte().ok_or_else(bad)?;
            lx.pos += 1;
            let Ok(num) = u32::try_from(first + i) else {
                return Err(bad());
            };
            let entry = match kind {
                b'n' => XrefEntry::InFile {
                    offset: usize::try_from(offset).map_err(|_| bad())?,
                    generation: u16::try_from(generation).unwrap_or(u16::MAX),
                },
                b'f' => XrefEntry::Free,
                _ => return Err(bad()),
            };
            entries.push((num, entry));
        }
    }
    let trailer = match parse_object(lx)? {
        Object::Dict(d) => d,
        _ => return Err(PdfError::damaged("trailer is not a dictionary")),
    };
    Ok(Section {
        entries,
        trailer,
        form: XrefForm::Table,
    })
}

/// A cross-reference stream (clause 7.5.8): rows of /W-sized big-endian fields.
fn parse_stream(data: &[u8], offset: usize, limit: usize) -> Result<Section, PdfError> {
    let (_, obj) = parse_indirect(data, offset, &|_| None)?;
    let Indirect::Stream(stream) = obj else {
        return Err(PdfError::damaged(format!(
            "the object at byte {offset} is not a cross-reference stream"
        )));
    };
    let dict = &stream.dict;
    if dict.get_name("Type").is_some_and(|t| t != b"XRef") || !dict.contains("W") {
        return Err(PdfError::damaged(format!(
            "the stream at byte {offset} is not a cross-reference stream"
        )));
    }
    let widths: Vec<usize> = dict
        .get("W")
        .and_then(Object::as_array)
        .map(|w| {
            w.iter()
                .map(|v| {
                    v.as_int()
                        .and_then(|n| usize::try_from(n).ok())
                        .unwrap_or(99)
                })
                .collect()
        })
        .unwrap_or_default();
    if widths.len() != 3 || widths.iter().any(|&w| w > 8) || widths[1] == 0 {
        return Err(PdfError::damaged(
            "cross-reference stream has an invalid /W",
        ));
    }
    let row = widths.iter().sum::<usize>();
    let raw = &data[stream.data.clone()];
    let decoded = filter::decode(dict, raw, limit)?;
    let size = dict.get_int("Size").unwrap_or(0).max(0);
    let index: Vec<i64> = match dict.get("Index").and_then(Object::as_array) {
        Some(a) => a.iter().filter_map(Object::as_int).collect(),
        None => vec![0, size],
    };
    let mut entries = Vec::new();
    let mut rows = decoded.chunks_exact(row);
    for pair in index.chunks_exact(2) {
        let (Ok(first), Ok(count)) = (u32::try_from(pair[0]), u64::try_from(pair[1])) else {
            return Err(PdfError::damaged(
                "cross-reference stream has an invalid /Index",
            ));
        };
        for i in 0..count {
            let Some(r) = rows.next() else { break };
            let Some(num) = first.checked_add(u32::try_from(i).unwrap_or(u32::MAX)) else {
                break;
            };
            let f0 = field(&r[..widths[0]]);
            let f1 = field(&r[widths[0]..widths[0] + widths[1]]);
            let f2 = field(&r[widths[0] + widths[1]..]);
            let kind = if widths[0] == 0 { 1 } else { f0 };
            let entry = match kind {
                0 => XrefEntry::Free,
                1 => XrefEntry::InFile {
                    offset: usize::try_from(f1).unwrap_or(usize::MAX),
                    generation: u16::try_from(f2).unwrap_or(u16::MAX),
                },
                2 => XrefEntry::InStream {
                    stream: u32::try_from(f1).unwrap_or(u32::MAX),
                    index: u32::try_from(f2).unwrap_or(u32::MAX),
                },
                _ => continue, // reserved types are null references (Table 18)
            };
            entries.push((num, entry));
        }
    }
    let mut trailer = stream.dict.clone();
    for key in [
        "Type",
        "W",
        "Index",
        "Length",
        "Filter",
        "DecodeParms",
        "F",
        "FFilter",
        "FDecodeParms",
        "DL",
    ] {
        trailer.remove(key);
    }
    Ok(Section {
        entries,
        trailer,
        form: XrefForm::Stream,
    })
}

fn field(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b))
}
