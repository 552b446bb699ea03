//! Signed and unsigned attributes of a CAdES baseline SignerInfo (ETSI EN 319 122-1
//! clause 5.2 and 5.3, RFC 5652 section 11).

use der::asn1::{ObjectIdentifier, OctetString, SetOfVec, UtcTime};
use der::{Any, Decode};
use firma_core::HashAlgorithm;
use time::OffsetDateTime;
use x509_cert::attr::{Attribute, Attributes};
use x509_cert::time::Time;

use super::CmsError;
use super::chain::SignerChain;
use super::ess::signing_certificate_v2;
use super::oid::{
    ID_AA_SIGNATURE_TIME_STAMP_TOKEN, ID_AA_SIGNING_CERTIFICATE_V2, ID_CONTENT_TYPE,
    ID_MESSAGE_DIGEST, ID_SIGNING_TIME,
};

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, CmsError> {
    let mut values = SetOfVec::new();
    values.insert(value)?;
    Ok(Attribute { oid, values })
}

/// `SigningTime ::= Time`: UTCTime for 1950 to 2049, GeneralizedTime otherwise (RFC 5652
/// section 11.3).
pub(crate) fn signing_time(at: OffsetDateTime) -> Result<Time, CmsError> {
    let secs = u64::try_from(at.unix_timestamp())
        .map_err(|_| CmsError::Malformed("signing time before 1970".into()))?;
    let d = std::time::Duration::from_secs(secs);
    if at.year() < 2050 {
        Ok(Time::UtcTime(UtcTime::from_unix_duration(d)?))
    } else {
        Ok(Time::GeneralTime(
            der::asn1::GeneralizedTime::from_unix_duration(d)?,
        ))
    }
}

/// The signed attributes of a CAdES-B-B signature (ETSI EN 319 122-1 clause 5.2):
/// content-type (5.2.1), message-digest (5.2.2 / RFC 5652 section 11.2), signing-time (5.2.1,
/// left out for PAdES by ETSI EN 319 142-1 clause 6.3 when `signing_time` is `None`) and
/// signing-certificate-v2 (5.2.2.3, RFC 5035).
pub(crate) fn signed_attributes(
    content_type: ObjectIdentifier,
    message_digest: &[u8],
    signing_time_value: Option<OffsetDateTime>,
    chain: &SignerChain,
    hash: HashAlgorithm,
) -> Result<Attributes, CmsError> {
    let mut attrs = Attributes::new();
    attrs.insert(attribute(
        ID_CONTENT_TYPE,
        Any::encode_from(&content_type)?,
    )?)?;
    if let Some(at) = signing_time_value {
        attrs.insert(attribute(
            ID_SIGNING_TIME,
            Any::encode_from(&signing_time(at)?)?,
        )?)?;
    }
    attrs.insert(attribute(
        ID_MESSAGE_DIGEST,
        Any::encode_from(&OctetString::new(message_digest)?)?,
    )?)?;
    let ess = signing_certificate_v2(chain.signer(), chain.signer_der(), hash)?;
    attrs.insert(attribute(
        ID_AA_SIGNING_CERTIFICATE_V2,
        Any::encode_from(&ess)?,
    )?)?;
    Ok(attrs)
}

/// The unsigned attributes holding a signature time-stamp token (RFC 3161 appendix A,
/// ETSI EN 319 122-1 clause 5.3): `token_der` is the token's DER `ContentInfo`.
pub(crate) fn timestamp_attributes(token_der: &[u8]) -> Result<Attributes, CmsError> {
    let token = Any::from_der(token_der)
        .map_err(|e| CmsError::Malformed(format!("time-stamp token: {e}")))?;
    let mut attrs = Attributes::new();
    attrs.insert(attribute(ID_AA_SIGNATURE_TIME_STAMP_TOKEN, token)?)?;
    Ok(attrs)
}
