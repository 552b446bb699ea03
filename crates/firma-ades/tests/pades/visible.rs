//! A visible signature: the appearance is drawn where asked (checked by rendering with poppler's
//! pdftoppm) and its text, with Italian accented letters, reads back (pdftotext).

use std::path::Path;

use firma_ades::pades::Appearance;

use super::support::*;

/// Renders page `page` (1-based) at 72 dpi in grey: (width, height, pixels).
fn render(pdf: &Path, page: usize, name: &str) -> (usize, usize, Vec<u8>) {
    let prefix = env().dir.join(name);
    let p = page.to_string();
    let out = tool(
        "pdftoppm",
        "poppler-utils",
        &[
            "-f",
            &p,
            "-l",
            &p,
            "-r",
            "72",
            "-gray",
            "-singlefile",
            s(pdf),
            s(&prefix),
        ],
    );
    ok(&out, "pdftoppm");
    let pgm = std::fs::read(prefix.with_extension("pgm")).expect("pgm");
    // Binary PGM: "P5\n<w> <h>\n255\n" then one byte per pixel.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&pgm[start..at]).into_owned());
    }
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (w, h, pgm[at + 1..].to_vec())
}

#[test]
fn visible_signature_on_page_two() {
    let pdf = corpus("atto-classic-1.4.pdf");
    let rect = [300.0, 40.0, 560.0, 120.0];
    let mut opts = options();
    opts.details.appearance = Some(Appearance {
        page_index: 1,
        rect,
        signer_name: "Niccolò Dell'Àcqua".into(),
        role: Some("Ufficiale dello stato civile".into()),
        comune: Some("Comune di Forlì".into()),
    });
    let signed = sign(&pdf, &opts).unwrap();
    let out = write("visible.pdf", &signed);
    assert_pyhanko_valid(&out, 1, true);
    assert_pdfsig_valid(&out, 1);
    assert_qpdf_no_new_problems(&corpus_path("atto-classic-1.4.pdf"), &out);

    let (w, h, before) = render(&corpus_path("atto-classic-1.4.pdf"), 2, "page2-before");
    let (w2, h2, after) = render(&out, 2, "page2-after");
    assert_eq!((w, h), (w2, h2));
    let inside = |x: usize, y: usize| {
        let (px, py) = (x as f64, (h - y) as f64);
        px >= rect[0] - 1.0 && px <= rect[2] + 1.0 && py >= rect[1] - 1.0 && py <= rect[3] + 1.0
    };
    let (mut changed_inside, mut changed_outside) = (0, 0);
    for y in 0..h {
        for x in 0..w {
            if before[y * w + x] != after[y * w + x] {
                if inside(x, y) {
                    changed_inside += 1
                } else {
                    changed_outside += 1
                }
            }
        }
    }
    assert!(
        changed_inside > 500,
        "the appearance is not drawn: {changed_inside} pixels"
    );
    assert_eq!(changed_outside, 0, "pixels changed outside the rectangle");
    // Page 1 is untouched.
    assert_eq!(
        render(&corpus_path("atto-classic-1.4.pdf"), 1, "p1a").2,
        render(&out, 1, "p1b").2
    );

    let txt = tool(
        "pdftotext",
        "poppler-utils",
        &["-f", "2", "-l", "2", s(&out), "-"],
    );
    let txt = String::from_utf8_lossy(&txt.stdout);
    for line in [
        "Firmato digitalmente da",
        "Niccolò Dell'Àcqua",
        "Ufficiale dello stato civile",
        "Comune di Forlì",
        "Data: 02/03/2026 10:30:00 UTC",
    ] {
        assert!(txt.contains(line), "{line:?} not in the page text:\n{txt}");
    }
}
