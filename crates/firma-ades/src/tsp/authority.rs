//! A time-stamping authority (RFC 3161 section 2.4.2) for tests and the simulator: answers a
//! DER `TimeStampReq` with a DER `TimeStampResp` signed through the key port, so the TSA key can
//! live in the HSM. Pure: time, key, certificates and serial numbers are parameters.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use firma_core::{ActiveKey, Clock, SignatureAlgorithm};
use time::OffsetDateTime;

use super::asn1::{
    Accuracy, FailureInfo, GenTime, PkiStatusInfo, TimeStampReq, TimeStampResp, TstInfo, status,
};
use super::client::{TimestampTransport, positive_int};
use super::error::TransportError;
use super::token::check_tsa_certificate;
use crate::cms::oid::ID_CT_TST_INFO;
use crate::cms::signed_data::{SignedDataParts, minimal_version};
use crate::cms::signer::make_signer_info;
use crate::cms::{CmsOptions, SignerChain, digest_algorithm_id, hash_from_oid};

/// Where TSTInfo serial numbers come from (RFC 3161 section 2.4.2: "unique for each
/// TimeStampToken issued by a given TSA").
pub trait SerialSource: Send + Sync {
    /// A serial number never returned before by this source (at most 160 bits are allowed;
    /// 128 are used).
    fn next_serial(&self) -> u128;
}

/// Serial numbers from a counter, for tests. Production sources must survive restarts (a
/// database sequence) or be random.
#[derive(Debug, Default)]
pub struct CounterSerial(AtomicU64);

impl CounterSerial {
    /// The first serial returned is `start + 1`.
    pub fn starting_at(start: u64) -> Self {
        Self(AtomicU64::new(start))
    }
}

impl SerialSource for CounterSerial {
    fn next_serial(&self) -> u128 {
        u128::from(self.0.fetch_add(1, Ordering::Relaxed) + 1)
    }
}

/// How the authority stamps.
#[derive(Clone, Debug)]
pub struct AuthorityConfig {
    /// The TSA policy (`TSTInfo.policy`); requests naming another policy are refused.
    pub policy: ObjectIdentifier,
    /// The accuracy stated in tokens (`TSTInfo.accuracy`).
    pub accuracy: Option<Accuracy>,
    /// The signature algorithm used with the TSA key.
    pub algorithm: SignatureAlgorithm,
}

impl AuthorityConfig {
    /// A configuration with an accuracy of one second.
    pub fn new(policy: ObjectIdentifier, algorithm: SignatureAlgorithm) -> Self {
        Self {
            policy,
            accuracy: Some(Accuracy {
                seconds: Some(1),
                millis: None,
                micros: None,
            }),
            algorithm,
        }
    }
}

/// A request the authority refuses, with the `PKIFailureInfo` it answers.
#[derive(Debug)]
struct Refusal(FailureInfo, String);

/// Answers one time-stamp request at time `now`: a granted `TimeStampResp` with a token
/// (TSTInfo with the configured policy and accuracy, the request's imprint and nonce echoed,
/// whole-second genTime, a fresh serial; SignedData with content-type, message-digest and ESS
/// signing-certificate-v2 signed attributes; the TSA certificate chain when `certReq` is true),
/// or a rejection with the matching `PKIFailureInfo` for a bad request. Never panics on input.
pub fn respond(
    request_der: &[u8],
    key: &dyn ActiveKey,
    chain: &SignerChain,
    serials: &dyn SerialSource,
    now: OffsetDateTime,
    config: &AuthorityConfig,
) -> Vec<u8> {
    match grant(request_der, key, chain, serials, now, config) {
        Ok(resp) => resp,
        Err(Refusal(info, text)) => rejection(info, &text),
    }
}

/// A `TimeStampResp` with status rejection.
pub fn rejection(info: FailureInfo, text: &str) -> Vec<u8> {
    let resp = TimeStampResp {
        status: PkiStatusInfo {
            status: status::REJECTION,
            status_string: Some(vec![text.to_owned()]),
            fail_info: info.to_bit_string().ok(),
        },
        time_stamp_token: None,
    };
    // Encoding a status and a short text cannot fail; fall back to a bare rejection.
    resp.to_der()
        .unwrap_or_else(|_| vec![0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x02])
}

fn grant(
    request_der: &[u8],
    key: &dyn ActiveKey,
    chain: &SignerChain,
    serials: &dyn SerialSource,
    now: OffsetDateTime,
    config: &AuthorityConfig,
) -> Result<Vec<u8>, Refusal> {
    let req = TimeStampReq::from_der(request_der).map_err(|e| {
        Refusal(
            FailureInfo::BadDataFormat,
            format!("not a DER TimeStampReq: {e}"),
        )
    })?;
    if req.version != 1 {
        return Err(Refusal(
            FailureInfo::BadRequest,
            format!("version {}", req.version),
        ));
    }
    let hash = hash_from_oid(&req.message_imprint.hash_algorithm.oid)
        .map_err(|_| Refusal(FailureInfo::BadAlg, "unsupported hash algorithm".into()))?;
    if req.message_imprint.hashed_message.as_bytes().len() != hash.output_len() {
        return Err(Refusal(
            FailureInfo::BadDataFormat,
            "the hashed message does not have the length of its algorithm".into(),
        ));
    }
    if req.req_policy.is_some_and(|p| p != config.policy) {
        return Err(Refusal(
            FailureInfo::UnacceptedPolicy,
            "unknown policy".into(),
        ));
    }
    if req.extensions.as_ref().is_some_and(|e| !e.is_empty()) {
        return Err(Refusal(
            FailureInfo::UnacceptedExtension,
            "no extensions supported".into(),
        ));
    }
    let whole_second = now
        .replace_nanosecond(0)
        .map_err(|_| Refusal(FailureInfo::TimeNotAvailable, "bad time".into()))?;
    check_tsa_certificate(chain.signer(), whole_second)
        .map_err(|e| Refusal(FailureInfo::TimeNotAvailable, e.to_string()))?;
    let system = |e: &dyn fmt::Display| Refusal(FailureInfo::SystemFailure, e.to_string());

    let serial = positive_int(&serials.next_serial().to_be_bytes()).map_err(|e| system(&e))?;
    let info = TstInfo {
        version: 1,
        policy: config.policy,
        message_imprint: req.message_imprint.clone(),
        serial_number: serial,
        gen_time: GenTime(whole_second),
        accuracy: config.accuracy,
        ordering: false,
        nonce: req.nonce.clone(),
        tsa: None,
        extensions: None,
    };
    let info_der = info.to_der().map_err(|e| system(&e))?;
    let algorithm = config.algorithm;
    let tst_digest = crate::cms::digest(algorithm.hash(), &info_der);
    let signer_info = make_signer_info(
        key,
        algorithm,
        chain,
        ID_CT_TST_INFO,
        &tst_digest,
        &CmsOptions::default(),
    )
    .map_err(|e| system(&e))?;
    let token = SignedDataParts {
        version: minimal_version(&ID_CT_TST_INFO),
        digest_algorithms: vec![Cow::Owned(
            digest_algorithm_id(algorithm.hash())
                .to_der()
                .map_err(|e| system(&e))?,
        )],
        econtent_type: Some(ID_CT_TST_INFO),
        econtent: Some(&info_der),
        certificates: if req.cert_req {
            chain.certificates_der().map(Cow::Borrowed).collect()
        } else {
            Vec::new()
        },
        crls: Vec::new(),
        signer_infos: vec![Cow::Owned(signer_info.to_der().map_err(|e| system(&e))?)],
    }
    .into_content_info_der()
    .map_err(|e| system(&e))?;
    let resp = TimeStampResp {
        status: PkiStatusInfo {
            status: status::GRANTED,
            status_string: None,
            fail_info: None,
        },
        time_stamp_token: Some(der::Any::from_der(&token).map_err(|e| system(&e))?),
    };
    resp.to_der().map_err(|e| system(&e))
}

/// A time-stamping authority that answers through [`TimestampTransport`], reading the time from
/// a [`Clock`]: what the simulator and the tests plug into a [`super::TsaClient`].
pub struct TimestampAuthority {
    key: Arc<dyn ActiveKey>,
    chain: SignerChain,
    serials: Arc<dyn SerialSource>,
    clock: Arc<dyn Clock>,
    config: AuthorityConfig,
}

impl fmt::Debug for TimestampAuthority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimestampAuthority")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl TimestampAuthority {
    pub fn new(
        key: Arc<dyn ActiveKey>,
        chain: SignerChain,
        serials: Arc<dyn SerialSource>,
        clock: Arc<dyn Clock>,
        config: AuthorityConfig,
    ) -> Self {
        Self {
            key,
            chain,
            serials,
            clock,
            config,
        }
    }

    /// Answers one request now.
    pub fn respond(&self, request_der: &[u8]) -> Vec<u8> {
        respond(
            request_der,
            self.key.as_ref(),
            &self.chain,
            self.serials.as_ref(),
            self.clock.now(),
            &self.config,
        )
    }
}

impl TimestampTransport for TimestampAuthority {
    fn exchange(&self, request_der: &[u8]) -> Result<Vec<u8>, TransportError> {
        Ok(self.respond(request_der))
    }
}
