//! One-time codes sent by SMS: random, and stored only as a keyed hash.

use std::fmt;

use zeroize::Zeroizing;

/// A freshly generated SMS code. Only shown in the message; never stored or logged in clear.
pub struct SmsCode(Zeroizing<String>);

impl SmsCode {
    /// A uniformly random code of `digits` decimal digits (6 to 9) from the operating system's
    /// CSPRNG, drawn by rejection sampling so that every code is equally likely.
    pub fn generate(digits: u32) -> Result<Self, getrandom::Error> {
        let digits = digits.clamp(6, 9);
        let modulus = 10u32.pow(digits);
        // The largest multiple of `modulus` that fits: values at or above it would bias the draw.
        let limit = u32::MAX - u32::MAX % modulus;
        loop {
            let mut buf = [0u8; 4];
            getrandom::fill(&mut buf)?;
            let v = u32::from_le_bytes(buf);
            if v < limit {
                let width = digits as usize;
                return Ok(Self(Zeroizing::new(format!("{:0width$}", v % modulus))));
            }
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What is hashed (under the HSM's MAC key) to store or check a code: the challenge id binds
    /// the code to its challenge, so equal codes of two challenges hash differently.
    pub fn hash_input(challenge_id: &str, code: &str) -> Zeroizing<Vec<u8>> {
        let mut v = Vec::with_capacity(challenge_id.len() + code.len() + 16);
        v.extend_from_slice(b"firma-sms-otp\0");
        v.extend_from_slice(challenge_id.as_bytes());
        v.push(0);
        v.extend_from_slice(code.as_bytes());
        Zeroizing::new(v)
    }

    /// Whether `code` has the shape of an SMS code of `digits` digits (before any hashing).
    pub fn well_formed(code: &str, digits: u32) -> bool {
        code.len() == digits as usize && code.bytes().all(|b| b.is_ascii_digit())
    }
}

impl fmt::Debug for SmsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SmsCode(***)")
    }
}

/// The text of the SMS (Italian, as the officers read it).
pub fn sms_text(code: &SmsCode, what: &str, ttl_minutes: i64) -> String {
    format!(
        "Firma remota ANSC: il codice {} autorizza {what}. Valido {ttl_minutes} minuti. \
         Non comunicarlo a nessuno.",
        code.expose()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_the_requested_digits_and_vary() {
        let codes: Vec<String> = (0..200)
            .map(|_| SmsCode::generate(6).unwrap().expose().to_owned())
            .collect();
        assert!(codes.iter().all(|c| SmsCode::well_formed(c, 6)));
        let distinct: std::collections::BTreeSet<_> = codes.iter().collect();
        assert!(
            distinct.len() > 190,
            "codes repeat too often: {}",
            distinct.len()
        );
        assert_eq!(SmsCode::generate(8).unwrap().expose().len(), 8);
    }

    #[test]
    fn every_digit_position_takes_every_value() {
        // Leading zeros are kept: the first digit is 0 about a tenth of the time.
        let mut seen = [[false; 10]; 6];
        for _ in 0..2000 {
            let code = SmsCode::generate(6).unwrap();
            for (i, b) in code.expose().bytes().enumerate() {
                seen[i][usize::from(b - b'0')] = true;
            }
        }
        assert!(seen.iter().all(|pos| pos.iter().all(|&s| s)));
    }

    #[test]
    fn the_text_carries_the_code_and_debug_hides_it() {
        let code = SmsCode::generate(6).unwrap();
        assert!(sms_text(&code, "la firma di 3 atti", 5).contains(code.expose()));
        assert_eq!(format!("{code:?}"), "SmsCode(***)");
        assert!(!SmsCode::well_formed("12a456", 6));
        assert!(!SmsCode::well_formed("12345", 6));
        assert_ne!(
            SmsCode::hash_input("a", "123456").as_slice(),
            SmsCode::hash_input("b", "123456").as_slice()
        );
    }
}
