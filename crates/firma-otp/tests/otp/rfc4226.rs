//! RFC 4226 Appendix D: "HOTP Algorithm: Test Values", secret "12345678901234567890".

use firma_otp::{Digits, HotpParams, OtpHash, format_code, hotp};

use crate::support::SEED_SHA1;

/// (count, "Truncated" decimal, HOTP) from the second table of Appendix D.
const APPENDIX_D: [(u64, u32, &str); 10] = [
    (0, 1_284_755_224, "755224"),
    (1, 1_094_287_082, "287082"),
    (2, 137_359_152, "359152"),
    (3, 1_726_969_429, "969429"),
    (4, 1_640_338_314, "338314"),
    (5, 868_254_676, "254676"),
    (6, 1_918_287_922, "287922"),
    (7, 82_162_583, "162583"),
    (8, 673_399_871, "399871"),
    (9, 645_520_489, "520489"),
];

#[test]
fn appendix_d_six_digits() {
    let params = HotpParams {
        hash: OtpHash::Sha1,
        digits: Digits::SIX,
    };
    for (count, _, expected) in APPENDIX_D {
        let value = hotp(SEED_SHA1, count, params);
        assert_eq!(format_code(value, Digits::SIX), expected, "count {count}");
    }
}

/// The 8-digit code is the "Truncated" value mod 10^8 (RFC 4226 section 5.3 step 3).
#[test]
fn appendix_d_eight_digits_from_truncated_values() {
    let params = HotpParams {
        hash: OtpHash::Sha1,
        digits: Digits::EIGHT,
    };
    for (count, truncated, _) in APPENDIX_D {
        assert_eq!(
            hotp(SEED_SHA1, count, params),
            truncated % 100_000_000,
            "count {count}"
        );
    }
}
