//! The onboarding store port: the adhesions of the comuni, the officers' richieste firma remota,
//! and the officer changes the ALS makes (profiles, e-mail, removal). Implemented by
//! `firma-store` for SQLite and PostgreSQL alike.
//!
//! The domain objects ([`Adesione`], [`RichiestaFirmaRemota`]) are stored whole, with a
//! `version` that goes up at every change. Every method that changes something is a
//! compare-and-swap on the version (or on the values) it was decided on: of two actors racing
//! (two sindaci, the forwarding job and the sindaco moving the date, the Ente Certificatore and
//! the ALS removing the officer) one wins, the other gets `false` (nothing written), reloads and
//! decides again. Methods that take `events` write them in the same transaction as the change
//! (see [`super::AuditLog`]).

use std::future::Future;

use time::{Date, OffsetDateTime};

use crate::audit::AuditEvent;
use crate::comune::CodiceIstat;
use crate::credential::{Credential, CredentialId};
use crate::key::KeyRef;
use crate::onboarding::{Adesione, Chiavetta, RichiestaFirmaRemota, RichiestaId};
use crate::otp::OtpDevice;
use crate::phone::PhoneNumber;
use crate::ports::RepositoryError;
use crate::ufficiale::{Ufficiale, UfficialeId};

/// An adhesion as stored, with its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAdesione {
    pub adesione: Adesione,
    pub version: i64,
}

/// A richiesta as stored, with its version and, once approved, the credential issued for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRichiesta {
    pub richiesta: RichiestaFirmaRemota,
    pub version: i64,
    pub credential: Option<CredentialId>,
}

/// Which richieste to list (all conditions given must hold), oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RichiesteFilter {
    pub ufficiale: Option<UfficialeId>,
    pub comune: Option<CodiceIstat>,
    /// State codes (`in_attesa`, `inoltrata`, ...); empty: any.
    pub stati: Vec<&'static str>,
    /// Only richieste that were forwarded to the Ente Certificatore at some point.
    pub inoltrate: bool,
    pub limit: u32,
}

/// An approval, stored in one transaction: the richiesta moves to its approved state
/// (compare-and-swap on `expected_version`), the credential is stored, and the officer's OTP
/// device is bound. Refused (`false`, nothing written) if the richiesta changed or the officer
/// was removed meanwhile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval<'a> {
    /// The richiesta in its approved state.
    pub richiesta: &'a RichiestaFirmaRemota,
    pub expected_version: i64,
    /// The officer's new credential (active, with its certificate chain).
    pub credential: &'a Credential,
    /// For an officer who chose SMS: the phone registered as their SMS device, which becomes the
    /// officer's OTP device. `None` (chiavetta): the device is bound later, when the officer binds
    /// the chiavetta delivered to the comune.
    pub sms_phone: Option<&'a PhoneNumber>,
}

/// The removal of an officer, stored in one transaction once their credentials are revoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal<'a> {
    pub ufficiale: UfficialeId,
    /// Who removed the officer (an audit actor).
    pub removed_by: &'a str,
    /// The officer's open richieste, in their cancelled state, each with the version it was read
    /// at (compare-and-swap).
    pub cancelled: &'a [(RichiestaFirmaRemota, i64)],
    /// Chiavette bound to the officer: released (no owner, back to `delivered`).
    pub unbind_tokens: &'a [String],
    /// Credentials that never received a certificate (nothing to revoke at the CA): set
    /// `revoked`, with the key reference that replaces theirs (a wrapped key's blob cleared).
    pub withdrawn: &'a [(CredentialId, KeyRef)],
}

/// What storing a removal did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemovalOutcome {
    /// Removed: the officer, their SMS device and their principals no longer authenticate.
    Removed,
    /// Something changed since it was read (a richiesta, a credential still active or suspended,
    /// another open richiesta): nothing written; reload and try again.
    Changed,
    /// No such officer, or already removed.
    NotFound,
}

/// Adhesions, richieste firma remota, and officer management.
pub trait OnboardingStore: Send + Sync {
    /// The adhesion of `comune`, if its sindaco has sent a proposta.
    fn adesione(
        &self,
        comune: &CodiceIstat,
    ) -> impl Future<Output = Result<Option<StoredAdesione>, RepositoryError>> + Send;

    /// Stores the first proposta of a comune (version 0); `Duplicate` if the comune has one.
    fn insert_adesione(
        &self,
        adesione: &Adesione,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// Replaces the adhesion if its version is still `expected_version`.
    fn update_adesione(
        &self,
        adesione: &Adesione,
        expected_version: i64,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<bool, RepositoryError>> + Send;

    /// Stores a new richiesta; `Duplicate` if the officer already has an open one (in attesa or
    /// inoltrata), `NotFound` if the officer is not registered (or was removed).
    fn insert_richiesta(
        &self,
        richiesta: &RichiestaFirmaRemota,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    fn richiesta(
        &self,
        id: RichiestaId,
    ) -> impl Future<Output = Result<Option<StoredRichiesta>, RepositoryError>> + Send;

    fn richieste(
        &self,
        filter: &RichiesteFilter,
    ) -> impl Future<Output = Result<Vec<StoredRichiesta>, RepositoryError>> + Send;

    /// Up to `limit` richieste in attesa whose comune has an adhesion whose forwarding window
    /// opens on or before `today` (three months before its date), each with that adhesion:
    /// the candidates of the forwarding job, which still decides with the domain rule.
    fn richieste_da_inoltrare(
        &self,
        today: Date,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<(StoredRichiesta, StoredAdesione)>, RepositoryError>> + Send;

    /// Replaces the richiesta if its version is still `expected_version` and, when `adesione`
    /// names a comune's adhesion version (the one the decision was made on), that adhesion is
    /// still at that version.
    fn update_richiesta(
        &self,
        richiesta: &RichiestaFirmaRemota,
        expected_version: i64,
        adesione: Option<i64>,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<bool, RepositoryError>> + Send;

    /// Stores an approval (see [`Approval`]).
    fn approve_richiesta(
        &self,
        approval: &Approval<'_>,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<bool, RepositoryError>> + Send;

    /// Registers an officer with, when `sms_phone` is given, their SMS device (the officer's OTP
    /// device then); `Duplicate` if an officer with the codice fiscale is registered (a removed
    /// officer's codice fiscale may be registered again).
    fn register_ufficiale(
        &self,
        ufficiale: &Ufficiale,
        sms_phone: Option<&PhoneNumber>,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<(), RepositoryError>> + Send;

    /// The officers of `comune` not removed, by surname and name.
    fn ufficiali_del_comune(
        &self,
        comune: &CodiceIstat,
    ) -> impl Future<Output = Result<Vec<(Ufficiale, Option<OtpDevice>)>, RepositoryError>> + Send;

    /// Stores `updated` (e-mail and profiles) if the officer is not removed and still has the
    /// e-mail and profiles of `previous` (compare-and-swap on the values).
    fn update_ufficiale(
        &self,
        previous: &Ufficiale,
        updated: &Ufficiale,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<bool, RepositoryError>> + Send;

    /// The chiavette bound to the officer.
    fn chiavette_of(
        &self,
        ufficiale: UfficialeId,
    ) -> impl Future<Output = Result<Vec<Chiavetta>, RepositoryError>> + Send;

    /// Stores a removal (see [`Removal`] and [`RemovalOutcome`]): the officer is marked removed,
    /// the open richieste cancelled, the chiavette released, the SMS device deleted, the
    /// officer's principals revoked; refused if any of the officer's credentials is still
    /// active or suspended.
    fn remove_ufficiale(
        &self,
        removal: &Removal<'_>,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<RemovalOutcome, RepositoryError>> + Send;
}
