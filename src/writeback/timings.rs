//! How the EHR has been answering the write-back worker in this process: sends and failures by
//! resource type, and a histogram of how long sends took, for `/metrics`.

use std::{collections::BTreeMap, sync::Mutex, time::Duration};

use crate::mapping::ResourceType;

/// The upper bounds of the latency histogram, in seconds (Prometheus `le`).
pub const BUCKETS: [f64; 9] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// Counts per resource type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sends {
    /// Sends tried.
    pub requests: u64,
    /// Sends that did not succeed.
    pub failures: u64,
}

/// The counters, shared by the worker and `/metrics`.
#[derive(Debug, Default)]
pub struct EhrTimings(Mutex<Counters>);

#[derive(Debug, Default, Clone)]
struct Counters {
    by_type: BTreeMap<ResourceType, Sends>,
    /// Sends that took at most each bucket's bound (cumulative, as Prometheus counts them).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    total_seconds: f64,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// Sends and failures by resource type.
    pub by_type: Vec<(ResourceType, Sends)>,
    /// `(le, cumulative count)` per bucket.
    pub buckets: Vec<(f64, u64)>,
    /// All sends.
    pub count: u64,
    /// Their total time.
    pub total_seconds: f64,
}

impl EhrTimings {
    /// Records one send of a `resource_type` change.
    pub fn record(&self, resource_type: ResourceType, took: Duration, succeeded: bool) {
        let mut counters = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let sends = counters.by_type.entry(resource_type).or_default();
        sends.requests += 1;
        if !succeeded {
            sends.failures += 1;
        }
        let seconds = took.as_secs_f64();
        for (bound, count) in BUCKETS.iter().zip(counters.buckets.iter_mut()) {
            if seconds <= *bound {
                *count += 1;
            }
        }
        counters.count += 1;
        counters.total_seconds += seconds;
    }

    /// The counters now.
    pub fn snapshot(&self) -> Snapshot {
        let counters = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        Snapshot {
            by_type: counters.by_type.into_iter().collect(),
            buckets: BUCKETS.iter().copied().zip(counters.buckets).collect(),
            count: counters.count,
            total_seconds: counters.total_seconds,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sends_count_by_type_and_fall_into_every_bucket_at_or_above_their_time() {
        let timings = EhrTimings::default();
        timings.record(
            ResourceType::AllergyIntolerance,
            Duration::from_millis(80),
            true,
        );
        timings.record(
            ResourceType::AllergyIntolerance,
            Duration::from_secs(3),
            false,
        );
        timings.record(ResourceType::Provenance, Duration::from_millis(10), true);
        let snapshot = timings.snapshot();
        assert_eq!(
            snapshot.by_type,
            [
                (
                    ResourceType::AllergyIntolerance,
                    Sends {
                        requests: 2,
                        failures: 1
                    }
                ),
                (
                    ResourceType::Provenance,
                    Sends {
                        requests: 1,
                        failures: 0
                    }
                ),
            ]
        );
        let bucket = |le: f64| snapshot.buckets.iter().find(|(b, _)| *b == le).unwrap().1;
        assert_eq!(
            (bucket(0.05), bucket(0.1), bucket(2.5), bucket(5.0)),
            (1, 2, 2, 3)
        );
        assert_eq!(snapshot.count, 3);
    }
}
