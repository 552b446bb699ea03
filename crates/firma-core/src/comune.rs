//! Comuni and province, identified by their ISTAT codes.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The six-digit ISTAT code of a comune: the first three digits are the province
/// (e.g. `058091` is Roma, province `058`).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CodiceIstat(String);

/// The three-digit ISTAT code of a province (the prefettura's territory).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CodiceProvincia(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IstatError {
    #[error("an ISTAT comune code has exactly 6 digits (e.g. 058091), got {0:?}")]
    Comune(String),
    #[error("an ISTAT province code has exactly 3 digits (e.g. 058), got {0:?}")]
    Provincia(String),
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit()) && s.bytes().any(|b| b != b'0')
}

impl CodiceIstat {
    pub fn parse(input: &str) -> Result<Self, IstatError> {
        let s = input.trim();
        if digits(s, 6) && digits(&s[..3], 3) {
            Ok(Self(s.to_owned()))
        } else {
            Err(IstatError::Comune(input.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The province the comune belongs to.
    pub fn provincia(&self) -> CodiceProvincia {
        CodiceProvincia(self.0[..3].to_owned())
    }
}

impl CodiceProvincia {
    pub fn parse(input: &str) -> Result<Self, IstatError> {
        let s = input.trim();
        if digits(s, 3) {
            Ok(Self(s.to_owned()))
        } else {
            Err(IstatError::Provincia(input.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! string_newtype {
    ($t:ty) => {
        impl TryFrom<String> for $t {
            type Error = IstatError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }
        impl From<$t> for String {
            fn from(c: $t) -> Self {
                c.0
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($t), self.0)
            }
        }
    };
}
string_newtype!(CodiceIstat);
string_newtype!(CodiceProvincia);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comune_codes() {
        let roma = CodiceIstat::parse("058091").unwrap();
        assert_eq!(roma.provincia().as_str(), "058");
        for bad in ["58091", "0580911", "05809A", "000000", "000123", ""] {
            assert!(CodiceIstat::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn province_codes() {
        assert!(CodiceProvincia::parse("001").is_ok());
        for bad in ["1", "0001", "000", "A01"] {
            assert!(CodiceProvincia::parse(bad).is_err(), "{bad}");
        }
    }
}
