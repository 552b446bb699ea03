//! RFC 6030's own examples (Figures 2-7, copied verbatim into `tests/fixtures/`).

use firma_otp::pskc::{KeyLocation, ResponseFormat};
use firma_otp::{
    Digits, OtpDeviceState, OtpHash, PskcError, PskcOptions, TokenKind, VerifyPolicy, import_pskc,
    parse_pskc, verify_hotp,
};

use crate::support::{FIGURE6_PSK, fixture, fixture_text};

fn location(package: usize, key_id: &str, serial: Option<&str>) -> KeyLocation {
    KeyLocation {
        package,
        key_id: Some(key_id.into()),
        serial: serial.map(Into::into),
    }
}

fn with_psk(psk: &[u8]) -> PskcOptions<'_> {
    PskcOptions {
        pre_shared_key: Some(psk),
        ..PskcOptions::default()
    }
}

#[test]
fn figure2_basic_container_parses_but_has_no_serial() {
    let container = parse_pskc(&fixture("rfc6030-figure2.xml"), &PskcOptions::default())
        .expect("Figure 2 parses");
    assert_eq!(container.id.as_deref(), Some("exampleID1"));
    assert_eq!(container.packages.len(), 1);
    let key = &container.packages[0];
    assert_eq!(key.location, location(1, "12345678", None));
    assert_eq!(
        key.algorithm.as_deref(),
        Some("urn:ietf:params:xml:ns:keyprov:pskc:hotp")
    );
    assert_eq!(key.issuer.as_deref(), Some("Issuer-A"));
    let secret = key.secret.as_ref().expect("Figure 2 has a secret");
    assert_eq!(secret.expose_secret_bytes(), b"1234");
    // A token needs a serial number: the import names the key.
    let err = import_pskc(&fixture("rfc6030-figure2.xml"), &PskcOptions::default()).unwrap_err();
    assert_eq!(
        err,
        PskcError::MissingSerial {
            location: location(1, "12345678", None)
        }
    );
    assert!(err.to_string().contains("12345678"), "{err}");
}

#[test]
fn figure3_imports_to_the_documented_secret() {
    let tokens = import_pskc(&fixture("rfc6030-figure3.xml"), &PskcOptions::default())
        .expect("Figure 3 imports");
    assert_eq!(tokens.len(), 1);
    let t = &tokens[0];
    assert_eq!(t.serial, "987654321");
    assert_eq!(t.manufacturer.as_deref(), Some("Manufacturer"));
    assert_eq!(t.kind, TokenKind::Hotp { counter: 0 });
    assert_eq!(t.digits, Digits::EIGHT);
    assert_eq!(t.hash, OtpHash::Sha1);
    assert_eq!(t.seed.expose_secret_bytes(), b"12345678901234567890");
    // And the imported token verifies RFC 4226's first code (8 digits: 84755224).
    let firma_otp::OtpParams::Hotp(params) = t.params() else {
        panic!("HOTP expected");
    };
    let v = verify_hotp(
        &t.seed,
        &params,
        &t.initial_state(),
        &VerifyPolicy::default(),
        "84755224",
    );
    assert!(v.is_accepted());
    assert_eq!(v.state, OtpDeviceState::hotp(1));
    // The raw view keeps the response format and counter.
    let raw = parse_pskc(&fixture("rfc6030-figure3.xml"), &PskcOptions::default()).expect("parses");
    assert_eq!(
        raw.packages[0].response_format,
        Some(ResponseFormat {
            length: 8,
            encoding: Some("DECIMAL".into())
        })
    );
    assert_eq!(raw.packages[0].counter, Some(0));
}

#[test]
fn figure4_key_derivation_values_have_no_secret() {
    let container =
        parse_pskc(&fixture("rfc6030-figure4.xml"), &PskcOptions::default()).expect("parses");
    assert!(container.packages[0].secret.is_none());
    assert_eq!(container.packages[0].counter, Some(0));
    assert_eq!(
        import_pskc(&fixture("rfc6030-figure4.xml"), &PskcOptions::default()).unwrap_err(),
        PskcError::MissingElement {
            location: location(1, "12345678", Some("987654321")),
            element: "Data/Secret"
        }
    );
}

#[test]
fn figure5_pin_key_is_an_unsupported_algorithm() {
    let container =
        parse_pskc(&fixture("rfc6030-figure5.xml"), &PskcOptions::default()).expect("parses");
    assert_eq!(container.packages.len(), 2);
    assert_eq!(
        container.packages[0]
            .secret
            .as_ref()
            .map(|s| s.expose_secret_bytes().to_vec()),
        Some(b"12345678901234567890".to_vec())
    );
    assert_eq!(
        container.packages[1]
            .secret
            .as_ref()
            .map(|s| s.expose_secret_bytes().to_vec()),
        Some(b"1234".to_vec())
    );
    let err = import_pskc(&fixture("rfc6030-figure5.xml"), &PskcOptions::default()).unwrap_err();
    assert_eq!(
        err,
        PskcError::UnsupportedAlgorithm {
            location: location(2, "123456781", Some("987654321")),
            algorithm: "urn:ietf:params:xml:ns:keyprov:pskc:pin".into()
        }
    );
    let message = err.to_string();
    assert!(
        message.contains("123456781") && message.contains("987654321"),
        "{message}"
    );
}

#[test]
fn figure6_encrypted_with_pre_shared_key_and_mac() {
    let container = parse_pskc(&fixture("rfc6030-figure6.xml"), &with_psk(&FIGURE6_PSK))
        .expect("Figure 6 decrypts");
    assert_eq!(container.key_name.as_deref(), Some("Pre-shared-key"));
    let tokens = import_pskc(&fixture("rfc6030-figure6.xml"), &with_psk(&FIGURE6_PSK))
        .expect("Figure 6 imports");
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].serial, "987654321");
    assert_eq!(
        tokens[0].seed.expose_secret_bytes(),
        b"12345678901234567890"
    );
    assert_eq!(tokens[0].kind, TokenKind::Hotp { counter: 0 });
    assert_eq!(tokens[0].digits, Digits::EIGHT);
}

#[test]
fn figure6_tampered_value_mac_is_refused() {
    let text = fixture_text("rfc6030-figure6.xml");
    let tampered = text.replace(
        "Su+NvtQfmvfJzF6bmQiJqoLRExc=",
        "Su+MvtQfmvfJzF6bmQiJqoLRExc=",
    );
    assert_ne!(tampered, text);
    let err = import_pskc(tampered.as_bytes(), &with_psk(&FIGURE6_PSK)).unwrap_err();
    assert_eq!(
        err,
        PskcError::MacMismatch {
            location: location(1, "12345678", Some("987654321")),
            element: "Secret"
        }
    );
    assert!(err.to_string().contains("987654321"), "{err}");
}

#[test]
fn figure6_tampered_ciphertext_is_refused_before_decryption() {
    let text = fixture_text("rfc6030-figure6.xml");
    // Flip one base64 character of the secret's ciphertext (last block).
    let tampered = text.replace("UqGv", "UqGw");
    assert_ne!(tampered, text);
    assert!(matches!(
        import_pskc(tampered.as_bytes(), &with_psk(&FIGURE6_PSK)),
        Err(PskcError::MacMismatch {
            element: "Secret",
            ..
        })
    ));
    // Tampering with the encrypted MAC key is caught as well (bad padding or wrong MAC).
    let mac_key_tampered = text.replace("R7I5wSX", "R7I5wSY");
    assert_ne!(mac_key_tampered, text);
    assert!(matches!(
        import_pskc(mac_key_tampered.as_bytes(), &with_psk(&FIGURE6_PSK)),
        Err(PskcError::WrongPreSharedKey | PskcError::MacMismatch { .. })
    ));
}

#[test]
fn figure6_wrong_or_missing_pre_shared_key() {
    let file = fixture("rfc6030-figure6.xml");
    let wrong = [0u8; 16];
    assert_eq!(
        import_pskc(&file, &with_psk(&wrong)).unwrap_err(),
        PskcError::WrongPreSharedKey
    );
    let mut off_by_one = FIGURE6_PSK;
    off_by_one[15] ^= 1;
    assert!(matches!(
        import_pskc(&file, &with_psk(&off_by_one)),
        Err(PskcError::WrongPreSharedKey | PskcError::MacMismatch { .. })
    ));
    assert_eq!(
        import_pskc(&file, &PskcOptions::default()).unwrap_err(),
        PskcError::PreSharedKeyRequired {
            key_name: Some("Pre-shared-key".into())
        }
    );
    assert_eq!(
        import_pskc(&file, &with_psk(&[0x12; 32])).unwrap_err(),
        PskcError::PreSharedKeyLength {
            algorithm: "AES-128-CBC",
            expected: 16,
            actual: 32
        }
    );
}

#[test]
fn figure6_without_mac_is_refused() {
    let text = fixture_text("rfc6030-figure6.xml");
    let start = text.find("<ValueMAC>").expect("has ValueMAC");
    let end = text.find("</ValueMAC>").expect("has ValueMAC") + "</ValueMAC>".len();
    let no_value_mac = format!("{}{}", &text[..start], &text[end..]);
    assert_eq!(
        import_pskc(no_value_mac.as_bytes(), &with_psk(&FIGURE6_PSK)).unwrap_err(),
        PskcError::MissingMac {
            location: location(1, "12345678", Some("987654321")),
            element: "Secret"
        }
    );
    let start = text.find("<MACMethod").expect("has MACMethod");
    let end = text.find("</MACMethod>").expect("has MACMethod") + "</MACMethod>".len();
    let no_method = format!("{}{}", &text[..start], &text[end..]);
    assert!(matches!(
        import_pskc(no_method.as_bytes(), &with_psk(&FIGURE6_PSK)),
        Err(PskcError::MissingMac { .. })
    ));
    let sha1_uri = "http://www.w3.org/2000/09/xmldsig#hmac-sha1";
    let md5 = text.replace(sha1_uri, "http://www.w3.org/2001/04/xmldsig-more#hmac-md5");
    assert!(matches!(
        import_pskc(md5.as_bytes(), &with_psk(&FIGURE6_PSK)),
        Err(PskcError::UnsupportedMac { .. })
    ));
}

#[test]
fn figure7_passphrase_encryption_is_refused_clearly() {
    let err = import_pskc(&fixture("rfc6030-figure7.xml"), &with_psk(&FIGURE6_PSK)).unwrap_err();
    assert!(
        matches!(err, PskcError::UnsupportedKeyProtection { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("6.2"), "{err}");
}
