//! Write-back: the worker that drains the outbox to the EHR, exactly once per change.

mod backoff;
mod worker;

pub use backoff::{MAX_ATTEMPTS, retry_delay};
pub use worker::{SendOutcome, run_worker, send_next};
