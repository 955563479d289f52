//! How long EHR requests take, as the worker sees them, for `/metrics`.

use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

/// Running totals of EHR requests made by the write-back worker.
#[derive(Debug, Default)]
pub struct EhrTimings {
    requests: AtomicU64,
    failures: AtomicU64,
    total_micros: AtomicU64,
}

impl EhrTimings {
    /// Records one request.
    pub fn record(&self, took: Duration, succeeded: bool) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        if !succeeded {
            self.failures.fetch_add(1, Ordering::Relaxed);
        }
        self.total_micros.fetch_add(
            u64::try_from(took.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    /// `(requests, failures, total seconds)` so far.
    pub fn totals(&self) -> (u64, u64, f64) {
        let micros = self.total_micros.load(Ordering::Relaxed);
        (
            self.requests.load(Ordering::Relaxed),
            self.failures.load(Ordering::Relaxed),
            micros as f64 / 1e6,
        )
    }
}
