//! The SMS gateway port.

use std::future::Future;
use std::pin::Pin;

use crate::phone::PhoneNumber;

/// A boxed future, so that the port stays usable as `dyn SmsGateway` without a runtime here.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A text message to one phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsMessage {
    pub to: PhoneNumber,
    pub text: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    #[error("the SMS gateway refused the message: {0}")]
    Refused(String),
    #[error("the SMS gateway is unavailable: {0}")]
    Unavailable(String),
}

/// Sends SMS. Contract: returns once the gateway has accepted the message (not delivered it);
/// implementations never log the text, which holds a one-time code.
pub trait SmsGateway: Send + Sync + 'static {
    fn send<'a>(&'a self, message: &'a SmsMessage) -> BoxFuture<'a, Result<(), SmsError>>;
}
