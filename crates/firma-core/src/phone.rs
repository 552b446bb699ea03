//! Mobile phone numbers, where OTP codes are sent by SMS.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A phone number in E.164 form (`+` and 8 to 15 digits). Italian numbers given without the
/// country code (`333 1234567`) get `+39`.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a phone number: write it as +39 333 1234567 (E.164: '+', country code, number)"
)]
pub struct PhoneNumberError(String);

impl PhoneNumber {
    pub fn parse(input: &str) -> Result<Self, PhoneNumberError> {
        let compact: String = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
            .collect();
        let normalised = if let Some(rest) = compact.strip_prefix("00") {
            format!("+{rest}")
        } else if compact.starts_with('+') {
            compact
        } else {
            format!("+39{compact}")
        };
        let digits = &normalised[1..];
        if (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(normalised))
        } else {
            Err(PhoneNumberError(input.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with all but the last three digits hidden, for logs and audit records.
    pub fn masked(&self) -> String {
        let keep = 3.min(self.0.len());
        let (head, tail) = self.0.split_at(self.0.len() - keep);
        let prefix = head.get(..3).unwrap_or(head);
        format!(
            "{prefix}{}{tail}",
            "*".repeat(head.len().saturating_sub(prefix.len()))
        )
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = PhoneNumberError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<PhoneNumber> for String {
    fn from(p: PhoneNumber) -> Self {
        p.0
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", self.masked())
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_italian_and_international_numbers() {
        assert_eq!(
            PhoneNumber::parse("333 123 4567").unwrap().as_str(),
            "+393331234567"
        );
        assert_eq!(
            PhoneNumber::parse("+39 333-1234567").unwrap().as_str(),
            "+393331234567"
        );
        assert_eq!(
            PhoneNumber::parse("0041 79 123 45 67").unwrap().as_str(),
            "+41791234567"
        );
        for bad in [
            "",
            "+",
            "abc",
            "+39 333 12x4567",
            "+1234567",
            "+1234567890123456",
        ] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn masks_all_but_the_end() {
        let p = PhoneNumber::parse("+393331234567").unwrap();
        assert_eq!(p.masked(), "+39*******567");
        assert!(!format!("{p:?}").contains("1234"));
    }
}
