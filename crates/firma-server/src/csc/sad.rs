//! Spending Signature Activation Data in `signatures/signHash` and `signatures/signDoc`: every
//! hash must be allowed by the SAD before anything is signed, and each signature is recorded with
//! its audit record in the transaction that spends one use of the SAD. A signature whose record
//! is refused (count used up, SAD expired meanwhile) is never returned: it does not exist.

use firma_core::{
    AuditEvent, AuditKind, Credential, Principal, RecordOutcome, Sad, SadError, SigningStore,
};

use super::CscError;
use super::access::audit_denial;
use crate::state::AppState;

/// The SAD named by the client, if it allows one signature of each of `hashes` (counted with
/// repetitions) with `credential` now. Every refusal is audited.
pub async fn check(
    state: &AppState,
    caller: &Principal,
    credential: &Credential,
    sad: Option<&str>,
    hashes: &[[u8; 32]],
) -> Result<Sad, CscError> {
    let id = sad.ok_or_else(|| CscError::missing("string", "SAD"))?;
    let Some(sad) = state.db.sad(id).await? else {
        audit_denial(
            state,
            caller,
            &format!("credential:{}", credential.id.0),
            "unknown SAD",
        )
        .await;
        return Err(CscError::invalid(
            "sad_unknown",
            "Invalid parameter SAD: no such Signature Activation Data; authorise with \
             credentials/authorize",
        ));
    };
    let now = state.clock.now();
    let refused = hashes
        .iter()
        .find_map(|h| sad.allows(credential.id, h, now).err())
        .or_else(|| (hashes.len() > sad.remaining as usize).then_some(SadError::Exhausted));
    if let Some(refused) = refused {
        refuse(state, caller, credential, &sad, refused).await;
        let mut error = CscError::sad(refused);
        if refused == SadError::Exhausted {
            error.description = format!(
                "{}; it allows {} more signatures, {} asked",
                error.description,
                sad.remaining,
                hashes.len()
            );
        }
        return Err(error);
    }
    Ok(sad)
}

/// Records a signature of `hash` made under `sad`, spending one use of it, with `event` (its
/// audit record). Refused: the SAD expired or was used up meanwhile.
pub async fn spend(
    state: &AppState,
    caller: &Principal,
    credential: &Credential,
    sad: &Sad,
    event: AuditEvent,
) -> Result<(), CscError> {
    let at = state.clock.now();
    match state
        .db
        .record_signature(&sad.id, None, &[event], at)
        .await?
    {
        RecordOutcome::Recorded { .. } => Ok(()),
        RecordOutcome::SadRefused => {
            // A revocation or suspension spends the SAD: say so rather than "exhausted".
            if let Some(refusal) =
                crate::revocation::current_refusal(&state.db, credential.id).await?
            {
                let reason = format!("credential_disabled (SAD {}): {refusal}", sad.id);
                audit_denial(
                    state,
                    caller,
                    &format!("credential:{}", credential.id.0),
                    &reason,
                )
                .await;
                return Err(CscError::invalid(
                    "credential_disabled",
                    format!("The credential identified by credentialID is disabled: {refusal}"),
                ));
            }
            let refused = if at >= sad.expires_at {
                SadError::Expired
            } else {
                SadError::Exhausted
            };
            refuse(state, caller, credential, sad, refused).await;
            Err(CscError::sad(refused))
        }
        RecordOutcome::AlreadySigned => Err(CscError::internal(
            "a signature without a document was reported as already signed",
        )),
    }
}

/// The audit record of a signature made through the CSC API.
pub fn signature_event(
    caller: &Principal,
    credential: &Credential,
    sad: &Sad,
    method: &str,
    hash: &[u8; 32],
) -> AuditEvent {
    AuditEvent::new(
        AuditKind::SignatureCreated,
        caller.actor(),
        format!("credential:{}", credential.id.0),
    )
    .with("api", "csc")
    .with("method", method)
    .with("credential", credential.id.0)
    .with("sha256", hex(hash))
    .with("sad", &sad.id)
}

async fn refuse(
    state: &AppState,
    caller: &Principal,
    credential: &Credential,
    sad: &Sad,
    refused: SadError,
) {
    audit_denial(
        state,
        caller,
        &format!("credential:{}", credential.id.0),
        &format!("{} (SAD {}): {refused}", refused.code(), sad.id),
    )
    .await;
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
