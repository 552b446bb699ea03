//! From key packages to [`ImportedToken`]s: HOTP/TOTP only, serial numbers present and unique,
//! parameters within RFC 4226 / RFC 6238.

use std::collections::HashMap;

use crate::params::{Digits, OtpHash, TimeStep};
use crate::pskc::container::{PskcContainer, PskcKeyPackage};
use crate::pskc::error::PskcError;
use crate::token::{ImportedToken, TokenKind, serial_problem};

/// `Key/@Algorithm` of HOTP (RFC 6030 section 10, IANA "PSKC Algorithm URIs").
pub const HOTP_ALGORITHM: &str = "urn:ietf:params:xml:ns:keyprov:pskc:hotp";
/// `Key/@Algorithm` of TOTP as token vendors write it.
pub const TOTP_ALGORITHM: &str = "urn:ietf:params:xml:ns:keyprov:pskc:totp";

pub(crate) fn tokens(container: PskcContainer) -> Result<Vec<ImportedToken>, PskcError> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut tokens = Vec::with_capacity(container.packages.len());
    for package in container.packages {
        let number = package.location.package;
        let token = token(package)?;
        if let Some(first) = seen.insert(token.serial.clone(), number) {
            return Err(PskcError::DuplicateSerial {
                serial: token.serial.clone(),
                first,
                second: number,
            });
        }
        tokens.push(token);
    }
    Ok(tokens)
}

fn token(package: PskcKeyPackage) -> Result<ImportedToken, PskcError> {
    let location = package.location.clone();
    let Some(serial) = location.serial.clone() else {
        return Err(PskcError::MissingSerial { location });
    };
    if let Some(reason) = serial_problem(&serial) {
        return Err(PskcError::InvalidSerial { location, reason });
    }
    let is_totp = match package.algorithm.as_deref() {
        Some(HOTP_ALGORITHM) => false,
        Some(TOTP_ALGORITHM) => true,
        Some(other) => {
            return Err(PskcError::UnsupportedAlgorithm {
                location,
                algorithm: other.chars().take(200).collect(),
            });
        }
        None => {
            return Err(PskcError::MissingElement {
                location,
                element: "Key/@Algorithm",
            });
        }
    };
    let hash = match package.suite.as_deref() {
        None => OtpHash::Sha1,
        Some(suite) => OtpHash::from_name(suite).ok_or_else(|| PskcError::UnsupportedSuite {
            location: location.clone(),
            suite: suite.chars().take(100).collect(),
        })?,
    };
    let Some(format) = package.response_format else {
        return Err(PskcError::MissingElement {
            location,
            element: "AlgorithmParameters/ResponseFormat",
        });
    };
    let encoding = format.encoding.unwrap_or_else(|| "DECIMAL".into());
    let digits = match Digits::new(format.length) {
        Ok(digits) if encoding.eq_ignore_ascii_case("DECIMAL") => digits,
        _ => {
            return Err(PskcError::UnsupportedResponseFormat {
                location,
                encoding: encoding.chars().take(32).collect(),
                length: format.length.to_string(),
            });
        }
    };
    let Some(seed) = package.secret else {
        return Err(PskcError::MissingElement {
            location,
            element: "Data/Secret",
        });
    };
    if !seed.has_valid_length() {
        return Err(PskcError::SecretLength {
            location,
            len: seed.len(),
        });
    }
    let kind = if is_totp {
        let interval = package.time_interval.unwrap_or(30);
        let step = TimeStep::new(interval).map_err(|e| PskcError::InvalidValue {
            location: location.clone(),
            element: "TimeInterval",
            reason: e.to_string(),
        })?;
        TokenKind::Totp {
            step,
            t0: 0,
            drift: package.time_drift.unwrap_or(0),
        }
    } else {
        TokenKind::Hotp {
            counter: package.counter.unwrap_or(0),
        }
    };
    Ok(ImportedToken {
        serial,
        manufacturer: package.manufacturer,
        kind,
        digits,
        hash,
        seed,
    })
}
