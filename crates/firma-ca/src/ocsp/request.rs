//! OCSP requests (RFC 6960 section 4.1): read by the responder, built by clients such as the
//! future B-LT collector.

use der::asn1::OctetString;
use der::{Decode, Encode};
use x509_cert::ext::Extension;

use crate::encode::hex;
use crate::error::CaError;
use crate::oid::ID_PKIX_OCSP_NONCE;

use super::asn1::{CertIdDer, OcspRequestDer, RequestDer, TbsRequestDer};
use super::cert_id::{CertIdHash, IssuerHashes, parse_certificate, serial_of};

/// Largest OCSP request read. A request for one certificate is about 100 bytes (with a nonce
/// about 130); signed requests with certificates stay well below this.
pub const MAX_OCSP_REQUEST_LEN: usize = 16 * 1024;

/// Most certificates one request may ask about.
pub const MAX_OCSP_REQUEST_CERTS: usize = 32;

/// Longest nonce accepted: RFC 9654 section 2.1 (which updates RFC 6960 section 4.4.1),
/// `Nonce ::= OCTET STRING(SIZE(1..128))`; longer or empty nonces get `malformedRequest`.
pub const MAX_NONCE_LEN: usize = 128;

/// One certificate a request asks about (a `CertID`, RFC 6960 section 4.1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestedCertificate {
    /// The hash algorithm of the issuer hashes; `None` for one this crate does not compute
    /// (the certificate is then `unknown`).
    pub hash: Option<CertIdHash>,
    pub issuer_name_hash: Vec<u8>,
    pub issuer_key_hash: Vec<u8>,
    /// The serial number as an unsigned big-endian magnitude.
    pub serial: Vec<u8>,
}

impl RequestedCertificate {
    /// The serial number in lower-case hexadecimal.
    pub fn serial_hex(&self) -> String {
        hex(&self.serial)
    }
}

/// A request the responder accepted for answering.
#[derive(Debug, Clone)]
pub struct OcspRequestInfo {
    /// The certificates asked about, in request order.
    pub certificates: Vec<RequestedCertificate>,
    /// The nonce (RFC 9654 section 2.1), if the request had one.
    pub nonce: Option<Vec<u8>>,
    pub(crate) ids: Vec<CertIdDer>,
    pub(crate) nonce_extension: Option<Extension>,
}

/// Reads a DER `OCSPRequest` (RFC 6960 section 4.1.1).
///
/// Refused (the responder answers `malformedRequest`, section 4.2.1): more than
/// [`MAX_OCSP_REQUEST_LEN`] bytes, anything that is not exactly one DER `OCSPRequest`, a
/// version other than v1, no `Request` or more than [`MAX_OCSP_REQUEST_CERTS`], a nonce of 0 or
/// more than [`MAX_NONCE_LEN`] octets (RFC 9654 section 2.1), and a critical request or
/// single-request extension other than the nonce (section 4.4: unrecognised extensions are
/// ignored "unless they have the critical flag set and are not understood"). A signature on
/// the request is not checked: this responder does not require signed requests (section
/// 4.1.2).
pub fn parse_ocsp_request(der: &[u8]) -> Result<OcspRequestInfo, CaError> {
    let malformed = |s: String| CaError::OcspRequestMalformed(s);
    if der.len() > MAX_OCSP_REQUEST_LEN {
        return Err(malformed(format!(
            "{} bytes, more than the {MAX_OCSP_REQUEST_LEN} accepted",
            der.len()
        )));
    }
    let request = OcspRequestDer::from_der(der)
        .map_err(|e| malformed(format!("not DER OCSPRequest: {e}")))?;
    let tbs = request.tbs_request;
    if tbs.version.is_some_and(|v| v != 0) {
        return Err(malformed(
            "version is not v1 (RFC 6960 section 4.1.1)".into(),
        ));
    }
    if tbs.request_list.is_empty() {
        return Err(malformed("the request list is empty".into()));
    }
    if tbs.request_list.len() > MAX_OCSP_REQUEST_CERTS {
        return Err(malformed(format!(
            "{} certificates asked about, more than the {MAX_OCSP_REQUEST_CERTS} answered at once",
            tbs.request_list.len()
        )));
    }
    let mut nonce = None;
    let mut nonce_extension = None;
    for ext in tbs.request_extensions.iter().flatten() {
        if ext.extn_id == ID_PKIX_OCSP_NONCE {
            if nonce.is_some() {
                return Err(malformed("two nonce extensions".into()));
            }
            nonce = Some(read_nonce(ext)?);
            nonce_extension = Some(Extension {
                extn_id: ID_PKIX_OCSP_NONCE,
                critical: false,
                extn_value: ext.extn_value.clone(),
            });
        } else if ext.critical {
            return Err(malformed(format!(
                "critical request extension {} is not supported",
                ext.extn_id
            )));
        }
    }
    let mut ids = Vec::with_capacity(tbs.request_list.len());
    let mut certificates = Vec::with_capacity(tbs.request_list.len());
    for request in tbs.request_list {
        if let Some(ext) = request
            .single_request_extensions
            .iter()
            .flatten()
            .find(|e| e.critical)
        {
            return Err(malformed(format!(
                "critical single request extension {} is not supported",
                ext.extn_id
            )));
        }
        let id = request.req_cert;
        certificates.push(RequestedCertificate {
            hash: CertIdHash::from_algorithm(&id.hash_algorithm),
            issuer_name_hash: id.issuer_name_hash.as_bytes().to_vec(),
            issuer_key_hash: id.issuer_key_hash.as_bytes().to_vec(),
            serial: serial_of(&id).to_vec(),
        });
        ids.push(id);
    }
    Ok(OcspRequestInfo {
        certificates,
        nonce,
        ids,
        nonce_extension,
    })
}

/// The nonce of a nonce extension: RFC 9654 section 2.1, the extnValue holds the DER of an
/// OCTET STRING. Requests of clients before RFC 8954 with the bare value are accepted too.
fn read_nonce(ext: &Extension) -> Result<Vec<u8>, CaError> {
    let value = ext.extn_value.as_bytes();
    let nonce = match OctetString::from_der(value) {
        Ok(inner) => inner.as_bytes().to_vec(),
        Err(_) => value.to_vec(),
    };
    if nonce.is_empty() || nonce.len() > MAX_NONCE_LEN {
        return Err(CaError::OcspRequestMalformed(format!(
            "a nonce of {} octets; RFC 9654 section 2.1 allows 1 to {MAX_NONCE_LEN}",
            nonce.len()
        )));
    }
    Ok(nonce)
}

/// The nonce extension for `nonce` (RFC 9654 section 2.1): non-critical, the extnValue the DER
/// of an OCTET STRING.
pub(crate) fn nonce_extension(nonce: &[u8]) -> Result<Extension, CaError> {
    if nonce.is_empty() || nonce.len() > MAX_NONCE_LEN {
        return Err(CaError::InvalidOcspRequest(format!(
            "a nonce of {} octets; RFC 9654 section 2.1 allows 1 to {MAX_NONCE_LEN} (32 \
             recommended)",
            nonce.len()
        )));
    }
    Ok(Extension {
        extn_id: ID_PKIX_OCSP_NONCE,
        critical: false,
        extn_value: OctetString::new(OctetString::new(nonce)?.to_der()?)?,
    })
}

/// Builds a DER `OCSPRequest` (RFC 6960 section 4.1.1) for `cert_der`, issued by
/// `issuer_der`: one `CertID` with SHA-1 issuer hashes (section 4.3: "Clients SHALL use SHA-1
/// as the hashing algorithm for the CertID.issuerNameHash and the CertID.issuerKeyHash
/// values"), unsigned, with a nonce extension if `nonce` is given (1 to 128 octets; RFC 9654
/// asks for 32 random octets).
pub fn build_ocsp_request(
    cert_der: &[u8],
    issuer_der: &[u8],
    nonce: Option<&[u8]>,
) -> Result<Vec<u8>, CaError> {
    build_ocsp_request_with_hash(cert_der, issuer_der, nonce, CertIdHash::Sha1)
}

/// [`build_ocsp_request`] with another `CertID` hash algorithm.
pub fn build_ocsp_request_with_hash(
    cert_der: &[u8],
    issuer_der: &[u8],
    nonce: Option<&[u8]>,
    hash: CertIdHash,
) -> Result<Vec<u8>, CaError> {
    let cert = parse_certificate(cert_der, "subject")?;
    let issuer = parse_certificate(issuer_der, "issuer")?;
    if cert.tbs_certificate().issuer() != issuer.tbs_certificate().subject() {
        return Err(CaError::InvalidCertificate {
            which: "issuer",
            reason: "its subject is not the certificate's issuer name".into(),
        });
    }
    let hashes = IssuerHashes::from_certificate(&issuer)?;
    let serial = der::asn1::Int::new(cert.tbs_certificate().serial_number().as_bytes())?;
    let request_extensions = nonce.map(nonce_extension).transpose()?.map(|e| vec![e]);
    let request = OcspRequestDer {
        tbs_request: TbsRequestDer {
            version: None,
            requestor_name: None,
            request_list: vec![RequestDer {
                req_cert: hashes.cert_id(hash, &serial)?,
                single_request_extensions: None,
            }],
            request_extensions,
        },
        optional_signature: None,
    };
    Ok(request.to_der()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oid::ID_SHA1;
    use der::Any;
    use der::asn1::Int;
    use spki::AlgorithmIdentifierOwned;

    fn request(extensions: Option<Vec<Extension>>, count: usize) -> Vec<u8> {
        let id = CertIdDer {
            hash_algorithm: AlgorithmIdentifierOwned {
                oid: ID_SHA1,
                parameters: None,
            },
            issuer_name_hash: OctetString::new([1u8; 20]).unwrap(),
            issuer_key_hash: OctetString::new([2u8; 20]).unwrap(),
            serial_number: Int::new(&[0x00, 0x90, 0x01]).unwrap(),
        };
        OcspRequestDer {
            tbs_request: TbsRequestDer {
                version: None,
                requestor_name: None,
                request_list: vec![
                    RequestDer {
                        req_cert: id,
                        single_request_extensions: None,
                    };
                    count
                ],
                request_extensions: extensions,
            },
            optional_signature: None,
        }
        .to_der()
        .unwrap()
    }

    fn nonce_of(len: usize) -> Extension {
        Extension {
            extn_id: ID_PKIX_OCSP_NONCE,
            critical: false,
            extn_value: OctetString::new(
                OctetString::new(vec![7u8; len]).unwrap().to_der().unwrap(),
            )
            .unwrap(),
        }
    }

    #[test]
    fn reads_cert_ids_and_nonces_within_bounds() {
        let info = parse_ocsp_request(&request(Some(vec![nonce_of(128)]), 2)).unwrap();
        assert_eq!(info.certificates.len(), 2);
        let c = &info.certificates[0];
        // Parameters absent are as good as NULL; the sign octet is not part of the serial.
        assert_eq!(c.hash, Some(CertIdHash::Sha1));
        assert_eq!(c.serial, [0x90, 0x01]);
        assert_eq!(c.serial_hex(), "9001");
        assert_eq!(info.nonce, Some(vec![7; 128]));
        // A bare (pre-RFC 8954) nonce value is read too.
        let mut bare = nonce_of(1);
        bare.extn_value = OctetString::new(vec![9u8; 16]).unwrap();
        let info = parse_ocsp_request(&request(Some(vec![bare]), 1)).unwrap();
        assert_eq!(info.nonce, Some(vec![9; 16]));
    }

    #[test]
    fn mangled_requests_never_panic() {
        let good = request(Some(vec![nonce_of(32)]), 2);
        for len in 0..good.len() {
            assert!(
                parse_ocsp_request(&good[..len]).is_err(),
                "truncated at {len}"
            );
        }
        for at in 0..good.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut bad = good.clone();
                bad[at] ^= flip;
                // Either refused or read; never a panic.
                let _ = parse_ocsp_request(&bad);
            }
        }
    }

    #[test]
    fn refuses_what_rfc_6960_and_9654_refuse() {
        let malformed = |der: &[u8], needle: &str| match parse_ocsp_request(der) {
            Err(CaError::OcspRequestMalformed(m)) => assert!(m.contains(needle), "{m}"),
            other => panic!("expected malformed ({needle}), got {other:?}"),
        };
        malformed(&request(Some(vec![nonce_of(0)]), 1), "nonce of 0 octets");
        malformed(
            &request(Some(vec![nonce_of(129)]), 1),
            "nonce of 129 octets",
        );
        malformed(
            &request(Some(vec![nonce_of(16), nonce_of(16)]), 1),
            "two nonce",
        );
        let critical = Extension {
            extn_id: crate::oid::ID_CE_CRL_NUMBER,
            critical: true,
            extn_value: OctetString::new(Any::null().to_der().unwrap()).unwrap(),
        };
        malformed(&request(Some(vec![critical.clone()]), 1), "critical");
        // The same extension non-critical is ignored.
        let ignored = Extension {
            critical: false,
            ..critical
        };
        assert!(parse_ocsp_request(&request(Some(vec![ignored]), 1)).is_ok());
        malformed(&request(None, 0), "empty");
        malformed(&request(None, MAX_OCSP_REQUEST_CERTS + 1), "more than");
        assert!(parse_ocsp_request(&request(None, MAX_OCSP_REQUEST_CERTS)).is_ok());
        // Nonces this crate would not send are refused when building.
        assert!(nonce_extension(&[]).is_err());
        assert!(nonce_extension(&[0; MAX_NONCE_LEN + 1]).is_err());
    }
}
