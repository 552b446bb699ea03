//! Integration tests of the service layer on real parts: a SoftHSM2 token of its own per test
//! (`token_test!`), a SQLite file or a fresh PostgreSQL database, the SMS simulator's outbox.

#[path = "server/support.rs"]
mod support;

#[path = "server/chiavette_abbinamento.rs"]
mod chiavette_abbinamento;
#[path = "server/chiavette_consegne.rs"]
mod chiavette_consegne;
#[path = "server/chiavette_ricevuta.rs"]
mod chiavette_ricevuta;
#[path = "server/chiavette_support.rs"]
mod chiavette_support;
#[path = "server/ente_certificatore.rs"]
mod ente_certificatore;
#[path = "server/onboarding_adesione.rs"]
mod onboarding_adesione;
#[path = "server/onboarding_ente.rs"]
mod onboarding_ente;
#[path = "server/onboarding_inoltro.rs"]
mod onboarding_inoltro;
#[path = "server/onboarding_support.rs"]
mod onboarding_support;
#[path = "server/onboarding_ufficiali.rs"]
mod onboarding_ufficiali;
#[path = "server/otp_audit.rs"]
mod otp_audit;
#[path = "server/otp_concurrency.rs"]
mod otp_concurrency;
#[path = "server/otp_import.rs"]
mod otp_import;
#[path = "server/otp_sms.rs"]
mod otp_sms;
#[path = "server/otp_tokens.rs"]
mod otp_tokens;
