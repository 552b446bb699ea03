//! What the API shows of officers, adhesions and richieste: dates as ISO `YYYY-MM-DD` (Italian
//! calendar), instants as RFC 3339, enumerations by their stable codes.

use firma_core::onboarding::{
    Adesione, ModalitaAdesione, NotYet, RichiestaFirmaRemota, StatoRichiesta,
    eligible_for_forwarding, next_forwarding_date, tre_mesi_prima,
};
use firma_core::otp::OtpDevice;
use firma_core::ports::StoredRichiesta;
use firma_core::{CredentialId, Ufficiale};
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

/// An instant in RFC 3339, in UTC (whatever offset it was recorded with).
pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.checked_to_offset(time::UtcOffset::UTC)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_default()
}

pub(crate) fn iso(d: Date) -> String {
    d.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_else(|_| d.to_string())
}

/// Parses an ISO date (`YYYY-MM-DD`).
pub fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s.trim(), format_description!("[year]-[month]-[day]")).ok()
}

#[derive(Debug, Clone, Serialize)]
pub struct UfficialeView {
    pub id: String,
    pub codice_fiscale: String,
    pub nome: String,
    pub cognome: String,
    pub email: String,
    pub comune: String,
    /// Profile codes (`formazione_atti_nascita`, ...).
    pub profili: Vec<&'static str>,
    /// How the officer authorises signatures: `sms`, `token`, or none yet.
    pub otp_device: Option<&'static str>,
}

impl UfficialeView {
    pub fn new(u: &Ufficiale, device: Option<&OtpDevice>) -> Self {
        Self {
            id: u.id.0.to_string(),
            codice_fiscale: u.codice_fiscale.as_str().to_owned(),
            nome: u.nome.clone(),
            cognome: u.cognome.clone(),
            email: u.email.as_str().to_owned(),
            comune: u.comune.as_str().to_owned(),
            profili: u.profili.iter().map(|p| p.code()).collect(),
            otp_device: device.map(|d| match d {
                OtpDevice::Sms { .. } => "sms",
                OtpDevice::Token { .. } => "token",
            }),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PropostaView {
    pub data_adesione: String,
    pub atti_annui: u32,
    pub certificati_annui: u32,
    pub tipologia: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub software_house: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gestionale: Option<String>,
    /// When the proposta was first sent, and last changed.
    pub inoltrata_il: String,
    pub modificata_il: String,
    /// The day the current adhesion date was set (the 30 days count from it).
    pub data_fissata_il: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DichiarazioneView {
    pub data_adesione: String,
    pub data_chiusura_registri: String,
    pub tipologia: &'static str,
    pub inviata_il: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AdesioneView {
    pub comune: String,
    /// `proposta` (editable) or `dichiarata` (read-only).
    pub stato: &'static str,
    /// The adhesion date the sindaco confirmed (the declared one once declared).
    pub data_adesione: String,
    /// From this date the richieste firma remota of the comune go to the Ente Certificatore
    /// (three calendar months before the adhesion date).
    pub inoltro_richieste_dal: String,
    pub modificabile: bool,
    pub proposta: PropostaView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dichiarazione: Option<DichiarazioneView>,
}

fn modalita(m: &ModalitaAdesione) -> (Option<String>, Option<String>) {
    match m {
        ModalitaAdesione::WebApp => (None, None),
        ModalitaAdesione::Gestionale {
            software_house,
            nome_e_versione,
        } => (Some(software_house.clone()), Some(nome_e_versione.clone())),
    }
}

impl AdesioneView {
    pub fn new(a: &Adesione) -> Self {
        let p = a.proposta();
        let (software_house, gestionale) = modalita(&p.modalita);
        Self {
            comune: a.comune().as_str().to_owned(),
            stato: match a.stato() {
                firma_core::onboarding::StatoAdesione::Proposta => "proposta",
                firma_core::onboarding::StatoAdesione::Dichiarata => "dichiarata",
            },
            data_adesione: iso(a.data_adesione()),
            inoltro_richieste_dal: iso(tre_mesi_prima(a.data_adesione())),
            modificabile: a.dichiarazione().is_none(),
            proposta: PropostaView {
                data_adesione: iso(p.data_adesione),
                atti_annui: p.atti_annui,
                certificati_annui: p.certificati_annui,
                tipologia: p.modalita.tipologia().code(),
                software_house,
                gestionale,
                inoltrata_il: rfc3339(p.inoltrata_il),
                modificata_il: rfc3339(p.modificata_il),
                data_fissata_il: iso(p.data_fissata_il),
            },
            dichiarazione: a.dichiarazione().map(|d| DichiarazioneView {
                data_adesione: iso(d.data_adesione),
                data_chiusura_registri: iso(d.data_chiusura_registri),
                tipologia: d.modalita.tipologia().code(),
                inviata_il: rfc3339(d.inviata_il),
            }),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DocumentoView {
    pub tipo: &'static str,
    pub numero: String,
    pub rilasciato_da: String,
    pub scadenza: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerificaView {
    pub operatore: String,
    pub verificata_il: String,
    pub tipo_documento: &'static str,
    pub numero_documento: String,
}

/// Where a richiesta in attesa stands with respect to forwarding.
#[derive(Debug, Clone, Serialize)]
pub struct InoltroView {
    /// `adesione_non_confermata` (waiting for the sindaco's proposta), `finestra_non_aperta`
    /// (waiting for the date), or `inoltrabile` (it goes with the next run of the job).
    pub attesa: &'static str,
    /// The first day it can be forwarded, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inoltrabile_dal: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RichiestaView {
    pub id: String,
    pub ufficiale: String,
    pub comune: String,
    /// `in_attesa`, `inoltrata`, `approvata`, `rifiutata` or `annullata`.
    pub stato: &'static str,
    pub metodo_otp: &'static str,
    pub documento: DocumentoView,
    pub email: String,
    pub telefono: String,
    pub creata_il: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inoltrata_il: Option<String>,
    /// For a richiesta in attesa: what it waits for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inoltro: Option<InoltroView>,
    /// When it was approved, rejected or cancelled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decisa_il: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub motivo_rifiuto: Option<String>,
    pub verifiche: Vec<VerificaView>,
    /// The credential issued on approval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_id: Option<String>,
}

impl RichiestaView {
    /// The view of `r`; `adesione` (its comune's) and `today` explain a richiesta in attesa.
    pub fn new(r: &StoredRichiesta, adesione: Option<&Adesione>, today: Date) -> Self {
        Self::of(&r.richiesta, r.credential, adesione, today)
    }

    pub fn of(
        r: &RichiestaFirmaRemota,
        credential: Option<CredentialId>,
        adesione: Option<&Adesione>,
        today: Date,
    ) -> Self {
        let (decisa_il, motivo_rifiuto) = match r.stato() {
            StatoRichiesta::Approvata { il, .. } | StatoRichiesta::Annullata { il, .. } => {
                (Some(rfc3339(*il)), None)
            }
            StatoRichiesta::Rifiutata { il, motivo, .. } => {
                (Some(rfc3339(*il)), Some(motivo.clone()))
            }
            StatoRichiesta::InAttesa | StatoRichiesta::Inoltrata => (None, None),
        };
        let inoltro = (*r.stato() == StatoRichiesta::InAttesa).then(|| {
            let attesa = match eligible_for_forwarding(r, adesione, today) {
                Ok(()) => "inoltrabile",
                Err(NotYet::FinestraNonAperta { .. }) => "finestra_non_aperta",
                Err(_) => "adesione_non_confermata",
            };
            InoltroView {
                attesa,
                inoltrabile_dal: next_forwarding_date(r, adesione, today).map(iso),
            }
        });
        let d = r.documento();
        Self {
            id: r.id().to_string(),
            ufficiale: r.ufficiale().0.to_string(),
            comune: r.comune().as_str().to_owned(),
            stato: r.stato().code(),
            metodo_otp: r.metodo_otp().code(),
            documento: DocumentoView {
                tipo: d.tipo.code(),
                numero: d.numero.clone(),
                rilasciato_da: d.rilasciato_da.clone(),
                scadenza: iso(d.scadenza),
            },
            email: r.email().as_str().to_owned(),
            telefono: r.telefono().as_str().to_owned(),
            creata_il: rfc3339(r.creata_il()),
            inoltrata_il: r.inoltrata_il().map(rfc3339),
            inoltro,
            decisa_il,
            motivo_rifiuto,
            verifiche: r
                .verifiche()
                .iter()
                .map(|v| VerificaView {
                    operatore: v.nome_operatore.clone(),
                    verificata_il: rfc3339(v.verificata_il),
                    tipo_documento: v.tipo_documento.code(),
                    numero_documento: v.numero_documento.clone(),
                })
                .collect(),
            credential_id: credential.map(|c| c.0.to_string()),
        }
    }
}

/// What removing an officer did.
#[derive(Debug, Clone, Serialize)]
pub struct RemovalView {
    pub ufficiale: String,
    /// Credentials whose certificates were revoked at the CA (reason cessationOfOperation).
    pub credenziali_revocate: Vec<String>,
    /// Credentials whose keys are destroyed (every credential of the officer).
    pub chiavi_distrutte: Vec<String>,
    pub chiavette_liberate: Vec<String>,
    pub richieste_annullate: Vec<String>,
}

/// What a run of the forwarding job did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ForwardReport {
    /// Richieste forwarded to the Ente Certificatore.
    pub inoltrate: usize,
    /// Candidates a concurrent change got to first (they are looked at again next time).
    pub rinviate: usize,
}
