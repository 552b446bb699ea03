//! Vendor-like PSKC files (prefixed namespace, TOTP with `Suite`, encrypted integers) and the
//! import rules: unique serials, supported parameters, bounded input.

use firma_otp::{
    Digits, OtpHash, OtpParams, PskcError, PskcOptions, TimeStep, TokenKind, VerifyPolicy,
    format_code, import_pskc, parse_pskc, totp, verify_totp,
};

use crate::support::{FIGURE6_PSK, Package, SEED_SHA1, SEED_SHA256, Writer, fixture_text};

const PSK: [u8; 16] = *b"vendor-psk-16byt";

fn with_psk(psk: &[u8]) -> PskcOptions<'_> {
    PskcOptions {
        pre_shared_key: Some(psk),
        ..PskcOptions::default()
    }
}

fn batch() -> Vec<Package<'static>> {
    vec![
        Package {
            counter: Some(5),
            ..Package::hotp("TK-0001", SEED_SHA1)
        },
        Package {
            suite: Some("HMAC-SHA256"),
            digits: 8,
            drift: Some(-1),
            ..Package::totp("TK-0002", SEED_SHA256, 60)
        },
    ]
}

#[test]
fn encrypted_vendor_batch_imports() {
    let xml = Writer::encrypted(PSK).write(&batch());
    let tokens = import_pskc(xml.as_bytes(), &with_psk(&PSK)).expect("imports");
    assert_eq!(tokens.len(), 2);
    assert_eq!(tokens[0].serial, "TK-0001");
    assert_eq!(tokens[0].manufacturer.as_deref(), Some("Acme Token"));
    assert_eq!(tokens[0].kind, TokenKind::Hotp { counter: 5 });
    assert_eq!(tokens[0].seed.expose_secret_bytes(), SEED_SHA1);
    assert_eq!(tokens[1].hash, OtpHash::Sha256);
    assert_eq!(tokens[1].digits, Digits::EIGHT);
    assert_eq!(
        tokens[1].kind,
        TokenKind::Totp {
            step: TimeStep::SIXTY,
            t0: 0,
            drift: -1
        }
    );
    assert_eq!(tokens[1].seed.expose_secret_bytes(), SEED_SHA256);
    // The TOTP token's code one minute behind is accepted straight away, thanks to its drift.
    let OtpParams::Totp(params) = tokens[1].params() else {
        panic!("TOTP expected");
    };
    let now = 1_700_000_000;
    let code = format_code(
        totp(SEED_SHA256, now - 60, &params).expect("after T0"),
        Digits::EIGHT,
    );
    let strict = VerifyPolicy {
        totp_back: 0,
        totp_forward: 0,
        ..VerifyPolicy::default()
    };
    let v = verify_totp(
        &tokens[1].seed,
        &params,
        &tokens[1].initial_state(),
        &strict,
        &code,
        now,
    );
    assert!(v.is_accepted(), "{:?}", v.outcome);
}

#[test]
fn plain_vendor_batch_imports_and_debug_hides_seeds() {
    let xml = Writer::plain().write(&batch());
    let tokens = import_pskc(xml.as_bytes(), &PskcOptions::default()).expect("imports");
    assert_eq!(tokens.len(), 2);
    let shown = format!("{tokens:?}");
    assert!(
        shown.contains("TK-0002") && shown.contains("REDACTED"),
        "{shown}"
    );
    assert!(!shown.contains("49, 50, 51"), "{shown}");
    let options = format!("{:?}", with_psk(&PSK));
    assert!(!options.contains("118"), "{options}");
}

#[test]
fn duplicate_serials_are_refused() {
    let xml = Writer::encrypted(PSK).write(&[
        Package::hotp("TK-7", SEED_SHA1),
        Package::hotp("TK-8", SEED_SHA1),
        Package::totp("TK-7", SEED_SHA1, 30),
    ]);
    let err = import_pskc(xml.as_bytes(), &with_psk(&PSK)).unwrap_err();
    assert_eq!(
        err,
        PskcError::DuplicateSerial {
            serial: "TK-7".into(),
            first: 1,
            second: 3
        }
    );
    assert!(err.to_string().contains("TK-7"), "{err}");
    // Figure 3's package twice is refused the same way.
    let fig3 = fixture_text("rfc6030-figure3.xml");
    let start = fig3.find("<KeyPackage>").expect("package");
    let end = fig3.find("</KeyPackage>").expect("package") + "</KeyPackage>".len();
    let doubled = format!("{}{}{}", &fig3[..end], &fig3[start..end], &fig3[end..]);
    assert!(matches!(
        import_pskc(doubled.as_bytes(), &PskcOptions::default()),
        Err(PskcError::DuplicateSerial {
            first: 1,
            second: 2,
            ..
        })
    ));
}

type ErrorCheck = fn(&PskcError) -> bool;

#[test]
fn unsupported_parameters_name_the_serial() {
    let cases: Vec<(Package<'static>, ErrorCheck)> = vec![
        (
            Package {
                suite: Some("HMAC-MD5"),
                ..Package::hotp("S-1", SEED_SHA1)
            },
            |e| matches!(e, PskcError::UnsupportedSuite { .. }),
        ),
        (
            Package {
                encoding: "HEXADECIMAL",
                ..Package::hotp("S-2", SEED_SHA1)
            },
            |e| matches!(e, PskcError::UnsupportedResponseFormat { .. }),
        ),
        (
            Package {
                digits: 9,
                ..Package::hotp("S-3", SEED_SHA1)
            },
            |e| matches!(e, PskcError::UnsupportedResponseFormat { .. }),
        ),
        (Package::hotp("S-4", b"too short"), |e| {
            matches!(e, PskcError::SecretLength { len: 9, .. })
        }),
        (
            Package {
                algorithm: "urn:ietf:params:xml:ns:keyprov:pskc:ocra",
                ..Package::hotp("S-5", SEED_SHA1)
            },
            |e| matches!(e, PskcError::UnsupportedAlgorithm { .. }),
        ),
        (Package::totp("S-6", SEED_SHA1, 0), |e| {
            matches!(
                e,
                PskcError::InvalidValue {
                    element: "TimeInterval",
                    ..
                }
            )
        }),
        (
            Package {
                serial: Some(Box::leak("X".repeat(65).into_boxed_str())),
                ..Package::hotp("x", SEED_SHA1)
            },
            |e| matches!(e, PskcError::InvalidSerial { .. }),
        ),
    ];
    for (package, expected) in cases {
        let serial = package.serial.unwrap_or_default().to_owned();
        for (xml, options) in [
            (
                Writer::plain().write(std::slice::from_ref(&package)),
                PskcOptions::default(),
            ),
            (
                Writer::encrypted(PSK).write(std::slice::from_ref(&package)),
                with_psk(&PSK),
            ),
        ] {
            let err = import_pskc(xml.as_bytes(), &options).unwrap_err();
            assert!(expected(&err), "{serial}: {err:?}");
            assert!(err.to_string().contains(serial.trim()), "{err}");
        }
    }
}

#[test]
fn structural_errors() {
    let opts = PskcOptions::default();
    let no_key = r#"<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">
        <KeyPackage><DeviceInfo><SerialNo>1</SerialNo></DeviceInfo></KeyPackage></KeyContainer>"#;
    assert!(matches!(
        import_pskc(no_key.as_bytes(), &opts),
        Err(PskcError::MissingElement { element: "Key", .. })
    ));
    let empty = r#"<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc"/>"#;
    assert_eq!(
        import_pskc(empty.as_bytes(), &opts).unwrap_err(),
        PskcError::NoKeys
    );
    let version = r#"<KeyContainer Version="2.0"><KeyPackage/></KeyContainer>"#;
    assert!(matches!(
        import_pskc(version.as_bytes(), &opts),
        Err(PskcError::UnsupportedVersion { .. })
    ));
    assert!(matches!(
        import_pskc(b"<html><body/></html>", &opts),
        Err(PskcError::NotKeyContainer { .. })
    ));
    assert!(matches!(
        import_pskc(b"not xml at all", &opts),
        Err(PskcError::Xml { .. })
    ));
    let bad_counter = fixture_text("rfc6030-figure3.xml")
        .replace("<PlainValue>0</PlainValue>", "<PlainValue>-1</PlainValue>");
    assert!(matches!(
        import_pskc(bad_counter.as_bytes(), &opts),
        Err(PskcError::InvalidValue {
            element: "Counter",
            ..
        })
    ));
    let bad_base64 = fixture_text("rfc6030-figure3.xml").replace("MTIzNDU2", "MT!zNDU2");
    assert!(matches!(
        import_pskc(bad_base64.as_bytes(), &opts),
        Err(PskcError::InvalidValue {
            element: "Secret",
            ..
        })
    ));
}

#[test]
fn bounded_input_no_dtd_no_entities() {
    let fig3 = fixture_text("rfc6030-figure3.xml");
    let small = PskcOptions {
        max_bytes: 100,
        ..PskcOptions::default()
    };
    assert_eq!(
        import_pskc(fig3.as_bytes(), &small).unwrap_err(),
        PskcError::TooLarge {
            size: fig3.len(),
            limit: 100
        }
    );
    let few = PskcOptions {
        max_elements: 5,
        ..PskcOptions::default()
    };
    assert_eq!(
        import_pskc(fig3.as_bytes(), &few).unwrap_err(),
        PskcError::TooManyElements { limit: 5 }
    );
    // "Billion laughs" and external entities never get a chance: the DOCTYPE is refused.
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<KeyContainer Version="1.0"><KeyPackage><Key><Issuer>&lol2;</Issuer></Key></KeyPackage>
</KeyContainer>"#;
    assert_eq!(
        import_pskc(laughs.as_bytes(), &PskcOptions::default()).unwrap_err(),
        PskcError::Doctype
    );
    let external = concat!(
        r#"<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>"#,
        "<KeyContainer>&xxe;</KeyContainer>"
    );
    assert_eq!(
        import_pskc(external.as_bytes(), &PskcOptions::default()).unwrap_err(),
        PskcError::Doctype
    );
    // Without a DOCTYPE an entity reference is simply undeclared.
    let undeclared = fig3.replace("Issuer</Issuer>", "&xxe;</Issuer>");
    assert_eq!(
        import_pskc(undeclared.as_bytes(), &PskcOptions::default()).unwrap_err(),
        PskcError::UnknownEntity { name: "xxe".into() }
    );
    // UTF-16 (with its byte order mark, as editors write it) is not accepted.
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(fig3.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    assert_eq!(
        import_pskc(&utf16, &PskcOptions::default()).unwrap_err(),
        PskcError::NotUtf8
    );
    // A UTF-8 byte order mark is fine.
    let bom = format!("\u{feff}{fig3}");
    assert!(parse_pskc(bom.as_bytes(), &PskcOptions::default()).is_ok());
}

#[test]
fn wrong_key_for_a_vendor_file() {
    let xml = Writer::encrypted(PSK).write(&batch());
    assert!(matches!(
        import_pskc(xml.as_bytes(), &with_psk(&FIGURE6_PSK)),
        Err(PskcError::WrongPreSharedKey | PskcError::MacMismatch { .. })
    ));
}
