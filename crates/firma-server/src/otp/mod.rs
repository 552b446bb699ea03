//! The OTP service the signing flow calls: verify a code from an officer's device (hardware token
//! or SMS), send SMS codes, import token batches, unlock and resynchronise devices.
//!
//! Every verification loads the device, decides with the pure rules (`firma_core::otp`), and stores
//! the new state with a compare-and-swap in the same transaction as its audit records. Of several
//! concurrent submissions of one code exactly one is accepted: the others lose the swap, reload,
//! and then see the code as used.

mod error;
mod import;

use std::sync::Arc;

use firma_core::otp::{
    OtpDevice, OtpOutcome, OtpSettings, RejectCause, SmsAttempt, SmsChallenge, SmsCode,
    StoredToken, TokenDecision, TokenStatus, decide_sms, decide_token, resync_token, sms_text,
};
use firma_core::{
    AuditEvent, AuditKind, AuditLog, Clock, KeyStoreError, OtpStore, PhoneNumber, SecretCipher,
    SmsGateway, SmsMessage,
};
use firma_otp::Seed;
use firma_store::Database;
use time::OffsetDateTime;
use zeroize::Zeroizing;

pub use error::OtpError;
pub use import::{ImportFormat, ImportProgress, ImportSummary, read_pre_shared_key};

/// How many times a verification reloads after losing a compare-and-swap. Each round one of the
/// concurrent writers on a device wins, so this bounds the concurrent submissions per device that
/// all get an answer; beyond it the caller gets `Busy` and may retry.
const MAX_ATTEMPTS: usize = 32;

/// A short, growing, jittered pause before retrying a lost compare-and-swap, so that concurrent
/// writers on one device spread out instead of colliding again.
async fn backoff(attempt: usize) {
    let mut jitter = [0u8; 1];
    let _ = getrandom::fill(&mut jitter);
    let micros = 200 * attempt.min(10) as u64 + u64::from(jitter[0]) * 4;
    tokio::time::sleep(std::time::Duration::from_micros(micros)).await;
}

/// The associated data a token's seed is sealed with: a sealed seed only opens on its own row.
pub(crate) fn seed_context(serial: &str) -> String {
    format!("firma otp-token seed {serial}")
}

/// A code sent by SMS: when it expires and when another may be asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentCode {
    pub expires_at: OffsetDateTime,
    pub resend_after: OffsetDateTime,
    pub sends_left: u32,
}

pub struct OtpService {
    db: Database,
    cipher: Arc<dyn SecretCipher>,
    clock: Arc<dyn Clock>,
    sms: Arc<dyn SmsGateway>,
    settings: OtpSettings,
}

impl OtpService {
    pub fn new(
        db: Database,
        cipher: Arc<dyn SecretCipher>,
        clock: Arc<dyn Clock>,
        sms: Arc<dyn SmsGateway>,
        settings: OtpSettings,
    ) -> Self {
        Self {
            db,
            cipher,
            clock,
            sms,
            settings,
        }
    }

    pub fn settings(&self) -> &OtpSettings {
        &self.settings
    }

    /// Verifies `code` from `device` for `purpose` (what it authorises, e.g. a signing request
    /// id), on behalf of `actor`. Accepted codes are spent; every answer is audited.
    pub async fn verify(
        &self,
        device: &OtpDevice,
        code: &str,
        purpose: &str,
        actor: &str,
    ) -> Result<OtpOutcome, OtpError> {
        for attempt in 0..MAX_ATTEMPTS {
            if attempt > 0 {
                backoff(attempt).await;
            }
            let done = match device {
                OtpDevice::Token { serial } => {
                    self.try_verify_token(serial, code, purpose, actor).await?
                }
                OtpDevice::Sms { owner } => {
                    self.try_verify_sms(owner, code, purpose, actor).await?
                }
            };
            if let Some(outcome) = done {
                return Ok(outcome);
            }
        }
        Err(OtpError::Busy(device.subject()))
    }

    /// One attempt; `None` when a concurrent update came first (reload and decide again).
    async fn try_verify_token(
        &self,
        serial: &str,
        code: &str,
        purpose: &str,
        actor: &str,
    ) -> Result<Option<OtpOutcome>, OtpError> {
        let Some(token) = self.db.token(serial).await? else {
            self.audit_unknown(&format!("token:{serial}"), actor, purpose)
                .await?;
            return Ok(Some(OtpOutcome::Rejected {
                cause: RejectCause::UnknownDevice,
                attempts_left: 0,
            }));
        };
        let seed = self.open_seed(serial, token.sealed_seed.clone()).await?;
        let now = self.clock.now();
        let decision = decide_token(
            &token,
            &seed,
            code,
            now,
            &self.settings.policy,
            actor,
            purpose,
        );
        let stored = self
            .db
            .update_token_state(
                serial,
                token.version,
                &decision.state,
                &decision.events,
                now,
            )
            .await?;
        Ok(stored.then_some(decision.outcome))
    }

    async fn try_verify_sms(
        &self,
        owner: &str,
        code: &str,
        purpose: &str,
        actor: &str,
    ) -> Result<Option<OtpOutcome>, OtpError> {
        let Some(device) = self.db.sms_device(owner).await? else {
            self.audit_unknown(&format!("sms:{owner}"), actor, purpose)
                .await?;
            return Ok(Some(OtpOutcome::Rejected {
                cause: RejectCause::UnknownDevice,
                attempts_left: 0,
            }));
        };
        let challenge = self.db.latest_challenge(owner, purpose).await?;
        let well_formed = SmsCode::well_formed(code, self.settings.sms_digits);
        let candidate_hash = match (&challenge, well_formed) {
            (Some(c), true) => Some(self.keyed_hash(SmsCode::hash_input(&c.id, code)).await?),
            _ => None,
        };
        let now = self.clock.now();
        let attempt = SmsAttempt {
            device: &device,
            challenge: challenge.as_ref(),
            well_formed,
            candidate_hash,
            now,
        };
        let decision = decide_sms(&attempt, &self.settings.policy, actor, purpose);
        let consume = match (&challenge, decision.consume) {
            (Some(c), true) => Some(c.id.as_str()),
            _ => None,
        };
        let stored = self
            .db
            .record_sms_attempt(
                owner,
                device.version,
                decision.failures,
                consume,
                &decision.events,
                now,
            )
            .await?;
        Ok(stored.then_some(decision.outcome))
    }

    /// Sends a new SMS code for `purpose` to the officer's phone. `what` completes the sentence
    /// "il codice ... autorizza {what}" (e.g. "la firma di 3 atti").
    pub async fn send_sms_code(
        &self,
        owner: &str,
        purpose: &str,
        what: &str,
        actor: &str,
    ) -> Result<SentCode, OtpError> {
        self.send_code(owner, purpose, what, actor, false).await
    }

    /// Like [`OtpService::send_sms_code`], for a purpose that is authorised again and again (a CSC
    /// credential: `credentials/sendOTP` before each `credentials/authorize`). Once the previous
    /// code of the purpose was used or has expired, a new code starts a new series: no resend
    /// interval to wait and a fresh count of sends. While a code is pending the same limits apply.
    pub async fn send_sms_code_renewing(
        &self,
        owner: &str,
        purpose: &str,
        what: &str,
        actor: &str,
    ) -> Result<SentCode, OtpError> {
        self.send_code(owner, purpose, what, actor, true).await
    }

    async fn send_code(
        &self,
        owner: &str,
        purpose: &str,
        what: &str,
        actor: &str,
        renew: bool,
    ) -> Result<SentCode, OtpError> {
        let device = self
            .db
            .sms_device(owner)
            .await?
            .ok_or_else(|| OtpError::NoPhone(owner.to_owned()))?;
        if self.settings.policy.is_locked(device.failures) {
            return Err(OtpError::Locked(format!("sms:{owner}")));
        }
        let now = self.clock.now();
        let sends = match self.db.latest_challenge(owner, purpose).await? {
            None => 1,
            Some(previous) if renew && (previous.consumed || now >= previous.expires_at) => 1,
            Some(previous) => {
                let next_allowed = previous.last_sent_at + self.settings.sms_resend_interval;
                if now < next_allowed {
                    return Err(OtpError::RateLimited {
                        interval_seconds: self.settings.sms_resend_interval.whole_seconds(),
                        retry_after_seconds: (next_allowed - now).whole_seconds().max(1),
                    });
                }
                if previous.sends >= self.settings.sms_max_sends {
                    return Err(OtpError::TooManySends(previous.sends));
                }
                previous.sends + 1
            }
        };
        let code = SmsCode::generate(self.settings.sms_digits)
            .map_err(|e| KeyStoreError::Backend(format!("no randomness for the code: {e}")))?;
        let id = uuid::Uuid::new_v4().to_string();
        let code_hash = self
            .keyed_hash(SmsCode::hash_input(&id, code.expose()))
            .await?;
        let challenge = SmsChallenge {
            id,
            owner: owner.to_owned(),
            purpose: purpose.to_owned(),
            code_hash,
            created_at: now,
            expires_at: now + self.settings.sms_ttl,
            consumed: false,
            sends,
            last_sent_at: now,
        };
        let event = AuditEvent::new(AuditKind::SmsCodeSent, actor, format!("sms:{owner}"))
            .with("purpose", purpose)
            .with("to", device.phone.masked())
            .with("send", sends);
        self.db.insert_challenge(&challenge, &event, now).await?;
        let text = sms_text(&code, what, self.settings.sms_ttl.whole_minutes().max(1));
        self.sms
            .send(&SmsMessage {
                to: device.phone.clone(),
                text,
            })
            .await?;
        Ok(SentCode {
            expires_at: challenge.expires_at,
            resend_after: now + self.settings.sms_resend_interval,
            sends_left: self.settings.sms_max_sends.saturating_sub(sends),
        })
    }

    /// Registers (or changes) the phone where `owner` receives codes.
    pub async fn register_phone(&self, owner: &str, phone: &PhoneNumber) -> Result<(), OtpError> {
        Ok(self
            .db
            .put_sms_device(owner, phone, self.clock.now())
            .await?)
    }

    /// Binds a token to its officer, making it usable to authorise.
    pub async fn assign_token(
        &self,
        serial: &str,
        owner: &str,
        actor: &str,
    ) -> Result<(), OtpError> {
        let event = AuditEvent::new(
            AuditKind::OtpTokenAssigned,
            actor,
            format!("token:{serial}"),
        )
        .with("owner", owner);
        self.db
            .set_token_owner(
                serial,
                Some(owner),
                TokenStatus::Assigned,
                &event,
                self.clock.now(),
            )
            .await
            .map_err(|e| match e {
                firma_core::RepositoryError::NotFound(_) => {
                    OtpError::UnknownDevice(format!("token:{serial}"))
                }
                other => other.into(),
            })
    }

    /// Clears the failure count of a locked device (`token:<serial>` or `sms:<owner>`); for an
    /// authorised operator only (the caller checks), audited with the reason.
    pub async fn unlock(&self, subject: &str, actor: &str, reason: &str) -> Result<(), OtpError> {
        let event = AuditEvent::new(AuditKind::OtpUnlocked, actor, subject).with("reason", reason);
        if self.db.unlock(subject, &event, self.clock.now()).await? {
            Ok(())
        } else {
            Err(OtpError::UnknownDevice(subject.to_owned()))
        }
    }

    /// Resynchronises a token with two consecutive codes.
    pub async fn resync_token(
        &self,
        serial: &str,
        code1: &str,
        code2: &str,
        actor: &str,
    ) -> Result<OtpOutcome, OtpError> {
        for attempt in 0..MAX_ATTEMPTS {
            if attempt > 0 {
                backoff(attempt).await;
            }
            let token = self
                .db
                .token(serial)
                .await?
                .ok_or_else(|| OtpError::UnknownDevice(format!("token:{serial}")))?;
            let seed = self.open_seed(serial, token.sealed_seed.clone()).await?;
            let now = self.clock.now();
            let d = resync_token(
                &token,
                &seed,
                code1,
                code2,
                now,
                &self.settings.policy,
                actor,
            );
            if self
                .db
                .update_token_state(serial, token.version, &d.state, &d.events, now)
                .await?
            {
                return Ok(d.outcome);
            }
        }
        Err(OtpError::Busy(format!("token:{serial}")))
    }

    /// The decision on two consecutive codes of `token` at `now` (RFC 4226 section 7.4, RFC 6238
    /// section 6: the codes resynchronise the token as they are checked, and are spent), without
    /// storing it: the caller stores the new state together with what the decision allows
    /// (binding a delivered chiavetta to its officer) in one transaction, or the refusal with
    /// [`OtpStore::update_token_state`]. The codes never reach a log or an audit record.
    pub async fn decide_consecutive_codes(
        &self,
        token: &StoredToken,
        code1: &str,
        code2: &str,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<TokenDecision, OtpError> {
        let seed = self
            .open_seed(&token.serial, token.sealed_seed.clone())
            .await?;
        Ok(resync_token(
            token,
            &seed,
            code1,
            code2,
            now,
            &self.settings.policy,
            actor,
        ))
    }

    async fn audit_unknown(
        &self,
        subject: &str,
        actor: &str,
        purpose: &str,
    ) -> Result<(), OtpError> {
        let event = AuditEvent::new(AuditKind::OtpRejected, actor, subject)
            .with("reason", RejectCause::UnknownDevice.code())
            .with("purpose", purpose);
        Ok(self.db.append(&[event], self.clock.now()).await?)
    }

    /// Opens a sealed seed through the HSM, off the async runtime.
    async fn open_seed(&self, serial: &str, sealed: Vec<u8>) -> Result<Seed, OtpError> {
        let cipher = self.cipher.clone();
        let context = seed_context(serial);
        let seed: Zeroizing<Vec<u8>> =
            tokio::task::spawn_blocking(move || cipher.open(context.as_bytes(), &sealed))
                .await
                .map_err(|e| KeyStoreError::Backend(format!("HSM worker failed: {e}")))??;
        Ok(Seed::from_slice(&seed))
    }

    async fn keyed_hash(&self, input: Zeroizing<Vec<u8>>) -> Result<[u8; 32], OtpError> {
        let cipher = self.cipher.clone();
        Ok(
            tokio::task::spawn_blocking(move || cipher.keyed_hash(&input))
                .await
                .map_err(|e| KeyStoreError::Backend(format!("HSM worker failed: {e}")))??,
        )
    }
}
