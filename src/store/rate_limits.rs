//! Failure counts per door and client address, shared by every process on the database.

use super::{Store, StoreError, on_pool};

impl Store {
    /// Failures counted at `door` from `address` in the window starting at `window_start`.
    pub async fn rate_limit_failures(
        &self,
        door: &str,
        address: &str,
        window_start: i64,
    ) -> Result<i64, StoreError> {
        let found: Option<i64> = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT CAST(failures AS BIGINT) FROM rate_limits \
             WHERE door = $1 AND address = $2 AND window_start = $3",
        )
        .bind(door)
        .bind(address)
        .bind(window_start)
        .fetch_optional(pool)
        .await)?;
        Ok(found.unwrap_or(0))
    }

    /// Counts one failure at `door` from `address` in the window starting at `window_start`
    /// (a count from an earlier window starts again), in one statement so concurrent
    /// failures from several processes all count; rows of finished windows are removed.
    pub async fn count_rate_limit_failure(
        &self,
        door: &str,
        address: &str,
        window_start: i64,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO rate_limits (door, address, window_start, failures) VALUES ($1, $2, $3, 1) \
                 ON CONFLICT (door, address) DO UPDATE SET \
                   failures = CASE WHEN rate_limits.window_start = excluded.window_start \
                                   THEN rate_limits.failures + 1 ELSE 1 END, \
                   window_start = excluded.window_start",
            )
            .bind(door)
            .bind(address)
            .bind(window_start)
            .execute(pool)
            .await?;
            sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
                .bind(window_start)
                .execute(pool)
                .await
                .map(drop)
        })?;
        Ok(())
    }
}
