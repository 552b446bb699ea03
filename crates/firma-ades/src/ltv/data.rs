//! The validation data of a signature, as it is embedded: a PAdES DSS (ETSI EN 319 142-1
//! clause 5.4.2) or CAdES certificate-values and revocation-values (EN 319 122-1 clauses
//! 5.5.1 and 5.5.2).

/// DER certificates, DER `OCSPResponse`s (RFC 6960 section 4.2.1) and DER CRLs (RFC 5280
/// section 5), each kept once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationData {
    pub certificates: Vec<Vec<u8>>,
    pub ocsp_responses: Vec<Vec<u8>>,
    pub crls: Vec<Vec<u8>>,
}

impl ValidationData {
    pub fn add_certificate(&mut self, der: &[u8]) {
        push_once(&mut self.certificates, der);
    }

    pub fn add_ocsp_response(&mut self, der: &[u8]) {
        push_once(&mut self.ocsp_responses, der);
    }

    pub fn add_crl(&mut self, der: &[u8]) {
        push_once(&mut self.crls, der);
    }

    /// Adds everything of `other` not already here.
    pub fn merge(&mut self, other: &ValidationData) {
        other
            .certificates
            .iter()
            .for_each(|c| self.add_certificate(c));
        other
            .ocsp_responses
            .iter()
            .for_each(|o| self.add_ocsp_response(o));
        other.crls.iter().for_each(|c| self.add_crl(c));
    }

    /// Whether there is nothing at all.
    pub fn is_empty(&self) -> bool {
        self.certificates.is_empty() && self.ocsp_responses.is_empty() && self.crls.is_empty()
    }
}

fn push_once(list: &mut Vec<Vec<u8>>, der: &[u8]) {
    if !list.iter().any(|d| d == der) {
        list.push(der.to_vec());
    }
}
