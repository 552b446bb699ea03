//! The identity check the Ente Certificatore's operator records before approving a richiesta: who
//! checked, when, and which document. A qualified certificate is issued only to a verified identity
//! (Regulation (EU) No 910/2014, art. 24(1): the QTSP "shall verify [...] the identity [...] of the
//! natural [...] person to whom the qualified certificate is issued").

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::documento::TipoDocumento;
use crate::access::PrincipalId;

/// One recorded identity check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificaIdentita {
    /// The Ente Certificatore operator who checked.
    pub operatore: PrincipalId,
    /// The operator's name, as shown in audit records.
    pub nome_operatore: String,
    pub verificata_il: OffsetDateTime,
    /// The document checked: the one given in the richiesta.
    pub tipo_documento: TipoDocumento,
    pub numero_documento: String,
}
