//! Who may use which credential through the CSC API, with every refusal audited.
//!
//! - Signing methods (`credentials/sendOTP`, `credentials/authorize`, `signatures/*`): only the
//!   officer who owns the credential (sole control, CEN EN 419 241-1 SRA_SAP).
//! - Reading (`credentials/list`, `credentials/info`): the officer for their own credentials, and
//!   ANSC core for any officer's (it submits signing requests for them).
//! - Any other role: 403 `access_denied`.
//!
//! Another officer's credential is answered like one that does not exist ("Invalid parameter
//! credentialID", as CSC API section 11.5 has it), so that credentials cannot be probed; the
//! attempt is audited all the same.

use std::str::FromStr;

use firma_core::otp::OtpDevice;
use firma_core::{Credential, CredentialId, DirectoryStore, Principal, Role, Ufficiale};

use super::CscError;
use crate::state::AppState;

/// A credential with its officer and the officer's OTP device.
pub struct OwnedCredential {
    pub credential: Credential,
    pub officer: Ufficiale,
    pub device: Option<OtpDevice>,
}

/// What the caller wants to do with the credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    Read,
    Sign,
}

/// Records a refused call in the audit log (who, what, why).
pub async fn audit_denial(state: &AppState, caller: &Principal, subject: &str, reason: &str) {
    crate::auth::audit_refusal(&state.db, state.clock.as_ref(), caller, subject, reason).await;
}

/// Refuses (audited) a caller whose role may not `what`.
pub async fn require_role(
    state: &AppState,
    caller: &Principal,
    allowed: &[Role],
    what: &str,
) -> Result<(), CscError> {
    if allowed.contains(&caller.role) {
        return Ok(());
    }
    let reason = format!("the role {} may not {what}", caller.role.code());
    audit_denial(state, caller, &format!("csc:{what}"), &reason).await;
    Err(CscError::access_denied(format!(
        "{reason}: only {} may",
        allowed
            .iter()
            .map(|r| r.code())
            .collect::<Vec<_>>()
            .join(" or ")
    )))
}

/// Loads `credentialID` if the caller may `use` it.
pub async fn credential(
    state: &AppState,
    caller: &Principal,
    credential_id: Option<&str>,
    use_: Use,
) -> Result<OwnedCredential, CscError> {
    let allowed: &[Role] = match use_ {
        Use::Read => &[Role::Ufficiale, Role::AnscCore],
        Use::Sign => &[Role::Ufficiale],
    };
    let what = match use_ {
        Use::Read => "read credentials",
        Use::Sign => "sign with a credential",
    };
    require_role(state, caller, allowed, what).await?;
    let raw = credential_id.ok_or_else(|| CscError::missing("string", "credentialID"))?;
    let unknown = || {
        CscError::invalid(
            "unknown_credential",
            format!("Invalid parameter credentialID: no credential {raw:?} of yours"),
        )
    };
    let Ok(id) = uuid::Uuid::from_str(raw).map(CredentialId) else {
        return Err(unknown());
    };
    let Some(credential) = state.db.credential(id).await? else {
        return Err(unknown());
    };
    let visible =
        caller.is_officer(credential.owner) || (use_ == Use::Read && caller.role == Role::AnscCore);
    if !visible {
        audit_denial(
            state,
            caller,
            &format!("credential:{}", credential.id.0),
            "not the officer who owns the credential",
        )
        .await;
        return Err(unknown());
    }
    let (officer, device) = state.db.ufficiale(credential.owner).await?.ok_or_else(|| {
        CscError::internal(format!("credential {} has no officer", credential.id.0))
    })?;
    Ok(OwnedCredential {
        credential,
        officer,
        device,
    })
}

/// Refuses a credential that cannot sign now (no certificate yet, suspended, revoked).
pub fn require_enabled(owned: &OwnedCredential) -> Result<(), CscError> {
    if owned.credential.can_sign() {
        Ok(())
    } else {
        Err(CscError::invalid(
            "credential_disabled",
            format!(
                "The credential identified by credentialID is disabled ({})",
                owned.credential.status.code()
            ),
        ))
    }
}
