//! Issuing end-entity certificates under the issuing CA: officers' qualified signature
//! certificates, the TSA, the OCSP responder and workstations.

use firma_core::PublicKeyDer;
use spki::SubjectPublicKeyInfoOwned;
use time::{Duration, OffsetDateTime};
use x509_cert::ext::Extension;
use x509_cert::name::Name;

use crate::authority::CertificateAuthority;
use crate::certificate::{CertSpec, sign_certificate};
use crate::csr::verify_csr;
use crate::encode::{key_identifier, random_serial, whole_seconds};
use crate::error::CaError;
use crate::extensions;
use crate::material::IssuedCertificate;
use crate::name::{OfficerSubject, WorkstationSubject, service_name};
use crate::profile::CaProfile;
use crate::public_key::PublicKey;

type ExtensionsFn = fn(&CaProfile, &[u8], &[u8]) -> Result<Vec<Extension>, CaError>;

impl CertificateAuthority {
    /// Issues an officer's qualified certificate for electronic signatures (AgID profile; ETSI
    /// EN 319 412-2 and -5) from a PKCS#10 request.
    ///
    /// The request's self-signature must verify (proof of possession, RFC 2986 section 3) and
    /// its key must be `credential_key`, the public key of the officer's credential generated
    /// in the HSM; otherwise nothing is issued. The subject comes from `officer` (the identity
    /// the Ente Certificatore checked), not from the request: `C=IT, [O=<comune>],
    /// SN=<surname>, G=<given name>, serialNumber=TINIT-<codice fiscale>, CN=<given name>
    /// <surname>`. Valid from `now` for `officer_validity_days` of the profile, never beyond
    /// the issuing CA certificate.
    pub fn issue_officer(
        &self,
        csr_der: &[u8],
        credential_key: &PublicKeyDer,
        officer: &OfficerSubject,
        now: OffsetDateTime,
    ) -> Result<IssuedCertificate, CaError> {
        let subject = officer.distinguished_name()?;
        let csr = verify_csr(csr_der)?;
        csr.require_key(credential_key)?;
        self.issue(
            subject,
            csr.spki,
            now,
            self.profile.officer_validity_days,
            extensions::officer,
        )
    }

    /// Issues a workstation's TLS client certificate (certificato di postazione, circolare
    /// 48/2025) from a PKCS#10 request whose self-signature verifies. The key was generated on
    /// the workstation, so any P-256 or RSA 2048/3072 key is accepted.
    pub fn issue_workstation(
        &self,
        csr_der: &[u8],
        workstation: &WorkstationSubject,
        now: OffsetDateTime,
    ) -> Result<IssuedCertificate, CaError> {
        let subject = workstation.distinguished_name()?;
        let csr = verify_csr(csr_der)?;
        self.issue(
            subject,
            csr.spki,
            now,
            self.profile.workstation_validity_days,
            extensions::workstation,
        )
    }

    /// Issues the time-stamping unit's certificate for `public_key` (the TSA service key in the
    /// HSM): extendedKeyUsage id-kp-timeStamping only, critical (RFC 3161 section 2.3).
    /// The subject is the CA's country and organization with `common_name`.
    pub fn issue_tsa(
        &self,
        public_key: &PublicKeyDer,
        common_name: &str,
        now: OffsetDateTime,
    ) -> Result<IssuedCertificate, CaError> {
        let subject = service_name(&self.issuing_name, common_name)?;
        let (spki, _) = PublicKey::from_der(public_key.as_bytes())?;
        self.issue(
            subject,
            spki,
            now,
            self.profile.tsa_validity_days,
            extensions::tsa,
        )
    }

    /// Issues the delegated OCSP responder's certificate for `public_key` (RFC 6960 section
    /// 4.2.2.2): extendedKeyUsage id-kp-OCSPSigning and id-pkix-ocsp-nocheck.
    pub fn issue_ocsp_responder(
        &self,
        public_key: &PublicKeyDer,
        common_name: &str,
        now: OffsetDateTime,
    ) -> Result<IssuedCertificate, CaError> {
        let subject = service_name(&self.issuing_name, common_name)?;
        let (spki, _) = PublicKey::from_der(public_key.as_bytes())?;
        self.issue(
            subject,
            spki,
            now,
            self.profile.ocsp_validity_days,
            extensions::ocsp_responder,
        )
    }

    /// Signs an end-entity certificate with the issuing CA key: a fresh random serial (RFC 5280
    /// section 4.1.2.2), validity from `now` (whole seconds) for `days`, cut at the issuing CA
    /// certificate's notAfter (a certificate must not outlive its issuer's, RFC 5280 section
    /// 6.1.3 (a)(2) checks each certificate of the path at the same time).
    fn issue(
        &self,
        subject: Name,
        spki: SubjectPublicKeyInfoOwned,
        now: OffsetDateTime,
        days: u32,
        extensions: ExtensionsFn,
    ) -> Result<IssuedCertificate, CaError> {
        let not_before = whole_seconds(now)?;
        if not_before < self.issuing_not_before || not_before >= self.issuing_not_after {
            return Err(CaError::CaNotValidAt {
                which: "issuing",
                at: not_before,
                not_before: self.issuing_not_before,
                not_after: self.issuing_not_after,
            });
        }
        let not_after = (not_before + Duration::days(i64::from(days))).min(self.issuing_not_after);
        let serial = random_serial()?;
        let extensions = extensions(&self.profile, &key_identifier(&spki), &self.issuing_key_id)?;
        let der = sign_certificate(
            CertSpec {
                serial: &serial,
                issuer: self.issuing_name.clone(),
                subject,
                not_before,
                not_after,
                subject_public_key: spki,
                extensions,
            },
            &*self.issuing_key,
        )?;
        Ok(IssuedCertificate {
            der,
            serial: serial.to_vec(),
            not_before,
            not_after,
        })
    }
}
