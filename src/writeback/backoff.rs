//! When to try a failed send again: exponential backoff with a cap and jitter, never sooner
//! than the EHR's `Retry-After`. Pure, so it is table-tested.

use std::time::Duration;

/// Sends tried before a change that keeps failing transiently goes to the exception queue.
pub const MAX_ATTEMPTS: i64 = 12;

pub(super) const BASE: Duration = Duration::from_secs(2);
const CAP: Duration = Duration::from_secs(300);

/// The wait after attempt number `attempts` (1 for the first send) failed. `jitter` in
/// `[0, 1)` spreads retries of many changes over ±20% so they do not arrive together.
pub fn retry_delay(attempts: i64, retry_after: Option<Duration>, jitter: f64) -> Duration {
    let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
    let backoff = BASE.saturating_mul(2_u32.saturating_pow(exponent)).min(CAP);
    let spread = backoff.mul_f64(0.8 + 0.4 * jitter.clamp(0.0, 1.0));
    spread.max(retry_after.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap() {
        let table = [
            (1, 2),
            (2, 4),
            (3, 8),
            (4, 16),
            (8, 256),
            (9, 300),
            (40, 300),
        ];
        for (attempts, seconds) in table {
            assert_eq!(
                retry_delay(attempts, None, 0.5),
                Duration::from_secs(seconds),
                "attempt {attempts}"
            );
        }
    }

    #[test]
    fn jitter_spreads_by_twenty_percent_either_way() {
        assert_eq!(retry_delay(3, None, 0.0), Duration::from_millis(6400));
        assert_eq!(
            retry_delay(3, None, 0.999_999),
            Duration::from_secs(8).mul_f64(0.8 + 0.4 * 0.999_999)
        );
    }

    #[test]
    fn retry_after_is_a_floor_not_a_ceiling() {
        assert_eq!(
            retry_delay(1, Some(Duration::from_secs(30)), 0.5),
            Duration::from_secs(30)
        );
        assert_eq!(
            retry_delay(6, Some(Duration::from_secs(30)), 0.5),
            Duration::from_secs(64)
        );
    }
}
