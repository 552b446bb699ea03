//! The SMS simulator: instead of phones, messages go to an outbox file, one JSON line each, where
//! tests, the quick start and `firma sms outbox` read them. Only for development and tests: the
//! outbox holds the codes in clear (it stands for the officers' phones, not for the service's
//! database, which never holds a code in clear).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use firma_core::ports::BoxFuture;
use firma_core::{Clock, SmsError, SmsGateway, SmsMessage};
use serde::{Deserialize, Serialize};

/// One simulated SMS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub at: String,
    pub to: String,
    pub text: String,
}

/// Appends messages to the outbox file.
pub struct SimulatedGateway {
    path: PathBuf,
    clock: Arc<dyn Clock>,
    /// Serialises appends from this process so lines never interleave.
    lock: Mutex<()>,
}

impl SimulatedGateway {
    pub fn new(path: impl Into<PathBuf>, clock: Arc<dyn Clock>) -> Self {
        Self {
            path: path.into(),
            clock,
            lock: Mutex::new(()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn append(&self, message: &SmsMessage) -> std::io::Result<()> {
        let line = serde_json::to_string(&OutboxMessage {
            at: self
                .clock
                .now()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            to: message.to.as_str().to_owned(),
            text: message.text.clone(),
        })
        .map_err(std::io::Error::other)?;
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(dir) = self.path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        file.write_all(format!("{line}\n").as_bytes())
    }
}

impl SmsGateway for SimulatedGateway {
    fn send<'a>(&'a self, message: &'a SmsMessage) -> BoxFuture<'a, Result<(), SmsError>> {
        Box::pin(async move {
            self.append(message).map_err(|e| {
                SmsError::Unavailable(format!(
                    "the SMS simulator cannot write its outbox {}: {e}",
                    self.path.display()
                ))
            })?;
            tracing::info!(to = %message.to.masked(), "SMS handed to the simulator");
            Ok(())
        })
    }
}

/// The last `last` messages of the outbox, optionally only those to `to`, oldest first.
pub fn read_outbox(
    path: &Path,
    to: Option<&str>,
    last: usize,
) -> std::io::Result<Vec<OutboxMessage>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let to = to.and_then(|t| firma_core::PhoneNumber::parse(t).ok());
    let mut messages: Vec<OutboxMessage> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<OutboxMessage>(l).ok())
        .filter(|m| to.as_ref().is_none_or(|t| t.as_str() == m.to))
        .collect();
    let skip = messages.len().saturating_sub(last);
    messages.drain(..skip);
    Ok(messages)
}
