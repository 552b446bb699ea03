//! `firma officers add`: registers an ufficiale dello stato civile with profiles and OTP device
//! (what the ALS does in the ANPR console, for the embedded default and tests); `list` and
//! `remove`: the ALS's view of a comune's officers and the removal of one.

use std::collections::BTreeSet;

use anyhow::{Context, bail};
use firma_core::otp::OtpDevice;
use firma_core::{
    AuditEvent, AuditKind, Clock, CodiceFiscale, CodiceIstat, DirectoryStore, Email,
    OnboardingStore, PhoneNumber, Principal, PrincipalId, Profilo, Role, SystemClock, Ufficiale,
    UfficialeId,
};

use crate::config::Settings;
use crate::onboarding::UfficialeView;

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

/// `firma officers list --comune ISTAT`: the officers of a comune, as its ALS sees them.
pub async fn list(settings: Settings, comune: &str) -> anyhow::Result<()> {
    let comune = CodiceIstat::parse(comune)?;
    let db = super::connect_database(&settings).await?;
    let found = db.ufficiali_del_comune(&comune).await;
    db.close().await;
    let found = found?;
    println!(
        "{:<36}  {:<16}  {:<30}  {:<5}  profili",
        "ufficiale", "codice fiscale", "nome", "otp"
    );
    for (u, device) in &found {
        let v = UfficialeView::new(u, device.as_ref());
        println!(
            "{:<36}  {:<16}  {:<30}  {:<5}  {}",
            v.id,
            v.codice_fiscale,
            format!("{} {}", v.nome, v.cognome),
            v.otp_device.unwrap_or("-"),
            v.profili.join(",")
        );
    }
    eprintln!("{} officers in comune {comune}", found.len());
    Ok(())
}

/// `firma officers remove OFFICER`: what the ALS does when an officer no longer acts for the
/// comune ([`crate::onboarding::OnboardingService::rimuovi_ufficiale`]: every certificate
/// revoked with reason cessationOfOperation and its key destroyed, open richieste cancelled,
/// chiavette released, the officer's principals revoked). The operator acts as an ALS of the
/// officer's comune named by `--actor` (default: the login name), as which they appear in the
/// audit log. `officer` is the codice fiscale or the officer's id.
pub async fn remove(settings: Settings, officer: &str, actor: Option<&str>) -> anyhow::Result<()> {
    let (service, db) = super::onboarding::service(&settings).await?;
    let result = async {
        let found = match uuid::Uuid::parse_str(officer) {
            Ok(id) => db.ufficiale(UfficialeId(id)).await?,
            Err(_) => db.ufficiale_by_cf(&CodiceFiscale::parse(officer)?).await?,
        };
        let (u, _) = found.with_context(|| {
            format!("no officer {officer:?} (a codice fiscale or id of an officer not removed)")
        })?;
        let name = super::operator(actor);
        let als = Principal {
            id: PrincipalId(uuid::Uuid::nil()),
            name: name.strip_prefix("operator:").unwrap_or(&name).to_owned(),
            role: Role::Als,
            comune: Some(u.comune.clone()),
            provincia: None,
            ufficiale: None,
        };
        let removed = service.rimuovi_ufficiale(&als, u.id).await?;
        anyhow::Ok((u, removed))
    }
    .await;
    db.close().await;
    let (u, removed) = result?;
    println!(
        "officer {} {} ({}) removed: {} certificates revoked, {} keys destroyed, {} chiavette \
         released, {} richieste cancelled",
        u.nome,
        u.cognome,
        u.codice_fiscale,
        removed.credenziali_revocate.len(),
        removed.chiavi_distrutte.len(),
        removed.chiavette_liberate.len(),
        removed.richieste_annullate.len()
    );
    Ok(())
}
