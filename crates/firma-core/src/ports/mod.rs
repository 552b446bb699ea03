//! Ports: the traits the adapters (HSM, database, SMS gateway, ...) implement. The service layer is
//! written against these, so the same flows run on SoftHSM or a network HSM, SQLite or PostgreSQL.

mod chiavette_store;
mod clock;
mod ente_certificatore;
mod key_store;
mod onboarding_store;
mod repository;
mod revocation_store;
mod secret_cipher;
mod sms_gateway;

pub use chiavette_store::{
    Abbinamento, ChiavetteStore, ConsegnaId, NuovaConsegnaStored, StatoRicevuta, StoredConsegna,
};
pub use clock::{Clock, FixedClock, SystemClock};
pub use ente_certificatore::{
    CertificateChain, CertificationRequest, EnteCertificatore, EnteCertificatoreError,
    OfficerIdentity,
};
pub use key_store::{ActiveKey, GeneratedKey, KeyPurpose, KeyStore, KeyStoreError};
pub use onboarding_store::{
    Approval, OnboardingStore, Removal, RemovalOutcome, RichiesteFilter, StoredAdesione,
    StoredRichiesta,
};
pub use repository::{
    AuditLog, CreateOutcome, DirectoryStore, OtpStore, RecordOutcome, RepositoryError,
    SigningStore, StoredCa,
};
pub use revocation_store::{
    CredentialStatusChange, CrlScope, IssuedCertificateRecord, IssuedKind, RevocationRecord,
    RevocationStore, SerialStatus, StoredCrl, StoredOcspResponder,
};
pub use secret_cipher::SecretCipher;
pub use sms_gateway::{BoxFuture, SmsError, SmsGateway, SmsMessage};
