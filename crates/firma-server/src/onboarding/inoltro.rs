//! Forwarding richieste firma remota to the Ente Certificatore (circolare 48/2025, section 1: "La
//! richiesta [...] sarà inoltrata all'Ente Certificatore solo dopo che il Sindaco avrà confermato
//! la data della proposta di adesione [...], e comunque non prima di tre mesi da tale data"; the
//! reading of the rule is documented in `firma_core::onboarding::eligible_for_forwarding`).
//!
//! Nobody forwards by hand: a richiesta is forwarded
//! - at once, when it is filed and already eligible, or when its comune's adhesion changes and
//!   makes it eligible;
//! - by the periodic job of `firma serve` (`onboarding.forward_interval_seconds`), which forwards
//!   what the calendar made eligible since (the day the window opens), and by `firma richieste
//!   inoltra`.
//!
//! "Today" is the Italian date of the `Clock`. Each forwarding is a compare-and-swap on the
//! richiesta and on the version of the adhesion it was decided on, with its audit record: a
//! sindaco moving the date at the same moment makes the decision be taken again.

use std::sync::Arc;
use std::time::Duration;

use firma_core::onboarding::data_in_italia;
use firma_core::ports::{RichiesteFilter, StoredAdesione, StoredRichiesta};
use firma_core::{AuditEvent, AuditKind, CodiceIstat, OnboardingStore};

use super::view::{ForwardReport, iso};
use super::{OnboardingError, OnboardingService};

/// Who forwards, in the audit log.
pub const FORWARDING_ACTOR: &str = "service:inoltro-richieste";

/// Candidates looked at per round of the job.
const BATCH: u32 = 500;

/// Whether one candidate was forwarded.
enum Forwarded {
    Yes,
    NotEligible,
    /// A concurrent change came first.
    Lost,
}

impl OnboardingService {
    /// Forwards every richiesta in attesa that is eligible today: what the periodic job and
    /// `firma richieste inoltra` run.
    pub async fn inoltra_dovute(&self) -> Result<ForwardReport, OnboardingError> {
        let mut report = ForwardReport::default();
        loop {
            let today = data_in_italia(self.clock.now());
            let candidates = self.db.richieste_da_inoltrare(today, BATCH).await?;
            let mut forwarded = 0;
            for (richiesta, adesione) in &candidates {
                match self.forward(richiesta, Some(adesione)).await? {
                    Forwarded::Yes => forwarded += 1,
                    Forwarded::Lost => report.rinviate += 1,
                    Forwarded::NotEligible => {}
                }
            }
            report.inoltrate += forwarded;
            // A short batch was the last; a batch where nothing moved would come back the same.
            if candidates.len() < BATCH as usize || forwarded == 0 {
                break;
            }
        }
        if report.inoltrate > 0 {
            tracing::info!(
                forwarded = report.inoltrate,
                "richieste forwarded to the Ente Certificatore"
            );
        }
        Ok(report)
    }

    /// Forwards the richieste in attesa of `comune` that are eligible now.
    pub async fn inoltra_comune(
        &self,
        comune: &CodiceIstat,
    ) -> Result<ForwardReport, OnboardingError> {
        let mut report = ForwardReport::default();
        let Some(adesione) = self.db.adesione(comune).await? else {
            return Ok(report);
        };
        let waiting = self
            .db
            .richieste(&RichiesteFilter {
                comune: Some(comune.clone()),
                stati: vec!["in_attesa"],
                limit: 10_000,
                ..Default::default()
            })
            .await?;
        for r in &waiting {
            match self.forward(r, Some(&adesione)).await? {
                Forwarded::Yes => report.inoltrate += 1,
                Forwarded::Lost => report.rinviate += 1,
                Forwarded::NotEligible => {}
            }
        }
        Ok(report)
    }

    /// Forwards one richiesta if it is eligible with `adesione` today.
    async fn forward(
        &self,
        stored: &StoredRichiesta,
        adesione: Option<&StoredAdesione>,
    ) -> Result<Forwarded, OnboardingError> {
        let now = self.clock.now();
        let mut r = stored.richiesta.clone();
        if r.inoltra(adesione.map(|a| &a.adesione), now).is_err() {
            return Ok(Forwarded::NotEligible);
        }
        let mut event = AuditEvent::new(
            AuditKind::RichiestaInoltrata,
            FORWARDING_ACTOR,
            format!("richiesta:{}", r.id()),
        )
        .with("ufficiale", r.ufficiale().0)
        .with("comune", r.comune())
        .with("giorno", iso(data_in_italia(now)));
        if let Some(a) = adesione {
            event = event.with("data_adesione", iso(a.adesione.data_adesione()));
        }
        let stored_ok = self
            .db
            .update_richiesta(
                &r,
                stored.version,
                adesione.map(|a| a.version),
                &[event],
                now,
            )
            .await?;
        Ok(if stored_ok {
            tracing::info!(richiesta = %r.id(), comune = %r.comune(), "richiesta forwarded to the Ente Certificatore");
            Forwarded::Yes
        } else {
            Forwarded::Lost
        })
    }

    /// Tries to forward a richiesta just filed (its comune's adhesion may already allow it).
    pub(super) async fn forward_new(&self, stored: &StoredRichiesta) {
        let result = async {
            let adesione = self.db.adesione(stored.richiesta.comune()).await?;
            self.forward(stored, adesione.as_ref()).await
        }
        .await;
        if let Err(e) = result {
            tracing::warn!(richiesta = %stored.richiesta.id(), error = %e, "forwarding a new richiesta failed; the periodic job will retry");
        }
    }
}

/// Starts the periodic forwarding job: a first run at once, then one every `every` (runs that
/// fall behind are delayed, not bunched). Errors are logged and the job goes on.
pub fn spawn_forwarding(
    service: Arc<OnboardingService>,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every.max(Duration::from_millis(10)));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Err(e) = service.inoltra_dovute().await {
                tracing::warn!(error = %e, "the forwarding job failed; it runs again at the next interval");
            }
        }
    })
}
