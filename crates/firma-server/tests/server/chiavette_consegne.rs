//! The Prefettura's stock, allocation and deliveries, with a controlled clock: the allocation
//! counts the officers who chose the chiavetta; a delivery beyond it needs a reason; a serial of
//! another province, already delivered or unknown is refused, and so is a future date; only the
//! province's operator acts (403 for other roles, 404 for another province, audited); two
//! deliveries racing for the same chiavetta or the last allocated one store one (SQLite and
//! PostgreSQL).

use firma_core::onboarding::{MetodoOtp, NuovaConsegna, RichiestaId};
use firma_core::otp::TokenStatus;
use firma_core::{ChiavetteStore, OtpStore};
use firma_server::chiavette::ChiavetteError;
use time::Duration;
use time::macros::date;

use crate::chiavette_support::{
    CF_ANNA, CF_GIUSEPPE, CF_LUCA, FIUMICINO, ROMA, admin, chiavette, nuova, prefettura, provincia,
    richieste_chiavetta,
};
use crate::onboarding_support::{
    CF_LAURA, CF_MARIO, als, audit_of, forwarded_and_checked, noon_of, officer,
};

const OGGI: time::Date = date!(2026 - 03 - 02);

async fn allocation_follows_the_officers_who_chose_the_chiavetta(
    postgres: bool,
    token: &firma_testkit::softhsm::TestToken,
) {
    let chv = chiavette(token, postgres).await;
    noon_of(&chv.onb, OGGI);
    let (roma, _) = richieste_chiavetta(&chv, &[CF_MARIO, CF_LAURA], &[CF_LUCA]).await;
    // An officer of Roma who chose SMS does not count.
    forwarded_and_checked(&chv.onb, CF_GIUSEPPE, MetodoOtp::Sms).await;

    let a = chv
        .service
        .allocazione(&chv.operatore, &provincia("058"))
        .await
        .unwrap();
    assert_eq!(a.provincia, "058");
    assert_eq!(a.totale, 3);
    assert_eq!(a.consegnate, 0);
    let per: Vec<_> = a
        .comuni
        .iter()
        .map(|c| (c.comune.as_str(), c.allocate, c.da_consegnare))
        .collect();
    assert_eq!(per, [(ROMA, 2, 2), (FIUMICINO, 1, 1)]);
    assert_eq!(a.scorte["in_stock"], 7);
    assert_eq!(a.scorte["delivered"], 0);

    // A cancelled richiesta no longer needs a chiavetta; an approved one still does.
    let (laura, r) = &roma[1];
    chv.onb
        .service
        .annulla_richiesta(&officer(laura), RichiestaId(r.id.parse().unwrap()))
        .await
        .unwrap();
    chv.onb
        .service
        .approva(
            &crate::onboarding_support::ente(),
            RichiestaId(roma[0].1.id.parse().unwrap()),
            None,
        )
        .await
        .unwrap();
    let a = chv
        .service
        .allocazione(&chv.operatore, &provincia("058"))
        .await
        .unwrap();
    assert_eq!(a.totale, 2);
    assert_eq!(a.comuni[0].allocate, 1, "{a:?}");

    // Deliveries are set against the allocation (an override included).
    let forced = NuovaConsegna {
        motivo_oltre_allocazione: Some("scorta per sostituzioni".into()),
        ..nuova(ROMA, &["RM-0001", "RM-0002"], OGGI)
    };
    chv.service
        .registra_consegna(&chv.operatore, forced)
        .await
        .unwrap();
    let a = chv
        .service
        .allocazione(&admin(), &provincia("058"))
        .await
        .unwrap();
    assert_eq!(
        (
            a.comuni[0].allocate,
            a.comuni[0].consegnate,
            a.comuni[0].da_consegnare
        ),
        (1, 2, 0)
    );
    assert_eq!(a.consegnate, 2);
    assert_eq!((a.scorte["in_stock"], a.scorte["delivered"]), (5, 2));

    // Only the province's operator or the administrator; another province's operator is told
    // the province does not exist; both refusals are audited.
    let milano = prefettura("015", None);
    let err = chv
        .service
        .allocazione(&milano, &provincia("058"))
        .await
        .unwrap_err();
    assert!(matches!(err, ChiavetteError::NotFound { .. }), "{err}");
    let err = chv
        .service
        .allocazione(&als(ROMA), &provincia("058"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ChiavetteError::Forbidden {
                code: "forbidden",
                ..
            }
        ),
        "{err}"
    );
    let denied = audit_of(&chv.onb, "access.denied").await;
    assert!(
        denied
            .iter()
            .any(|r| r.subject == "provincia:058" && r.actor.starts_with("prefettura:"))
    );
    assert!(
        denied
            .iter()
            .any(|r| r.subject == "provincia:058" && r.actor.starts_with("als:"))
    );
}

firma_testkit::token_test!(async fn allocation_follows_the_officers_who_chose_the_chiavetta_sqlite(token) {
    allocation_follows_the_officers_who_chose_the_chiavetta(false, token).await;
});

firma_testkit::token_test!(async fn allocation_follows_the_officers_who_chose_the_chiavetta_postgres(token) {
    allocation_follows_the_officers_who_chose_the_chiavetta(true, token).await;
});

fn code(err: &ChiavetteError) -> &'static str {
    err.code()
}

async fn the_rules_of_a_delivery(postgres: bool, token: &firma_testkit::softhsm::TestToken) {
    let chv = chiavette(token, postgres).await;
    noon_of(&chv.onb, OGGI);
    richieste_chiavetta(&chv, &[CF_MARIO, CF_LAURA], &[]).await;

    // Within Roma's allocation of 2: recorded, the chiavette delivered to Roma.
    let c = chv
        .service
        .registra_consegna(&chv.operatore, nuova(ROMA, &["RM-0001", " RM-0002 "], OGGI))
        .await
        .unwrap();
    assert_eq!(c.numero, 1);
    assert_eq!(c.seriali, ["RM-0001", "RM-0002"]);
    assert_eq!(
        (c.comune.as_str(), c.provincia.as_str(), c.data.as_str()),
        (ROMA, "058", "2026-03-02")
    );
    assert_eq!(
        c.delegato.codice_fiscale,
        crate::chiavette_support::CF_DELEGATO
    );
    assert_eq!(c.motivo_oltre_allocazione, None);
    for t in chv
        .onb
        .env
        .db
        .chiavette(&["RM-0001".into(), "RM-0002".into()])
        .await
        .unwrap()
    {
        assert_eq!(t.stato, TokenStatus::Delivered);
        assert_eq!(t.comune.as_ref().map(|c| c.as_str()), Some(ROMA));
    }

    // A third chiavetta exceeds the allocation: refused without a reason, recorded with one.
    let err = chv
        .service
        .registra_consegna(&chv.operatore, nuova(ROMA, &["RM-0003"], OGGI))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "oltre_allocazione");
    assert!(
        err.to_string().contains("allocated 2") && err.to_string().contains("received 2"),
        "{err}"
    );
    let blank = NuovaConsegna {
        motivo_oltre_allocazione: Some("  ".into()),
        ..nuova(ROMA, &["RM-0003"], OGGI)
    };
    assert_eq!(
        code(
            &chv.service
                .registra_consegna(&chv.operatore, blank)
                .await
                .unwrap_err()
        ),
        "oltre_allocazione"
    );
    let forced = NuovaConsegna {
        motivo_oltre_allocazione: Some("chiavetta guasta sostituita".into()),
        ..nuova(ROMA, &["RM-0003"], OGGI)
    };
    let c2 = chv
        .service
        .registra_consegna(&chv.operatore, forced)
        .await
        .unwrap();
    assert_eq!(c2.numero, 2);
    assert_eq!(
        c2.motivo_oltre_allocazione.as_deref(),
        Some("chiavetta guasta sostituita")
    );
    // Nothing was stored by the refusals: RM-0003 is in one delivery only.
    let token = chv.onb.env.db.token("RM-0003").await.unwrap().unwrap();
    assert_eq!(token.status, TokenStatus::Delivered);

    let reason = || Some("motivo".to_owned());
    // Another province's chiavetta, or one not in any province's stock.
    for serial in ["MI-0001", "XX-0001"] {
        let n = NuovaConsegna {
            motivo_oltre_allocazione: reason(),
            ..nuova(FIUMICINO, &[serial], OGGI)
        };
        let err = chv
            .service
            .registra_consegna(&chv.operatore, n)
            .await
            .unwrap_err();
        assert_eq!(code(&err), "seriale_non_della_provincia", "{serial}: {err}");
        assert!(matches!(err, ChiavetteError::Invalid { .. }));
    }
    // Already delivered (to Roma), even to another comune: 409.
    let n = NuovaConsegna {
        motivo_oltre_allocazione: reason(),
        ..nuova(FIUMICINO, &["RM-0004", "RM-0001"], OGGI)
    };
    let err = chv
        .service
        .registra_consegna(&chv.operatore, n)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ChiavetteError::Conflict {
                code: "gia_consegnata",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains(ROMA), "{err}");
    assert_eq!(
        chv.onb
            .env
            .db
            .token("RM-0004")
            .await
            .unwrap()
            .unwrap()
            .status,
        TokenStatus::InStock,
        "all or nothing"
    );
    // Unknown serial, repeated serial, bad delegate.
    let n = NuovaConsegna {
        motivo_oltre_allocazione: reason(),
        ..nuova(FIUMICINO, &["RM-9999"], OGGI)
    };
    assert_eq!(
        code(
            &chv.service
                .registra_consegna(&chv.operatore, n)
                .await
                .unwrap_err()
        ),
        "seriale_sconosciuto"
    );
    let n = NuovaConsegna {
        codice_fiscale_delegato: "BNCGLI90D50H501X".into(),
        motivo_oltre_allocazione: reason(),
        ..nuova(FIUMICINO, &["RM-0004"], OGGI)
    };
    assert_eq!(
        code(
            &chv.service
                .registra_consegna(&chv.operatore, n)
                .await
                .unwrap_err()
        ),
        "codice_fiscale_delegato"
    );

    // The date: tomorrow (in Rome) is refused; at 23:30 in Rome "today" is still the 2nd, and
    // at 00:30 the 3rd is today.
    let domani = date!(2026 - 03 - 03);
    let n = || NuovaConsegna {
        motivo_oltre_allocazione: reason(),
        ..nuova(FIUMICINO, &["RM-0004"], domani)
    };
    chv.onb
        .env
        .clock
        .set(firma_core::onboarding::inizio_giorno_in_italia(domani) - Duration::minutes(30));
    let err = chv
        .service
        .registra_consegna(&chv.operatore, n())
        .await
        .unwrap_err();
    assert_eq!(code(&err), "data_futura");
    assert!(
        err.to_string().contains("2026-03-03") && err.to_string().contains("2026-03-02"),
        "{err}"
    );
    chv.onb.env.clock.advance(Duration::hours(1));
    let c3 = chv
        .service
        .registra_consegna(&chv.operatore, n())
        .await
        .unwrap();
    assert_eq!(
        (c3.comune.as_str(), c3.numero, c3.data.as_str()),
        (FIUMICINO, 1, "2026-03-03")
    );

    // Access: another role 403, another province's operator 404 (as for a comune that does not
    // exist), both audited; nothing stored.
    let n = || NuovaConsegna {
        motivo_oltre_allocazione: reason(),
        ..nuova(ROMA, &["RM-0005"], OGGI)
    };
    let err = chv
        .service
        .registra_consegna(&als(ROMA), n())
        .await
        .unwrap_err();
    assert!(matches!(err, ChiavetteError::Forbidden { .. }), "{err}");
    let err = chv
        .service
        .registra_consegna(&prefettura("015", None), n())
        .await
        .unwrap_err();
    assert!(matches!(err, ChiavetteError::NotFound { .. }), "{err}");
    let err = chv
        .service
        .registra_consegna(&admin(), n())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ChiavetteError::Forbidden { .. }),
        "the administrator does not deliver: {err}"
    );
    let denied = audit_of(&chv.onb, "access.denied").await;
    assert_eq!(
        denied
            .iter()
            .filter(|r| r.subject == format!("comune:{ROMA}"))
            .count(),
        3,
        "{denied:?}"
    );
    assert_eq!(
        chv.onb
            .env
            .db
            .token("RM-0005")
            .await
            .unwrap()
            .unwrap()
            .status,
        TokenStatus::InStock
    );

    // What was recorded, in order, and audited once each.
    let list = chv
        .service
        .consegne(&chv.operatore, &provincia("058"), None, 100)
        .await
        .unwrap();
    assert_eq!(
        list.iter()
            .map(|c| (c.comune.as_str(), c.numero))
            .collect::<Vec<_>>(),
        [(ROMA, 1), (ROMA, 2), (FIUMICINO, 1)]
    );
    let only_roma = chv
        .service
        .consegne(
            &chv.operatore,
            &provincia("058"),
            Some(&crate::onboarding_support::comune(ROMA)),
            100,
        )
        .await
        .unwrap();
    assert_eq!(only_roma.len(), 2);
    let records = audit_of(&chv.onb, "chiavette.consegnate").await;
    assert_eq!(records.len(), 3);
    assert_eq!(records[0].details["seriali"], "RM-0001,RM-0002");
    assert_eq!(records[0].details["allocate"], "2");
    assert_eq!(
        records[1].details["motivo_oltre_allocazione"],
        "chiavetta guasta sostituita"
    );
    assert!(records[0].actor.starts_with("prefettura:"));
    assert!(
        chv.service
            .consegne(&prefettura("015", None), &provincia("058"), None, 100)
            .await
            .is_err()
    );
}

firma_testkit::token_test!(async fn the_rules_of_a_delivery_sqlite(token) {
    the_rules_of_a_delivery(false, token).await;
});

firma_testkit::token_test!(async fn the_rules_of_a_delivery_postgres(token) {
    the_rules_of_a_delivery(true, token).await;
});

firma_testkit::token_test!(async fn stock_is_loaded_by_the_administrator_once_per_province(token) {
    let chv = chiavette(token, false).await;
    let s = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    // Already in Roma's stock: nothing changes.
    let v = chv.service.carica(&admin(), &provincia("058"), &s(&["RM-0001"])).await.unwrap();
    assert!(v.caricate.is_empty());
    assert_eq!(v.gia_presenti, ["RM-0001"]);
    // Milano's chiavetta is not moved to Roma; all or nothing: XX-0001 is not loaded either.
    let err = chv.service.carica(&admin(), &provincia("058"), &s(&["XX-0001", "MI-0001"])).await.unwrap_err();
    assert!(matches!(err, ChiavetteError::Conflict { code: "seriale_di_altra_provincia", .. }), "{err}");
    assert!(err.to_string().contains("015"));
    assert_eq!(chv.onb.env.db.chiavette(&s(&["XX-0001"])).await.unwrap()[0].provincia, None);
    assert_eq!(
        code(&chv.service.carica(&admin(), &provincia("058"), &s(&["NOPE-1"])).await.unwrap_err()),
        "seriale_sconosciuto"
    );
    // Only the administrator loads stock (the operator does not, audited).
    let err = chv.service.carica(&chv.operatore, &provincia("058"), &s(&["XX-0001"])).await.unwrap_err();
    assert!(matches!(err, ChiavetteError::Forbidden { .. }), "{err}");
    assert!(audit_of(&chv.onb, "access.denied").await.iter().any(|r| r.subject == "provincia:058"));
    let v = chv.service.carica(&admin(), &provincia("058"), &s(&["XX-0001"])).await.unwrap();
    assert_eq!(v.caricate, ["XX-0001"]);
    let records = audit_of(&chv.onb, "chiavette.allocate").await;
    assert_eq!(records.len(), 3, "Roma's, Milano's and this load");
    assert_eq!(records[2].subject, "provincia:058");
    assert_eq!(records[2].details["chiavette"], "1");
    // The stock as the operator sees it.
    let in_stock = chv
        .service
        .chiavette_della_provincia(&chv.operatore, &provincia("058"), Some(TokenStatus::InStock), 100)
        .await
        .unwrap();
    assert_eq!(in_stock.len(), 8);
    assert!(in_stock.iter().all(|c| c.provincia.as_deref() == Some("058")));
    // A delivered chiavetta cannot go to another province's stock.
    noon_of(&chv.onb, OGGI);
    let n = NuovaConsegna { motivo_oltre_allocazione: Some("x".into()), ..nuova(ROMA, &["RM-0001"], OGGI) };
    chv.service.registra_consegna(&chv.operatore, n).await.unwrap();
    let err = chv.service.carica(&admin(), &provincia("015"), &s(&["RM-0001"])).await.unwrap_err();
    assert_eq!(code(&err), "seriale_di_altra_provincia");
});

/// Two operators deliver at the same moment: the same chiavetta to two comuni, then the last
/// chiavetta of Roma's allocation twice. One delivery of each pair is stored.
async fn racing_deliveries(postgres: bool, token: &firma_testkit::softhsm::TestToken) {
    let chv = chiavette(token, postgres).await;
    noon_of(&chv.onb, OGGI);
    richieste_chiavetta(&chv, &[CF_MARIO], &[CF_ANNA]).await;
    let other = prefettura("058", chv.operatore.ufficiale);
    let forced = |comune: &str, serial: &str| NuovaConsegna {
        motivo_oltre_allocazione: Some("gara".into()),
        ..nuova(comune, &[serial], OGGI)
    };
    let (a, b) = tokio::join!(
        chv.service
            .registra_consegna(&chv.operatore, forced(ROMA, "RM-0001")),
        chv.service
            .registra_consegna(&other, forced(FIUMICINO, "RM-0001")),
    );
    let results = [a, b];
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(
        results
            .iter()
            .any(|r| matches!(r, Err(e) if e.code() == "gia_consegnata"))
    );

    // Roma is allocated 1 (Mario): two deliveries of one chiavetta each, without a reason.
    let (a, b) = tokio::join!(
        chv.service
            .registra_consegna(&chv.operatore, nuova(ROMA, &["RM-0002"], OGGI)),
        chv.service
            .registra_consegna(&other, nuova(ROMA, &["RM-0003"], OGGI)),
    );
    let winner_roma_first = results
        .iter()
        .any(|r| matches!(r, Ok(c) if c.comune == ROMA));
    let results = [a, b];
    if winner_roma_first {
        // RM-0001 already went to Roma: both exceed the allocation.
        assert!(
            results
                .iter()
                .all(|r| matches!(r, Err(e) if e.code() == "oltre_allocazione")),
            "{results:?}"
        );
    } else {
        assert_eq!(
            results.iter().filter(|r| r.is_ok()).count(),
            1,
            "{results:?}"
        );
        assert!(
            results
                .iter()
                .any(|r| matches!(r, Err(e) if e.code() == "oltre_allocazione"))
        );
    }
    let roma = chv
        .service
        .consegne(
            &chv.operatore,
            &provincia("058"),
            Some(&crate::onboarding_support::comune(ROMA)),
            100,
        )
        .await
        .unwrap();
    assert_eq!(
        roma.iter().map(|c| c.seriali.len()).sum::<usize>(),
        1,
        "Roma received exactly its allocation"
    );
    assert_eq!(roma[0].numero, 1);
    let expected = if winner_roma_first { 1 } else { 2 };
    assert_eq!(
        audit_of(&chv.onb, "chiavette.consegnate").await.len(),
        expected
    );
}

firma_testkit::token_test!(async fn racing_deliveries_store_one_sqlite(token) {
    racing_deliveries(false, token).await;
});

firma_testkit::token_test!(async fn racing_deliveries_store_one_postgres(token) {
    racing_deliveries(true, token).await;
});
