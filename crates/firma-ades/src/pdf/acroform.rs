//! The interactive form (ISO 32000-1 clause 12.7) as far as signing needs it: where /AcroForm
//! and its /Fields live, the names of existing fields, existing signatures, and the permissions
//! of earlier signatures: DocMDP (clause 12.8.2.2) and FieldMDP locks (clause 12.8.2.4, and
//! ISO 32000-2 clause 12.7.5.5 for the /P entry of /Lock).

use std::collections::HashSet;

use super::document::Document;
use super::error::PdfError;
use super::object::{Dict, ObjRef, Object};
use super::text::decode_text_string;

/// Field trees deeper than this are refused.
const MAX_FIELD_DEPTH: usize = 32;

/// Where a dictionary or array that an update may rewrite lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Located {
    /// Directly inside its parent (rewriting it means rewriting the parent).
    Inline,
    /// An indirect object of its own.
    Indirect(ObjRef),
}

/// The catalog's /AcroForm.
#[derive(Debug, Clone, PartialEq)]
pub struct AcroForm {
    pub location: Located,
    pub dict: Dict,
    /// Where its /Fields array lives and its items.
    pub fields_location: Located,
    pub fields: Vec<Object>,
}

/// A terminal field found in the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingField {
    /// Fully qualified name (clause 12.7.3.2), partial names joined by periods.
    pub name: String,
    pub is_signature: bool,
    /// A signature field with a value (a signature dictionary).
    pub signed: bool,
}

/// What signing needs to know about the form and earlier signatures.
#[derive(Debug, Clone, PartialEq)]
pub struct FormInfo {
    pub acroform: Option<AcroForm>,
    pub fields: Vec<ExistingField>,
    /// /P of the certification signature's DocMDP transform (clause 12.8.2.2, Table 254; 2 when
    /// absent), if the document is certified.
    pub docmdp: Option<i64>,
    /// The name of a signed field whose FieldMDP lock allows no changes at all (ISO 32000-2
    /// clause 12.7.5.5, /Lock /P 1).
    pub locked_by: Option<String>,
    /// Every signature and document time-stamp, in the order of the fields.
    pub signatures: Vec<ExistingSignature>,
}

/// A signature or document time-stamp already in the document (ISO 32000-1 Table 252).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingSignature {
    /// /SubFilter, e.g. `ETSI.CAdES.detached` or `ETSI.RFC3161`; empty when absent.
    pub sub_filter: Vec<u8>,
    /// /Contents: the DER CMS or time-stamp token, zero-padded.
    pub contents: Vec<u8>,
    /// The length of the revision it signs (/ByteRange `[0 a b c]`: `b + c`); 0 if unreadable.
    pub signed_len: u64,
}

impl Document<'_> {
    /// Reads the form and the permissions of earlier signatures from `catalog`.
    pub fn form_info(&self, catalog: &Dict) -> Result<FormInfo, PdfError> {
        let acroform = self.acroform(catalog)?;
        let mut info = FormInfo {
            fields: Vec::new(),
            docmdp: self.docmdp(catalog)?,
            locked_by: None,
            acroform: None,
            signatures: Vec::new(),
        };
        if let Some(form) = &acroform {
            self.walk_fields(&form.fields, &mut info)?;
        }
        info.acroform = acroform;
        Ok(info)
    }

    fn acroform(&self, catalog: &Dict) -> Result<Option<AcroForm>, PdfError> {
        let (location, dict) = match catalog.get("AcroForm") {
            None => return Ok(None),
            Some(Object::Ref(r)) => match self.get(*r)? {
                Object::Dict(d) => (Located::Indirect(*r), d),
                _ => return Ok(None),
            },
            Some(Object::Dict(d)) => (Located::Inline, d.clone()),
            Some(_) => return Ok(None),
        };
        let (fields_location, fields) = match dict.get("Fields") {
            Some(Object::Ref(r)) => match self.get(*r)? {
                Object::Array(a) => (Located::Indirect(*r), a),
                _ => (Located::Inline, Vec::new()),
            },
            Some(Object::Array(a)) => (Located::Inline, a.clone()),
            _ => (Located::Inline, Vec::new()),
        };
        Ok(Some(AcroForm {
            location,
            dict,
            fields_location,
            fields,
        }))
    }

    /// The DocMDP transform's /P of a certification signature (clause 12.8.4, /Perms).
    fn docmdp(&self, catalog: &Dict) -> Result<Option<i64>, PdfError> {
        let Some(perms) = self.get_dict_in(catalog, "Perms")? else {
            return Ok(None);
        };
        let Some(sig) = self.get_dict_in(&perms, "DocMDP")? else {
            return Ok(None);
        };
        Ok(Some(self.transform_p(&sig, b"DocMDP")?.unwrap_or(2)))
    }

    /// /P of the first signature reference with `method` in `sig`'s /Reference (Table 253).
    /// `Some(2)`-defaulting is left to the caller; a reference without /P gives `None`.
    fn transform_p(&self, sig: &Dict, method: &[u8]) -> Result<Option<i64>, PdfError> {
        let refs = match self.get_in(sig, "Reference")? {
            Object::Array(a) => a,
            _ => return Ok(None),
        };
        for r in &refs {
            let Object::Dict(sigref) = self.resolve(r)? else {
                continue;
            };
            if sigref.get_name("TransformMethod") != Some(method) {
                continue;
            }
            let p = self
                .get_dict_in(&sigref, "TransformParams")?
                .and_then(|params| params.get_int("P"));
            return Ok(p);
        }
        Ok(None)
    }

    fn walk_fields(&self, roots: &[Object], info: &mut FormInfo) -> Result<(), PdfError> {
        let mut visited: HashSet<ObjRef> = HashSet::new();
        let mut stack: Vec<(Object, String, Option<Vec<u8>>, usize)> = roots
            .iter()
            .rev()
            .map(|o| (o.clone(), String::new(), None, 0))
            .collect();
        while let Some((obj, parent, inherited_ft, depth)) = stack.pop() {
            if depth > MAX_FIELD_DEPTH {
                return Err(PdfError::damaged(
                    "the form's field tree is nested too deeply",
                ));
            }
            if let Object::Ref(r) = obj
                && !visited.insert(r)
            {
                continue; // a field reachable twice, or a loop
            }
            let Object::Dict(field) = self.resolve(&obj)? else {
                continue;
            };
            let partial = field
                .get("T")
                .and_then(Object::as_string)
                .map(decode_text_string);
            let name = match (&partial, parent.is_empty()) {
                (Some(p), true) => p.clone(),
                (Some(p), false) => format!("{parent}.{p}"),
                (None, _) => parent.clone(),
            };
            let ft = field.get_name("FT").map(<[u8]>::to_vec).or(inherited_ft);
            let kids = match self.get_in(&field, "Kids")? {
                Object::Array(k) => k,
                _ => Vec::new(),
            };
            let kids_are_fields = self.any_has_name(&kids)?;
            if kids_are_fields {
                for kid in kids.into_iter().rev() {
                    stack.push((kid, name.clone(), ft.clone(), depth + 1));
                }
                continue;
            }
            let is_signature = ft.as_deref() == Some(b"Sig");
            let value = if is_signature {
                self.get_dict_in(&field, "V")?
            } else {
                None
            };
            if let Some(sig) = &value
                && info.locked_by.is_none()
                && self.locks_everything(&field, sig)?
            {
                info.locked_by = Some(name.clone());
            }
            if let Some(sig) = &value
                && let Object::String(contents) = self.get_in(sig, "Contents")?
            {
                let signed_len = match self.get_in(sig, "ByteRange")? {
                    Object::Array(r) if r.len() == 4 => r[2]
                        .as_int()
                        .zip(r[3].as_int())
                        .and_then(|(b, c)| u64::try_from(b.checked_add(c)?).ok())
                        .unwrap_or(0),
                    _ => 0,
                };
                info.signatures.push(ExistingSignature {
                    sub_filter: sig.get_name("SubFilter").unwrap_or_default().to_vec(),
                    contents: contents.bytes,
                    signed_len,
                });
            }
            info.fields.push(ExistingField {
                name,
                is_signature,
                signed: value.is_some(),
            });
        }
        Ok(())
    }

    /// Whether the kids of a field are fields (they have /T) rather than widget annotations.
    fn any_has_name(&self, kids: &[Object]) -> Result<bool, PdfError> {
        for kid in kids {
            if let Object::Dict(d) = self.resolve(kid)?
                && d.contains("T")
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// A signed field whose lock (its /Lock dictionary or the signature's FieldMDP reference)
    /// has /P 1: no changes to the document are permitted (ISO 32000-2 Table 237).
    fn locks_everything(&self, field: &Dict, sig: &Dict) -> Result<bool, PdfError> {
        if let Some(lock) = self.get_dict_in(field, "Lock")?
            && lock.get_int("P") == Some(1)
        {
            return Ok(true);
        }
        Ok(self.transform_p(sig, b"FieldMDP")? == Some(1))
    }
}
