//! Domain types, rules and ports of firma-remota.
//!
//! This crate does no I/O and knows no async runtime, database or HSM library: adapters implement
//! its [`ports`] (see `docs/ARCHITECTURE.md`).

pub mod access;
pub mod audit;
pub mod codice_fiscale;
pub mod comune;
pub mod credential;
pub mod key;
pub mod onboarding;
pub mod otp;
pub mod phone;
pub mod ports;
pub mod signing;
pub mod ufficiale;

pub use access::{Principal, PrincipalId, Role};
pub use audit::{AuditEvent, AuditKind, AuditRecord, ChainError, verify_chain};
pub use codice_fiscale::{CodiceFiscale, CodiceFiscaleError};
pub use comune::{CodiceIstat, CodiceProvincia, IstatError};
pub use credential::{Credential, CredentialId, CredentialStatus};
pub use key::{HashAlgorithm, KeyId, KeyRef, KeySpec, PublicKeyDer, SignatureAlgorithm};
pub use phone::{PhoneNumber, PhoneNumberError};
pub use ports::ChiavetteStore;
pub use ports::OnboardingStore;
pub use ports::RevocationStore;
pub use ports::{
    ActiveKey, AuditLog, Clock, CreateOutcome, DirectoryStore, FixedClock, GeneratedKey,
    KeyPurpose, KeyStore, KeyStoreError, OtpStore, RecordOutcome, RepositoryError, SecretCipher,
    SigningStore, SmsError, SmsGateway, SmsMessage, SystemClock,
};
pub use signing::{
    DocumentFormat, DocumentStatus, NewDocument, RequestDocument, RequestStatus, Sad, SadError,
    SignatureLevel, SigningRequest, SigningRequestId,
};
pub use ufficiale::{Email, EmailError, Profilo, TipoAtto, Ufficiale, UfficialeId};
