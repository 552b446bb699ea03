//! Property tests: the PSKC parser returns an error or a result, never panics, on arbitrary bytes
//! and on mutations of real files (RFC 6030 Figures 3 and 6, an encrypted vendor batch).

use firma_otp::{PskcOptions, import_pskc};
use proptest::prelude::*;

use crate::support::{FIGURE6_PSK, Package, SEED_SHA1, SEED_SHA256, Writer, fixture};

fn corpus() -> Vec<Vec<u8>> {
    let vendor = Writer::encrypted(FIGURE6_PSK).write(&[
        Package::hotp("F-1", SEED_SHA1),
        Package {
            suite: Some("HMAC-SHA256"),
            drift: Some(3),
            ..Package::totp("F-2", SEED_SHA256, 30)
        },
    ]);
    vec![
        fixture("rfc6030-figure3.xml"),
        fixture("rfc6030-figure6.xml"),
        vendor.into_bytes(),
    ]
}

#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    // Bytes biased to XML syntax, so mutations reach deep into the parser.
    let byte = prop_oneof![
        Just(b'<'),
        Just(b'>'),
        Just(b'/'),
        Just(b'&'),
        Just(b'"'),
        Just(b'='),
        Just(b';'),
        Just(b'#'),
        any::<u8>(),
    ];
    prop_oneof![
        (any::<usize>(), byte).prop_map(|(i, b)| Edit::Replace(i, b)),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(i, v)| Edit::Insert(i, v)),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Edit::Delete(i, n)),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn apply(mut data: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let len = data.len().max(1);
        match e {
            Edit::Replace(i, b) => {
                if !data.is_empty() {
                    let at = i % data.len();
                    data[at] = *b;
                }
            }
            Edit::Insert(i, bytes) => {
                let at = i % (data.len() + 1);
                data.splice(at..at, bytes.iter().copied());
            }
            Edit::Delete(i, n) => {
                let at = i % len;
                let end = (at + n).min(data.len());
                if at < end {
                    data.drain(at..end);
                }
            }
            Edit::Truncate(i) => data.truncate(i % len),
        }
    }
    data
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _ = import_pskc(&data, &PskcOptions::default());
        let options = PskcOptions {
            pre_shared_key: Some(&FIGURE6_PSK),
            ..PskcOptions::default()
        };
        let _ = import_pskc(&data, &options);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "[<>/=\"a-zA-Z0-9&#; :!?\\[\\]-]{0,2000}") {
        let _ = import_pskc(text.as_bytes(), &PskcOptions::default());
    }

    #[test]
    fn mutated_files_never_panic(
        which in 0usize..3,
        edits in prop::collection::vec(edit(), 1..8),
    ) {
        let base = corpus().swap_remove(which);
        let mutated = apply(base, &edits);
        let options = PskcOptions { pre_shared_key: Some(&FIGURE6_PSK), ..PskcOptions::default() };
        // Either outcome is fine; what matters is that there is one.
        match import_pskc(&mutated, &options) {
            Ok(tokens) => prop_assert!(!tokens.is_empty()),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}

#[test]
fn the_unmutated_corpus_imports() {
    let options = PskcOptions {
        pre_shared_key: Some(&FIGURE6_PSK),
        ..PskcOptions::default()
    };
    for (i, file) in corpus().iter().enumerate() {
        assert!(import_pskc(file, &options).is_ok(), "corpus file {i}");
    }
}
