//! The OCSP messages of RFC 6960 section 4 (ASN.1 module of appendix B.1, `EXPLICIT TAGS`).
//! CHOICEs (`ResponderID`, `CertStatus`) and `ANY`-like fields are kept as [`Any`] and read or
//! built by the functions at the end.

use std::fmt;

use der::asn1::{BitString, GeneralizedTime, Int, ObjectIdentifier, OctetString};
use der::{Any, Decode, Encode, Enumerated, Sequence, Tag, TagNumber, Tagged};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::CrlReason;

/// ```text
/// CertID ::= SEQUENCE {
///     hashAlgorithm       AlgorithmIdentifier,
///     issuerNameHash      OCTET STRING, -- Hash of issuer's DN
///     issuerKeyHash       OCTET STRING, -- Hash of issuer's public key
///     serialNumber        CertificateSerialNumber }
/// ```
/// (RFC 6960 section 4.1.1.)
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct CertIdDer {
    pub hash_algorithm: AlgorithmIdentifierOwned,
    pub issuer_name_hash: OctetString,
    pub issuer_key_hash: OctetString,
    pub serial_number: Int,
}

/// `Request ::= SEQUENCE { reqCert CertID, singleRequestExtensions [0] EXPLICIT Extensions
/// OPTIONAL }` (RFC 6960 section 4.1.1).
#[derive(Clone, Debug, Sequence)]
pub(crate) struct RequestDer {
    pub req_cert: CertIdDer,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub single_request_extensions: Option<Vec<Extension>>,
}

/// ```text
/// TBSRequest ::= SEQUENCE {
///     version             [0] EXPLICIT Version DEFAULT v1,
///     requestorName       [1] EXPLICIT GeneralName OPTIONAL,
///     requestList             SEQUENCE OF Request,
///     requestExtensions   [2] EXPLICIT Extensions OPTIONAL }
/// ```
#[derive(Clone, Debug, Sequence)]
pub(crate) struct TbsRequestDer {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub version: Option<u8>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub requestor_name: Option<Any>,
    pub request_list: Vec<RequestDer>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    pub request_extensions: Option<Vec<Extension>>,
}

/// `OCSPRequest ::= SEQUENCE { tbsRequest TBSRequest, optionalSignature [0] EXPLICIT
/// Signature OPTIONAL }` (RFC 6960 section 4.1.1). The signature is kept unread: this
/// responder does not require signed requests (section 4.1.2).
#[derive(Clone, Debug, Sequence)]
pub(crate) struct OcspRequestDer {
    pub tbs_request: TbsRequestDer,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub optional_signature: Option<Any>,
}

/// `OCSPResponseStatus` (RFC 6960 section 4.2.1).
#[derive(Clone, Copy, Debug, Eq, PartialEq, Hash, Enumerated)]
#[repr(u32)]
pub enum OcspResponseStatus {
    /// `successful` (0): the response has valid confirmations.
    Successful = 0,
    /// `malformedRequest` (1): illegal confirmation request.
    MalformedRequest = 1,
    /// `internalError` (2): internal error in the issuer.
    InternalError = 2,
    /// `tryLater` (3): try again later.
    TryLater = 3,
    /// `sigRequired` (5): the request must be signed.
    SigRequired = 5,
    /// `unauthorized` (6): request unauthorized.
    Unauthorized = 6,
}

impl OcspResponseStatus {
    /// The RFC 6960 name (`malformedRequest`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Successful => "successful",
            Self::MalformedRequest => "malformedRequest",
            Self::InternalError => "internalError",
            Self::TryLater => "tryLater",
            Self::SigRequired => "sigRequired",
            Self::Unauthorized => "unauthorized",
        }
    }
}

impl fmt::Display for OcspResponseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `ResponseBytes ::= SEQUENCE { responseType OBJECT IDENTIFIER, response OCTET STRING }`.
#[derive(Clone, Debug, Sequence)]
pub(crate) struct ResponseBytesDer {
    pub response_type: ObjectIdentifier,
    pub response: OctetString,
}

/// `OCSPResponse ::= SEQUENCE { responseStatus OCSPResponseStatus, responseBytes [0] EXPLICIT
/// ResponseBytes OPTIONAL }` (RFC 6960 section 4.2.1).
#[derive(Clone, Debug, Sequence)]
pub(crate) struct OcspResponseDer {
    pub response_status: OcspResponseStatus,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub response_bytes: Option<ResponseBytesDer>,
}

/// ```text
/// BasicOCSPResponse ::= SEQUENCE {
///    tbsResponseData      ResponseData,
///    signatureAlgorithm   AlgorithmIdentifier,
///    signature            BIT STRING,
///    certs            [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
/// ```
/// The certificates are kept as they were received.
#[derive(Clone, Debug, Sequence)]
pub(crate) struct BasicOcspResponseDer {
    pub tbs_response_data: ResponseDataDer,
    pub signature_algorithm: AlgorithmIdentifierOwned,
    pub signature: BitString,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub certs: Option<Vec<Any>>,
}

/// ```text
/// ResponseData ::= SEQUENCE {
///    version              [0] EXPLICIT Version DEFAULT v1,
///    responderID              ResponderID,
///    producedAt               GeneralizedTime,
///    responses                SEQUENCE OF SingleResponse,
///    responseExtensions   [1] EXPLICIT Extensions OPTIONAL }
/// ```
#[derive(Clone, Debug, Sequence)]
pub(crate) struct ResponseDataDer {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub version: Option<u8>,
    pub responder_id: Any,
    pub produced_at: GeneralizedTime,
    pub responses: Vec<SingleResponseDer>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub response_extensions: Option<Vec<Extension>>,
}

/// ```text
/// SingleResponse ::= SEQUENCE {
///    certID                       CertID,
///    certStatus                   CertStatus,
///    thisUpdate                   GeneralizedTime,
///    nextUpdate         [0]       EXPLICIT GeneralizedTime OPTIONAL,
///    singleExtensions   [1]       EXPLICIT Extensions OPTIONAL }
/// ```
#[derive(Clone, Debug, Sequence)]
pub(crate) struct SingleResponseDer {
    pub cert_id: CertIdDer,
    pub cert_status: Any,
    pub this_update: GeneralizedTime,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub next_update: Option<GeneralizedTime>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub single_extensions: Option<Vec<Extension>>,
}

/// `RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime, revocationReason [0] EXPLICIT
/// CRLReason OPTIONAL }` (RFC 6960 section 4.2.1).
#[derive(Clone, Debug, Sequence)]
pub(crate) struct RevokedInfoDer {
    pub revocation_time: GeneralizedTime,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub revocation_reason: Option<CrlReason>,
}

fn context(number: u32, constructed: bool) -> Tag {
    Tag::ContextSpecific {
        constructed,
        number: TagNumber(number),
    }
}

/// `ResponderID ::= CHOICE { byName [1] Name, byKey [2] KeyHash }` with `KeyHash ::= OCTET
/// STRING` (RFC 6960 section 4.2.1; EXPLICIT tags): `byKey`.
pub(crate) fn responder_id_by_key(key_hash: &[u8]) -> der::Result<Any> {
    Any::new(context(2, true), OctetString::new(key_hash)?.to_der()?)
}

/// A received `ResponderID`.
pub(crate) enum ResponderIdRef {
    /// The DER `Name`.
    ByName(Vec<u8>),
    /// The SHA-1 hash of the responder's public key.
    ByKey(Vec<u8>),
}

pub(crate) fn read_responder_id(id: &Any) -> der::Result<ResponderIdRef> {
    if id.tag() == context(1, true) {
        // The value is one complete TLV, the Name.
        let name = x509_cert::name::Name::from_der(id.value())?;
        Ok(ResponderIdRef::ByName(name.to_der()?))
    } else if id.tag() == context(2, true) {
        Ok(ResponderIdRef::ByKey(
            OctetString::from_der(id.value())?.as_bytes().to_vec(),
        ))
    } else {
        Err(der::Error::from(der::ErrorKind::TagUnexpected {
            expected: Some(context(2, true)),
            actual: id.tag(),
        }))
    }
}

/// `CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo, unknown
/// [2] IMPLICIT UnknownInfo }`, `UnknownInfo ::= NULL` (RFC 6960 section 4.2.1).
pub(crate) enum CertStatusDer {
    Good,
    Revoked(RevokedInfoDer),
    Unknown,
}

pub(crate) fn cert_status(status: &CertStatusDer) -> der::Result<Any> {
    match status {
        CertStatusDer::Good => Any::new(context(0, false), Vec::new()),
        CertStatusDer::Unknown => Any::new(context(2, false), Vec::new()),
        CertStatusDer::Revoked(info) => {
            // IMPLICIT: the SEQUENCE's contents under the [1] constructed tag.
            let seq = Any::encode_from(info)?;
            Any::new(context(1, true), seq.value().to_vec())
        }
    }
}

pub(crate) fn read_cert_status(status: &Any) -> der::Result<CertStatusDer> {
    let empty = status.value().is_empty();
    if status.tag() == context(0, false) && empty {
        Ok(CertStatusDer::Good)
    } else if status.tag() == context(2, false) && empty {
        Ok(CertStatusDer::Unknown)
    } else if status.tag() == context(1, true) {
        let seq = Any::new(Tag::Sequence, status.value().to_vec())?;
        Ok(CertStatusDer::Revoked(RevokedInfoDer::from_der(
            &seq.to_der()?,
        )?))
    } else {
        Err(der::Error::from(der::ErrorKind::TagUnexpected {
            expected: Some(context(0, false)),
            actual: status.tag(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cert_status_choices_round_trip() {
        let t = GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(1_772_000_000))
            .unwrap();
        let revoked = CertStatusDer::Revoked(RevokedInfoDer {
            revocation_time: t,
            revocation_reason: Some(CrlReason::CertificateHold),
        });
        let any = cert_status(&revoked).unwrap();
        // [1] constructed, then the GeneralizedTime and [0] { ENUMERATED 6 }.
        let der = any.to_der().unwrap();
        assert_eq!(der[0], 0xa1);
        assert!(der.ends_with(&[0xa0, 0x03, 0x0a, 0x01, 0x06]), "{der:02x?}");
        match read_cert_status(&Any::from_der(&der).unwrap()).unwrap() {
            CertStatusDer::Revoked(info) => {
                assert_eq!(info.revocation_time, t);
                assert_eq!(info.revocation_reason, Some(CrlReason::CertificateHold));
            }
            _ => panic!("not revoked"),
        }
        assert_eq!(
            cert_status(&CertStatusDer::Good).unwrap().to_der().unwrap(),
            [0x80, 0]
        );
        assert_eq!(
            cert_status(&CertStatusDer::Unknown)
                .unwrap()
                .to_der()
                .unwrap(),
            [0x82, 0]
        );
        assert!(read_cert_status(&Any::new(context(3, false), vec![]).unwrap()).is_err());
    }

    #[test]
    fn responder_id_by_key_is_explicitly_tagged() {
        let any = responder_id_by_key(&[7; 20]).unwrap();
        let der = any.to_der().unwrap();
        assert_eq!(&der[..4], &[0xa2, 22, 0x04, 20]);
        match read_responder_id(&any).unwrap() {
            ResponderIdRef::ByKey(k) => assert_eq!(k, [7; 20]),
            ResponderIdRef::ByName(_) => panic!("by name"),
        }
    }
}
