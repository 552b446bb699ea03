//! Importing a batch of hardware tokens from the vendor's file: parse (PSKC or CSV), seal every
//! seed under the HSM's sealing key, store all of them or none, record the import.

use std::sync::Arc;

use firma_core::otp::NewToken;
use firma_core::{AuditEvent, AuditKind, OtpStore, SecretCipher};
use firma_otp::{ImportedToken, PskcOptions, import_csv, import_pskc};
use zeroize::Zeroizing;

use super::{OtpError, OtpService, seed_context};

/// The format of a token file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    /// RFC 6030 PSKC (XML), plain or encrypted with a pre-shared key.
    Pskc,
    /// `serial,type,secret,digits,period,counter,algorithm` (see firma-otp's csv module).
    Csv,
}

impl ImportFormat {
    /// Guesses from the content: XML starts with `<`.
    pub fn detect(bytes: &[u8]) -> Self {
        let first = bytes
            .iter()
            .copied()
            .find(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
        if first == Some(b'<') {
            Self::Pskc
        } else {
            Self::Csv
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Pskc => "pskc",
            Self::Csv => "csv",
        }
    }
}

/// Where an import is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportProgress {
    Parsed(usize),
    Sealed { done: usize, total: usize },
    Stored { done: usize, total: usize },
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub imported: usize,
    pub format: ImportFormat,
}

/// Seeds sealed per blocking task (each seal is one HSM call).
const SEAL_CHUNK: usize = 256;
/// Largest token file accepted.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

impl OtpService {
    /// Imports every token of `file`, or none (a duplicate serial, in the file or already stored,
    /// refuses the whole file).
    pub async fn import_tokens(
        &self,
        file: Vec<u8>,
        format: ImportFormat,
        pre_shared_key: Option<Zeroizing<Vec<u8>>>,
        actor: &str,
        progress: Arc<dyn Fn(ImportProgress) + Send + Sync>,
    ) -> Result<ImportSummary, OtpError> {
        let tokens = tokio::task::spawn_blocking(move || parse(&file, format, pre_shared_key))
            .await
            .map_err(|e| OtpError::Import(format!("the parser failed: {e}")))??;
        let total = tokens.len();
        progress(ImportProgress::Parsed(total));
        let manufacturers: std::collections::BTreeSet<String> = tokens
            .iter()
            .filter_map(|t| t.manufacturer.clone())
            .collect();

        let mut sealed = Vec::with_capacity(total);
        let mut remaining = tokens.into_iter();
        loop {
            let chunk: Vec<ImportedToken> = remaining.by_ref().take(SEAL_CHUNK).collect();
            if chunk.is_empty() {
                break;
            }
            let cipher = self.cipher.clone();
            let mut new = tokio::task::spawn_blocking(move || seal_all(cipher.as_ref(), chunk))
                .await
                .map_err(|e| OtpError::Import(format!("sealing failed: {e}")))??;
            sealed.append(&mut new);
            progress(ImportProgress::Sealed {
                done: sealed.len(),
                total,
            });
        }

        let event = AuditEvent::new(AuditKind::OtpTokensImported, actor, "otp-tokens")
            .with("count", total)
            .with("format", format.name())
            .with(
                "manufacturers",
                manufacturers.into_iter().collect::<Vec<_>>().join(","),
            );
        let at = self.clock.now();
        let report = progress.clone();
        self.db
            .insert_tokens(&sealed, &event, at, &move |done| {
                report(ImportProgress::Stored { done, total })
            })
            .await?;
        tracing::info!(count = total, format = format.name(), "OTP tokens imported");
        Ok(ImportSummary {
            imported: total,
            format,
        })
    }
}

fn parse(
    file: &[u8],
    format: ImportFormat,
    pre_shared_key: Option<Zeroizing<Vec<u8>>>,
) -> Result<Vec<ImportedToken>, OtpError> {
    match format {
        ImportFormat::Pskc => {
            let options = PskcOptions {
                pre_shared_key: pre_shared_key.as_ref().map(|k| k.as_slice()),
                max_bytes: MAX_FILE_BYTES,
                max_elements: PskcOptions::DEFAULT_MAX_ELEMENTS,
            };
            import_pskc(file, &options).map_err(|e| OtpError::Import(e.to_string()))
        }
        ImportFormat::Csv => {
            import_csv(file, MAX_FILE_BYTES).map_err(|e| OtpError::Import(e.to_string()))
        }
    }
}

fn seal_all(
    cipher: &dyn SecretCipher,
    tokens: Vec<ImportedToken>,
) -> Result<Vec<NewToken>, OtpError> {
    tokens
        .into_iter()
        .map(|t| {
            let sealed_seed = cipher.seal(
                seed_context(&t.serial).as_bytes(),
                t.seed.expose_secret_bytes(),
            )?;
            Ok(NewToken {
                params: t.params(),
                state: t.initial_state(),
                serial: t.serial,
                manufacturer: t.manufacturer,
                sealed_seed,
            })
        })
        .collect()
}

/// Reads a pre-shared key file: hex digits (spaces and newlines ignored).
pub fn read_pre_shared_key(path: &std::path::Path) -> Result<Zeroizing<Vec<u8>>, OtpError> {
    let text = Zeroizing::new(
        std::fs::read_to_string(path)
            .map_err(|e| OtpError::PreSharedKey(format!("{}: {e}", path.display())))?,
    );
    let hex: Zeroizing<String> =
        Zeroizing::new(text.chars().filter(|c| !c.is_whitespace()).collect());
    if !hex.len().is_multiple_of(2) {
        return Err(OtpError::PreSharedKey(format!(
            "{}: an odd number of hex digits",
            path.display()
        )));
    }
    let mut key = Zeroizing::new(Vec::with_capacity(hex.len() / 2));
    for pair in hex.as_bytes().chunks(2) {
        let s = std::str::from_utf8(pair).unwrap_or("zz");
        key.push(
            u8::from_str_radix(s, 16).map_err(|_| {
                OtpError::PreSharedKey(format!("{}: not hexadecimal", path.display()))
            })?,
        );
    }
    Ok(key)
}
