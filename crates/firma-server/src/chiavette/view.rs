//! What the API and the CLI show of chiavette, allocations and deliveries.

use std::collections::BTreeMap;

use firma_core::onboarding::{Allocation, Chiavetta};
use firma_core::otp::TokenStatus;
use firma_core::ports::StoredConsegna;
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use crate::signing::OtpStart;

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

pub(crate) fn iso(d: Date) -> String {
    d.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

/// A chiavetta: whose stock, where delivered, whom bound to (never its seed or OTP state).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChiavettaView {
    pub serial: String,
    /// `in_stock`, `delivered`, `assigned`, `retired`.
    pub stato: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provincia: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comune: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ufficiale: Option<String>,
}

impl From<&Chiavetta> for ChiavettaView {
    fn from(c: &Chiavetta) -> Self {
        Self {
            serial: c.serial.clone(),
            stato: c.stato.code(),
            provincia: c.provincia.as_ref().map(ToString::to_string),
            comune: c.comune.as_ref().map(ToString::to_string),
            ufficiale: c.ufficiale.map(|u| u.0.to_string()),
        }
    }
}

/// What loading stock did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaricoView {
    pub provincia: String,
    /// Serials that entered the province's stock now.
    pub caricate: Vec<String>,
    /// Serials that were in it already (nothing changed for them).
    pub gia_presenti: Vec<String>,
}

/// One comune's line of the allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComuneAllocazione {
    pub comune: String,
    /// One per officer of the comune who chose the chiavetta.
    pub allocate: u32,
    /// Delivered so far (overrides included).
    pub consegnate: u64,
    /// Still to deliver (0 when the deliveries reached or exceeded the allocation).
    pub da_consegnare: u64,
}

/// The allocation of a province, its deliveries and its stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AllocazioneView {
    pub provincia: String,
    /// Chiavette allocated to the province.
    pub totale: u64,
    pub consegnate: u64,
    /// Comuni with an allocation or a delivery, by ISTAT code.
    pub comuni: Vec<ComuneAllocazione>,
    /// The province's stock by status (`in_stock`, `delivered`, `assigned`, `retired`).
    pub scorte: BTreeMap<&'static str, u64>,
}

impl AllocazioneView {
    pub(crate) fn new(
        allocazione: &Allocation,
        consegne: &[StoredConsegna],
        scorte: &[(TokenStatus, u64)],
    ) -> Self {
        let mut consegnate: BTreeMap<String, u64> = BTreeMap::new();
        for c in consegne {
            *consegnate.entry(c.consegna.comune.to_string()).or_default() +=
                c.consegna.seriali.len() as u64;
        }
        let mut comuni: BTreeMap<String, u32> = allocazione
            .per_comune
            .iter()
            .map(|(c, n)| (c.to_string(), *n))
            .collect();
        for c in consegnate.keys() {
            comuni.entry(c.clone()).or_insert(0);
        }
        let comuni: Vec<ComuneAllocazione> = comuni
            .into_iter()
            .map(|(comune, allocate)| {
                let consegnate = consegnate.get(&comune).copied().unwrap_or(0);
                ComuneAllocazione {
                    comune,
                    allocate,
                    consegnate,
                    da_consegnare: u64::from(allocate).saturating_sub(consegnate),
                }
            })
            .collect();
        let mut stock: BTreeMap<&'static str, u64> = [
            TokenStatus::InStock,
            TokenStatus::Delivered,
            TokenStatus::Assigned,
            TokenStatus::Retired,
        ]
        .into_iter()
        .map(|s| (s.code(), 0))
        .collect();
        for (s, n) in scorte {
            *stock.entry(s.code()).or_default() += n;
        }
        Self {
            provincia: allocazione.provincia.to_string(),
            totale: allocazione.totale,
            consegnate: consegnate.values().sum(),
            comuni,
            scorte: stock,
        }
    }
}

/// Where the receipt of a delivery is.
#[derive(Debug, Clone, Serialize)]
pub struct RicevutaView {
    /// `da_richiedere` (no signing request: request it), `in_attesa_di_firma` (the operator
    /// authorises the signing request with their OTP), `in_firma`, `non_firmata` (the signing
    /// request failed, was cancelled or expired: request it again), `firmata`.
    pub stato: &'static str,
    /// The signing request to authorise (`POST /api/v1/signing-requests/{id}/authorize`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_request_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub firmata_il: Option<String>,
    /// How the operator's OTP was started, when the signing request was made by this call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub otp: Option<OtpStart>,
    /// Why the receipt could not be requested, or why its signing request ended unsigned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errore: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DelegatoView {
    pub nome: String,
    pub codice_fiscale: String,
}

/// A delivery of chiavette to a comune.
#[derive(Debug, Clone, Serialize)]
pub struct ConsegnaView {
    pub id: String,
    /// Its number among the deliveries to the comune.
    pub numero: u32,
    pub provincia: String,
    pub comune: String,
    pub seriali: Vec<String>,
    pub delegato: DelegatoView,
    /// The day of the delivery (YYYY-MM-DD).
    pub data: String,
    /// The operator who recorded it.
    pub operatore: String,
    pub registrata_il: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub motivo_oltre_allocazione: Option<String>,
    pub ricevuta: RicevutaView,
}

impl ConsegnaView {
    pub(crate) fn new(s: &StoredConsegna, ricevuta: RicevutaView) -> Self {
        let c = &s.consegna;
        Self {
            id: s.id.to_string(),
            numero: s.numero,
            provincia: c.provincia.to_string(),
            comune: c.comune.to_string(),
            seriali: c.seriali.clone(),
            delegato: DelegatoView {
                nome: c.delegato.nome.clone(),
                codice_fiscale: c.delegato.codice_fiscale.to_string(),
            },
            data: iso(c.data),
            operatore: c.nome_operatore.clone(),
            registrata_il: rfc3339(c.registrata_il),
            motivo_oltre_allocazione: c.motivo_oltre_allocazione.clone(),
            ricevuta,
        }
    }
}
