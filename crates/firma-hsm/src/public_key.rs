//! Public keys read from the token, encoded as `SubjectPublicKeyInfo` (RFC 5280 section 4.1.2.7).

use cryptoki::object::{Attribute, AttributeType, ObjectHandle};
use cryptoki::session::Session;
use der::Encode;
use der::asn1::{AnyRef, BitStringRef, UintRef};
use firma_core::{KeySpec, PublicKeyDer};
use p256::pkcs8::EncodePublicKey;
use spki::{AlgorithmIdentifier, ObjectIdentifier, SubjectPublicKeyInfo};

/// `rsaEncryption` (RFC 8017 appendix A.1).
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// `RSAPublicKey` (RFC 8017 appendix A.1.1).
#[derive(der::Sequence)]
struct RsaPublicKey<'a> {
    modulus: UintRef<'a>,
    public_exponent: UintRef<'a>,
}

/// Failure to read or encode a public key; the message says which part.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PublicKeyError {
    #[error("reading the public key attributes: {0}")]
    Read(#[from] cryptoki::error::Error),
    #[error("the token returned no {0:?} for the public key")]
    Missing(AttributeType),
    #[error("the token returned a public key that does not decode: {0}")]
    Malformed(String),
}

/// Reads the public key object `handle` and returns its SPKI.
pub(crate) fn read_spki(
    session: &Session,
    handle: ObjectHandle,
    spec: KeySpec,
) -> Result<PublicKeyDer, PublicKeyError> {
    if spec.is_rsa() {
        let attrs = session.get_attributes(
            handle,
            &[AttributeType::Modulus, AttributeType::PublicExponent],
        )?;
        let mut modulus = None;
        let mut exponent = None;
        for a in attrs {
            match a {
                Attribute::Modulus(m) => modulus = Some(m),
                Attribute::PublicExponent(e) => exponent = Some(e),
                _ => {}
            }
        }
        let modulus = modulus.ok_or(PublicKeyError::Missing(AttributeType::Modulus))?;
        let exponent = exponent.ok_or(PublicKeyError::Missing(AttributeType::PublicExponent))?;
        rsa_spki(&modulus, &exponent)
    } else {
        let attrs = session.get_attributes(handle, &[AttributeType::EcPoint])?;
        let point = attrs
            .into_iter()
            .find_map(|a| match a {
                Attribute::EcPoint(p) => Some(p),
                _ => None,
            })
            .ok_or(PublicKeyError::Missing(AttributeType::EcPoint))?;
        p256_spki(&point)
    }
}

/// `CKA_EC_POINT` is a DER OCTET STRING holding the SEC 1 point (PKCS#11 v2.40 section 2.3.3);
/// some modules return the bare point. Both are accepted.
fn p256_spki(ec_point: &[u8]) -> Result<PublicKeyDer, PublicKeyError> {
    let point = match ec_point {
        [0x04, len, rest @ ..]
            if usize::from(*len) == rest.len() && rest.first() == Some(&0x04) =>
        {
            rest
        }
        bare => bare,
    };
    let key = p256::PublicKey::from_sec1_bytes(point)
        .map_err(|e| PublicKeyError::Malformed(format!("EC point: {e}")))?;
    key.to_public_key_der()
        .map(|d| PublicKeyDer(d.as_bytes().to_vec()))
        .map_err(|e| PublicKeyError::Malformed(e.to_string()))
}

fn rsa_spki(modulus: &[u8], exponent: &[u8]) -> Result<PublicKeyDer, PublicKeyError> {
    let malformed = |e: der::Error| PublicKeyError::Malformed(format!("RSA key: {e}"));
    let rsa = RsaPublicKey {
        modulus: UintRef::new(modulus).map_err(malformed)?,
        public_exponent: UintRef::new(exponent).map_err(malformed)?,
    }
    .to_der()
    .map_err(malformed)?;
    let spki = SubjectPublicKeyInfo::<AnyRef<'_>, BitStringRef<'_>> {
        algorithm: AlgorithmIdentifier {
            oid: RSA_ENCRYPTION,
            parameters: Some(AnyRef::NULL),
        },
        subject_public_key: BitStringRef::from_bytes(&rsa).map_err(malformed)?,
    };
    spki.to_der().map(PublicKeyDer).map_err(malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ec_point_in_both_encodings() {
        let secret = p256::SecretKey::from_slice(&[7u8; 32]).unwrap();
        let point = secret.public_key().to_sec1_bytes();
        let mut wrapped = vec![0x04, point.len() as u8];
        wrapped.extend_from_slice(&point);
        let a = p256_spki(&point).unwrap();
        let b = p256_spki(&wrapped).unwrap();
        assert_eq!(a, b);
        assert!(p256_spki(&[0x04, 0x01, 0x02]).is_err());
    }

    #[test]
    fn rsa_spki_has_the_rsa_oid() {
        let spki = rsa_spki(&[0xc5; 256], &[1, 0, 1]).unwrap();
        let oid = RSA_ENCRYPTION.as_bytes();
        assert!(spki.0.windows(oid.len()).any(|w| w == oid));
    }
}
