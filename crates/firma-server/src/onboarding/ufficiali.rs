//! The ALS manages the officers of their comune (circolare 48/2025, section 1; guida cruscotti
//! adesione ANSC, section 2): registration (codice fiscale with its check character, e-mail,
//! profiles, optionally the phone for SMS codes), profiles, e-mail, removal.

use std::collections::BTreeSet;

use firma_ca::RevocationReason;
use firma_core::onboarding::{
    NuovoUfficiale, RichiestaFirmaRemota, modifica_email, modifica_profili, registra_ufficiale,
    rimuovi_ufficiale,
};
use firma_core::ports::{Removal, RemovalOutcome, RichiesteFilter};
use firma_core::{
    AuditEvent, AuditKind, CodiceIstat, CredentialStatus, DirectoryStore, KeyRef, KeyStore,
    KeyStoreError, OnboardingStore, PhoneNumber, Principal, Profilo, RepositoryError, Role,
    Ufficiale, UfficialeId,
};

use super::view::{RemovalView, UfficialeView};
use super::{MAX_ATTEMPTS, OnboardingError, OnboardingService};
use crate::revocation::RevocationError;

/// Why removal revokes: RFC 5280 section 5.3.1 `cessationOfOperation`, the certificate "is no
/// longer needed for the purpose for which it was issued" (the officer no longer acts for the
/// comune: "l'Ufficiale dello Stato civile non debba più accedere ad ANSC", guida, section 2).
/// Not `affiliationChanged`: the ALS removes the officer without saying why (they may have left
/// the service, not changed employer), and nothing in the certificate has become wrong.
pub const REMOVAL_REASON: RevocationReason = RevocationReason::CessationOfOperation;

/// What the ALS types to register an officer.
#[derive(Debug, Clone)]
pub struct NuovoUfficialeInput {
    pub dati: NuovoUfficiale,
    /// The mobile phone that receives SMS codes (the officer's OTP device from now on).
    pub telefono: Option<String>,
}

fn profili_codes(p: &BTreeSet<Profilo>) -> String {
    p.iter().map(|p| p.code()).collect::<Vec<_>>().join(",")
}

impl OnboardingService {
    /// The ALS of `comune` registers an officer.
    pub async fn registra_ufficiale(
        &self,
        caller: &Principal,
        comune: &CodiceIstat,
        input: NuovoUfficialeInput,
    ) -> Result<UfficialeView, OnboardingError> {
        let subject = format!("comune:{comune}");
        self.require_role(caller, &[Role::Als], &subject).await?;
        self.require_comune(caller, comune, "comune", comune.as_str())
            .await?;
        let telefono = input
            .telefono
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .map(PhoneNumber::parse)
            .transpose()
            .map_err(|e| OnboardingError::invalid("telefono", e.to_string()))?;
        let id = UfficialeId(uuid::Uuid::new_v4());
        let u = registra_ufficiale(caller, comune, id, input.dati)?;
        let event = AuditEvent::new(
            AuditKind::UfficialeRegistered,
            caller.actor(),
            format!("ufficiale:{}", id.0),
        )
        .with("codice_fiscale", &u.codice_fiscale)
        .with("comune", &u.comune)
        .with("profili", profili_codes(&u.profili))
        .with(
            "otp_device",
            if telefono.is_some() { "sms" } else { "none" },
        );
        match self
            .db
            .register_ufficiale(&u, telefono.as_ref(), &[event], self.clock.now())
            .await
        {
            Ok(()) => {}
            Err(RepositoryError::Duplicate(m)) => {
                return Err(OnboardingError::conflict("ufficiale_gia_registrato", m));
            }
            Err(e) => return Err(e.into()),
        }
        tracing::info!(ufficiale = %id.0, comune = %comune, "officer registered");
        let device = telefono.map(|_| firma_core::otp::OtpDevice::Sms {
            owner: id.0.to_string(),
        });
        Ok(UfficialeView::new(&u, device.as_ref()))
    }

    /// The officers of `comune`, for its ALS or sindaco.
    pub async fn ufficiali(
        &self,
        caller: &Principal,
        comune: &CodiceIstat,
    ) -> Result<Vec<UfficialeView>, OnboardingError> {
        let subject = format!("comune:{comune}");
        self.require_role(caller, &[Role::Als, Role::Sindaco], &subject)
            .await?;
        self.require_comune(caller, comune, "comune", comune.as_str())
            .await?;
        Ok(self
            .db
            .ufficiali_del_comune(comune)
            .await?
            .iter()
            .map(|(u, d)| UfficialeView::new(u, d.as_ref()))
            .collect())
    }

    /// An officer, for the ALS or sindaco of their comune, or the officer.
    pub async fn ufficiale(
        &self,
        caller: &Principal,
        id: UfficialeId,
    ) -> Result<UfficialeView, OnboardingError> {
        let subject = format!("ufficiale:{}", id.0);
        self.require_role(
            caller,
            &[Role::Als, Role::Sindaco, Role::Ufficiale],
            &subject,
        )
        .await?;
        let (u, device) = self.visible_ufficiale(caller, id).await?;
        Ok(UfficialeView::new(&u, device.as_ref()))
    }

    /// The ALS replaces the officer's profiles.
    pub async fn modifica_profili(
        &self,
        caller: &Principal,
        id: UfficialeId,
        profili: BTreeSet<Profilo>,
    ) -> Result<UfficialeView, OnboardingError> {
        self.change_ufficiale(caller, id, |u| {
            let m = modifica_profili(caller, u, profili.clone())?;
            Ok(vec![
                ("campo", "profili".to_owned()),
                ("aggiunti", profili_codes(&m.aggiunti)),
                ("rimossi", profili_codes(&m.rimossi)),
            ])
        })
        .await
    }

    /// The ALS changes the officer's e-mail address.
    pub async fn modifica_email(
        &self,
        caller: &Principal,
        id: UfficialeId,
        email: &str,
    ) -> Result<UfficialeView, OnboardingError> {
        self.change_ufficiale(caller, id, |u| {
            modifica_email(caller, u, email)?;
            Ok(vec![("campo", "email".to_owned())])
        })
        .await
    }

    /// Loads the officer, applies `change` (a domain rule, which returns the audit details),
    /// stores it with a compare-and-swap on the values it changed.
    async fn change_ufficiale(
        &self,
        caller: &Principal,
        id: UfficialeId,
        change: impl Fn(&mut Ufficiale) -> Result<Vec<(&'static str, String)>, OnboardingError>,
    ) -> Result<UfficialeView, OnboardingError> {
        let subject = format!("ufficiale:{}", id.0);
        self.require_role(caller, &[Role::Als], &subject).await?;
        for _ in 0..MAX_ATTEMPTS {
            let (before, device) = self.visible_ufficiale(caller, id).await?;
            let mut after = before.clone();
            let details = change(&mut after)?;
            let mut event =
                AuditEvent::new(AuditKind::UfficialeModificato, caller.actor(), &subject);
            for (k, v) in details {
                event = event.with(k, v);
            }
            if self
                .db
                .update_ufficiale(&before, &after, &[event], self.clock.now())
                .await?
            {
                return Ok(UfficialeView::new(&after, device.as_ref()));
            }
        }
        Err(OnboardingError::busy("the officer"))
    }

    /// The officer `id` if `caller` may see them: the ALS or sindaco of their comune, or the
    /// officer; anyone else of those roles gets "not found" (audited).
    async fn visible_ufficiale(
        &self,
        caller: &Principal,
        id: UfficialeId,
    ) -> Result<(Ufficiale, Option<firma_core::otp::OtpDevice>), OnboardingError> {
        let key = id.0.to_string();
        let Some((u, device)) = self.db.ufficiale(id).await? else {
            return Err(OnboardingError::not_found("ufficiale", key));
        };
        let visible = caller.is_officer(id)
            || (matches!(caller.role, Role::Als | Role::Sindaco)
                && caller.comune.as_ref() == Some(&u.comune));
        if !visible {
            return Err(self
                .hidden(caller, "ufficiale", &key, "another comune's officer")
                .await);
        }
        Ok((u, device))
    }

    /// The ALS removes the officer: every credential not yet revoked is revoked at the CA
    /// ([`REMOVAL_REASON`]; the revocation destroys its key), then, in one transaction, the
    /// officer is marked removed, the open richieste cancelled, the chiavette released, the SMS
    /// device deleted and the officer's principals revoked. A removal interrupted after some
    /// revocations is finished by asking again; one that raced with an approval reloads and
    /// revokes the new credential too.
    pub async fn rimuovi_ufficiale(
        &self,
        caller: &Principal,
        id: UfficialeId,
    ) -> Result<RemovalView, OnboardingError> {
        let subject = format!("ufficiale:{}", id.0);
        self.require_role(caller, &[Role::Als], &subject).await?;
        let actor = caller.actor();
        let mut revoked = Vec::new();
        for _ in 0..MAX_ATTEMPTS {
            let (u, _) = self.visible_ufficiale(caller, id).await?;
            let credenziali = self.db.credentials_of(id).await?;
            let chiavette = self.db.chiavette_of(id).await?;
            let aperte = self
                .db
                .richieste(&RichiesteFilter {
                    ufficiale: Some(id),
                    stati: vec!["in_attesa", "inoltrata"],
                    limit: 100,
                    ..Default::default()
                })
                .await?;
            let richieste: Vec<RichiestaFirmaRemota> =
                aperte.iter().map(|s| s.richiesta.clone()).collect();
            let effects = rimuovi_ufficiale(caller, &u, &credenziali, &chiavette, &richieste)?;

            // Revocation at the CA, one credential at a time (each audited by the revocation
            // service in its own transaction); a credential revoked meanwhile is fine.
            let mut withdrawn = Vec::new();
            for c in credenziali
                .iter()
                .filter(|c| effects.revoke_credentials.contains(&c.id))
            {
                if c.status == CredentialStatus::AwaitingCertificate {
                    withdrawn.push((c.id, self.destroy_uncertified_key(&c.key).await?));
                    continue;
                }
                match self.revocation.revoke(c.id, REMOVAL_REASON, &actor).await {
                    Ok(()) => revoked.push(c.id.0.to_string()),
                    Err(RevocationError::Conflict {
                        code: "credential_revoked",
                        ..
                    }) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            // Keys of credentials revoked before (by someone else) are destroyed too.
            for c in credenziali
                .iter()
                .filter(|c| c.status == CredentialStatus::Revoked)
            {
                self.destroy_revoked_token_key(&c.key).await?;
            }

            let now = self.clock.now();
            let mut cancelled = Vec::new();
            for s in &aperte {
                let mut r = s.richiesta.clone();
                r.annulla(caller, now)?;
                cancelled.push((r, s.version));
            }
            let mut events = vec![
                AuditEvent::new(AuditKind::UfficialeRimosso, &actor, &subject)
                    .with("codice_fiscale", &u.codice_fiscale)
                    .with("comune", &u.comune)
                    .with("credenziali_revocate", effects.revoke_credentials.len())
                    .with("chiavette_liberate", effects.unbind_tokens.len())
                    .with("richieste_annullate", effects.cancel_requests.len())
                    .with("motivo_revoca", REMOVAL_REASON.name()),
            ];
            for (r, _) in &cancelled {
                events.push(
                    AuditEvent::new(
                        AuditKind::RichiestaAnnullata,
                        &actor,
                        format!("richiesta:{}", r.id()),
                    )
                    .with("ufficiale", id.0)
                    .with("motivo", "ufficiale rimosso"),
                );
            }
            for serial in &effects.unbind_tokens {
                events.push(
                    AuditEvent::new(
                        AuditKind::OtpTokenAssigned,
                        &actor,
                        format!("token:{serial}"),
                    )
                    .with("owner", "none")
                    .with("previous_owner", id.0)
                    .with("reason", "officer removed"),
                );
            }
            for (c, _) in &withdrawn {
                events.push(
                    AuditEvent::new(
                        AuditKind::KeyDestroyed,
                        &actor,
                        format!("credential:{}", c.0),
                    )
                    .with(
                        "how",
                        "credential without certificate withdrawn, key erased",
                    ),
                );
            }
            let removal = Removal {
                ufficiale: id,
                removed_by: &actor,
                cancelled: &cancelled,
                unbind_tokens: &effects.unbind_tokens,
                withdrawn: &withdrawn,
            };
            match self.db.remove_ufficiale(&removal, &events, now).await? {
                RemovalOutcome::Removed => {
                    tracing::info!(ufficiale = %id.0, "officer removed");
                    return Ok(RemovalView {
                        ufficiale: id.0.to_string(),
                        credenziali_revocate: revoked,
                        chiavi_distrutte: effects
                            .destroy_keys
                            .iter()
                            .map(|c| c.0.to_string())
                            .collect(),
                        chiavette_liberate: effects.unbind_tokens.clone(),
                        richieste_annullate: effects
                            .cancel_requests
                            .iter()
                            .map(|r| r.to_string())
                            .collect(),
                    });
                }
                RemovalOutcome::Changed => continue,
                RemovalOutcome::NotFound => {
                    return Err(OnboardingError::not_found("ufficiale", id.0.to_string()));
                }
            }
        }
        Err(OnboardingError::busy("the officer"))
    }

    /// Destroys the key of a credential that never got a certificate and returns the key
    /// reference to store in its place (a wrapped key's blob erased).
    async fn destroy_uncertified_key(&self, key: &KeyRef) -> Result<KeyRef, OnboardingError> {
        match key {
            KeyRef::Wrapped {
                spec, kek_label, ..
            } => Ok(KeyRef::Wrapped {
                spec: *spec,
                kek_label: kek_label.clone(),
                blob: Vec::new(),
            }),
            KeyRef::Token { .. } => {
                self.destroy_revoked_token_key(key).await?;
                Ok(key.clone())
            }
        }
    }

    /// Destroys a token-resident key in the HSM; a key already gone counts as destroyed. A
    /// wrapped key has nothing on the token (the revocation erased its blob).
    async fn destroy_revoked_token_key(&self, key: &KeyRef) -> Result<(), OnboardingError> {
        if !matches!(key, KeyRef::Token { .. }) {
            return Ok(());
        }
        let key = key.clone();
        match self.hsm.blocking(move |h| h.destroy(&key)).await {
            Ok(()) | Err(KeyStoreError::KeyNotFound(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}
