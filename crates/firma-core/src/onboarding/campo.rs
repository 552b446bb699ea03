//! Free-text fields of the forms (names, issuers, reasons): trimmed, required, bounded.

use std::fmt;

/// What is wrong with a text field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemaCampo {
    Vuoto,
    TroppoLungo { massimo: usize },
    CaratteriDiControllo,
}

impl fmt::Display for ProblemaCampo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Vuoto => f.write_str("is required and is empty"),
            Self::TroppoLungo { massimo } => write!(f, "is longer than {massimo} characters"),
            Self::CaratteriDiControllo => f.write_str("contains control characters"),
        }
    }
}

/// A text field that is empty, too long, or holds control characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the field \"{campo}\" {problema}")]
pub struct CampoNonValido {
    /// The field's name as the form shows it (e.g. "Nome software house").
    pub campo: &'static str,
    pub problema: ProblemaCampo,
}

/// The trimmed text of a required field of at most `massimo` characters.
pub(crate) fn testo(
    campo: &'static str,
    input: &str,
    massimo: usize,
) -> Result<String, CampoNonValido> {
    let s = input.trim();
    let problema = if s.is_empty() {
        Some(ProblemaCampo::Vuoto)
    } else if s.chars().count() > massimo {
        Some(ProblemaCampo::TroppoLungo { massimo })
    } else if s.chars().any(char::is_control) {
        Some(ProblemaCampo::CaratteriDiControllo)
    } else {
        None
    };
    match problema {
        Some(problema) => Err(CampoNonValido { campo, problema }),
        None => Ok(s.to_owned()),
    }
}

/// An optional field: `None` or blank (what a form sends for an empty box) is absent.
pub(crate) fn presente(input: Option<&str>) -> Option<&str> {
    input.filter(|s| !s.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_bounds() {
        assert_eq!(testo("Nome", "  Maria Rossi ", 11).unwrap(), "Maria Rossi");
        assert_eq!(
            testo("Nome", "   ", 10).unwrap_err().problema,
            ProblemaCampo::Vuoto
        );
        let lungo = testo("Nome", "abcdefghijk", 10).unwrap_err();
        assert_eq!(lungo.problema, ProblemaCampo::TroppoLungo { massimo: 10 });
        assert_eq!(
            lungo.to_string(),
            "the field \"Nome\" is longer than 10 characters"
        );
        // Ten characters of two bytes each: counted as characters, not bytes.
        assert!(testo("Nome", "èèèèèèèèèè", 10).is_ok());
        assert_eq!(
            testo("Nome", "a\u{0}b", 10).unwrap_err().problema,
            ProblemaCampo::CaratteriDiControllo
        );
        assert_eq!(presente(Some("  ")), None);
        assert_eq!(presente(Some(" x ")), Some(" x "));
        assert_eq!(presente(None), None);
    }
}
