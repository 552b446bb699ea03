//! A small, bounded XML tree over `quick-xml`: no DTD (a DOCTYPE is refused), no entity
//! other than the five predefined ones and character references, bounded depth and element
//! count. Element and attribute names are reduced to their local names (PSKC files use the
//! default namespace or a `pskc:` prefix interchangeably).

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use zeroize::Zeroize;

use crate::pskc::error::PskcError;

/// Deeper than any PSKC file (KeyContainer/KeyPackage/Key/Data/Secret/EncryptedValue/CipherData/
/// CipherValue is 8).
pub(crate) const MAX_DEPTH: usize = 32;

/// One element. Its text is zeroized on drop (it may be a base64 secret).
#[derive(Debug, Default)]
pub(crate) struct Element {
    pub(crate) name: String,
    pub(crate) attrs: Vec<(String, String)>,
    pub(crate) children: Vec<Element>,
    pub(crate) text: String,
}

impl Drop for Element {
    fn drop(&mut self) {
        self.text.zeroize();
    }
}

impl Element {
    /// The first child named `name`.
    pub(crate) fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All children named `name`.
    pub(crate) fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Follows a path of child names.
    pub(crate) fn path(&self, names: &[&str]) -> Option<&Element> {
        names.iter().try_fold(self, |e, name| e.child(name))
    }

    /// An attribute by local name.
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The text with surrounding XML whitespace removed.
    pub(crate) fn trimmed_text(&self) -> &str {
        self.text.trim_matches(is_xml_space)
    }
}

pub(crate) fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Parses `input` into its root element.
pub(crate) fn parse(input: &str, max_elements: usize) -> Result<Element, PskcError> {
    let mut reader = Reader::from_str(input);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut count = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| PskcError::Xml {
            position: reader.error_position(),
            message: e.to_string(),
        })?;
        match event {
            Event::Start(start) => {
                if root.is_some() {
                    return Err(second_root(&reader));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(PskcError::TooDeep { limit: MAX_DEPTH });
                }
                count += 1;
                if count > max_elements {
                    return Err(PskcError::TooManyElements {
                        limit: max_elements,
                    });
                }
                stack.push(element(&start, &reader)?);
            }
            Event::Empty(start) => {
                if root.is_some() {
                    return Err(second_root(&reader));
                }
                count += 1;
                if count > max_elements {
                    return Err(PskcError::TooManyElements {
                        limit: max_elements,
                    });
                }
                let e = element(&start, &reader)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(e),
                    None => root = Some(e),
                }
            }
            Event::End(_) => {
                // check_end_names guarantees a matching start.
                let Some(done) = stack.pop() else {
                    return Err(xml_error(&reader, "unexpected end tag"));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Text(text) => {
                let content = text.xml10_content().map_err(|e| PskcError::Xml {
                    position: reader.buffer_position(),
                    message: e.to_string(),
                })?;
                push_text(&mut stack, &content, &reader)?;
            }
            Event::CData(cdata) => {
                let content = cdata.decode().map_err(|e| PskcError::Xml {
                    position: reader.buffer_position(),
                    message: e.to_string(),
                })?;
                push_text(&mut stack, &content, &reader)?;
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => {
                        let name = reference.decode().map_err(|e| PskcError::Xml {
                            position: reader.buffer_position(),
                            message: e.to_string(),
                        })?;
                        match resolve_predefined_entity(&name) {
                            Some(s) => s.to_string(),
                            None => {
                                return Err(PskcError::UnknownEntity {
                                    name: name.chars().take(64).collect(),
                                });
                            }
                        }
                    }
                    Err(e) => return Err(xml_error(&reader, &e.to_string())),
                };
                push_text(&mut stack, &resolved, &reader)?;
            }
            Event::DocType(_) => return Err(PskcError::Doctype),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(xml_error(&reader, "the document ends inside an element"));
    }
    root.ok_or_else(|| xml_error(&reader, "no root element"))
}

fn element(start: &BytesStart<'_>, reader: &Reader<&[u8]>) -> Result<Element, PskcError> {
    let name = utf8(start.local_name().as_ref(), reader)?;
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| xml_error(reader, &e.to_string()))?;
        let qualified = attr.key.as_ref();
        if qualified == b"xmlns" || qualified.starts_with(b"xmlns:") {
            continue;
        }
        let key = utf8(attr.key.local_name().as_ref(), reader)?;
        let value = attr
            .unescape_value()
            .map_err(|e| xml_error(reader, &e.to_string()))?;
        attrs.push((key, value.into_owned()));
    }
    Ok(Element {
        name,
        attrs,
        children: Vec::new(),
        text: String::new(),
    })
}

fn push_text(stack: &mut [Element], text: &str, reader: &Reader<&[u8]>) -> Result<(), PskcError> {
    match stack.last_mut() {
        Some(current) => {
            current.text.push_str(text);
            Ok(())
        }
        None if text.chars().all(is_xml_space) => Ok(()),
        None => Err(xml_error(reader, "text outside the root element")),
    }
}

fn utf8(bytes: &[u8], reader: &Reader<&[u8]>) -> Result<String, PskcError> {
    std::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|_| xml_error(reader, "a name is not UTF-8"))
}

fn second_root(reader: &Reader<&[u8]>) -> PskcError {
    xml_error(reader, "a second root element")
}

fn xml_error(reader: &Reader<&[u8]>, message: &str) -> PskcError {
    PskcError::Xml {
        position: reader.buffer_position(),
        message: message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_names_text_and_entities() {
        let root = parse(
            concat!(
                "<?xml version=\"1.0\"?><p:a xmlns:p=\"urn:x\" p:k=\"v&amp;w\">",
                "<p:b>x &lt; y &#65;<![CDATA[<z>]]></p:b><c/></p:a>"
            ),
            100,
        )
        .unwrap();
        assert_eq!(root.name, "a");
        assert_eq!(root.attr("k"), Some("v&w"));
        assert_eq!(root.attrs.len(), 1);
        assert_eq!(root.child("b").map(|b| b.text.as_str()), Some("x < y A<z>"));
        assert!(root.child("c").is_some());
        assert!(root.path(&["b"]).is_some());
    }

    #[test]
    fn refusals() {
        assert_eq!(
            parse("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", 100).err(),
            Some(PskcError::Doctype)
        );
        assert_eq!(
            parse("<a>&x;</a>", 100).err(),
            Some(PskcError::UnknownEntity { name: "x".into() })
        );
        assert!(matches!(
            parse("<a><b></a>", 100),
            Err(PskcError::Xml { .. })
        ));
        assert!(matches!(parse("<a>", 100), Err(PskcError::Xml { .. })));
        assert!(matches!(parse("", 100), Err(PskcError::Xml { .. })));
        assert!(matches!(parse("<a/><b/>", 100), Err(PskcError::Xml { .. })));
        assert!(matches!(parse("x<a/>", 100), Err(PskcError::Xml { .. })));
        assert_eq!(
            parse("<a><b/><b/><b/></a>", 3).err(),
            Some(PskcError::TooManyElements { limit: 3 })
        );
        let deep = format!(
            "{}{}",
            "<a>".repeat(MAX_DEPTH + 1),
            "</a>".repeat(MAX_DEPTH + 1)
        );
        assert_eq!(
            parse(&deep, 1000).err(),
            Some(PskcError::TooDeep { limit: MAX_DEPTH })
        );
    }
}
