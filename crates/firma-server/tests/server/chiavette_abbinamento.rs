//! An officer binds a chiavetta delivered to their comune with two consecutive codes, with a
//! controlled clock: wrong or non-consecutive codes are refused and counted; the right codes
//! bind it, make it the officer's OTP device (the pending richiesta is approved with it) and it
//! then authorises; another comune's officer, an undelivered or already bound chiavetta, a
//! second chiavetta are refused; the codes never reach the audit log (SQLite and PostgreSQL).

use firma_core::onboarding::{CodiciAbbinamento, NuovaConsegna, RichiestaId};
use firma_core::otp::{OtpDevice, OtpOutcome, RejectCause, TokenStatus};
use firma_core::{Clock, DirectoryStore, OtpStore};
use firma_server::chiavette::ChiavetteError;
use time::macros::date;

use crate::chiavette_support::{
    CF_ANNA, FIUMICINO, ROMA, chiavette, hotp_at, nuova, richieste_chiavetta, totp_at,
};
use crate::onboarding_support::{CF_LAURA, CF_MARIO, als, audit, audit_of, ente, noon_of, officer};

const OGGI: time::Date = date!(2026 - 03 - 02);

fn codici(primo: &str, secondo: &str) -> CodiciAbbinamento {
    CodiciAbbinamento {
        primo: primo.into(),
        secondo: secondo.into(),
    }
}

async fn binding(postgres: bool, token: &firma_testkit::softhsm::TestToken) {
    let chv = chiavette(token, postgres).await;
    noon_of(&chv.onb, OGGI);
    let (roma, fiumicino) = richieste_chiavetta(&chv, &[CF_MARIO, CF_LAURA], &[CF_ANNA]).await;
    let (mario, mario_r) = &roma[0];
    let (laura, _) = &roma[1];
    let anna = &fiumicino[0];
    for (comune, serials) in [
        (ROMA, &["RM-0001", "RM-0002", "RM-H001"][..]),
        (FIUMICINO, &["RM-0003"][..]),
    ] {
        let n = NuovaConsegna {
            motivo_oltre_allocazione: Some("scorta".into()),
            ..nuova(comune, serials, OGGI)
        };
        chv.service
            .registra_consegna(&chv.operatore, n)
            .await
            .unwrap();
    }
    let now = chv.onb.env.clock.now().unix_timestamp();
    let (prev, cur) = (totp_at(now - 30), totp_at(now));

    // Another comune's officer is told the chiavetta does not exist (audited), before any code
    // is checked; other roles are refused.
    let err = chv
        .service
        .abbina(&officer(anna), "RM-0001", &codici(&prev, &cur))
        .await
        .unwrap_err();
    assert!(matches!(err, ChiavetteError::NotFound { .. }), "{err}");
    assert!(
        audit_of(&chv.onb, "access.denied")
            .await
            .iter()
            .any(|r| r.subject == "chiavetta:RM-0001")
    );
    let err = chv
        .service
        .abbina(&als(ROMA), "RM-0001", &codici(&prev, &cur))
        .await
        .unwrap_err();
    assert!(matches!(err, ChiavetteError::Forbidden { .. }), "{err}");
    // Not delivered, or unknown.
    let err = chv
        .service
        .abbina(&officer(mario), "RM-0004", &codici(&prev, &cur))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ChiavetteError::Conflict {
                code: "non_consegnata",
                ..
            }
        ),
        "{err}"
    );
    assert!(matches!(
        chv.service
            .abbina(&officer(mario), "RM-9999", &codici(&prev, &cur))
            .await
            .unwrap_err(),
        ChiavetteError::NotFound { .. }
    ));
    // The same code twice, or a malformed one: the rules refuse before the token is touched.
    let err = chv
        .service
        .abbina(&officer(mario), "RM-0001", &codici(&cur, &cur))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "codici_uguali");
    assert_eq!(
        chv.service
            .abbina(&officer(mario), "RM-0001", &codici("12345", &cur))
            .await
            .unwrap_err()
            .code(),
        "codice_malformato"
    );
    assert_eq!(
        chv.onb
            .env
            .db
            .token("RM-0001")
            .await
            .unwrap()
            .unwrap()
            .state
            .failures,
        0
    );

    // Wrong codes, then codes of the token that are not consecutive (one step apart): refused,
    // and counted towards the lock-out.
    let err = chv
        .service
        .abbina(&officer(mario), "RM-0001", &codici("123456", "654321"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ChiavetteError::OtpRejected {
                attempts_left: 4,
                ..
            }
        ),
        "{err}"
    );
    let err = chv
        .service
        .abbina(
            &officer(mario),
            "RM-0001",
            &codici(&totp_at(now - 30), &totp_at(now + 30)),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ChiavetteError::OtpRejected {
                attempts_left: 3,
                ..
            }
        ),
        "{err}"
    );
    let t = chv.onb.env.db.token("RM-0001").await.unwrap().unwrap();
    assert_eq!(
        (t.status, t.state.failures, t.owner),
        (TokenStatus::Delivered, 2, None)
    );
    let (_, device) = chv
        .onb
        .env
        .db
        .ufficiale(crate::onboarding_support::officer_id(mario))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(device, None);

    // Two consecutive codes: bound to Mario, his OTP device, the failures cleared.
    let v = chv
        .service
        .abbina(
            &officer(mario),
            " RM-0001 ",
            &codici(&prev, &format!(" {cur} ")),
        )
        .await
        .unwrap();
    assert_eq!((v.serial.as_str(), v.stato), ("RM-0001", "assigned"));
    assert_eq!(v.ufficiale.as_deref(), Some(mario.id.as_str()));
    assert_eq!(v.comune.as_deref(), Some(ROMA));
    let t = chv.onb.env.db.token("RM-0001").await.unwrap().unwrap();
    assert_eq!((t.status, t.state.failures), (TokenStatus::Assigned, 0));
    assert_eq!(t.owner.as_deref(), Some(mario.id.as_str()));
    let (_, device) = chv
        .onb
        .env
        .db
        .ufficiale(crate::onboarding_support::officer_id(mario))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        device,
        Some(OtpDevice::Token {
            serial: "RM-0001".into()
        })
    );
    let bound = audit_of(&chv.onb, "chiavette.abbinata").await;
    assert_eq!(bound.len(), 1);
    assert_eq!(bound[0].subject, "token:RM-0001");
    assert_eq!(bound[0].details["ufficiale"], mario.id);
    let resync = audit_of(&chv.onb, "otp.resynchronised").await;
    assert_eq!(resync.len(), 1);
    assert_eq!(resync[0].details["purpose"], "abbinamento");
    // No code typed reaches the audit log.
    for r in audit(&chv.onb).await {
        for value in r.details.values() {
            for c in [&prev, &cur, "123456", "654321"] {
                assert!(!value.contains(c), "{} holds a code: {value}", r.kind);
            }
        }
    }

    // One chiavetta per officer; a bound chiavetta is nobody else's.
    let err = chv
        .service
        .abbina(
            &officer(mario),
            "RM-0002",
            &codici(&totp_at(now), &totp_at(now + 30)),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ChiavetteError::Conflict {
                code: "ha_gia_una_chiavetta",
                ..
            }
        ),
        "{err}"
    );
    let err = chv
        .service
        .abbina(&officer(laura), "RM-0001", &codici(&prev, &cur))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ChiavetteError::Conflict {
                code: "gia_abbinata",
                ..
            }
        ),
        "{err}"
    );

    // Mario's pending richiesta (chiavetta) is approved with the bound chiavetta as his device.
    let approved = chv
        .onb
        .service
        .approva(&ente(), RichiestaId(mario_r.id.parse().unwrap()), None)
        .await
        .unwrap();
    assert_eq!(approved.otp_device, "token");
    // The chiavetta authorises: the binding's codes are spent, the next one is accepted.
    let device = OtpDevice::Token {
        serial: "RM-0001".into(),
    };
    let actor = format!("ufficiale:{}", mario.id);
    assert_eq!(
        chv.onb
            .env
            .otp
            .verify(&device, &cur, "request-1", &actor)
            .await
            .unwrap(),
        OtpOutcome::Rejected {
            cause: RejectCause::Replay,
            attempts_left: 4
        }
    );
    assert_eq!(
        chv.onb
            .env
            .otp
            .verify(&device, &totp_at(now + 30), "request-1", &actor)
            .await
            .unwrap(),
        OtpOutcome::Accepted
    );

    // An HOTP chiavetta pressed a few times before binding: consecutive counter values bind it.
    let v = chv
        .service
        .abbina(
            &officer(laura),
            "RM-H001",
            &codici(&hotp_at(3), &hotp_at(4)),
        )
        .await
        .unwrap();
    assert_eq!(v.stato, "assigned");
    assert_eq!(
        chv.onb
            .env
            .db
            .token("RM-H001")
            .await
            .unwrap()
            .unwrap()
            .state
            .counter,
        5
    );
}

firma_testkit::token_test!(async fn binding_a_delivered_chiavetta_sqlite(token) {
    binding(false, token).await;
});

firma_testkit::token_test!(async fn binding_a_delivered_chiavetta_postgres(token) {
    binding(true, token).await;
});

firma_testkit::token_test!(async fn repeated_wrong_codes_lock_the_chiavetta(token) {
    let chv = chiavette(token, false).await;
    noon_of(&chv.onb, OGGI);
    let (roma, _) = richieste_chiavetta(&chv, &[CF_MARIO], &[]).await;
    let mario = &roma[0].0;
    chv.service.registra_consegna(&chv.operatore, nuova(ROMA, &["RM-0001"], OGGI)).await.unwrap();
    for left in (1..5).rev() {
        let err = chv.service.abbina(&officer(mario), "RM-0001", &codici("111111", "222222")).await.unwrap_err();
        assert!(matches!(err, ChiavetteError::OtpRejected { attempts_left, .. } if attempts_left == left), "{err}");
    }
    let err = chv.service.abbina(&officer(mario), "RM-0001", &codici("111111", "222222")).await.unwrap_err();
    assert!(matches!(err, ChiavetteError::OtpLocked), "{err}");
    // Locked: even the right codes are refused until an operator unlocks it.
    let now = chv.onb.env.clock.now().unix_timestamp();
    let right = codici(&totp_at(now - 30), &totp_at(now));
    assert!(matches!(chv.service.abbina(&officer(mario), "RM-0001", &right).await.unwrap_err(), ChiavetteError::OtpLocked));
    chv.onb.env.otp.unlock("token:RM-0001", "operator:test", "delegate confirmed").await.unwrap();
    assert_eq!(chv.service.abbina(&officer(mario), "RM-0001", &right).await.unwrap().stato, "assigned");
    assert_eq!(audit_of(&chv.onb, "otp.locked_out").await.len(), 1);
});
