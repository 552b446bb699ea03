//! Shared helpers: RFC seeds, a fixture loader, and a PSKC writer that encrypts and MACs the way
//! RFC 6030 section 6.1 describes, for vendor-like files the RFC has no example of.

#![allow(dead_code)]

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockModeEncrypt, KeyIvInit};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};

/// RFC 4226 Appendix D and RFC 6238 Appendix B (SHA-1) seed.
pub const SEED_SHA1: &[u8] = b"12345678901234567890";
/// RFC 6238 Appendix B SHA-256 seed (32 bytes).
pub const SEED_SHA256: &[u8] = b"12345678901234567890123456789012";
/// RFC 6238 Appendix B SHA-512 seed (64 bytes).
pub const SEED_SHA512: &[u8] = b"1234567890123456789012345678901234567890123456789012345678901234";

/// RFC 6030 Figure 6 pre-shared key.
pub const FIGURE6_PSK: [u8; 16] = [
    0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12,
];

pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read fixture {path}: {e}"))
}

pub fn fixture_text(name: &str) -> String {
    String::from_utf8(fixture(name)).expect("fixtures are UTF-8")
}

/// AES-128-CBC with PKCS#7 padding, IV prepended (RFC 6030 section 6.1).
pub fn encrypt(key: &[u8; 16], iv: &[u8; 16], plain: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; plain.len() + 16];
    buf[..plain.len()].copy_from_slice(plain);
    let ct = cbc::Encryptor::<aes::Aes128>::new(key.into(), iv.into())
        .encrypt_padded::<Pkcs7>(&mut buf, plain.len())
        .expect("buffer has room for padding")
        .to_vec();
    [iv.as_slice(), &ct].concat()
}

pub fn hmac_sha1(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(key).expect("any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

pub fn b64(data: &[u8]) -> String {
    STANDARD.encode(data)
}

/// A key package for [`Writer`].
pub struct Package<'a> {
    pub serial: Option<&'a str>,
    pub algorithm: &'a str,
    pub suite: Option<&'a str>,
    pub digits: u32,
    pub encoding: &'a str,
    pub secret: &'a [u8],
    pub counter: Option<u64>,
    pub interval: Option<u64>,
    pub drift: Option<i64>,
}

impl<'a> Package<'a> {
    pub fn hotp(serial: &'a str, secret: &'a [u8]) -> Self {
        Package {
            serial: Some(serial),
            algorithm: "urn:ietf:params:xml:ns:keyprov:pskc:hotp",
            suite: None,
            digits: 6,
            encoding: "DECIMAL",
            secret,
            counter: Some(0),
            interval: None,
            drift: None,
        }
    }

    pub fn totp(serial: &'a str, secret: &'a [u8], interval: u64) -> Self {
        Package {
            algorithm: "urn:ietf:params:xml:ns:keyprov:pskc:totp",
            counter: None,
            interval: Some(interval),
            ..Package::hotp(serial, secret)
        }
    }
}

/// Writes `pskc:`-prefixed containers as vendors do, plain or encrypted under a pre-shared key
/// with every value (secret and integers) MAC'd.
pub struct Writer {
    pub psk: Option<[u8; 16]>,
    pub mac_key: Vec<u8>,
    pub iv_counter: u8,
}

impl Writer {
    pub fn plain() -> Self {
        Writer {
            psk: None,
            mac_key: Vec::new(),
            iv_counter: 0,
        }
    }

    pub fn encrypted(psk: [u8; 16]) -> Self {
        Writer {
            psk: Some(psk),
            mac_key: (1..=20).collect(),
            iv_counter: 0,
        }
    }

    fn next_iv(&mut self) -> [u8; 16] {
        self.iv_counter = self.iv_counter.wrapping_add(1);
        [self.iv_counter; 16]
    }

    fn value(&mut self, plain_text: &str, raw: &[u8]) -> String {
        match self.psk {
            None => format!("<pskc:PlainValue>{plain_text}</pskc:PlainValue>"),
            Some(psk) => {
                let iv = self.next_iv();
                let data = encrypt(&psk, &iv, raw);
                let mac = hmac_sha1(&self.mac_key, &data);
                format!(
                    "<pskc:EncryptedValue><xenc:EncryptionMethod \
                     Algorithm=\"http://www.w3.org/2001/04/xmlenc#aes128-cbc\"/>\
                     <xenc:CipherData><xenc:CipherValue>{}</xenc:CipherValue></xenc:CipherData>\
                     </pskc:EncryptedValue><pskc:ValueMAC>{}</pskc:ValueMAC>",
                    b64(&data),
                    b64(&mac)
                )
            }
        }
    }

    pub fn write(&mut self, packages: &[Package<'_>]) -> String {
        let mut out = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
             <pskc:KeyContainer xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" \
             xmlns:pskc=\"urn:ietf:params:xml:ns:keyprov:pskc\" \
             xmlns:xenc=\"http://www.w3.org/2001/04/xmlenc#\" Version=\"1.0\">\n",
        );
        if let Some(psk) = self.psk {
            let iv = self.next_iv();
            let wrapped = encrypt(&psk, &iv, &self.mac_key);
            out.push_str(&format!(
                "<pskc:EncryptionKey><ds:KeyName>Vendor-PSK</ds:KeyName></pskc:EncryptionKey>\n\
                 <pskc:MACMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#hmac-sha1\">\
                 <pskc:MACKey><xenc:EncryptionMethod \
                 Algorithm=\"http://www.w3.org/2001/04/xmlenc#aes128-cbc\"/><xenc:CipherData>\
                 <xenc:CipherValue>{}</xenc:CipherValue></xenc:CipherData></pskc:MACKey>\
                 </pskc:MACMethod>\n",
                b64(&wrapped)
            ));
        }
        for p in packages {
            out.push_str(
                "<pskc:KeyPackage><pskc:DeviceInfo><pskc:Manufacturer>Acme Token\
                          </pskc:Manufacturer>",
            );
            if let Some(serial) = p.serial {
                out.push_str(&format!("<pskc:SerialNo>{serial}</pskc:SerialNo>"));
            }
            out.push_str(&format!(
                "</pskc:DeviceInfo><pskc:Key Id=\"{}\" Algorithm=\"{}\"><pskc:AlgorithmParameters>",
                p.serial.unwrap_or("none"),
                p.algorithm
            ));
            if let Some(suite) = p.suite {
                out.push_str(&format!("<pskc:Suite>{suite}</pskc:Suite>"));
            }
            out.push_str(&format!(
                "<pskc:ResponseFormat Length=\"{}\" Encoding=\"{}\"/></pskc:AlgorithmParameters>\
                 <pskc:Data><pskc:Secret>",
                p.digits, p.encoding
            ));
            let secret = self.value(&b64(p.secret), p.secret);
            out.push_str(&secret);
            out.push_str("</pskc:Secret>");
            if let Some(counter) = p.counter {
                let v = self.value(&counter.to_string(), &counter.to_be_bytes());
                out.push_str(&format!("<pskc:Counter>{v}</pskc:Counter>"));
            }
            if let Some(interval) = p.interval {
                let v = self.value(&interval.to_string(), &interval.to_be_bytes());
                out.push_str(&format!("<pskc:TimeInterval>{v}</pskc:TimeInterval>"));
            }
            if let Some(drift) = p.drift {
                let v = self.value(&drift.to_string(), drift.to_string().as_bytes());
                out.push_str(&format!("<pskc:TimeDrift>{v}</pskc:TimeDrift>"));
            }
            out.push_str("</pskc:Data></pskc:Key></pskc:KeyPackage>\n");
        }
        out.push_str("</pskc:KeyContainer>\n");
        out
    }
}
