//! Chart reads: the chart as it was when the patient started, one per invitation.

use uuid::Uuid;

use super::{Store, StoreError, on_pool};
use crate::mapping::ChartSnapshot;

impl Store {
    /// The chart read for an invitation, if there was one.
    pub async fn load_chart_read(
        &self,
        invitation_id: Uuid,
    ) -> Result<Option<ChartSnapshot>, StoreError> {
        let row: Option<(String,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT chart FROM chart_reads WHERE invitation_id = $1",
        )
        .bind(invitation_id)
        .fetch_optional(pool)
        .await)?;
        row.map(|(chart,)| self.unseal_json("chart_reads.chart", invitation_id, &chart))
            .transpose()
    }

    /// Keeps the first chart read for an invitation; a later one (a second tab racing the
    /// first) changes nothing, so the patient and the comparison see one chart.
    pub async fn save_chart_read(
        &self,
        invitation_id: Uuid,
        chart: &ChartSnapshot,
        now: i64,
    ) -> Result<(), StoreError> {
        let chart = self.seal_json("chart_reads.chart", invitation_id, chart)?;
        on_pool!(self, pool => sqlx::query(
            "INSERT INTO chart_reads (invitation_id, chart, read_at) VALUES ($1, $2, $3) \
             ON CONFLICT (invitation_id) DO NOTHING",
        )
        .bind(invitation_id)
        .bind(chart)
        .bind(now)
        .execute(pool)
        .await.map(drop))?;
        Ok(())
    }
}
