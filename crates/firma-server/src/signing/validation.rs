//! The transport of validation data for B-LT and B-LTA (ETSI EN 319 142-1 clause 5.4): HTTP
//! to the URLs the certificates name, bounded in time; the simulator's root CRL
//! (`{ca.base_url}/crl/root.crl`) is offered for the issuing CA certificate, which names no
//! distribution point.

use std::sync::Arc;

use firma_ades::ltv::ValidationTransport;
use firma_tsa_http::{HttpValidationTransport, Timeouts};

use crate::config::Settings;

pub fn transport(settings: &Settings) -> Arc<dyn ValidationTransport> {
    let root_crl = format!(
        "{}/crl/root.crl",
        settings.ca.base_url.trim_end_matches('/')
    );
    Arc::new(HttpValidationTransport::new(Timeouts::default()).with_fallback_crls(vec![root_crl]))
}
