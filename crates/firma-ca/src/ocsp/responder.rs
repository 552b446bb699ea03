//! The OCSP responder (RFC 6960 section 2 and 4.2): answers requests with a `BasicOCSPResponse`
//! signed through the HSM, by a delegated responder key or by the issuing CA key itself.

use std::fmt;

use der::asn1::{BitString, OctetString};
use der::{Any, Decode, Encode};
use firma_core::{ActiveKey, KeyStore, KeyStoreError};
use spki::SubjectPublicKeyInfoOwned;
use time::{Duration, OffsetDateTime};
use x509_cert::ext::pkix::ExtendedKeyUsage;

use crate::algorithm::{digest, parse_signature_algorithm, signature_algorithm_id};
use crate::authority::CertificateAuthority;
use crate::crl::generalized_time;
use crate::encode::{key_identifier, whole_seconds};
use crate::error::CaError;
use crate::oid::{ID_KP_OCSP_SIGNING, ID_PKIX_OCSP_BASIC};
use crate::public_key::PublicKey;
use crate::revocation::CertStatusAnswer;

use super::asn1::{
    BasicOcspResponseDer, CertStatusDer, OcspResponseDer, OcspResponseStatus, ResponseBytesDer,
    ResponseDataDer, RevokedInfoDer, SingleResponseDer, cert_status, responder_id_by_key,
};
use super::cert_id::{IssuerHashes, parse_certificate, serial_of, signed_by, validity};
use super::request::parse_ocsp_request;

/// How long an answer is fresh when the responder is not told otherwise: `nextUpdate` is
/// `thisUpdate` plus this (RFC 6960 section 4.2.2.1).
pub const DEFAULT_OCSP_VALIDITY: Duration = Duration::days(1);

/// Longest `nextUpdate - thisUpdate` accepted by [`OcspResponder::with_validity`].
pub const MAX_OCSP_VALIDITY: Duration = Duration::days(7);

/// What signs OCSP responses for one issuing CA: the signing key in the HSM, its certificate
/// when it is a delegated responder, and the issuer's name and key, which the `CertID`s of a
/// request must hash to (RFC 6960 section 4.1.1) for the responder to look a serial up.
///
/// `Send + Sync`; responding blocks on the HSM.
pub struct OcspResponder {
    key: Box<dyn ActiveKey>,
    /// The delegated responder's certificate (RFC 6960 section 4.2.2.2), sent in `certs`.
    certificate: Option<Vec<u8>>,
    /// SHA-1 of the signer's public key: `ResponderID` `byKey`.
    key_hash: Vec<u8>,
    issuer: IssuerHashes,
    signer_not_before: OffsetDateTime,
    signer_not_after: OffsetDateTime,
    validity: Duration,
}

impl fmt::Debug for OcspResponder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OcspResponder")
            .field("delegated", &self.certificate.is_some())
            .field("signer_not_after", &self.signer_not_after)
            .field("validity", &self.validity)
            .finish_non_exhaustive()
    }
}

impl OcspResponder {
    /// A delegated responder (RFC 6960 section 4.2.2.2): `key` signs, `responder_certificate`
    /// (from `CertificateAuthority::issue_ocsp_responder`) certifies it, and answers are about
    /// certificates of `issuer_certificate`.
    ///
    /// Checked here, as a client will check them: the responder certificate is issued by the
    /// issuer (name and signature), carries extendedKeyUsage id-kp-OCSPSigning ("the
    /// responder's certificate MUST be issued directly by the CA that is identified in the
    /// request"; "MUST ... include the value of id-kp-OCSPSigning"), and certifies `key`
    /// (a test signature made with `key` verifies with the certificate's public key).
    pub fn delegated(
        key: Box<dyn ActiveKey>,
        responder_certificate: &[u8],
        issuer_certificate: &[u8],
    ) -> Result<Self, CaError> {
        let issuer = parse_certificate(issuer_certificate, "issuer")?;
        let responder = parse_certificate(responder_certificate, "OCSP responder")?;
        let tbs = responder.tbs_certificate();
        if tbs.issuer() != issuer.tbs_certificate().subject() {
            return Err(CaError::InvalidResponder(
                "the responder certificate was not issued by the issuer whose certificates it \
                 is to answer for (RFC 6960 section 4.2.2.2)"
                    .into(),
            ));
        }
        signed_by(responder_certificate, &issuer).map_err(|e| {
            CaError::InvalidResponder(format!(
                "the responder certificate is not signed by the issuer ({e}): it belongs to \
                 another CA"
            ))
        })?;
        let ocsp_signing = matches!(
            tbs.get_extension::<ExtendedKeyUsage>(),
            Ok(Some((_, eku))) if eku.0.contains(&ID_KP_OCSP_SIGNING)
        );
        if !ocsp_signing {
            return Err(CaError::InvalidResponder(
                "the responder certificate has no extendedKeyUsage id-kp-OCSPSigning (RFC 6960 \
                 section 4.2.2.2)"
                    .into(),
            ));
        }
        let spki = tbs.subject_public_key_info();
        check_key(&*key, spki, "OCSP responder")?;
        let (not_before, not_after) = validity(&responder, "OCSP responder")?;
        Ok(Self {
            key,
            certificate: Some(responder_certificate.to_vec()),
            key_hash: key_identifier(spki),
            issuer: IssuerHashes::from_certificate(&issuer)?,
            signer_not_before: not_before,
            signer_not_after: not_after,
            validity: DEFAULT_OCSP_VALIDITY,
        })
    }

    /// A responder where the CA signs its own answers (RFC 6960 section 4.2.2.2: the key
    /// "used to sign the response MUST belong to ... the CA who issued the certificate in
    /// question"): `key` must be the key of `issuer_certificate`. No certificate is sent.
    pub fn by_issuer(key: Box<dyn ActiveKey>, issuer_certificate: &[u8]) -> Result<Self, CaError> {
        let issuer = parse_certificate(issuer_certificate, "issuer")?;
        let spki = issuer.tbs_certificate().subject_public_key_info();
        check_key(&*key, spki, "issuer")?;
        let (not_before, not_after) = validity(&issuer, "issuer")?;
        Ok(Self {
            key,
            certificate: None,
            key_hash: key_identifier(spki),
            issuer: IssuerHashes::from_certificate(&issuer)?,
            signer_not_before: not_before,
            signer_not_after: not_after,
            validity: DEFAULT_OCSP_VALIDITY,
        })
    }

    /// Sets `nextUpdate - thisUpdate` of the answers (1 minute to [`MAX_OCSP_VALIDITY`]).
    pub fn with_validity(mut self, validity: Duration) -> Result<Self, CaError> {
        if validity < Duration::minutes(1) || validity > MAX_OCSP_VALIDITY {
            return Err(CaError::InvalidResponder(format!(
                "an answer validity of {validity}; it must be 1 minute to {MAX_OCSP_VALIDITY}"
            )));
        }
        self.validity = validity;
        Ok(self)
    }

    /// The delegated responder's certificate, DER; `None` when the CA signs itself.
    pub fn certificate(&self) -> Option<&[u8]> {
        self.certificate.as_deref()
    }

    /// `nextUpdate - thisUpdate` of the answers.
    pub fn validity(&self) -> Duration {
        self.validity
    }
}

impl CertificateAuthority {
    /// An OCSP responder signing with the issuing CA key itself (no delegated responder
    /// certificate): the key is found on `keystore` by its label and activated again, so the
    /// responder owns its handle.
    pub fn issuing_ocsp_responder(
        &self,
        keystore: &dyn KeyStore,
    ) -> Result<OcspResponder, CaError> {
        let label = &self.material.issuing_key_label;
        let found = keystore
            .find_service_key(label)?
            .ok_or_else(|| CaError::KeyMissing {
                label: label.clone(),
            })?;
        let key = keystore.activate(&found.key)?;
        OcspResponder::by_issuer(key, self.issuing_certificate())
    }
}

/// Checks that `key` is the key certified in `spki`: a test signature over a fixed message
/// verifies with it.
fn check_key(
    key: &dyn ActiveKey,
    spki: &SubjectPublicKeyInfoOwned,
    which: &str,
) -> Result<(), CaError> {
    let public = PublicKey::from_spki(spki)?;
    if public.spec() != key.spec() {
        return Err(CaError::InvalidResponder(format!(
            "the signing key is {} but the {which} certificate's key is {}",
            key.spec(),
            public.spec()
        )));
    }
    let algorithm = key.spec().default_algorithm();
    let message = b"firma-ca: OCSP responder key check";
    let signature = key.sign_digest(algorithm, &digest(algorithm.hash(), message))?;
    let scheme = parse_signature_algorithm(&signature_algorithm_id(algorithm)?)?;
    public.verify(scheme, message, &signature).map_err(|_| {
        CaError::InvalidResponder(format!(
            "the signing key is not the key of the {which} certificate"
        ))
    })
}

/// What [`respond_detailed`] did: the DER `OCSPResponse` to send, its status, and why it is
/// not `successful` (for the log; never sent to the client).
#[derive(Debug)]
pub struct OcspReply {
    pub der: Vec<u8>,
    pub status: OcspResponseStatus,
    pub problem: Option<CaError>,
}

/// Answers a DER `OCSPRequest`; the DER `OCSPResponse` to send with content type
/// `application/ocsp-response` (RFC 6960 appendix A.2). See [`respond_detailed`].
pub fn respond(
    request_der: &[u8],
    responder: &OcspResponder,
    status_of: impl Fn(&[u8]) -> CertStatusAnswer,
    now: OffsetDateTime,
) -> Vec<u8> {
    respond_detailed(request_der, responder, status_of, now).der
}

/// Answers a DER `OCSPRequest` (RFC 6960 section 4.2). Never panics and never fails: every
/// problem becomes a status response without `responseBytes` (section 4.2.1).
///
/// - A request [`parse_ocsp_request`] refuses: `malformedRequest`.
/// - A signer certificate not valid at `now`: `internalError`. The HSM unavailable: `tryLater`;
///   any other signing failure: `internalError`.
/// - Otherwise `successful`, a `BasicOCSPResponse` (section 4.2.1) with: `ResponderID`
///   `byKey`, the SHA-1 hash of the signer's key; `producedAt` `now`; one `SingleResponse` per
///   `CertID`, in request order, echoing the `CertID`, with `thisUpdate` `now` and
///   `nextUpdate` `now` plus the responder's validity (section 4.2.2.1). For a `CertID` whose
///   issuer hashes are this issuer's, the status is `status_of(serial)` with the serial as an
///   unsigned big-endian magnitude (`IssuedCertificate::serial`): `good`; `revoked` with
///   `revocationTime` and, if given, `revocationReason` (section 2.2: `certificateHold` for a
///   suspension); or `unknown`. A `CertID` of another issuer, or with a hash algorithm other
///   than SHA-1/256/384/512, is `unknown` (section 2.2: "the request indicates an unrecognized
///   issuer that is not served by this responder"). The request's nonce extension is echoed
///   in `responseExtensions` (section 4.4.1, RFC 9654). The signature is the signer key's
///   default algorithm over the DER `ResponseData`; a delegated responder's certificate is
///   sent in `certs` (section 4.2.2.2).
pub fn respond_detailed(
    request_der: &[u8],
    responder: &OcspResponder,
    status_of: impl Fn(&[u8]) -> CertStatusAnswer,
    now: OffsetDateTime,
) -> OcspReply {
    let request = match parse_ocsp_request(request_der) {
        Ok(r) => r,
        Err(e) => return status_only(OcspResponseStatus::MalformedRequest, e),
    };
    match sign_response(&request, responder, status_of, now) {
        Ok(der) => OcspReply {
            der,
            status: OcspResponseStatus::Successful,
            problem: None,
        },
        Err(e @ CaError::KeyStore(KeyStoreError::Unavailable(_))) => {
            status_only(OcspResponseStatus::TryLater, e)
        }
        Err(e) => status_only(OcspResponseStatus::InternalError, e),
    }
}

fn sign_response(
    request: &super::OcspRequestInfo,
    responder: &OcspResponder,
    status_of: impl Fn(&[u8]) -> CertStatusAnswer,
    now: OffsetDateTime,
) -> Result<Vec<u8>, CaError> {
    let now = whole_seconds(now)?;
    if now < responder.signer_not_before || now > responder.signer_not_after {
        return Err(CaError::InvalidResponder(format!(
            "the signer's certificate is valid from {} to {}, not at {now}: clients would \
             reject the answers",
            responder.signer_not_before, responder.signer_not_after
        )));
    }
    let this_update = generalized_time(now)?;
    let next_update = generalized_time(now + responder.validity)?;
    let mut responses = Vec::with_capacity(request.ids.len());
    for id in &request.ids {
        let answer = if responder.issuer.issued(id) {
            status_of(serial_of(id))
        } else {
            CertStatusAnswer::Unknown
        };
        let status = match answer {
            CertStatusAnswer::Good => CertStatusDer::Good,
            CertStatusAnswer::Unknown => CertStatusDer::Unknown,
            CertStatusAnswer::Revoked { revoked_at, reason } => {
                CertStatusDer::Revoked(RevokedInfoDer {
                    revocation_time: generalized_time(whole_seconds(revoked_at)?)?,
                    revocation_reason: reason.map(|r| r.to_x509()),
                })
            }
        };
        responses.push(SingleResponseDer {
            cert_id: id.clone(),
            cert_status: cert_status(&status)?,
            this_update,
            next_update: Some(next_update),
            single_extensions: None,
        });
    }
    let data = ResponseDataDer {
        version: None,
        responder_id: responder_id_by_key(&responder.key_hash)?,
        produced_at: this_update,
        responses,
        response_extensions: request.nonce_extension.clone().map(|e| vec![e]),
    };
    let data_der = data.to_der()?;
    let algorithm = responder.key.spec().default_algorithm();
    let signature = responder
        .key
        .sign_digest(algorithm, &digest(algorithm.hash(), &data_der))?;
    let certs = match &responder.certificate {
        Some(c) => Some(vec![Any::from_der(c)?]),
        None => None,
    };
    let basic = BasicOcspResponseDer {
        tbs_response_data: data,
        signature_algorithm: signature_algorithm_id(algorithm)?,
        signature: BitString::from_bytes(&signature)?,
        certs,
    };
    let response = OcspResponseDer {
        response_status: OcspResponseStatus::Successful,
        response_bytes: Some(ResponseBytesDer {
            response_type: ID_PKIX_OCSP_BASIC,
            response: OctetString::new(basic.to_der()?)?,
        }),
    };
    Ok(response.to_der()?)
}

/// `OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED }` without `responseBytes`, written
/// directly so that it cannot fail.
fn status_only(status: OcspResponseStatus, problem: CaError) -> OcspReply {
    OcspReply {
        der: vec![0x30, 0x03, 0x0a, 0x01, status as u8],
        status,
        problem: Some(problem),
    }
}
