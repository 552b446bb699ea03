//! For the signature-format benchmarks: officer keys generated in a SoftHSM2 token of the
//! benchmark's own (wrapped, then activated, as the service does for a batch), with
//! certificates from the test PKI, and a TSA whose key is a service key in the same token.
//! The benchmark binary must have called `reexec_with_token()` first (see `hsm_sign.rs`).

use std::sync::Arc;

use firma_ades::cms::SignerChain;
use firma_ades::tsp::TsaClient;
use firma_ades::tsp::authority::{AuthorityConfig, CounterSerial, TimestampAuthority};
use firma_core::{
    ActiveKey, FixedClock, KeyPurpose, KeyRef, KeySpec, KeyStore, SignatureAlgorithm,
};
use firma_hsm::{Hsm, HsmConfig};
use firma_testkit::pki::{OFFICER, TEST_TSA_POLICY, TestPki};
use firma_testkit::softhsm::reexec_with_token;

/// One signer: an HSM officer key or the test PKI's software key, with its chain.
pub struct Signer {
    /// `hsm_p256`, `soft_rsa2048`, ...
    pub name: String,
    pub algorithm: SignatureAlgorithm,
    pub key: Arc<dyn ActiveKey>,
    pub chain: SignerChain,
}

pub fn short(spec: KeySpec) -> &'static str {
    match spec {
        KeySpec::EcP256 => "p256",
        KeySpec::Rsa2048 => "rsa2048",
        KeySpec::Rsa3072 => "rsa3072",
    }
}

/// Connects to the benchmark's token with one session (the benchmarks sign on one thread).
pub fn connect() -> Hsm {
    let token = reexec_with_token();
    let mut config = HsmConfig::new(
        token.module(),
        token.label.clone(),
        token.user_pin.clone().into(),
    );
    config.sessions = 1;
    Hsm::connect(&config).expect("connecting to the bench token")
}

/// A wrapped officer key of `spec` in the token, activated, with a certificate for it.
pub fn hsm_signer(hsm: &Hsm, spec: KeySpec) -> Signer {
    let generated = hsm
        .generate(spec, KeyPurpose::Officer)
        .expect("officer key");
    assert!(matches!(generated.key, KeyRef::Wrapped { .. }));
    let key: Arc<dyn ActiveKey> = Arc::from(hsm.activate(&generated.key).expect("activate"));
    let pki = TestPki::shared(spec);
    let cert = pki.issue_officer_certificate(&OFFICER, &generated.public_key);
    Signer {
        name: format!("hsm_{}", short(spec)),
        algorithm: spec.default_algorithm(),
        key,
        chain: SignerChain::from_der(&cert, pki.chain()).expect("chain"),
    }
}

/// The test PKI's software officer key of `spec`.
pub fn software_signer(spec: KeySpec) -> Signer {
    let pki = TestPki::shared(spec);
    Signer {
        name: format!("soft_{}", short(spec)),
        algorithm: spec.default_algorithm(),
        key: pki.signer.key.clone(),
        chain: SignerChain::from_der(&pki.signer.cert_der, pki.chain()).expect("chain"),
    }
}

/// A client of a TSA whose key is the token's `firma-tsa` service key (P-256).
pub fn hsm_tsa(hsm: &Hsm) -> TsaClient {
    let spec = KeySpec::EcP256;
    let label = "firma-tsa";
    let generated = match hsm.find_service_key(label).expect("find TSA key") {
        Some(k) => k,
        None => hsm
            .generate(
                spec,
                KeyPurpose::Service {
                    label: label.into(),
                },
            )
            .expect("TSA key"),
    };
    let key: Arc<dyn ActiveKey> = Arc::from(hsm.activate(&generated.key).expect("activate"));
    let pki = TestPki::shared(spec);
    let cert = pki.issue_tsa_certificate(&generated.public_key);
    let authority = TimestampAuthority::new(
        key,
        SignerChain::from_der(&cert, pki.chain()).expect("TSA chain"),
        Arc::new(CounterSerial::default()),
        Arc::new(FixedClock::new(TestPki::valid_at())),
        AuthorityConfig::new(TEST_TSA_POLICY, spec.default_algorithm()),
    );
    TsaClient::new(Arc::new(authority))
}
