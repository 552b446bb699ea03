//! A distribution environment on top of `onboarding_support`: the signing and chiavette services
//! on the controlled clock, a batch of TOTP and HOTP chiavette imported (RFC test secret) and
//! loaded into the stock of Roma (058) and Milano (015), and the Prefettura operator of Roma
//! registered as a signer of receipts (profile "Operatore distribuzione chiavette per OTP", SMS,
//! an active credential from the CA simulator).

use std::sync::Arc;
use std::time::Duration;

use firma_core::onboarding::{MetodoOtp, NuovaConsegna};
use firma_core::otp::OtpDevice;
use firma_core::{
    AuditEvent, AuditKind, Clock, CodiceFiscale, CodiceProvincia, CredentialId, DirectoryStore,
    Email, KeySpec, PhoneNumber, Principal, PrincipalId, Profilo, Role, SigningRequestId,
    Ufficiale, UfficialeId,
};
use firma_otp::{Digits, HotpParams, OtpHash, TimeStep, TotpParams, format_code, hotp, totp};
use firma_server::chiavette::{ChiavetteService, ConsegnaView};
use firma_server::onboarding::{RichiestaView, UfficialeView};
use firma_server::signing::{SigningService, SigningSettings};
use firma_testkit::softhsm::TestToken;
use time::Date;

use crate::onboarding_support::{Onb, als, comune, forwarded_and_checked, officer, onboarding};
use crate::support::{OPERATOR, RFC_SECRET, rfc_secret_hex};

pub const ROMA: &str = crate::onboarding_support::ROMA;
pub const FIUMICINO: &str = crate::onboarding_support::FIUMICINO;
/// The operator's phone (SMS codes for the receipts).
pub const PHONE_OPERATORE: &str = "+393335550000";
pub const CF_OPERATORE: &str = "VRDPLA80A41H501T";
pub const CF_DELEGATO: &str = "BNCGLI90D50H501M";
/// More officers' codici fiscali (check characters computed).
pub const CF_GIUSEPPE: &str = "NREGPP75M12F205J";
pub const CF_LUCA: &str = "FRRLCU70E15F205H";
pub const CF_ANNA: &str = "CSTNNA82H45H501P";

pub struct Chv {
    pub onb: Onb,
    pub signing: Arc<SigningService>,
    pub service: Arc<ChiavetteService>,
    /// Prefettura di Roma, linked to the operator's registration.
    pub operatore: Principal,
    pub credential: CredentialId,
}

pub fn provincia(code: &str) -> CodiceProvincia {
    CodiceProvincia::parse(code).unwrap()
}

pub fn admin() -> Principal {
    Principal {
        id: PrincipalId(uuid::Uuid::new_v4()),
        name: "Amministratore".into(),
        role: Role::Admin,
        comune: None,
        provincia: None,
        ufficiale: None,
    }
}

/// A Prefettura operator of `provincia`, linked to `ufficiale` when given.
pub fn prefettura(provincia: &str, ufficiale: Option<UfficialeId>) -> Principal {
    Principal {
        id: PrincipalId(uuid::Uuid::new_v4()),
        name: format!("Operatore Prefettura {provincia}"),
        role: Role::Prefettura,
        comune: None,
        provincia: Some(CodiceProvincia::parse(provincia).unwrap()),
        ufficiale,
    }
}

/// Roma's stock: TOTP chiavette RM-0001..RM-0006 and HOTP chiavetta RM-H001; Milano's: MI-0001;
/// no province yet: XX-0001.
pub const ROMA_STOCK: [&str; 7] = [
    "RM-0001", "RM-0002", "RM-0003", "RM-0004", "RM-0005", "RM-0006", "RM-H001",
];

pub async fn chiavette(token: &TestToken, postgres: bool) -> Chv {
    let onb = onboarding(token, postgres).await;
    let clock: Arc<dyn Clock> = onb.env.clock.clone();
    let signing = Arc::new(SigningService::new(
        onb.env.db.clone(),
        Arc::new(onb.env._hsm.clone()),
        onb.env.otp.clone(),
        clock.clone(),
        None,
        SigningSettings::default(),
    ));
    let service = Arc::new(ChiavetteService::new(
        onb.env.db.clone(),
        onb.env.otp.clone(),
        signing.clone(),
        clock.clone(),
    ));
    let secret = rfc_secret_hex();
    let mut csv = String::from("serial,type,secret,digits,period,counter,algorithm\n");
    for s in ROMA_STOCK
        .iter()
        .filter(|s| !s.contains('H'))
        .chain(["MI-0001", "XX-0001"].iter())
    {
        csv.push_str(&format!("{s},totp,hex:{secret},6,30,,SHA1\n"));
    }
    csv.push_str(&format!("RM-H001,hotp,hex:{secret},6,,0,\n"));
    onb.env.import_csv(&csv).await;
    let seriali = |s: &[&str]| s.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    service
        .carica(&admin(), &provincia("058"), &seriali(&ROMA_STOCK))
        .await
        .expect("loading Roma's stock");
    service
        .carica(&admin(), &provincia("015"), &seriali(&["MI-0001"]))
        .await
        .expect("loading Milano's stock");

    // The operator, registered as `firma officers add ... --profili
    // operatore_distribuzione_chiavette --phone ...` and `firma credentials issue` do.
    let operatore = Ufficiale {
        id: UfficialeId(uuid::Uuid::new_v4()),
        codice_fiscale: CodiceFiscale::parse(CF_OPERATORE).unwrap(),
        nome: "Paola".into(),
        cognome: "Verdi".into(),
        email: Email::parse("paola.verdi@interno.it").unwrap(),
        comune: comune(ROMA),
        profili: [Profilo::OperatoreDistribuzioneChiavette].into(),
    };
    let owner = operatore.id.0.to_string();
    onb.env
        .otp
        .register_phone(&owner, &PhoneNumber::parse(PHONE_OPERATORE).unwrap())
        .await
        .unwrap();
    let event = AuditEvent::new(
        AuditKind::UfficialeRegistered,
        OPERATOR,
        format!("ufficiale:{owner}"),
    );
    onb.env
        .db
        .insert_ufficiale(
            &operatore,
            Some(&OtpDevice::Sms { owner }),
            &event,
            onb.env.clock.now(),
        )
        .await
        .unwrap();
    let settings = firma_server::config::Settings::load(None).unwrap();
    let ente =
        firma_server::ca::ente_certificatore(&settings, &onb.env._hsm, &onb.env.db, clock.clone())
            .unwrap();
    let credential = firma_server::ca::issue_credential(
        ente.as_ref(),
        &onb.env._hsm,
        &onb.env.db,
        clock.as_ref(),
        &operatore,
        KeySpec::EcP256,
        OPERATOR,
    )
    .await
    .expect("issuing the operator's credential");
    Chv {
        onb,
        signing,
        service,
        operatore: prefettura("058", Some(operatore.id)),
        credential: credential.id,
    }
}

/// A delivery by the operator of Roma's province, today, to Giulia Bianchi.
pub fn nuova(comune_code: &str, seriali: &[&str], data: Date) -> NuovaConsegna {
    NuovaConsegna {
        comune: comune(comune_code),
        seriali: seriali.iter().map(|s| (*s).to_owned()).collect(),
        nome_delegato: "Giulia Bianchi".into(),
        codice_fiscale_delegato: CF_DELEGATO.into(),
        data,
        motivo_oltre_allocazione: None,
    }
}

/// Officers who chose the chiavetta: those of Roma with a forwarded richiesta whose identity was
/// checked, those of Fiumicino with a richiesta in attesa (Fiumicino has no adhesion).
pub async fn richieste_chiavetta(
    chv: &Chv,
    roma: &[&str],
    fiumicino: &[&str],
) -> (Vec<(UfficialeView, RichiestaView)>, Vec<UfficialeView>) {
    let mut di_roma = Vec::new();
    for cf in roma {
        di_roma.push(forwarded_and_checked(&chv.onb, cf, MetodoOtp::Chiavetta).await);
    }
    let mut di_fiumicino = Vec::new();
    for cf in fiumicino {
        let u = chv
            .onb
            .service
            .registra_ufficiale(
                &als(FIUMICINO),
                &comune(FIUMICINO),
                crate::onboarding_support::nuovo(cf, &[Profilo::FormazioneAttiNascita], None),
            )
            .await
            .unwrap();
        chv.onb
            .service
            .compila_richiesta(
                &officer(&u),
                crate::onboarding_support::richiesta(MetodoOtp::Chiavetta),
            )
            .await
            .unwrap();
        di_fiumicino.push(u);
    }
    (di_roma, di_fiumicino)
}

/// The TOTP code (RFC secret, SHA-1, 6 digits, 30 s) at `unix`.
pub fn totp_at(unix: i64) -> String {
    let p = TotpParams {
        hash: OtpHash::Sha1,
        digits: Digits::SIX,
        step: TimeStep::THIRTY,
        t0: 0,
    };
    format_code(totp(RFC_SECRET, unix, &p).unwrap(), Digits::SIX)
}

/// The HOTP code (RFC secret, SHA-1, 6 digits) at `counter`.
pub fn hotp_at(counter: u64) -> String {
    let p = HotpParams {
        hash: OtpHash::Sha1,
        digits: Digits::SIX,
    };
    format_code(hotp(RFC_SECRET, counter, p), Digits::SIX)
}

pub fn request_id(view: &ConsegnaView) -> SigningRequestId {
    SigningRequestId(
        view.ricevuta
            .signing_request_id
            .as_deref()
            .expect("a signing request for the receipt")
            .parse()
            .unwrap(),
    )
}

/// Waits (up to 30 s) until the signing request leaves `signing`.
pub async fn wait_signed(chv: &Chv, id: SigningRequestId) -> &'static str {
    for _ in 0..300 {
        let view = chv.signing.get(&chv.operatore, id).await.unwrap();
        if view.status != "signing" {
            return view.status;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("signing request {id} did not finish");
}
