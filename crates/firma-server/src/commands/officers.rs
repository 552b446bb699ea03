//! `firma officers add`: registers an ufficiale dello stato civile with profiles and OTP device
//! (what the ALS does in the ANPR console, for the embedded default and tests).

use std::collections::BTreeSet;

use anyhow::{Context, bail};
use firma_core::otp::OtpDevice;
use firma_core::{
    AuditEvent, AuditKind, Clock, CodiceFiscale, CodiceIstat, DirectoryStore, Email, PhoneNumber,
    Profilo, SystemClock, Ufficiale, UfficialeId,
};

use crate::config::Settings;

pub struct NewOfficer<'a> {
    pub codice_fiscale: &'a str,
    pub nome: &'a str,
    pub cognome: &'a str,
    pub email: &'a str,
    pub comune: &'a str,
    /// Profile codes; `nascita` is short for `formazione_atti_nascita`, and so on.
    pub profili: &'a [String],
    pub phone: Option<&'a str>,
    pub token: Option<&'a str>,
}

pub fn parse_profili(codes: &[String]) -> anyhow::Result<BTreeSet<Profilo>> {
    codes
        .iter()
        .flat_map(|c| c.split(','))
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| {
            Profilo::from_code(c)
                .or_else(|| Profilo::from_code(&format!("formazione_atti_{c}")))
                .with_context(|| {
                    format!(
                        "unknown profile {c:?}: one of {}",
                        Profilo::ALL.map(|p| p.code()).join(", ")
                    )
                })
        })
        .collect()
}

pub async fn add(
    settings: Settings,
    new: NewOfficer<'_>,
    actor: &str,
) -> anyhow::Result<UfficialeId> {
    let officer = Ufficiale {
        id: UfficialeId(uuid::Uuid::new_v4()),
        codice_fiscale: CodiceFiscale::parse(new.codice_fiscale)?,
        nome: new.nome.trim().to_owned(),
        cognome: new.cognome.trim().to_owned(),
        email: Email::parse(new.email)?,
        comune: CodiceIstat::parse(new.comune)?,
        profili: parse_profili(new.profili)?,
    };
    if officer.nome.is_empty() || officer.cognome.is_empty() {
        bail!("nome and cognome are required");
    }
    let owner = officer.id.0.to_string();
    let hsm = super::connect_hsm(&settings).await?;
    let db = super::connect_database(&settings).await?;
    let otp = super::otp_service(&settings, &hsm, &db)?;
    let device = match (new.phone, new.token) {
        (Some(phone), None) => {
            let phone = PhoneNumber::parse(phone)?;
            otp.register_phone(&owner, &phone).await?;
            Some(OtpDevice::Sms {
                owner: owner.clone(),
            })
        }
        (None, Some(serial)) => {
            otp.assign_token(serial, &owner, actor).await?;
            Some(OtpDevice::Token {
                serial: serial.to_owned(),
            })
        }
        (None, None) => None,
        (Some(_), Some(_)) => bail!("give either --phone or --token, not both"),
    };
    let event = AuditEvent::new(
        AuditKind::UfficialeRegistered,
        actor,
        format!("ufficiale:{owner}"),
    )
    .with("codice_fiscale", &officer.codice_fiscale)
    .with("comune", &officer.comune)
    .with(
        "profili",
        officer
            .profili
            .iter()
            .map(|p| p.code())
            .collect::<Vec<_>>()
            .join(","),
    );
    db.insert_ufficiale(&officer, device.as_ref(), &event, SystemClock.now())
        .await?;
    db.close().await;
    println!(
        "officer {} {} ({}) registered: id {owner}",
        officer.nome, officer.cognome, officer.codice_fiscale
    );
    Ok(officer.id)
}
