//! Errors of the adapter: connection problems name what to fix; operation errors map onto the
//! port's `KeyStoreError`.

use std::path::PathBuf;

use cryptoki::error::{Error as CkError, RvError};
use firma_core::KeyStoreError;

/// Why the adapter could not connect to the token. Each message says what to change.
#[derive(Debug, thiserror::Error)]
pub enum HsmError {
    #[error(
        "the PKCS#11 module {path} does not exist: set hsm.module (FIRMA_HSM__MODULE) to the module's path \
         (for SoftHSM2 on Debian: /usr/lib/softhsm/libsofthsm2.so, package softhsm2)"
    )]
    ModuleMissing { path: PathBuf },
    #[error(
        "cannot load the PKCS#11 module {path}: {reason}; set hsm.module (FIRMA_HSM__MODULE) to a PKCS#11 shared library"
    )]
    ModuleLoad { path: PathBuf, reason: String },
    #[error(
        "no initialised token labelled {label:?} in {module} (tokens seen: {seen}); set hsm.token_label \
         (FIRMA_HSM__TOKEN_LABEL) or create the token{hint}"
    )]
    TokenNotFound {
        label: String,
        module: PathBuf,
        seen: String,
        hint: String,
    },
    #[error(
        "the user PIN for token {label:?} is wrong: set hsm.pin_file or FIRMA_HSM__PIN to the token's user PIN"
    )]
    PinIncorrect { label: String },
    #[error(
        "the user PIN of token {label:?} is locked after too many wrong attempts: the security officer must reset it"
    )]
    PinLocked { label: String },
    #[error("no user PIN is configured for token {label:?}: set hsm.pin_file or FIRMA_HSM__PIN")]
    PinMissing { label: String },
    #[error(
        "token {label:?} has no user PIN yet (it is being initialised, or its security officer never \
         set one): finish the token's initialisation (softhsm2-util --init-token ... --pin)"
    )]
    TokenNotReady { label: String },
    #[error("the HSM refused {}", crate::error::describe(operation, cause))]
    Pkcs11 {
        operation: &'static str,
        cause: CkError,
    },
    #[error("{0}")]
    KeyStore(KeyStoreError),
}

impl From<KeyStoreError> for HsmError {
    fn from(e: KeyStoreError) -> Self {
        Self::KeyStore(e)
    }
}

impl HsmError {
    pub(crate) fn pkcs11(operation: &'static str) -> impl FnOnce(CkError) -> Self {
        move |cause| Self::Pkcs11 { operation, cause }
    }
}

/// The return value of a failed PKCS#11 call, if it was one.
pub(crate) fn rv(err: &CkError) -> Option<RvError> {
    match err {
        CkError::Pkcs11(rv, _) => Some(*rv),
        _ => None,
    }
}

/// Maps a PKCS#11 failure during an operation onto the port's error.
pub(crate) fn to_key_store(operation: &str, err: CkError) -> KeyStoreError {
    use RvError::*;
    let message = describe(operation, &err);
    match rv(&err) {
        Some(
            DeviceError
            | DeviceMemory
            | DeviceRemoved
            | TokenNotPresent
            | TokenNotRecognized
            | SessionClosed
            | SessionHandleInvalid
            | UserNotLoggedIn
            | CryptokiNotInitialized
            | SessionCount
            | HostMemory,
        ) => KeyStoreError::Unavailable(message),
        Some(ObjectHandleInvalid | KeyHandleInvalid | WrappedKeyInvalid | WrappedKeyLenRange) => {
            KeyStoreError::KeyNotFound(message)
        }
        Some(
            MechanismInvalid
            | MechanismParamInvalid
            | KeyTypeInconsistent
            | KeyFunctionNotPermitted
            | FunctionNotSupported,
        ) => KeyStoreError::Unsupported(message),
        Some(DataLenRange | DataInvalid) => KeyStoreError::InvalidInput(message),
        _ => KeyStoreError::Backend(message),
    }
}

/// A one-line description: the operation and the PKCS#11 return value's name.
pub(crate) fn describe(operation: &str, err: &CkError) -> String {
    match err {
        CkError::Pkcs11(rv, function) => format!("{operation}: C_{function:?} returned {rv:?}"),
        other => format!("{operation}: {other}"),
    }
}

/// An error inside a pooled operation: either the token's, or one of ours.
#[derive(Debug)]
pub(crate) enum OpError {
    Ck(CkError),
    Ks(KeyStoreError),
}

impl From<CkError> for OpError {
    fn from(e: CkError) -> Self {
        Self::Ck(e)
    }
}

impl From<KeyStoreError> for OpError {
    fn from(e: KeyStoreError) -> Self {
        Self::Ks(e)
    }
}
