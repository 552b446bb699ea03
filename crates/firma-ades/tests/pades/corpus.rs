//! Every signable corpus file is signed and the result judged by pyHanko, pdfsig and qpdf:
//! earlier signatures stay valid, the update is an allowed modification, the structure is sound.

use firma_ades::pdf::Document;

use super::support::*;

/// Signs `name` (which already holds `earlier` signatures) and validates the output.
/// `strict: false` runs pyHanko with `--no-strict-syntax`, needed for hybrid-reference files
/// (pyHanko's strict mode refuses them, see VALIDATORS.md) and for the damaged file.
fn sign_and_validate(name: &str, earlier: usize, strict: bool) -> Vec<u8> {
    let original = corpus(name);
    let signed = sign(&original, &options()).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(
        &signed[..original.len()],
        &original[..],
        "{name}: original bytes changed"
    );

    let before = Document::parse(&original).expect("original parses");
    let after = Document::parse(&signed).expect("signed parses");
    assert_eq!(
        after.xref_form(),
        before.xref_form(),
        "{name}: the update's xref form"
    );
    assert!(
        after.startxref() > original.len(),
        "{name}: startxref points into the update"
    );
    let (_, catalog) = after.catalog().expect("catalog");
    let form = after.form_info(&catalog).expect("form");
    let signed_fields = form.fields.iter().filter(|f| f.signed).count();
    assert_eq!(signed_fields, earlier + 1, "{name}: {:?}", form.fields);

    let out = write(&format!("signed-{name}"), &signed);
    assert_pyhanko_valid(&out, earlier + 1, strict);
    assert_pdfsig_valid(&out, earlier + 1);
    assert_qpdf_no_new_problems(&corpus_path(name), &out);
    signed
}

#[test]
fn classic_xref_pdf_1_4() {
    sign_and_validate("atto-classic-1.4.pdf", 0, true);
}

#[test]
fn classic_xref_pdf_1_3() {
    sign_and_validate("simple-1.3.pdf", 0, true);
}

#[test]
fn xref_stream_with_predictor() {
    sign_and_validate("xref-stream-1.5.pdf", 0, true);
}

#[test]
fn object_streams_from_qpdf() {
    sign_and_validate("objstm-qpdf-1.7.pdf", 0, true);
}

#[test]
fn pdf_2_0_with_object_streams() {
    sign_and_validate("pdf-2.0.pdf", 0, true);
}

#[test]
fn hybrid_reference_file() {
    // pyHanko refuses hybrid files in strict mode; --no-strict-syntax (VALIDATORS.md).
    sign_and_validate("hybrid-1.5.pdf", 0, false);
}

#[test]
fn linearized_classic() {
    sign_and_validate("linearized.pdf", 0, true);
}

#[test]
fn linearized_with_object_streams() {
    sign_and_validate("linearized-objstm.pdf", 0, true);
}

#[test]
fn form_with_fields_and_empty_signature_field() {
    let signed = sign_and_validate("form-1.6.pdf", 0, true);
    let doc = Document::parse(&signed).unwrap();
    let (_, catalog) = doc.catalog().unwrap();
    let names: Vec<String> = doc
        .form_info(&catalog)
        .unwrap()
        .fields
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(names, ["nome", "consenso", "FirmaUfficiale", "Signature1"]);
}

#[test]
fn form_with_inline_acroform_and_indirect_annots() {
    sign_and_validate("form-inline-1.7.pdf", 0, true);
}

#[test]
fn damaged_offsets_are_recovered() {
    // The xref offsets are all 2 bytes off and startxref 3 bytes off. qpdf warns on the input;
    // the update lists the misplaced objects at their true offsets, so the signed file reads
    // without repair (qpdf: no warning, pyHanko in strict mode).
    let signed = sign_and_validate("damaged-offsets.pdf", 0, true);
    let (_, problems) = qpdf_problems(&write("damaged-signed.pdf", &signed));
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn signed_once_by_pyhanko() {
    sign_and_validate("signed-once.pdf", 1, true);
}

#[test]
fn signed_twice_by_pyhanko() {
    sign_and_validate("signed-twice.pdf", 2, true);
}

#[test]
fn certified_allowing_form_filling_and_signing() {
    sign_and_validate("certified-p2-form.pdf", 1, true);
}

#[test]
fn our_own_signatures_stack() {
    for name in [
        "atto-classic-1.4.pdf",
        "xref-stream-1.5.pdf",
        "signed-once.pdf",
    ] {
        let mut pdf = corpus(name);
        let earlier = if name == "signed-once.pdf" { 1 } else { 0 };
        for round in 1..=3 {
            pdf = sign(&pdf, &options()).unwrap_or_else(|e| panic!("{name} round {round}: {e}"));
        }
        let out = write(&format!("thrice-{name}"), &pdf);
        assert_pyhanko_valid(&out, earlier + 3, true);
        assert_qpdf_no_new_problems(&corpus_path(name), &out);
        let verdicts = pdfsig_verdicts(&out);
        assert_eq!(verdicts.len(), earlier + 3, "{verdicts:?}");
        assert!(
            verdicts.iter().all(|v| v.ends_with("Signature is Valid.")),
            "{verdicts:?}"
        );
    }
}
