//! Phase one of a PAdES signature: the incremental update with its placeholders (ISO 32000-1
//! clauses 7.5.6 and 12.8.1; ETSI EN 319 142-1 clause 6.3).

use sha2::{Digest as _, Sha256};

use crate::pdf::update::UpdateWriter;
use crate::pdf::{Document, Object, XrefForm};

use super::appearance::{appearance_stream, checked_rect};
use super::checks::inspect;
use super::error::PadesError;
use super::options::SignatureDetails;
use super::prepared::PreparedSignature;
use super::widget::{
    Numbers, SignatureKind, attach_to_page, field_dict, register_field, write_signature_dict,
};

/// The largest /Contents reserved: a CMS with a long chain, a time-stamp and revocation data
/// stays far below it.
pub const MAX_CONTENTS_LEN: usize = 1 << 20;

/// Reads `pdf`, checks that it can be signed, and computes the incremental update that adds a
/// signature field with `details` and a /Contents placeholder of `contents_len` bytes (the
/// largest DER CMS that will be written into it; see [`crate::cms::estimated_max_len`]).
///
/// Nothing of `pdf` is copied: the result holds only the update. Hash the signed ranges with
/// [`PreparedSignature::digest`] (or [`PreparedSignature::signed_parts`] for your own hashing),
/// then call [`PreparedSignature::finish`].
pub fn prepare(
    pdf: &[u8],
    details: &SignatureDetails,
    contents_len: usize,
) -> Result<PreparedSignature, PadesError> {
    prepare_kind(pdf, details, contents_len, SignatureKind::Signature)
}

/// [`prepare`] for a signature or a document time-stamp.
pub(crate) fn prepare_kind(
    pdf: &[u8],
    details: &SignatureDetails,
    contents_len: usize,
    kind: SignatureKind,
) -> Result<PreparedSignature, PadesError> {
    if contents_len == 0 || contents_len > MAX_CONTENTS_LEN {
        return Err(PadesError::InvalidContentsSize {
            requested: contents_len,
            max: MAX_CONTENTS_LEN,
        });
    }
    let doc = Document::parse(pdf)?;
    let target = inspect(&doc, details)?;
    let rect = match &details.appearance {
        Some(a) => checked_rect(a)?,
        None => [0.0; 4],
    };
    let mut numbers = Numbers(doc.next_object_number());
    let widget = numbers.alloc();
    let signature = numbers.alloc();
    let appearance = details.appearance.as_ref().map(|_| numbers.alloc());

    let mut w = UpdateWriter::new(pdf, 4096 + 2 * contents_len);
    attach_to_page(&doc, &target, widget, &mut w)?;
    register_field(&target, widget, &mut numbers, &mut w);
    w.object(widget, &field_dict(&target, signature, rect, appearance));
    if let (Some(ap_ref), Some(a)) = (appearance, &details.appearance) {
        let (dict, content) = appearance_stream(a, rect, details.signing_time);
        w.stream(ap_ref, &dict, &content);
    }
    let placeholders = write_signature_dict(&mut w, signature, details, contents_len, kind);
    for (r, offset) in doc.misplaced_objects() {
        w.existing(r, offset);
    }
    let xref_stream = match doc.xref_form() {
        XrefForm::Stream => numbers.alloc().num,
        XrefForm::Table => 0,
    };
    let id = file_id(&doc, details, pdf.len());
    let update = w.finish(
        doc.xref_form(),
        doc.trailer(),
        doc.startxref(),
        doc.next_object_number(),
        xref_stream,
        id,
    );
    Ok(PreparedSignature::new(pdf.len(), update, &placeholders))
}

/// The file identifier (ISO 32000-1 clause 14.4): the first part is kept, the second changes
/// with every update. It is derived from the document's length, the time and the field, which
/// differ between any two signatures of a document.
fn file_id(doc: &Document<'_>, details: &SignatureDetails, len: usize) -> [Vec<u8>; 2] {
    let mut h = Sha256::new();
    h.update((len as u64).to_be_bytes());
    h.update((doc.startxref() as u64).to_be_bytes());
    h.update(details.signing_time.unix_timestamp_nanos().to_be_bytes());
    h.update(details.field_name.as_deref().unwrap_or("").as_bytes());
    let changing = h.finalize()[..16].to_vec();
    let permanent = match doc.trailer().get("ID").and_then(Object::as_array) {
        Some([Object::String(first), ..]) => first.bytes.clone(),
        _ => changing.clone(),
    };
    [permanent, changing]
}
