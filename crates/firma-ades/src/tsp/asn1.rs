//! The time-stamp protocol messages of RFC 3161 (section 2.4), with the ESS signing
//! certificate update of RFC 5816.

use der::asn1::{BitString, Int, ObjectIdentifier, OctetString};
use der::{DecodeValue, EncodeValue, FixedTag, Header, Length, Reader, Sequence, Tag, Writer};
use spki::AlgorithmIdentifierOwned;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};
use x509_cert::ext::Extensions;
use x509_cert::ext::pkix::name::GeneralName;

/// ```text
/// MessageImprint ::= SEQUENCE  {
///      hashAlgorithm                AlgorithmIdentifier,
///      hashedMessage                OCTET STRING  }
/// ```
/// (RFC 3161 section 2.4.1.)
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct MessageImprint {
    pub hash_algorithm: AlgorithmIdentifierOwned,
    pub hashed_message: OctetString,
}

/// ```text
/// TimeStampReq ::= SEQUENCE  {
///    version                      INTEGER  { v1(1) },
///    messageImprint               MessageImprint,
///    reqPolicy             TSAPolicyId              OPTIONAL,
///    nonce                 INTEGER                  OPTIONAL,
///    certReq               BOOLEAN                  DEFAULT FALSE,
///    extensions            [0] IMPLICIT Extensions  OPTIONAL  }
/// ```
/// (RFC 3161 section 2.4.1.)
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TimeStampReq {
    pub version: u8,
    pub message_imprint: MessageImprint,
    #[asn1(optional = "true")]
    pub req_policy: Option<ObjectIdentifier>,
    #[asn1(optional = "true")]
    pub nonce: Option<Int>,
    #[asn1(default = "Default::default")]
    pub cert_req: bool,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

/// ```text
/// PKIStatusInfo ::= SEQUENCE {
///     status        PKIStatus,
///     statusString  PKIFreeText     OPTIONAL,
///     failInfo      PKIFailureInfo  OPTIONAL  }
/// PKIFreeText ::= SEQUENCE SIZE (1..MAX) OF UTF8String
/// ```
/// (RFC 3161 section 2.4.2.)
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct PkiStatusInfo {
    pub status: u8,
    #[asn1(optional = "true")]
    pub status_string: Option<Vec<String>>,
    #[asn1(optional = "true")]
    pub fail_info: Option<BitString>,
}

/// ```text
/// TimeStampResp ::= SEQUENCE  {
///      status                  PKIStatusInfo,
///      timeStampToken          TimeStampToken     OPTIONAL  }
/// TimeStampToken ::= ContentInfo
/// ```
/// (RFC 3161 section 2.4.2.)
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TimeStampResp {
    pub status: PkiStatusInfo,
    #[asn1(optional = "true")]
    pub time_stamp_token: Option<der::Any>,
}

/// ```text
/// Accuracy ::= SEQUENCE {
///       seconds        INTEGER           OPTIONAL,
///       millis     [0] INTEGER  (1..999) OPTIONAL,
///       micros     [1] INTEGER  (1..999) OPTIONAL  }
/// ```
/// (RFC 3161 section 2.4.2.)
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq, Sequence)]
pub struct Accuracy {
    #[asn1(optional = "true")]
    pub seconds: Option<u32>,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub millis: Option<u16>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub micros: Option<u16>,
}

/// ```text
/// TSTInfo ::= SEQUENCE  {
///    version                      INTEGER  { v1(1) },
///    policy                       TSAPolicyId,
///    messageImprint               MessageImprint,
///    serialNumber                 INTEGER,
///    genTime                      GeneralizedTime,
///    accuracy                     Accuracy                 OPTIONAL,
///    ordering                     BOOLEAN             DEFAULT FALSE,
///    nonce                        INTEGER                  OPTIONAL,
///    tsa                          [0] GeneralName          OPTIONAL,
///    extensions                   [1] IMPLICIT Extensions   OPTIONAL  }
/// ```
/// (RFC 3161 section 2.4.2.)
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TstInfo {
    pub version: u8,
    pub policy: ObjectIdentifier,
    pub message_imprint: MessageImprint,
    pub serial_number: Int,
    pub gen_time: GenTime,
    #[asn1(optional = "true")]
    pub accuracy: Option<Accuracy>,
    #[asn1(default = "Default::default")]
    pub ordering: bool,
    #[asn1(optional = "true")]
    pub nonce: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub tsa: Option<GeneralName>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

/// `genTime` (RFC 3161 section 2.4.2): a GeneralizedTime in UTC ("Z") that may carry a
/// fraction of a second without trailing zeros, which TSAs use and the general X.509
/// profile of the `der` crate refuses.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub struct GenTime(pub OffsetDateTime);

impl FixedTag for GenTime {
    const TAG: Tag = Tag::GeneralizedTime;
}

fn digits(s: &[u8]) -> Option<u32> {
    s.iter().try_fold(0u32, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

impl GenTime {
    /// Parses `YYYYMMDDhhmmss[.f+]Z`.
    pub fn parse(s: &[u8]) -> Option<Self> {
        let (body, rest) = s.split_at_checked(14)?;
        let rest = rest.strip_suffix(b"Z")?;
        let nanos = match rest {
            [] => 0,
            [b'.', frac @ ..]
                if !frac.is_empty() && frac.len() <= 9 && frac.last() != Some(&b'0') =>
            {
                digits(frac)? * 10u32.pow(9 - frac.len() as u32)
            }
            _ => return None,
        };
        let year = digits(&body[0..4])?;
        let month = Month::try_from(u8::try_from(digits(&body[4..6])?).ok()?).ok()?;
        let date = Date::from_calendar_date(
            i32::try_from(year).ok()?,
            month,
            u8::try_from(digits(&body[6..8])?).ok()?,
        )
        .ok()?;
        let time = Time::from_hms_nano(
            u8::try_from(digits(&body[8..10])?).ok()?,
            u8::try_from(digits(&body[10..12])?).ok()?,
            u8::try_from(digits(&body[12..14])?).ok()?,
            nanos,
        )
        .ok()?;
        Some(Self(PrimitiveDateTime::new(date, time).assume_utc()))
    }

    fn render(&self) -> String {
        let t = self.0.to_offset(time::UtcOffset::UTC);
        let mut s = format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        );
        if t.nanosecond() != 0 {
            let frac = format!("{:09}", t.nanosecond());
            s.push('.');
            s.push_str(frac.trim_end_matches('0'));
        }
        s.push('Z');
        s
    }
}

impl<'a> DecodeValue<'a> for GenTime {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        if usize::try_from(header.length())? > 32 {
            return Err(reader.error(Self::TAG.value_error()));
        }
        let bytes = reader.read_vec(header.length())?;
        Self::parse(&bytes).ok_or_else(|| reader.error(Self::TAG.value_error()))
    }
}

impl EncodeValue for GenTime {
    fn value_len(&self) -> der::Result<Length> {
        Length::try_from(self.render().len())
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(self.render().as_bytes())
    }
}

/// `PKIStatus` values (RFC 3161 section 2.4.2).
pub mod status {
    pub const GRANTED: u8 = 0;
    pub const GRANTED_WITH_MODS: u8 = 1;
    pub const REJECTION: u8 = 2;
}

/// `PKIFailureInfo` bits (RFC 3161 section 2.4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum FailureInfo {
    /// Unrecognized or unsupported algorithm identifier.
    BadAlg = 0,
    /// Transaction not permitted or supported.
    BadRequest = 2,
    /// The data submitted has the wrong format.
    BadDataFormat = 5,
    /// The TSA's time source is not available.
    TimeNotAvailable = 14,
    /// The requested TSA policy is not supported by the TSA.
    UnacceptedPolicy = 15,
    /// The requested extension is not supported by the TSA.
    UnacceptedExtension = 16,
    /// The additional information requested could not be understood or is not available.
    AddInfoNotAvailable = 17,
    /// The request cannot be handled due to system failure.
    SystemFailure = 25,
}

impl FailureInfo {
    const ALL: [FailureInfo; 8] = [
        Self::BadAlg,
        Self::BadRequest,
        Self::BadDataFormat,
        Self::TimeNotAvailable,
        Self::UnacceptedPolicy,
        Self::UnacceptedExtension,
        Self::AddInfoNotAvailable,
        Self::SystemFailure,
    ];

    /// The named BIT STRING with only this bit set, trailing zero bits removed (X.690
    /// section 11.2.2).
    pub fn to_bit_string(self) -> der::Result<BitString> {
        let bit = self as usize;
        let mut bytes = vec![0u8; bit / 8 + 1];
        bytes[bit / 8] = 0x80 >> (bit % 8);
        BitString::new(7 - (bit % 8) as u8, bytes)
    }

    /// The failures named in a `PKIFailureInfo`.
    pub fn from_bit_string(bits: &BitString) -> Vec<FailureInfo> {
        Self::ALL
            .into_iter()
            .filter(|f| bits.bits().nth(*f as usize) == Some(true))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::{Decode, Encode};

    #[test]
    fn gen_time_keeps_fractions() {
        for s in [
            "20250102030405Z",
            "20250102030405.5Z",
            "20250102030405.123456Z",
        ] {
            let t = GenTime::parse(s.as_bytes()).unwrap();
            assert_eq!(t.render(), s);
        }
        for bad in [
            "20250102030405.50Z",
            "20250102030405.Z",
            "2025010203040Z",
            "20251302030405Z",
            "20250102030405+0100",
        ] {
            assert!(GenTime::parse(bad.as_bytes()).is_none(), "{bad}");
        }
    }

    #[test]
    fn failure_info_bits() {
        for f in FailureInfo::ALL {
            let bs = f.to_bit_string().unwrap();
            assert_eq!(FailureInfo::from_bit_string(&bs), vec![f]);
            let der = bs.to_der().unwrap();
            assert_eq!(BitString::from_der(&der).unwrap(), bs);
        }
        // badAlg is the first bit: 03 02 07 80.
        assert_eq!(
            FailureInfo::BadAlg
                .to_bit_string()
                .unwrap()
                .to_der()
                .unwrap(),
            [3, 2, 7, 0x80]
        );
    }
}
