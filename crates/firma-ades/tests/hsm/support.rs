//! A token with an officer key and a TSA key, their certificates, and a directory of this
//! test's own (the PAdES helpers' shared directory belongs to the parent test process).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use firma_ades::cms::SignerChain;
use firma_ades::tsp::TsaClient;
use firma_ades::tsp::authority::{AuthorityConfig, CounterSerial, TimestampAuthority};
use firma_core::{
    ActiveKey, FixedClock, GeneratedKey, KeyPurpose, KeyRef, KeySpec, KeyStore, SignatureAlgorithm,
};
use firma_hsm::{Hsm, HsmConfig};
use firma_testkit::pki::{OFFICER, TEST_TSA_POLICY, TestPki};
use firma_testkit::softhsm::TestToken;

use crate::pades::support::nss_database;

/// The label of the TSA's service key.
pub const TSA_KEY_LABEL: &str = "firma-tsa";

pub struct HsmSigner {
    /// The connection (the keys below hold its session pool too).
    pub _hsm: Hsm,
    pub officer: GeneratedKey,
    /// The officer key, unwrapped into the token for this test.
    pub key: Box<dyn ActiveKey>,
    /// The certificate issued for the HSM officer key, and the issuing CA.
    pub chain: SignerChain,
    /// The certificate issued for the HSM TSA key.
    pub tsa_cert: Vec<u8>,
    /// A client of a `TimestampAuthority` that signs with the HSM TSA key.
    pub tsa: TsaClient,
    pub dir: tempfile::TempDir,
    /// This PKI's root, as a PEM file.
    pub roots: Vec<PathBuf>,
    /// `sql:<dir>` of an NSS database trusting `roots`, for pdfsig.
    pub nss: String,
}

impl HsmSigner {
    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).expect("write");
        p
    }
}

fn connect(token: &TestToken) -> Hsm {
    let mut c = HsmConfig::new(
        token.module(),
        token.label.clone(),
        token.user_pin.clone().into(),
    );
    c.sessions = 2;
    c.token_wait = Duration::from_millis(300);
    Hsm::connect(&c).expect("connecting to the test token")
}

/// Generates a wrapped officer key and the TSA service key of `spec` in `token`, and has the
/// test PKI of `spec` certify them.
pub fn hsm_signer(token: &TestToken, spec: KeySpec) -> HsmSigner {
    let hsm = connect(token);
    let pki = TestPki::shared(spec);

    let officer = hsm
        .generate(spec, KeyPurpose::Officer)
        .expect("officer key");
    assert!(
        matches!(officer.key, KeyRef::Wrapped { .. }),
        "a {spec} officer key must be wrapped under the token's KEK"
    );
    let key = hsm
        .activate(&officer.key)
        .expect("activate the officer key");
    let cert = pki.issue_officer_certificate(&OFFICER, &officer.public_key);
    let chain = SignerChain::from_der(&cert, pki.chain()).expect("officer chain");

    let generated = hsm
        .generate(
            spec,
            KeyPurpose::Service {
                label: TSA_KEY_LABEL.into(),
            },
        )
        .expect("TSA key");
    let found = hsm
        .find_service_key(TSA_KEY_LABEL)
        .expect("find the TSA key")
        .expect("the TSA key is on the token");
    assert_eq!(found.public_key, generated.public_key);
    assert!(matches!(found.key, KeyRef::Token { .. }));
    let tsa_key: Arc<dyn ActiveKey> =
        Arc::from(hsm.activate(&found.key).expect("activate the TSA key"));
    let tsa_cert = pki.issue_tsa_certificate(&found.public_key);
    let authority = TimestampAuthority::new(
        tsa_key,
        SignerChain::from_der(&tsa_cert, pki.chain()).expect("TSA chain"),
        Arc::new(CounterSerial::default()),
        Arc::new(FixedClock::new(TestPki::valid_at())),
        AuthorityConfig::new(TEST_TSA_POLICY, spec.default_algorithm()),
    );
    let tsa = TsaClient::new(Arc::new(authority));

    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join(format!("root-{spec}.pem"));
    std::fs::write(&root, pki.root.cert_pem()).expect("write root");
    let roots = vec![root];
    let nss = nss_database(&dir.path().join("nss"), &roots);
    HsmSigner {
        _hsm: hsm,
        officer,
        key,
        chain,
        tsa_cert,
        tsa,
        dir,
        roots,
        nss,
    }
}

/// The signature schemes tested with each key type in the HSM.
pub fn algorithms(spec: KeySpec) -> Vec<SignatureAlgorithm> {
    use firma_core::HashAlgorithm::Sha256;
    match spec {
        KeySpec::EcP256 => vec![SignatureAlgorithm::Ecdsa(Sha256)],
        _ => vec![
            SignatureAlgorithm::RsaPkcs1v15(Sha256),
            SignatureAlgorithm::RsaPss(Sha256),
        ],
    }
}
