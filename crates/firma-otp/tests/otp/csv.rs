//! The CSV batch form: a valid file, and every error with its line number.

use firma_otp::{
    CSV_HEADER, CsvError, CsvProblem, DEFAULT_MAX_CSV_BYTES, Digits, OtpHash, TimeStep, TokenKind,
    import_csv,
};

fn import(text: &str) -> Result<Vec<firma_otp::ImportedToken>, CsvError> {
    import_csv(text.as_bytes(), DEFAULT_MAX_CSV_BYTES)
}

/// "12345678901234567890" in hex and in base32.
const HEX_SEED: &str = "hex:3132333435363738393031323334353637383930";
const B32_SEED: &str = "base32:GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

#[test]
fn valid_batch_with_comments_crlf_and_both_secret_forms() {
    let text = format!(
        "# tokens delivered to the Prefettura\r\n\
         {CSV_HEADER}\r\n\
         \r\n\
         TK-1,hotp,{HEX_SEED},6,,,\r\n\
         TK-2, TOTP ,{B32_SEED},8,60,,sha256\r\n\
         # lowercase base32 with padding, counter given\n\
         TK-3,hotp,base32:gezdgnbvgy3tqojqgezdgnbvgy3tqojq====,6,,42,SHA1\n"
    );
    let tokens = import(&text).expect("valid");
    assert_eq!(tokens.len(), 3);
    assert_eq!(tokens[0].serial, "TK-1");
    assert_eq!(tokens[0].kind, TokenKind::Hotp { counter: 0 });
    assert_eq!(tokens[0].hash, OtpHash::Sha1);
    assert_eq!(tokens[0].digits, Digits::SIX);
    assert_eq!(
        tokens[0].seed.expose_secret_bytes(),
        b"12345678901234567890"
    );
    assert_eq!(
        tokens[1].kind,
        TokenKind::Totp {
            step: TimeStep::SIXTY,
            t0: 0,
            drift: 0
        }
    );
    assert_eq!(tokens[1].hash, OtpHash::Sha256);
    assert_eq!(tokens[1].digits, Digits::EIGHT);
    assert!(tokens[1].seed.ct_eq(&tokens[0].seed));
    assert_eq!(tokens[2].kind, TokenKind::Hotp { counter: 42 });
    assert!(tokens[2].seed.ct_eq(&tokens[0].seed));
    // A header with spaces and capitals is still the header.
    let loose =
        format!(" Serial , TYPE,secret,digits,period,counter,algorithm\nA,hotp,{HEX_SEED},6,,,\n");
    assert_eq!(import(&loose).expect("valid").len(), 1);
}

fn line_error(text: &str) -> (usize, CsvProblem) {
    match import(text) {
        Err(CsvError::Line { line, problem }) => (line, problem),
        other => panic!("expected a line error, got {other:?}"),
    }
}

#[test]
fn line_errors_name_the_line() {
    let head = format!("{CSV_HEADER}\nOK-1,hotp,{HEX_SEED},6,,,\n");
    let cases: Vec<(String, CsvProblem)> = vec![
        (format!("S,hotp,{HEX_SEED},6,,"), CsvProblem::FieldCount(6)),
        (
            format!("S,hotp,{HEX_SEED},6,,,,"),
            CsvProblem::FieldCount(8),
        ),
        (format!("\"S\",hotp,{HEX_SEED},6,,,"), CsvProblem::Quoted),
        (
            format!(",hotp,{HEX_SEED},6,,,"),
            CsvProblem::Serial("it is empty"),
        ),
        (
            format!("S,motp,{HEX_SEED},6,,,"),
            CsvProblem::Type("motp".into()),
        ),
        (
            "S,hotp,3132333435363738393031323334353637383930,6,,,".into(),
            CsvProblem::SecretPrefix,
        ),
        ("S,hotp,b64:MTIz,6,,,".into(), CsvProblem::SecretPrefix),
        (
            "S,hotp,hex:31323g,6,,,".into(),
            CsvProblem::SecretEncoding("hexadecimal"),
        ),
        (
            "S,hotp,hex:313,6,,,".into(),
            CsvProblem::SecretEncoding("hexadecimal"),
        ),
        (
            "S,hotp,base32:GEZD1,6,,,".into(),
            CsvProblem::SecretEncoding("base32"),
        ),
        (
            "S,hotp,hex:31323334,6,,,".into(),
            CsvProblem::SecretLength(4),
        ),
        (
            format!("S,hotp,{HEX_SEED},9,,,"),
            CsvProblem::Digits("9".into()),
        ),
        (
            format!("S,hotp,{HEX_SEED},,,,"),
            CsvProblem::Digits(String::new()),
        ),
        (
            format!("S,totp,{HEX_SEED},6,,,"),
            CsvProblem::Period(String::new()),
        ),
        (
            format!("S,totp,{HEX_SEED},6,0,,"),
            CsvProblem::Period("0".into()),
        ),
        (
            format!("S,hotp,{HEX_SEED},6,30,,"),
            CsvProblem::PeriodForHotp,
        ),
        (
            format!("S,totp,{HEX_SEED},6,30,1,"),
            CsvProblem::CounterForTotp,
        ),
        (
            format!("S,hotp,{HEX_SEED},6,,-1,"),
            CsvProblem::Counter("-1".into()),
        ),
        (
            format!("S,hotp,{HEX_SEED},6,,,MD5"),
            CsvProblem::Algorithm("MD5".into()),
        ),
    ];
    for (line, expected) in cases {
        let text = format!("{head}# comment\n{line}\nOK-2,hotp,{HEX_SEED},6,,,\n");
        let (number, problem) = line_error(&text);
        assert_eq!(number, 4, "{line}");
        assert_eq!(problem, expected, "{line}");
        // Messages never echo the secret.
        let message = CsvError::Line {
            line: number,
            problem,
        }
        .to_string();
        assert!(message.starts_with("line 4: "), "{message}");
        assert!(!message.contains("3132333435"), "{message}");
    }
}

#[test]
fn file_level_errors() {
    assert_eq!(import("").unwrap_err(), CsvError::MissingHeader);
    assert_eq!(
        import("# only a comment\n\n").unwrap_err(),
        CsvError::MissingHeader
    );
    assert_eq!(
        import("\n\nserial,type,secret\n").unwrap_err(),
        CsvError::Header { line: 3 }
    );
    assert_eq!(
        import(&format!("{CSV_HEADER}\n")).unwrap_err(),
        CsvError::NoTokens
    );
    let dup = format!(
        "{CSV_HEADER}\nA,hotp,{HEX_SEED},6,,,\nB,hotp,{HEX_SEED},6,,,\nA,totp,{B32_SEED},6,30,,\n"
    );
    let err = import(&dup).unwrap_err();
    assert_eq!(
        err,
        CsvError::DuplicateSerial {
            serial: "A".into(),
            first_line: 2,
            second_line: 4
        }
    );
    assert_eq!(
        err.to_string(),
        "line 4: serial \"A\" already appears on line 2"
    );
    let mut bytes = format!("{CSV_HEADER}\nA,hotp,{HEX_SEED},6,,,\n").into_bytes();
    bytes.extend_from_slice(b"B\xff,hotp,hex:00,6,,,\n");
    assert_eq!(
        import_csv(&bytes, DEFAULT_MAX_CSV_BYTES).unwrap_err(),
        CsvError::Line {
            line: 3,
            problem: CsvProblem::NotUtf8
        }
    );
    assert_eq!(
        import_csv(&bytes, 10).unwrap_err(),
        CsvError::TooLarge {
            size: bytes.len(),
            limit: 10
        }
    );
}
