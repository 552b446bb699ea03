//! The receipt of a delivery: a PDF made by the service, signed in PAdES with the Prefettura
//! operator's own credential once they authorise it with their SMS code, then stored with the
//! delivery; not available before (409); nothing lost when it cannot be signed: the delivery
//! stays recorded and the receipt is requested again (SQLite and PostgreSQL).

use firma_core::onboarding::NuovaConsegna;
use firma_core::ports::ConsegnaId;
use firma_core::{ChiavetteStore, Clock, Role};
use firma_server::chiavette::{ChiavetteError, ricevuta_pdf};
use firma_server::sms::read_outbox;
use time::Duration;
use time::macros::date;

use crate::chiavette_support::{
    PHONE_OPERATORE, ROMA, admin, chiavette, nuova, prefettura, request_id, wait_signed,
};
use crate::onboarding_support::{als, audit_of, noon_of};

const OGGI: time::Date = date!(2026 - 03 - 02);

fn forced(serials: &[&str]) -> NuovaConsegna {
    NuovaConsegna {
        motivo_oltre_allocazione: Some("consegna di prova".into()),
        ..nuova(ROMA, serials, OGGI)
    }
}

async fn the_operator_signs_the_receipt(postgres: bool, token: &firma_testkit::softhsm::TestToken) {
    let chv = chiavette(token, postgres).await;
    noon_of(&chv.onb, OGGI);
    let c = chv
        .service
        .registra_consegna(&chv.operatore, forced(&["RM-0001", "RM-0002"]))
        .await
        .unwrap();
    let id = ConsegnaId(c.id.parse().unwrap());
    // The receipt awaits the operator's signature; the code went to the operator's phone.
    assert_eq!(c.ricevuta.stato, "in_attesa_di_firma", "{:?}", c.ricevuta);
    let otp = c.ricevuta.otp.as_ref().unwrap();
    assert_eq!((otp.method, otp.sent), ("sms", Some(true)));
    let sms = read_outbox(&chv.onb.env.outbox, Some(PHONE_OPERATORE), 1).unwrap();
    assert!(
        sms[0].text.contains("ricevuta di consegna di 2 chiavette"),
        "{}",
        sms[0].text
    );
    let request = request_id(&c);
    let seen = chv.signing.get(&chv.operatore, request).await.unwrap();
    assert_eq!(seen.credential_id, chv.credential.0.to_string());
    assert_eq!(seen.documents[0].atto, "ricevuta_chiavette");
    assert_eq!(seen.documents[0].level, "B-B", "no TSA in this environment");

    // Not before it is signed, and not requested twice while pending.
    let err = chv.service.ricevuta(&chv.operatore, id).await.unwrap_err();
    assert!(
        matches!(
            err,
            ChiavetteError::Conflict {
                code: "ricevuta_non_firmata",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains(&request.to_string()), "{err}");
    let err = chv
        .service
        .richiedi_ricevuta(&chv.operatore, id)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ricevuta_in_firma");

    // Only the operator authorises (an ALS cannot even see the request); a wrong code is refused.
    assert!(
        chv.signing
            .authorize(&als(ROMA), request, "000000")
            .await
            .is_err()
    );
    let wrong = chv
        .signing
        .authorize(&chv.operatore, request, "000000")
        .await;
    assert!(wrong.is_err());
    let code = chv.onb.env.last_sms_code(PHONE_OPERATORE);
    chv.signing
        .authorize(&chv.operatore, request, &code)
        .await
        .unwrap();
    assert_eq!(wait_signed(&chv, request).await, "completed");

    // The delivery now shows the receipt signed; the signed PDF is the receipt made for it,
    // kept byte for byte, with a PAdES signature appended.
    let v = chv.service.consegna(&chv.operatore, id).await.unwrap();
    assert_eq!(v.ricevuta.stato, "firmata");
    assert!(v.ricevuta.firmata_il.is_some());
    let signed = chv.service.ricevuta(&chv.operatore, id).await.unwrap();
    let stored = chv.onb.env.db.consegna(id).await.unwrap().unwrap();
    let original = ricevuta_pdf(&stored);
    assert!(
        signed.starts_with(&original),
        "an incremental update of the receipt"
    );
    let tail = String::from_utf8_lossy(&signed[original.len()..]);
    assert!(
        tail.contains("/ETSI.CAdES.detached") && tail.contains("/ByteRange"),
        "{tail:.300}"
    );
    let text = String::from_utf8_lossy(&original);
    for expected in [
        "(Ricevuta di consegna chiavette OTP)",
        "(1. RM-0001)",
        "(2. RM-0002)",
        "Giulia Bianchi",
    ] {
        assert!(text.contains(expected), "{expected}");
    }
    // Stored once, audited once, however often it is read; the administrator reads it too.
    assert_eq!(chv.service.ricevuta(&admin(), id).await.unwrap(), signed);
    chv.service
        .consegne(
            &chv.operatore,
            &crate::chiavette_support::provincia("058"),
            None,
            10,
        )
        .await
        .unwrap();
    let records = audit_of(&chv.onb, "chiavette.ricevuta_firmata").await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].subject, format!("consegna:{id}"));
    assert_eq!(records[0].details["signing_request"], request.to_string());
    assert_eq!(
        chv.onb.env.db.ricevuta_firmata(id).await.unwrap().unwrap(),
        signed
    );
    let err = chv
        .service
        .richiedi_ricevuta(&chv.operatore, id)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ricevuta_gia_firmata");

    // Another province's operator: not found; an officer: forbidden.
    let err = chv
        .service
        .ricevuta(&prefettura("015", None), id)
        .await
        .unwrap_err();
    assert!(matches!(err, ChiavetteError::NotFound { .. }), "{err}");
    let mut ufficiale = prefettura("058", None);
    ufficiale.role = Role::Ufficiale;
    let err = chv.service.ricevuta(&ufficiale, id).await.unwrap_err();
    assert!(matches!(err, ChiavetteError::Forbidden { .. }), "{err}");
}

firma_testkit::token_test!(async fn the_operator_signs_the_receipt_sqlite(token) {
    the_operator_signs_the_receipt(false, token).await;
});

firma_testkit::token_test!(async fn the_operator_signs_the_receipt_postgres(token) {
    the_operator_signs_the_receipt(true, token).await;
});

firma_testkit::token_test!(async fn nothing_is_lost_when_the_receipt_is_not_signed(token) {
    let chv = chiavette(token, false).await;
    noon_of(&chv.onb, OGGI);
    // An operator whose principal is not linked to a signing credential: the delivery is
    // recorded, the receipt cannot be requested yet, and the answer says why.
    let unlinked = prefettura("058", None);
    let c = chv.service.registra_consegna(&unlinked, forced(&["RM-0001"])).await.unwrap();
    let id = ConsegnaId(c.id.parse().unwrap());
    assert_eq!(c.ricevuta.stato, "da_richiedere");
    assert!(c.ricevuta.errore.as_deref().unwrap().contains("not linked to a signing credential"), "{:?}", c.ricevuta);
    assert_eq!(chv.onb.env.db.chiavette(&["RM-0001".into()]).await.unwrap()[0].stato, firma_core::otp::TokenStatus::Delivered);
    let err = chv.service.ricevuta(&chv.operatore, id).await.unwrap_err();
    assert!(matches!(err, ChiavetteError::Conflict { code: "ricevuta_non_richiesta", .. }), "{err}");
    let err = chv.service.richiedi_ricevuta(&unlinked, id).await.unwrap_err();
    assert_eq!(err.code(), "operatore_senza_credenziale");
    let err = chv.service.richiedi_ricevuta(&admin(), id).await.unwrap_err();
    assert!(matches!(err, ChiavetteError::Forbidden { .. }), "{err}");

    // The linked operator asks for it; they cancel it; it can be asked again.
    let v = chv.service.richiedi_ricevuta(&chv.operatore, id).await.unwrap();
    assert_eq!(v.ricevuta.stato, "in_attesa_di_firma");
    let first = request_id(&v);
    chv.signing.cancel(&chv.operatore, first).await.unwrap();
    let v = chv.service.consegna(&chv.operatore, id).await.unwrap();
    assert_eq!(v.ricevuta.stato, "non_firmata");
    assert!(v.ricevuta.errore.as_deref().unwrap().contains("cancelled"), "{:?}", v.ricevuta);
    let err = chv.service.ricevuta(&chv.operatore, id).await.unwrap_err();
    assert_eq!(err.code(), "ricevuta_non_richiesta");
    let v = chv.service.richiedi_ricevuta(&chv.operatore, id).await.unwrap();
    let second = request_id(&v);
    assert_ne!(first, second);

    // Not authorised within the request's lifetime (24 h): expired, asked again, signed.
    chv.onb.env.clock.advance(Duration::hours(25));
    let v = chv.service.consegna(&chv.operatore, id).await.unwrap();
    assert_eq!(v.ricevuta.stato, "non_firmata");
    let v = chv.service.richiedi_ricevuta(&chv.operatore, id).await.unwrap();
    let third = request_id(&v);
    let code = chv.onb.env.last_sms_code(PHONE_OPERATORE);
    chv.signing.authorize(&chv.operatore, third, &code).await.unwrap();
    assert_eq!(wait_signed(&chv, third).await, "completed");
    assert_eq!(chv.service.consegna(&admin(), id).await.unwrap().ricevuta.stato, "firmata");
    assert!(chv.service.ricevuta(&chv.operatore, id).await.unwrap().starts_with(b"%PDF-1.7"));
    // The superseded requests did not sign anything.
    for old in [first, second] {
        assert_ne!(chv.signing.get(&chv.operatore, old).await.unwrap().status, "completed");
    }
    let _ = chv.onb.env.clock.now();
});
