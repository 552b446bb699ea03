//! RFC 6238 Appendix B: "Test Vectors", 8 digits, X = 30, T0 = 0, with the per-hash seeds of the
//! reference implementation (20, 32 and 64 bytes).

use firma_otp::{Digits, OtpHash, TimeStep, TotpParams, format_code, totp};

use crate::support::{SEED_SHA1, SEED_SHA256, SEED_SHA512};

/// (time, T, TOTP, mode) rows of the Appendix B table.
const APPENDIX_B: [(i64, u64, &str, OtpHash); 18] = [
    (59, 0x1, "94287082", OtpHash::Sha1),
    (59, 0x1, "46119246", OtpHash::Sha256),
    (59, 0x1, "90693936", OtpHash::Sha512),
    (1_111_111_109, 0x23523EC, "07081804", OtpHash::Sha1),
    (1_111_111_109, 0x23523EC, "68084774", OtpHash::Sha256),
    (1_111_111_109, 0x23523EC, "25091201", OtpHash::Sha512),
    (1_111_111_111, 0x23523ED, "14050471", OtpHash::Sha1),
    (1_111_111_111, 0x23523ED, "67062674", OtpHash::Sha256),
    (1_111_111_111, 0x23523ED, "99943326", OtpHash::Sha512),
    (1_234_567_890, 0x273EF07, "89005924", OtpHash::Sha1),
    (1_234_567_890, 0x273EF07, "91819424", OtpHash::Sha256),
    (1_234_567_890, 0x273EF07, "93441116", OtpHash::Sha512),
    (2_000_000_000, 0x3F940AA, "69279037", OtpHash::Sha1),
    (2_000_000_000, 0x3F940AA, "90698825", OtpHash::Sha256),
    (2_000_000_000, 0x3F940AA, "38618901", OtpHash::Sha512),
    (20_000_000_000, 0x27BC86AA, "65353130", OtpHash::Sha1),
    (20_000_000_000, 0x27BC86AA, "77737706", OtpHash::Sha256),
    (20_000_000_000, 0x27BC86AA, "47863826", OtpHash::Sha512),
];

fn seed(hash: OtpHash) -> &'static [u8] {
    match hash {
        OtpHash::Sha1 => SEED_SHA1,
        OtpHash::Sha256 => SEED_SHA256,
        OtpHash::Sha512 => SEED_SHA512,
    }
}

#[test]
fn appendix_b_all_rows() {
    for (time, step, expected, hash) in APPENDIX_B {
        let params = TotpParams::new(hash, Digits::EIGHT, TimeStep::THIRTY);
        assert_eq!(params.time_step(time), Some(step), "T at {time}");
        let value = totp(seed(hash), time, &params).expect("after T0");
        assert_eq!(
            format_code(value, Digits::EIGHT),
            expected,
            "{hash:?} at {time}"
        );
    }
}

#[test]
fn appendix_b_through_offset_date_time() {
    let params = TotpParams::new(OtpHash::Sha1, Digits::EIGHT, TimeStep::THIRTY);
    let at = time::OffsetDateTime::from_unix_timestamp(1_234_567_890).expect("valid time");
    assert_eq!(params.time_step_at(at), Some(0x273EF07));
}

#[test]
fn before_t0_there_is_no_code() {
    let params = TotpParams {
        t0: 1_000,
        ..TotpParams::new(OtpHash::Sha1, Digits::SIX, TimeStep::THIRTY)
    };
    assert_eq!(totp(SEED_SHA1, 999, &params), None);
    // At T0 + 59 s the step is 1, the same code as Unix time 59 with T0 = 0.
    let at_epoch = TotpParams::new(OtpHash::Sha1, Digits::SIX, TimeStep::THIRTY);
    assert_eq!(
        totp(SEED_SHA1, 1_059, &params),
        totp(SEED_SHA1, 59, &at_epoch)
    );
}
