//! An officer binds a chiavetta delivered to their comune: the serial and two consecutive codes
//! read from it (circolare 48/2025, section 2: the chiavette go "al delegato del Sindaco
//! incaricato del ritiro", then to the comune's officers).
//!
//! The rules first (`verifica_abbinamento`: the officer themselves, a chiavetta delivered to
//! their comune and not bound, no chiavetta already bound, two well-formed distinct codes); then
//! the OTP service checks that the codes are consecutive codes of that token (as for a
//! resynchronisation, RFC 4226 section 7.4 / RFC 6238 section 6). Accepted: one transaction
//! stores the token's new state (the codes are spent), binds it (`assigned`, owner the officer)
//! and makes it the officer's OTP device, so that a pending richiesta with the chiavetta is
//! approved with it and an approved officer signs with it. Refused: the failure counts towards
//! the token's lock-out like any wrong code. The codes are never logged nor audited.

use firma_core::onboarding::{AbbinamentoError, CodiciAbbinamento, verifica_abbinamento};
use firma_core::otp::OtpOutcome;
use firma_core::ports::Abbinamento;
use firma_core::{
    AuditEvent, AuditKind, ChiavetteStore, DirectoryStore, OtpStore, Principal, Role,
};

use super::view::ChiavettaView;
use super::{ChiavetteError, ChiavetteService, MAX_ATTEMPTS};

impl ChiavetteService {
    /// The officer `caller` binds chiavetta `serial` with two consecutive codes.
    pub async fn abbina(
        &self,
        caller: &Principal,
        serial: &str,
        codici: &CodiciAbbinamento,
    ) -> Result<ChiavettaView, ChiavetteError> {
        let serial = serial.trim();
        let subject = format!("token:{serial}");
        self.require_role(caller, &[Role::Ufficiale], &subject)
            .await?;
        let Some(ufficiale) = caller.ufficiale else {
            return Err(ChiavetteError::Forbidden {
                code: "solo_il_titolare",
                message: "this principal is not linked to an officer".to_owned(),
            });
        };
        let not_found = || ChiavetteError::not_found("chiavetta", serial);
        for _ in 0..MAX_ATTEMPTS {
            let Some((officer, device)) = self.db.ufficiale(ufficiale).await? else {
                return Err(ChiavetteError::Forbidden {
                    code: "ufficiale_rimosso",
                    message: "the officer has been removed by the ALS".to_owned(),
                });
            };
            let Some(chiavetta) = self.db.chiavette(&[serial.to_owned()]).await?.pop() else {
                return Err(not_found());
            };
            let bound =
                match verifica_abbinamento(caller, &officer, device.as_ref(), &chiavetta, codici) {
                    Ok(bound) => bound,
                    Err(AbbinamentoError::ConsegnataAdAltroComune { .. }) => {
                        return Err(self
                            .hidden(caller, "chiavetta", serial, "delivered to another comune")
                            .await);
                    }
                    Err(e) => return Err(e.into()),
                };
            let token = self.db.token(serial).await?.ok_or_else(not_found)?;
            let now = self.clock.now();
            let actor = caller.actor();
            let mut decision = self
                .otp
                .decide_consecutive_codes(
                    &token,
                    codici.primo.trim(),
                    codici.secondo.trim(),
                    &actor,
                    now,
                )
                .await?;
            for event in &mut decision.events {
                event
                    .details
                    .insert("purpose".to_owned(), "abbinamento".to_owned());
            }
            match decision.outcome {
                OtpOutcome::Accepted => {
                    let mut events = decision.events;
                    events.push(
                        AuditEvent::new(AuditKind::TokenBound, &actor, &subject)
                            .with("ufficiale", ufficiale.0)
                            .with("comune", &officer.comune)
                            .with(
                                "dispositivo_precedente",
                                device
                                    .as_ref()
                                    .map_or("nessuno".to_owned(), |d| d.subject()),
                            ),
                    );
                    let abbinamento = Abbinamento {
                        serial,
                        expected_version: token.version,
                        state: &decision.state,
                        ufficiale,
                        comune: &officer.comune,
                    };
                    if self.db.abbina(&abbinamento, &events, now).await? {
                        tracing::info!(serial, ufficiale = %ufficiale.0, "chiavetta bound");
                        return Ok(ChiavettaView::from(&bound));
                    }
                }
                outcome => {
                    if self
                        .db
                        .update_token_state(
                            serial,
                            token.version,
                            &decision.state,
                            &decision.events,
                            now,
                        )
                        .await?
                    {
                        return Err(match outcome {
                            OtpOutcome::Rejected {
                                cause,
                                attempts_left,
                            } => ChiavetteError::OtpRejected {
                                cause: cause.code(),
                                attempts_left,
                            },
                            _ => ChiavetteError::OtpLocked,
                        });
                    }
                }
            }
        }
        Err(ChiavetteError::busy("the chiavetta"))
    }
}
