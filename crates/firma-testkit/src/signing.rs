//! A service ready to sign, prepared as an operator would with the CLI before starting it: the CA
//! simulator, two officers with credentials, and principals with their bearer tokens.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::app::{AppOptions, TestApp, command};
use crate::database::TestDatabase;
use crate::softhsm::TestToken;

/// The parties of a signing test.
#[derive(Debug, Clone)]
pub struct SigningFixture {
    /// Mario Rossi: profiles nascita and morte, codes by SMS, P-256 credential.
    pub officer: Officer,
    /// Laura Bianchi: profile matrimonio only, codes by SMS, RSA-2048 credential.
    pub other_officer: Officer,
    /// Bearer token of ANSC core.
    pub ansc_token: String,
    /// Bearer token of an ALS of Roma (a role that may not sign or submit).
    pub als_token: String,
    /// The CA simulator's root certificate (PEM file), the trust anchor for validators.
    pub root_pem: PathBuf,
    /// Bearer token of an Ente Certificatore operator (revokes, suspends, reinstates).
    pub ca_token: String,
}

#[derive(Debug, Clone)]
pub struct Officer {
    pub codice_fiscale: String,
    pub phone: String,
    pub credential_id: String,
    pub token: String,
}

fn run(
    binary: &Path,
    token: &TestToken,
    db: &TestDatabase,
    env: &[(String, String)],
    args: &[&str],
) -> String {
    let out: Output = command(binary, token, db)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args(args)
        .output()
        .expect("running firma");
    assert!(
        out.status.success(),
        "firma {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Prepares the CA, officers, credentials and principals on `token` and `db` with the CLI.
pub fn prepare(binary: &Path, token: &TestToken, db: &TestDatabase) -> SigningFixture {
    prepare_with_env(binary, token, db, &[])
}

/// [`prepare`] with extra environment for every command (e.g. `FIRMA_CA__BASE_URL`, so that
/// the certificates point at the service that will run).
pub fn prepare_with_env(
    binary: &Path,
    token: &TestToken,
    db: &TestDatabase,
    env: &[(String, String)],
) -> SigningFixture {
    let root = run(binary, token, db, env, &["ca", "init", "--actor", "test"]);
    let root_pem = token.dir().join("ca-root.pem");
    std::fs::write(&root_pem, format!("{root}\n")).expect("writing the root certificate");
    let officer = |cf: &str, nome: &str, cognome: &str, profili: &str, phone: &str, key: &str| {
        run(
            binary,
            token,
            db,
            env,
            &[
                "officers",
                "add",
                "--cf",
                cf,
                "--nome",
                nome,
                "--cognome",
                cognome,
                "--email",
                "ufficiale@comune.roma.it",
                "--comune",
                "058091",
                "--profili",
                profili,
                "--phone",
                phone,
            ],
        );
        let credential_id = run(
            binary,
            token,
            db,
            env,
            &["credentials", "issue", "--officer", cf, "--key-type", key],
        );
        let token = run(
            binary,
            token,
            db,
            env,
            &[
                "principals",
                "create",
                "--role",
                "ufficiale",
                "--name",
                nome,
                "--officer",
                cf,
            ],
        );
        Officer {
            codice_fiscale: cf.to_owned(),
            phone: phone.replace(' ', ""),
            credential_id,
            token,
        }
    };
    let mario = officer(
        "RSSMRA85T10A562S",
        "Mario",
        "Rossi",
        "nascita,morte",
        "+39 3331234567",
        "ec-p256",
    );
    let laura = officer(
        "VNZRRT64C44H501R",
        "Laura",
        "Bianchi",
        "matrimonio",
        "+39 3337654321",
        "rsa-2048",
    );
    let ansc_token = run(
        binary,
        token,
        db,
        env,
        &[
            "principals",
            "create",
            "--role",
            "ansc_core",
            "--name",
            "ANSC core",
        ],
    );
    let als_token = run(
        binary,
        token,
        db,
        env,
        &[
            "principals",
            "create",
            "--role",
            "als",
            "--name",
            "ALS Roma",
            "--comune",
            "058091",
        ],
    );
    let ca_token = run(
        binary,
        token,
        db,
        env,
        &[
            "principals",
            "create",
            "--role",
            "ente_certificatore",
            "--name",
            "Operatore Ente Certificatore",
        ],
    );
    SigningFixture {
        officer: mario,
        other_officer: laura,
        ansc_token,
        als_token,
        root_pem,
        ca_token,
    }
}

impl TestApp {
    /// A running service with the CA, two officers with credentials, and principals.
    pub async fn spawn_signing(
        binary: impl AsRef<Path>,
        options: AppOptions,
    ) -> (Self, SigningFixture) {
        let binary = binary.as_ref().to_owned();
        let token = TestToken::create();
        let database = if options.postgres {
            TestDatabase::postgres().await
        } else {
            TestDatabase::sqlite()
        };
        let (token, database, fixture) = tokio::task::spawn_blocking({
            let binary = binary.clone();
            move || {
                let fixture = prepare(&binary, &token, &database);
                (token, database, fixture)
            }
        })
        .await
        .expect("preparing the signing fixture");
        let app = Self::start(&binary, token, database, options.env).await;
        (app, fixture)
    }
    /// [`Self::spawn_signing`] on a port chosen beforehand, with `ca.base_url` pointing at it
    /// for every command: the certificates' CRL, OCSP and CA issuer URLs (and the TSA and OCSP
    /// responder certificates') lead to the running service, as a relying party follows them.
    pub async fn spawn_signing_with_ca_urls(
        binary: impl AsRef<Path>,
        options: AppOptions,
    ) -> (Self, SigningFixture) {
        let binary = binary.as_ref().to_owned();
        let port = crate::port::reserve_port();
        let env = vec![
            (
                "FIRMA_CA__BASE_URL".to_owned(),
                format!("http://127.0.0.1:{port}/ca"),
            ),
            ("FIRMA_SERVER__PORT".to_owned(), port.to_string()),
        ];
        let token = TestToken::create();
        let database = if options.postgres {
            TestDatabase::postgres().await
        } else {
            TestDatabase::sqlite()
        };
        let (token, database, fixture) = tokio::task::spawn_blocking({
            let binary = binary.clone();
            let env = env.clone();
            move || {
                let fixture = prepare_with_env(&binary, &token, &database, &env);
                (token, database, fixture)
            }
        })
        .await
        .expect("preparing the signing fixture");
        let mut all = env;
        all.extend(options.env);
        let app = Self::start(&binary, token, database, all).await;
        (app, fixture)
    }
}
