//! Forwarding to the Ente Certificatore on the controlled clock: a richiesta waits for the
//! sindaco's proposta, then for the window (three calendar months before the adhesion date), and
//! the periodic job forwards it on the day the window opens; a change of the date moves the
//! window; a decision taken on an adhesion that changed meanwhile is not stored.

use std::time::Duration as StdDuration;

use firma_core::OnboardingStore;
use firma_core::onboarding::MetodoOtp;
use firma_server::onboarding::{FORWARDING_ACTOR, spawn_forwarding};
use time::macros::date;

use crate::onboarding_support::{
    CF_LAURA, CF_MARIO, ROMA, audit_of, comune, ente, noon_of, officer, onboarding, proposta,
    register, richiesta, rid, sindaco,
};

firma_testkit::token_test!(async fn a_richiesta_waits_for_the_window_and_the_job_forwards_it_when_it_opens(token) {
    let onb = onboarding(token, false).await;
    noon_of(&onb, date!(2026 - 03 - 02));
    let u = register(&onb, CF_MARIO).await;
    let me = officer(&u);

    // No proposta yet: the richiesta waits for the sindaco.
    let r = onb.service.compila_richiesta(&me, richiesta(MetodoOtp::Sms)).await.unwrap();
    assert_eq!(r.stato, "in_attesa");
    let inoltro = r.inoltro.as_ref().unwrap();
    assert_eq!(inoltro.attesa, "adesione_non_confermata");
    assert!(inoltro.inoltrabile_dal.is_none());

    // The sindaco proposes 31 August: the window opens on 31 May (three calendar months).
    onb.service
        .salva_proposta(&sindaco(ROMA), &comune(ROMA), proposta(date!(2026 - 08 - 31)))
        .await
        .unwrap();
    let r = onb.service.richiesta(&me, rid(&r)).await.unwrap();
    assert_eq!(r.stato, "in_attesa", "the adhesion is more than three months away");
    let inoltro = r.inoltro.as_ref().unwrap();
    assert_eq!(inoltro.attesa, "finestra_non_aperta");
    assert_eq!(inoltro.inoltrabile_dal.as_deref(), Some("2026-05-31"));
    // The Ente Certificatore does not see it yet.
    assert!(onb.service.richiesta(&ente(), rid(&r)).await.is_err());

    // The periodic job, every 20 ms: nothing to do on 30 May, even at 23:59 in Rome.
    let job = spawn_forwarding(onb.service.clone(), StdDuration::from_millis(20));
    onb.env
        .clock
        .set(firma_core::onboarding::inizio_giorno_in_italia(date!(2026 - 05 - 31)) - time::Duration::minutes(1));
    tokio::time::sleep(StdDuration::from_millis(200)).await;
    assert_eq!(onb.service.richiesta(&me, rid(&r)).await.unwrap().stato, "in_attesa");
    assert!(audit_of(&onb, "richiesta.inoltrata").await.is_empty());

    // Midnight in Rome on 31 May: the job forwards it.
    onb.env.clock.advance(time::Duration::minutes(1));
    let mut forwarded = None;
    for _ in 0..200 {
        let now = onb.service.richiesta(&me, rid(&r)).await.unwrap();
        if now.stato == "inoltrata" {
            forwarded = Some(now);
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    job.abort();
    let forwarded = forwarded.expect("the job forwarded the richiesta");
    assert!(forwarded.inoltro.is_none());
    assert_eq!(forwarded.inoltrata_il.as_deref(), Some("2026-05-30T22:00:00Z"));
    let records = audit_of(&onb, "richiesta.inoltrata").await;
    assert_eq!(records.len(), 1, "forwarded once, however often the job runs");
    assert_eq!(records[0].actor, FORWARDING_ACTOR);
    assert_eq!(records[0].details["giorno"], "2026-05-31");
    assert_eq!(records[0].details["data_adesione"], "2026-08-31");
    // Now in the Ente Certificatore's queue.
    let queue = onb.service.richieste(&ente(), Default::default()).await.unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].id, r.id);
});

firma_testkit::token_test!(async fn a_change_of_the_date_moves_the_window_and_forwards_at_once(token) {
    let onb = onboarding(token, false).await;
    noon_of(&onb, date!(2026 - 03 - 02));
    let s = sindaco(ROMA);
    onb.service
        .salva_proposta(&s, &comune(ROMA), proposta(date!(2026 - 09 - 15)))
        .await
        .unwrap();
    let mario = register(&onb, CF_MARIO).await;
    let r = onb
        .service
        .compila_richiesta(&officer(&mario), richiesta(MetodoOtp::Chiavetta))
        .await
        .unwrap();
    assert_eq!(r.stato, "in_attesa");
    assert_eq!(r.inoltro.as_ref().unwrap().inoltrabile_dal.as_deref(), Some("2026-06-15"));
    // The job finds nothing to forward today.
    assert_eq!(onb.service.inoltra_dovute().await.unwrap().inoltrate, 0);

    // The sindaco brings the date forward to 1 May: within three months, forwarded at once.
    onb.service
        .salva_proposta(&s, &comune(ROMA), proposta(date!(2026 - 05 - 01)))
        .await
        .unwrap();
    let r = onb.service.richiesta(&officer(&mario), rid(&r)).await.unwrap();
    assert_eq!(r.stato, "inoltrata");

    // A richiesta filed while the window is open is forwarded when it is filed.
    let laura = register(&onb, CF_LAURA).await;
    let r2 = onb
        .service
        .compila_richiesta(&officer(&laura), richiesta(MetodoOtp::Sms))
        .await
        .unwrap();
    assert_eq!(r2.stato, "inoltrata");
    assert_eq!(audit_of(&onb, "richiesta.inoltrata").await.len(), 2);
});

async fn stale_adhesion(postgres: bool, token: &firma_testkit::softhsm::TestToken) {
    let onb = onboarding(token, postgres).await;
    noon_of(&onb, date!(2026 - 03 - 02));
    let s = sindaco(ROMA);
    onb.service
        .salva_proposta(&s, &comune(ROMA), proposta(date!(2026 - 09 - 15)))
        .await
        .unwrap();
    let mario = register(&onb, CF_MARIO).await;
    let r = onb
        .service
        .compila_richiesta(&officer(&mario), richiesta(MetodoOtp::Sms))
        .await
        .unwrap();
    // The job decides on the adhesion as it was read (version 0) on a later day...
    noon_of(&onb, date!(2026 - 06 - 20));
    let now = onb.env.clock.as_ref();
    let stored = onb.env.db.richiesta(rid(&r)).await.unwrap().unwrap();
    let adesione = onb.env.db.adesione(&comune(ROMA)).await.unwrap().unwrap();
    let mut decided = stored.richiesta.clone();
    decided
        .inoltra(Some(&adesione.adesione), firma_core::Clock::now(now))
        .unwrap();
    // ...while the sindaco moves the date to December: the window is closed again.
    onb.service
        .salva_proposta(&s, &comune(ROMA), proposta(date!(2026 - 12 - 15)))
        .await
        .unwrap();
    let event = firma_core::AuditEvent::new(
        firma_core::AuditKind::RichiestaInoltrata,
        FORWARDING_ACTOR,
        "test",
    );
    let stored_ok = onb
        .env
        .db
        .update_richiesta(
            &decided,
            stored.version,
            Some(adesione.version),
            &[event],
            firma_core::Clock::now(now),
        )
        .await
        .unwrap();
    assert!(!stored_ok, "a decision on a changed adhesion is not stored");
    assert_eq!(
        onb.env.db.richiesta(rid(&r)).await.unwrap().unwrap(),
        stored
    );
    assert!(audit_of(&onb, "richiesta.inoltrata").await.is_empty());
    // The job, deciding again on the new date, leaves it waiting.
    assert_eq!(onb.service.inoltra_dovute().await.unwrap().inoltrate, 0);
    let seen = onb
        .service
        .richiesta(&officer(&mario), rid(&r))
        .await
        .unwrap();
    assert_eq!(
        seen.inoltro.unwrap().inoltrabile_dal.as_deref(),
        Some("2026-09-15")
    );
}

firma_testkit::token_test!(async fn forwarding_decided_on_a_changed_adhesion_is_not_stored_on_sqlite(token) {
    stale_adhesion(false, token).await;
});

firma_testkit::token_test!(async fn forwarding_decided_on_a_changed_adhesion_is_not_stored_on_postgres(token) {
    stale_adhesion(true, token).await;
});
