//! `credentials/list` and `credentials/info` (CSC API v2.0 sections 11.4 and 11.5, v1.0.4
//! sections 11.4 and 11.5): the caller's credentials, their keys, certificates and how they are
//! authorised (explicit, with an OTP: SMS is `online`, a hardware token `offline`; SCAL 2).

use std::str::FromStr;

use firma_ades::cms::SignerChain;
use firma_core::otp::OtpDevice;
use firma_core::{
    CodiceFiscale, Credential, CredentialStatus, DirectoryStore, KeySpec, Principal, Role,
    UfficialeId,
};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::access::{self, OwnedCredential, Use};
use super::{CscError, Version, algorithms, encoding};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListInput {
    #[serde(rename = "userID")]
    pub user_id: Option<String>,
    pub credential_info: Option<bool>,
    pub certificates: Option<String>,
    pub cert_info: Option<bool>,
    pub auth_info: Option<bool>,
    pub only_valid: Option<bool>,
    /// v1 paging: every credential fits in one page, so it is read and not needed.
    pub max_results: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InfoInput {
    #[serde(rename = "credentialID")]
    pub credential_id: Option<String>,
    pub certificates: Option<String>,
    pub cert_info: Option<bool>,
    pub auth_info: Option<bool>,
}

/// Which certificates to return (`certificates`: `none`, `single` (the default) or `chain`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Certificates {
    None,
    Single,
    Chain,
}

impl Certificates {
    pub fn parse(value: Option<&str>) -> Result<Self, CscError> {
        match value {
            None | Some("single") => Ok(Self::Single),
            Some("chain") => Ok(Self::Chain),
            Some("none") => Ok(Self::None),
            Some(other) => Err(CscError::invalid_parameter(
                "certificates",
                format!("{other:?} is not one of none, single, chain"),
            )),
        }
    }
}

/// What a credential description includes.
#[derive(Debug, Clone, Copy)]
pub struct Detail {
    pub certificates: Certificates,
    pub cert_info: bool,
    pub version: Version,
}

/// `credentials/list`.
pub async fn list(
    state: &AppState,
    caller: &Principal,
    input: ListInput,
    version: Version,
) -> Result<Value, CscError> {
    access::require_role(
        state,
        caller,
        &[Role::Ufficiale, Role::AnscCore],
        "list credentials",
    )
    .await?;
    let owner = list_owner(state, caller, input.user_id.as_deref()).await?;
    let detail = Detail {
        certificates: Certificates::parse(input.certificates.as_deref())?,
        cert_info: input.cert_info.unwrap_or(false),
        version,
    };
    let only_valid = input.only_valid.unwrap_or(false);
    let credentials: Vec<Credential> = state
        .db
        .credentials_of(owner)
        .await?
        .into_iter()
        .filter(|c| !only_valid || c.can_sign())
        .collect();
    let mut body = json!({
        "credentialIDs": credentials.iter().map(|c| c.id.0.to_string()).collect::<Vec<_>>(),
    });
    if only_valid {
        body["onlyValid"] = json!(true);
    }
    if input.credential_info.unwrap_or(false) {
        let (officer, device) = state
            .db
            .ufficiale(owner)
            .await?
            .ok_or_else(|| CscError::internal(format!("officer {} vanished", owner.0)))?;
        let now = state.clock.now();
        let infos: Vec<Value> = credentials
            .into_iter()
            .map(|credential| {
                let owned = OwnedCredential {
                    credential,
                    officer: officer.clone(),
                    device: device.clone(),
                };
                let mut info = describe(state, &owned, detail, now);
                info["credentialID"] = json!(owned.credential.id.0.to_string());
                info
            })
            .collect();
        body["credentialInfos"] = json!(infos);
    }
    Ok(body)
}

/// Whose credentials to list: the officer's own; for ANSC core the officer named by `userID`
/// (their id or codice fiscale).
async fn list_owner(
    state: &AppState,
    caller: &Principal,
    user_id: Option<&str>,
) -> Result<UfficialeId, CscError> {
    if caller.role == Role::Ufficiale {
        let own = caller.ufficiale.ok_or_else(|| {
            CscError::access_denied("this officer principal is not bound to an officer")
        })?;
        return match user_id {
            None => Ok(own),
            Some(u) if officer_ref_matches(state, own, u).await? => Ok(own),
            Some(_) => {
                access::audit_denial(
                    state,
                    caller,
                    "csc:credentials/list",
                    "an officer asked for another user's credentials",
                )
                .await;
                Err(CscError::invalid(
                    "user_id_not_allowed",
                    "userID parameter MUST be null: an officer lists only their own credentials",
                ))
            }
        };
    }
    let user_id = user_id.ok_or_else(|| {
        CscError::invalid(
            "missing_parameter",
            "Missing (or invalid type) string parameter userID: name the officer (id or codice \
             fiscale)",
        )
    })?;
    find_officer(state, user_id).await?.ok_or_else(|| {
        CscError::invalid_parameter("userID", "no such officer (give the id or codice fiscale)")
    })
}

async fn find_officer(state: &AppState, user: &str) -> Result<Option<UfficialeId>, CscError> {
    if let Ok(id) = uuid::Uuid::from_str(user) {
        return Ok(state
            .db
            .ufficiale(UfficialeId(id))
            .await?
            .map(|(u, _)| u.id));
    }
    match CodiceFiscale::parse(user) {
        Ok(cf) => Ok(state.db.ufficiale_by_cf(&cf).await?.map(|(u, _)| u.id)),
        Err(_) => Ok(None),
    }
}

async fn officer_ref_matches(
    state: &AppState,
    own: UfficialeId,
    user: &str,
) -> Result<bool, CscError> {
    Ok(find_officer(state, user).await? == Some(own))
}

/// `credentials/info`.
pub async fn info(
    state: &AppState,
    caller: &Principal,
    input: InfoInput,
    version: Version,
) -> Result<Value, CscError> {
    let detail = Detail {
        certificates: Certificates::parse(input.certificates.as_deref())?,
        cert_info: input.cert_info.unwrap_or(false),
        version,
    };
    let owned =
        access::credential(state, caller, input.credential_id.as_deref(), Use::Read).await?;
    Ok(describe(state, &owned, detail, state.clock.now()))
}

/// The CredentialInfo object (v2 section 11.4; v1 `credentials/info` output).
pub fn describe(
    state: &AppState,
    owned: &OwnedCredential,
    detail: Detail,
    now: OffsetDateTime,
) -> Value {
    let c = &owned.credential;
    let spec = c.key.spec();
    let mut key = json!({
        "status": if c.can_sign() { "enabled" } else { "disabled" },
        "algo": algorithms::key_algorithms(spec),
        "len": algorithms::key_length(spec),
    });
    if spec == KeySpec::EcP256 {
        key["curve"] = json!(algorithms::P256);
    }
    let mut body = json!({
        "description": format!(
            "Firma remota qualificata di {} {} ({})",
            owned.officer.nome, owned.officer.cognome, owned.officer.codice_fiscale
        ),
        "signatureQualifier": "eu_eidas_qes",
        "key": key,
        "cert": certificate(c, detail, now),
        "SCAL": "2",
        "multisign": super::multisign(state),
        "lang": "en-US",
    });
    let otp = otp_object(owned.device.as_ref(), state.otp.settings().sms_digits);
    match detail.version {
        Version::V1 => {
            body["authMode"] = json!("explicit");
            body["PIN"] = json!({ "presence": "false" });
            body["OTP"] = otp;
        }
        Version::V2 => {
            let mut object = Map::new();
            object.insert("type".into(), json!("Password"));
            object.insert("id".into(), json!("OTP"));
            object.insert("format".into(), json!("N"));
            for field in ["label", "description", "generator"] {
                if let Some(v) = otp.get(field) {
                    object.insert(field.into(), v.clone());
                }
            }
            body["auth"] = json!({
                "mode": "explicit",
                "expression": "OTP",
                "objects": [Value::Object(object)],
            });
        }
    }
    body
}

/// The v1 `OTP` object: `online` codes are sent by the service (SMS, `credentials/sendOTP`),
/// `offline` ones are read from the officer's token.
fn otp_object(device: Option<&OtpDevice>, sms_digits: u32) -> Value {
    match device {
        Some(OtpDevice::Sms { .. }) => json!({
            "presence": "true",
            "type": "online",
            "format": "N",
            "length": sms_digits,
            "label": "SMS OTP",
            "description": format!(
                "The {sms_digits}-digit code sent by SMS after credentials/sendOTP"
            ),
            "ID": "sms",
            "provider": "firma-remota",
        }),
        Some(OtpDevice::Token { serial }) => json!({
            "presence": "true",
            "type": "offline",
            "format": "N",
            "label": "Token OTP",
            "description": "The code shown by your OTP token",
            "generator": "totp",
            "ID": serial,
            "provider": "firma-remota",
        }),
        None => json!({
            "presence": "false",
            "description": "No OTP device is registered for the officer: the credential cannot be authorised",
        }),
    }
}

/// The `cert` object: status, certificates as asked, and their details with `certInfo`.
fn certificate(c: &Credential, detail: Detail, now: OffsetDateTime) -> Value {
    let chain: &[Vec<u8>] = match detail.certificates {
        Certificates::None => &[],
        Certificates::Single => c.certificate_chain.get(..1).unwrap_or_default(),
        Certificates::Chain => &c.certificate_chain,
    };
    let mut cert = json!({
        "certificates": chain.iter().map(|d| encoding::encode(d)).collect::<Vec<_>>(),
    });
    let Some(signer) = c.certificate_chain.first() else {
        return cert;
    };
    let parsed = match SignerChain::from_der(signer, std::iter::empty::<&[u8]>()) {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(credential = %c.id.0, error = %e, "stored certificate does not parse");
            return cert;
        }
    };
    let tbs = parsed.signer().tbs_certificate();
    let valid_from = tbs.validity().not_before.to_unix_duration().as_secs();
    let valid_to = tbs.validity().not_after.to_unix_duration().as_secs();
    let unix_now = now.unix_timestamp().max(0) as u64;
    let status = match c.status {
        CredentialStatus::Revoked => "revoked",
        CredentialStatus::Suspended => "suspended",
        _ if unix_now > valid_to => "expired",
        _ if unix_now < valid_from => "invalid",
        _ => "valid",
    };
    cert["status"] = json!(status);
    if detail.cert_info {
        cert["issuerDN"] = json!(tbs.issuer().to_string());
        cert["subjectDN"] = json!(tbs.subject().to_string());
        cert["serialNumber"] = json!(
            tbs.serial_number()
                .as_bytes()
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect::<String>()
        );
        cert["validFrom"] = json!(generalized_time(valid_from));
        cert["validTo"] = json!(generalized_time(valid_to));
    }
    cert
}

/// `YYYYMMDDHHmmssZ` (GeneralizedTime, as CSC API section 11.4 asks).
fn generalized_time(unix: u64) -> String {
    let format = time::macros::format_description!("[year][month][day][hour][minute][second]Z");
    i64::try_from(unix)
        .ok()
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificates_parameter() {
        assert_eq!(Certificates::parse(None).unwrap(), Certificates::Single);
        assert_eq!(
            Certificates::parse(Some("chain")).unwrap(),
            Certificates::Chain
        );
        assert_eq!(
            Certificates::parse(Some("none")).unwrap(),
            Certificates::None
        );
        let e = Certificates::parse(Some("all")).unwrap_err();
        assert!(e.description.starts_with("Invalid parameter certificates"));
    }

    #[test]
    fn generalized_time_format() {
        assert_eq!(generalized_time(0), "19700101000000Z");
        assert_eq!(generalized_time(1_767_225_600), "20260101000000Z");
    }

    #[test]
    fn otp_objects_tell_online_from_offline() {
        let sms = otp_object(Some(&OtpDevice::Sms { owner: "x".into() }), 6);
        assert_eq!(sms["type"], "online");
        assert_eq!(sms["length"], 6);
        let token = otp_object(
            Some(&OtpDevice::Token {
                serial: "T1".into(),
            }),
            6,
        );
        assert_eq!(token["type"], "offline");
        assert_eq!(otp_object(None, 6)["presence"], "false");
    }
}
