//! The PDF object model (ISO 32000-1 clause 7.3): the eight basic types plus indirect
//! references. Streams keep only their dictionary and the position of their raw data in the
//! input, so parsing never copies stream contents.

use std::ops::Range;

/// An indirect reference `N G R` (ISO 32000-1 clause 7.3.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjRef {
    pub num: u32,
    pub generation: u16,
}

impl ObjRef {
    pub fn new(num: u32, generation: u16) -> Self {
        Self { num, generation }
    }
}

/// A name object (clause 7.3.5), stored decoded (`#xx` escapes resolved), without the slash.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Name(pub Vec<u8>);

impl Name {
    pub fn new(s: &str) -> Self {
        Self(s.as_bytes().to_vec())
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// A string object (clause 7.3.4), stored decoded; `hex` remembers the written form so that a
/// rewritten object keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfString {
    pub bytes: Vec<u8>,
    pub hex: bool,
}

impl PdfString {
    pub fn literal(bytes: impl Into<Vec<u8>>) -> Self {
        Self {
            bytes: bytes.into(),
            hex: false,
        }
    }

    pub fn hex(bytes: impl Into<Vec<u8>>) -> Self {
        Self {
            bytes: bytes.into(),
            hex: true,
        }
    }
}

/// A direct object. Streams are never direct (clause 7.3.8), so they are not a variant here:
/// see [`Stream`].
#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    Null,
    Bool(bool),
    Int(i64),
    Real(f64),
    String(PdfString),
    Name(Name),
    Array(Vec<Object>),
    Dict(Dict),
    Ref(ObjRef),
}

impl Object {
    pub fn name(s: &str) -> Self {
        Self::Name(Name::new(s))
    }

    pub fn as_dict(&self) -> Option<&Dict> {
        match self {
            Self::Dict(d) => Some(d),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Object]> {
        match self {
            Self::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Self::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// A number of either kind (clause 7.3.3).
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Self::Int(i) => Some(*i as f64),
            Self::Real(r) => Some(*r),
            _ => None,
        }
    }

    pub fn as_name(&self) -> Option<&[u8]> {
        match self {
            Self::Name(n) => Some(&n.0),
            _ => None,
        }
    }

    pub fn as_ref(&self) -> Option<ObjRef> {
        match self {
            Self::Ref(r) => Some(*r),
            _ => None,
        }
    }

    pub fn as_string(&self) -> Option<&[u8]> {
        match self {
            Self::String(s) => Some(&s.bytes),
            _ => None,
        }
    }
}

/// A dictionary (clause 7.3.7). Entries keep their order so that a rewritten dictionary differs
/// from the original only where it was changed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dict(pub Vec<(Name, Object)>);

impl Dict {
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// The value of `key`; a key whose value is null counts as absent (clause 7.3.7).
    pub fn get(&self, key: &str) -> Option<&Object> {
        self.0
            .iter()
            .find(|(k, _)| k.0 == key.as_bytes())
            .map(|(_, v)| v)
            .filter(|v| !matches!(v, Object::Null))
    }

    pub fn get_name(&self, key: &str) -> Option<&[u8]> {
        self.get(key).and_then(Object::as_name)
    }

    pub fn get_int(&self, key: &str) -> Option<i64> {
        self.get(key).and_then(Object::as_int)
    }

    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key`, replacing the first existing entry in place or appending a new one.
    pub fn set(&mut self, key: &str, value: Object) {
        match self.0.iter_mut().find(|(k, _)| k.0 == key.as_bytes()) {
            Some(entry) => entry.1 = value,
            None => self.0.push((Name::new(key), value)),
        }
    }

    pub fn remove(&mut self, key: &str) {
        self.0.retain(|(k, _)| k.0 != key.as_bytes());
    }

    pub fn iter(&self) -> impl Iterator<Item = &(Name, Object)> {
        self.0.iter()
    }
}

/// A stream (clause 7.3.8): its dictionary and where its raw (still encoded) bytes lie in the
/// input.
#[derive(Debug, Clone, PartialEq)]
pub struct Stream {
    pub dict: Dict,
    pub data: Range<usize>,
}

/// The value of an indirect object: a direct object or a stream.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Indirect {
    Object(Object),
    Stream(Stream),
}
