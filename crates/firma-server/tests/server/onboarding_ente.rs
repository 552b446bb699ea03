//! The Ente Certificatore: approval requires a recorded identity check and issues an active
//! credential with the officer's OTP device bound; rejection requires a reason; only its operator
//! decides, only on forwarded richieste; two operators approving at once issue one credential
//! (SQLite and PostgreSQL).

use firma_core::onboarding::{MetodoOtp, TipoDocumento};
use firma_core::otp::OtpDevice;
use firma_core::{CredentialStatus, DirectoryStore, OnboardingStore, OtpStore};
use firma_server::onboarding::OnboardingError;
use time::macros::date;

use crate::onboarding_support::{
    CF_MARIO, DOCUMENT_NUMBER, PHONE, ROMA, als, ansc, audit_of, ensure_adesione_within_window,
    ente, forwarded_and_checked, noon_of, officer, officer_id, onboarding, register, richiesta,
    rid, sindaco,
};

firma_testkit::token_test!(async fn approval_requires_an_identity_check_then_issues_an_active_credential(token) {
    let onb = onboarding(token, false).await;
    noon_of(&onb, date!(2026 - 03 - 02));
    let u = register(&onb, CF_MARIO).await;
    assert_eq!(u.otp_device, None);
    ensure_adesione_within_window(&onb).await;
    let r = onb
        .service
        .compila_richiesta(&officer(&u), richiesta(MetodoOtp::Sms))
        .await
        .unwrap();
    assert_eq!(r.stato, "inoltrata");

    // No identity check yet: refused, and no key or credential is made.
    let err = onb.service.approva(&ente(), rid(&r), None).await.unwrap_err();
    assert!(matches!(err, OnboardingError::Conflict { code: "verifica_identita_mancante", .. }), "{err}");
    assert!(onb.env.db.credentials_of(officer_id(&u)).await.unwrap().is_empty());
    // A check on another document than the declared one is refused.
    let err = onb
        .service
        .registra_verifica(&ente(), rid(&r), TipoDocumento::Passaporto, DOCUMENT_NUMBER)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "documento_verificato_diverso");
    let checked = onb
        .service
        .registra_verifica(&ente(), rid(&r), TipoDocumento::CartaIdentita, "ca 12345 ab")
        .await
        .unwrap();
    assert_eq!(checked.verifiche.len(), 1);
    assert_eq!(checked.verifiche[0].operatore, "Operatore EC");

    let approved = onb.service.approva(&ente(), rid(&r), None).await.unwrap();
    assert_eq!(approved.richiesta.stato, "approvata");
    assert_eq!(approved.otp_device, "sms");
    assert_eq!(approved.key_type, "ec-p256");
    assert_eq!(approved.richiesta.credential_id.as_deref(), Some(approved.credential_id.as_str()));
    let credentials = onb.env.db.credentials_of(officer_id(&u)).await.unwrap();
    assert_eq!(credentials.len(), 1);
    let c = &credentials[0];
    assert_eq!(c.id.0.to_string(), approved.credential_id);
    assert_eq!(c.status, CredentialStatus::Active);
    assert!(c.can_sign());
    assert_eq!(c.certificate_chain.len(), 3, "officer, issuing CA, root");
    // The certificate carries the officer's codice fiscale as TINIT-... and the key of the
    // credential.
    use x509_cert::der::{Decode, Encode};
    let cert = x509_cert::Certificate::from_der(&c.certificate_chain[0]).unwrap();
    assert!(cert.tbs_certificate().subject().to_string().contains("TINIT-RSSMRA85T10A562S"));
    assert_eq!(
        cert.tbs_certificate().subject_public_key_info().to_der().unwrap(),
        c.public_key.as_bytes()
    );
    // The officer's OTP device: the phone of the richiesta, bound as their SMS device.
    let (_, device) = onb.env.db.ufficiale(officer_id(&u)).await.unwrap().unwrap();
    assert_eq!(device, Some(OtpDevice::Sms { owner: u.id.clone() }));
    let sms = onb.env.db.sms_device(&u.id).await.unwrap().unwrap();
    assert_eq!(sms.phone.as_str(), PHONE);
    // The register of issued certificates knows the serial (OCSP answers `good`).
    let serial: Vec<u8> = (0..approved.serial.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&approved.serial[i..i + 2], 16).unwrap())
        .collect();
    assert_eq!(
        firma_core::RevocationStore::serial_status(&onb.env.db, &serial).await.unwrap(),
        firma_core::ports::SerialStatus::Good
    );
    // Audited in the same transactions.
    assert_eq!(audit_of(&onb, "richiesta.identita_verificata").await.len(), 1);
    let approvals = audit_of(&onb, "richiesta.approvata").await;
    assert_eq!(approvals.len(), 1);
    assert_eq!(approvals[0].details["credential"], approved.credential_id);
    let issued = audit_of(&onb, "credential.issued").await;
    assert_eq!(issued.len(), 1);
    assert_eq!(issued[0].details["otp_device"], "sms");
    // Decided: neither approved again nor rejected.
    let err = onb.service.approva(&ente(), rid(&r), None).await.unwrap_err();
    assert_eq!(err.code(), "stato_non_consente");
    let err = onb.service.rifiuta(&ente(), rid(&r), "ripensamento").await.unwrap_err();
    assert_eq!(err.code(), "stato_non_consente");
});

firma_testkit::token_test!(async fn a_chiavetta_is_bound_later_and_rejection_needs_a_reason(token) {
    let onb = onboarding(token, false).await;
    noon_of(&onb, date!(2026 - 03 - 02));
    let (u, r) = forwarded_and_checked(&onb, CF_MARIO, MetodoOtp::Chiavetta).await;
    // A blank reason is refused; the richiesta stays in the queue.
    for blank in ["", "   "] {
        let err = onb.service.rifiuta(&ente(), rid(&r), blank).await.unwrap_err();
        assert!(matches!(err, OnboardingError::Invalid { code: "motivo_mancante", .. }), "{err}");
    }
    assert_eq!(onb.service.richiesta(&ente(), rid(&r)).await.unwrap().stato, "inoltrata");
    let rejected = onb
        .service
        .rifiuta(&ente(), rid(&r), " Documento illeggibile: ripresentare la richiesta ")
        .await
        .unwrap();
    assert_eq!(rejected.stato, "rifiutata");
    assert_eq!(rejected.motivo_rifiuto.as_deref(), Some("Documento illeggibile: ripresentare la richiesta"));
    // The officer sees why.
    let mine = onb.service.richiesta(&officer(&u), rid(&r)).await.unwrap();
    assert_eq!(mine.motivo_rifiuto, rejected.motivo_rifiuto);
    let records = audit_of(&onb, "richiesta.rifiutata").await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].details["motivo"], "Documento illeggibile: ripresentare la richiesta");

    // A new richiesta (chiavetta), approved: the credential is active, the OTP device is the
    // chiavetta the officer binds later (none bound yet).
    let r2 = onb
        .service
        .compila_richiesta(&officer(&u), richiesta(MetodoOtp::Chiavetta))
        .await
        .unwrap();
    onb.service
        .registra_verifica(&ente(), rid(&r2), TipoDocumento::CartaIdentita, DOCUMENT_NUMBER)
        .await
        .unwrap();
    let approved = onb.service.approva(&ente(), rid(&r2), Some("rsa-2048")).await.unwrap();
    assert_eq!(approved.otp_device, "chiavetta_da_abbinare");
    assert_eq!(approved.key_type, "rsa-2048");
    let (_, device) = onb.env.db.ufficiale(officer_id(&u)).await.unwrap().unwrap();
    assert_eq!(device, None);
    assert!(onb.env.db.sms_device(&u.id).await.unwrap().is_none());
    let c = onb.env.db.credentials_of(officer_id(&u)).await.unwrap();
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].status, CredentialStatus::Active);
    assert_eq!(c[0].key.spec(), firma_core::KeySpec::Rsa2048);
});

firma_testkit::token_test!(async fn only_the_ente_certificatore_decides_and_only_on_forwarded_richieste(token) {
    let onb = onboarding(token, false).await;
    noon_of(&onb, date!(2026 - 03 - 02));
    let u = register(&onb, CF_MARIO).await;
    // Not forwarded (no adhesion yet): the Ente Certificatore does not see it.
    let r = onb
        .service
        .compila_richiesta(&officer(&u), richiesta(MetodoOtp::Sms))
        .await
        .unwrap();
    assert_eq!(r.stato, "in_attesa");
    let err = onb.service.richiesta(&ente(), rid(&r)).await.unwrap_err();
    assert!(matches!(err, OnboardingError::NotFound { .. }), "{err}");
    assert!(onb.service.richieste(&ente(), Default::default()).await.unwrap().is_empty());
    ensure_adesione_within_window(&onb).await;
    assert_eq!(onb.service.richiesta(&ente(), rid(&r)).await.unwrap().stato, "inoltrata");
    let denied_before = audit_of(&onb, "access.denied").await.len();
    // Other roles: 403 for deciding, audited.
    for caller in [als(ROMA), sindaco(ROMA), officer(&u), ansc()] {
        let err = onb
            .service
            .registra_verifica(&caller, rid(&r), TipoDocumento::CartaIdentita, DOCUMENT_NUMBER)
            .await
            .unwrap_err();
        assert!(matches!(err, OnboardingError::Forbidden { .. }), "{:?}: {err}", caller.role);
        let err = onb.service.approva(&caller, rid(&r), None).await.unwrap_err();
        assert!(matches!(err, OnboardingError::Forbidden { .. }), "{err}");
        let err = onb.service.rifiuta(&caller, rid(&r), "no").await.unwrap_err();
        assert!(matches!(err, OnboardingError::Forbidden { .. }), "{err}");
    }
    assert_eq!(audit_of(&onb, "access.denied").await.len(), denied_before + 12);
    // ANSC core may not even look; the ALS of another comune sees nothing.
    assert!(matches!(
        onb.service.richiesta(&ansc(), rid(&r)).await.unwrap_err(),
        OnboardingError::Forbidden { .. }
    ));
    assert!(matches!(
        onb.service.richiesta(&als("058120"), rid(&r)).await.unwrap_err(),
        OnboardingError::NotFound { .. }
    ));
    assert_eq!(onb.service.richiesta(&als(ROMA), rid(&r)).await.unwrap().stato, "inoltrata");
    assert_eq!(onb.env.db.richiesta(rid(&r)).await.unwrap().unwrap().version, 1);
});

async fn concurrent_approvals(postgres: bool, token: &firma_testkit::softhsm::TestToken) {
    let onb = onboarding(token, postgres).await;
    let (u, r) = forwarded_and_checked(&onb, CF_MARIO, MetodoOtp::Sms).await;
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let service = onb.service.clone();
        let id = rid(&r);
        tasks.push(tokio::spawn(async move {
            service.approva(&ente(), id, None).await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(a) => {
                ok += 1;
                assert_eq!(a.richiesta.stato, "approvata");
            }
            Err(e) => assert_eq!(e.code(), "stato_non_consente", "{e}"),
        }
    }
    assert_eq!(ok, 1, "exactly one approval wins");
    let credentials = onb.env.db.credentials_of(officer_id(&u)).await.unwrap();
    assert_eq!(
        credentials.len(),
        1,
        "one credential, whatever the losers generated"
    );
    let stored = onb.env.db.richiesta(rid(&r)).await.unwrap().unwrap();
    assert_eq!(stored.credential, Some(credentials[0].id));
    assert_eq!(audit_of(&onb, "richiesta.approvata").await.len(), 1);
    assert_eq!(audit_of(&onb, "credential.issued").await.len(), 1);
}

firma_testkit::token_test!(async fn concurrent_approvals_issue_one_credential_on_sqlite(token) {
    concurrent_approvals(false, token).await;
});

firma_testkit::token_test!(async fn concurrent_approvals_issue_one_credential_on_postgres(token) {
    concurrent_approvals(true, token).await;
});
