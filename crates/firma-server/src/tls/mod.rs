//! HTTPS for `firma serve`, with rustls (the `ring` provider; no OpenSSL): the server's
//! certificate chain and key from PEM files, and optionally mutual TLS, where clients present a
//! certificate (RFC 8446 section 4.3.2, CertificateRequest; section 4.4.2, Certificate) that must
//! chain to `tls.client_ca` under RFC 5280 section 6 path validation (rustls-webpki, with
//! extendedKeyUsage id-kp-clientAuth, RFC 5280 section 4.2.1.12). Those are the workstation
//! certificates (certificati di postazione) issued by the Ente Certificatore; a verified one that
//! is bound to a principal authenticates the caller (`crate::auth`).
//!
//! A certificate that does not verify is refused during the handshake, with `client_auth =
//! "optional"` as well as `"required"`; "optional" only lets a client present none (and then use
//! a bearer token).

mod listener;
mod peer;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::RootCertStore;
use rustls::ServerConfig;
use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use x509_cert::der::Decode;
use zeroize::Zeroizing;

use crate::config::{ClientAuth, TlsConfig};

pub use listener::TlsListener;
pub use peer::{ClientCertificate, Peer, client_certificate};

/// Why the `[tls]` settings cannot be used; each names the setting to change.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("tls.enabled is true but tls.{key} is not set ({env})")]
    NotSet {
        key: &'static str,
        env: &'static str,
    },
    #[error(
        "tls.client_auth = \"{0}\" needs tls.client_ca: the CA certificates (PEM) that client \
         certificates must chain to, such as the CA simulator's root from `firma ca root` \
         (FIRMA_TLS__CLIENT_CA)"
    )]
    ClientCaMissing(&'static str),
    #[error(
        "tls.client_ca is set but tls.client_auth is \"none\": set tls.client_auth to \
         \"optional\" or \"required\" (FIRMA_TLS__CLIENT_AUTH), or remove tls.client_ca"
    )]
    ClientAuthNone,
    #[error("cannot read tls.{key} {path}: {cause}")]
    Read {
        key: &'static str,
        path: String,
        cause: std::io::Error,
    },
    #[error("tls.{key} {path} holds no {what} in PEM")]
    Empty {
        key: &'static str,
        path: String,
        what: &'static str,
    },
    #[error("tls.{key} {path}: {cause}")]
    Invalid {
        key: &'static str,
        path: String,
        cause: String,
    },
}

/// The service's TLS configuration, ready for the listener.
pub struct TlsServer {
    pub config: Arc<ServerConfig>,
    pub handshake_timeout: Duration,
    /// One line for people: the server certificate's subject and the client-certificate mode.
    pub summary: String,
}

impl ClientAuth {
    pub fn code(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Optional => "optional",
            Self::Required => "required",
        }
    }
}

/// Reads and checks the `[tls]` files: `None` when TLS is off.
pub fn server(settings: &TlsConfig) -> Result<Option<TlsServer>, TlsError> {
    if !settings.enabled {
        return Ok(None);
    }
    let chain_path = settings
        .certificate_chain
        .as_deref()
        .ok_or(TlsError::NotSet {
            key: "certificate_chain",
            env: "FIRMA_TLS__CERTIFICATE_CHAIN",
        })?;
    let key_path = settings.private_key.as_deref().ok_or(TlsError::NotSet {
        key: "private_key",
        env: "FIRMA_TLS__PRIVATE_KEY",
    })?;
    match (settings.client_auth, &settings.client_ca) {
        (ClientAuth::None, Some(_)) => return Err(TlsError::ClientAuthNone),
        (mode @ (ClientAuth::Optional | ClientAuth::Required), None) => {
            return Err(TlsError::ClientCaMissing(mode.code()));
        }
        _ => {}
    }
    let chain = certificates("certificate_chain", chain_path)?;
    let key = private_key(key_path)?;
    let server_subject = subject(&chain[0]);

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let invalid = |key: &'static str, path: &Path, cause: String| TlsError::Invalid {
        key,
        path: path.display().to_string(),
        cause,
    };
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid("certificate_chain", chain_path, e.to_string()))?;
    let (builder, clients) = match (&settings.client_ca, settings.client_auth) {
        (Some(ca_path), mode @ (ClientAuth::Optional | ClientAuth::Required)) => {
            let cas = certificates("client_ca", ca_path)?;
            let count = cas.len();
            let mut roots = RootCertStore::empty();
            for ca in cas {
                roots
                    .add(ca)
                    .map_err(|e| invalid("client_ca", ca_path, e.to_string()))?;
            }
            let mut verifier =
                WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone());
            if mode == ClientAuth::Optional {
                verifier = verifier.allow_unauthenticated();
            }
            let verifier = verifier
                .build()
                .map_err(|e| invalid("client_ca", ca_path, e.to_string()))?;
            (
                builder.with_client_cert_verifier(verifier),
                format!(
                    "client certificates {} (issued under {count} CA certificate(s) of {})",
                    mode.code(),
                    ca_path.display()
                ),
            )
        }
        _ => (
            builder.with_no_client_auth(),
            "no client certificates".to_owned(),
        ),
    };
    let mut config = builder.with_single_cert(chain, key).map_err(|e| {
        invalid(
            "private_key",
            key_path,
            format!("{e} (does the key belong to the first certificate of tls.certificate_chain?)"),
        )
    })?;
    // axum serves HTTP/1.1 (RFC 7301 ALPN protocol id "http/1.1").
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Some(TlsServer {
        config: Arc::new(config),
        handshake_timeout: Duration::from_secs(settings.handshake_timeout_seconds.max(1)),
        summary: format!("server certificate {server_subject}, {clients}"),
    }))
}

/// All certificates of a PEM file, at least one.
fn certificates(key: &'static str, path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bytes = read(key, path)?;
    let certificates = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::Invalid {
            key,
            path: path.display().to_string(),
            cause: e.to_string(),
        })?;
    if certificates.is_empty() {
        return Err(TlsError::Empty {
            key,
            path: path.display().to_string(),
            what: "certificate",
        });
    }
    Ok(certificates)
}

fn private_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let bytes = Zeroizing::new(read("private_key", path)?);
    PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| match e {
        rustls_pki_types::pem::Error::NoItemsFound => TlsError::Empty {
            key: "private_key",
            path: path.display().to_string(),
            what: "private key (PKCS#8, SEC1 or PKCS#1)",
        },
        other => TlsError::Invalid {
            key: "private_key",
            path: path.display().to_string(),
            cause: other.to_string(),
        },
    })
}

fn read(key: &'static str, path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|cause| TlsError::Read {
        key,
        path: path.display().to_string(),
        cause,
    })
}

/// The subject of a certificate (RFC 4514 string), or a note that it does not parse.
pub fn subject(der: &[u8]) -> String {
    x509_cert::Certificate::from_der(der).map_or_else(
        |e| format!("(unparseable certificate: {e})"),
        |c| c.tbs_certificate().subject().to_string(),
    )
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::process::Command;

    use super::*;

    fn settings(dir: &Path) -> TlsConfig {
        TlsConfig {
            enabled: true,
            certificate_chain: Some(dir.join("chain.pem")),
            private_key: Some(dir.join("key.pem")),
            client_ca: None,
            client_auth: ClientAuth::None,
            handshake_timeout_seconds: 10,
        }
    }

    fn error(settings: &TlsConfig) -> String {
        match server(settings) {
            Ok(_) => panic!("accepted: {settings:?}"),
            Err(e) => e.to_string(),
        }
    }

    /// A self-signed P-256 certificate and its key, made by OpenSSL, in `dir`.
    fn openssl_certificate(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
        let (cert, key) = (
            dir.join(format!("{name}.pem")),
            dir.join(format!("{name}-key.pem")),
        );
        let status = Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
            ])
            .args(["-nodes", "-days", "2", "-subj", &format!("/CN={name}")])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .output()
            .expect("openssl is needed for these tests (apt-get install openssl)");
        assert!(status.status.success(), "{status:?}");
        (cert, key)
    }

    #[test]
    fn off_by_default_and_nothing_is_read() {
        let off = TlsConfig {
            enabled: false,
            ..settings(Path::new("/nonexistent"))
        };
        assert!(server(&off).unwrap().is_none());
    }

    #[test]
    fn missing_files_and_settings_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let err = error(&settings(dir.path()));
        assert!(
            err.contains("tls.certificate_chain") && err.contains("chain.pem"),
            "{err}"
        );
        let err = error(&TlsConfig {
            private_key: None,
            ..settings(dir.path())
        });
        assert!(
            err.contains("tls.private_key") && err.contains("FIRMA_TLS__PRIVATE_KEY"),
            "{err}"
        );
        // A file that is not PEM holds no certificate.
        std::fs::write(dir.path().join("chain.pem"), "not a certificate").unwrap();
        let err = error(&settings(dir.path()));
        assert!(err.contains("holds no certificate"), "{err}");
    }

    #[test]
    fn client_auth_needs_client_ca_and_client_ca_needs_client_auth() {
        let dir = tempfile::tempdir().unwrap();
        for mode in [ClientAuth::Optional, ClientAuth::Required] {
            let err = error(&TlsConfig {
                client_auth: mode,
                ..settings(dir.path())
            });
            assert!(
                err.contains(&format!("tls.client_auth = \"{}\"", mode.code()))
                    && err.contains("needs tls.client_ca")
                    && err.contains("FIRMA_TLS__CLIENT_CA"),
                "{err}"
            );
        }
        let err = error(&TlsConfig {
            client_ca: Some(dir.path().join("ca.pem")),
            ..settings(dir.path())
        });
        assert!(err.contains("tls.client_auth is \"none\""), "{err}");
    }

    #[test]
    fn a_certificate_with_its_key_loads_and_another_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = openssl_certificate(dir.path(), "localhost");
        let (ca, other_key) = openssl_certificate(dir.path(), "clients");
        let config = TlsConfig {
            certificate_chain: Some(cert.clone()),
            private_key: Some(key),
            client_ca: Some(ca),
            client_auth: ClientAuth::Required,
            ..settings(dir.path())
        };
        let loaded = server(&config).unwrap().unwrap();
        assert!(
            loaded.summary.contains("CN=localhost") && loaded.summary.contains("required"),
            "{}",
            loaded.summary
        );
        assert_eq!(loaded.config.alpn_protocols, vec![b"http/1.1".to_vec()]);
        let err = error(&TlsConfig {
            private_key: Some(other_key),
            ..config
        });
        assert!(err.contains("tls.private_key"), "{err}");
    }

    #[test]
    fn the_production_example_asks_for_workstation_certificates() {
        let tls: TlsConfig = config::Config::builder()
            .add_source(config::File::from_str(
                include_str!("../../../../config/production.example.toml"),
                config::FileFormat::Toml,
            ))
            .build()
            .unwrap()
            .get("tls")
            .unwrap();
        assert!(tls.enabled);
        assert_eq!(tls.client_auth, ClientAuth::Required);
        assert!(tls.client_ca.is_some() && tls.private_key.is_some());
    }

    #[test]
    fn the_section_refuses_unknown_keys_and_modes() {
        let parse = |toml: &str| {
            config::Config::builder()
                .add_source(config::File::from_str(toml, config::FileFormat::Toml))
                .build()
                .unwrap()
                .try_deserialize::<TlsConfig>()
        };
        let base = "enabled = true\nhandshake_timeout_seconds = 5\n";
        let ok = parse(&format!(
            "{base}client_auth = \"optional\"\nclient_ca = \"/ca.pem\""
        ))
        .unwrap();
        assert_eq!(ok.client_auth, ClientAuth::Optional);
        assert_eq!(ok.client_ca.as_deref(), Some(Path::new("/ca.pem")));
        assert!(parse(&format!("{base}client_auth = \"sometimes\"")).is_err());
        assert!(parse(&format!("{base}client_auth = \"none\"\ncert = \"x\"")).is_err());
    }
}
