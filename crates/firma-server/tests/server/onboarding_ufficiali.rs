//! The ALS and the officers of their comune: registration (checked codice fiscale, profiles,
//! optional SMS phone), the profile a richiesta needs, changes, and removal: credentials revoked
//! at the CA (register entry, key destroyed), chiavetta released, richiesta cancelled, principal
//! revoked; a removal racing an approval leaves no usable credential (SQLite and PostgreSQL).

use std::collections::BTreeSet;

use firma_core::onboarding::MetodoOtp;
use firma_core::otp::TokenStatus;
use firma_core::{
    AuditEvent, AuditKind, Clock, CredentialStatus, DirectoryStore, KeyRef, OnboardingStore,
    OtpStore, Profilo, RevocationStore,
};
use firma_server::onboarding::{OnboardingError, REMOVAL_REASON};
use time::macros::date;

use crate::onboarding_support::{
    CF_LAURA, CF_MARIO, FIUMICINO, PHONE, ROMA, als, audit_of, comune,
    ensure_adesione_within_window, ente, forwarded_and_checked, noon_of, nuovo, officer,
    officer_id, onboarding, richiesta, rid, sindaco,
};
use crate::support::rfc_secret_hex;

firma_testkit::token_test!(async fn the_als_registers_officers_of_their_comune_only(token) {
    let onb = onboarding(token, false).await;
    let profili = [Profilo::FormazioneAttiNascita];
    // A wrong check character is refused with the rule's code.
    let err = onb
        .service
        .registra_ufficiale(&als(ROMA), &comune(ROMA), nuovo("RSSMRA85T10A562T", &profili, None))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "codice_fiscale", "{err}");
    let err = onb
        .service
        .registra_ufficiale(&als(ROMA), &comune(ROMA), nuovo(CF_MARIO, &[], None))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "nessun_profilo");
    // The ALS of Fiumicino cannot register in Roma (404, as if Roma did not exist), the sindaco
    // is not the ALS (403); both audited, nothing stored.
    let err = onb
        .service
        .registra_ufficiale(&als(FIUMICINO), &comune(ROMA), nuovo(CF_MARIO, &profili, None))
        .await
        .unwrap_err();
    assert!(matches!(err, OnboardingError::NotFound { .. }), "{err}");
    let err = onb
        .service
        .registra_ufficiale(&sindaco(ROMA), &comune(ROMA), nuovo(CF_MARIO, &profili, None))
        .await
        .unwrap_err();
    assert!(matches!(err, OnboardingError::Forbidden { .. }), "{err}");
    let denied = audit_of(&onb, "access.denied").await;
    assert_eq!(denied.len(), 2);
    assert_eq!(denied[0].subject, "comune:058091");
    assert!(onb.env.db.ufficiali_del_comune(&comune(ROMA)).await.unwrap().is_empty());

    // Registered with a phone: the SMS device is the officer's OTP device.
    let u = onb
        .service
        .registra_ufficiale(&als(ROMA), &comune(ROMA), nuovo(CF_MARIO, &profili, Some("333 123 4567")))
        .await
        .unwrap();
    assert_eq!(u.otp_device, Some("sms"));
    assert_eq!(u.profili, vec!["formazione_atti_nascita"]);
    assert_eq!(onb.env.db.sms_device(&u.id).await.unwrap().unwrap().phone.as_str(), PHONE);
    let registered = audit_of(&onb, "ufficiale.registered").await;
    assert_eq!(registered.len(), 1);
    assert_eq!(registered[0].details["codice_fiscale"], CF_MARIO);
    // Twice: 409.
    let err = onb
        .service
        .registra_ufficiale(&als(ROMA), &comune(ROMA), nuovo(CF_MARIO, &profili, None))
        .await
        .unwrap_err();
    assert!(matches!(err, OnboardingError::Conflict { code: "ufficiale_gia_registrato", .. }), "{err}");
    // Visible to the ALS and sindaco of Roma and to the officer; not to Fiumicino's.
    assert_eq!(onb.service.ufficiali(&sindaco(ROMA), &comune(ROMA)).await.unwrap().len(), 1);
    assert_eq!(onb.service.ufficiale(&officer(&u), officer_id(&u)).await.unwrap().id, u.id);
    assert!(matches!(
        onb.service.ufficiale(&als(FIUMICINO), officer_id(&u)).await.unwrap_err(),
        OnboardingError::NotFound { .. }
    ));
});

firma_testkit::token_test!(async fn a_richiesta_needs_a_formazione_profile_which_the_als_assigns(token) {
    let onb = onboarding(token, false).await;
    ensure_adesione_within_window(&onb).await;
    let u = onb
        .service
        .registra_ufficiale(
            &als(ROMA),
            &comune(ROMA),
            nuovo(CF_MARIO, &[Profilo::Consultazione, Profilo::Certificazione], None),
        )
        .await
        .unwrap();
    let err = onb
        .service
        .compila_richiesta(&officer(&u), richiesta(MetodoOtp::Sms))
        .await
        .unwrap_err();
    assert!(matches!(err, OnboardingError::Forbidden { code: "profilo_formazione_mancante", .. }), "{err}");
    assert!(onb.service.richieste(&als(ROMA), Default::default()).await.unwrap().is_empty());
    // Only the ALS of Roma changes profiles.
    let with_morte = BTreeSet::from([Profilo::Consultazione, Profilo::FormazioneAttiMorte]);
    for caller in [als(FIUMICINO), sindaco(ROMA), officer(&u)] {
        assert!(onb.service.modifica_profili(&caller, officer_id(&u), with_morte.clone()).await.is_err());
    }
    let changed = onb
        .service
        .modifica_profili(&als(ROMA), officer_id(&u), with_morte)
        .await
        .unwrap();
    assert_eq!(changed.profili, vec!["consultazione", "formazione_atti_morte"]);
    let record = audit_of(&onb, "ufficiale.modificato").await;
    assert_eq!(record[0].details["aggiunti"], "formazione_atti_morte");
    assert_eq!(record[0].details["rimossi"], "certificazione");
    let r = onb
        .service
        .compila_richiesta(&officer(&u), richiesta(MetodoOtp::Sms))
        .await
        .unwrap();
    assert_eq!(r.stato, "inoltrata");
    // One open richiesta at a time.
    let err = onb
        .service
        .compila_richiesta(&officer(&u), richiesta(MetodoOtp::Sms))
        .await
        .unwrap_err();
    assert!(matches!(err, OnboardingError::Conflict { code: "richiesta_aperta", .. }), "{err}");
    // The e-mail too.
    let err = onb.service.modifica_email(&als(ROMA), officer_id(&u), "non-una-email").await.unwrap_err();
    assert_eq!(err.code(), "email");
    let changed = onb
        .service
        .modifica_email(&als(ROMA), officer_id(&u), "m.rossi@comune.roma.it")
        .await
        .unwrap();
    assert_eq!(changed.email, "m.rossi@comune.roma.it");
    assert_eq!(changed.profili, vec!["consultazione", "formazione_atti_morte"], "profiles kept");
});

firma_testkit::token_test!(async fn removal_revokes_destroys_releases_cancels_and_allows_registering_again(token) {
    let onb = onboarding(token, false).await;
    noon_of(&onb, date!(2026 - 03 - 02));
    let (u, r) = forwarded_and_checked(&onb, CF_MARIO, MetodoOtp::Sms).await;
    let approved = onb.service.approva(&ente(), rid(&r), None).await.unwrap();
    // A second credential, suspended, and a chiavetta bound to the officer.
    let second = onb.service.compila_richiesta(&officer(&u), richiesta(MetodoOtp::Sms)).await.unwrap();
    onb.service
        .registra_verifica(&ente(), rid(&second), firma_core::onboarding::TipoDocumento::CartaIdentita, "CA12345AB")
        .await
        .unwrap();
    let suspended = onb.service.approva(&ente(), rid(&second), None).await.unwrap();
    let suspended_id = firma_core::CredentialId(suspended.credential_id.parse().unwrap());
    onb.revocation
        .revoke(suspended_id, firma_ca::RevocationReason::CertificateHold, "test")
        .await
        .unwrap();
    onb.env
        .import_csv(&format!(
            "serial,type,secret,digits,period,counter,algorithm\nTK-0001,totp,hex:{},6,30,,SHA1\n",
            rfc_secret_hex()
        ))
        .await;
    onb.env.otp.assign_token("TK-0001", &u.id, "test").await.unwrap();
    // An open richiesta, and the officer's principal stored (it must stop authenticating).
    let open = onb.service.compila_richiesta(&officer(&u), richiesta(MetodoOtp::Chiavetta)).await.unwrap();
    assert_eq!(open.stato, "inoltrata");
    let principal = officer(&u);
    let event = AuditEvent::new(AuditKind::PrincipalCreated, "test", "principal");
    onb.env.db.insert_principal(&principal, &[9; 32], &event, onb.env.clock.now()).await.unwrap();

    // Only the ALS of Roma removes.
    for caller in [als(FIUMICINO), sindaco(ROMA), ente()] {
        assert!(onb.service.rimuovi_ufficiale(&caller, officer_id(&u)).await.is_err());
    }
    assert!(onb.env.db.ufficiale(officer_id(&u)).await.unwrap().is_some());

    let removed = onb.service.rimuovi_ufficiale(&als(ROMA), officer_id(&u)).await.unwrap();
    let active_id = firma_core::CredentialId(approved.credential_id.parse().unwrap());
    let mut revoked = removed.credenziali_revocate.clone();
    revoked.sort();
    let mut expected = vec![approved.credential_id.clone(), suspended.credential_id.clone()];
    expected.sort();
    assert_eq!(revoked, expected);
    assert_eq!(removed.chiavette_liberate, vec!["TK-0001".to_owned()]);
    assert_eq!(removed.richieste_annullate, vec![open.id.clone()]);
    for id in [active_id, suspended_id] {
        let c = onb.env.db.credential(id).await.unwrap().unwrap();
        assert_eq!(c.status, CredentialStatus::Revoked);
        assert!(!c.can_sign());
        // The key is destroyed: the wrapped blob is erased.
        assert!(matches!(&c.key, KeyRef::Wrapped { blob, .. } if blob.is_empty()), "{:?}", c.key);
        // The revocation register has the entry, with the reason of removal.
        let entry = onb.env.db.credential_revocation(id).await.unwrap().expect("a revocation entry");
        assert_eq!(entry.reason, REMOVAL_REASON.code());
        assert!(entry.revoked_by.starts_with("als:"));
    }
    // The officer is gone, with their SMS device; the chiavetta is back in the comune; the
    // richiesta cancelled; the principal revoked.
    assert!(onb.env.db.ufficiale(officer_id(&u)).await.unwrap().is_none());
    assert!(onb.env.db.sms_device(&u.id).await.unwrap().is_none());
    let token = onb.env.db.token("TK-0001").await.unwrap().unwrap();
    assert_eq!(token.status, TokenStatus::Delivered);
    assert_eq!(token.owner, None);
    assert_eq!(onb.service.richiesta(&als(ROMA), rid(&open)).await.unwrap().stato, "annullata");
    assert_eq!(onb.env.db.principal_by_token(&[9; 32]).await.unwrap(), None);
    let removal = audit_of(&onb, "ufficiale.rimosso").await;
    assert_eq!(removal.len(), 1);
    assert_eq!(removal[0].details["motivo_revoca"], "cessationOfOperation");
    assert_eq!(audit_of(&onb, "credential.revoked").await.len(), 2);
    assert_eq!(audit_of(&onb, "principal.revoked").await.len(), 1);
    // Removing again: not found.
    assert!(matches!(
        onb.service.rimuovi_ufficiale(&als(ROMA), officer_id(&u)).await.unwrap_err(),
        OnboardingError::NotFound { .. }
    ));
    // The codice fiscale may be registered again (e.g. by another comune), as a new officer.
    let again = onb
        .service
        .registra_ufficiale(&als(FIUMICINO), &comune(FIUMICINO), nuovo(CF_MARIO, &[Profilo::FormazioneAttiNascita], None))
        .await
        .unwrap();
    assert_ne!(again.id, u.id);
    assert_eq!(again.comune, FIUMICINO);
});

async fn removal_racing_approval(postgres: bool, token: &firma_testkit::softhsm::TestToken) {
    let onb = onboarding(token, postgres).await;
    for cf in [CF_MARIO, CF_LAURA] {
        let (u, r) = forwarded_and_checked(&onb, cf, MetodoOtp::Sms).await;
        let approve = {
            let service = onb.service.clone();
            let id = rid(&r);
            tokio::spawn(async move { service.approva(&ente(), id, None).await })
        };
        let remove = {
            let service = onb.service.clone();
            let id = officer_id(&u);
            tokio::spawn(async move { service.rimuovi_ufficiale(&als(ROMA), id).await })
        };
        let approved = approve.await.unwrap();
        remove.await.unwrap().expect("the removal always completes");
        // Whichever came first, the officer is removed and has no usable credential.
        assert!(
            onb.env
                .db
                .ufficiale(officer_id(&u))
                .await
                .unwrap()
                .is_none()
        );
        let credentials = onb.env.db.credentials_of(officer_id(&u)).await.unwrap();
        assert!(
            credentials
                .iter()
                .all(|c| c.status == CredentialStatus::Revoked),
            "{credentials:?}"
        );
        match approved {
            Ok(a) => {
                assert_eq!(credentials.len(), 1);
                assert_eq!(credentials[0].id.0.to_string(), a.credential_id);
                assert!(
                    onb.env
                        .db
                        .credential_revocation(credentials[0].id)
                        .await
                        .unwrap()
                        .is_some()
                );
            }
            Err(e) => {
                assert!(credentials.is_empty(), "{credentials:?}");
                assert!(
                    ["stato_non_consente", "ufficiale_rimosso"].contains(&e.code()),
                    "{e}"
                );
            }
        }
        let stored = onb.env.db.richiesta(rid(&r)).await.unwrap().unwrap();
        assert!(!stored.richiesta.stato().aperta());
    }
}

firma_testkit::token_test!(async fn removal_racing_an_approval_leaves_no_usable_credential_on_sqlite(token) {
    removal_racing_approval(false, token).await;
});

firma_testkit::token_test!(async fn removal_racing_an_approval_leaves_no_usable_credential_on_postgres(token) {
    removal_racing_approval(true, token).await;
});
