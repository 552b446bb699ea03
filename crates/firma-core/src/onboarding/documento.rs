//! The identity document an officer gives in the richiesta firma remota (circolare 48/2025,
//! section 1: "Compilazione della richiesta, con l'inserimento degli estremi del proprio documento
//! di identità").

use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

use super::campo::testo;
use super::richiesta::RichiestaError;

/// The documents accepted to identify an officer: the carta d'identità and the two most common
/// of its equivalents (art. 35, comma 2, D.P.R. 445/2000: "Sono equipollenti alla carta di
/// identità il passaporto, la patente di guida, [...]").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TipoDocumento {
    /// Carta d'identità (paper or electronic, CIE).
    CartaIdentita,
    Passaporto,
    /// Patente di guida.
    Patente,
}

impl TipoDocumento {
    pub const ALL: [TipoDocumento; 3] = [Self::CartaIdentita, Self::Passaporto, Self::Patente];

    pub fn code(self) -> &'static str {
        match self {
            Self::CartaIdentita => "carta_identita",
            Self::Passaporto => "passaporto",
            Self::Patente => "patente",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::CartaIdentita => "carta d'identità",
            Self::Passaporto => "passaporto",
            Self::Patente => "patente di guida",
        }
    }
}

impl fmt::Display for TipoDocumento {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// "Estremi del documento di identità": type, number, issuer, expiry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DocumentoIdentita {
    pub tipo: TipoDocumento,
    /// Upper case, without spaces (e.g. `CA12345AB` for a CIE).
    pub numero: String,
    /// "Rilasciato da": the issuing authority (comune, questura, motorizzazione...).
    pub rilasciato_da: String,
    /// Last day of validity.
    pub scadenza: Date,
}

/// Shortest and longest document number accepted (a CIE number has 9 characters, an old paper
/// carta d'identità 9, a passport 9, a patente 10).
const NUMERO: std::ops::RangeInclusive<usize> = 5..=20;
const MAX_RILASCIATO_DA: usize = 200;

impl DocumentoIdentita {
    /// A document with its number normalised (spaces removed, upper case) and checked (5 to 20
    /// letters and digits), and its issuer required. Its expiry is checked against a date by
    /// [`DocumentoIdentita::verifica_validita`].
    pub fn nuovo(
        tipo: TipoDocumento,
        numero: &str,
        rilasciato_da: &str,
        scadenza: Date,
    ) -> Result<Self, RichiestaError> {
        let compatto: String = numero
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if !NUMERO.contains(&compatto.len()) || !compatto.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(RichiestaError::NumeroDocumento {
                numero: numero.chars().take(40).collect(),
            });
        }
        Ok(Self {
            tipo,
            numero: compatto,
            rilasciato_da: testo("Rilasciato da", rilasciato_da, MAX_RILASCIATO_DA)?,
            scadenza,
        })
    }

    /// The document is valid on `giorno` (a document expiring today is still valid today).
    pub fn verifica_validita(&self, giorno: Date) -> Result<(), RichiestaError> {
        if self.scadenza < giorno {
            Err(RichiestaError::DocumentoScaduto {
                scadenza: self.scadenza,
                giorno,
            })
        } else {
            Ok(())
        }
    }

    /// Whether (`tipo`, `numero`) designates this document (the number compared as normalised).
    pub fn e_il_documento(&self, tipo: TipoDocumento, numero: &str) -> bool {
        let compatto: String = numero
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        self.tipo == tipo && self.numero == compatto
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn numbers_are_normalised_and_checked() {
        let d = DocumentoIdentita::nuovo(
            TipoDocumento::CartaIdentita,
            " ca 12345 ab ",
            " Comune di Roma ",
            date!(2030 - 01 - 01),
        )
        .unwrap();
        assert_eq!(d.numero, "CA12345AB");
        assert_eq!(d.rilasciato_da, "Comune di Roma");
        assert!(d.e_il_documento(TipoDocumento::CartaIdentita, "CA12345ab"));
        assert!(!d.e_il_documento(TipoDocumento::Passaporto, "CA12345AB"));
        assert!(!d.e_il_documento(TipoDocumento::CartaIdentita, "CA12345AC"));
        for bad in ["", "1234", "CA-12345", "CA12345AB€", &"1".repeat(21)] {
            assert!(
                matches!(
                    DocumentoIdentita::nuovo(
                        TipoDocumento::Patente,
                        bad,
                        "MCTC",
                        date!(2030 - 01 - 01)
                    ),
                    Err(RichiestaError::NumeroDocumento { .. })
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            DocumentoIdentita::nuovo(
                TipoDocumento::Patente,
                "U1A234567B",
                "  ",
                date!(2030 - 01 - 01)
            ),
            Err(RichiestaError::Campo(_))
        ));
    }

    #[test]
    fn valid_through_its_expiry_day() {
        let d = DocumentoIdentita::nuovo(
            TipoDocumento::Passaporto,
            "YA1234567",
            "Questura di Roma",
            date!(2026 - 03 - 10),
        )
        .unwrap();
        assert_eq!(d.verifica_validita(date!(2026 - 03 - 09)), Ok(()));
        assert_eq!(d.verifica_validita(date!(2026 - 03 - 10)), Ok(()));
        assert_eq!(
            d.verifica_validita(date!(2026 - 03 - 11)),
            Err(RichiestaError::DocumentoScaduto {
                scadenza: date!(2026 - 03 - 10),
                giorno: date!(2026 - 03 - 11)
            })
        );
    }

    #[test]
    fn codes_round_trip() {
        for t in TipoDocumento::ALL {
            assert_eq!(TipoDocumento::from_code(t.code()), Some(t));
            assert_eq!(serde_json::to_value(t).unwrap(), t.code());
        }
        assert_eq!(TipoDocumento::from_code("tessera_sanitaria"), None);
    }
}
