//! The distribution of the chiavette (circolare 48/2025, section 2): the stock of each
//! Prefettura, the deliveries to the comuni with their signed receipts, and the binding of a
//! delivered chiavetta by its officer. Implemented by `firma-store` for SQLite and PostgreSQL.
//!
//! As in the other stores, the service decides with the pure rules (`crate::onboarding`) on what
//! it read, and every change is a compare-and-swap on that state, written with its audit records
//! in one transaction: `false` means something changed meanwhile (reload and decide again).

use std::fmt;
use std::future::Future;

use firma_otp::OtpDeviceState;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::audit::AuditEvent;
use crate::comune::{CodiceIstat, CodiceProvincia};
use crate::onboarding::{Chiavetta, Consegna, RichiestaFirmaRemota};
use crate::otp::TokenStatus;
use crate::ports::RepositoryError;
use crate::signing::SigningRequestId;
use crate::ufficiale::UfficialeId;

/// Identifier of a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConsegnaId(pub Uuid);

impl fmt::Display for ConsegnaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A delivery as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredConsegna {
    pub id: ConsegnaId,
    /// Its number among the deliveries to the comune (1, 2, ...): unique per comune, so of two
    /// deliveries decided on the same earlier ones only one is stored.
    pub numero: u32,
    pub consegna: Consegna,
    pub ricevuta: StatoRicevuta,
}

/// Where the receipt of a delivery is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StatoRicevuta {
    /// The signing request of the current attempt to sign it (the operator's credential).
    pub richiesta_firma: Option<SigningRequestId>,
    /// When the signed receipt was stored with the delivery.
    pub firmata_il: Option<OffsetDateTime>,
}

/// A delivery to store with the new state of its chiavette.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NuovaConsegnaStored<'a> {
    pub id: ConsegnaId,
    pub numero: u32,
    pub consegna: &'a Consegna,
}

/// A chiavetta bound by its officer after the two codes were verified: its new OTP state (the
/// codes are spent) and owner, stored only if the token is still at `expected_version` and
/// delivered to `comune`, and the officer is registered with no chiavetta bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Abbinamento<'a> {
    pub serial: &'a str,
    pub expected_version: i64,
    pub state: &'a OtpDeviceState,
    pub ufficiale: UfficialeId,
    pub comune: &'a CodiceIstat,
}

/// Stock, deliveries, receipts, binding.
pub trait ChiavetteStore: Send + Sync {
    /// The distribution view of the chiavette with these serials (unknown serials are absent).
    fn chiavette(
        &self,
        serials: &[String],
    ) -> impl Future<Output = Result<Vec<Chiavetta>, RepositoryError>> + Send;

    /// The chiavette of the province's stock (delivered and bound ones included), optionally
    /// only those in `stato`, by serial, at most `limit`.
    fn chiavette_della_provincia(
        &self,
        provincia: &CodiceProvincia,
        stato: Option<TokenStatus>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Chiavetta>, RepositoryError>> + Send;

    /// How many chiavette of the province's stock are in each status.
    fn conteggio_scorte(
        &self,
        provincia: &CodiceProvincia,
    ) -> impl Future<Output = Result<Vec<(TokenStatus, u64)>, RepositoryError>> + Send;

    /// Assigns `serials` to the stock of `provincia` if each is still in stock with no province;
    /// `false` (nothing written) otherwise.
    fn carica(
        &self,
        provincia: &CodiceProvincia,
        serials: &[String],
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<bool, RepositoryError>> + Send;

    /// The richieste firma remota of the province's comuni whose officers chose the chiavetta
    /// (every state: the allocation rule picks the ones that count).
    fn richieste_chiavetta(
        &self,
        provincia: &CodiceProvincia,
    ) -> impl Future<Output = Result<Vec<RichiestaFirmaRemota>, RepositoryError>> + Send;

    /// Stores a delivery and marks its chiavette delivered to its comune, if every one is still
    /// in the province's stock and in stock, and the delivery's number is still free for the
    /// comune; `false` (nothing written) otherwise.
    fn insert_consegna(
        &self,
        nuova: &NuovaConsegnaStored<'_>,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<bool, RepositoryError>> + Send;

    fn consegna(
        &self,
        id: ConsegnaId,
    ) -> impl Future<Output = Result<Option<StoredConsegna>, RepositoryError>> + Send;

    /// Deliveries of the province (of one comune when given), oldest first, at most `limit`.
    fn consegne(
        &self,
        provincia: &CodiceProvincia,
        comune: Option<&CodiceIstat>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<StoredConsegna>, RepositoryError>> + Send;

    /// Records the signing request of a new attempt to sign the receipt, if the delivery's
    /// current one is still `previous` and the receipt is not signed yet.
    fn set_richiesta_ricevuta(
        &self,
        id: ConsegnaId,
        previous: Option<SigningRequestId>,
        richiesta: SigningRequestId,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<bool, RepositoryError>> + Send;

    /// Stores the signed receipt made by `richiesta` with the delivery, once.
    fn store_ricevuta_firmata(
        &self,
        id: ConsegnaId,
        richiesta: SigningRequestId,
        pdf: &[u8],
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<bool, RepositoryError>> + Send;

    /// The signed receipt (PDF), once stored.
    fn ricevuta_firmata(
        &self,
        id: ConsegnaId,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, RepositoryError>> + Send;

    /// Binds a chiavetta (see [`Abbinamento`]): the token becomes `Assigned` to the officer with
    /// its new OTP state, and the officer's OTP device.
    fn abbina(
        &self,
        abbinamento: &Abbinamento<'_>,
        events: &[AuditEvent],
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<bool, RepositoryError>> + Send;
}
