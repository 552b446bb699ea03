//! A software test PKI for tests of any crate: a root CA, an issuing CA, two officers with
//! qualified signature certificates in the Italian profile (subject serialNumber
//! `TINIT-<codice fiscale>`, givenName, surname, C=IT; keyUsage nonRepudiation critical;
//! QCStatements) and a time-stamping authority (extended key usage id-kp-timeStamping
//! critical), for ECDSA P-256 or RSA-2048, with software keys that implement
//! [`firma_core::ActiveKey`].
//!
//! Everything is deterministic: the same [`KeySpec`] gives the same keys and certificates.
//! [`TestPki::shared`] builds each PKI once per process (RSA key generation takes seconds in
//! unoptimised builds).

mod cert;
mod end_entity;
mod key;
mod profile;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use firma_core::{KeySpec, PublicKeyDer};
use time::OffsetDateTime;
use time::macros::datetime;
use x509_cert::name::Name;

pub use cert::{CertSpec, NameAttr, attr, issue, name};
pub use key::SoftwareKey;
pub use profile::{AGID_CERT, ID_KP_TIME_STAMPING, QCP_N_QSCD, TEST_TSA_POLICY};

use cert::key_identifier;
use end_entity::{hex, officer_certificate, tsa_certificate};
use profile::ca_extensions;

/// A certificate and its private key.
#[derive(Debug, Clone)]
pub struct Party {
    /// DER X.509 certificate.
    pub cert_der: Vec<u8>,
    /// The private key, shared so it can be handed out as `Arc<dyn ActiveKey>`.
    pub key: Arc<SoftwareKey>,
}

impl Party {
    /// The certificate as PEM.
    pub fn cert_pem(&self) -> String {
        pem(&self.cert_der)
    }
}

/// The identity in an officer certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Officer {
    pub codice_fiscale: &'static str,
    pub given_name: &'static str,
    pub surname: &'static str,
}

/// The first officer (a syntactically valid codice fiscale).
pub const OFFICER: Officer = Officer {
    codice_fiscale: "RSSMRA80A01H501U",
    given_name: "MARIO",
    surname: "ROSSI",
};

/// The second officer, for co-signatures.
pub const OFFICER_2: Officer = Officer {
    codice_fiscale: "VRDLGU75C41F205X",
    given_name: "LUIGIA",
    surname: "VERDI",
};

/// A test PKI of one key type.
#[derive(Debug, Clone)]
pub struct TestPki {
    pub spec: KeySpec,
    pub root: Party,
    pub issuing: Party,
    /// The officer [`OFFICER`].
    pub signer: Party,
    /// The officer [`OFFICER_2`].
    pub signer2: Party,
    /// The time-stamping authority (issued by the issuing CA).
    pub tsa: Party,
}

/// Files written by [`TestPki::write_files`], PEM.
#[derive(Debug, Clone)]
pub struct PkiFiles {
    pub root: PathBuf,
    pub issuing: PathBuf,
    pub signer: PathBuf,
    pub signer2: PathBuf,
    pub tsa: PathBuf,
    /// The issuing CA then the root: `-untrusted`/`-certfile` for validators.
    pub chain: PathBuf,
}

/// Validity of the CA certificates.
pub const CA_VALIDITY: (OffsetDateTime, OffsetDateTime) = (
    datetime!(2024-01-01 00:00 UTC),
    datetime!(2044-01-01 00:00 UTC),
);
/// Validity of the officer and TSA certificates.
pub const END_ENTITY_VALIDITY: (OffsetDateTime, OffsetDateTime) = (
    datetime!(2025-01-01 00:00 UTC),
    datetime!(2035-01-01 00:00 UTC),
);

fn serial(label: &str) -> [u8; 16] {
    use sha2::Digest;
    let h = sha2::Sha256::digest(label.as_bytes());
    let mut s = [0u8; 16];
    s.copy_from_slice(&h[..16]);
    s[0] &= 0x7f; // positive (RFC 5280 section 4.1.2.2)
    s[0] |= 0x10; // and 16 bytes long
    s
}

fn org(spec: KeySpec) -> String {
    format!("Firma Remota Test CA ({spec})")
}

impl TestPki {
    /// The PKI of `spec`, built once per process.
    pub fn shared(spec: KeySpec) -> &'static TestPki {
        static EC: OnceLock<TestPki> = OnceLock::new();
        static RSA2048: OnceLock<TestPki> = OnceLock::new();
        static RSA3072: OnceLock<TestPki> = OnceLock::new();
        let cell = match spec {
            KeySpec::EcP256 => &EC,
            KeySpec::Rsa2048 => &RSA2048,
            KeySpec::Rsa3072 => &RSA3072,
        };
        cell.get_or_init(|| Self::generate(spec))
    }

    /// Builds the PKI of `spec` (see [`TestPki::shared`]).
    pub fn generate(spec: KeySpec) -> TestPki {
        use NameAttr::{Printable, Utf8};
        let o = org(spec);
        let key = |label: &str| Arc::new(SoftwareKey::from_seed(spec, label.as_bytes()));
        let root_key = key("root");
        let issuing_key = key("issuing");
        let root_name = name(&[
            Printable(attr::COUNTRY, "IT".into()),
            Utf8(attr::ORGANIZATION, o.clone()),
            Utf8(attr::COMMON_NAME, format!("Test Root CA {spec}")),
        ]);
        let issuing_name = name(&[
            Printable(attr::COUNTRY, "IT".into()),
            Utf8(attr::ORGANIZATION, o),
            Utf8(attr::ORGANIZATION_IDENTIFIER, "VATIT-00000000000".into()),
            Utf8(
                attr::COMMON_NAME,
                format!("Test Qualified Signature CA {spec}"),
            ),
        ]);
        let root_spki = root_key.public_key_der();
        let root_kid = key_identifier(&root_spki);
        let root_cert = issue(
            CertSpec {
                serial: &serial(&format!("{spec} root")),
                issuer: root_name.clone(),
                subject: root_name.clone(),
                not_before: CA_VALIDITY.0,
                not_after: CA_VALIDITY.1,
                subject_public_key_der: &root_spki,
                extensions: ca_extensions(&root_kid, &root_kid, None),
            },
            &root_key,
        );
        let issuing_spki = issuing_key.public_key_der();
        let issuing_kid = key_identifier(&issuing_spki);
        let issuing_cert = issue(
            CertSpec {
                serial: &serial(&format!("{spec} issuing")),
                issuer: root_name,
                subject: issuing_name.clone(),
                not_before: CA_VALIDITY.0,
                not_after: CA_VALIDITY.1,
                subject_public_key_der: &issuing_spki,
                extensions: ca_extensions(&issuing_kid, &root_kid, Some(0)),
            },
            &root_key,
        );
        let officer = |who: &Officer| {
            let k = key(who.codice_fiscale);
            let cert = officer_certificate(
                spec,
                who,
                &k.public_key_der(),
                &serial(&format!("{spec} officer {}", who.codice_fiscale)),
                &issuing_name,
                &issuing_kid,
                &issuing_key,
            );
            Party {
                cert_der: cert,
                key: k,
            }
        };
        let signer = officer(&OFFICER);
        let signer2 = officer(&OFFICER_2);
        let tsa_key = key("tsa");
        let tsa_cert = tsa_certificate(
            spec,
            &tsa_key.public_key_der(),
            &serial(&format!("{spec} tsa")),
            &issuing_name,
            &issuing_kid,
            &issuing_key,
        );
        TestPki {
            spec,
            root: Party {
                cert_der: root_cert,
                key: root_key,
            },
            issuing: Party {
                cert_der: issuing_cert,
                key: issuing_key,
            },
            signer,
            signer2,
            tsa: Party {
                cert_der: tsa_cert,
                key: tsa_key,
            },
        }
    }

    /// An officer's qualified signature certificate for `public_key` (a DER
    /// SubjectPublicKeyInfo, for example of a key generated in the HSM), issued by this PKI's
    /// issuing CA with the profile of [`TestPki::signer`] (AgID: subject serialNumber
    /// `TINIT-<codice fiscale>`, keyUsage nonRepudiation critical, QCStatements). The serial
    /// number is derived from the key: the same key gives the same certificate, another key
    /// another serial. Returns the DER certificate; panics if `public_key` is not an SPKI.
    pub fn issue_officer_certificate(&self, who: &Officer, public_key: &PublicKeyDer) -> Vec<u8> {
        let (issuing_name, issuing_kid) = self.issuer();
        officer_certificate(
            self.spec,
            who,
            public_key.as_bytes(),
            &serial(&format!(
                "{} officer {} key {}",
                self.spec,
                who.codice_fiscale,
                hex(&key_identifier(public_key.as_bytes()))
            )),
            &issuing_name,
            &issuing_kid,
            &self.issuing.key,
        )
    }

    /// A time-stamping authority certificate for `public_key` (a DER SubjectPublicKeyInfo, for
    /// example of the TSA service key in the HSM), issued by this PKI's issuing CA with the
    /// profile of [`TestPki::tsa`] (extended key usage id-kp-timeStamping only, critical: RFC
    /// 3161 section 2.3). Returns the DER certificate; panics if `public_key` is not an SPKI.
    pub fn issue_tsa_certificate(&self, public_key: &PublicKeyDer) -> Vec<u8> {
        let (issuing_name, issuing_kid) = self.issuer();
        tsa_certificate(
            self.spec,
            public_key.as_bytes(),
            &serial(&format!(
                "{} tsa key {}",
                self.spec,
                hex(&key_identifier(public_key.as_bytes()))
            )),
            &issuing_name,
            &issuing_kid,
            &self.issuing.key,
        )
    }

    /// The issuing CA's name and key identifier.
    fn issuer(&self) -> (Name, Vec<u8>) {
        use der::Decode;
        let cert = x509_cert::Certificate::from_der(&self.issuing.cert_der)
            .unwrap_or_else(|e| panic!("issuing CA certificate: {e}"));
        (
            cert.tbs_certificate().subject().clone(),
            key_identifier(&self.issuing.key.public_key_der()),
        )
    }

    /// The CA certificates to embed with a signer's or the TSA's certificate (the issuing CA;
    /// the root is the trust anchor).
    pub fn chain(&self) -> Vec<Vec<u8>> {
        vec![self.issuing.cert_der.clone()]
    }

    /// A time inside every certificate's validity.
    pub fn valid_at() -> OffsetDateTime {
        datetime!(2026-03-02 10:30:00 UTC)
    }

    /// Writes the certificates as PEM files into `dir`, named after the key type.
    pub fn write_files(&self, dir: &Path) -> std::io::Result<PkiFiles> {
        let base = self.spec.name();
        let write = |what: &str, pem_text: String| -> std::io::Result<PathBuf> {
            let p = dir.join(format!("{base}-{what}.pem"));
            std::fs::write(&p, pem_text)?;
            Ok(p)
        };
        Ok(PkiFiles {
            root: write("root", self.root.cert_pem())?,
            issuing: write("issuing", self.issuing.cert_pem())?,
            signer: write("signer", self.signer.cert_pem())?,
            signer2: write("signer2", self.signer2.cert_pem())?,
            tsa: write("tsa", self.tsa.cert_pem())?,
            chain: write("chain", self.issuing.cert_pem() + &self.root.cert_pem())?,
        })
    }
}

/// PEM `CERTIFICATE` text of a DER certificate (RFC 7468 section 5).
pub fn pem(der: &[u8]) -> String {
    der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, der)
        .unwrap_or_else(|e| panic!("PEM encoding: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use firma_core::ActiveKey;

    #[test]
    fn ec_pki_is_deterministic_and_parses() {
        let a = TestPki::generate(KeySpec::EcP256);
        let b = TestPki::shared(KeySpec::EcP256);
        assert_eq!(a.signer.cert_der, b.signer.cert_der);
        assert_eq!(a.tsa.cert_der, b.tsa.cert_der);
        assert_ne!(a.signer.cert_der, a.signer2.cert_der);
        assert_eq!(a.signer.key.spec(), KeySpec::EcP256);
        let text = format!("{:?}", a.signer.key);
        assert!(
            !text.contains("secret") && text.contains("EcP256"),
            "{text}"
        );
    }
    #[test]
    fn certificates_for_given_keys_follow_the_profiles() {
        use der::{Decode, Encode};
        use x509_cert::Certificate;
        let pki = TestPki::shared(KeySpec::EcP256);
        let other = SoftwareKey::generate(KeySpec::EcP256);
        let spki = PublicKeyDer(other.public_key_der());
        let parse = |der: &[u8]| Certificate::from_der(der).unwrap();
        let profile = |c: &Certificate| {
            c.tbs_certificate()
                .extensions()
                .unwrap()
                .iter()
                .map(|e| (e.extn_id, e.critical))
                .collect::<Vec<_>>()
        };
        for (issued, model) in [
            (pki.issue_officer_certificate(&OFFICER, &spki), &pki.signer),
            (pki.issue_tsa_certificate(&spki), &pki.tsa),
        ] {
            let (cert, model) = (parse(&issued), parse(&model.cert_der));
            let tbs = cert.tbs_certificate();
            assert_eq!(
                tbs.subject_public_key_info().to_der().unwrap(),
                spki.as_bytes()
            );
            assert_eq!(tbs.subject(), model.tbs_certificate().subject());
            assert_eq!(tbs.issuer(), model.tbs_certificate().issuer());
            assert_ne!(tbs.serial_number(), model.tbs_certificate().serial_number());
            assert_eq!(profile(&cert), profile(&model));
        }
        // The same key gives the same certificate.
        assert_eq!(
            pki.issue_officer_certificate(&OFFICER, &spki),
            pki.issue_officer_certificate(&OFFICER, &spki)
        );
    }
}
