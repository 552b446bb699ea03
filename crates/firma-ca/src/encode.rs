//! DER building blocks: times, serial numbers, key identifiers, extensions, and the split of a
//! signed structure into the bytes that were signed and the signature.

use der::asn1::{BitString, OctetString};
use der::{Decode, Encode, Reader, SliceReader};
use sha1::Digest;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use time::OffsetDateTime;
use x509_cert::ext::Extension;
use x509_cert::time::Time;

use crate::error::CaError;

/// Length of the serial numbers this CA assigns.
pub(crate) const SERIAL_LEN: usize = 20;

/// A random serial number of 20 octets, positive (RFC 5280 section 4.1.2.2: "positive
/// integer", "no longer than 20 octets"; CA/Browser Forum baseline requirements section 7.1:
/// at least 64 bits from a CSPRNG, here 159). The first octet is 0x01-0x7f, so the DER INTEGER
/// has exactly 20 content octets and no sign octet.
pub(crate) fn random_serial() -> Result<[u8; SERIAL_LEN], CaError> {
    let mut serial = [0u8; SERIAL_LEN];
    getrandom::fill(&mut serial).map_err(|e| CaError::Randomness(e.to_string()))?;
    serial[0] = (serial[0] & 0x7f).max(1);
    Ok(serial)
}

/// `now` truncated to whole seconds: X.509 times have no fractions (RFC 5280 section
/// 4.1.2.5.1 and 4.1.2.5.2).
pub(crate) fn whole_seconds(at: OffsetDateTime) -> Result<OffsetDateTime, CaError> {
    OffsetDateTime::from_unix_timestamp(at.unix_timestamp())
        .map_err(|_| CaError::TimeOutOfRange(at))
}

/// UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 section 4.1.2.5).
pub(crate) fn x509_time(at: OffsetDateTime) -> Result<Time, CaError> {
    let secs = u64::try_from(at.unix_timestamp()).map_err(|_| CaError::TimeOutOfRange(at))?;
    let d = std::time::Duration::from_secs(secs);
    let time = if at.year() < 2050 {
        der::asn1::UtcTime::from_unix_duration(d).map(Time::UtcTime)
    } else {
        der::asn1::GeneralizedTime::from_unix_duration(d).map(Time::GeneralTime)
    };
    time.map_err(|_| CaError::TimeOutOfRange(at))
}

/// A certificate time back as an `OffsetDateTime`.
pub(crate) fn from_x509_time(t: Time) -> Result<OffsetDateTime, CaError> {
    let secs = i64::try_from(t.to_unix_duration().as_secs())
        .map_err(|_| CaError::InvalidMaterial("a time beyond year 9999".into()))?;
    OffsetDateTime::from_unix_timestamp(secs)
        .map_err(|_| CaError::InvalidMaterial("a time beyond year 9999".into()))
}

/// The key identifier of RFC 5280 section 4.2.1.2, method (1): the SHA-1 hash of the
/// subjectPublicKey BIT STRING's value (without tag, length and unused-bits octet).
pub(crate) fn key_identifier(spki: &SubjectPublicKeyInfoOwned) -> Vec<u8> {
    sha1::Sha1::digest(spki.subject_public_key.raw_bytes()).to_vec()
}

/// An extension whose `extnValue` is the DER of `value` (RFC 5280 section 4.1).
pub(crate) fn extension(
    oid: der::asn1::ObjectIdentifier,
    critical: bool,
    value: &impl Encode,
) -> Result<Extension, CaError> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_der()?)?,
    })
}

/// A signed structure (`Certificate`, RFC 5280 section 4.1; `CertificationRequest`, RFC 2986
/// section 4) split into the exact DER bytes that were signed, the signature algorithm and
/// the signature value. Trailing bytes after the structure are refused.
pub(crate) struct SignedParts<'a> {
    pub to_be_signed: &'a [u8],
    pub algorithm: AlgorithmIdentifierOwned,
    pub signature: BitString,
}

pub(crate) fn split_signed(der: &[u8]) -> Result<SignedParts<'_>, der::Error> {
    let mut reader = SliceReader::new(der)?;
    let parts = reader.sequence(|r| {
        let to_be_signed = r.tlv_bytes()?;
        let algorithm = AlgorithmIdentifierOwned::decode(r)?;
        let signature = BitString::decode(r)?;
        Ok::<_, der::Error>(SignedParts {
            to_be_signed,
            algorithm,
            signature,
        })
    })?;
    reader.finish()?;
    Ok(parts)
}

/// Lower-case hexadecimal.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_are_positive_twenty_octets_and_differ() {
        let a = random_serial().unwrap();
        let b = random_serial().unwrap();
        assert_ne!(a, b);
        for s in [a, b] {
            assert!((1..=0x7f).contains(&s[0]));
            let n =
                x509_cert::serial_number::SerialNumber::<x509_cert::certificate::Rfc5280>::new(&s)
                    .unwrap();
            // INTEGER tag, length 20, no sign octet.
            let der = n.to_der().unwrap();
            assert_eq!(&der[..2], &[0x02, 20]);
        }
    }

    #[test]
    fn times_switch_encoding_in_2050() {
        use time::macros::datetime;
        assert!(matches!(
            x509_time(datetime!(2049-12-31 23:59:59 UTC)).unwrap(),
            Time::UtcTime(_)
        ));
        let t = datetime!(2050-01-01 00:00 UTC);
        let encoded = x509_time(t).unwrap();
        assert!(matches!(encoded, Time::GeneralTime(_)));
        assert_eq!(from_x509_time(encoded).unwrap(), t);
        assert!(x509_time(datetime!(1969-12-31 23:59:59 UTC)).is_err());
    }
}
