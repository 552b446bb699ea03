//! The objects of a signature: the signature field merged with its widget annotation (ISO
//! 32000-1 clauses 12.7.4.5 and 12.5.6.19), its registration in /AcroForm and the page's
//! /Annots, and the signature dictionary (clause 12.8.1, Table 252) with its /ByteRange and
//! /Contents placeholders.

use crate::pdf::update::UpdateWriter;
use crate::pdf::{
    Dict, Document, Located, ObjRef, Object, PdfString, encode_text_string, write_object,
};

use super::checks::Target;
use super::date::pdf_date;
use super::error::PadesError;
use super::options::SignatureDetails;

/// Annotation flags Print (3) and Locked (8) (clause 12.5.3, Table 165).
const ANNOT_FLAGS: i64 = 4 | 128;
/// SignaturesExist and AppendOnly (clause 12.7.2, Table 219).
const SIG_FLAGS: i64 = 3;
/// Room for `[0 a b c]` with three ten-digit offsets, padded with spaces.
pub(crate) const BYTE_RANGE_WIDTH: usize = 48;

/// Allocates object numbers for the update.
pub(crate) struct Numbers(pub u32);

impl Numbers {
    pub fn alloc(&mut self) -> ObjRef {
        let r = ObjRef::new(self.0, 0);
        self.0 += 1;
        r
    }
}

/// Adds `widget` to the page's /Annots, rewriting the page or, when /Annots is an indirect
/// array, only that array.
pub(crate) fn attach_to_page(
    doc: &Document<'_>,
    target: &Target,
    widget: ObjRef,
    w: &mut UpdateWriter,
) -> Result<(), PadesError> {
    let mut page = target.page.dict.clone();
    match page.get("Annots") {
        Some(Object::Ref(r)) => {
            if let Object::Array(mut annots) = doc.get(*r)? {
                annots.push(Object::Ref(widget));
                w.object(*r, &Object::Array(annots));
                return Ok(());
            }
            page.set("Annots", Object::Array(vec![Object::Ref(widget)]));
        }
        Some(Object::Array(annots)) => {
            let mut annots = annots.clone();
            annots.push(Object::Ref(widget));
            page.set("Annots", Object::Array(annots));
        }
        _ => page.set("Annots", Object::Array(vec![Object::Ref(widget)])),
    }
    w.object(target.page.reference, &Object::Dict(page));
    Ok(())
}

/// Adds `widget` to /AcroForm /Fields and sets /SigFlags 3, creating /AcroForm if there is
/// none. Only what changes is rewritten: the /Fields array if it is indirect, else the
/// /AcroForm dictionary, else (inline /AcroForm or a new one) the catalog.
pub(crate) fn register_field(
    target: &Target,
    widget: ObjRef,
    numbers: &mut Numbers,
    w: &mut UpdateWriter,
) {
    let Some(form) = &target.form.acroform else {
        let form_ref = numbers.alloc();
        let mut form = Dict::new();
        form.set("Fields", Object::Array(vec![Object::Ref(widget)]));
        form.set("SigFlags", Object::Int(SIG_FLAGS));
        w.object(form_ref, &Object::Dict(form));
        let mut catalog = target.catalog.clone();
        catalog.set("AcroForm", Object::Ref(form_ref));
        w.object(target.catalog_ref, &Object::Dict(catalog));
        return;
    };
    let mut dict = form.dict.clone();
    let mut changed = false;
    let mut fields = form.fields.clone();
    fields.push(Object::Ref(widget));
    match form.fields_location {
        Located::Indirect(r) => w.object(r, &Object::Array(fields)),
        Located::Inline => {
            dict.set("Fields", Object::Array(fields));
            changed = true;
        }
    }
    let flags = dict.get_int("SigFlags").unwrap_or(0);
    if flags & SIG_FLAGS != SIG_FLAGS {
        dict.set("SigFlags", Object::Int(flags | SIG_FLAGS));
        changed = true;
    }
    if !changed {
        return;
    }
    match form.location {
        Located::Indirect(r) => w.object(r, &Object::Dict(dict)),
        Located::Inline => {
            let mut catalog = target.catalog.clone();
            catalog.set("AcroForm", Object::Dict(dict));
            w.object(target.catalog_ref, &Object::Dict(catalog));
        }
    }
}

/// The signature field and its widget in one dictionary (clause 12.7.4.5, 12.5.6.19).
pub(crate) fn field_dict(
    target: &Target,
    signature: ObjRef,
    rect: [f64; 4],
    appearance: Option<ObjRef>,
) -> Object {
    let mut d = Dict::new();
    d.set("Type", Object::name("Annot"));
    d.set("Subtype", Object::name("Widget"));
    d.set("FT", Object::name("Sig"));
    d.set("T", Object::String(encode_text_string(&target.field_name)));
    d.set("F", Object::Int(ANNOT_FLAGS));
    d.set(
        "Rect",
        Object::Array(rect.iter().map(|&v| number(v)).collect()),
    );
    d.set("P", Object::Ref(target.page.reference));
    d.set("V", Object::Ref(signature));
    if let Some(ap) = appearance {
        let mut ap_dict = Dict::new();
        ap_dict.set("N", Object::Ref(ap));
        d.set("AP", Object::Dict(ap_dict));
    }
    Object::Dict(d)
}

fn number(v: f64) -> Object {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        Object::Int(v as i64)
    } else {
        Object::Real((v * 1000.0).round() / 1000.0)
    }
}

/// What /Contents will hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignatureKind {
    /// A CAdES detached signature (ETSI EN 319 142-1 clause 6.3).
    Signature,
    /// A document time-stamp (clause 5.4.3).
    DocTimeStamp,
}

/// Where the placeholders of the signature dictionary are, as offsets in the update.
pub(crate) struct Placeholders {
    pub byte_range: usize,
    /// The `<` opening /Contents.
    pub contents_open: usize,
    /// One past the `>` closing /Contents.
    pub contents_close: usize,
}

/// Writes the signature dictionary with /SubFilter /ETSI.CAdES.detached (ETSI EN 319 142-1
/// clause 6.3; ISO 32000-2 clause 12.8.3.4): no /Cert, /M from the details, a /ByteRange
/// placeholder and /Contents of `contents_len` zero bytes in hexadecimal (clause 12.8.1: the
/// byte range excludes exactly the /Contents string, delimiters included).
///
/// A document time-stamp ([`SignatureKind::DocTimeStamp`]) is /Type /DocTimeStamp with
/// /SubFilter /ETSI.RFC3161 and an RFC 3161 token in /Contents (ETSI EN 319 142-1 clause
/// 5.4.3; ISO 32000-2 clause 12.8.5), without /M (the token carries the time).
pub(crate) fn write_signature_dict(
    w: &mut UpdateWriter,
    signature: ObjRef,
    details: &SignatureDetails,
    contents_len: usize,
    kind: SignatureKind,
) -> Placeholders {
    let mut d = Dict::new();
    match kind {
        SignatureKind::Signature => {
            d.set("Type", Object::name("Sig"));
            d.set("Filter", Object::name("Adobe.PPKLite"));
            d.set("SubFilter", Object::name("ETSI.CAdES.detached"));
            d.set(
                "M",
                Object::String(PdfString::literal(
                    pdf_date(details.signing_time).into_bytes(),
                )),
            );
        }
        SignatureKind::DocTimeStamp => {
            d.set("Type", Object::name("DocTimeStamp"));
            d.set("Filter", Object::name("Adobe.PPKLite"));
            d.set("SubFilter", Object::name("ETSI.RFC3161"));
        }
    }
    for (key, value) in [
        ("Name", &details.name),
        ("Reason", &details.reason),
        ("Location", &details.location),
        ("ContactInfo", &details.contact_info),
    ] {
        if let Some(v) = value {
            d.set(key, Object::String(encode_text_string(v)));
        }
    }
    w.begin_object(signature);
    let out = w.raw();
    write_object(out, &Object::Dict(d));
    // Reopen the dictionary to append the placeholders.
    out.truncate(out.len() - 2);
    out.extend_from_slice(b"/ByteRange ");
    let byte_range = out.len();
    out.extend(std::iter::repeat_n(b' ', BYTE_RANGE_WIDTH));
    out.extend_from_slice(b"/Contents ");
    let contents_open = out.len();
    out.push(b'<');
    out.extend(std::iter::repeat_n(b'0', 2 * contents_len));
    out.push(b'>');
    let contents_close = out.len();
    out.extend_from_slice(b">>");
    w.end_object();
    Placeholders {
        byte_range,
        contents_open,
        contents_close,
    }
}
