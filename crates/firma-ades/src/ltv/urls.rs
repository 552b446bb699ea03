//! Where a certificate says its issuer and its status are published: authorityInfoAccess
//! (RFC 5280 section 4.2.2.1: `id-ad-ocsp`, `id-ad-caIssuers`) and cRLDistributionPoints
//! (section 4.2.1.13), HTTP URIs only; and `id-pkix-ocsp-nocheck` (RFC 6960 section
//! 4.2.2.2.1).

use const_oid::ObjectIdentifier;
use der::Decode;
use x509_cert::Certificate;
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{AuthorityInfoAccessSyntax, CrlDistributionPoints};

const ID_AD_OCSP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");
const ID_AD_CA_ISSUERS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.2");
const ID_PE_AIA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.1");
const ID_CE_CRL_DP: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.31");
const ID_PKIX_OCSP_NOCHECK: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.5");

/// The URLs of one certificate.
#[derive(Debug, Default)]
pub(crate) struct Urls {
    pub ocsp: Vec<String>,
    pub ca_issuers: Vec<String>,
    pub crl: Vec<String>,
    /// `id-pkix-ocsp-nocheck`: a delegated OCSP responder whose status is not checked.
    pub no_check: bool,
}

pub(crate) fn urls(cert: &Certificate) -> Urls {
    let mut out = Urls::default();
    for ext in cert.tbs_certificate().extensions().into_iter().flatten() {
        let value = ext.extn_value.as_bytes();
        if ext.extn_id == ID_PE_AIA {
            if let Ok(aia) = AuthorityInfoAccessSyntax::from_der(value) {
                for ad in aia.0 {
                    let Some(url) = http_uri(&ad.access_location) else {
                        continue;
                    };
                    if ad.access_method == ID_AD_OCSP {
                        out.ocsp.push(url);
                    } else if ad.access_method == ID_AD_CA_ISSUERS {
                        out.ca_issuers.push(url);
                    }
                }
            }
        } else if ext.extn_id == ID_CE_CRL_DP {
            if let Ok(points) = CrlDistributionPoints::from_der(value) {
                out.crl.extend(points.0.iter().flat_map(full_names));
            }
        } else if ext.extn_id == ID_PKIX_OCSP_NOCHECK {
            out.no_check = true;
        }
    }
    out
}

fn full_names(dp: &DistributionPoint) -> Vec<String> {
    match &dp.distribution_point {
        Some(DistributionPointName::FullName(names)) => names.iter().filter_map(http_uri).collect(),
        _ => Vec::new(),
    }
}

fn http_uri(name: &GeneralName) -> Option<String> {
    match name {
        GeneralName::UniformResourceIdentifier(uri) => {
            let s = uri.as_str();
            (s.starts_with("http://") || s.starts_with("https://")).then(|| s.to_owned())
        }
        _ => None,
    }
}
