//! Write-back: the worker that drains the outbox to the EHR, exactly once per change.

mod backoff;
mod timings;
mod worker;

pub use backoff::{MAX_ATTEMPTS, retry_delay};
pub use timings::EhrTimings;
pub use worker::{SendOutcome, WorkerSettings, run_worker, send_next};
