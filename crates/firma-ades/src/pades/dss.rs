//! PAdES B-LT (ETSI EN 319 142-1 clause 5.4.2 and 6.5; ISO 32000-2 clause 12.8.4.3): the
//! Document Security Store, a /DSS dictionary in the catalog whose /Certs, /OCSPs and /CRLs
//! arrays hold streams of DER certificates, DER `OCSPResponse`s and DER CRLs. It is added by
//! an incremental update after the signature, which therefore stays valid; entries already in
//! a DSS (ours or another producer's) are kept and not repeated. /VRI is optional (clause
//! 5.4.2.2) and not written; an existing one is kept.

use sha2::{Digest as _, Sha256};

use crate::ltv::ValidationData;
use crate::pdf::filter;
use crate::pdf::update::UpdateWriter;
use crate::pdf::{Dict, Document, Object, XrefForm};

use super::error::PadesError;
use super::widget::Numbers;

/// Appends to `pdf` an incremental update whose DSS holds `data` besides what the document's
/// DSS already holds, and returns the whole document. Without anything new, `pdf` is returned
/// unchanged.
pub fn add_validation_data(pdf: &[u8], data: &ValidationData) -> Result<Vec<u8>, PadesError> {
    let doc = Document::parse(pdf)?;
    let (catalog_ref, catalog) = doc.catalog()?;
    let (dss_ref, mut dss) = match catalog.get("DSS") {
        Some(Object::Ref(r)) => match doc.get(*r)? {
            Object::Dict(d) => (Some(*r), d),
            _ => (None, Dict::new()),
        },
        Some(Object::Dict(d)) => (None, d.clone()),
        _ => (None, Dict::new()),
    };
    let mut numbers = Numbers(doc.next_object_number());
    let mut w = UpdateWriter::new(pdf, 4096 + total_len(data) * 11 / 10);
    let mut added = 0;
    for (key, items) in [
        ("Certs", &data.certificates),
        ("OCSPs", &data.ocsp_responses),
        ("CRLs", &data.crls),
    ] {
        let mut array = match doc.get_in(&dss, key)? {
            Object::Array(a) => a,
            _ => Vec::new(),
        };
        let present = stream_contents(&doc, &array)?;
        for item in items {
            if present.contains(item) {
                continue;
            }
            let r = numbers.alloc();
            w.stream(r, &Dict::new(), item);
            array.push(Object::Ref(r));
            added += 1;
        }
        if !array.is_empty() {
            dss.set(key, Object::Array(array));
        }
    }
    if added == 0 {
        return Ok(pdf.to_vec());
    }
    dss.set("Type", Object::name("DSS"));
    match dss_ref {
        Some(r) => w.object(r, &Object::Dict(dss)),
        None => {
            let r = numbers.alloc();
            w.object(r, &Object::Dict(dss));
            let mut catalog = catalog;
            catalog.set("DSS", Object::Ref(r));
            w.object(catalog_ref, &Object::Dict(catalog));
        }
    }
    finish(&doc, pdf, w, numbers)
}

/// Ends an update of `doc` made with `w` and returns the whole document.
pub(crate) fn finish(
    doc: &Document<'_>,
    pdf: &[u8],
    mut w: UpdateWriter,
    mut numbers: Numbers,
) -> Result<Vec<u8>, PadesError> {
    for (r, offset) in doc.misplaced_objects() {
        w.existing(r, offset);
    }
    let xref_stream = match doc.xref_form() {
        XrefForm::Stream => numbers.alloc().num,
        XrefForm::Table => 0,
    };
    let mut h = Sha256::new();
    h.update((pdf.len() as u64).to_be_bytes());
    h.update(w.bytes());
    let changing = h.finalize()[..16].to_vec();
    let permanent = match doc.trailer().get("ID").and_then(Object::as_array) {
        Some([Object::String(first), ..]) => first.bytes.clone(),
        _ => changing.clone(),
    };
    let update = w.finish(
        doc.xref_form(),
        doc.trailer(),
        doc.startxref(),
        doc.next_object_number(),
        xref_stream,
        [permanent, changing],
    );
    let mut out = Vec::with_capacity(pdf.len() + update.len());
    out.extend_from_slice(pdf);
    out.extend_from_slice(&update);
    Ok(out)
}

/// The decoded contents of the streams an existing DSS array refers to (those that cannot be
/// decoded are skipped: they are kept, and the new entries may repeat them).
fn stream_contents(doc: &Document<'_>, array: &[Object]) -> Result<Vec<Vec<u8>>, PadesError> {
    let mut out = Vec::new();
    for item in array {
        let Object::Ref(r) = item else { continue };
        let Some(stream) = doc.get_stream(*r)? else {
            continue;
        };
        let raw = doc.data().get(stream.data.clone()).unwrap_or_default();
        if let Ok(data) = filter::decode(&stream.dict, raw, doc.limits().decoded_stream) {
            out.push(data);
        }
    }
    Ok(out)
}

fn total_len(data: &ValidationData) -> usize {
    [&data.certificates, &data.ocsp_responses, &data.crls]
        .iter()
        .flat_map(|v| v.iter())
        .map(Vec::len)
        .sum()
}
