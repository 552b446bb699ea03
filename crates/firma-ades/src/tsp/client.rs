//! The RFC 3161 client: build a `TimeStampReq` (section 2.4.1), hand it to a transport, check
//! the `TimeStampResp` (section 2.4.2). No I/O here: the transport is the caller's (RFC 3161
//! section 3.4 HTTP in the server).

use std::fmt;
use std::sync::Arc;

use der::asn1::{Int, ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use firma_core::HashAlgorithm;

use super::TspError;
use super::asn1::{FailureInfo, MessageImprint, TimeStampReq, TimeStampResp, status};
use super::error::TransportError;
use super::token::{TimestampToken, token_der_of, verify_token};
use crate::cms::{digest, digest_algorithm_id};

/// Carries a DER `TimeStampReq` to a TSA and brings back its DER `TimeStampResp`; with HTTP,
/// a POST of `application/timestamp-query` answered by `application/timestamp-reply` (RFC 3161
/// section 3.4).
pub trait TimestampTransport: Send + Sync {
    fn exchange(&self, request_der: &[u8]) -> Result<Vec<u8>, TransportError>;
}

/// A request ready to send, and what its response must match.
#[derive(Clone, Debug)]
pub struct PreparedRequest {
    request: TimeStampReq,
    der: Vec<u8>,
}

impl PreparedRequest {
    /// A request for `hashed_message` (the hash under `hash` of what is to be stamped) with the
    /// given `nonce` (big-endian unsigned), asking for the TSA certificate in the token.
    pub fn new(
        hash: HashAlgorithm,
        hashed_message: &[u8],
        nonce: &[u8],
        policy: Option<ObjectIdentifier>,
    ) -> Result<Self, TspError> {
        let enc = |e: der::Error| TspError::MalformedToken(format!("request encoding: {e}"));
        if hashed_message.len() != hash.output_len() {
            return Err(TspError::MalformedToken(format!(
                "the hashed message is {} bytes, {} expected",
                hashed_message.len(),
                hash.output_len()
            )));
        }
        let request = TimeStampReq {
            version: 1,
            message_imprint: MessageImprint {
                hash_algorithm: digest_algorithm_id(hash),
                hashed_message: OctetString::new(hashed_message).map_err(enc)?,
            },
            req_policy: policy,
            nonce: Some(positive_int(nonce).map_err(enc)?),
            cert_req: true,
            extensions: None,
        };
        let der = request.to_der().map_err(enc)?;
        Ok(Self { request, der })
    }

    /// The DER `TimeStampReq`.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// Checks a DER `TimeStampResp` against this request: status granted, the token's TSA
    /// signature and certificate (see [`verify_token`]), the imprint, the nonce and the policy.
    pub fn check_response(&self, response_der: &[u8]) -> Result<TimestampToken, TspError> {
        let resp = TimeStampResp::from_der(response_der)
            .map_err(|e| TspError::MalformedResponse(e.to_string()))?;
        let st = &resp.status;
        if st.status != status::GRANTED && st.status != status::GRANTED_WITH_MODS {
            return Err(TspError::Rejected {
                status: st.status,
                failures: st
                    .fail_info
                    .as_ref()
                    .map(FailureInfo::from_bit_string)
                    .unwrap_or_default(),
                text: st
                    .status_string
                    .as_ref()
                    .map(|v| v.join("; "))
                    .unwrap_or_default(),
            });
        }
        let token = resp.time_stamp_token.as_ref().ok_or_else(|| {
            TspError::MalformedResponse("status granted but no time-stamp token".into())
        })?;
        let token = verify_token(&token_der_of(token)?)?;
        let info = token.info();
        if info.message_imprint != self.request.message_imprint {
            // Compare the imprint's meaning, not its encoding: NULL and absent hash parameters
            // are equivalent (RFC 5754 section 2).
            let same = info.message_imprint.hash_algorithm.oid
                == self.request.message_imprint.hash_algorithm.oid
                && info.message_imprint.hashed_message
                    == self.request.message_imprint.hashed_message;
            if !same {
                return Err(TspError::ImprintMismatch);
            }
        }
        if info.nonce.as_ref().map(Int::as_bytes) != self.request.nonce.as_ref().map(Int::as_bytes)
        {
            return Err(TspError::NonceMismatch);
        }
        if let Some(requested) = self.request.req_policy.filter(|p| p != &info.policy) {
            return Err(TspError::PolicyMismatch {
                requested: requested.to_string(),
                found: info.policy.to_string(),
            });
        }
        Ok(token)
    }
}

/// The two's-complement INTEGER holding the unsigned big-endian `bytes`.
pub(crate) fn positive_int(bytes: &[u8]) -> der::Result<Int> {
    let trimmed: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    let mut v = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|b| b & 0x80 != 0) {
        v.push(0);
    }
    v.extend_from_slice(&trimmed);
    Int::new(&v)
}

/// A client of one time-stamping authority.
#[derive(Clone)]
pub struct TsaClient {
    transport: Arc<dyn TimestampTransport>,
    hash: HashAlgorithm,
    policy: Option<ObjectIdentifier>,
}

impl fmt::Debug for TsaClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TsaClient")
            .field("hash", &self.hash)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl TsaClient {
    /// A client that sends SHA-256 imprints and asks for no particular policy.
    pub fn new(transport: Arc<dyn TimestampTransport>) -> Self {
        Self {
            transport,
            hash: HashAlgorithm::Sha256,
            policy: None,
        }
    }

    /// Uses `hash` for the message imprint.
    pub fn with_hash(mut self, hash: HashAlgorithm) -> Self {
        self.hash = hash;
        self
    }

    /// Requests time-stamps under `policy` (`reqPolicy`, RFC 3161 section 2.4.1).
    pub fn with_policy(mut self, policy: ObjectIdentifier) -> Self {
        self.policy = Some(policy);
        self
    }

    /// Time-stamps `message` (hashed here): a fresh 64-bit random nonce, `certReq` true, the
    /// response checked by [`PreparedRequest::check_response`].
    pub fn timestamp(&self, message: &[u8]) -> Result<TimestampToken, TspError> {
        self.timestamp_digest(self.hash, &digest(self.hash, message))
    }

    /// Time-stamps an already computed hash.
    pub fn timestamp_digest(
        &self,
        hash: HashAlgorithm,
        hashed_message: &[u8],
    ) -> Result<TimestampToken, TspError> {
        let mut nonce = [0u8; 8];
        getrandom::fill(&mut nonce)
            .map_err(|e| TspError::Transport(format!("no randomness for the nonce: {e}").into()))?;
        let request = PreparedRequest::new(hash, hashed_message, &nonce, self.policy)?;
        let response = self
            .transport
            .exchange(request.der())
            .map_err(TspError::Transport)?;
        request.check_response(&response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positive_ints_are_minimal() {
        assert_eq!(positive_int(&[0, 0, 5]).unwrap().as_bytes(), [5]);
        assert_eq!(positive_int(&[0x80]).unwrap().as_bytes(), [0, 0x80]);
        assert_eq!(positive_int(&[]).unwrap().as_bytes(), [0]);
        assert_eq!(positive_int(&[0, 0]).unwrap().as_bytes(), [0]);
    }
}
