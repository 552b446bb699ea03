//! The receipt of a delivery ("Ricevuta di consegna chiavette OTP"): a PDF the service writes from
//! the recorded delivery, which the Prefettura's operator then signs in PAdES.
//!
//! Circolare 48/2025, section 2: the function lets the Prefettura's operator "tracciare [...] il
//! numero delle chiavette consegnate e di generare una ricevuta da firmare e caricare nella web
//! application ANSC".

use firma_core::onboarding::offset_roma;
use firma_core::ports::StoredConsegna;

use crate::pdf_text::{Line, text_pdf};

/// `dd/mm/yyyy`, as dates are written in Italy.
fn data(d: time::Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
}

/// The receipt of `s` as a PDF: Prefettura, comune, delegate, date, operator, and every serial.
pub fn ricevuta_pdf(s: &StoredConsegna) -> Vec<u8> {
    let c = &s.consegna;
    let registrata = c.registrata_il.to_offset(offset_roma(c.registrata_il));
    let n = c.seriali.len();
    let mut lines = vec![
        Line::Title("Ricevuta di consegna chiavette OTP".to_owned()),
        Line::Text(
            "Distribuzione dei dispositivi OTP (chiavette) per la firma elettronica remota degli \
             ufficiali dello stato civile - Circolare DCSD n. 48/2025"
                .to_owned(),
        ),
        Line::Blank,
        Line::Text(format!(
            "Prefettura - Ufficio Territoriale del Governo, provincia con codice ISTAT {}",
            c.provincia
        )),
        Line::Text(format!(
            "Comune destinatario: codice ISTAT {} (consegna n. {} al comune)",
            c.comune, s.numero
        )),
        Line::Text(format!("Data della consegna: {}", data(c.data))),
        Line::Text(format!(
            "Consegnate a: {}, codice fiscale {}, delegato del Sindaco incaricato del ritiro",
            c.delegato.nome, c.delegato.codice_fiscale
        )),
        Line::Text(format!(
            "Operatore della Prefettura che ha registrato la consegna: {}",
            c.nome_operatore
        )),
        Line::Text(format!(
            "Registrata il {} alle {:02}:{:02}; identificativo della consegna {}",
            data(registrata.date()),
            registrata.hour(),
            registrata.minute(),
            s.id
        )),
    ];
    if let Some(motivo) = &c.motivo_oltre_allocazione {
        lines.push(Line::Text(format!(
            "Consegna oltre le chiavette assegnate al comune; motivo: {motivo}"
        )));
    }
    lines.push(Line::Blank);
    lines.push(Line::Text(if n == 1 {
        "Numero di chiavette consegnate: 1. Numero di serie:".to_owned()
    } else {
        format!("Numero di chiavette consegnate: {n}. Numeri di serie:")
    }));
    lines.extend(
        c.seriali
            .iter()
            .enumerate()
            .map(|(i, serial)| Line::Text(format!("{}. {serial}", i + 1))),
    );
    lines.push(Line::Blank);
    lines.push(Line::Text(
        "Il delegato dichiara di aver ricevuto le chiavette sopra elencate, da consegnare agli \
         ufficiali dello stato civile del comune, che le abbineranno alla propria utenza."
            .to_owned(),
    ));
    lines.push(Line::Text(
        "Documento sottoscritto con firma elettronica qualificata dall'operatore della \
         Prefettura (PAdES)."
            .to_owned(),
    ));
    text_pdf(&lines)
}

#[cfg(test)]
mod tests {
    use firma_core::onboarding::{Consegna, Delegato};
    use firma_core::ports::{ConsegnaId, StatoRicevuta};
    use firma_core::{CodiceFiscale, CodiceIstat, CodiceProvincia, PrincipalId};
    use time::macros::{date, datetime};

    use super::*;

    fn consegna(seriali: usize, motivo: Option<&str>) -> StoredConsegna {
        StoredConsegna {
            id: ConsegnaId(uuid::Uuid::from_u128(7)),
            numero: 2,
            consegna: Consegna {
                provincia: CodiceProvincia::parse("058").unwrap(),
                comune: CodiceIstat::parse("058091").unwrap(),
                seriali: (1..=seriali).map(|i| format!("TK-{i:04}")).collect(),
                delegato: Delegato {
                    nome: "Niccolò Bianchi".into(),
                    codice_fiscale: CodiceFiscale::parse("RSSMRA85T10A562S").unwrap(),
                },
                data: date!(2026 - 04 - 10),
                operatore: PrincipalId(uuid::Uuid::from_u128(1)),
                nome_operatore: "Paola Verdi".into(),
                registrata_il: datetime!(2026-04-10 22:30 UTC),
                motivo_oltre_allocazione: motivo.map(str::to_owned),
            },
            ricevuta: StatoRicevuta::default(),
        }
    }

    #[test]
    fn the_receipt_names_the_delivery_and_lists_every_serial() {
        let pdf = ricevuta_pdf(&consegna(120, Some("chiavetta guasta sostituita")));
        let text = String::from_utf8_lossy(&pdf);
        for expected in [
            "(Ricevuta di consegna chiavette OTP)",
            "provincia con codice ISTAT 058)",
            "codice ISTAT 058091 \\(consegna n. 2 al comune\\)",
            "(Data della consegna: 10/04/2026)",
            "codice fiscale RSSMRA85T10A562S",
            "Paola Verdi",
            // 22:30 UTC is 00:30 of the next day in Rome (summer time).
            "Registrata il 11/04/2026 alle 00:30",
            "motivo: chiavetta guasta sostituita",
            "Numeri di serie:",
            "(1. TK-0001)",
            "(120. TK-0120)",
            "(Pagina 4 di 4)",
        ] {
            assert!(text.contains(expected), "{expected} missing");
        }
        assert!(
            text.contains("Niccol\\362"),
            "ò is written in WinAnsi (octal 362)"
        );
        let details = firma_ades::pades::SignatureDetails::new(time::OffsetDateTime::UNIX_EPOCH);
        firma_ades::pades::prepare(&pdf, &details, 8192).expect("the receipt can be signed");
        let one = String::from_utf8_lossy(&ricevuta_pdf(&consegna(1, None))).into_owned();
        assert!(one.contains("consegnate: 1. Numero di serie:"));
        assert!(!one.contains("motivo"));
        assert!(!one.contains("Pagina"), "one page has no page number");
    }
}
