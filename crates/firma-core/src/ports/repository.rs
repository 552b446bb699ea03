//! Repository ports: what the service stores. Implemented by `firma-store` for SQLite and
//! PostgreSQL alike.
//!
//! Contract shared by every method that takes `events`: the state change and its audit records
//! are written in one transaction (no state change without its record, no record without its
//! change), and the records extend the hash chain in order even with several service instances
//! on one database. Times come from the caller's `Clock`.

use std::future::Future;

use firma_otp::OtpDeviceState;
use time::OffsetDateTime;

use crate::access::Principal;
use crate::audit::{AuditEvent, AuditRecord};
use crate::codice_fiscale::CodiceFiscale;
use crate::credential::{Credential, CredentialId};
use crate::otp::{NewToken, OtpDevice, SmsChallenge, SmsDevice, StoredToken, TokenStatus};
use crate::phone::PhoneNumber;
use crate::signing::{
    NewDocument, RequestDocument, RequestStatus, Sad, SigningRequest, SigningRequestId,
};
use crate::ufficiale::{Ufficiale, UfficialeId};

/// Why a repository operation failed.
#[derive(Debug, thiserror::Error)]
pub enum RepositoryError {
    /// A unique key already exists (names it).
    #[error("already exists: {0}")]
    Duplicate(String),
    #[error("not found: {0}")]
    NotFound(String),
    /// The database cannot be reached or refused the transaction.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// Stored data does not decode (a bug or tampering).
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
}

/// The append-only, hash-chained audit log.
pub trait AuditLog: Send + Sync {
    /// Appends events on their own (security events with no state change, such as a denial).
    fn append(
        &self,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// Records after `after_seq` in order, at most `limit` (for verification and export).
    fn records(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<AuditRecord>, RepositoryError>> + Send;
}

/// Hardware tokens and SMS devices, and the state their verification keeps.
pub trait OtpStore: Send + Sync {
    /// Stores imported tokens, all or none: if a serial already exists nothing is stored and the
    /// error names it. `progress` is called with the number stored so far.
    fn insert_tokens(
        &self,
        tokens: &[NewToken],
        event: &AuditEvent,
        at: OffsetDateTime,
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    fn token(
        &self,
        serial: &str,
    ) -> impl Future<Output = Result<Option<StoredToken>, RepositoryError>> + Send;

    /// Compare-and-swap: stores `state` if the token's version is still `expected_version`.
    /// Returns `false` (and writes nothing) if another writer came first.
    fn update_token_state(
        &self,
        serial: &str,
        expected_version: i64,
        state: &OtpDeviceState,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<bool, RepositoryError>> + Send;

    /// Binds a token to its officer (or releases it) and sets its status.
    fn set_token_owner(
        &self,
        serial: &str,
        owner: Option<&str>,
        status: TokenStatus,
        event: &AuditEvent,
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    fn sms_device(
        &self,
        owner: &str,
    ) -> impl Future<Output = Result<Option<SmsDevice>, RepositoryError>> + Send;

    /// Registers (or changes) the phone where an officer receives codes.
    fn put_sms_device(
        &self,
        owner: &str,
        phone: &PhoneNumber,
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// The most recent challenge for `owner` and `purpose`, used or not.
    fn latest_challenge(
        &self,
        owner: &str,
        purpose: &str,
    ) -> impl Future<Output = Result<Option<SmsChallenge>, RepositoryError>> + Send;

    /// Stores a new challenge for its purpose; earlier unused challenges of the same owner and
    /// purpose stop being valid.
    fn insert_challenge(
        &self,
        challenge: &SmsChallenge,
        event: &AuditEvent,
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// Compare-and-swap on the SMS device (its version) storing `failures`, and, when `consume`
    /// names a challenge, marking it used if it is not yet. Returns `false` (writing nothing) if
    /// the device changed or the challenge was already used.
    fn record_sms_attempt(
        &self,
        owner: &str,
        expected_version: i64,
        failures: u32,
        consume: Option<&str>,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<bool, RepositoryError>> + Send;

    /// Resets the failure count of a token (`token:<serial>`) or SMS device (`sms:<owner>`).
    /// Returns `false` if there is no such device.
    fn unlock(
        &self,
        subject: &str,
        event: &AuditEvent,
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<bool, RepositoryError>> + Send;
}

/// Principals, officers and their credentials.
pub trait DirectoryStore: Send + Sync {
    /// Stores a principal with the SHA-256 of its bearer token.
    fn insert_principal(
        &self,
        principal: &Principal,
        token_hash: &[u8; 32],
        event: &AuditEvent,
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// The principal whose token hashes to `token_hash`, unless revoked.
    fn principal_by_token(
        &self,
        token_hash: &[u8; 32],
    ) -> impl Future<Output = Result<Option<Principal>, RepositoryError>> + Send;

    /// Stores a principal with the SHA-256 of its bearer token and, for a principal that also
    /// authenticates over mutual TLS, the SHA-256 of its client certificate (DER), refusing a
    /// certificate already bound to another principal.
    fn insert_principal_with_certificate(
        &self,
        principal: &Principal,
        token_hash: &[u8; 32],
        certificate_sha256: Option<&[u8; 32]>,
        event: &AuditEvent,
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// The principal bound to the client certificate whose DER encoding hashes (SHA-256) to
    /// `certificate_sha256`, unless revoked.
    fn principal_by_certificate(
        &self,
        certificate_sha256: &[u8; 32],
    ) -> impl Future<Output = Result<Option<Principal>, RepositoryError>> + Send;

    /// Registers an officer, refusing a codice fiscale already present.
    fn insert_ufficiale(
        &self,
        ufficiale: &Ufficiale,
        otp_device: Option<&OtpDevice>,
        event: &AuditEvent,
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    fn ufficiale(
        &self,
        id: UfficialeId,
    ) -> impl Future<Output = Result<Option<(Ufficiale, Option<OtpDevice>)>, RepositoryError>> + Send;

    fn ufficiale_by_cf(
        &self,
        cf: &CodiceFiscale,
    ) -> impl Future<Output = Result<Option<(Ufficiale, Option<OtpDevice>)>, RepositoryError>> + Send;

    fn insert_credential(
        &self,
        credential: &Credential,
        event: &AuditEvent,
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    fn credential(
        &self,
        id: CredentialId,
    ) -> impl Future<Output = Result<Option<Credential>, RepositoryError>> + Send;

    fn credentials_of(
        &self,
        owner: UfficialeId,
    ) -> impl Future<Output = Result<Vec<Credential>, RepositoryError>> + Send;

    /// The certificate authority's stored material (opaque JSON: certificates and key labels;
    /// the keys are in the HSM) and the TSA certificate, once the CA was created.
    fn ca_material(&self)
    -> impl Future<Output = Result<Option<StoredCa>, RepositoryError>> + Send;

    /// Stores the CA material, refusing a second CA.
    fn insert_ca_material(
        &self,
        material: &str,
        tsa_certificate: Option<&[u8]>,
        event: &AuditEvent,
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;
}

/// The certificate authority's stored material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCa {
    /// Certificates and key labels, as JSON (the CA crate's `CaMaterial`).
    pub material: String,
    /// The simulator time-stamping authority's certificate (DER).
    pub tsa_certificate: Option<Vec<u8>>,
}

/// What storing a new request did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateOutcome {
    Created,
    /// The same principal already created a request with this idempotency key: its id, and
    /// whether the body was the same.
    Existing {
        id: SigningRequestId,
        same_body: bool,
    },
}

/// What recording a signature did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordOutcome {
    /// Stored with its audit record; the SAD's count went down by one.
    Recorded { request_completed: bool },
    /// The SAD is spent or expired: nothing stored.
    SadRefused,
    /// The document was already signed (a concurrent or resumed signer): nothing stored.
    AlreadySigned,
}

/// Signing requests, their documents and Signature Activation Data.
pub trait SigningStore: Send + Sync {
    /// Stores a request and its documents, or finds the one with the same idempotency key.
    fn create_request(
        &self,
        request: &SigningRequest,
        documents: &[NewDocument],
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<CreateOutcome, RepositoryError>> + Send;

    fn request(
        &self,
        id: SigningRequestId,
    ) -> impl Future<Output = Result<Option<SigningRequest>, RepositoryError>> + Send;

    fn documents(
        &self,
        id: SigningRequestId,
    ) -> impl Future<Output = Result<Vec<RequestDocument>, RepositoryError>> + Send;

    fn document_input(
        &self,
        id: SigningRequestId,
        index: u32,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, RepositoryError>> + Send;

    fn document_output(
        &self,
        id: SigningRequestId,
        index: u32,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, RepositoryError>> + Send;

    /// Moves a request from awaiting authorisation to signing and stores its SAD; `false` if the
    /// request was not awaiting authorisation any more.
    fn authorize_request(
        &self,
        id: SigningRequestId,
        sad: &Sad,
        purpose: &str,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<bool, RepositoryError>> + Send;

    /// Stores a new SAD on its own (CSC authorize).
    fn insert_sad(
        &self,
        sad: &Sad,
        purpose: &str,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    fn sad(&self, id: &str) -> impl Future<Output = Result<Option<Sad>, RepositoryError>> + Send;

    /// The SAD stored for `purpose` (a request id), if any.
    fn sad_for(
        &self,
        purpose: &str,
    ) -> impl Future<Output = Result<Option<Sad>, RepositoryError>> + Send;

    /// Spends one signature of `sad` (refused if spent or expired at `at`) and, for a request
    /// document, stores its signed output: one transaction with `events`.
    fn record_signature(
        &self,
        sad_id: &str,
        document: Option<(SigningRequestId, u32, &[u8])>,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<RecordOutcome, RepositoryError>> + Send;

    /// Moves a request that is not final yet to a final status; `false` if it already was final.
    fn finish_request(
        &self,
        id: SigningRequestId,
        status: RequestStatus,
        failure: Option<&str>,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<bool, RepositoryError>> + Send;

    /// Requests in `status` (e.g. to resume signing after a restart).
    fn requests_in(
        &self,
        status: RequestStatus,
    ) -> impl Future<Output = Result<Vec<SigningRequest>, RepositoryError>> + Send;
}
