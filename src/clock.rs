//! The time, injected so sessions, expiry and retries can be tested without waiting.

use std::{
    fmt,
    sync::atomic::{AtomicI64, Ordering},
};

use time::OffsetDateTime;

pub use intake_core::clock::{fhir_instant, from_millis, millis};

/// A source of the current time.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Now, in UTC.
    fn now(&self) -> OffsetDateTime;

    /// Now, in Unix epoch milliseconds (how the store keeps time).
    fn now_millis(&self) -> i64 {
        millis(self.now())
    }
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that stays where it is set, for tests.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    /// A clock at `at`.
    pub fn at(at: OffsetDateTime) -> Self {
        Self(AtomicI64::new(millis(at)))
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: std::time::Duration) {
        let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.0.fetch_add(by, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        from_millis(self.0.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let clock = ManualClock::at(datetime!(2026-11-22 10:00 UTC));
        clock.advance(std::time::Duration::from_secs(61));
        assert_eq!(clock.now(), datetime!(2026-11-22 10:01:01 UTC));
    }
}
