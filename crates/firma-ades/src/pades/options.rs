//! What a caller chooses for one PAdES signature.

use time::OffsetDateTime;

use crate::ltv::ValidationTransport;
use crate::tsp::TsaClient;

/// The PAdES baseline level (ETSI EN 319 142-1 clause 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PadesLevel {
    /// B-B (clause 6.3): the CAdES detached signature with ESS signing-certificate-v2, the time
    /// claimed in /M.
    #[default]
    BB,
    /// B-T (clause 6.4): B-B plus a signature time-stamp (RFC 3161) in the CMS unsigned
    /// attributes.
    BT,
    /// B-LT (clause 6.5): B-T plus the validation data in a DSS, added by an incremental
    /// update after the signature.
    BLt,
    /// B-LTA (clause 6.6): B-LT plus a document time-stamp after the DSS.
    BLta,
}

/// A visible signature (ISO 32000-1 clause 12.7.4.5 and 12.5.5): a widget with a normal
/// appearance showing who signed, in what role, for which comune, and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Appearance {
    /// The page, counted from 0.
    pub page_index: usize,
    /// `[llx lly urx ury]` in the page's default user space (points, origin bottom-left).
    pub rect: [f64; 4],
    /// The signer's name, as shown.
    pub signer_name: String,
    /// For example "Ufficiale dello stato civile".
    pub role: Option<String>,
    /// For example "Comune di Forlì".
    pub comune: Option<String>,
}

/// The PDF side of a signature: the signature dictionary's entries (ISO 32000-1 clause 12.8.1,
/// Table 252) and the field that holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureDetails {
    /// The time written in /M (and shown on a visible signature). PAdES puts no signing-time in
    /// the CMS (ETSI EN 319 142-1 clause 6.3); /M carries the claimed time.
    pub signing_time: OffsetDateTime,
    /// The new field's partial name (/T); `Signature<n>` with the first free `n` when `None`.
    pub field_name: Option<String>,
    /// /Name: the signer's name.
    pub name: Option<String>,
    /// /Reason.
    pub reason: Option<String>,
    /// /Location: for example the comune.
    pub location: Option<String>,
    /// /ContactInfo.
    pub contact_info: Option<String>,
    /// `None`: an invisible signature (/Rect [0 0 0 0] on the first page).
    pub appearance: Option<Appearance>,
}

impl SignatureDetails {
    /// An invisible signature at `signing_time` with no optional entries.
    pub fn new(signing_time: OffsetDateTime) -> Self {
        Self {
            signing_time,
            field_name: None,
            name: None,
            reason: None,
            location: None,
            contact_info: None,
            appearance: None,
        }
    }
}

/// Options of [`super::sign`].
#[derive(Clone)]
pub struct PadesOptions<'a> {
    pub level: PadesLevel,
    /// The time-stamp authority for B-T and above; ignored for B-B.
    pub timestamper: Option<&'a TsaClient>,
    /// For B-LT and B-LTA: fetches the validation data, checked at the signing time.
    pub validation: Option<&'a dyn ValidationTransport>,
    pub details: SignatureDetails,
    /// As [`crate::cms::CmsOptions::skip_self_check`]: leave it off except for the signatures of a
    /// batch after the first, made with the same key and certificate.
    pub skip_self_check: bool,
}

impl<'a> PadesOptions<'a> {
    /// B-B, invisible, at `signing_time`.
    pub fn new(signing_time: OffsetDateTime) -> Self {
        Self {
            level: PadesLevel::BB,
            timestamper: None,
            validation: None,
            details: SignatureDetails::new(signing_time),
            skip_self_check: false,
        }
    }

    /// B-LT (`lta` false) or B-LTA with `tsa` and `validation`.
    pub fn with_long_term(
        mut self,
        tsa: &'a TsaClient,
        validation: &'a dyn ValidationTransport,
        lta: bool,
    ) -> Self {
        self.level = if lta {
            PadesLevel::BLta
        } else {
            PadesLevel::BLt
        };
        self.timestamper = Some(tsa);
        self.validation = Some(validation);
        self
    }

    /// B-T with `tsa`.
    pub fn with_timestamp(mut self, tsa: &'a TsaClient) -> Self {
        self.level = PadesLevel::BT;
        self.timestamper = Some(tsa);
        self
    }
}

impl std::fmt::Debug for PadesOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PadesOptions")
            .field("level", &self.level)
            .field("timestamper", &self.timestamper)
            .field("validation", &self.validation.is_some())
            .field("details", &self.details)
            .field("skip_self_check", &self.skip_self_check)
            .finish()
    }
}
