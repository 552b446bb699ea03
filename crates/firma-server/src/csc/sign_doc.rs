//! `signatures/signDoc` (CSC API v2.0 section 11.11): AdES signatures made by the service.
//!
//! - `documents`: a PDF signed in PAdES (`signature_format` `P`, an approval signature in an
//!   incremental update: `signed_envelope_property` `Revision`), or any bytes in CAdES (`C`,
//!   `Attached` by default, or `Detached`);
//! - `documentDigests`: a detached CAdES signature of each SHA-256 digest (`C`, `Detached`);
//! - `conformance_level` `Ades-B-B` (default) or `Ades-B-T` (with the configured TSA).
//!
//! The SAD must cover the SHA-256 of each document (or each digest): the client authorises those
//! hashes first with `credentials/authorize`. Documents are produced exactly as the ANSC API's
//! batches produce them (`signing::Job`). Every document is signed before any is recorded, so a
//! document that cannot be signed (not a PDF...) spends nothing; then each signature is recorded
//! with its audit record while spending one use of the SAD, and only recorded ones are returned.

use std::sync::Arc;

use firma_ades::cms::SignerChain;
use firma_core::{Credential, DocumentFormat, Principal, SignatureAlgorithm, SignatureLevel};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::access::{self, Use};
use super::encoding::OneOrMany;
use super::key::Activated;
use super::{CscError, algorithms, encoding, sad};
use crate::signing::Job;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignDocInput {
    #[serde(rename = "credentialID")]
    pub credential_id: Option<String>,
    pub signature_qualifier: Option<String>,
    #[serde(rename = "SAD")]
    pub sad: Option<String>,
    pub documents: Option<Vec<DocumentInput>>,
    pub document_digests: Option<Vec<DigestInput>>,
    pub operation_mode: Option<String>,
    pub return_validation_info: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
pub struct DocumentInput {
    pub document: Option<String>,
    #[serde(flatten)]
    pub options: Options,
}

#[derive(Debug, Default, Deserialize)]
pub struct DigestInput {
    pub hashes: Option<OneOrMany>,
    #[serde(rename = "hashAlgorithmOID")]
    pub hash_algorithm_oid: Option<String>,
    #[serde(flatten)]
    pub options: Options,
}

/// What to produce, per document.
#[derive(Debug, Default, Deserialize)]
pub struct Options {
    pub signature_format: Option<String>,
    pub conformance_level: Option<String>,
    pub signed_envelope_property: Option<String>,
    #[serde(rename = "signAlgo")]
    pub sign_algo: Option<String>,
    #[serde(rename = "signAlgoParams")]
    pub sign_algo_params: Option<String>,
    pub signed_props: Option<Vec<Value>>,
}

/// One signature to make.
struct Item {
    /// "document 0", "documentDigests 1, hash 0": for messages.
    label: String,
    format: DocumentFormat,
    level: SignatureLevel,
    algorithm: SignatureAlgorithm,
    /// What is signed: the document, or for a digest the 32-byte digest.
    input: Vec<u8>,
    /// What the SAD must allow.
    digest: [u8; 32],
}

pub async fn sign_doc(
    state: &AppState,
    caller: &Principal,
    input: SignDocInput,
) -> Result<Value, CscError> {
    if input.credential_id.is_none() && input.signature_qualifier.is_some() {
        return Err(CscError::missing(
            "string",
            "credentialID (a signatureQualifier alone does not choose a credential here)",
        ));
    }
    let owned =
        access::credential(state, caller, input.credential_id.as_deref(), Use::Sign).await?;
    access::require_enabled(&owned)?;
    super::sign_hash::synchronous_only(input.operation_mode.as_deref())?;
    if input.return_validation_info == Some(true) {
        return Err(CscError::invalid_parameter(
            "returnValidationInfo",
            "validation information is not returned by this service",
        ));
    }
    let credential = &owned.credential;
    let items = items(state, credential, input.documents, input.document_digests)?;
    let digests: Vec<[u8; 32]> = items.iter().map(|i| i.digest).collect();
    let sad = sad::check(state, caller, credential, input.sad.as_deref(), &digests).await?;

    let chain = SignerChain::from_der(
        credential
            .certificate_chain
            .first()
            .map(Vec::as_slice)
            .unwrap_or_default(),
        credential.certificate_chain.iter().skip(1),
    )
    .map(Arc::new)
    .map_err(|e| CscError::internal(format!("the credential's certificate chain: {e}")))?;
    let key = Activated::new(state, credential).await?;
    let signing_time = state.clock.now();
    let tsa = state.signing.tsa();
    let mut outputs = Vec::with_capacity(items.len());
    for (n, item) in items.iter().enumerate() {
        let job = Job {
            key: key.key()?,
            chain: chain.clone(),
            credential: Arc::new(Credential {
                algorithm: item.algorithm,
                ..credential.clone()
            }),
            tsa: tsa.clone(),
            // The first signature is checked against the certificate, as in a batch.
            self_check: n == 0,
            format: item.format,
            level: item.level,
            signing_time,
            validation: Some(state.signing.validation()),
        };
        let input = item.input.clone();
        let output = tokio::task::spawn_blocking(move || job.sign(&input))
            .await
            .map_err(|e| CscError::internal(format!("signing worker failed: {e}")))?
            .map_err(|e| {
                CscError::invalid(e.code, format!("{} cannot be signed: {e}", item.label))
            })?;
        outputs.push(output);
    }
    drop(key);

    let mut enveloped = Vec::new();
    let mut detached = Vec::new();
    for (item, output) in items.iter().zip(outputs) {
        let event = sad::signature_event(caller, credential, &sad, "signDoc", &item.digest)
            .with("format", item.format.code())
            .with("level", item.level.code());
        sad::spend(state, caller, credential, &sad, event).await?;
        match item.format {
            DocumentFormat::Pades | DocumentFormat::CadesAttached => {
                enveloped.push(encoding::encode(&output))
            }
            DocumentFormat::CadesDetached | DocumentFormat::Digest => {
                detached.push(encoding::encode(&output))
            }
        }
    }
    let mut body = Map::new();
    if !enveloped.is_empty() {
        body.insert("DocumentWithSignature".into(), json!(enveloped));
    }
    if !detached.is_empty() {
        body.insert("SignatureObject".into(), json!(detached));
    }
    Ok(Value::Object(body))
}

/// The signatures asked for, checked before anything is signed.
fn items(
    state: &AppState,
    credential: &Credential,
    documents: Option<Vec<DocumentInput>>,
    digests: Option<Vec<DigestInput>>,
) -> Result<Vec<Item>, CscError> {
    let settings = state.signing.settings();
    let max = super::multisign(state);
    let documents = documents.unwrap_or_default();
    let digests = digests.unwrap_or_default();
    if documents.is_empty() && digests.is_empty() {
        return Err(CscError::invalid(
            "missing_parameter",
            "Empty documentDigests and documents objects: send the documents to sign",
        ));
    }
    let mut items = Vec::new();
    for (i, d) in documents.into_iter().enumerate() {
        let label = format!("document {i}");
        let content = d
            .document
            .ok_or_else(|| CscError::missing("string", &format!("document ({label})")))?;
        let bytes = encoding::decode(&content).ok_or_else(|| {
            CscError::invalid(
                "invalid_base64",
                format!("Invalid Base64 documents string parameter ({label})"),
            )
        })?;
        if bytes.len() > settings.max_document_bytes {
            return Err(CscError::invalid(
                "document_too_large",
                format!(
                    "{label} has {} bytes, more than the {} accepted",
                    bytes.len(),
                    settings.max_document_bytes
                ),
            ));
        }
        let (format, level, algorithm) = options(&d.options, credential, &label, false)?;
        items.push(Item {
            label,
            format,
            level,
            algorithm,
            digest: Sha256::digest(&bytes).into(),
            input: bytes,
        });
    }
    for (i, d) in digests.into_iter().enumerate() {
        let (format, level, algorithm) = options(
            &d.options,
            credential,
            &format!("documentDigests {i}"),
            true,
        )?;
        algorithms::require_sha256(d.hash_algorithm_oid.as_deref(), "hashAlgorithmOID")?;
        let hashes = encoding::sha256_list(d.hashes.map(OneOrMany::into_vec), "hashes", max)?;
        for (j, digest) in hashes.into_iter().enumerate() {
            items.push(Item {
                label: format!("documentDigests {i}, hash {j}"),
                format,
                level,
                algorithm,
                input: digest.to_vec(),
                digest,
            });
        }
    }
    if items.len() > max {
        return Err(CscError::invalid(
            "too_many_signatures",
            format!(
                "Numbers of signatures is too high: {}, at most {max} (multisign)",
                items.len()
            ),
        ));
    }
    Ok(items)
}

/// Format, level and algorithm of one entry. `digest`: the entry is a digest, not a document.
fn options(
    o: &Options,
    credential: &Credential,
    label: &str,
    digest: bool,
) -> Result<(DocumentFormat, SignatureLevel, SignatureAlgorithm), CscError> {
    if o.signed_props.as_ref().is_some_and(|p| !p.is_empty()) {
        return Err(CscError::invalid_parameter(
            "signed_props",
            format!("{label}: signed properties cannot be chosen; leave signed_props out"),
        ));
    }
    let envelope = o.signed_envelope_property.as_deref();
    let format = match (o.signature_format.as_deref(), envelope, digest) {
        (None, _, _) => {
            return Err(CscError::missing(
                "string",
                &format!("signature_format ({label})"),
            ));
        }
        (Some("P"), _, true) => {
            return Err(CscError::invalid_parameter(
                "signature_format",
                format!("{label}: PAdES needs the PDF itself: send it in documents"),
            ));
        }
        (Some("P"), None | Some("Revision"), false) => DocumentFormat::Pades,
        (Some("C"), None | Some("Detached"), true) => DocumentFormat::Digest,
        (Some("C"), None | Some("Attached"), false) => DocumentFormat::CadesAttached,
        (Some("C"), Some("Detached"), false) => DocumentFormat::CadesDetached,
        (Some("P" | "C"), Some(other), _) => {
            return Err(CscError::invalid_parameter(
                "signed_envelope_property",
                format!(
                    "{label}: {other:?} is not offered; PAdES: Revision (an approval signature); \
                     CAdES: Attached or Detached (digests: Detached)"
                ),
            ));
        }
        (Some(other), _, _) => {
            return Err(CscError::invalid_parameter(
                "signature_format",
                format!("{label}: {other:?} is not offered; use P (PAdES) or C (CAdES)"),
            ));
        }
    };
    let level = match o.conformance_level.as_deref().map(str::to_ascii_lowercase) {
        None => SignatureLevel::BB,
        Some(l) if l == "ades-b-b" || l == "ades-b" => SignatureLevel::BB,
        Some(l) if l == "ades-b-t" || l == "ades-t" => SignatureLevel::BT,
        Some(l) if l == "ades-b-lt" || l == "ades-lt" => SignatureLevel::BLt,
        Some(l) if l == "ades-b-lta" || l == "ades-lta" => SignatureLevel::BLta,
        Some(other) => {
            return Err(CscError::invalid_parameter(
                "conformance_level",
                format!(
                    "{label}: {other:?} is not offered; use Ades-B-B, Ades-B-T, Ades-B-LT or Ades-B-LTA"
                ),
            ));
        }
    };
    if level == SignatureLevel::BLta && format != DocumentFormat::Pades {
        return Err(CscError::invalid_parameter(
            "conformance_level",
            format!("{label}: Ades-B-LTA is offered for PAdES only; CAdES goes up to Ades-B-LT"),
        ));
    }
    let algorithm = match o.sign_algo.as_deref() {
        None => credential.algorithm,
        Some(_) => algorithms::signature_algorithm(
            o.sign_algo.as_deref(),
            None,
            o.sign_algo_params.as_deref(),
            credential.key.spec(),
            "hashAlgorithmOID",
        )?,
    };
    Ok((format, level, algorithm))
}
