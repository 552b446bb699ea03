//! Checking an OCSP response the way a relying party does (RFC 6960 section 3.2), for the
//! B-LT collector that embeds responses as validation data.

use der::asn1::OctetString;
use der::{Decode, Encode, Reader, SliceReader};
use time::{Duration, OffsetDateTime};
use x509_cert::Certificate;
use x509_cert::ext::pkix::ExtendedKeyUsage;

use crate::algorithm::parse_signature_algorithm;
use crate::crl::from_generalized_time;
use crate::encode::{hex, key_identifier};
use crate::error::CaError;
use crate::oid::{ID_KP_OCSP_SIGNING, ID_PKIX_OCSP_BASIC, ID_PKIX_OCSP_NONCE};
use crate::public_key::PublicKey;
use crate::revocation::{CertStatusAnswer, RevocationReason, serial_magnitude};

use super::asn1::{
    BasicOcspResponseDer, CertStatusDer, OcspResponseDer, OcspResponseStatus, ResponderIdRef,
    read_cert_status, read_responder_id,
};
use super::cert_id::{IssuerHashes, parse_certificate, serial_of, signed_by, validity};

/// Largest OCSP response read.
pub const MAX_OCSP_RESPONSE_LEN: usize = 64 * 1024;

/// Clock difference tolerated between the responder and the checker for `thisUpdate` and
/// `nextUpdate`.
pub const OCSP_CLOCK_SKEW: Duration = Duration::minutes(5);

/// An OCSP response that passed [`verify_ocsp_response`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedOcspResponse {
    /// The certificate's status.
    pub status: CertStatusAnswer,
    pub produced_at: OffsetDateTime,
    pub this_update: OffsetDateTime,
    pub next_update: Option<OffsetDateTime>,
    /// The nonce of the response, if any.
    pub nonce: Option<Vec<u8>>,
    /// The delegated responder's certificate that signed, DER; `None` when the issuer signed.
    /// Validation data for B-LT includes it.
    pub responder_certificate: Option<Vec<u8>>,
}

/// The status of `cert_der` (issued by `issuer_der`) according to the DER `OCSPResponse`
/// `resp_der`, after the checks of [`verify_ocsp_response`] (without a nonce).
pub fn check_ocsp_response(
    resp_der: &[u8],
    cert_der: &[u8],
    issuer_der: &[u8],
    now: OffsetDateTime,
) -> Result<CertStatusAnswer, CaError> {
    verify_ocsp_response(resp_der, cert_der, issuer_der, now, None).map(|v| v.status)
}

/// Checks a DER `OCSPResponse` about `cert_der`, issued by `issuer_der`, at `now`, as RFC 6960
/// section 3.2 asks of a client:
///
/// 1. `responseStatus` `successful` (else [`CaError::OcspResponderError`]) with a
///    `BasicOCSPResponse` (section 4.2.1);
/// 2. the signer, found by its `ResponderID`, is the issuer itself or a delegated responder
///    whose certificate is in `certs`, issued and signed by the issuer, with extendedKeyUsage
///    id-kp-OCSPSigning, valid at `now` (section 4.2.2.2; a locally configured responder is
///    not supported);
/// 3. the signature over the DER `ResponseData` verifies with the signer's key (section 3.2
///    items 2 and 3);
/// 4. a `SingleResponse` has the certificate's `CertID` (any of SHA-1/256/384/512; section 3.2
///    item 1);
/// 5. its `thisUpdate` is not later than `now` and its `nextUpdate`, if present, not earlier,
///    both with [`OCSP_CLOCK_SKEW`] (section 3.2 items 4 and 5);
/// 6. if `expected_nonce` is given, the response echoes it (section 4.4.1).
pub fn verify_ocsp_response(
    resp_der: &[u8],
    cert_der: &[u8],
    issuer_der: &[u8],
    now: OffsetDateTime,
    expected_nonce: Option<&[u8]>,
) -> Result<VerifiedOcspResponse, CaError> {
    let invalid = |s: String| CaError::OcspResponseInvalid(s);
    if resp_der.len() > MAX_OCSP_RESPONSE_LEN {
        return Err(invalid(format!(
            "{} bytes, more than the {MAX_OCSP_RESPONSE_LEN} accepted",
            resp_der.len()
        )));
    }
    let cert = parse_certificate(cert_der, "subject")?;
    let issuer = parse_certificate(issuer_der, "issuer")?;
    if cert.tbs_certificate().issuer() != issuer.tbs_certificate().subject() {
        return Err(CaError::InvalidCertificate {
            which: "issuer",
            reason: "its subject is not the certificate's issuer name".into(),
        });
    }
    let response = OcspResponseDer::from_der(resp_der)
        .map_err(|e| invalid(format!("not a DER OCSPResponse: {e}")))?;
    if response.response_status != OcspResponseStatus::Successful {
        return Err(CaError::OcspResponderError(response.response_status));
    }
    let bytes = response
        .response_bytes
        .ok_or_else(|| invalid("a successful response without responseBytes".into()))?;
    if bytes.response_type != ID_PKIX_OCSP_BASIC {
        return Err(invalid(format!(
            "response type {} is not id-pkix-ocsp-basic",
            bytes.response_type
        )));
    }
    let basic_der = bytes.response.as_bytes();
    let basic = BasicOcspResponseDer::from_der(basic_der)
        .map_err(|e| invalid(format!("not a DER BasicOCSPResponse: {e}")))?;
    let signed = response_data_bytes(basic_der)
        .map_err(|e| invalid(format!("not a DER BasicOCSPResponse: {e}")))?;

    // The signer (RFC 6960 section 4.2.2.2).
    let issuer_tbs = issuer.tbs_certificate();
    let issuer_spki = issuer_tbs.subject_public_key_info();
    let issuer_name = issuer_tbs.subject().to_der()?;
    let responder_id = read_responder_id(&basic.tbs_response_data.responder_id)
        .map_err(|e| invalid(format!("responderID: {e}")))?;
    let names_issuer = match &responder_id {
        ResponderIdRef::ByKey(hash) => *hash == key_identifier(issuer_spki),
        ResponderIdRef::ByName(name) => *name == issuer_name,
    };
    let (signer_spki, responder_certificate) = if names_issuer {
        (issuer_spki.clone(), None)
    } else {
        let (responder, der) = find_responder(basic.certs.as_deref(), &responder_id)?;
        authorise_delegate(&responder, &der, &issuer, now)?;
        let spki = responder
            .tbs_certificate()
            .subject_public_key_info()
            .clone();
        (spki, Some(der))
    };

    // The signature (section 3.2 items 2 and 3).
    let scheme = parse_signature_algorithm(&basic.signature_algorithm)?;
    let signature = basic
        .signature
        .as_bytes()
        .ok_or_else(|| invalid("the signature BIT STRING has unused bits".into()))?;
    PublicKey::from_spki(&signer_spki)?
        .verify(scheme, signed, signature)
        .map_err(|e| invalid(format!("the responder's signature: {e}")))?;

    // The answer about this certificate (section 3.2 item 1).
    let hashes = IssuerHashes::from_certificate(&issuer)?;
    let serial = serial_magnitude(cert.tbs_certificate().serial_number().as_bytes());
    let data = &basic.tbs_response_data;
    let single = data
        .responses
        .iter()
        .find(|r| hashes.issued(&r.cert_id) && serial_of(&r.cert_id) == serial)
        .ok_or_else(|| {
            invalid(format!(
                "no answer for serial number {} of this issuer among the {} in the response",
                hex(serial),
                data.responses.len()
            ))
        })?;
    let time =
        |t| from_generalized_time(t).ok_or_else(|| invalid("a time beyond year 9999".into()));
    let this_update = time(single.this_update)?;
    let next_update = single.next_update.map(time).transpose()?;
    let produced_at = time(data.produced_at)?;
    if this_update > now + OCSP_CLOCK_SKEW {
        return Err(invalid(format!(
            "thisUpdate {this_update} is later than {now} (RFC 6960 section 3.2 item 4)"
        )));
    }
    if let Some(next) = next_update
        && next < now - OCSP_CLOCK_SKEW
    {
        return Err(invalid(format!(
            "nextUpdate {next} is earlier than {now}: the answer is stale (RFC 6960 section 3.2 \
             item 5)"
        )));
    }
    let status = match read_cert_status(&single.cert_status)
        .map_err(|e| invalid(format!("certStatus: {e}")))?
    {
        CertStatusDer::Good => CertStatusAnswer::Good,
        CertStatusDer::Unknown => CertStatusAnswer::Unknown,
        CertStatusDer::Revoked(info) => CertStatusAnswer::Revoked {
            revoked_at: time(info.revocation_time)?,
            reason: match info.revocation_reason {
                None => None,
                Some(r) => Some(RevocationReason::from_x509(r).ok_or_else(|| {
                    invalid(format!(
                        "revocation reason {r:?} is not a CRLReason of RFC 5280"
                    ))
                })?),
            },
        },
    };

    let nonce = response_nonce(data.response_extensions.as_deref())?;
    if let Some(expected) = expected_nonce
        && nonce.as_deref() != Some(expected)
    {
        return Err(invalid(match &nonce {
            None => "the request's nonce is not echoed (RFC 6960 section 4.4.1)".into(),
            Some(n) => format!(
                "the nonce {} is not the request's {}: a replayed or misdirected response",
                hex(n),
                hex(expected)
            ),
        }));
    }
    Ok(VerifiedOcspResponse {
        status,
        produced_at,
        this_update,
        next_update,
        nonce,
        responder_certificate,
    })
}

/// The exact DER bytes of `tbsResponseData` in a `BasicOCSPResponse`: what was signed.
fn response_data_bytes(basic_der: &[u8]) -> der::Result<&[u8]> {
    let mut reader = SliceReader::new(basic_der)?;
    let tbs = reader.sequence(|r| {
        let tbs = r.tlv_bytes()?;
        // The rest (algorithm, signature, certs) was read by the typed decoder.
        while !r.is_finished() {
            r.tlv_bytes()?;
        }
        Ok::<_, der::Error>(tbs)
    })?;
    reader.finish()?;
    Ok(tbs)
}

/// The certificate in `certs` that the `ResponderID` names.
fn find_responder(
    certs: Option<&[der::Any]>,
    id: &ResponderIdRef,
) -> Result<(Certificate, Vec<u8>), CaError> {
    for any in certs.unwrap_or_default() {
        let der = any.to_der()?;
        let Ok(cert) = Certificate::from_der(&der) else {
            continue;
        };
        let tbs = cert.tbs_certificate();
        let matches = match id {
            ResponderIdRef::ByKey(hash) => *hash == key_identifier(tbs.subject_public_key_info()),
            ResponderIdRef::ByName(name) => *name == tbs.subject().to_der()?,
        };
        if matches {
            return Ok((cert, der));
        }
    }
    Err(CaError::OcspResponseInvalid(
        "signed neither by the issuer nor by a responder whose certificate is in the response \
         (RFC 6960 section 4.2.2.2)"
            .into(),
    ))
}

/// RFC 6960 section 4.2.2.2: a delegated responder's certificate is issued directly by the CA
/// that issued the certificate in question and has id-kp-OCSPSigning; it is checked at `now`.
fn authorise_delegate(
    responder: &Certificate,
    der: &[u8],
    issuer: &Certificate,
    now: OffsetDateTime,
) -> Result<(), CaError> {
    let invalid = |s: String| CaError::OcspResponseInvalid(s);
    let tbs = responder.tbs_certificate();
    if tbs.issuer() != issuer.tbs_certificate().subject() {
        return Err(invalid(
            "the responder's certificate was not issued by the certificate's issuer (RFC 6960 \
             section 4.2.2.2)"
                .into(),
        ));
    }
    signed_by(der, issuer).map_err(|e| {
        invalid(format!(
            "the responder's certificate is not signed by the issuer ({e}): a responder of \
             another CA is not authorised (RFC 6960 section 4.2.2.2)"
        ))
    })?;
    let ocsp_signing = matches!(
        tbs.get_extension::<ExtendedKeyUsage>(),
        Ok(Some((_, eku))) if eku.0.contains(&ID_KP_OCSP_SIGNING)
    );
    if !ocsp_signing {
        return Err(invalid(
            "the responder's certificate lacks extendedKeyUsage id-kp-OCSPSigning: it is not \
             authorised to answer for the issuer (RFC 6960 section 4.2.2.2)"
                .into(),
        ));
    }
    let (not_before, not_after) = validity(responder, "OCSP responder")?;
    if now < not_before || now > not_after {
        return Err(invalid(format!(
            "the responder's certificate is valid from {not_before} to {not_after}, not at {now}"
        )));
    }
    Ok(())
}

/// The nonce in `responseExtensions` (RFC 9654 section 2.1: an OCTET STRING in extnValue;
/// the bare value of older responders is read too).
fn response_nonce(
    extensions: Option<&[x509_cert::ext::Extension]>,
) -> Result<Option<Vec<u8>>, CaError> {
    let Some(ext) = extensions
        .unwrap_or_default()
        .iter()
        .find(|e| e.extn_id == ID_PKIX_OCSP_NONCE)
    else {
        return Ok(None);
    };
    let value = ext.extn_value.as_bytes();
    Ok(Some(match OctetString::from_der(value) {
        Ok(inner) => inner.as_bytes().to_vec(),
        Err(_) => value.to_vec(),
    }))
}
