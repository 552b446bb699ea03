//! The two-phase API: prepare, hash the byte range outside, finish; sizes and misuse.

use firma_ades::cms::{CmsOptions, estimated_max_len, sign_detached_digest};
use firma_ades::pades::{self, PadesError, PadesOptions, SignatureDetails};
use firma_core::{HashAlgorithm, KeySpec, SignatureAlgorithm};
use firma_testkit::pki::TestPki;
use sha2::Digest;

use super::support::*;

#[test]
fn prepare_hash_finish_gives_a_valid_signature() {
    let pdf = corpus("objstm-qpdf-1.7.pdf");
    let spec = KeySpec::EcP256;
    let alg = algorithm(spec);
    let chain = chain(spec);
    let details = SignatureDetails::new(TestPki::valid_at());
    let prepared = pades::prepare(&pdf, &details, estimated_max_len(&chain, alg, false)).unwrap();

    // Hashing the parts one after the other equals hashing the byte range of the final file.
    let mut h = sha2::Sha256::new();
    for part in prepared.signed_parts(&pdf).unwrap() {
        h.update(part);
    }
    let streamed = h.finalize().to_vec();
    let digest = prepared.digest(&pdf, HashAlgorithm::Sha256).unwrap();
    assert_eq!(streamed, digest);

    let key = TestPki::shared(spec).signer.key.clone();
    let opts = CmsOptions::default();
    let cms = sign_detached_digest(key.as_ref(), alg, &chain, &digest, &opts).unwrap();
    let br = prepared.byte_range();
    let update = prepared.clone().finish(&cms).unwrap();
    let mut signed = pdf.clone();
    signed.extend_from_slice(&update);
    assert_eq!(signed, prepared.into_signed_pdf(&pdf, &cms).unwrap());

    // The /ByteRange written in the file is the one reported, and covers all but /Contents.
    let (a, b, c) = (br[1] as usize, br[2] as usize, br[3] as usize);
    assert_eq!(br[0], 0);
    assert_eq!(b + c, signed.len());
    assert_eq!(signed[a], b'<');
    assert_eq!(signed[b - 1], b'>');
    let mut range = signed[..a].to_vec();
    range.extend_from_slice(&signed[b..]);
    assert_eq!(sha2::Sha256::digest(&range).to_vec(), digest);
    let text = String::from_utf8_lossy(&signed[a - 80..a]).into_owned();
    assert!(
        text.contains(&format!("/ByteRange [0 {a} {b} {c}]")),
        "{text}"
    );

    let out = write("two-phase.pdf", &signed);
    assert_pyhanko_valid(&out, 1, true);
    assert_pdfsig_valid(&out, 1);
}

#[test]
fn contents_too_small_and_wrong_document() {
    let pdf = corpus("atto-classic-1.4.pdf");
    let details = SignatureDetails::new(TestPki::valid_at());
    let prepared = pades::prepare(&pdf, &details, 64).unwrap();
    assert_eq!(prepared.contents_capacity(), 64);
    let e = prepared.clone().finish(&[0x30; 65]).unwrap_err();
    assert!(
        matches!(
            e,
            PadesError::ContentsTooSmall {
                needed: 65,
                available: 64
            }
        ),
        "{e:?}"
    );
    let e = prepared
        .digest(&pdf[1..], HashAlgorithm::Sha256)
        .unwrap_err();
    assert!(matches!(e, PadesError::WrongDocument { .. }), "{e:?}");
}

#[test]
fn rsa_pkcs1_and_pss_signatures() {
    let pdf = corpus("form-inline-1.7.pdf");
    let spec = KeySpec::Rsa2048;
    let pki = TestPki::shared(spec);
    for alg in [
        SignatureAlgorithm::RsaPkcs1v15(HashAlgorithm::Sha256),
        SignatureAlgorithm::RsaPss(HashAlgorithm::Sha256),
    ] {
        let signed =
            pades::sign(&pdf, pki.signer.key.as_ref(), alg, &chain(spec), &options()).unwrap();
        let out = write(&format!("rsa-{alg:?}.pdf"), &signed);
        assert_pyhanko_valid(&out, 1, true);
        assert_pdfsig_valid(&out, 1);
    }
}

#[test]
fn b_t_carries_a_signature_timestamp() {
    let pdf = corpus("atto-classic-1.4.pdf");
    let tsa = tsa(KeySpec::EcP256);
    let opts = PadesOptions::new(TestPki::valid_at()).with_timestamp(&tsa);
    let signed = sign(&pdf, &opts).unwrap();
    let out = write("b-t.pdf", &signed);
    assert_pyhanko_valid(&out, 1, true);
    let pretty = text(&pyhanko_validate(&out, true, true));
    for expected in [
        "Signature timestamp token: 2026-03-02T10:30:00",
        "The timestamp token is cryptographically sound.",
        "The TSA certificate is trusted.",
    ] {
        assert!(
            pretty.contains(expected),
            "pyHanko: {expected:?} missing:\n{pretty}"
        );
    }
    assert_pdfsig_valid(&out, 1);
}

#[test]
fn signature_dictionary_entries() {
    let pdf = corpus("simple-1.3.pdf");
    let mut opts = options();
    opts.details.name = Some("ROSSI MARIO".into());
    opts.details.reason = Some("Formazione atto di nascita".into());
    opts.details.location = Some("Forlì".into());
    opts.details.field_name = Some("FirmaUfficiale".into());
    let signed = sign(&pdf, &opts).unwrap();
    let update = String::from_utf8_lossy(&signed[pdf.len()..]).into_owned();
    for expected in [
        "/Type /Sig",
        "/Filter /Adobe.PPKLite",
        "/SubFilter /ETSI.CAdES.detached",
        "/M (D:20260302103000+00'00')",
        "/Name (ROSSI MARIO)",
        "/Reason (Formazione atto di nascita)",
        "/T (FirmaUfficiale)",
        "/F 132",
        "/Rect [0 0 0 0]",
        "/SigFlags 3",
    ] {
        assert!(
            update.contains(expected),
            "missing {expected} in the update:\n{update}"
        );
    }
    // Non-ASCII text strings are UTF-16BE with a byte order mark.
    assert!(
        update.contains("/Location <FEFF0046006F0072006C00EC>"),
        "{update}"
    );
    let out = write("entries.pdf", &signed);
    let pretty = text(&pyhanko_validate(&out, true, true));
    assert!(pretty.contains("FirmaUfficiale"), "{pretty}");
    assert_pyhanko_valid(&out, 1, true);
}
