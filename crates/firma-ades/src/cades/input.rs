//! Reading a CMS file as it arrives: DER (the `.p7m` / `.p7s` norm), or base64 of it, bare or
//! with PEM armour (RFC 7468 section 9, `-----BEGIN PKCS7-----` / `CMS`), as some Italian
//! tools write `.p7m` files.

use std::borrow::Cow;

use base64::Engine as _;

use super::CadesError;

/// Largest base64 text accepted (the decoded file is three quarters of it).
const MAX_TEXT: usize = 1 << 30;

/// The DER (or BER) bytes of a CMS file given as binary, base64 or PEM.
pub fn decode_cms_input(input: &[u8]) -> Result<Cow<'_, [u8]>, CadesError> {
    let start = input
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .ok_or(CadesError::Empty)?;
    if input[start] == 0x30 && start == 0 {
        return Ok(Cow::Borrowed(input));
    }
    if input.len() > MAX_TEXT {
        return Err(CadesError::NotCms);
    }
    let text = std::str::from_utf8(&input[start..]).map_err(|_| CadesError::NotCms)?;
    let body: String = if text.starts_with("-----BEGIN ") {
        let mut lines = text.lines();
        let begin = lines.next().unwrap_or_default().trim();
        let label = begin
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
            .ok_or_else(|| CadesError::Base64("bad PEM header line".into()))?;
        if !matches!(label, "PKCS7" | "CMS" | "PKCS #7 SIGNED DATA") {
            return Err(CadesError::Base64(format!(
                "PEM label {label} is not PKCS7 or CMS"
            )));
        }
        let end = format!("-----END {label}-----");
        let mut body = String::new();
        let mut closed = false;
        for line in lines {
            let line = line.trim();
            if line == end {
                closed = true;
                break;
            }
            if line.contains(':') {
                continue; // RFC 1421 headers are not used by RFC 7468 but tolerated
            }
            body.push_str(line);
        }
        if !closed {
            return Err(CadesError::Base64(format!("no {end} line")));
        }
        body
    } else {
        let body: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        if !body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=')
        {
            return Err(CadesError::NotCms);
        }
        body
    };
    let der = base64::engine::general_purpose::STANDARD
        .decode(body.as_bytes())
        .map_err(|e| CadesError::Base64(e.to_string()))?;
    if der.first() != Some(&0x30) {
        return Err(CadesError::NotCms);
    }
    Ok(Cow::Owned(der))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_der_base64_and_pem() {
        let der = [0x30u8, 0x03, 0x02, 0x01, 0x01];
        assert_eq!(&*decode_cms_input(&der).unwrap(), &der);
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        assert_eq!(
            &*decode_cms_input(format!("{b64}\r\n").as_bytes()).unwrap(),
            &der
        );
        let pem = format!("-----BEGIN PKCS7-----\n{b64}\n-----END PKCS7-----\n");
        assert_eq!(&*decode_cms_input(pem.as_bytes()).unwrap(), &der);
    }

    #[test]
    fn refuses_other_things() {
        assert!(matches!(decode_cms_input(b""), Err(CadesError::Empty)));
        assert!(matches!(decode_cms_input(b"  \n"), Err(CadesError::Empty)));
        assert!(matches!(
            decode_cms_input(b"%PDF-1.7"),
            Err(CadesError::NotCms)
        ));
        assert!(matches!(
            decode_cms_input(&[0xff, 0xfe]),
            Err(CadesError::NotCms)
        ));
        assert!(matches!(decode_cms_input(b"QUJD"), Err(CadesError::NotCms))); // "ABC"
        assert!(matches!(
            decode_cms_input(b"-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----"),
            Err(CadesError::Base64(_))
        ));
        assert!(matches!(
            decode_cms_input(b"MAM=A"),
            Err(CadesError::Base64(_))
        ));
    }
}
