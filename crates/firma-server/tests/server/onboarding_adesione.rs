//! The adhesion through the service, on the controlled clock: the 30-day rule, the dichiarazione
//! (not before the proposed date, once, immutable afterwards), who may act, and concurrent
//! sindaci on SQLite and PostgreSQL.

use firma_core::OnboardingStore;
use firma_core::onboarding::{DatiDichiarazione, TipologiaAdesione, oggi_in_italia};
use firma_server::onboarding::OnboardingError;
use time::Duration;
use time::macros::date;

use crate::onboarding_support::{
    FIUMICINO, ROMA, als, audit_of, comune, noon_of, onboarding, proposta, sindaco,
};

firma_testkit::token_test!(async fn the_adhesion_date_is_at_least_30_days_after_the_proposta(token) {
    let onb = onboarding(token, false).await;
    noon_of(&onb, date!(2026 - 03 - 02));
    let s = sindaco(ROMA);
    // Day 29 is refused with the rule's code, nothing stored.
    let err = onb
        .service
        .salva_proposta(&s, &comune(ROMA), proposta(date!(2026 - 03 - 31)))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "data_adesione_troppo_vicina", "{err}");
    assert!(err.to_string().contains("2026-04-01"), "names the earliest date: {err}");
    assert!(onb.env.db.adesione(&comune(ROMA)).await.unwrap().is_none());
    // Day 30 is accepted: created.
    let (view, created) = onb
        .service
        .salva_proposta(&s, &comune(ROMA), proposta(date!(2026 - 04 - 01)))
        .await
        .unwrap();
    assert!(created);
    assert_eq!(view.stato, "proposta");
    assert_eq!(view.data_adesione, "2026-04-01");
    assert_eq!(view.inoltro_richieste_dal, "2026-01-01");
    assert!(view.modificabile);
    // Ten days later the date moves: the 30 days count from the day of the change.
    onb.env.clock.advance(Duration::days(10));
    let err = onb
        .service
        .salva_proposta(&s, &comune(ROMA), proposta(date!(2026 - 04 - 10)))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "data_adesione_troppo_vicina");
    let (view, created) = onb
        .service
        .salva_proposta(&s, &comune(ROMA), proposta(date!(2026 - 04 - 11)))
        .await
        .unwrap();
    assert!(!created, "a second save edits the proposta");
    assert_eq!(view.proposta.data_fissata_il, "2026-03-12");
    assert_eq!(view.data_adesione, "2026-04-11");
    // Audited: the proposta, then the change with both dates.
    let proposte = audit_of(&onb, "adesione.proposta").await;
    assert_eq!(proposte.len(), 1);
    assert_eq!(proposte[0].subject, "adesione:058091");
    assert_eq!(proposte[0].details["data_adesione"], "2026-04-01");
    let modifiche = audit_of(&onb, "adesione.modificata").await;
    assert_eq!(modifiche.len(), 1);
    assert_eq!(modifiche[0].details["data_adesione_precedente"], "2026-04-01");
    assert_eq!(modifiche[0].details["data_adesione"], "2026-04-11");
    assert_eq!(onb.env.db.adesione(&comune(ROMA)).await.unwrap().unwrap().version, 1);
});

firma_testkit::token_test!(async fn the_dichiarazione_is_sent_once_and_freezes_the_adhesion(token) {
    let onb = onboarding(token, false).await;
    noon_of(&onb, date!(2026 - 03 - 02));
    let s = sindaco(ROMA);
    onb.service
        .salva_proposta(&s, &comune(ROMA), proposta(date!(2026 - 05 - 04)))
        .await
        .unwrap();
    let dati = |d| DatiDichiarazione {
        data_adesione: d,
        tipologia: TipologiaAdesione::WebApp,
        gestionale_gestisce_tutti_i_casi_uso: false,
    };
    // Not before the proposed date.
    noon_of(&onb, date!(2026 - 05 - 03));
    let err = onb
        .service
        .dichiara(&s, &comune(ROMA), dati(date!(2026 - 05 - 04)))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "dichiarazione_prima_della_data", "{err}");
    // On the proposed date: the registers close today, the adhesion is tomorrow.
    noon_of(&onb, date!(2026 - 05 - 04));
    let view = onb
        .service
        .dichiara(&s, &comune(ROMA), dati(date!(2026 - 05 - 05)))
        .await
        .unwrap();
    assert_eq!(view.stato, "dichiarata");
    assert!(!view.modificabile);
    let d = view.dichiarazione.as_ref().unwrap();
    assert_eq!(d.data_chiusura_registri, "2026-05-04");
    assert_eq!(d.data_adesione, "2026-05-05");
    let stored = onb.env.db.adesione(&comune(ROMA)).await.unwrap().unwrap();

    // A second dichiarazione, on any day, with any date: refused, and nothing changes.
    for (day, declared) in [
        (date!(2026 - 05 - 04), date!(2026 - 05 - 05)),
        (date!(2026 - 05 - 20), date!(2026 - 05 - 21)),
    ] {
        noon_of(&onb, day);
        let err = onb
            .service
            .dichiara(&s, &comune(ROMA), dati(declared))
            .await
            .unwrap_err();
        assert!(matches!(err, OnboardingError::Conflict { code: "dichiarazione_immutabile", .. }), "{err}");
    }
    // Nor can the proposta be changed any more.
    let err = onb
        .service
        .salva_proposta(&s, &comune(ROMA), proposta(date!(2026 - 09 - 01)))
        .await
        .unwrap_err();
    assert!(matches!(err, OnboardingError::Conflict { code: "proposta_non_piu_modificabile", .. }), "{err}");
    assert_eq!(onb.env.db.adesione(&comune(ROMA)).await.unwrap().unwrap(), stored);
    assert_eq!(audit_of(&onb, "adesione.dichiarata").await.len(), 1);
    // Read-only views for the sindaco and the ALS.
    let seen = onb.service.adesione(&als(ROMA), &comune(ROMA)).await.unwrap();
    assert_eq!(seen.stato, "dichiarata");
});

firma_testkit::token_test!(async fn only_the_sindaco_of_the_comune_acts_others_are_refused_and_audited(token) {
    let onb = onboarding(token, false).await;
    let data = oggi_in_italia(onb.env.clock.as_ref()) + Duration::days(60);
    // The ALS may read but not propose: 403, audited.
    let err = onb
        .service
        .salva_proposta(&als(ROMA), &comune(ROMA), proposta(data))
        .await
        .unwrap_err();
    assert!(matches!(err, OnboardingError::Forbidden { .. }), "{err}");
    // The sindaco of Fiumicino does not see Roma: 404, audited too.
    let err = onb
        .service
        .salva_proposta(&sindaco(FIUMICINO), &comune(ROMA), proposta(data))
        .await
        .unwrap_err();
    assert!(matches!(err, OnboardingError::NotFound { .. }), "{err}");
    let err = onb
        .service
        .adesione(&sindaco(FIUMICINO), &comune(ROMA))
        .await
        .unwrap_err();
    assert!(matches!(err, OnboardingError::NotFound { .. }), "{err}");
    assert!(onb.env.db.adesione(&comune(ROMA)).await.unwrap().is_none());
    let denied = audit_of(&onb, "access.denied").await;
    assert_eq!(denied.len(), 3, "{denied:?}");
    assert!(denied[0].actor.starts_with("als:") && denied[0].subject == "adesione:058091");
    assert!(denied[1].actor.starts_with("sindaco:") && denied[1].details["reason"].contains("another comune"));
    // Fiumicino's own adhesion is its sindaco's business.
    let (_, created) = onb
        .service
        .salva_proposta(&sindaco(FIUMICINO), &comune(FIUMICINO), proposta(data))
        .await
        .unwrap();
    assert!(created);
});

async fn concurrent_sindaci(postgres: bool, token: &firma_testkit::softhsm::TestToken) {
    let onb = onboarding(token, postgres).await;
    let today = oggi_in_italia(onb.env.clock.as_ref());
    // Eight saves at once, each with its own date: one creates, seven edit; none is lost.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let service = onb.service.clone();
        tasks.push(tokio::spawn(async move {
            service
                .salva_proposta(
                    &sindaco(ROMA),
                    &comune(ROMA),
                    proposta(today + Duration::days(40 + i)),
                )
                .await
        }));
    }
    let mut created = 0;
    for t in tasks {
        let (_, c) = t
            .await
            .unwrap()
            .expect("every save succeeds after reloading");
        created += usize::from(c);
    }
    assert_eq!(created, 1);
    let stored = onb.env.db.adesione(&comune(ROMA)).await.unwrap().unwrap();
    assert_eq!(
        stored.version, 7,
        "one insert and seven compare-and-swap updates"
    );
    assert_eq!(audit_of(&onb, "adesione.proposta").await.len(), 1);
    let modifiche = audit_of(&onb, "adesione.modificata").await;
    assert_eq!(modifiche.len(), 7);
    // The stored date is the last change's, as its audit record says.
    assert_eq!(
        modifiche[6].details["data_adesione"],
        firma_server::onboarding::AdesioneView::new(&stored.adesione).data_adesione
    );
}

firma_testkit::token_test!(async fn concurrent_proposte_are_all_applied_in_turn_on_sqlite(token) {
    concurrent_sindaci(false, token).await;
});

firma_testkit::token_test!(async fn concurrent_proposte_are_all_applied_in_turn_on_postgres(token) {
    concurrent_sindaci(true, token).await;
});
