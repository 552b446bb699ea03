//! The Ente Certificatore port: the simulator adapter refuses what does not prove possession of
//! the expected key and writes the identity it was given; the onboarding approval goes through
//! whatever adapter it holds (a fake with another CA, a refusal, an unavailable one, one that
//! certifies the wrong key), storing nothing unless the answer certifies the officer's key.

use std::sync::{Arc, Mutex};

use firma_ca::{CaNames, CaProfile, CertificateAuthority, OfficerSubject, build_csr};
use firma_core::onboarding::MetodoOtp;
use firma_core::ports::{
    BoxFuture, CertificateChain, CertificationRequest, EnteCertificatore, EnteCertificatoreError,
    OfficerIdentity,
};
use firma_core::{
    CodiceFiscale, DirectoryStore, GeneratedKey, KeyPurpose, KeySpec, KeyStore, PublicKeyDer,
};
use firma_hsm::Hsm;
use firma_server::error::ApiError;
use firma_server::onboarding::{OnboardingError, OnboardingService, OnboardingSettings};
use time::macros::date;
use x509_cert::der::Decode;

use crate::onboarding_support::{
    CF_LAURA, CF_MARIO, Onb, audit_of, ente, forwarded_and_checked, noon_of, officer_id,
    onboarding, rid,
};
use crate::support::{START, env};

fn identity(cf: &str) -> OfficerIdentity {
    OfficerIdentity {
        codice_fiscale: CodiceFiscale::parse(cf).unwrap(),
        given_name: "Mario".into(),
        surname: "Rossi".into(),
        organization: Some("Comune 058091".into()),
    }
}

fn subject_of(id: &OfficerIdentity) -> OfficerSubject {
    OfficerSubject {
        codice_fiscale: id.codice_fiscale.clone(),
        given_name: id.given_name.clone(),
        surname: id.surname.clone(),
        organization: id.organization.clone(),
    }
}

/// A new officer key in the token and a CSR signed by it for the subject of `csr_for`.
async fn key_and_csr(hsm: &Hsm, csr_for: &OfficerIdentity) -> (GeneratedKey, Vec<u8>) {
    let name = subject_of(csr_for).distinguished_name().unwrap();
    hsm.blocking(move |h| {
        let generated = h.generate(KeySpec::EcP256, KeyPurpose::Officer)?;
        let key = h.activate(&generated.key)?;
        let csr = build_csr(
            key.as_ref(),
            &name,
            &generated.public_key,
            KeySpec::EcP256.default_algorithm(),
        )
        .unwrap();
        Ok((generated, csr))
    })
    .await
    .unwrap()
}

fn simulator(onb: &Onb) -> Arc<dyn EnteCertificatore> {
    let settings = firma_server::config::Settings::load(None).unwrap();
    firma_server::ca::ente_certificatore(
        &settings,
        &onb.env._hsm,
        &onb.env.db,
        onb.env.clock.clone(),
    )
    .unwrap()
}

fn request(csr: Vec<u8>, public_key: &PublicKeyDer, cf: &str) -> CertificationRequest {
    CertificationRequest {
        csr,
        public_key: public_key.clone(),
        subject: identity(cf),
    }
}

fn subject_string(der: &[u8]) -> String {
    x509_cert::Certificate::from_der(der)
        .unwrap()
        .tbs_certificate()
        .subject()
        .to_string()
}

fn refused(result: Result<CertificateChain, EnteCertificatoreError>) -> String {
    match result {
        Err(EnteCertificatoreError::Refused(reason)) => reason,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

firma_testkit::token_test!(async fn the_simulator_refuses_a_csr_that_does_not_prove_possession_of_the_key(token) {
    let onb = onboarding(token, false).await;
    let ec = simulator(&onb);
    let (key, csr) = key_and_csr(&onb.env._hsm, &identity(CF_MARIO)).await;

    // One bit of the signature flipped (the signature BIT STRING ends the DER).
    let mut tampered = csr.clone();
    *tampered.last_mut().unwrap() ^= 0x01;
    let reason = refused(ec.certify(&request(tampered, &key.public_key, CF_MARIO)).await);
    assert!(reason.contains("signature does not verify"), "{reason}");
    // A byte of the signed CertificationRequestInfo changed (in the subject's name).
    let at = csr.windows(5).position(|w| w == b"Rossi").unwrap();
    let mut altered = csr.clone();
    altered[at] = b'X';
    let reason = refused(ec.certify(&request(altered, &key.public_key, CF_MARIO)).await);
    assert!(reason.contains("signature does not verify"), "{reason}");
    // Well signed, but for another key than the credential's.
    let (other, _) = key_and_csr(&onb.env._hsm, &identity(CF_MARIO)).await;
    let reason = refused(ec.certify(&request(csr.clone(), &other.public_key, CF_MARIO)).await);
    assert!(reason.contains("another public key"), "{reason}");
    // Not a CSR at all.
    let reason = refused(ec.certify(&request(b"not a csr".to_vec(), &key.public_key, CF_MARIO)).await);
    assert!(reason.contains("malformed"), "{reason}");

    // The same request untouched: a chain leaf first up to the simulator's root, for the key,
    // with the identity given (not the CSR's subject: this CSR names Laura's codice fiscale).
    let (key, csr) = key_and_csr(&onb.env._hsm, &identity(CF_LAURA)).await;
    let chain = ec.certify(&request(csr, &key.public_key, CF_MARIO)).await.unwrap();
    assert_eq!(chain.0.len(), 3);
    let stored = firma_server::ca::material(&onb.env.db).await.unwrap().0;
    assert_eq!(chain.0[1], stored.issuing_certificate);
    assert_eq!(chain.0[2], stored.root_certificate);
    assert!(firma_ca::certifies_key(chain.leaf().unwrap(), &key.public_key).unwrap());
    let subject = subject_string(chain.leaf().unwrap());
    assert!(subject.contains("TINIT-RSSMRA85T10A562S"), "{subject}");
    assert!(!subject.contains(CF_LAURA), "{subject}");
});

firma_testkit::token_test!(async fn without_a_ca_the_simulator_is_unavailable_not_refusing(token) {
    let env = env(token, false).await;
    let settings = firma_server::config::Settings::load(None).unwrap();
    let ec = firma_server::ca::ente_certificatore(&settings, &env._hsm, &env.db, env.clock.clone()).unwrap();
    let (key, csr) = key_and_csr(&env._hsm, &identity(CF_MARIO)).await;
    match ec.certify(&request(csr, &key.public_key, CF_MARIO)).await {
        Err(EnteCertificatoreError::Unavailable(m)) => assert!(m.contains("firma ca init"), "{m}"),
        other => panic!("expected unavailability, got {other:?}"),
    }
});

/// A test double: another CA (its own root and issuing keys on the token, other names) that
/// records what it was asked; or an answer fixed in advance.
struct FakeEnte {
    behaviour: Behaviour,
    requests: Mutex<Vec<CertificationRequest>>,
}

enum Behaviour {
    OtherCa(Arc<CertificateAuthority>),
    Fail(EnteCertificatoreError),
    /// Certifies a key of its own instead of the requested one.
    WrongKey(Arc<CertificateAuthority>, PublicKeyDer, Vec<u8>),
}

impl EnteCertificatore for FakeEnte {
    fn certify<'a>(
        &'a self,
        request: &'a CertificationRequest,
    ) -> BoxFuture<'a, Result<CertificateChain, EnteCertificatoreError>> {
        self.requests.lock().unwrap().push(request.clone());
        Box::pin(async move {
            let (ca, csr, key) = match &self.behaviour {
                Behaviour::Fail(e) => return Err(e.clone()),
                Behaviour::OtherCa(ca) => {
                    (ca.clone(), request.csr.clone(), request.public_key.clone())
                }
                Behaviour::WrongKey(ca, key, csr) => (ca.clone(), csr.clone(), key.clone()),
            };
            let subject = subject_of(&request.subject);
            tokio::task::spawn_blocking(move || {
                let issued = ca
                    .issue_officer(&csr, &key, &subject, START + time::Duration::hours(1))
                    .map_err(|e| EnteCertificatoreError::Refused(e.to_string()))?;
                Ok(CertificateChain(vec![
                    issued.der,
                    ca.issuing_certificate().to_vec(),
                    ca.root_certificate().to_vec(),
                ]))
            })
            .await
            .unwrap()
        })
    }
}

/// Another certificate authority on the test's token.
async fn other_ca(hsm: &Hsm) -> Arc<CertificateAuthority> {
    let names = CaNames {
        organization: "Altro Ente Certificatore di Prova".into(),
        organization_identifier: None,
        root_common_name: "Altro Root CA".into(),
        issuing_common_name: "Altro Qualified CA".into(),
        key_label_prefix: "altro-ca".into(),
    };
    let h = hsm.clone();
    let ca = hsm
        .blocking(move |keys| {
            let material = CertificateAuthority::create(keys, &names, KeySpec::EcP256, START)
                .map_err(|e| firma_core::KeyStoreError::Backend(e.to_string()))?;
            CertificateAuthority::open(
                &h,
                &material,
                CaProfile::with_base_url("http://altro.invalid/ca").unwrap(),
            )
            .map_err(|e| firma_core::KeyStoreError::Backend(e.to_string()))
        })
        .await
        .unwrap();
    Arc::new(ca)
}

fn fake(behaviour: Behaviour) -> Arc<FakeEnte> {
    Arc::new(FakeEnte {
        behaviour,
        requests: Mutex::new(Vec::new()),
    })
}

/// The onboarding service of `onb` with `ente` as its Ente Certificatore.
fn service_with(onb: &Onb, ente: Arc<dyn EnteCertificatore>) -> OnboardingService {
    OnboardingService::new(
        onb.env.db.clone(),
        onb.env._hsm.clone(),
        onb.env.clock.clone(),
        onb.revocation.clone(),
        ente,
        OnboardingSettings {
            key_spec: KeySpec::EcP256,
        },
    )
}

async fn approval_uses_the_port(token: &firma_testkit::softhsm::TestToken, postgres: bool) {
    let onb = onboarding(token, postgres).await;
    noon_of(&onb, date!(2026 - 03 - 02));
    let (u, r) = forwarded_and_checked(&onb, CF_MARIO, MetodoOtp::Sms).await;
    let altro = other_ca(&onb.env._hsm).await;
    let double = fake(Behaviour::OtherCa(altro.clone()));
    let service = service_with(&onb, double.clone());

    let approved = service.approva(&ente(), rid(&r), None).await.unwrap();
    assert_eq!(approved.richiesta.stato, "approvata");
    // What the port was given: the CSR proving possession of the credential's key, and the
    // officer's identity from the register.
    let requests = double.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 1);
    let sent = &requests[0];
    assert_eq!(sent.subject, identity(CF_MARIO));
    let verified = firma_ca::verify_csr(&sent.csr).unwrap();
    assert_eq!(verified.public_key, sent.public_key);
    // What was stored: the other CA's chain, for that key.
    let credentials = onb.env.db.credentials_of(officer_id(&u)).await.unwrap();
    assert_eq!(credentials.len(), 1);
    let c = &credentials[0];
    assert_eq!(c.public_key, sent.public_key);
    assert_eq!(c.certificate_chain[1], altro.issuing_certificate());
    assert_eq!(c.certificate_chain[2], altro.root_certificate());
    let simulator = firma_server::ca::material(&onb.env.db).await.unwrap().0;
    assert_ne!(c.certificate_chain[2], simulator.root_certificate);
    let issuer = x509_cert::Certificate::from_der(&c.certificate_chain[0])
        .unwrap()
        .tbs_certificate()
        .issuer()
        .to_string();
    assert!(issuer.contains("Altro Qualified CA"), "{issuer}");
    assert_eq!(audit_of(&onb, "richiesta.approvata").await.len(), 1);
}

firma_testkit::token_test!(async fn the_approval_certifies_through_the_port_it_holds(token) {
    approval_uses_the_port(token, false).await;
});

firma_testkit::token_test!(async fn the_approval_certifies_through_the_port_it_holds_postgres(token) {
    approval_uses_the_port(token, true).await;
});

firma_testkit::token_test!(async fn a_refusal_or_a_wrong_answer_stores_nothing_and_the_richiesta_stays_forwarded(token) {
    let onb = onboarding(token, false).await;
    noon_of(&onb, date!(2026 - 03 - 02));
    let (u, r) = forwarded_and_checked(&onb, CF_MARIO, MetodoOtp::Sms).await;

    // Refused: 422 certificate_refused with the Ente Certificatore's reason.
    let refusing = fake(Behaviour::Fail(EnteCertificatoreError::Refused(
        "codice fiscale non corrispondente al documento".into(),
    )));
    let err = service_with(&onb, refusing.clone())
        .approva(&ente(), rid(&r), None)
        .await
        .unwrap_err();
    assert!(matches!(err, OnboardingError::CertificationRefused(_)), "{err}");
    assert_eq!(err.code(), "certificate_refused");
    let api = ApiError::from(err);
    assert_eq!(api.status.as_u16(), 422);
    assert!(api.message.contains("codice fiscale non corrispondente"), "{}", api.message);
    assert_eq!(refusing.requests.lock().unwrap().len(), 1);

    // Unavailable: 503 certificate_not_issued.
    let down = fake(Behaviour::Fail(EnteCertificatoreError::Unavailable("timeout".into())));
    let err = service_with(&onb, down).approva(&ente(), rid(&r), None).await.unwrap_err();
    assert_eq!(err.code(), "certificate_not_issued");
    assert_eq!(ApiError::from(err).status.as_u16(), 503);

    // A chain that certifies another key than the one generated for the officer.
    let altro = other_ca(&onb.env._hsm).await;
    let (stranger, stranger_csr) = key_and_csr(&onb.env._hsm, &identity(CF_MARIO)).await;
    let wrong = fake(Behaviour::WrongKey(altro, stranger.public_key, stranger_csr));
    let err = service_with(&onb, wrong).approva(&ente(), rid(&r), None).await.unwrap_err();
    assert_eq!(err.code(), "certificate_not_issued");
    assert!(err.to_string().contains("another public key"), "{err}");

    // Nothing stored; the richiesta waits in the queue, and the simulator can still approve it.
    assert!(onb.env.db.credentials_of(officer_id(&u)).await.unwrap().is_empty());
    assert_eq!(audit_of(&onb, "richiesta.approvata").await.len(), 0);
    assert_eq!(onb.service.richiesta(&ente(), rid(&r)).await.unwrap().stato, "inoltrata");
    let approved = onb.service.approva(&ente(), rid(&r), None).await.unwrap();
    assert_eq!(approved.richiesta.stato, "approvata");
});
