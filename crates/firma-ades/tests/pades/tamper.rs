//! A byte changed inside the signed range is detected by pyHanko and pdfsig.

use super::support::*;

fn flip(signed: &[u8], needle: &[u8]) -> Vec<u8> {
    let at = signed
        .windows(needle.len())
        .rposition(|w| w == needle)
        .unwrap_or_else(|| panic!("{:?} not found", String::from_utf8_lossy(needle)));
    let mut out = signed.to_vec();
    out[at] ^= 0x01;
    out
}

fn assert_detected(tampered: &[u8], name: &str) {
    let path = write(name, tampered);
    let out = pyhanko_validate(&path, true, false);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success() && !stdout.contains(":INTACT:"),
        "pyHanko did not detect the change in {name}:\n{}",
        text(&out)
    );
    let verdicts = pdfsig_verdicts(&path);
    assert_eq!(verdicts.len(), 1, "{verdicts:?}");
    assert!(
        !verdicts[0].ends_with("Signature is Valid."),
        "pdfsig: {verdicts:?}"
    );
}

#[test]
fn change_in_original_content_is_detected() {
    let signed = sign(&corpus("atto-classic-1.4.pdf"), &options()).unwrap();
    // The Info dictionary's title, a byte of the original document (first range).
    assert_detected(&flip(&signed, b"Atto di nascita"), "tampered-original.pdf");
}

#[test]
fn change_in_the_update_after_contents_is_detected() {
    let signed = sign(&corpus("xref-stream-1.5.pdf"), &options()).unwrap();
    // /M in the signature dictionary comes before /Contents; the trailer after it: flip a digit
    // of the field name in the widget (first range) and of startxref's keyword line (second).
    assert_detected(&flip(&signed, b"Signature1"), "tampered-widget.pdf");
    let signed = sign(&corpus("atto-classic-1.4.pdf"), &options()).unwrap();
    let tail = signed.len() - 30;
    let mut t = signed.clone();
    // Inside the second range: a byte of the trailer dictionary after /Contents.
    let at = signed[..tail]
        .windows(5)
        .rposition(|w| w == b"/Root")
        .expect("trailer /Root");
    t[at + 1] = b'X';
    assert_detected(&t, "tampered-trailer.pdf");
}
