//! `signatures/signHash` (CSC API v2.0 section 11.10, v1.0.4 section 11.9): raw signatures of
//! hashes the officer authorised. ECDSA signatures are DER `ECDSA-Sig-Value` (RFC 5480 section
//! 2.2 / RFC 5758 section 3.2, what CMS embeds); RSA ones the modulus-length integer (RFC 8017
//! sections 8.1 and 8.2).

use firma_core::Principal;
use serde::Deserialize;
use serde_json::{Value, json};

use super::access::{self, Use};
use super::key::Activated;
use super::{CscError, algorithms, encoding, sad};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignHashInput {
    #[serde(rename = "credentialID")]
    pub credential_id: Option<String>,
    #[serde(rename = "SAD")]
    pub sad: Option<String>,
    /// v2.
    pub hashes: Option<Vec<String>>,
    /// v1.
    pub hash: Option<Vec<String>>,
    /// v2.
    #[serde(rename = "hashAlgorithmOID")]
    pub hash_algorithm_oid: Option<String>,
    /// v1.
    pub hash_algo: Option<String>,
    pub sign_algo: Option<String>,
    pub sign_algo_params: Option<String>,
    pub operation_mode: Option<String>,
}

pub async fn sign_hash(
    state: &AppState,
    caller: &Principal,
    input: SignHashInput,
) -> Result<Value, CscError> {
    let owned =
        access::credential(state, caller, input.credential_id.as_deref(), Use::Sign).await?;
    access::require_enabled(&owned)?;
    synchronous_only(input.operation_mode.as_deref())?;
    let (values, name) = match (input.hashes, input.hash) {
        (Some(_), Some(_)) => {
            return Err(CscError::invalid_parameter(
                "hashes",
                "send either hashes (v2) or hash (v1), not both",
            ));
        }
        (Some(h), None) => (Some(h), "hashes"),
        (None, h) => (h, "hash"),
    };
    let hashes = encoding::sha256_list(values, name, super::multisign(state))?;
    let (hash_oid, hash_parameter) = match (&input.hash_algorithm_oid, &input.hash_algo) {
        (Some(oid), _) => (Some(oid.as_str()), "hashAlgorithmOID"),
        (None, oid) => (oid.as_deref(), "hashAlgo"),
    };
    let credential = &owned.credential;
    let algorithm = algorithms::signature_algorithm(
        input.sign_algo.as_deref(),
        hash_oid,
        input.sign_algo_params.as_deref(),
        credential.key.spec(),
        hash_parameter,
    )?;
    let sad = sad::check(state, caller, credential, input.sad.as_deref(), &hashes).await?;
    let key = Activated::new(state, credential).await?;
    let sign_algo = input.sign_algo.unwrap_or_default();
    let mut signatures = Vec::with_capacity(hashes.len());
    for hash in &hashes {
        let signature = key.sign(algorithm, *hash).await?;
        let event = sad::signature_event(caller, credential, &sad, "signHash", hash)
            .with("sign_algo", &sign_algo);
        // Recorded (and the SAD spent) before it is returned; refused: nothing further is signed.
        sad::spend(state, caller, credential, &sad, event).await?;
        signatures.push(encoding::encode(&signature));
    }
    Ok(json!({ "signatures": signatures }))
}

/// Only synchronous signing (`operationMode` `S`, the default) is offered.
pub fn synchronous_only(mode: Option<&str>) -> Result<(), CscError> {
    match mode {
        None | Some("S") => Ok(()),
        Some(other) => Err(CscError::invalid_parameter(
            "operationMode",
            format!("{other:?}: only synchronous signing (\"S\") is offered"),
        )),
    }
}
