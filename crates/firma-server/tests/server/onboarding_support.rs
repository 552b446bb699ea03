//! An onboarding environment on top of `support::env`: the CA simulator created in the test's
//! token, the revocation and onboarding services on the controlled clock, principals of each role
//! for Roma (058091) and Fiumicino (058120), and form values.

use std::collections::BTreeSet;
use std::sync::Arc;

use firma_core::onboarding::{
    DatiProposta, DocumentoIdentita, MetodoOtp, NuovoUfficiale, TipoDocumento, TipologiaAdesione,
};
use firma_core::{
    AuditLog, AuditRecord, Clock, CodiceIstat, KeySpec, Principal, PrincipalId, Profilo, Role,
    UfficialeId,
};
use firma_server::config::Settings;
use firma_server::onboarding::{
    NuovaRichiestaInput, NuovoUfficialeInput, OnboardingService, OnboardingSettings, RichiestaView,
    UfficialeView,
};
use firma_server::revocation::RevocationService;
use firma_testkit::softhsm::TestToken;
use time::Date;
use time::macros::date;

use crate::support::{Env, OPERATOR, env};

pub const ROMA: &str = "058091";
pub const FIUMICINO: &str = "058120";
pub const PHONE: &str = "+393331234567";

pub struct Onb {
    pub env: Env,
    pub service: Arc<OnboardingService>,
    pub revocation: Arc<RevocationService>,
}

/// The environment with the CA created (keys in the test's token) and the services.
pub async fn onboarding(token: &TestToken, postgres: bool) -> Onb {
    let env = env(token, postgres).await;
    let settings = Settings::load(None).expect("the embedded configuration");
    firma_server::ca::init(&settings, &env._hsm, &env.db, env.clock.as_ref(), OPERATOR)
        .await
        .expect("creating the CA");
    let clock: Arc<dyn Clock> = env.clock.clone();
    let revocation = Arc::new(
        RevocationService::new(
            env.db.clone(),
            Arc::new(env._hsm.clone()),
            clock.clone(),
            &settings.ca.base_url,
        )
        .unwrap(),
    );
    let ente = firma_server::ca::ente_certificatore(&settings, &env._hsm, &env.db, clock.clone())
        .expect("the CA simulator");
    let service = Arc::new(OnboardingService::new(
        env.db.clone(),
        env._hsm.clone(),
        clock,
        revocation.clone(),
        ente,
        OnboardingSettings {
            key_spec: KeySpec::EcP256,
        },
    ));
    Onb {
        env,
        service,
        revocation,
    }
}

pub fn comune(code: &str) -> CodiceIstat {
    CodiceIstat::parse(code).unwrap()
}

fn principal(name: &str, role: Role, comune: Option<&str>) -> Principal {
    Principal {
        id: PrincipalId(uuid::Uuid::new_v4()),
        name: name.to_owned(),
        role,
        comune: comune.map(|c| CodiceIstat::parse(c).unwrap()),
        provincia: None,
        ufficiale: None,
    }
}

pub fn sindaco(c: &str) -> Principal {
    principal(&format!("Sindaco {c}"), Role::Sindaco, Some(c))
}

pub fn als(c: &str) -> Principal {
    principal(&format!("ALS {c}"), Role::Als, Some(c))
}

pub fn ente() -> Principal {
    principal("Operatore EC", Role::EnteCertificatore, None)
}

pub fn ansc() -> Principal {
    principal("ANSC core", Role::AnscCore, None)
}

/// The principal of the officer shown by `u`.
pub fn officer(u: &UfficialeView) -> Principal {
    Principal {
        ufficiale: Some(UfficialeId(u.id.parse().unwrap())),
        ..principal(&u.nome, Role::Ufficiale, Some(&u.comune))
    }
}

pub fn officer_id(u: &UfficialeView) -> UfficialeId {
    UfficialeId(u.id.parse().unwrap())
}

/// Codici fiscali with a correct check character.
pub const CF_MARIO: &str = "RSSMRA85T10A562S";
pub const CF_LAURA: &str = "VNZRRT64C44H501R";

pub fn nuovo(cf: &str, profili: &[Profilo], telefono: Option<&str>) -> NuovoUfficialeInput {
    NuovoUfficialeInput {
        dati: NuovoUfficiale {
            codice_fiscale: cf.to_owned(),
            nome: "Mario".to_owned(),
            cognome: "Rossi".to_owned(),
            email: "mario.rossi@comune.roma.it".to_owned(),
            profili: profili.iter().copied().collect::<BTreeSet<_>>(),
        },
        telefono: telefono.map(str::to_owned),
    }
}

/// The ALS of Roma registers an officer with the profile to form birth acts.
pub async fn register(onb: &Onb, cf: &str) -> UfficialeView {
    onb.service
        .registra_ufficiale(
            &als(ROMA),
            &comune(ROMA),
            nuovo(
                cf,
                &[Profilo::FormazioneAttiNascita, Profilo::Consultazione],
                None,
            ),
        )
        .await
        .expect("registering the officer")
}

pub fn proposta(data_adesione: Date) -> DatiProposta {
    DatiProposta {
        data_adesione,
        atti_annui: 1200,
        certificati_annui: 2300,
        tipologia: TipologiaAdesione::WebApp,
        software_house: None,
        gestionale: None,
    }
}

pub const DOCUMENT_NUMBER: &str = "CA12345AB";

pub fn richiesta(metodo_otp: MetodoOtp) -> NuovaRichiestaInput {
    NuovaRichiestaInput {
        documento: DocumentoIdentita {
            tipo: TipoDocumento::CartaIdentita,
            numero: DOCUMENT_NUMBER.to_owned(),
            rilasciato_da: "Comune di Roma".to_owned(),
            scadenza: date!(2031 - 06 - 30),
        },
        email: "mario.rossi@comune.roma.it".to_owned(),
        telefono: PHONE.to_owned(),
        metodo_otp,
    }
}

/// Officer `cf` registered, with a richiesta filed, forwarded (Roma's adhesion proposed for a
/// date within three months) and its identity checked: ready for the Ente Certificatore.
pub async fn forwarded_and_checked(
    onb: &Onb,
    cf: &str,
    metodo: MetodoOtp,
) -> (UfficialeView, RichiestaView) {
    let u = register(onb, cf).await;
    ensure_adesione_within_window(onb).await;
    let r = onb
        .service
        .compila_richiesta(&officer(&u), richiesta(metodo))
        .await
        .expect("filing the richiesta");
    assert_eq!(r.stato, "inoltrata", "{r:?}");
    let r = onb
        .service
        .registra_verifica(
            &ente(),
            r.id.parse()
                .map(firma_core::onboarding::RichiestaId)
                .unwrap(),
            TipoDocumento::CartaIdentita,
            DOCUMENT_NUMBER,
        )
        .await
        .expect("recording the identity check");
    (u, r)
}

/// Roma's adhesion proposed for 45 days from now (the forwarding window is open), unless there is
/// one already.
pub async fn ensure_adesione_within_window(onb: &Onb) {
    if firma_core::OnboardingStore::adesione(&onb.env.db, &comune(ROMA))
        .await
        .unwrap()
        .is_none()
    {
        let today = firma_core::onboarding::oggi_in_italia(onb.env.clock.as_ref());
        onb.service
            .salva_proposta(
                &sindaco(ROMA),
                &comune(ROMA),
                proposta(today + time::Duration::days(45)),
            )
            .await
            .expect("proposing the adhesion");
    }
}

pub fn rid(view: &RichiestaView) -> firma_core::onboarding::RichiestaId {
    firma_core::onboarding::RichiestaId(view.id.parse().unwrap())
}

/// Every audit record so far.
pub async fn audit(onb: &Onb) -> Vec<AuditRecord> {
    onb.env.db.records(0, 10_000).await.unwrap()
}

/// The audit records of `kind` (its code, e.g. `access.denied`).
pub async fn audit_of(onb: &Onb, kind: &str) -> Vec<AuditRecord> {
    audit(onb)
        .await
        .into_iter()
        .filter(|r| r.kind == kind)
        .collect()
}

/// Sets the clock to noon in Rome (UTC+1 or +2) on `day` (on the first day of the tests, after
/// the CA was created at 09:00 UTC).
pub fn noon_of(onb: &Onb, day: Date) {
    let start = firma_core::onboarding::inizio_giorno_in_italia(day);
    onb.env.clock.set(start + time::Duration::hours(12));
}
