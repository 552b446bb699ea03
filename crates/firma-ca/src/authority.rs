//! The CA hierarchy: a self-signed root and an issuing CA under it, both with their keys in the
//! HSM as service keys (non-extractable token objects).

use std::fmt;

use der::Decode;
use firma_core::{ActiveKey, GeneratedKey, KeyPurpose, KeySpec, KeyStore, SignatureAlgorithm};
use spki::SubjectPublicKeyInfoOwned;
use time::{Duration, OffsetDateTime};
use x509_cert::Certificate;
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::name::Name;

use crate::certificate::{CertSpec, parse_and_check, sign_certificate};
use crate::encode::{from_x509_time, key_identifier, random_serial, whole_seconds};
use crate::error::CaError;
use crate::extensions;
use crate::material::CaMaterial;
use crate::name::CaNames;
use crate::profile::CaProfile;
use crate::public_key::{PublicKey, same_key};

/// Validity of the root certificate: twenty years.
pub const ROOT_VALIDITY_DAYS: i64 = 7305;
/// Validity of the issuing CA certificate: ten years.
pub const ISSUING_VALIDITY_DAYS: i64 = 3653;

/// The Ente Certificatore simulator's certificate authority, ready to issue: the issuing CA
/// key (and the root key) activated in the HSM, the CA certificates parsed.
///
/// `Send + Sync`; every method blocks on the HSM, so call it on a blocking thread from async
/// code.
pub struct CertificateAuthority {
    pub(crate) material: CaMaterial,
    pub(crate) profile: CaProfile,
    pub(crate) root_key: Box<dyn ActiveKey>,
    pub(crate) issuing_key: Box<dyn ActiveKey>,
    pub(crate) issuing_name: Name,
    pub(crate) issuing_key_id: Vec<u8>,
    pub(crate) issuing_not_before: OffsetDateTime,
    pub(crate) issuing_not_after: OffsetDateTime,
}

impl fmt::Debug for CertificateAuthority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertificateAuthority")
            .field("material", &self.material)
            .field("issuing_not_after", &self.issuing_not_after)
            .finish_non_exhaustive()
    }
}

impl CertificateAuthority {
    /// Creates the CA hierarchy on the token of `keystore`:
    ///
    /// 1. refuses if a service key labelled `<prefix>-root` or `<prefix>-issuing` exists (a CA
    ///    is there already: open it instead);
    /// 2. generates the root and issuing CA keys of kind `spec` as service keys;
    /// 3. signs the self-signed root certificate (basicConstraints cA, pathLenConstraint 1;
    ///    keyUsage keyCertSign and cRLSign, critical: RFC 5280 sections 4.2.1.9 and 4.2.1.3;
    ///    valid 20 years from `now`) and the issuing CA certificate with the root key
    ///    (pathLenConstraint 0, valid 10 years);
    /// 4. checks both signatures with the public keys read from the HSM.
    ///
    /// If anything fails after a key was generated, the keys made here are destroyed.
    pub fn create(
        keystore: &dyn KeyStore,
        names: &CaNames,
        spec: KeySpec,
        now: OffsetDateTime,
    ) -> Result<CaMaterial, CaError> {
        let root_label = names.root_key_label();
        let issuing_label = names.issuing_key_label();
        // Check the names before touching the HSM.
        let root_name = names.root_name()?;
        let issuing_name = names.issuing_name()?;
        let mut existing = Vec::new();
        for label in [&root_label, &issuing_label] {
            if keystore.find_service_key(label)?.is_some() {
                existing.push(label.clone());
            }
        }
        if !existing.is_empty() {
            return Err(CaError::KeysExist { labels: existing });
        }
        let mut made: Vec<GeneratedKey> = Vec::with_capacity(2);
        let result = (|| {
            let root = keystore.generate(
                spec,
                KeyPurpose::Service {
                    label: root_label.clone(),
                },
            )?;
            made.push(root.clone());
            let issuing = keystore.generate(
                spec,
                KeyPurpose::Service {
                    label: issuing_label.clone(),
                },
            )?;
            made.push(issuing.clone());
            let root_key = keystore.activate(&root.key)?;
            let (root_cert, issuing_cert) =
                sign_hierarchy(&*root_key, &root, &issuing, root_name, issuing_name, now)?;
            Ok(CaMaterial {
                spec,
                root_key_label: root_label.clone(),
                issuing_key_label: issuing_label.clone(),
                root_certificate: root_cert,
                issuing_certificate: issuing_cert,
            })
        })();
        if result.is_err() {
            for key in &made {
                // Best effort: the original error is the one to report.
                let _ = keystore.destroy(&key.key);
            }
        }
        result
    }

    /// Re-opens a CA created earlier: parses and checks the CA certificates (the root is
    /// self-signed, the issuing CA certificate is a CA certificate signed by the root), finds
    /// both keys on the token by label, checks that each is the key its certificate certifies,
    /// and activates them. `profile` gives the URLs and validity periods of what it issues.
    pub fn open(
        keystore: &dyn KeyStore,
        material: &CaMaterial,
        profile: CaProfile,
    ) -> Result<Self, CaError> {
        profile.validate()?;
        let root_cert = Certificate::from_der(&material.root_certificate)
            .map_err(|e| CaError::InvalidMaterial(format!("root certificate: {e}")))?;
        if root_cert.tbs_certificate().issuer() != root_cert.tbs_certificate().subject() {
            return Err(CaError::InvalidMaterial(
                "the root certificate is not self-issued".into(),
            ));
        }
        let root_spki = root_cert
            .tbs_certificate()
            .subject_public_key_info()
            .clone();
        parse_and_check(&material.root_certificate, &root_spki, "root")?;
        let issuing_cert = parse_and_check(&material.issuing_certificate, &root_spki, "issuing")?;
        let tbs = issuing_cert.tbs_certificate();
        if tbs.issuer() != root_cert.tbs_certificate().subject() {
            return Err(CaError::InvalidMaterial(
                "the issuing CA certificate's issuer is not the root's subject".into(),
            ));
        }
        let is_ca = matches!(tbs.get_extension::<BasicConstraints>(), Ok(Some((_, bc))) if bc.ca);
        if !is_ca {
            return Err(CaError::InvalidMaterial(
                "the issuing certificate is not a CA certificate (basicConstraints cA)".into(),
            ));
        }
        let issuing_spki = tbs.subject_public_key_info().clone();
        let root_key = find_and_activate(keystore, &material.root_key_label, &root_spki, "root")?;
        let issuing_key = find_and_activate(
            keystore,
            &material.issuing_key_label,
            &issuing_spki,
            "issuing",
        )?;
        for (which, key) in [("root", &root_key), ("issuing", &issuing_key)] {
            if key.spec() != material.spec {
                return Err(CaError::InvalidMaterial(format!(
                    "the {which} CA key is {}, the material says {}",
                    key.spec(),
                    material.spec
                )));
            }
        }
        Ok(Self {
            material: material.clone(),
            profile,
            root_key,
            issuing_key,
            issuing_name: tbs.subject().clone(),
            issuing_key_id: key_identifier(&issuing_spki),
            issuing_not_before: from_x509_time(tbs.validity().not_before)?,
            issuing_not_after: from_x509_time(tbs.validity().not_after)?,
        })
    }

    /// The CA material this CA was opened with.
    pub fn material(&self) -> &CaMaterial {
        &self.material
    }

    /// The profile of the certificates it issues.
    pub fn profile(&self) -> &CaProfile {
        &self.profile
    }

    /// The root certificate, DER: the trust anchor.
    pub fn root_certificate(&self) -> &[u8] {
        &self.material.root_certificate
    }

    /// The issuing CA certificate, DER: embed it with end-entity certificates.
    pub fn issuing_certificate(&self) -> &[u8] {
        &self.material.issuing_certificate
    }

    /// The issuing CA's key, for signing its CRLs and (without a delegated responder) OCSP
    /// responses.
    pub fn issuing_key(&self) -> &dyn ActiveKey {
        &*self.issuing_key
    }

    /// The root CA's key, for signing the root's CRL (ARL).
    pub fn root_key(&self) -> &dyn ActiveKey {
        &*self.root_key
    }

    /// The algorithm the CA signs with (ecdsa-with-SHA256 or sha256WithRSAEncryption).
    pub fn signature_algorithm(&self) -> SignatureAlgorithm {
        self.issuing_key.spec().default_algorithm()
    }
}

/// Signs the root and issuing CA certificates and checks them.
fn sign_hierarchy(
    root_key: &dyn ActiveKey,
    root: &GeneratedKey,
    issuing: &GeneratedKey,
    root_name: Name,
    issuing_name: Name,
    now: OffsetDateTime,
) -> Result<(Vec<u8>, Vec<u8>), CaError> {
    let not_before = whole_seconds(now)?;
    let (root_spki, _) = PublicKey::from_der(root.public_key.as_bytes())?;
    let (issuing_spki, _) = PublicKey::from_der(issuing.public_key.as_bytes())?;
    let root_kid = key_identifier(&root_spki);
    let issuing_kid = key_identifier(&issuing_spki);
    let root_cert = sign_certificate(
        CertSpec {
            serial: &random_serial()?,
            issuer: root_name.clone(),
            subject: root_name.clone(),
            not_before,
            not_after: not_before + Duration::days(ROOT_VALIDITY_DAYS),
            subject_public_key: root_spki.clone(),
            extensions: extensions::ca(&root_kid, &root_kid, 1)?,
        },
        root_key,
    )?;
    let issuing_cert = sign_certificate(
        CertSpec {
            serial: &random_serial()?,
            issuer: root_name,
            subject: issuing_name,
            not_before,
            not_after: not_before + Duration::days(ISSUING_VALIDITY_DAYS),
            subject_public_key: issuing_spki,
            extensions: extensions::ca(&issuing_kid, &root_kid, 0)?,
        },
        root_key,
    )?;
    // The HSM signed with the key it reported: check before anyone relies on it.
    parse_and_check(&root_cert, &root_spki, "root")?;
    parse_and_check(&issuing_cert, &root_spki, "issuing")?;
    Ok((root_cert, issuing_cert))
}

/// Finds a CA key by label, checks it against its certificate's public key and activates it.
fn find_and_activate(
    keystore: &dyn KeyStore,
    label: &str,
    certified: &SubjectPublicKeyInfoOwned,
    which: &'static str,
) -> Result<Box<dyn ActiveKey>, CaError> {
    let found = keystore
        .find_service_key(label)?
        .ok_or_else(|| CaError::KeyMissing {
            label: label.to_owned(),
        })?;
    if !same_key(certified, &found.public_key)? {
        return Err(CaError::KeyDoesNotMatchCertificate {
            label: label.to_owned(),
            which,
        });
    }
    Ok(keystore.activate(&found.key)?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_ca_can_be_shared_between_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<super::CertificateAuthority>();
    }
}
