//! Checking a time-stamp token (RFC 3161 section 2.4.2): a SignedData over a TSTInfo, signed by
//! one TSA whose certificate is fit for time-stamping (section 2.3).

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use firma_core::HashAlgorithm;
use time::OffsetDateTime;
use x509_cert::Certificate;
use x509_cert::ext::pkix::ExtendedKeyUsage;

use super::TspError;
use super::asn1::TstInfo;
use crate::cms::oid::{ID_CT_TST_INFO, ID_KP_TIME_STAMPING, ID_SIGNED_DATA};
use crate::cms::verify::verify_signer_info;
use crate::cms::{digest, hash_from_oid};

/// A time-stamp token whose TSA signature verified.
#[derive(Clone, Debug)]
pub struct TimestampToken {
    der: Vec<u8>,
    info: TstInfo,
    tsa_certificate: Certificate,
}

impl TimestampToken {
    /// The token: a DER `ContentInfo` (RFC 3161 section 2.4.2, `TimeStampToken`).
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The time-stamp's content.
    pub fn info(&self) -> &TstInfo {
        &self.info
    }

    /// When the TSA says it stamped the imprint.
    pub fn gen_time(&self) -> OffsetDateTime {
        self.info.gen_time.0
    }

    /// The hash algorithm and hash the token covers.
    pub fn imprint(&self) -> Result<(HashAlgorithm, &[u8]), TspError> {
        let mi = &self.info.message_imprint;
        let hash = hash_from_oid(&mi.hash_algorithm.oid).map_err(TspError::BadSignature)?;
        Ok((hash, mi.hashed_message.as_bytes()))
    }

    /// The certificate of the TSA that signed the token.
    pub fn tsa_certificate(&self) -> &Certificate {
        &self.tsa_certificate
    }

    /// Whether the token covers `message`: its imprint is the hash of `message` (RFC 3161
    /// section 2.4.2; for a signature time-stamp the message is the signature value, ETSI EN
    /// 319 122-1 clause 5.3).
    pub fn covers(&self, message: &[u8]) -> bool {
        self.imprint()
            .is_ok_and(|(hash, imprint)| digest(hash, message) == imprint)
    }
}

/// RFC 3161 section 2.3: the TSA certificate has an extended key usage extension, critical,
/// with only `id-kp-timeStamping`; and it was valid at `at`.
pub fn check_tsa_certificate(cert: &Certificate, at: OffsetDateTime) -> Result<(), TspError> {
    let bad = |s: &str| TspError::BadTsaCertificate(s.into());
    match cert.tbs_certificate().get_extension::<ExtendedKeyUsage>() {
        Ok(Some((critical, eku))) => {
            if !critical {
                return Err(bad("the extended key usage extension is not critical"));
            }
            if eku.0 != [ID_KP_TIME_STAMPING] {
                return Err(bad(
                    "the extended key usage is not exactly id-kp-timeStamping",
                ));
            }
        }
        Ok(None) => return Err(bad("no extended key usage extension")),
        Err(e) => {
            return Err(TspError::BadTsaCertificate(format!(
                "extended key usage: {e}"
            )));
        }
    }
    let validity = cert.tbs_certificate().validity();
    let secs = |t: &x509_cert::time::Time| t.to_unix_duration().as_secs() as i128;
    let at_secs = i128::from(at.unix_timestamp());
    if at_secs < secs(&validity.not_before) || at_secs > secs(&validity.not_after) {
        return Err(bad("the certificate was not valid at the time stamped"));
    }
    Ok(())
}

fn malformed(what: impl std::fmt::Display) -> TspError {
    TspError::MalformedToken(what.to_string())
}

/// Verifies a time-stamp token: the structure (RFC 3161 section 2.4.2: SignedData with
/// eContentType id-ct-TSTInfo and exactly one SignerInfo), the TSA signature and its ESS
/// signing-certificate attribute (v1 or v2, RFC 5816 section 2.2.1), and the TSA certificate
/// (section 2.3) at the time stamped. The TSA certificate must be in the token (`certReq`
/// true); its trust is the relying party's decision.
pub fn verify_token(token_der: &[u8]) -> Result<TimestampToken, TspError> {
    let ci = ContentInfo::from_der(token_der).map_err(malformed)?;
    if ci.content_type != ID_SIGNED_DATA {
        return Err(malformed(format!(
            "content type {} is not signedData",
            ci.content_type
        )));
    }
    let sd: SignedData = ci.content.decode_as().map_err(malformed)?;
    if sd.encap_content_info.econtent_type != ID_CT_TST_INFO {
        return Err(malformed("the encapsulated content is not a TSTInfo"));
    }
    let econtent = sd
        .encap_content_info
        .econtent
        .as_ref()
        .ok_or_else(|| malformed("the TSTInfo is missing"))?
        .decode_as::<OctetString>()
        .map_err(malformed)?;
    let info = TstInfo::from_der(econtent.as_bytes()).map_err(malformed)?;
    if info.version != 1 {
        return Err(malformed(format!("TSTInfo version {}", info.version)));
    }
    let mut signers = sd.signer_infos.0.iter();
    let (Some(si), None) = (signers.next(), signers.next()) else {
        return Err(malformed("a time-stamp token has exactly one SignerInfo"));
    };
    let certs: Vec<Certificate> = sd
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    let econtent_type: ObjectIdentifier = ID_CT_TST_INFO;
    let verified = verify_signer_info(si, &certs, &econtent_type, |h| {
        Ok(digest(h, econtent.as_bytes()))
    })?;
    if verified.ess_version.is_none() {
        return Err(malformed(
            "no ESS signing-certificate attribute (RFC 3161 section 2.4.2, RFC 5816)",
        ));
    }
    let tsa_certificate = verified.cert.clone();
    check_tsa_certificate(&tsa_certificate, info.gen_time.0)?;
    Ok(TimestampToken {
        der: token_der.to_vec(),
        info,
        tsa_certificate,
    })
}

/// Re-encodes a token (used where a token must be reproduced exactly).
pub(crate) fn token_der_of(any: &der::Any) -> Result<Vec<u8>, TspError> {
    any.to_der().map_err(malformed)
}
