//! What must hold before a document is signed: the refusals of ETSI EN 319 142-1 clause 5.4
//! (a new signature must not invalidate the document's certification) and the choice of page
//! and field name.

use crate::pdf::{Dict, Document, FormInfo, ObjRef, Page};

use super::error::PadesError;
use super::options::SignatureDetails;

/// Everything the update is built from.
pub(crate) struct Target {
    pub catalog_ref: ObjRef,
    pub catalog: Dict,
    pub form: FormInfo,
    pub page: Page,
    pub field_name: String,
}

/// Reads and checks the document for `details`.
pub(crate) fn inspect(
    doc: &Document<'_>,
    details: &SignatureDetails,
) -> Result<Target, PadesError> {
    let (catalog_ref, catalog) = doc.catalog()?;
    let form = doc.form_info(&catalog)?;
    // DocMDP /P 1: "No changes to the document are permitted; any change to the document shall
    // invalidate the signature" (ISO 32000-1 Table 254). /P 2 and 3 allow signing.
    if form.docmdp == Some(1) {
        return Err(PadesError::CertifiedNoChanges);
    }
    if let Some(field) = &form.locked_by {
        return Err(PadesError::LockedNoChanges {
            field: field.clone(),
        });
    }
    let page_index = details.appearance.as_ref().map_or(0, |a| a.page_index);
    let count = doc.page_count()?;
    if page_index >= count {
        return Err(PadesError::PageOutOfRange {
            page: page_index + 1,
            count,
        });
    }
    let page = doc.page(page_index)?;
    let field_name = match &details.field_name {
        Some(name) => {
            // A partial name shall not contain a period (ISO 32000-1 clause 12.7.3.2).
            if name.is_empty() || name.contains('.') {
                return Err(PadesError::InvalidFieldName(name.clone()));
            }
            let prefix = format!("{name}.");
            if form
                .fields
                .iter()
                .any(|f| f.name == *name || f.name.starts_with(&prefix))
            {
                return Err(PadesError::FieldNameTaken(name.clone()));
            }
            name.clone()
        }
        None => (1..)
            .map(|n| format!("Signature{n}"))
            .find(|candidate| !form.fields.iter().any(|f| f.name == *candidate))
            .unwrap_or_else(|| "Signature".into()),
    };
    Ok(Target {
        catalog_ref,
        catalog,
        form,
        page,
        field_name,
    })
}
