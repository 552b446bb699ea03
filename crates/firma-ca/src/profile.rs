//! What the CA writes into the certificates it issues besides names and keys: where relying
//! parties find the CRL, the OCSP responder, the CA certificate and the PKI disclosure
//! statements, and how long certificates last.

use serde::{Deserialize, Serialize};

use crate::error::CaError;

/// A PKI disclosure statement (ETSI EN 319 412-5 section 4.3.4, `PdsLocation`): an HTTPS (or
/// HTTP) URL and the ISO 639-1 language of the document at that URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PdsLocation {
    pub url: String,
    /// Two lower-case letters (`PrintableString (SIZE(2))`), e.g. `en`, `it`.
    pub language: String,
}

/// URLs and validity periods of the certificates the CA issues.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaProfile {
    /// CRL distribution point of the issuing CA (RFC 5280 section 4.2.1.13).
    pub crl_url: String,
    /// OCSP responder, `id-ad-ocsp` in the authority information access (RFC 5280 section
    /// 4.2.2.1, RFC 6960).
    pub ocsp_url: String,
    /// Where the issuing CA certificate is published, `id-ad-caIssuers` (RFC 5280 section
    /// 4.2.2.1): a DER certificate over HTTP.
    pub ca_issuers_url: String,
    /// Certification practice statement, the CPS qualifier of the simulator policy (RFC 5280
    /// section 4.2.1.4).
    pub cps_url: String,
    /// PKI disclosure statements; at least one in English (ETSI EN 319 412-5 section 4.3.4).
    pub pds: Vec<PdsLocation>,
    /// Validity of officers' qualified certificates, in days from issuance (default three
    /// years).
    pub officer_validity_days: u32,
    /// Validity of workstation certificates, in days.
    pub workstation_validity_days: u32,
    /// Validity of the TSA certificate, in days.
    pub tsa_validity_days: u32,
    /// Validity of the OCSP responder certificate, in days. It carries `id-pkix-ocsp-nocheck`,
    /// so RFC 6960 section 4.2.2.2.1 asks for a short lifetime.
    pub ocsp_validity_days: u32,
}

/// Longest validity accepted in a profile: ten years.
const MAX_VALIDITY_DAYS: u32 = 3653;
/// Longest URL accepted in a profile.
const MAX_URL_LEN: usize = 1024;

impl CaProfile {
    /// A profile whose URLs all live under `base_url` (no trailing slash needed):
    /// `<base>/crl/issuing.crl`, `<base>/ocsp`, `<base>/certs/issuing.cer`, `<base>/cps`,
    /// `<base>/pds/pds_en.pdf` (en) and `<base>/pds/pds_it.pdf` (it). Validity: officers three
    /// years, workstations two, TSA five, OCSP responder one.
    pub fn with_base_url(base_url: &str) -> Result<Self, CaError> {
        let base = base_url.trim_end_matches('/');
        let profile = Self {
            crl_url: format!("{base}/crl/issuing.crl"),
            ocsp_url: format!("{base}/ocsp"),
            ca_issuers_url: format!("{base}/certs/issuing.cer"),
            cps_url: format!("{base}/cps"),
            pds: vec![
                PdsLocation {
                    url: format!("{base}/pds/pds_en.pdf"),
                    language: "en".into(),
                },
                PdsLocation {
                    url: format!("{base}/pds/pds_it.pdf"),
                    language: "it".into(),
                },
            ],
            officer_validity_days: 3 * 365,
            workstation_validity_days: 2 * 365,
            tsa_validity_days: 5 * 365,
            ocsp_validity_days: 365,
        };
        profile.validate()?;
        Ok(profile)
    }

    /// Checks every URL (an `http` or `https` URL of printable ASCII, which fits an
    /// IA5String) and every validity period (1 day to 10 years).
    pub fn validate(&self) -> Result<(), CaError> {
        for (what, url) in [
            ("crl_url", &self.crl_url),
            ("ocsp_url", &self.ocsp_url),
            ("ca_issuers_url", &self.ca_issuers_url),
            ("cps_url", &self.cps_url),
        ] {
            check_url(what, url)?;
        }
        if self.pds.is_empty() {
            return Err(CaError::InvalidProfile(
                "no PKI disclosure statement (ETSI EN 319 412-5 section 4.3.4 requires one)".into(),
            ));
        }
        if !self.pds.iter().any(|p| p.language == "en") {
            return Err(CaError::InvalidProfile(
                "no PKI disclosure statement in English (ETSI EN 319 412-5 section 4.3.4)".into(),
            ));
        }
        for p in &self.pds {
            check_url("pds url", &p.url)?;
            if p.language.len() != 2 || !p.language.bytes().all(|b| b.is_ascii_lowercase()) {
                return Err(CaError::InvalidProfile(format!(
                    "PDS language {:?} is not a two-letter ISO 639-1 code",
                    p.language
                )));
            }
        }
        for (what, days) in [
            ("officer_validity_days", self.officer_validity_days),
            ("workstation_validity_days", self.workstation_validity_days),
            ("tsa_validity_days", self.tsa_validity_days),
            ("ocsp_validity_days", self.ocsp_validity_days),
        ] {
            if !(1..=MAX_VALIDITY_DAYS).contains(&days) {
                return Err(CaError::InvalidProfile(format!(
                    "{what} is {days}, it must be 1 to {MAX_VALIDITY_DAYS}"
                )));
            }
        }
        Ok(())
    }
}

fn check_url(what: &str, url: &str) -> Result<(), CaError> {
    let scheme_ok = url.starts_with("http://") || url.starts_with("https://");
    let host_ok = url
        .split_once("://")
        .is_some_and(|(_, rest)| !rest.is_empty() && !rest.starts_with('/'));
    let chars_ok = url.bytes().all(|b| b.is_ascii_graphic());
    if !scheme_ok || !host_ok || !chars_ok || url.len() > MAX_URL_LEN {
        return Err(CaError::InvalidProfile(format!(
            "{what} {url:?} is not an http(s) URL of at most {MAX_URL_LEN} printable ASCII \
             characters"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_profile_is_valid_and_bad_values_are_named() {
        let p = CaProfile::with_base_url("http://127.0.0.1:8080/ca/").unwrap();
        assert_eq!(p.ocsp_url, "http://127.0.0.1:8080/ca/ocsp");
        assert_eq!(p.officer_validity_days, 1095);
        let err = CaProfile::with_base_url("ftp://ca.example").unwrap_err();
        assert!(err.to_string().contains("crl_url"), "{err}");
        assert!(CaProfile::with_base_url("https://ca.example/with space").is_err());
        let mut q = p.clone();
        q.pds.retain(|l| l.language != "en");
        assert!(q.validate().unwrap_err().to_string().contains("English"));
        let mut q = p;
        q.officer_validity_days = 0;
        assert!(
            q.validate()
                .unwrap_err()
                .to_string()
                .contains("officer_validity_days")
        );
    }
}
