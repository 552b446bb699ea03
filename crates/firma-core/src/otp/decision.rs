//! Decisions: a stored device, a code and the time in; the outcome, the state to store and the
//! audit events out. Pure: the caller opens the seed (HSM), computes keyed hashes (HSM), and
//! stores the result with a compare-and-swap in the same transaction as the events.

use firma_otp::{
    OtpDeviceState, OtpParams, Outcome, RejectReason, Seed, Verification, VerifyPolicy,
    resync_hotp, resync_totp, verify_hotp, verify_totp,
};
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use super::device::{OtpOutcome, RejectCause, SmsChallenge, SmsDevice, StoredToken, TokenStatus};
use crate::audit::{AuditEvent, AuditKind};

/// The result of a decision on a hardware token.
#[derive(Debug, Clone)]
pub struct TokenDecision {
    pub outcome: OtpOutcome,
    /// The state to store (unchanged when nothing was checked).
    pub state: OtpDeviceState,
    /// Events to record with the new state.
    pub events: Vec<AuditEvent>,
}

/// Verifies `code` from a hardware token for `purpose` (what it authorises).
pub fn decide_token(
    token: &StoredToken,
    seed: &Seed,
    code: &str,
    now: OffsetDateTime,
    policy: &VerifyPolicy,
    actor: &str,
    purpose: &str,
) -> TokenDecision {
    let subject = format!("token:{}", token.serial);
    if token.status != TokenStatus::Assigned {
        return TokenDecision {
            outcome: OtpOutcome::Rejected {
                cause: RejectCause::UnknownDevice,
                attempts_left: 0,
            },
            state: token.state,
            events: vec![
                AuditEvent::new(AuditKind::OtpRejected, actor, subject)
                    .with("reason", RejectCause::UnknownDevice.code())
                    .with("status", token.status.code())
                    .with("purpose", purpose),
            ],
        };
    }
    let verification = match &token.params {
        OtpParams::Totp(p) => {
            verify_totp(seed, p, &token.state, policy, code, now.unix_timestamp())
        }
        OtpParams::Hotp(p) => verify_hotp(seed, p, &token.state, policy, code),
    };
    from_verification(
        verification,
        policy,
        actor,
        subject,
        purpose,
        AuditKind::OtpAccepted,
    )
}

/// Resynchronises a token with two consecutive codes (RFC 4226 section 7.4, RFC 6238 section 6).
pub fn resync_token(
    token: &StoredToken,
    seed: &Seed,
    code1: &str,
    code2: &str,
    now: OffsetDateTime,
    policy: &VerifyPolicy,
    actor: &str,
) -> TokenDecision {
    let verification = match &token.params {
        OtpParams::Totp(p) => resync_totp(
            seed,
            p,
            &token.state,
            policy,
            code1,
            code2,
            now.unix_timestamp(),
        ),
        OtpParams::Hotp(p) => resync_hotp(seed, p, &token.state, policy, code1, code2),
    };
    let subject = format!("token:{}", token.serial);
    from_verification(
        verification,
        policy,
        actor,
        subject,
        "resync",
        AuditKind::OtpResynchronised,
    )
}

fn from_verification(
    v: Verification,
    policy: &VerifyPolicy,
    actor: &str,
    subject: String,
    purpose: &str,
    accepted_kind: AuditKind,
) -> TokenDecision {
    let attempts_left = policy.max_failures.saturating_sub(v.state.failures);
    let (outcome, events) = match v.outcome {
        Outcome::Accepted { matched, drift } => (
            OtpOutcome::Accepted,
            vec![
                AuditEvent::new(accepted_kind, actor, subject)
                    .with("purpose", purpose)
                    .with("matched", matched)
                    .with("drift", drift),
            ],
        ),
        Outcome::Rejected { reason, locked } => {
            let cause = match reason {
                RejectReason::Malformed(_) => RejectCause::Malformed,
                RejectReason::NoMatch => RejectCause::Mismatch,
                RejectReason::Replay { .. } => RejectCause::Replay,
            };
            let mut events = vec![
                AuditEvent::new(AuditKind::OtpRejected, actor, subject.clone())
                    .with("reason", cause.code())
                    .with("purpose", purpose)
                    .with("failures", v.state.failures),
            ];
            if locked {
                events.push(
                    AuditEvent::new(AuditKind::OtpLockedOut, actor, subject)
                        .with("failures", v.state.failures),
                );
                (OtpOutcome::Locked, events)
            } else {
                (
                    OtpOutcome::Rejected {
                        cause,
                        attempts_left,
                    },
                    events,
                )
            }
        }
        Outcome::Locked => (
            OtpOutcome::Locked,
            vec![
                AuditEvent::new(AuditKind::OtpRejected, actor, subject)
                    .with("reason", "locked")
                    .with("purpose", purpose),
            ],
        ),
    };
    TokenDecision {
        outcome,
        state: v.state,
        events,
    }
}

/// The result of a decision on an SMS code.
#[derive(Debug, Clone)]
pub struct SmsDecision {
    pub outcome: OtpOutcome,
    /// The device's failure count to store.
    pub failures: u32,
    /// Whether the challenge is used up (accepted).
    pub consume: bool,
    pub events: Vec<AuditEvent>,
}

/// An SMS code typed by the officer, with what the caller loaded and computed for it.
#[derive(Debug, Clone, Copy)]
pub struct SmsAttempt<'a> {
    pub device: &'a SmsDevice,
    /// The latest challenge for the purpose, if any.
    pub challenge: Option<&'a SmsChallenge>,
    /// Whether the code typed has the shape of a code (digits, length).
    pub well_formed: bool,
    /// The keyed hash of (challenge id, code typed), computed through the HSM.
    pub candidate_hash: Option<[u8; 32]>,
    pub now: OffsetDateTime,
}

/// Verifies an SMS code: single use, before it expires, with the device's failures counted.
pub fn decide_sms(
    attempt: &SmsAttempt<'_>,
    policy: &VerifyPolicy,
    actor: &str,
    purpose: &str,
) -> SmsDecision {
    let SmsAttempt {
        device,
        challenge,
        well_formed,
        candidate_hash,
        now,
    } = *attempt;
    let subject = format!("sms:{}", device.owner);
    if policy.is_locked(device.failures) {
        return SmsDecision {
            outcome: OtpOutcome::Locked,
            failures: device.failures,
            consume: false,
            events: vec![
                AuditEvent::new(AuditKind::OtpRejected, actor, subject)
                    .with("reason", "locked")
                    .with("purpose", purpose),
            ],
        };
    }
    let cause = match (challenge, candidate_hash) {
        (None, _) => Some(RejectCause::NoChallenge),
        (Some(c), _) if c.consumed => Some(RejectCause::NoChallenge),
        (Some(c), _) if now >= c.expires_at => Some(RejectCause::Expired),
        (Some(_), _) if !well_formed => Some(RejectCause::Malformed),
        (Some(c), Some(h)) if bool::from(c.code_hash.ct_eq(&h)) => None,
        (Some(_), _) => Some(RejectCause::Mismatch),
    };
    match cause {
        None => SmsDecision {
            outcome: OtpOutcome::Accepted,
            failures: 0,
            consume: true,
            events: vec![
                AuditEvent::new(AuditKind::OtpAccepted, actor, subject).with("purpose", purpose),
            ],
        },
        Some(cause) => {
            let failures = device.failures.saturating_add(1);
            let mut events = vec![
                AuditEvent::new(AuditKind::OtpRejected, actor, subject.clone())
                    .with("reason", cause.code())
                    .with("purpose", purpose)
                    .with("failures", failures),
            ];
            let outcome = if policy.is_locked(failures) {
                events.push(
                    AuditEvent::new(AuditKind::OtpLockedOut, actor, subject)
                        .with("failures", failures),
                );
                OtpOutcome::Locked
            } else {
                OtpOutcome::Rejected {
                    cause,
                    attempts_left: policy.max_failures.saturating_sub(failures),
                }
            };
            SmsDecision {
                outcome,
                failures,
                consume: false,
                events,
            }
        }
    }
}
