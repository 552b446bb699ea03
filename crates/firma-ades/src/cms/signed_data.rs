//! Writing `ContentInfo` / `SignedData` (RFC 5652 sections 3 and 5.1) from encoded parts.

use std::borrow::Cow;

use der::Encode;
use der::asn1::ObjectIdentifier;

use super::CmsError;
use super::der_write::{set_of_content, tlv, tlv_len, write_header};
use super::oid::{ID_DATA, ID_SIGNED_DATA};

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const OCTET_STRING: u8 = 0x04;
const CONTEXT_0: u8 = 0xa0;
const CONTEXT_1: u8 = 0xa1;

/// The parts of a `SignedData`, each element already DER (or, for parts copied from an
/// existing file, exactly as they were).
///
/// ```text
/// SignedData ::= SEQUENCE {
///   version CMSVersion,
///   digestAlgorithms DigestAlgorithmIdentifiers,
///   encapContentInfo EncapsulatedContentInfo,
///   certificates [0] IMPLICIT CertificateSet OPTIONAL,
///   crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
///   signerInfos SignerInfos }
/// ```
#[derive(Debug, Default)]
pub(crate) struct SignedDataParts<'a> {
    /// CMSVersion (section 5.1): 1 for id-data content with version-1 SignerInfos, 3 otherwise.
    pub version: u8,
    pub digest_algorithms: Vec<Cow<'a, [u8]>>,
    pub econtent_type: Option<ObjectIdentifier>,
    /// The encapsulated content (attached); `None` for a detached signature.
    pub econtent: Option<&'a [u8]>,
    pub certificates: Vec<Cow<'a, [u8]>>,
    pub crls: Vec<Cow<'a, [u8]>>,
    pub signer_infos: Vec<Cow<'a, [u8]>>,
}

/// The lowest CMSVersion allowed for a fresh SignedData (RFC 5652 section 5.1) with version-1
/// SignerInfos and only X.509 certificates.
pub(crate) fn minimal_version(econtent_type: &ObjectIdentifier) -> u8 {
    if econtent_type == &ID_DATA { 1 } else { 3 }
}

impl SignedDataParts<'_> {
    /// The DER `ContentInfo` holding this SignedData. The content is copied once, into the
    /// output.
    pub fn into_content_info_der(mut self) -> Result<Vec<u8>, CmsError> {
        let econtent_type = self.econtent_type.unwrap_or(ID_DATA).to_der()?;
        let version = tlv(0x02, &[self.version]);
        let digest_algs = tlv(SET, &set_of_content(&mut self.digest_algorithms));
        let certs = if self.certificates.is_empty() {
            Vec::new()
        } else {
            tlv(CONTEXT_0, &set_of_content(&mut self.certificates))
        };
        let crls = if self.crls.is_empty() {
            Vec::new()
        } else {
            tlv(CONTEXT_1, &set_of_content(&mut self.crls))
        };
        let signer_infos = tlv(SET, &set_of_content(&mut self.signer_infos));

        // EncapsulatedContentInfo ::= SEQUENCE { eContentType, eContent [0] EXPLICIT OCTET STRING OPTIONAL }
        let econtent_len = self.econtent.map(|c| tlv_len(tlv_len(c.len())));
        let eci_content_len = econtent_type.len() + econtent_len.unwrap_or(0);
        let sd_content_len = version.len()
            + digest_algs.len()
            + tlv_len(eci_content_len)
            + certs.len()
            + crls.len()
            + signer_infos.len();
        let oid_sd = ID_SIGNED_DATA.to_der()?;
        let explicit_len = tlv_len(sd_content_len);
        let ci_content_len = oid_sd.len() + tlv_len(explicit_len);

        let mut out = Vec::with_capacity(tlv_len(ci_content_len));
        write_header(&mut out, SEQUENCE, ci_content_len);
        out.extend_from_slice(&oid_sd);
        write_header(&mut out, CONTEXT_0, explicit_len);
        write_header(&mut out, SEQUENCE, sd_content_len);
        out.extend_from_slice(&version);
        out.extend_from_slice(&digest_algs);
        write_header(&mut out, SEQUENCE, eci_content_len);
        out.extend_from_slice(&econtent_type);
        if let Some(content) = self.econtent {
            write_header(&mut out, CONTEXT_0, tlv_len(content.len()));
            write_header(&mut out, OCTET_STRING, content.len());
            out.extend_from_slice(content);
        }
        out.extend_from_slice(&certs);
        out.extend_from_slice(&crls);
        out.extend_from_slice(&signer_infos);
        debug_assert_eq!(out.len(), out.capacity());
        Ok(out)
    }
}
