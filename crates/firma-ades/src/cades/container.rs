//! The parts of an existing CMS SignedData file (RFC 5652 sections 3 and 5.1), read with the
//! BER reader so that elements made by other tools are kept exactly as they are.

use std::borrow::Cow;

use der::Decode;
use der::asn1::ObjectIdentifier;

use super::CadesError;
use super::ber::{Reader, Tlv, octet_string_value};
use crate::cms::oid::ID_SIGNED_DATA;

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const INTEGER: u8 = 0x02;
const OID: u8 = 0x06;
const CONTEXT_0: u8 = 0xa0;
const CONTEXT_1: u8 = 0xa1;

/// A SignedData, element by element.
#[derive(Debug, Clone)]
pub(crate) struct SignedDataView<'a> {
    pub version: u8,
    pub digest_algorithms: Vec<&'a [u8]>,
    pub econtent_type: ObjectIdentifier,
    /// The encapsulated content, joined if it was sent in segments.
    pub econtent: Option<Cow<'a, [u8]>>,
    pub certificates: Vec<&'a [u8]>,
    pub crls: Vec<&'a [u8]>,
    pub signer_infos: Vec<&'a [u8]>,
}

fn oid_of(tlv: &Tlv<'_>) -> Result<ObjectIdentifier, CadesError> {
    ObjectIdentifier::from_der(tlv.raw).map_err(|_| CadesError::Malformed {
        offset: tlv.content_offset,
        reason: "invalid OBJECT IDENTIFIER",
    })
}

fn raws<'a>(reader: &Reader<'a>, tlv: &Tlv<'a>) -> Result<Vec<&'a [u8]>, CadesError> {
    Ok(reader
        .inside(tlv)?
        .all()?
        .into_iter()
        .map(|t| t.raw)
        .collect())
}

/// Splits a CMS file (BER or DER) into the parts of its SignedData.
pub(crate) fn parse_signed_data(input: &[u8]) -> Result<SignedDataView<'_>, CadesError> {
    let mut top = Reader::new(input);
    let ci = top.expect(SEQUENCE, "ContentInfo SEQUENCE")?;
    if !top.is_empty() {
        return Err(CadesError::TrailingData(top.remaining()));
    }
    // ContentInfo ::= SEQUENCE { contentType, content [0] EXPLICIT ANY }
    let mut r = top.inside(&ci)?;
    let ct = oid_of(&r.expect(OID, "contentType")?)?;
    if ct != ID_SIGNED_DATA {
        return Err(CadesError::NotSignedData(ct.to_string()));
    }
    let explicit = r.expect(CONTEXT_0, "[0] content")?;
    if !r.is_empty() {
        return Err(CadesError::Structure {
            expected: "the end of ContentInfo",
            offset: r.position(),
        });
    }
    let mut e = r.inside(&explicit)?;
    let sd = e.expect(SEQUENCE, "SignedData SEQUENCE")?;
    if !e.is_empty() {
        return Err(CadesError::Structure {
            expected: "a single SignedData in [0]",
            offset: e.position(),
        });
    }
    let mut s = e.inside(&sd)?;

    let version_tlv = s.expect(INTEGER, "CMSVersion")?;
    let version = match version_tlv.content {
        [v] if *v <= 5 => *v,
        _ => {
            return Err(CadesError::Malformed {
                offset: version_tlv.content_offset,
                reason: "CMSVersion is not 0 to 5",
            });
        }
    };
    let da = s.expect(SET, "digestAlgorithms SET")?;
    let digest_algorithms = raws(&s, &da)?;

    // EncapsulatedContentInfo ::= SEQUENCE { eContentType, eContent [0] EXPLICIT OCTET STRING OPTIONAL }
    let eci = s.expect(SEQUENCE, "encapContentInfo SEQUENCE")?;
    let mut er = s.inside(&eci)?;
    let econtent_type = oid_of(&er.expect(OID, "eContentType")?)?;
    let econtent = if er.is_empty() {
        None
    } else {
        let wrapper = er.expect(CONTEXT_0, "[0] eContent")?;
        let mut w = er.inside(&wrapper)?;
        let os = w.read()?;
        if !w.is_empty() {
            return Err(CadesError::Structure {
                expected: "a single OCTET STRING in eContent",
                offset: w.position(),
            });
        }
        if os.tag == 0x04 {
            Some(Cow::Borrowed(os.content))
        } else {
            let mut joined = Vec::with_capacity(os.content.len());
            octet_string_value(&w, &os, &mut joined)?;
            Some(Cow::Owned(joined))
        }
    };
    if !er.is_empty() {
        return Err(CadesError::Structure {
            expected: "the end of encapContentInfo",
            offset: er.position(),
        });
    }

    let mut certificates = Vec::new();
    if s.peek_tag() == Some(CONTEXT_0) {
        let c = s.read()?;
        certificates = raws(&s, &c)?;
    }
    let mut crls = Vec::new();
    if s.peek_tag() == Some(CONTEXT_1) {
        let c = s.read()?;
        crls = raws(&s, &c)?;
    }
    let si = s.expect(SET, "signerInfos SET")?;
    let signer_infos = raws(&s, &si)?;
    for (index, raw) in signer_infos.iter().enumerate() {
        if raw.first() != Some(&SEQUENCE) {
            return Err(CadesError::ExistingSignatureInvalid {
                index,
                reason: "a SignerInfo is not a SEQUENCE".into(),
            });
        }
    }
    if !s.is_empty() {
        return Err(CadesError::Structure {
            expected: "the end of SignedData",
            offset: s.position(),
        });
    }
    Ok(SignedDataView {
        version,
        digest_algorithms,
        econtent_type,
        econtent,
        certificates,
        crls,
        signer_infos,
    })
}
