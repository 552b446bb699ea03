//! CAdES (ETSI EN 319 122-1) baseline signatures over CMS: attached `.p7m` ([`sign_attached`]),
//! detached `.p7s` ([`sign_detached`]), parallel co-signatures of an existing `.p7m`
//! ([`cosign_attached`]), the content of a `.p7m` ([`extract_content`]) and a baseline level
//! check ([`inspect`]); B-LT by [`extend_to_lt`] (certificate-values and revocation-values).
//!
//! Existing files are read in DER, BER, base64 or PEM ([`decode_cms_input`]); outputs are DER.

mod ber;
mod container;
mod cosign;
mod error;
mod input;
mod inspect;
mod long_term;
mod sign;

pub use cosign::cosign_attached;
pub use error::CadesError;
pub use input::decode_cms_input;
pub use inspect::{BaselineLevel, CadesReport, DetachedContent, Profile, SignerReport, inspect};
pub use long_term::{add_validation_data, extend_to_lt};
pub use sign::{sign_attached, sign_detached};

/// The content embedded in a `.p7m` (DER, BER, base64 or PEM): what its signers signed.
pub fn extract_content(p7m: &[u8]) -> Result<Vec<u8>, CadesError> {
    let der = decode_cms_input(p7m)?;
    let view = container::parse_signed_data(&der)?;
    view.econtent
        .map(std::borrow::Cow::into_owned)
        .ok_or(CadesError::NoContent)
}
