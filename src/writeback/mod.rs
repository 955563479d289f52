//! Write-back: the worker that drains the outbox to the EHR, exactly once per change, and the
//! trail of what happened to each change on the way.

mod backoff;
mod trail;
mod worker;

pub use backoff::{MAX_ATTEMPTS, retry_delay};
pub use trail::{
    ACTOR_MESSAGE_IDS, DETAIL_MESSAGE_IDS as TRAIL_DETAIL_IDS, Stage, TrailEntry, actor_name,
    change_trail, rejection_reason, submission_trail,
};
pub use worker::{SendOutcome, WorkerSettings, claim, deliver, run_worker, send_next};
