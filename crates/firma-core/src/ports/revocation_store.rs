//! The revocation register port: which certificates the Ente Certificatore simulator issued,
//! which of them are revoked or suspended (RFC 5280 section 5.3.1 reasons), the CRLs it
//! published with their numbers (RFC 5280 section 5.2.3), and its delegated OCSP responder
//! (RFC 6960 section 4.2.2.2). Implemented by `firma-store` for SQLite and PostgreSQL alike.
//!
//! Serial numbers are unsigned big-endian magnitudes without leading zero octets (RFC 5280
//! section 4.1.2.2 serials are positive; the DER INTEGER may carry a sign octet, which is not
//! part of the key here).
//!
//! Methods that take `events` write them in the same transaction as the change (see
//! [`super::AuditLog`]).

use std::future::Future;

use time::OffsetDateTime;

use crate::audit::AuditEvent;
use crate::credential::{CredentialId, CredentialStatus};
use crate::key::KeyRef;
use crate::ports::RepositoryError;

/// What a certificate in the register of issued certificates was issued for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IssuedKind {
    /// An officer's qualified signing certificate (a credential's).
    Officer,
    /// The simulator time-stamping unit's certificate.
    Tsa,
    /// The delegated OCSP responder's certificate.
    OcspResponder,
    /// A workstation's TLS client certificate (certificato di postazione).
    Workstation,
}

impl IssuedKind {
    pub const ALL: [Self; 4] = [
        Self::Officer,
        Self::Tsa,
        Self::OcspResponder,
        Self::Workstation,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Officer => "officer",
            Self::Tsa => "tsa",
            Self::OcspResponder => "ocsp_responder",
            Self::Workstation => "workstation",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// A certificate the CA issued: what the OCSP responder needs to answer `good` rather than
/// `unknown` (RFC 6960 section 2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCertificateRecord {
    /// The serial number (magnitude, see the module documentation).
    pub serial: Vec<u8>,
    pub kind: IssuedKind,
    /// The credential, for an officer's certificate.
    pub credential: Option<CredentialId>,
    /// The subject, for people (`CN=...`).
    pub subject: String,
    pub not_after: OffsetDateTime,
}

/// One entry of the register of revocations: a revoked or suspended certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevocationRecord {
    /// The serial number (magnitude).
    pub serial: Vec<u8>,
    /// The credential whose certificate it is, if any.
    pub credential: Option<CredentialId>,
    /// The `CRLReason` value (RFC 5280 section 5.3.1); 6 (`certificateHold`) is a suspension.
    pub reason: u8,
    /// When the CA processed it (`revocationDate`), whole seconds.
    pub revoked_at: OffsetDateTime,
    /// When the certificate became invalid, if known and earlier (RFC 5280 section 5.3.2).
    pub invalidity_date: Option<OffsetDateTime>,
    /// Who revoked it (an audit actor).
    pub revoked_by: String,
}

/// What the register says about a serial number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SerialStatus {
    /// The CA did not issue it (as far as the register knows).
    NotIssued,
    /// Issued and not revoked.
    Good,
    /// Issued and revoked (or suspended).
    Revoked(RevocationRecord),
}

/// A change of a credential's status with its register entry, made atomically:
///
/// - the credential moves from `from` to `to` (compare-and-swap: nothing is written if its
///   status is not `from` any more);
/// - the register entry of `serial` is replaced by `entry`, or removed when `entry` is `None`
///   (a suspension lifted);
/// - when `to` is not `Active`, every Signature Activation Data of the credential is spent (its
///   remaining count set to zero): a signature made concurrently is not recorded;
/// - when `key` is given, it replaces the stored key reference (a wrapped key's blob cleared:
///   the key is destroyed);
/// - the register's version goes up, so that cached CRLs are rebuilt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialStatusChange {
    pub credential: CredentialId,
    pub from: CredentialStatus,
    pub to: CredentialStatus,
    /// The serial number of the credential's certificate (magnitude).
    pub serial: Vec<u8>,
    pub entry: Option<RevocationRecord>,
    pub key: Option<KeyRef>,
}

/// Which CRL: the issuing CA's (end-entity certificates) or the root's (the issuing CA
/// certificate, an authority revocation list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CrlScope {
    Issuing,
    Root,
}

impl CrlScope {
    pub fn code(self) -> &'static str {
        match self {
            Self::Issuing => "issuing",
            Self::Root => "root",
        }
    }
}

/// A published CRL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCrl {
    /// The CRL number (RFC 5280 section 5.2.3), increasing per scope.
    pub number: i64,
    /// The CRL, DER.
    pub der: Vec<u8>,
    pub this_update: OffsetDateTime,
    pub next_update: OffsetDateTime,
    /// The register version it was built from.
    pub register_version: i64,
}

/// The delegated OCSP responder: its key's label in the HSM and its certificate (DER).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOcspResponder {
    pub key_label: String,
    pub certificate: Vec<u8>,
}

/// The register of issued and revoked certificates, CRLs and the OCSP responder.
pub trait RevocationStore: Send + Sync {
    /// Adds certificates to the register of issued certificates; serials already there are
    /// left as they are.
    fn register_issued(
        &self,
        certificates: &[IssuedCertificateRecord],
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// Up to `limit` credentials that have a certificate not yet in the register of issued
    /// certificates: the id and the certificate (DER, the first of the chain).
    fn unregistered_credentials(
        &self,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<(CredentialId, Vec<u8>)>, RepositoryError>> + Send;

    /// Whether `serial` was issued, and its revocation if it is revoked.
    fn serial_status(
        &self,
        serial: &[u8],
    ) -> impl Future<Output = Result<SerialStatus, RepositoryError>> + Send;

    /// The register entry of a credential's certificate, if revoked or suspended.
    fn credential_revocation(
        &self,
        credential: CredentialId,
    ) -> impl Future<Output = Result<Option<RevocationRecord>, RepositoryError>> + Send;

    /// Every revoked or suspended certificate, ordered by serial.
    fn revocations(
        &self,
    ) -> impl Future<Output = Result<Vec<RevocationRecord>, RepositoryError>> + Send;

    /// The register's version: it goes up with every change of the revocations.
    fn register_version(&self) -> impl Future<Output = Result<i64, RepositoryError>> + Send;

    /// Applies `change` (see [`CredentialStatusChange`]) with `events`; `false` (nothing
    /// written) if the credential's status was not `change.from`.
    fn change_credential_status(
        &self,
        change: &CredentialStatusChange,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<bool, RepositoryError>> + Send;

    /// The number of the last CRL of `scope` (0 before the first) and that CRL.
    fn crl(
        &self,
        scope: CrlScope,
    ) -> impl Future<Output = Result<(i64, Option<StoredCrl>), RepositoryError>> + Send;

    /// Publishes `crl` for `scope` with `events` if its number is the last one plus one;
    /// `false` (nothing written) if another writer published that number first.
    fn store_crl(
        &self,
        scope: CrlScope,
        crl: &StoredCrl,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<bool, RepositoryError>> + Send;

    /// The delegated OCSP responder, once created.
    fn ocsp_responder(
        &self,
    ) -> impl Future<Output = Result<Option<StoredOcspResponder>, RepositoryError>> + Send;

    /// Stores the delegated OCSP responder, refusing a second one.
    fn insert_ocsp_responder(
        &self,
        responder: &StoredOcspResponder,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;
}
