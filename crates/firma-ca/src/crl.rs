//! X.509 v2 certificate revocation lists (RFC 5280 section 5), signed through the HSM by the
//! issuing CA (for officers', TSA and workstation certificates) or by the root (an authority
//! revocation list for the issuing CA certificate).

use std::collections::BTreeMap;

use der::asn1::{BitString, GeneralizedTime, OctetString, Uint};
use der::{Decode, Encode};
use firma_core::ActiveKey;
use spki::SubjectPublicKeyInfoOwned;
use time::OffsetDateTime;
use x509_cert::Certificate;
use x509_cert::certificate::Version;
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::AuthorityKeyIdentifier;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;

use crate::algorithm::{digest, parse_signature_algorithm, signature_algorithm_id};
use crate::authority::CertificateAuthority;
use crate::encode::{extension, from_x509_time, key_identifier, whole_seconds, x509_time};
use crate::error::CaError;
use crate::oid::{
    ID_CE_AUTHORITY_KEY_IDENTIFIER, ID_CE_CRL_NUMBER, ID_CE_CRL_REASONS, ID_CE_INVALIDITY_DATE,
};
use crate::public_key::PublicKey;
use crate::revocation::{RevocationReason, RevokedEntry, serial_magnitude};

/// Most entries one CRL takes: far above what the simulator revokes, low enough that a CRL
/// stays a few megabytes.
pub const MAX_CRL_ENTRIES: usize = 100_000;

/// Builds the issuing CA's CRL, DER, signed by the issuing CA key in the HSM.
///
/// RFC 5280 section 5.1: `version` v2 (section 5.1.2.1: extensions are present); `signature`
/// the CA's algorithm (ecdsa-with-SHA256 or sha256WithRSAEncryption); `issuer` the issuing
/// CA's subject (section 5.1.2.3); `thisUpdate` and `nextUpdate` as UTCTime through 2049,
/// GeneralizedTime from 2050, whole seconds (sections 5.1.2.4 and 5.1.2.5: conforming CAs
/// include nextUpdate); `revokedCertificates` sorted by serial, absent when `entries` is empty
/// (section 5.1.2.6). Every entry carries the reasonCode extension (section 5.3.1), except
/// `unspecified` ("the reason code CRL entry extension SHOULD be absent instead of using the
/// unspecified (0) reasonCode value"), and the invalidityDate extension (section 5.3.2) when
/// it has one; both non-critical. The CRL extensions are the authority key identifier
/// (keyIdentifier only, section 5.2.1) and the CRL number (section 5.2.3), both non-critical.
///
/// `crl_number` must increase with every CRL the CA publishes (section 5.2.3): the caller
/// stores it. Refused: `next_update` not after `this_update`, `this_update` outside the issuing
/// CA certificate's validity, an entry revoked after `this_update`, an invalidity date after
/// the revocation, a serial that is empty, zero or longer than 20 octets, the same serial
/// twice, more than [`MAX_CRL_ENTRIES`] entries. The signature is checked with the CA
/// certificate's key before the CRL is returned.
pub fn build_crl(
    ca: &CertificateAuthority,
    entries: &[RevokedEntry],
    this_update: OffsetDateTime,
    next_update: OffsetDateTime,
    crl_number: u64,
) -> Result<Vec<u8>, CaError> {
    let issuer = CrlIssuer::from_certificate(ca.issuing_certificate(), "issuing")?;
    sign_crl(
        &issuer,
        ca.issuing_key(),
        entries,
        this_update,
        next_update,
        crl_number,
    )
}

/// Builds the root's authority revocation list, DER, signed by the root key in the HSM: the
/// CRL that says whether the issuing CA certificate is revoked (entries normally empty, or
/// the issuing CA's serial with `cACompromise`). Same profile and checks as [`build_crl`],
/// with the root certificate as issuer.
pub fn build_root_crl(
    ca: &CertificateAuthority,
    entries: &[RevokedEntry],
    this_update: OffsetDateTime,
    next_update: OffsetDateTime,
    crl_number: u64,
) -> Result<Vec<u8>, CaError> {
    let issuer = CrlIssuer::from_certificate(ca.root_certificate(), "root")?;
    sign_crl(
        &issuer,
        ca.root_key(),
        entries,
        this_update,
        next_update,
        crl_number,
    )
}

/// PEM `X509 CRL` text of a DER CRL (RFC 7468 section 6).
pub fn crl_pem(der: &[u8]) -> String {
    // Only lengths no CRL has can make PEM encoding fail; fall back to an empty string rather
    // than panic.
    der::pem::encode_string("X509 CRL", der::pem::LineEnding::LF, der).unwrap_or_default()
}

/// What a CRL needs from its issuer's certificate.
struct CrlIssuer {
    which: &'static str,
    name: Name,
    spki: SubjectPublicKeyInfoOwned,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
}

impl CrlIssuer {
    fn from_certificate(der: &[u8], which: &'static str) -> Result<Self, CaError> {
        let cert = Certificate::from_der(der)
            .map_err(|e| CaError::InvalidMaterial(format!("{which} certificate: {e}")))?;
        let tbs = cert.tbs_certificate();
        Ok(Self {
            which,
            name: tbs.subject().clone(),
            spki: tbs.subject_public_key_info().clone(),
            not_before: from_x509_time(tbs.validity().not_before)?,
            not_after: from_x509_time(tbs.validity().not_after)?,
        })
    }
}

fn sign_crl(
    issuer: &CrlIssuer,
    key: &dyn ActiveKey,
    entries: &[RevokedEntry],
    this_update: OffsetDateTime,
    next_update: OffsetDateTime,
    crl_number: u64,
) -> Result<Vec<u8>, CaError> {
    let this_update = whole_seconds(this_update)?;
    let next_update = whole_seconds(next_update)?;
    if next_update <= this_update {
        return Err(CaError::InvalidRevocation(format!(
            "nextUpdate {next_update} is not after thisUpdate {this_update} (RFC 5280 section \
             5.1.2.5)"
        )));
    }
    if this_update < issuer.not_before || this_update > issuer.not_after {
        return Err(CaError::CaNotValidAt {
            which: issuer.which,
            at: this_update,
            not_before: issuer.not_before,
            not_after: issuer.not_after,
        });
    }
    let revoked = revoked_certificates(entries, this_update)?;
    let algorithm = key.spec().default_algorithm();
    let algorithm_id = signature_algorithm_id(algorithm)?;
    let scheme = parse_signature_algorithm(&algorithm_id)?;
    let crl_extensions = vec![
        extension(
            ID_CE_AUTHORITY_KEY_IDENTIFIER,
            false,
            &AuthorityKeyIdentifier {
                key_identifier: Some(OctetString::new(key_identifier(&issuer.spki))?),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            },
        )?,
        extension(ID_CE_CRL_NUMBER, false, &Uint::try_from(crl_number)?)?,
    ];
    let tbs = TbsCertList {
        version: Version::V2,
        signature: algorithm_id.clone(),
        issuer: issuer.name.clone(),
        this_update: x509_time(this_update)?,
        next_update: Some(x509_time(next_update)?),
        revoked_certificates: (!revoked.is_empty()).then_some(revoked),
        crl_extensions: Some(crl_extensions),
    };
    let tbs_der = tbs.to_der()?;
    let signature = key.sign_digest(algorithm, &digest(algorithm.hash(), &tbs_der))?;
    let der = CertificateList {
        tbs_cert_list: tbs,
        signature_algorithm: algorithm_id,
        signature: BitString::from_bytes(&signature)?,
    }
    .to_der()?;
    // The HSM signed with the key the certificate certifies: check before anyone relies on it.
    PublicKey::from_spki(&issuer.spki)?
        .verify(scheme, &tbs_der, &signature)
        .map_err(|e| {
            CaError::InvalidMaterial(format!(
                "the {} CA key did not sign the CRL for its certificate's key: {e}",
                issuer.which
            ))
        })?;
    Ok(der)
}

/// The `revokedCertificates` list (RFC 5280 section 5.1.2.6), sorted by serial.
fn revoked_certificates(
    entries: &[RevokedEntry],
    this_update: OffsetDateTime,
) -> Result<Vec<RevokedCert>, CaError> {
    if entries.len() > MAX_CRL_ENTRIES {
        return Err(CaError::InvalidRevocation(format!(
            "{} entries, more than the {MAX_CRL_ENTRIES} a CRL of this CA takes",
            entries.len()
        )));
    }
    // Keyed by (length, bytes) of the magnitude: numeric order, and duplicates found.
    let mut sorted: BTreeMap<(usize, Vec<u8>), &RevokedEntry> = BTreeMap::new();
    for entry in entries {
        let serial = serial_magnitude(&entry.serial);
        if serial.is_empty() || serial == [0] || serial.len() > 20 {
            return Err(CaError::InvalidRevocation(format!(
                "serial number {:?} is not a positive integer of 1 to 20 octets (RFC 5280 \
                 section 4.1.2.2)",
                entry.serial_hex()
            )));
        }
        if sorted
            .insert((serial.len(), serial.to_vec()), entry)
            .is_some()
        {
            return Err(CaError::InvalidRevocation(format!(
                "serial number {} is listed twice",
                entry.serial_hex()
            )));
        }
    }
    let mut out = Vec::with_capacity(sorted.len());
    for ((_, serial), entry) in sorted {
        let revoked_at = whole_seconds(entry.revoked_at)?;
        if revoked_at > this_update {
            return Err(CaError::InvalidRevocation(format!(
                "serial number {} is revoked at {revoked_at}, after this CRL's thisUpdate \
                 {this_update}",
                entry.serial_hex()
            )));
        }
        out.push(RevokedCert {
            serial_number: SerialNumber::new(&serial)?,
            revocation_date: x509_time(revoked_at)?,
            crl_entry_extensions: entry_extensions(entry, revoked_at)?,
        });
    }
    Ok(out)
}

/// reasonCode (RFC 5280 section 5.3.1) unless `unspecified`, and invalidityDate (section
/// 5.3.2, always GeneralizedTime); `None` when there are none.
fn entry_extensions(
    entry: &RevokedEntry,
    revoked_at: OffsetDateTime,
) -> Result<Option<Vec<Extension>>, CaError> {
    let mut extensions = Vec::new();
    if entry.reason != RevocationReason::Unspecified {
        extensions.push(extension(
            ID_CE_CRL_REASONS,
            false,
            &entry.reason.to_x509(),
        )?);
    }
    if let Some(invalid_since) = entry.invalidity_date {
        let invalid_since = whole_seconds(invalid_since)?;
        if invalid_since > revoked_at {
            return Err(CaError::InvalidRevocation(format!(
                "serial number {} has invalidity date {invalid_since} after its revocation at \
                 {revoked_at} (RFC 5280 section 5.3.2: the date the certificate became invalid)",
                entry.serial_hex()
            )));
        }
        extensions.push(extension(
            ID_CE_INVALIDITY_DATE,
            false,
            &generalized_time(invalid_since)?,
        )?);
    }
    Ok((!extensions.is_empty()).then_some(extensions))
}

/// A GeneralizedTime of whole seconds in UTC (RFC 5280 section 4.1.2.5.2; RFC 6960 uses the
/// same form).
pub(crate) fn generalized_time(at: OffsetDateTime) -> Result<GeneralizedTime, CaError> {
    let secs = u64::try_from(at.unix_timestamp()).map_err(|_| CaError::TimeOutOfRange(at))?;
    GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(secs))
        .map_err(|_| CaError::TimeOutOfRange(at))
}

/// A GeneralizedTime back as an `OffsetDateTime`.
pub(crate) fn from_generalized_time(t: GeneralizedTime) -> Option<OffsetDateTime> {
    let secs = i64::try_from(t.to_unix_duration().as_secs()).ok()?;
    OffsetDateTime::from_unix_timestamp(secs).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn entries_are_sorted_and_checked() {
        let at = datetime!(2026-03-02 12:00 UTC);
        let e = |s: &[u8]| RevokedEntry::new(s, at, RevocationReason::Superseded);
        let list = revoked_certificates(&[e(&[2, 0]), e(&[0x7f]), e(&[0, 0x90])], at).unwrap();
        let serials: Vec<&[u8]> = list.iter().map(|r| r.serial_number.as_bytes()).collect();
        assert_eq!(serials, [&[0x7f][..], &[0, 0x90], &[2, 0]]);
        let dup = revoked_certificates(&[e(&[5]), e(&[0, 5])], at).unwrap_err();
        assert!(dup.to_string().contains("listed twice"), "{dup}");
        for bad in [&[][..], &[0], &[1; 21]] {
            let err = revoked_certificates(&[e(bad)], at).unwrap_err();
            assert!(err.to_string().contains("positive integer"), "{err}");
        }
        let later = revoked_certificates(&[e(&[1])], at - time::Duration::seconds(1));
        assert!(later.unwrap_err().to_string().contains("after this CRL"));
        let mut odd = e(&[1]);
        odd.invalidity_date = Some(at + time::Duration::hours(1));
        let err = revoked_certificates(&[odd], at).unwrap_err();
        assert!(err.to_string().contains("invalidity date"), "{err}");
        // Unspecified: no reason code; no invalidity date: no extensions at all.
        let plain = RevokedEntry::new(&[1], at, RevocationReason::Unspecified);
        assert_eq!(entry_extensions(&plain, at).unwrap(), None);
    }

    #[test]
    fn generalized_times_round_trip() {
        let t = datetime!(2026-03-02 12:34:56 UTC);
        assert_eq!(from_generalized_time(generalized_time(t).unwrap()), Some(t));
        assert!(generalized_time(datetime!(1969-01-01 0:00 UTC)).is_err());
    }
}
