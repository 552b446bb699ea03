//! CAdES B-LT (ETSI EN 319 122-1 clause 5.5 and 6.4; RFC 5126 sections 6.3.3 and 6.3.4): the
//! validation data of a signature in two unsigned attributes of its SignerInfo,
//! `certificate-values` (the certificates of the chains) and `revocation-values` (OCSP
//! responses as `BasicOCSPResponse`s, CRLs). Unsigned attributes are outside the signature, so
//! it stays valid; the rest of the CMS is re-encoded in DER unchanged.

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use const_oid::ObjectIdentifier;
use der::asn1::SetOfVec;
use der::{Any, Decode, Encode, SliceReader, Tag, TagNumber};
use time::OffsetDateTime;
use x509_cert::attr::Attribute;

use super::CadesError;
use crate::ltv::{Collector, LtvError, ValidationData, ValidationTransport, certificates_in_cms};

/// id-aa-ets-certValues (RFC 5126 section 6.3.3).
const CERTIFICATE_VALUES: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.23");
/// id-aa-ets-revocationValues (RFC 5126 section 6.3.4).
const REVOCATION_VALUES: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.24");

/// Extends the DER CAdES signature `cms_der` (attached or detached, B-T or B-B) to B-LT: the
/// validation data of its signer's chain and of its time-stamps' chains, fetched through
/// `transport` and checked at `now`, in every SignerInfo's unsigned attributes (replacing
/// earlier `certificate-values`/`revocation-values`). Data that cannot be had is
/// [`CadesError::Ltv`]: no lower level is returned.
pub fn extend_to_lt(
    cms_der: &[u8],
    transport: &dyn ValidationTransport,
    now: OffsetDateTime,
) -> Result<Vec<u8>, CadesError> {
    let certificates = certificates_in_cms(cms_der)?;
    let data = Collector::new(transport, now).collect(&certificates)?;
    add_validation_data(cms_der, &data)
}

/// Writes `data` as `certificate-values` and `revocation-values` in every SignerInfo of the
/// DER `cms_der`.
pub fn add_validation_data(cms_der: &[u8], data: &ValidationData) -> Result<Vec<u8>, CadesError> {
    let bad = |e: der::Error| CadesError::Ltv(LtvError::BadSignature(e.to_string()));
    let info = ContentInfo::from_der(cms_der).map_err(bad)?;
    let mut signed: SignedData = info.content.decode_as().map_err(bad)?;
    let cert_values = certificate_values(data).map_err(bad)?;
    let revocation_values = revocation_values(data)?;
    let mut signers = Vec::new();
    for mut si in signed.signer_infos.0.into_vec() {
        let mut attrs: Vec<Attribute> = si
            .unsigned_attrs
            .take()
            .map(SetOfVec::into_vec)
            .unwrap_or_default()
            .into_iter()
            .filter(|a| a.oid != CERTIFICATE_VALUES && a.oid != REVOCATION_VALUES)
            .collect();
        for (oid, value) in [
            (CERTIFICATE_VALUES, &cert_values),
            (REVOCATION_VALUES, &revocation_values),
        ] {
            attrs.push(Attribute {
                oid,
                values: SetOfVec::try_from(vec![value.clone()]).map_err(bad)?,
            });
        }
        si.unsigned_attrs = Some(SetOfVec::try_from(attrs).map_err(bad)?);
        signers.push(si);
    }
    signed.signer_infos = cms::signed_data::SignerInfos(SetOfVec::try_from(signers).map_err(bad)?);
    let out = ContentInfo {
        content_type: info.content_type,
        content: Any::encode_from(&signed).map_err(bad)?,
    };
    out.to_der().map_err(bad)
}

/// `CertificateValues ::= SEQUENCE OF Certificate`.
fn certificate_values(data: &ValidationData) -> der::Result<Any> {
    let certs: Vec<Any> = data
        .certificates
        .iter()
        .map(|c| Any::from_der(c))
        .collect::<der::Result<_>>()?;
    Any::encode_from(&certs)
}

/// `RevocationValues ::= SEQUENCE { crlVals [0] SEQUENCE OF CertificateList OPTIONAL,
/// ocspVals [1] SEQUENCE OF BasicOCSPResponse OPTIONAL, ... }` (explicit tags, RFC 5126
/// appendix A).
fn revocation_values(data: &ValidationData) -> Result<Any, CadesError> {
    let bad = |e: der::Error| CadesError::Ltv(LtvError::BadSignature(e.to_string()));
    let mut fields = Vec::new();
    if !data.crls.is_empty() {
        let crls: Vec<Any> = data
            .crls
            .iter()
            .map(|c| Any::from_der(c))
            .collect::<der::Result<_>>()
            .map_err(bad)?;
        fields.push(explicit(0, &crls).map_err(bad)?);
    }
    if !data.ocsp_responses.is_empty() {
        let basics: Vec<Any> = data
            .ocsp_responses
            .iter()
            .map(|r| basic_ocsp_response(r).and_then(|b| Any::from_der(&b)))
            .collect::<der::Result<_>>()
            .map_err(bad)?;
        fields.push(explicit(1, &basics).map_err(bad)?);
    }
    Any::encode_from(&fields).map_err(bad)
}

fn explicit(number: u32, items: &Vec<Any>) -> der::Result<Any> {
    Any::new(
        Tag::ContextSpecific {
            constructed: true,
            number: TagNumber(number),
        },
        items.to_der()?,
    )
}

/// The `BasicOCSPResponse` DER inside an `OCSPResponse` (RFC 6960 section 4.2.1):
/// `responseBytes [0] EXPLICIT SEQUENCE { responseType, response OCTET STRING }`.
fn basic_ocsp_response(response: &[u8]) -> der::Result<Vec<u8>> {
    let outer = Any::from_der(response)?;
    let mut r = SliceReader::new(outer.value())?;
    let _status = Any::decode(&mut r)?;
    let tagged = Any::decode(&mut r)?;
    let bytes = Any::from_der(tagged.value())?;
    let mut r = SliceReader::new(bytes.value())?;
    let _kind: ObjectIdentifier = ObjectIdentifier::decode(&mut r)?;
    let octets = der::asn1::OctetString::decode(&mut r)?;
    Ok(octets.as_bytes().to_vec())
}
