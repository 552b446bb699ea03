//! Checking a CRL the way a relying party does (RFC 5280 section 6.3.3), for the B-LT
//! collector that embeds CRLs as validation data when no OCSP responder answers.

use der::Decode;
use time::OffsetDateTime;
use x509_cert::crl::CertificateList;

use crate::encode::from_x509_time;
use crate::error::CaError;
use crate::ocsp::OCSP_CLOCK_SKEW;
use crate::ocsp::{parse_certificate, signed_by};
use crate::revocation::serial_magnitude;

/// Largest CRL read.
pub const MAX_CRL_LEN: usize = 4 * 1024 * 1024;

/// What a checked CRL says about one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedCrl {
    pub this_update: OffsetDateTime,
    pub next_update: Option<OffsetDateTime>,
    /// When the certificate was revoked, if the CRL lists it.
    pub revoked_at: Option<OffsetDateTime>,
}

/// Checks the DER CRL `crl_der` for `cert_der`, issued by `issuer_der`, at `now` (RFC 5280
/// section 6.3.3): the CRL issuer is the certificate's issuer (b.1: no indirect CRLs), the
/// signature verifies with the issuer's key (f, g), `thisUpdate` is not after `now` and
/// `nextUpdate`, if present, not before (a.1), with [`OCSP_CLOCK_SKEW`]; then looks the serial
/// up in `revokedCertificates` (i).
pub fn check_crl(
    crl_der: &[u8],
    cert_der: &[u8],
    issuer_der: &[u8],
    now: OffsetDateTime,
) -> Result<CheckedCrl, CaError> {
    let invalid = |s: String| CaError::InvalidRevocation(format!("CRL: {s}"));
    if crl_der.len() > MAX_CRL_LEN {
        return Err(invalid(format!(
            "{} bytes, more than the {MAX_CRL_LEN} accepted",
            crl_der.len()
        )));
    }
    let cert = parse_certificate(cert_der, "subject")?;
    let issuer = parse_certificate(issuer_der, "issuer")?;
    let crl: CertificateList = CertificateList::from_der(crl_der)
        .map_err(|e| invalid(format!("not a DER CertificateList: {e}")))?;
    let tbs = &crl.tbs_cert_list;
    if &tbs.issuer != issuer.tbs_certificate().subject()
        || cert.tbs_certificate().issuer() != issuer.tbs_certificate().subject()
    {
        return Err(invalid(
            "its issuer is not the certificate's issuer (indirect CRLs are not supported)".into(),
        ));
    }
    signed_by(crl_der, &issuer).map_err(|e| invalid(format!("signature: {e}")))?;
    let this_update = from_x509_time(tbs.this_update)?;
    let next_update = tbs.next_update.map(from_x509_time).transpose()?;
    if this_update > now + OCSP_CLOCK_SKEW {
        return Err(invalid(format!(
            "thisUpdate {this_update} is in the future"
        )));
    }
    if let Some(next) = next_update
        && next + OCSP_CLOCK_SKEW < now
    {
        return Err(invalid(format!("expired: nextUpdate {next} has passed")));
    }
    let serial = serial_magnitude(cert.tbs_certificate().serial_number().as_bytes());
    let revoked_at = tbs
        .revoked_certificates
        .iter()
        .flatten()
        .find(|r| serial_magnitude(r.serial_number.as_bytes()) == serial)
        .map(|r| from_x509_time(r.revocation_date))
        .transpose()?;
    Ok(CheckedCrl {
        this_update,
        next_update,
        revoked_at,
    })
}
