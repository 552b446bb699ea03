//! `credentials/sendOTP` and `credentials/authorize` (CSC API v2.0 sections 11.6 and 11.11 of
//! v1.0.4): the officer's OTP unlocks Signature Activation Data bound to the credential, exactly
//! the hashes to sign and their number, for a few minutes (SCAL2: CEN EN 419 241-1, the SAD binds
//! the signer's authorisation to the data to be signed).
//!
//! SMS codes are bound to the purpose `csc:<credential id>`: a code sent for one credential does
//! not authorise another, and a code authorises once.

use firma_core::otp::{OtpDevice, OtpOutcome};
use firma_core::{AuditEvent, AuditKind, Principal, Sad, SigningStore};
use serde::Deserialize;
use serde_json::{Value, json};

use super::access::{self, OwnedCredential, Use};
use super::{CscError, algorithms, encoding};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct SendOtpInput {
    #[serde(rename = "credentialID")]
    pub credential_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizeInput {
    #[serde(rename = "credentialID")]
    pub credential_id: Option<String>,
    pub num_signatures: Option<u64>,
    /// v2.
    pub hashes: Option<Vec<String>>,
    /// v1.
    pub hash: Option<Vec<String>>,
    /// v2.
    #[serde(rename = "hashAlgorithmOID")]
    pub hash_algorithm_oid: Option<String>,
    /// Some v1 clients send the hash algorithm under its signHash name.
    pub hash_algo: Option<String>,
    /// v2: `[{"id": "OTP", "value": "123456"}]`.
    pub auth_data: Option<Vec<AuthObject>>,
    /// v1.
    #[serde(rename = "OTP")]
    pub otp: Option<String>,
    /// v1. The credentials have no PIN (`PIN/presence` is `false`): a PIN sent anyway is ignored.
    #[serde(rename = "PIN")]
    pub pin: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct AuthObject {
    pub id: String,
    pub value: String,
}

/// The purpose SMS codes and SADs of the CSC API are bound to.
pub fn purpose(owned: &OwnedCredential) -> String {
    format!("csc:{}", owned.credential.id.0)
}

/// `credentials/sendOTP`: a new SMS code for the credential (204). Rate limited: while a code is
/// pending, the resend interval and the number of sends of the OTP settings apply.
pub async fn send_otp(
    state: &AppState,
    caller: &Principal,
    input: SendOtpInput,
) -> Result<(), CscError> {
    let owned =
        access::credential(state, caller, input.credential_id.as_deref(), Use::Sign).await?;
    access::require_enabled(&owned)?;
    match device(&owned)? {
        OtpDevice::Sms { owner } => {
            state
                .otp
                .send_sms_code_renewing(
                    &owner,
                    &purpose(&owned),
                    "firme con l'API CSC",
                    &caller.actor(),
                )
                .await?;
            Ok(())
        }
        OtpDevice::Token { .. } => Err(CscError::invalid(
            "otp_by_token",
            "This credential is authorised with the code shown by the officer's hardware token \
             (OTP type offline): no code is sent; call credentials/authorize with it",
        )),
    }
}

/// `credentials/authorize`.
pub async fn authorize(
    state: &AppState,
    caller: &Principal,
    input: AuthorizeInput,
) -> Result<Value, CscError> {
    let owned =
        access::credential(state, caller, input.credential_id.as_deref(), Use::Sign).await?;
    access::require_enabled(&owned)?;
    let multisign = super::multisign(state);
    let num = input
        .num_signatures
        .ok_or_else(|| CscError::missing("integer", "numSignatures"))?;
    if num < 1 {
        return Err(CscError::invalid_parameter(
            "numSignatures",
            "at least one signature must be authorised",
        ));
    }
    if num > multisign as u64 {
        return Err(CscError::invalid(
            "too_many_signatures",
            format!("Numbers of signatures is too high: {num}, at most {multisign} (multisign)"),
        ));
    }
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
    // SCAL2: the SAD is bound to the hashes, so they are required.
    let hashes = encoding::sha256_list(values, name, multisign)?;
    if hashes.len() as u64 != num {
        return Err(CscError::invalid_parameter(
            "numSignatures",
            format!(
                "{num} signatures for {} hashes: authorise one signature per hash",
                hashes.len()
            ),
        ));
    }
    match (&input.hash_algorithm_oid, &input.hash_algo) {
        (Some(oid), _) => algorithms::require_sha256(Some(oid), "hashAlgorithmOID")?,
        (None, oid) => algorithms::require_sha256(oid.as_deref(), "hashAlgo")?,
    }
    let code = otp_value(input.auth_data, input.otp)?;
    let device = device(&owned)?;
    let purpose = purpose(&owned);
    let outcome = state
        .otp
        .verify(&device, &code, &purpose, &caller.actor())
        .await?;
    match outcome {
        OtpOutcome::Accepted => {}
        OtpOutcome::Rejected {
            cause,
            attempts_left,
        } => {
            return Err(CscError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "invalid_otp",
                "otp_rejected",
                format!(
                    "The OTP is invalid ({}); {attempts_left} attempts left before the credential \
                     is locked{}",
                    cause.code(),
                    if matches!(device, OtpDevice::Sms { .. }) {
                        "; ask for a new code with credentials/sendOTP if it expired or was used"
                    } else {
                        ""
                    }
                ),
            ));
        }
        OtpOutcome::Locked => {
            return Err(CscError::invalid(
                "otp_locked",
                "Credential locked: too many wrong codes; an authorised operator must unlock the \
                 officer's OTP device",
            ));
        }
    }
    let now = state.clock.now();
    let ttl = state.signing.settings().sad_ttl;
    let sad = Sad {
        id: uuid::Uuid::new_v4().to_string(),
        credential: owned.credential.id,
        hashes,
        remaining: u32::try_from(num)
            .map_err(|_| CscError::invalid_parameter("numSignatures", "too large"))?,
        expires_at: now + ttl,
    };
    let event = AuditEvent::new(
        AuditKind::SigningAuthorized,
        caller.actor(),
        format!("credential:{}", owned.credential.id.0),
    )
    .with("api", "csc")
    .with("credential", owned.credential.id.0)
    .with("signatures", num)
    .with("sad", &sad.id)
    .with("sad_expires_at", sad.expires_at);
    state.db.insert_sad(&sad, &purpose, &[event], now).await?;
    Ok(json!({
        "SAD": sad.id,
        "expiresIn": ttl.whole_seconds(),
    }))
}

/// The OTP of `authData` (v2) or `OTP` (v1).
fn otp_value(auth_data: Option<Vec<AuthObject>>, otp: Option<String>) -> Result<String, CscError> {
    if let Some(objects) = auth_data {
        return objects
            .into_iter()
            .find(|o| o.id.eq_ignore_ascii_case("OTP"))
            .map(|o| o.value)
            .ok_or_else(|| {
                CscError::invalid(
                    "missing_parameter",
                    "Invalid parameter authData: it has no object with id \"OTP\" (the code from \
                     SMS or token)",
                )
            });
    }
    otp.ok_or_else(|| {
        CscError::invalid(
            "missing_parameter",
            "Missing (or invalid type) string parameter OTP (v2: authData [{\"id\": \"OTP\", \
             \"value\": ...}])",
        )
    })
}

/// The officer's OTP device, or why the credential cannot be authorised.
fn device(owned: &OwnedCredential) -> Result<OtpDevice, CscError> {
    owned.device.clone().ok_or_else(|| {
        CscError::invalid(
            "otp_device_missing",
            format!(
                "officer {} has no OTP device (SMS phone or hardware token): the credential \
                 cannot be authorised",
                owned.officer.codice_fiscale
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn otp_from_v1_or_v2_parameters() {
        let v2 = vec![
            AuthObject {
                id: "PIN".into(),
                value: "1".into(),
            },
            AuthObject {
                id: "OTP".into(),
                value: "123456".into(),
            },
        ];
        assert_eq!(otp_value(Some(v2), None).unwrap(), "123456");
        assert_eq!(otp_value(None, Some("654321".into())).unwrap(), "654321");
        assert!(
            otp_value(Some(vec![]), Some("1".into()))
                .unwrap_err()
                .description
                .contains("authData")
        );
        assert!(
            otp_value(None, None)
                .unwrap_err()
                .description
                .contains("parameter OTP")
        );
    }
}
