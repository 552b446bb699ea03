//! Incremental hashing with the SHA-2 functions of [`HashAlgorithm`] (FIPS 180-4), so that
//! documents are hashed as they stream by and memory does not grow with their size.

use std::io::{self, Read};

use firma_core::HashAlgorithm;
use sha2::Digest as _;

/// A running hash of one of the SHA-2 functions.
#[derive(Clone)]
pub struct Hasher(Inner);

#[derive(Clone)]
enum Inner {
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
}

impl Hasher {
    pub fn new(algorithm: HashAlgorithm) -> Self {
        Self(match algorithm {
            HashAlgorithm::Sha256 => Inner::Sha256(sha2::Sha256::new()),
            HashAlgorithm::Sha384 => Inner::Sha384(sha2::Sha384::new()),
            HashAlgorithm::Sha512 => Inner::Sha512(sha2::Sha512::new()),
        })
    }

    pub fn update(&mut self, data: &[u8]) {
        match &mut self.0 {
            Inner::Sha256(h) => h.update(data),
            Inner::Sha384(h) => h.update(data),
            Inner::Sha512(h) => h.update(data),
        }
    }

    pub fn finalize(self) -> Vec<u8> {
        match self.0 {
            Inner::Sha256(h) => h.finalize().to_vec(),
            Inner::Sha384(h) => h.finalize().to_vec(),
            Inner::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

/// The hash of `data`.
pub fn digest(algorithm: HashAlgorithm, data: &[u8]) -> Vec<u8> {
    let mut h = Hasher::new(algorithm);
    h.update(data);
    h.finalize()
}

/// The hash of everything `reader` yields, read in 64 KiB blocks.
pub fn digest_reader(algorithm: HashAlgorithm, mut reader: impl Read) -> io::Result<Vec<u8>> {
    let mut h = Hasher::new(algorithm);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return Ok(h.finalize()),
            Ok(n) => h.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streaming_equals_one_shot() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        for alg in [
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ] {
            let one = digest(alg, &data);
            assert_eq!(one.len(), alg.output_len());
            assert_eq!(digest_reader(alg, &data[..]).unwrap(), one);
        }
        // FIPS 180-4 example "abc".
        assert_eq!(
            digest(HashAlgorithm::Sha256, b"abc")[..4],
            [0xba, 0x78, 0x16, 0xbf]
        );
    }
}
