//! The Italian codice fiscale of a natural person (D.M. 23/12/1976, D.P.R. 605/1973).
//!
//! Sixteen characters: surname (3 letters), name (3 letters), year of birth (2 digits), month
//! letter, day of birth (2 digits, +40 for women), place of birth (Belfiore code: a letter and three
//! digits), check character. When two people would share a code, the Agenzia delle Entrate
//! replaces digits with letters from right to left ("omocodia"): 0-9 become L M N P Q R S T U V.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A syntactically valid codice fiscale with a correct check character, stored in upper case.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CodiceFiscale(String);

/// Why a string is not a valid codice fiscale. Each message names what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodiceFiscaleError {
    #[error("a codice fiscale has 16 characters, this one has {0}")]
    Length(usize),
    #[error("character {position} ('{found}') of the codice fiscale must be {expected}")]
    Character {
        position: usize,
        found: char,
        expected: &'static str,
    },
    #[error("the month letter '{0}' of the codice fiscale is not one of A B C D E H L M P R S T")]
    Month(char),
    #[error("the day of birth {0} in the codice fiscale is not 1-31 (men) or 41-71 (women)")]
    Day(u32),
    #[error("the check character of the codice fiscale is '{found}', it should be '{expected}'")]
    CheckCharacter { found: char, expected: char },
}

/// Positions (0-based) that hold digits, or their omocodia letters.
const DIGIT_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];
const OMOCODIA: &[u8; 10] = b"LMNPQRSTUV";
const MONTHS: &[u8; 12] = b"ABCDEHLMPRST";
/// Values of the characters in odd positions (1st, 3rd, ...), indexed by digit or letter.
const ODD_VALUES: [u32; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];

impl CodiceFiscale {
    /// Parses and validates a codice fiscale (surrounding spaces and lower case are accepted).
    pub fn parse(input: &str) -> Result<Self, CodiceFiscaleError> {
        let upper = input.trim().to_ascii_uppercase();
        let bytes = upper.as_bytes();
        if bytes.len() != 16 || !upper.is_ascii() {
            return Err(CodiceFiscaleError::Length(upper.chars().count()));
        }
        for (i, &b) in bytes.iter().enumerate() {
            let ok = if DIGIT_POSITIONS.contains(&i) {
                b.is_ascii_digit() || OMOCODIA.contains(&b)
            } else {
                b.is_ascii_uppercase()
            };
            if !ok {
                let expected = if DIGIT_POSITIONS.contains(&i) {
                    "a digit (or one of L M N P Q R S T U V)"
                } else {
                    "a letter"
                };
                return Err(CodiceFiscaleError::Character {
                    position: i + 1,
                    found: b as char,
                    expected,
                });
            }
        }
        if !MONTHS.contains(&bytes[8]) {
            return Err(CodiceFiscaleError::Month(bytes[8] as char));
        }
        let day = digit_value(bytes[9]) * 10 + digit_value(bytes[10]);
        if !(1..=31).contains(&day) && !(41..=71).contains(&day) {
            return Err(CodiceFiscaleError::Day(day));
        }
        let expected = check_character(&bytes[..15]);
        if bytes[15] != expected {
            return Err(CodiceFiscaleError::CheckCharacter {
                found: bytes[15] as char,
                expected: expected as char,
            });
        }
        Ok(Self(upper))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form used in the subject serialNumber of Italian qualified certificates
    /// (ETSI EN 319 412-1, clause 5.1.3: semantics identifier "TIN", country "IT").
    pub fn tinit(&self) -> String {
        format!("TINIT-{}", self.0)
    }
}

/// Value of a digit position, undoing omocodia.
fn digit_value(b: u8) -> u32 {
    match OMOCODIA.iter().position(|&l| l == b) {
        Some(v) => v as u32,
        None => u32::from(b - b'0'),
    }
}

/// The check character of the first fifteen characters.
fn check_character(first15: &[u8]) -> u8 {
    let sum: u32 = first15
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            let index = if b.is_ascii_digit() {
                usize::from(b - b'0')
            } else {
                usize::from(b - b'A')
            };
            // Positions are counted from 1: even indexes here are the odd positions.
            if i % 2 == 0 {
                ODD_VALUES[index]
            } else {
                index as u32
            }
        })
        .sum();
    b'A' + (sum % 26) as u8
}

impl FromStr for CodiceFiscale {
    type Err = CodiceFiscaleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for CodiceFiscale {
    type Error = CodiceFiscaleError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<CodiceFiscale> for String {
    fn from(cf: CodiceFiscale) -> Self {
        cf.0
    }
}

impl fmt::Display for CodiceFiscale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for CodiceFiscale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CodiceFiscale({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_known_valid_codes() {
        // The example officer of the ANSC guide, and the textbook Mario Rossi.
        for cf in ["VNZRRT64C44H501R", "RSSMRA85T10A562S", "rssmra85t10a562s "] {
            let parsed = CodiceFiscale::parse(cf).unwrap();
            assert_eq!(parsed.as_str(), cf.trim().to_ascii_uppercase());
        }
    }

    #[test]
    fn accepts_omocodia() {
        // RSSMRA85T10A562S with its last digit 2 replaced by N: the check character changes.
        let base = b"RSSMRA85T10A56N";
        let check = check_character(base) as char;
        let code = format!("{}{}", std::str::from_utf8(base).unwrap(), check);
        assert!(CodiceFiscale::parse(&code).is_ok(), "{code}");
    }

    #[test]
    fn rejects_a_wrong_check_character() {
        assert_eq!(
            CodiceFiscale::parse("RSSMRA85T10A562T"),
            Err(CodiceFiscaleError::CheckCharacter {
                found: 'T',
                expected: 'S'
            })
        );
    }

    #[test]
    fn rejects_every_single_character_change() {
        // Any substitution of one character must be caught by some rule.
        let valid = "RSSMRA85T10A562S";
        for i in 0..16 {
            for c in ('A'..='Z').chain('0'..='9') {
                let mut chars: Vec<char> = valid.chars().collect();
                if chars[i] == c {
                    continue;
                }
                chars[i] = c;
                let candidate: String = chars.into_iter().collect();
                // An omocodia letter for the same digit is a different, legitimate code only if
                // the check character also changes, which it does not here.
                assert!(
                    CodiceFiscale::parse(&candidate).is_err(),
                    "{candidate} should be refused"
                );
            }
        }
    }

    #[test]
    fn names_the_problem() {
        assert_eq!(
            CodiceFiscale::parse("RSSMRA85"),
            Err(CodiceFiscaleError::Length(8))
        );
        assert!(matches!(
            CodiceFiscale::parse("RSSMRA85Z10A562S"),
            Err(CodiceFiscaleError::Month('Z'))
        ));
        assert!(matches!(
            CodiceFiscale::parse("RSSMRA85T35A562S"),
            Err(CodiceFiscaleError::Day(35))
        ));
        assert!(matches!(
            CodiceFiscale::parse("RSSMRA8XT10A562S"),
            Err(CodiceFiscaleError::Character { position: 8, .. })
        ));
        assert!(matches!(
            CodiceFiscale::parse("RSSMRA85T10A562È"),
            Err(CodiceFiscaleError::Length(_))
        ));
    }

    #[test]
    fn serde_validates() {
        let ok: CodiceFiscale = serde_json::from_str("\"RSSMRA85T10A562S\"").unwrap();
        assert_eq!(ok.tinit(), "TINIT-RSSMRA85T10A562S");
        assert!(serde_json::from_str::<CodiceFiscale>("\"RSSMRA85T10A562X\"").is_err());
    }
}
