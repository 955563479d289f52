//! Retention: deleting what Intake no longer needs (drafts nobody submitted, answers whose
//! changes are settled, expired codes and ended sessions), on demand (`intake purge`) and daily
//! in every worker. What it deleted is counted in the log and the metrics, never listed.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{ServiceError, Services};
use crate::{
    config::Retention,
    store::{PurgeCounts, RetentionCutoffs},
};

/// How often a worker purges.
pub const PURGE_EVERY: Duration = Duration::from_secs(86_400);

impl Services {
    /// Urgent flags nobody has acknowledged: how many, and when the oldest was raised, for
    /// `/metrics`.
    pub async fn unacknowledged_flags(&self) -> Result<(i64, Option<i64>), ServiceError> {
        Ok(self.store.unacknowledged_flags().await?)
    }

    /// Invitations by state, for `/metrics`.
    pub async fn invitation_counts(&self) -> Result<Vec<(String, i64)>, ServiceError> {
        Ok(self
            .store
            .invitation_counts(self.clock.now_millis())
            .await?)
    }

    /// Deletes what `retention` (and the session lifetimes) say is no longer needed, now.
    pub async fn purge(&self, retention: &Retention) -> Result<PurgeCounts, ServiceError> {
        let now = self.clock.now_millis();
        let before =
            |age: Duration| now.saturating_sub(i64::try_from(age.as_millis()).unwrap_or(i64::MAX));
        let cutoffs = RetentionCutoffs {
            now,
            drafts_visit_before: before(retention.drafts),
            answers_submitted_before: before(retention.answers),
            staff_seen_before: before(self.lifetimes.staff_idle),
            staff_created_before: before(self.lifetimes.staff_max),
            patient_seen_before: before(self.lifetimes.patient_idle),
        };
        let counts = self.store.purge(&cutoffs).await?;
        for (kind, count) in counts.by_kind() {
            self.metrics.retention_deleted(kind, count);
        }
        tracing::info!(
            drafts = counts.drafts,
            chart_reads = counts.chart_reads,
            submission_answers = counts.answers,
            one_time_codes = counts.one_time_codes,
            staff_sessions = counts.staff_sessions,
            patient_sessions = counts.patient_sessions,
            attachments = counts.attachments,
            "retention purge"
        );
        Ok(counts)
    }
}

/// Purges once at start and then every [`PURGE_EVERY`] until `shutdown` fires. A failure is
/// logged and tried again at the next round.
pub async fn run_retention(services: Services, retention: Retention, shutdown: CancellationToken) {
    loop {
        if let Err(error) = services.purge(&retention).await {
            tracing::warn!(%error, "the retention purge failed; it runs again tomorrow");
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(PURGE_EVERY) => {}
        }
    }
}
