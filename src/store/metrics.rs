//! Counts for `/metrics`: the outbox and exception queue by state, by resource type.

use super::{Store, StoreError, on_pool};

/// How many proposed changes are in each (state, resource type), and when the oldest change
/// waiting for staff was created.
#[derive(Debug, Clone, Default)]
pub struct QueueCounts {
    /// `(state, resource type, count)`.
    pub by_state: Vec<(String, String, i64)>,
    /// Creation time of the oldest held or failed change, epoch milliseconds.
    pub oldest_exception: Option<i64>,
    /// Creation time of the oldest change in the outbox (queued or sending), epoch milliseconds.
    pub oldest_queued: Option<i64>,
}

impl Store {
    /// Counts proposed changes by state and resource type.
    pub async fn queue_counts(&self) -> Result<QueueCounts, StoreError> {
        let by_state: Vec<(String, String, i64)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT state, resource_type, COUNT(*) FROM proposed_changes GROUP BY state, resource_type \
             ORDER BY state, resource_type",
        )
        .fetch_all(pool)
        .await)?;
        let oldest_exception: Option<i64> = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT MIN(created_at) FROM proposed_changes WHERE state IN ('held', 'failed')",
        )
        .fetch_one(pool)
        .await)?;
        let oldest_queued: Option<i64> = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT MIN(created_at) FROM proposed_changes WHERE state IN ('queued', 'sending')",
        )
        .fetch_one(pool)
        .await)?;
        Ok(QueueCounts {
            by_state,
            oldest_exception,
            oldest_queued,
        })
    }

    /// How many urgent flags nobody has acknowledged, and when the oldest of them was raised
    /// (epoch milliseconds).
    pub async fn unacknowledged_flags(&self) -> Result<(i64, Option<i64>), StoreError> {
        let row: (i64, Option<i64>) = on_pool!(self, pool => sqlx::query_as(
            "SELECT COUNT(*), MIN(raised_at) FROM urgent_flags WHERE acknowledged_at IS NULL",
        )
        .fetch_one(pool)
        .await)?;
        Ok(row)
    }

    /// Invitations by status (`open`, `locked`, `submitted`, `revoked`) and whether expired:
    /// `(state, count)` with an open link past its expiry counted as `expired`.
    pub async fn invitation_counts(&self, now: i64) -> Result<Vec<(String, i64)>, StoreError> {
        let rows: Vec<(String, i64)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT CASE WHEN status = 'open' AND expires_at < $1 THEN 'expired' ELSE status END AS state, \
             COUNT(*) FROM invitations GROUP BY 1 ORDER BY 1",
        )
        .bind(now)
        .fetch_all(pool)
        .await)?;
        Ok(rows)
    }
}
