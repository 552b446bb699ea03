//! What can go wrong when authorising with an OTP, as the API and the CLI report it.

use firma_core::{KeyStoreError, RepositoryError, SmsError};

#[derive(Debug, thiserror::Error)]
pub enum OtpError {
    #[error("no OTP device {0}")]
    UnknownDevice(String),
    #[error("no phone is registered for {0}: register one before sending codes by SMS")]
    NoPhone(String),
    #[error(
        "the OTP device {0} is locked after too many wrong codes: an authorised operator must unlock it"
    )]
    Locked(String),
    #[error(
        "a code was sent less than {interval_seconds} s ago: wait {retry_after_seconds} s before asking again"
    )]
    RateLimited {
        interval_seconds: i64,
        retry_after_seconds: i64,
    },
    #[error("{0} codes were already sent for this request: no more are sent")]
    TooManySends(u32),
    #[error("the token file cannot be imported: {0}")]
    Import(String),
    #[error("the pre-shared key file is unreadable or not hex: {0}")]
    PreSharedKey(String),
    #[error("too many concurrent attempts on {0}: try again")]
    Busy(String),
    #[error(transparent)]
    Repository(#[from] RepositoryError),
    #[error(transparent)]
    KeyStore(#[from] KeyStoreError),
    #[error(transparent)]
    Sms(#[from] SmsError),
}
