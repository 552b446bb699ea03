//! CAdES signing with officer keys in SoftHSM2 (wrapped P-256 and RSA-2048 keys, activated once
//! as for a batch) and with software keys, next to the raw HSM signing rate measured in the same
//! run.
//!
//! `cargo bench --bench cades_sign` (add `-- --quick` for a short run). The benchmark makes its
//! own SoftHSM2 token (it re-runs itself with `SOFTHSM2_CONF` pointing at it).
//! - `cades_sign/raw_hsm/*`: `ActiveKey::sign_digest` on the activated HSM key: one C_Sign through
//!   the adapter, the ceiling for every format below;
//! - `cades_sign/detached_digest/*`: a detached CMS signature over a given digest (what PAdES embeds
//!   and what a `.p7s` costs once the document is hashed), with and without the self-check
//!   that the key's signature verifies with the certificate;
//! - `cades_sign/detached_digest/format_only`: the same with a key that returns a ready signature,
//!   so only the CMS work is measured (attributes, hashing them, DER assembly);
//! - `cades_sign/detached_digest/hsm_p256_b_t`: B-T, time-stamped by a TSA whose key is in the token;
//! - `cades_sign/attached_100k/*`: a `.p7m` of a 100 KB document (hashing, signing, embedding).
//!
//! The self-check (on by default) verifies each signature with the certificate; with P-256 it
//! costs more than a software signature. A batch signed with one key can check its first
//! signature and skip the check for the rest (`CmsOptions::skip_self_check`).

#[path = "support/hsm_officers.rs"]
mod hsm_officers;

use criterion::{Criterion, Throughput, criterion_group};
use firma_ades::cades::sign_attached;
use firma_ades::cms::{CmsOptions, digest, sign_detached_digest};
use firma_core::{ActiveKey, HashAlgorithm, KeySpec, KeyStoreError, SignatureAlgorithm};
use firma_testkit::pki::TestPki;

use hsm_officers::{Signer, connect, hsm_signer, hsm_tsa, software_signer};

/// A key that returns the same signature every time: isolates the cost of the CMS format.
struct ReadySignature(Vec<u8>);

impl ActiveKey for ReadySignature {
    fn spec(&self) -> KeySpec {
        KeySpec::EcP256
    }

    fn sign_digest(&self, _: SignatureAlgorithm, _: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
        Ok(self.0.clone())
    }
}

fn options(skip_self_check: bool) -> CmsOptions<'static> {
    CmsOptions {
        signing_time: Some(TestPki::valid_at()),
        skip_self_check,
        ..CmsOptions::default()
    }
}

const SELF_CHECK: [(&str, bool); 2] = [("", false), ("_no_self_check", true)];

fn bench(c: &mut Criterion) {
    let hsm = connect();
    let hsm_signers: Vec<Signer> = [KeySpec::EcP256, KeySpec::Rsa2048]
        .into_iter()
        .map(|spec| hsm_signer(&hsm, spec))
        .collect();
    let soft_signers: Vec<Signer> = [KeySpec::EcP256, KeySpec::Rsa2048]
        .into_iter()
        .map(software_signer)
        .collect();
    let d = digest(HashAlgorithm::Sha256, b"document");

    let mut group = c.benchmark_group("cades_sign/raw_hsm");
    group.throughput(Throughput::Elements(1));
    for s in &hsm_signers {
        group.bench_function(&s.name, |b| {
            b.iter(|| s.key.sign_digest(s.algorithm, &d).expect("sign"))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("cades_sign/detached_digest");
    group.throughput(Throughput::Elements(1));
    for s in hsm_signers.iter().chain(&soft_signers) {
        for (suffix, skip) in SELF_CHECK {
            let options = options(skip);
            group.bench_function(format!("{}{suffix}", s.name), |b| {
                b.iter(|| {
                    sign_detached_digest(s.key.as_ref(), s.algorithm, &s.chain, &d, &options)
                        .expect("sign")
                })
            });
        }
    }
    let soft = &soft_signers[0];
    let ready = ReadySignature(soft.key.sign_digest(soft.algorithm, &d).expect("signature"));
    let options_skip = options(true);
    group.bench_function("format_only", |b| {
        b.iter(|| {
            sign_detached_digest(&ready, soft.algorithm, &soft.chain, &d, &options_skip)
                .expect("sign")
        })
    });
    // B-T: the same plus a time-stamp from the in-process TSA whose P-256 key is in the token
    // (one more HSM signature, a TSTInfo, and the token's verification).
    let tsa = hsm_tsa(&hsm);
    let bt = CmsOptions {
        timestamper: Some(&tsa),
        ..options(false)
    };
    let s = &hsm_signers[0];
    group.bench_function(format!("{}_b_t", s.name), |b| {
        b.iter(|| {
            sign_detached_digest(s.key.as_ref(), s.algorithm, &s.chain, &d, &bt).expect("sign")
        })
    });
    group.finish();

    let mut group = c.benchmark_group("cades_sign/attached_100k");
    group.throughput(Throughput::Elements(1));
    let content: Vec<u8> = (0..100 * 1024u32).map(|i| (i % 251) as u8).collect();
    for s in hsm_signers.iter().chain(&soft_signers[..1]) {
        for (suffix, skip) in SELF_CHECK {
            let options = options(skip);
            group.bench_function(format!("{}{suffix}", s.name), |b| {
                b.iter(|| {
                    sign_attached(s.key.as_ref(), s.algorithm, &s.chain, &content, &options)
                        .expect("sign")
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);

fn main() {
    // In the first process this re-runs the benchmark, with the same arguments, in a child that
    // sees a fresh token, and exits with its status; in the child it returns at once.
    drop(firma_testkit::softhsm::reexec_with_token());
    benches();
    Criterion::default().configure_from_args().final_summary();
}
