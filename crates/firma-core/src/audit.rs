//! Security events and the hash chain that makes the audit log tamper-evident.
//!
//! Each record carries the SHA-256 of its predecessor and its own hash over a canonical encoding,
//! so deleting, reordering or editing any record breaks every later link (the construction of
//! RFC 6962's Merkle log, reduced to a chain). The store appends records in the same transaction
//! as the state change they describe; `verify_chain` finds the first broken link.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// What happened. The code (`otp.accepted`, ...) is stable: it is stored and documented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuditKind {
    OtpAccepted,
    OtpRejected,
    OtpLockedOut,
    OtpUnlocked,
    OtpResynchronised,
    OtpTokensImported,
    OtpTokenAssigned,
    SmsCodeSent,
    AccessDenied,
    PrincipalCreated,
    PrincipalRevoked,
    UfficialeRegistered,
    CredentialIssued,
    SigningRequestCreated,
    SigningAuthorized,
    SignatureCreated,
    SigningRequestCompleted,
    SigningRequestFailed,
    SigningRequestCancelled,
    CaCreated,
    WorkstationCertificateIssued,
    AdesioneProposta,
    AdesioneModificata,
    AdesioneDichiarata,
    UfficialeModificato,
    UfficialeRimosso,
    RichiestaCompilata,
    RichiestaInoltrata,
    IdentitaVerificata,
    RichiestaApprovata,
    RichiestaRifiutata,
    RichiestaAnnullata,
    CredentialRevoked,
    CredentialSuspended,
    CredentialReinstated,
    KeyDestroyed,
    CrlIssued,
    TokensAllocated,
    TokensDelivered,
    DeliveryReceiptSigned,
    TokenBound,
}

impl AuditKind {
    pub const ALL: [AuditKind; 41] = [
        Self::OtpAccepted,
        Self::OtpRejected,
        Self::OtpLockedOut,
        Self::OtpUnlocked,
        Self::OtpResynchronised,
        Self::OtpTokensImported,
        Self::OtpTokenAssigned,
        Self::SmsCodeSent,
        Self::AccessDenied,
        Self::PrincipalCreated,
        Self::PrincipalRevoked,
        Self::UfficialeRegistered,
        Self::CredentialIssued,
        Self::SigningRequestCreated,
        Self::SigningAuthorized,
        Self::SignatureCreated,
        Self::SigningRequestCompleted,
        Self::SigningRequestFailed,
        Self::SigningRequestCancelled,
        Self::CaCreated,
        Self::WorkstationCertificateIssued,
        Self::AdesioneProposta,
        Self::AdesioneModificata,
        Self::AdesioneDichiarata,
        Self::UfficialeModificato,
        Self::UfficialeRimosso,
        Self::RichiestaCompilata,
        Self::RichiestaInoltrata,
        Self::IdentitaVerificata,
        Self::RichiestaApprovata,
        Self::RichiestaRifiutata,
        Self::RichiestaAnnullata,
        Self::CredentialRevoked,
        Self::CredentialSuspended,
        Self::CredentialReinstated,
        Self::KeyDestroyed,
        Self::CrlIssued,
        Self::TokensAllocated,
        Self::TokensDelivered,
        Self::DeliveryReceiptSigned,
        Self::TokenBound,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::OtpAccepted => "otp.accepted",
            Self::OtpRejected => "otp.rejected",
            Self::OtpLockedOut => "otp.locked_out",
            Self::OtpUnlocked => "otp.unlocked",
            Self::OtpResynchronised => "otp.resynchronised",
            Self::OtpTokensImported => "otp.tokens_imported",
            Self::OtpTokenAssigned => "otp.token_assigned",
            Self::SmsCodeSent => "otp.sms_sent",
            Self::AccessDenied => "access.denied",
            Self::PrincipalCreated => "principal.created",
            Self::PrincipalRevoked => "principal.revoked",
            Self::UfficialeRegistered => "ufficiale.registered",
            Self::CredentialIssued => "credential.issued",
            Self::SigningRequestCreated => "signing.request_created",
            Self::SigningAuthorized => "signing.authorized",
            Self::SignatureCreated => "signing.signature_created",
            Self::SigningRequestCompleted => "signing.request_completed",
            Self::SigningRequestFailed => "signing.request_failed",
            Self::SigningRequestCancelled => "signing.request_cancelled",
            Self::CaCreated => "ca.created",
            Self::WorkstationCertificateIssued => "ca.workstation_certificate_issued",
            Self::AdesioneProposta => "adesione.proposta",
            Self::AdesioneModificata => "adesione.modificata",
            Self::AdesioneDichiarata => "adesione.dichiarata",
            Self::UfficialeModificato => "ufficiale.modificato",
            Self::UfficialeRimosso => "ufficiale.rimosso",
            Self::RichiestaCompilata => "richiesta.compilata",
            Self::RichiestaInoltrata => "richiesta.inoltrata",
            Self::IdentitaVerificata => "richiesta.identita_verificata",
            Self::RichiestaApprovata => "richiesta.approvata",
            Self::RichiestaRifiutata => "richiesta.rifiutata",
            Self::RichiestaAnnullata => "richiesta.annullata",
            Self::CredentialRevoked => "credential.revoked",
            Self::CredentialSuspended => "credential.suspended",
            Self::CredentialReinstated => "credential.reinstated",
            Self::KeyDestroyed => "credential.key_destroyed",
            Self::CrlIssued => "ca.crl_issued",
            Self::TokensAllocated => "chiavette.allocate",
            Self::TokensDelivered => "chiavette.consegnate",
            Self::DeliveryReceiptSigned => "chiavette.ricevuta_firmata",
            Self::TokenBound => "chiavette.abbinata",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

impl fmt::Display for AuditKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An event to record: who did what to what, with details. Never secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub kind: AuditKind,
    /// Who acted: `officer:<id>`, `operator:<name>`, `service:<name>`, `system`.
    pub actor: String,
    /// What it concerns: `token:<serial>`, `sms:<owner>`, `credential:<id>`, ...
    pub subject: String,
    pub details: BTreeMap<String, String>,
}

impl AuditEvent {
    pub fn new(kind: AuditKind, actor: impl Into<String>, subject: impl Into<String>) -> Self {
        Self {
            kind,
            actor: actor.into(),
            subject: subject.into(),
            details: BTreeMap::new(),
        }
    }

    pub fn with(mut self, key: &str, value: impl fmt::Display) -> Self {
        self.details.insert(key.to_owned(), value.to_string());
        self
    }
}

/// A stored audit record: the event, its place in the chain and its time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// 1, 2, 3, ... without gaps.
    pub seq: i64,
    pub at: OffsetDateTime,
    /// The stored kind code (kept as text, so that a record of an unknown kind still verifies).
    pub kind: String,
    pub actor: String,
    pub subject: String,
    pub details: BTreeMap<String, String>,
    pub prev_hash: [u8; 32],
    pub hash: [u8; 32],
}

/// The predecessor hash of the first record.
pub const GENESIS_HASH: [u8; 32] = [0; 32];

/// The hash of a record: SHA-256 over the previous hash and the length-prefixed fields, so that
/// no two different records encode alike.
pub fn record_hash(
    prev_hash: &[u8; 32],
    seq: i64,
    at: OffsetDateTime,
    kind: &str,
    actor: &str,
    subject: &str,
    details: &BTreeMap<String, String>,
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"firma-remota audit v1\0");
    h.update(prev_hash);
    h.update(seq.to_be_bytes());
    let at = at
        .to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_default();
    for field in [at.as_str(), kind, actor, subject] {
        field_bytes(&mut h, field.as_bytes());
    }
    h.update((details.len() as u64).to_be_bytes());
    for (k, v) in details {
        field_bytes(&mut h, k.as_bytes());
        field_bytes(&mut h, v.as_bytes());
    }
    h.finalize().into()
}

fn field_bytes(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_be_bytes());
    h.update(bytes);
}

impl AuditRecord {
    /// Builds the record that follows `prev` (or the first one).
    pub fn next(prev: Option<(&i64, &[u8; 32])>, at: OffsetDateTime, event: &AuditEvent) -> Self {
        let (seq, prev_hash) = match prev {
            Some((seq, hash)) => (seq + 1, *hash),
            None => (1, GENESIS_HASH),
        };
        // Stored times have microsecond precision (PostgreSQL); hash what is stored.
        let at = at
            .replace_nanosecond(at.nanosecond() / 1000 * 1000)
            .unwrap_or(at);
        let kind = event.kind.code().to_owned();
        let hash = record_hash(
            &prev_hash,
            seq,
            at,
            &kind,
            &event.actor,
            &event.subject,
            &event.details,
        );
        Self {
            seq,
            at,
            kind,
            actor: event.actor.clone(),
            subject: event.subject.clone(),
            details: event.details.clone(),
            prev_hash,
            hash,
        }
    }

    pub fn computed_hash(&self) -> [u8; 32] {
        record_hash(
            &self.prev_hash,
            self.seq,
            self.at,
            &self.kind,
            &self.actor,
            &self.subject,
            &self.details,
        )
    }
}

/// Where the chain breaks first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error(
        "audit record {seq}: expected sequence number {expected} (a record is missing or out of order)"
    )]
    Gap { seq: i64, expected: i64 },
    #[error("audit record {seq}: its link to record {} does not match that record's hash (a record before it was changed or removed)", seq - 1)]
    Link { seq: i64 },
    #[error("audit record {seq}: its content does not match its hash (the record was changed)")]
    Content { seq: i64 },
}

/// Checks records in order, continuing from `prev` (the last verified record's seq and hash, or
/// `None` from the start). Returns the last record's seq and hash, to continue with the next page.
pub fn verify_chain(
    prev: Option<(i64, [u8; 32])>,
    records: &[AuditRecord],
) -> Result<Option<(i64, [u8; 32])>, ChainError> {
    let mut last = prev;
    for r in records {
        let (expected_seq, expected_prev) = match last {
            Some((seq, hash)) => (seq + 1, hash),
            None => (1, GENESIS_HASH),
        };
        if r.seq != expected_seq {
            return Err(ChainError::Gap {
                seq: r.seq,
                expected: expected_seq,
            });
        }
        if r.prev_hash != expected_prev {
            return Err(ChainError::Link { seq: r.seq });
        }
        if r.computed_hash() != r.hash {
            return Err(ChainError::Content { seq: r.seq });
        }
        last = Some((r.seq, r.hash));
    }
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn chain(n: usize) -> Vec<AuditRecord> {
        let mut out: Vec<AuditRecord> = Vec::new();
        for i in 0..n {
            let e = AuditEvent::new(AuditKind::OtpRejected, "officer:1", format!("token:{i}"))
                .with("reason", "no_match");
            let prev = out.last().map(|r| (&r.seq, &r.hash));
            out.push(AuditRecord::next(
                prev,
                datetime!(2026-11-23 10:00:00.123456789 UTC),
                &e,
            ));
        }
        out
    }

    #[test]
    fn an_intact_chain_verifies_in_pages() {
        let records = chain(10);
        let mid = verify_chain(None, &records[..4]).unwrap();
        let end = verify_chain(mid, &records[4..]).unwrap();
        assert_eq!(end.map(|(s, _)| s), Some(10));
        assert_eq!(records[0].at.nanosecond(), 123_456_000);
    }

    #[test]
    fn every_kind_of_tampering_is_found_at_its_record() {
        let records = chain(5);
        let mut edited = records.clone();
        edited[2].details.insert("reason".into(), "accepted".into());
        assert_eq!(
            verify_chain(None, &edited),
            Err(ChainError::Content { seq: 3 })
        );

        let mut removed = records.clone();
        removed.remove(1);
        assert_eq!(
            verify_chain(None, &removed),
            Err(ChainError::Gap {
                seq: 3,
                expected: 2
            })
        );

        // Removing a record and renumbering the rest still breaks the link.
        let mut renumbered = removed.clone();
        for (i, r) in renumbered.iter_mut().enumerate() {
            r.seq = i as i64 + 1;
        }
        assert_eq!(
            verify_chain(None, &renumbered),
            Err(ChainError::Link { seq: 2 })
        );

        // Rewriting a record with a fresh, self-consistent hash breaks the next link.
        let mut forged = records.clone();
        forged[1].actor = "officer:2".into();
        forged[1].hash = forged[1].computed_hash();
        assert_eq!(
            verify_chain(None, &forged),
            Err(ChainError::Link { seq: 3 })
        );
    }

    #[test]
    fn kinds_have_stable_codes() {
        for k in AuditKind::ALL {
            assert_eq!(AuditKind::from_code(k.code()), Some(k));
        }
    }
}
