//! Authorising with a one-time password: hardware tokens (chiavette, RFC 4226/6238) and codes sent
//! by SMS. The pure rules live in `firma-otp`; this module holds the stored shapes, the decisions
//! that combine them with the service's policy, and the audit events they produce. The service
//! layer loads, decides, and stores the new state with a compare-and-swap, in one transaction with
//! the audit record.

mod decision;
mod device;
mod settings;
mod sms_code;

pub use decision::{
    SmsAttempt, SmsDecision, TokenDecision, decide_sms, decide_token, resync_token,
};
pub use device::{
    NewToken, OtpDevice, OtpOutcome, RejectCause, SmsChallenge, SmsDevice, StoredToken, TokenStatus,
};
pub use settings::OtpSettings;
pub use sms_code::{SmsCode, sms_text};
