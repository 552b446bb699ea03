//! What the API shows of requests and documents.

use firma_core::{Credential, DocumentFormat, RequestDocument, SigningRequest};
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A document of a request: what the officer sees before authorising (what you see is what you
/// sign: name, kind of atto, format, and the SHA-256 of the exact bytes).
#[derive(Debug, Clone, Serialize)]
pub struct DocumentView {
    pub index: u32,
    pub name: String,
    pub atto: &'static str,
    pub format: &'static str,
    pub level: &'static str,
    pub sha256: String,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RequestView {
    pub id: String,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    pub credential_id: String,
    pub officer_id: String,
    pub created_at: String,
    pub expires_at: String,
    pub documents: Vec<DocumentView>,
}

impl RequestView {
    pub fn new(r: &SigningRequest, c: &Credential, docs: &[RequestDocument]) -> Self {
        Self {
            id: r.id.to_string(),
            status: r.status.code(),
            failure: r.failure.clone(),
            credential_id: c.id.0.to_string(),
            officer_id: c.owner.0.to_string(),
            created_at: rfc3339(r.created_at),
            expires_at: rfc3339(r.expires_at),
            documents: docs
                .iter()
                .map(|d| DocumentView {
                    index: d.index,
                    name: d.name.clone(),
                    atto: d.atto.code(),
                    format: d.format.code(),
                    level: d.level.code(),
                    sha256: hex(&d.digest),
                    status: d.status.code(),
                    signed_at: d.signed_at.map(rfc3339),
                })
                .collect(),
        }
    }
}

/// A signed result, with its media type and a file name for downloads.
pub struct SignedDocument {
    pub media_type: &'static str,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl SignedDocument {
    pub fn new(doc: &RequestDocument, bytes: Vec<u8>) -> Self {
        let base: String = doc
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let file_name = match doc.format {
            DocumentFormat::Pades => {
                if base.to_ascii_lowercase().ends_with(".pdf") {
                    base
                } else {
                    format!("{base}.pdf")
                }
            }
            DocumentFormat::CadesAttached => format!("{base}.p7m"),
            DocumentFormat::CadesDetached | DocumentFormat::Digest => format!("{base}.p7s"),
        };
        Self {
            media_type: doc.format.output_media_type(),
            file_name,
            bytes,
        }
    }
}
