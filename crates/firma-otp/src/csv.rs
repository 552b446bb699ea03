//! A simple CSV form for token batches, for vendors that do not ship PSKC.
//!
//! ```text
//! serial,type,secret,digits,period,counter,algorithm
//! # HOTP, counter 0, SHA-1 by default:
//! TK-0001,hotp,hex:3132333435363738393031323334353637383930,6,,0,
//! # TOTP every 30 s with SHA-256:
//! TK-0002,totp,base32:GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA,8,30,,SHA256
//! ```
//!
//! - The first line that is not blank or a `#` comment is exactly that header (case and spaces
//!   around fields ignored). Fields are separated by commas; quoting is not supported.
//! - `serial`: 1-64 printable ASCII characters, unique in the file.
//! - `type`: `hotp` or `totp`.
//! - `secret`: `hex:` followed by hexadecimal digits, or `base32:` followed by RFC 4648 base32
//!   (case-insensitive, `=` padding optional); 16 to 128 bytes (RFC 4226 section 4, R6).
//! - `digits`: 6, 7 or 8 (required).
//! - `period`: TOTP time step in seconds (required for TOTP, e.g. 30 or 60); empty for HOTP.
//! - `counter`: HOTP next counter value, empty meaning 0; empty for TOTP.
//! - `algorithm`: `SHA1`, `SHA256` or `SHA512`; empty means `SHA1`.
//!
//! Errors name the line (1-based). The whole file is refused on the first error.

use std::collections::HashMap;

use data_encoding::{BASE32_NOPAD, HEXLOWER_PERMISSIVE};
use thiserror::Error;
use zeroize::Zeroizing;

use crate::params::{Digits, OtpHash, TimeStep};
use crate::seed::Seed;
use crate::token::{ImportedToken, TokenKind, serial_problem};

/// The required header line.
pub const CSV_HEADER: &str = "serial,type,secret,digits,period,counter,algorithm";

/// Default size limit: 16 MiB, far more than 100 000 tokens.
pub const DEFAULT_MAX_CSV_BYTES: usize = 16 * 1024 * 1024;

/// Why a CSV batch was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CsvError {
    /// Larger than the limit.
    #[error("the CSV file is {size} bytes, larger than the limit of {limit} bytes")]
    TooLarge {
        /// Input size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// No header line.
    #[error("the CSV file is empty; the first line must be: {CSV_HEADER}")]
    MissingHeader,
    /// The first line is not the header.
    #[error("line {line}: expected the header \"{CSV_HEADER}\"")]
    Header {
        /// Line number.
        line: usize,
    },
    /// A problem on one line.
    #[error("line {line}: {problem}")]
    Line {
        /// Line number (1-based).
        line: usize,
        /// What is wrong.
        problem: CsvProblem,
    },
    /// A serial number used twice.
    #[error("line {second_line}: serial {serial:?} already appears on line {first_line}")]
    DuplicateSerial {
        /// The serial.
        serial: String,
        /// Its first line.
        first_line: usize,
        /// The repeated line.
        second_line: usize,
    },
    /// A header but no token.
    #[error("the CSV file has a header but no token lines")]
    NoTokens,
}

/// What is wrong with a line. Never contains the secret.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CsvProblem {
    /// Not UTF-8.
    #[error("the line is not UTF-8 text")]
    NotUtf8,
    /// Not 7 fields.
    #[error("expected 7 comma-separated fields, found {0}")]
    FieldCount(usize),
    /// A double quote.
    #[error("quoted fields are not supported")]
    Quoted,
    /// Unusable serial.
    #[error("the serial number is unusable: {0}")]
    Serial(&'static str),
    /// Neither hotp nor totp.
    #[error("type {0:?} is neither hotp nor totp")]
    Type(String),
    /// No `hex:`/`base32:` prefix.
    #[error("the secret must start with hex: or base32:")]
    SecretPrefix,
    /// Bad hex or base32.
    #[error("the secret is not valid {0}")]
    SecretEncoding(&'static str),
    /// Secret too short or long.
    #[error("the secret is {0} bytes; 16 to 128 are required (RFC 4226 section 4, R6)")]
    SecretLength(usize),
    /// Bad digits.
    #[error("digits {0:?} must be 6, 7 or 8")]
    Digits(String),
    /// Bad or missing TOTP period.
    #[error("period {0:?} must be a TOTP time step of 1 to 3600 seconds")]
    Period(String),
    /// A period on an HOTP line.
    #[error("an hotp token has no period; leave the field empty")]
    PeriodForHotp,
    /// A counter on a TOTP line.
    #[error("a totp token has no counter; leave the field empty")]
    CounterForTotp,
    /// Bad counter.
    #[error("counter {0:?} is not a non-negative integer")]
    Counter(String),
    /// Unknown hash.
    #[error("algorithm {0:?} is not SHA1, SHA256 or SHA512")]
    Algorithm(String),
}

/// Imports a CSV batch (format in the module documentation).
///
/// # Errors
/// [`CsvError`], with the line number for every problem in a line.
pub fn import_csv(input: &[u8], max_bytes: usize) -> Result<Vec<ImportedToken>, CsvError> {
    if input.len() > max_bytes {
        return Err(CsvError::TooLarge {
            size: input.len(),
            limit: max_bytes,
        });
    }
    let input = input.strip_prefix("\u{feff}".as_bytes()).unwrap_or(input);
    let mut header_seen = false;
    let mut tokens = Vec::new();
    let mut serials: HashMap<String, usize> = HashMap::new();
    for (index, raw) in input.split(|b| *b == b'\n').enumerate() {
        let line = index + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let text = std::str::from_utf8(raw).map_err(|_| CsvError::Line {
            line,
            problem: CsvProblem::NotUtf8,
        })?;
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if !header_seen {
            let normalized: Vec<String> = trimmed
                .split(',')
                .map(|f| f.trim().to_ascii_lowercase())
                .collect();
            if normalized.join(",") != CSV_HEADER {
                return Err(CsvError::Header { line });
            }
            header_seen = true;
            continue;
        }
        let token = parse_line(trimmed).map_err(|problem| CsvError::Line { line, problem })?;
        if let Some(first_line) = serials.insert(token.serial.clone(), line) {
            return Err(CsvError::DuplicateSerial {
                serial: token.serial.clone(),
                first_line,
                second_line: line,
            });
        }
        tokens.push(token);
    }
    if !header_seen {
        return Err(CsvError::MissingHeader);
    }
    if tokens.is_empty() {
        return Err(CsvError::NoTokens);
    }
    Ok(tokens)
}

fn shown(field: &str) -> String {
    field.chars().take(32).collect()
}

fn parse_line(line: &str) -> Result<ImportedToken, CsvProblem> {
    if line.contains('"') {
        return Err(CsvProblem::Quoted);
    }
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    let [serial, kind, secret, digits, period, counter, algorithm] = fields[..] else {
        return Err(CsvProblem::FieldCount(fields.len()));
    };
    if let Some(reason) = serial_problem(serial) {
        return Err(CsvProblem::Serial(reason));
    }
    let is_totp = match kind.to_ascii_lowercase().as_str() {
        "hotp" => false,
        "totp" => true,
        _ => return Err(CsvProblem::Type(shown(kind))),
    };
    let seed = parse_secret(secret)?;
    let digits = digits
        .parse::<u32>()
        .ok()
        .and_then(|d| Digits::new(d).ok())
        .ok_or_else(|| CsvProblem::Digits(shown(digits)))?;
    let hash = if algorithm.is_empty() {
        OtpHash::Sha1
    } else {
        OtpHash::from_name(algorithm).ok_or_else(|| CsvProblem::Algorithm(shown(algorithm)))?
    };
    let kind = if is_totp {
        if !counter.is_empty() {
            return Err(CsvProblem::CounterForTotp);
        }
        let step = period
            .parse::<u64>()
            .ok()
            .and_then(|p| TimeStep::new(p).ok())
            .ok_or_else(|| CsvProblem::Period(shown(period)))?;
        TokenKind::Totp {
            step,
            t0: 0,
            drift: 0,
        }
    } else {
        if !period.is_empty() {
            return Err(CsvProblem::PeriodForHotp);
        }
        let counter = if counter.is_empty() {
            0
        } else {
            counter
                .parse::<u64>()
                .map_err(|_| CsvProblem::Counter(shown(counter)))?
        };
        TokenKind::Hotp { counter }
    };
    Ok(ImportedToken {
        serial: serial.to_owned(),
        manufacturer: None,
        kind,
        digits,
        hash,
        seed,
    })
}

fn parse_secret(field: &str) -> Result<Seed, CsvProblem> {
    let (prefix, value) = field.split_once(':').ok_or(CsvProblem::SecretPrefix)?;
    let mut bytes = match prefix.to_ascii_lowercase().as_str() {
        "hex" => Zeroizing::new(
            HEXLOWER_PERMISSIVE
                .decode(value.as_bytes())
                .map_err(|_| CsvProblem::SecretEncoding("hexadecimal"))?,
        ),
        "base32" => {
            let upper = Zeroizing::new(value.trim_end_matches('=').to_ascii_uppercase());
            Zeroizing::new(
                BASE32_NOPAD
                    .decode(upper.as_bytes())
                    .map_err(|_| CsvProblem::SecretEncoding("base32"))?,
            )
        }
        _ => return Err(CsvProblem::SecretPrefix),
    };
    let seed = Seed::new(std::mem::take(&mut *bytes));
    if !seed.has_valid_length() {
        return Err(CsvProblem::SecretLength(seed.len()));
    }
    Ok(seed)
}
