//! A CAdES baseline level check (ETSI EN 319 122-1 clause 6.3 and 6.4, and EN 319 142-1
//! clause 6.3 for the CMS inside PAdES): each SignerInfo is verified and its attributes are
//! compared with what B-B and B-T require. Certificate path validation and revocation are the
//! validators' business and are not done here.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerInfo};
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use firma_core::HashAlgorithm;
use time::OffsetDateTime;
use x509_cert::Certificate;
use x509_cert::time::Time;

use super::CadesError;
use super::input::decode_cms_input;
use crate::cms::oid::{
    ID_AA_SIGNATURE_TIME_STAMP_TOKEN, ID_AA_SIGNING_CERTIFICATE, ID_AA_SIGNING_CERTIFICATE_V2,
    ID_CONTENT_TYPE, ID_MESSAGE_DIGEST, ID_SIGNED_DATA, ID_SIGNING_TIME,
};
use crate::cms::verify::{single_value, verify_signer_info};
use crate::cms::{CmsError, digest};
use crate::tsp::{TimestampToken, verify_token};

/// The content a detached signature covers, for [`inspect`].
#[derive(Debug, Clone, Copy)]
pub enum DetachedContent<'a> {
    /// The content itself.
    Bytes(&'a [u8]),
    /// Its hash (for PAdES: the hash of the `/ByteRange`).
    Digest(HashAlgorithm, &'a [u8]),
}

/// Which baseline rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// CAdES (ETSI EN 319 122-1 clause 6.3): signing-time present.
    Cades,
    /// The CMS of PAdES (ETSI EN 319 142-1 clause 6.3): signing-time absent.
    Pades,
}

/// A baseline level reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BaselineLevel {
    /// B-B: a valid signature with the required signed attributes.
    B,
    /// B-T: B-B and a valid signature time-stamp over the signature value.
    T,
}

/// What was found for one SignerInfo.
#[derive(Debug, Clone)]
pub struct SignerReport {
    /// The signer certificate, when found in the file.
    pub certificate: Option<Certificate>,
    /// `None` when the signature, the message digest and the ESS certificate reference all
    /// verify; otherwise why not.
    pub error: Option<String>,
    pub has_content_type: bool,
    pub has_message_digest: bool,
    pub has_signing_certificate_v2: bool,
    pub has_signing_certificate_v1: bool,
    pub signing_time: Option<OffsetDateTime>,
    /// The signature value (RFC 5652 section 5.3), what a signature time-stamp covers.
    pub signature_value: Vec<u8>,
    /// The signature time-stamp, if present: the verified token, or why it is not valid
    /// (including a token over something else than this signature value).
    pub timestamp: Option<Result<TimestampToken, String>>,
}

impl SignerReport {
    /// The highest baseline level met under `profile`, or `None` if not even B-B.
    pub fn level(&self, profile: Profile) -> Option<BaselineLevel> {
        let signing_time_ok = match profile {
            Profile::Cades => self.signing_time.is_some(),
            Profile::Pades => self.signing_time.is_none(),
        };
        let bb = self.error.is_none()
            && self.has_content_type
            && self.has_message_digest
            && self.has_signing_certificate_v2
            && signing_time_ok;
        if !bb {
            return None;
        }
        match &self.timestamp {
            Some(Ok(_)) => Some(BaselineLevel::T),
            _ => Some(BaselineLevel::B),
        }
    }
}

/// What [`inspect`] found.
#[derive(Debug, Clone)]
pub struct CadesReport {
    pub content_type: ObjectIdentifier,
    /// Whether the content is embedded.
    pub attached: bool,
    pub signers: Vec<SignerReport>,
}

fn malformed(e: impl std::fmt::Display) -> CadesError {
    CadesError::Cms(CmsError::Malformed(e.to_string()))
}

fn to_offset(t: &Time) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(i64::try_from(t.to_unix_duration().as_secs()).ok()?).ok()
}

/// Checks every signature of a DER (or base64/PEM) CMS file. `detached` gives the content of a
/// detached signature; it must be `None` for an attached one.
pub fn inspect(
    cms_file: &[u8],
    detached: Option<DetachedContent<'_>>,
) -> Result<CadesReport, CadesError> {
    let der = decode_cms_input(cms_file)?;
    let ci = ContentInfo::from_der(&der).map_err(malformed)?;
    if ci.content_type != ID_SIGNED_DATA {
        return Err(CadesError::NotSignedData(ci.content_type.to_string()));
    }
    let sd: SignedData = ci.content.decode_as().map_err(malformed)?;
    let econtent = sd
        .encap_content_info
        .econtent
        .as_ref()
        .map(|e| e.decode_as::<OctetString>())
        .transpose()
        .map_err(malformed)?;
    match (&econtent, &detached) {
        (Some(_), Some(_)) => return Err(CadesError::ContentEmbedded),
        (None, None) => return Err(CadesError::NoContent),
        _ => {}
    }
    let certs: Vec<Certificate> = sd
        .certificates
        .iter()
        .flat_map(|s| s.0.iter())
        .filter_map(|c| match c {
            CertificateChoices::Certificate(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    let econtent_type = sd.encap_content_info.econtent_type;
    let content_digest = |h: HashAlgorithm| -> Result<Vec<u8>, CmsError> {
        match (&econtent, detached) {
            (Some(os), _) => Ok(digest(h, os.as_bytes())),
            (None, Some(DetachedContent::Bytes(b))) => Ok(digest(h, b)),
            (None, Some(DetachedContent::Digest(dh, d))) if dh == h => Ok(d.to_vec()),
            (None, Some(DetachedContent::Digest(dh, _))) => Err(CmsError::Verification(format!(
                "the signature uses {h:?}, the digest given is {dh:?}"
            ))),
            (None, None) => Err(CmsError::Verification("no content".into())),
        }
    };
    let signers = sd
        .signer_infos
        .0
        .iter()
        .map(|si| report(si, &certs, &econtent_type, content_digest))
        .collect::<Result<Vec<_>, _>>()?;
    if signers.is_empty() {
        return Err(CadesError::NoSigners);
    }
    Ok(CadesReport {
        content_type: econtent_type,
        attached: econtent.is_some(),
        signers,
    })
}

fn report(
    si: &SignerInfo,
    certs: &[Certificate],
    econtent_type: &ObjectIdentifier,
    content_digest: impl FnOnce(HashAlgorithm) -> Result<Vec<u8>, CmsError>,
) -> Result<SignerReport, CadesError> {
    let verified = verify_signer_info(si, certs, econtent_type, content_digest);
    let (certificate, error) = match &verified {
        Ok(v) => (Some(v.cert.clone()), None),
        Err(e) => (
            crate::cms::verify::find_signer_cert(&si.sid, certs).cloned(),
            Some(e.to_string()),
        ),
    };
    let empty = x509_cert::attr::Attributes::new();
    let attrs = si.signed_attrs.as_ref().unwrap_or(&empty);
    let present = |oid| {
        single_value(attrs, oid)
            .map(|v| v.is_some())
            .unwrap_or(false)
    };
    let signing_time = single_value(attrs, ID_SIGNING_TIME)
        .ok()
        .flatten()
        .and_then(|v| v.decode_as::<Time>().ok())
        .and_then(|t| to_offset(&t));
    let timestamp = match si
        .unsigned_attrs
        .as_ref()
        .map(|u| single_value(u, ID_AA_SIGNATURE_TIME_STAMP_TOKEN))
        .transpose()
    {
        Err(e) => Some(Err(e.to_string())),
        Ok(None) | Ok(Some(None)) => None,
        Ok(Some(Some(token))) => Some(
            token
                .to_der()
                .map_err(|e| e.to_string())
                .and_then(|der| verify_token(&der).map_err(|e| e.to_string()))
                .and_then(|t| {
                    if t.covers(si.signature.as_bytes()) {
                        Ok(t)
                    } else {
                        Err("the time-stamp does not cover this signature value".into())
                    }
                }),
        ),
    };
    Ok(SignerReport {
        certificate,
        error,
        has_content_type: present(ID_CONTENT_TYPE),
        has_message_digest: present(ID_MESSAGE_DIGEST),
        has_signing_certificate_v2: present(ID_AA_SIGNING_CERTIFICATE_V2),
        has_signing_certificate_v1: present(ID_AA_SIGNING_CERTIFICATE),
        signing_time,
        signature_value: si.signature.as_bytes().to_vec(),
        timestamp,
    })
}
