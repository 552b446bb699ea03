//! Base64 values of the CSC API. The specification says "Base64-encoded" (v1) and some v2 clients
//! send the URL-safe alphabet, padded or not: every one of these is accepted; the service answers
//! in the standard alphabet with padding (RFC 4648 section 4).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use serde::Deserialize;

use super::CscError;

/// A list parameter some clients send as a single string (the v2 `documentDigests/hashes`
/// example does).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn into_vec(self) -> Vec<String> {
        match self {
            Self::One(s) => vec![s],
            Self::Many(v) => v,
        }
    }
}

/// Decodes base64 in any of the four RFC 4648 variants.
pub fn decode(value: &str) -> Option<Vec<u8>> {
    let value = value.trim();
    [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD]
        .into_iter()
        .find_map(|engine| engine.decode(value).ok())
}

pub fn encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// The SHA-256 digests of a `hashes` (v1: `hash`) parameter, at most `max` of them.
pub fn sha256_list(
    values: Option<Vec<String>>,
    name: &str,
    max: usize,
) -> Result<Vec<[u8; 32]>, CscError> {
    let values = values.ok_or_else(|| CscError::missing("array", name))?;
    if values.is_empty() {
        return Err(CscError::invalid(
            "empty_hash_array",
            format!("Empty {name} array"),
        ));
    }
    if values.len() > max {
        return Err(CscError::invalid(
            "too_many_hashes",
            format!(
                "Numbers of signatures is too high: {} hashes, at most {max} (multisign)",
                values.len()
            ),
        ));
    }
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let bytes = decode(v).ok_or_else(|| {
                CscError::invalid(
                    "invalid_base64",
                    format!("Invalid Base64 {name} string parameter (element {i})"),
                )
            })?;
            <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| {
                CscError::invalid(
                    "invalid_digest_length",
                    format!(
                        "Invalid digest value length: element {i} of {name} has {} bytes, a \
                         SHA-256 digest has 32",
                        bytes.len()
                    ),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_base64_variant_is_read() {
        let bytes: Vec<u8> = (0u8..=255).collect();
        for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
            assert_eq!(decode(&engine.encode(&bytes)).unwrap(), bytes);
        }
        assert!(decode("not base64!").is_none());
    }

    #[test]
    fn hash_lists_are_checked() {
        let h = encode(&[7u8; 32]);
        assert_eq!(
            sha256_list(Some(vec![h.clone()]), "hashes", 2).unwrap(),
            vec![[7u8; 32]]
        );
        let e = sha256_list(None, "hash", 2).unwrap_err();
        assert_eq!(
            e.description,
            "Missing (or invalid type) array parameter hash"
        );
        assert_eq!(
            sha256_list(Some(vec![]), "hashes", 2).unwrap_err().code,
            "empty_hash_array"
        );
        assert_eq!(
            sha256_list(Some(vec![h.clone(); 3]), "hashes", 2)
                .unwrap_err()
                .code,
            "too_many_hashes"
        );
        assert_eq!(
            sha256_list(Some(vec![encode(&[1u8; 20])]), "hashes", 2)
                .unwrap_err()
                .code,
            "invalid_digest_length"
        );
        assert_eq!(
            sha256_list(Some(vec!["@@".into()]), "hashes", 2)
                .unwrap_err()
                .code,
            "invalid_base64"
        );
    }
}
