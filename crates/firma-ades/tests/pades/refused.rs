//! Inputs that cannot be signed safely are refused with their specific error.

use firma_ades::pades::{Appearance, PadesError, PadesOptions, SignatureDetails};
use firma_ades::pdf::PdfError;
use firma_testkit::pki::TestPki;

use super::support::*;

fn refuse(name: &str) -> PadesError {
    match sign(&corpus(name), &options()) {
        Ok(_) => panic!("{name} was signed but must be refused"),
        Err(e) => e,
    }
}

#[test]
fn not_a_pdf() {
    let e = refuse("not-a-pdf.pdf");
    assert!(matches!(e, PadesError::Pdf(PdfError::NotPdf(_))), "{e:?}");
    assert!(e.to_string().contains("not a PDF"), "{e}");
}

#[test]
fn truncated_is_damaged_beyond_repair() {
    let e = refuse("truncated.pdf");
    assert!(matches!(e, PadesError::Pdf(PdfError::Damaged(_))), "{e:?}");
}

#[test]
fn encrypted_with_user_password() {
    let e = refuse("encrypted-user-password.pdf");
    assert!(
        matches!(&e, PadesError::Pdf(PdfError::Encrypted { filter }) if filter == "/Standard"),
        "{e:?}"
    );
    assert!(e.to_string().contains("qpdf --decrypt"), "{e}");
}

#[test]
fn encrypted_with_owner_password_only() {
    let e = refuse("encrypted-owner-only.pdf");
    assert!(
        matches!(e, PadesError::Pdf(PdfError::Encrypted { .. })),
        "{e:?}"
    );
}

#[test]
fn certified_no_changes_allowed() {
    let e = refuse("certified-p1.pdf");
    assert!(matches!(e, PadesError::CertifiedNoChanges), "{e:?}");
}

#[test]
fn page_out_of_range_and_bad_rectangle() {
    let pdf = corpus("atto-classic-1.4.pdf");
    let mut details = SignatureDetails::new(TestPki::valid_at());
    details.appearance = Some(Appearance {
        page_index: 3,
        rect: [50.0, 50.0, 250.0, 110.0],
        signer_name: "Mario Rossi".into(),
        role: None,
        comune: None,
    });
    let opts = PadesOptions {
        details: details.clone(),
        ..options()
    };
    let e = sign(&pdf, &opts).unwrap_err();
    assert!(
        matches!(e, PadesError::PageOutOfRange { page: 4, count: 3 }),
        "{e:?}"
    );
    if let Some(a) = details.appearance.as_mut() {
        a.page_index = 0;
        a.rect = [50.0, 50.0, 50.0, 110.0];
    }
    let opts = PadesOptions {
        details,
        ..options()
    };
    let e = sign(&pdf, &opts).unwrap_err();
    assert!(matches!(e, PadesError::InvalidAppearance(_)), "{e:?}");
}

#[test]
fn existing_field_names_are_not_reused() {
    let pdf = corpus("form-1.6.pdf");
    let mut opts = options();
    opts.details.field_name = Some("FirmaUfficiale".into());
    let e = sign(&pdf, &opts).unwrap_err();
    assert!(
        matches!(&e, PadesError::FieldNameTaken(n) if n == "FirmaUfficiale"),
        "{e:?}"
    );
    opts.details.field_name = Some("a.b".into());
    let e = sign(&pdf, &opts).unwrap_err();
    assert!(matches!(e, PadesError::InvalidFieldName(_)), "{e:?}");
}

#[test]
fn b_t_without_a_tsa() {
    let mut opts = options();
    opts.level = firma_ades::pades::PadesLevel::BT;
    let e = sign(&corpus("atto-classic-1.4.pdf"), &opts).unwrap_err();
    assert!(matches!(e, PadesError::TimestampRequired), "{e:?}");
}

/// A signed field whose FieldMDP lock has /P 1 (ISO 32000-2 clause 12.7.5.5) forbids any change;
/// with /P 2 signing is allowed.
#[test]
fn field_lock_with_no_changes_allowed() {
    let pdf = |p: u8| {
        classic(
            &[
                "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] /SigFlags 3 >> >>",
                "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>",
                "<< /Type /Page /Parent 2 0 R /Annots [4 0 R] >>",
                &format!(
                    "<< /FT /Sig /T (Blocco) /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R \
                     /V << /Type /Sig /Filter /Adobe.PPKLite >> \
                     /Lock << /Type /SigFieldLock /Action /All /P {p} >> >>"
                ),
            ],
            "",
        )
    };
    let e = sign(&pdf(1), &options()).unwrap_err();
    assert!(
        matches!(&e, PadesError::LockedNoChanges { field } if field == "Blocco"),
        "{e:?}"
    );
    let details = SignatureDetails::new(TestPki::valid_at());
    assert!(firma_ades::pades::prepare(&pdf(2), &details, 1024).is_ok());
}

#[test]
fn unreasonable_contents_sizes() {
    let details = SignatureDetails::new(TestPki::valid_at());
    let pdf = corpus("simple-1.3.pdf");
    for size in [0, usize::MAX] {
        let e = firma_ades::pades::prepare(&pdf, &details, size).unwrap_err();
        assert!(matches!(e, PadesError::InvalidContentsSize { .. }), "{e:?}");
    }
}
