//! Onboarding of comuni and officers: the pure rules of the circulars, with no I/O and no clock.
//!
//! Sources (Italian texts in `shared/reference/`):
//! - Circolare DCSD n. 48/2025, "Richiesta e rilascio delle firme elettroniche remote agli
//!   ufficiali dello stato civile" (richiesta firma remota, its forwarding to the Ente
//!   Certificatore, distribution of the chiavette by the Prefetture);
//! - "Guida all'utilizzo dei cruscotti di adesione al sistema ANSC", sections 2 and 4 (registration
//!   of the officers by the ALS, proposta and dichiarazione di adesione).
//!
//! Conventions, chosen once for every rule of this module:
//! - **Dates are Italian calendar dates.** Every day-counted rule (the 30 days of the proposta,
//!   the day the registers close, the three-month window, document expiry, delivery dates) works
//!   on [`time::Date`]s as the calendar in Italy shows them. "Today" is the date in
//!   Europe/Rome of an instant taken from the caller (an [`OffsetDateTime`](time::OffsetDateTime)
//!   read from the `Clock` port): see [`data_in_italia`]. The `time` crate has no time-zone
//!   database, so [`offset_roma`] applies the EU summer-time rule (Directive 2000/84/EC), which
//!   is the rule Italy follows.
//! - **Months** are calendar months with the day clamped to the end of a shorter month (art. 2963
//!   of the Codice civile): see [`sposta_mesi`].
//! - **Instants** (`OffsetDateTime`) are kept for what happened when (submission, forwarding,
//!   approval), dates for what the rules compare.
//! - Every refusal is its own error variant, with a stable [`code`](AdesioneError::code) for
//!   the API and a message that names the rule.
//! - Authorisation by scope (the ALS and the sindaco of *their* comune, the Prefettura operator of
//!   *their* province, the officer for *their own* request) is checked here too, from the
//!   [`Principal`](crate::Principal) the caller authenticated: [`FuoriAmbito`].

mod abbinamento;
mod adesione;
mod allocazione;
mod ambito;
mod calendario;
mod campo;
mod chiavetta;
mod consegna;
mod dichiarazione;
mod documento;
mod gestione_ufficiali;
mod inoltro;
mod proposta;
mod richiesta;
mod scorta;
mod verifica;

#[cfg(test)]
mod fixtures;

pub use abbinamento::{AbbinamentoError, CodiciAbbinamento, verifica_abbinamento};
pub use adesione::{Adesione, AdesioneError, StatoAdesione};
pub use allocazione::{Allocation, AllocazioneError, allocate, chiavette_richieste_per_comune};
pub use ambito::FuoriAmbito;
pub use calendario::{
    CEST, CET, data_in_italia, inizio_giorno_in_italia, offset_roma, oggi_in_italia, sposta_mesi,
    tre_mesi_prima,
};
pub use campo::{CampoNonValido, ProblemaCampo};
pub use chiavetta::Chiavetta;
pub use consegna::{
    Consegna, ConsegnaError, Delegato, EsitoConsegna, MAX_CHIAVETTE_PER_CONSEGNA, NuovaConsegna,
    registra_consegna,
};
pub use dichiarazione::{DatiDichiarazione, DichiarazioneAdesione};
pub use documento::{DocumentoIdentita, TipoDocumento};
pub use gestione_ufficiali::{
    GestioneUfficialiError, ModificaProfili, NuovoUfficiale, RemovalEffects, modifica_email,
    modifica_profili, registra_ufficiale, rimuovi_ufficiale,
};
pub use inoltro::{NotYet, eligible_for_forwarding, next_forwarding_date};
pub use proposta::{
    DatiProposta, GIORNI_PREAVVISO, MAX_ATTI_ANNUI, MAX_CERTIFICATI_ANNUI, MAX_MESI_ANTICIPO,
    ModalitaAdesione, PropostaAdesione, TipologiaAdesione,
};
pub use richiesta::{
    DatiRichiesta, MAX_VERIFICHE, MetodoOtp, RichiestaError, RichiestaFirmaRemota, RichiestaId,
    StatoRichiesta,
};
pub use scorta::{Carico, CaricoError, MAX_CHIAVETTE_PER_CARICO, carica_in_scorta};
pub use verifica::VerificaIdentita;
