//! Choices a caller makes for one CMS signature.

use time::OffsetDateTime;

use crate::tsp::TsaClient;

/// Options of a CMS signature.
///
/// `CmsOptions::default()` makes a CAdES-B-B signature without signing-time (what PAdES needs,
/// ETSI EN 319 142-1 clause 6.3); set `signing_time` for CAdES (ETSI EN 319 122-1 clause
/// 5.2.1) and `timestamper` for B-T.
#[derive(Clone, Copy, Debug, Default)]
pub struct CmsOptions<'a> {
    /// The `signing-time` signed attribute (RFC 5652 section 11.3); `None` leaves it out.
    pub signing_time: Option<OffsetDateTime>,
    /// When set, the signature value is time-stamped by this TSA and the token added as the
    /// `signature-time-stamp` unsigned attribute (B-T, ETSI EN 319 122-1 clause 5.3).
    pub timestamper: Option<&'a TsaClient>,
    /// Skips the check that the signature returned by the key verifies with the signer
    /// certificate. The check costs one verification and catches a key that does not belong
    /// to the certificate before a bad signature leaves the service; leave it on.
    pub skip_self_check: bool,
}
