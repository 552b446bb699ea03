//! The page tree (ISO 32000-1 clause 7.7.3): finding page N without loading the others, with
//! inherited attributes (clause 7.7.3.4, Table 30).

use std::collections::HashSet;

use super::document::Document;
use super::error::PdfError;
use super::object::{Dict, ObjRef, Object};

/// Page trees deeper than this are refused (real trees are a few levels deep).
const MAX_TREE_DEPTH: usize = 64;

/// One page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The page object, which an update rewrites to add an annotation.
    pub reference: ObjRef,
    pub dict: Dict,
    /// /MediaBox, inherited if needed, normalised to `[llx lly urx ury]` (clause 7.9.5).
    pub media_box: [f64; 4],
    /// /Rotate, inherited if needed (0, 90, 180 or 270).
    pub rotate: i64,
}

impl Document<'_> {
    /// /Count of the root of the page tree.
    pub fn page_count(&self) -> Result<usize, PdfError> {
        let (_, catalog) = self.catalog()?;
        let root = self
            .get_dict_in(&catalog, "Pages")?
            .ok_or_else(|| PdfError::damaged("the catalog has no /Pages tree"))?;
        Ok(root
            .get_int("Count")
            .and_then(|c| usize::try_from(c).ok())
            .unwrap_or(0))
    }

    /// Page `index` (0-based), descending by the /Count of each intermediate node.
    pub fn page(&self, index: usize) -> Result<Page, PdfError> {
        let (_, catalog) = self.catalog()?;
        let mut node_ref = catalog
            .get("Pages")
            .and_then(Object::as_ref)
            .ok_or_else(|| PdfError::damaged("the catalog has no /Pages reference"))?;
        let mut remaining = index;
        let mut visited = HashSet::new();
        let mut inherited = Inherited::default();
        for _ in 0..MAX_TREE_DEPTH {
            if !visited.insert(node_ref) {
                return Err(PdfError::damaged("the page tree contains a loop"));
            }
            let node = match self.get(node_ref)? {
                Object::Dict(d) => d,
                _ => return Err(PdfError::damaged("a page tree node is not a dictionary")),
            };
            inherited.absorb(self, &node)?;
            if !is_pages_node(&node) {
                if remaining != 0 {
                    break;
                }
                return inherited.into_page(node_ref, node);
            }
            let kids = match self.get_in(&node, "Kids")? {
                Object::Array(k) => k,
                _ => return Err(PdfError::damaged("a /Pages node has no /Kids array")),
            };
            let mut next = None;
            for kid in &kids {
                let Some(kid_ref) = kid.as_ref() else {
                    continue;
                };
                let kid_dict = match self.get(kid_ref)? {
                    Object::Dict(d) => d,
                    _ => continue,
                };
                let count = if is_pages_node(&kid_dict) {
                    kid_dict
                        .get_int("Count")
                        .and_then(|c| usize::try_from(c).ok())
                        .unwrap_or(0)
                } else {
                    1
                };
                if remaining < count {
                    next = Some(kid_ref);
                    break;
                }
                remaining -= count;
            }
            match next {
                Some(n) => node_ref = n,
                None => break,
            }
        }
        Err(PdfError::damaged(format!(
            "page {} is not in the page tree",
            index.saturating_add(1)
        )))
    }
}

/// An intermediate node of the page tree (/Type /Pages, or untyped with /Kids).
fn is_pages_node(node: &Dict) -> bool {
    match node.get_name("Type") {
        Some(t) => t == b"Pages",
        None => node.contains("Kids"),
    }
}

/// Attributes inherited from ancestors (clause 7.7.3.4).
#[derive(Default)]
struct Inherited {
    media_box: Option<[f64; 4]>,
    rotate: Option<i64>,
}

impl Inherited {
    fn absorb(&mut self, doc: &Document<'_>, node: &Dict) -> Result<(), PdfError> {
        if let Object::Array(a) = doc.get_in(node, "MediaBox")? {
            let nums: Vec<f64> = a.iter().filter_map(Object::as_number).collect();
            if let [a, b, c, d] = nums[..] {
                self.media_box = Some([a.min(c), b.min(d), a.max(c), b.max(d)]);
            }
        }
        if let Object::Int(r) = doc.get_in(node, "Rotate")? {
            self.rotate = Some(r.rem_euclid(360));
        }
        Ok(())
    }

    fn into_page(self, reference: ObjRef, dict: Dict) -> Result<Page, PdfError> {
        Ok(Page {
            reference,
            dict,
            // A page without a usable /MediaBox is shown as US Letter by common viewers.
            media_box: self.media_box.unwrap_or([0.0, 0.0, 612.0, 792.0]),
            rotate: self.rotate.unwrap_or(0),
        })
    }
}
