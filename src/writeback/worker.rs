//! The outbox worker. Each send is: lease one due change, and if an earlier attempt may have
//! reached the EHR, look for the change's identifier there first; then a conditional create.
//! Only transient failures retry; a refusal goes to the exception queue with the EHR's words.

use std::time::Duration;

use ring::rand::{SecureRandom, SystemRandom};
use tokio_util::sync::CancellationToken;

use super::{MAX_ATTEMPTS, backoff::BASE, retry_delay};
use crate::{
    ehr::{EhrError, OutgoingChange},
    intake::{ServiceError, Services},
    mapping::HoldReason,
    store::ClaimedChange,
};

/// What a lease covers beyond the send and the EHR finishing it: the database writes after it,
/// and clocks that differ a little between the workers' hosts.
const LEASE_MARGIN: Duration = Duration::from_secs(10);

/// How a worker paces itself, from the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerSettings {
    /// `INTAKE_WORKER_POLL_MS`: how long an idle worker waits before looking again.
    pub poll: Duration,
    /// `INTAKE_WORKER_BACKOFF_MS`: the first retry's wait; the whole backoff schedule scales
    /// with it. The EHR's `Retry-After` is honoured in full whatever it is.
    pub backoff_base: Duration,
    /// `INTAKE_EHR_TIMEOUT_SECS`: the longest one EHR request may take.
    pub ehr_timeout: Duration,
}

impl WorkerSettings {
    /// The longest one send may take on the EHR: a lookup and a post, each of which may fetch a
    /// token and be sent twice (SMART). A send still running then is abandoned as ambiguous.
    pub fn send_budget(&self) -> Duration {
        self.ehr_timeout.saturating_mul(4)
    }

    /// How long a worker holds a change before another may take it over: longer than any send
    /// it can still be making, plus the two timeouts an EHR may still take over a request the
    /// worker gave up on (as after any unanswered send, see `retry_delay`), so two requests for
    /// one change never run at once (many EHRs' conditional create is not safe against that).
    pub fn lease(&self) -> Duration {
        self.send_budget()
            .saturating_add(self.ehr_timeout.saturating_mul(2))
            .saturating_add(LEASE_MARGIN)
    }

    /// The wait after attempt number `attempts` failed with `error`: the backoff schedule,
    /// scaled so its first step is `backoff_base`, and never shorter than the EHR's
    /// `Retry-After`. After a send the EHR may have applied (no answer, or a 500, 502 or 504), at
    /// least two EHR timeouts: it may still be working on it, and a lookup and a resend made
    /// meanwhile would run alongside it (two concurrent conditional creates both create, on
    /// HAPI, HFS and others).
    fn retry_delay(&self, attempts: i64, error: &EhrError) -> Duration {
        let scale = self.backoff_base.as_secs_f64() / BASE.as_secs_f64();
        let floor = match error {
            EhrError::Transient { retry_after, .. } => retry_after.unwrap_or_default(),
            EhrError::Ambiguous { .. } => self.ehr_timeout.saturating_mul(2),
            EhrError::Rejected { .. } | EhrError::Unexpected(_) => Duration::ZERO,
        };
        retry_delay(attempts, None, jitter())
            .mul_f64(scale)
            .max(floor)
    }
}

/// What one send did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// Nothing was due.
    Idle,
    /// The change is on the chart.
    Posted,
    /// A transient failure; it will be tried again.
    Retrying,
    /// The EHR refused it (or it kept failing); it is in the exception queue.
    Failed,
}

/// Sends the next due change, if any.
#[tracing::instrument(skip_all, fields(change = tracing::field::Empty, attempt = tracing::field::Empty))]
pub async fn send_next(
    services: &Services,
    settings: &WorkerSettings,
) -> Result<SendOutcome, ServiceError> {
    match claim(services, settings).await? {
        Some(change) => deliver(services, settings, change).await,
        None => Ok(SendOutcome::Idle),
    }
}

/// Leases the next due change for as long as a send of it may take ([`WorkerSettings::lease`]).
/// The first half of [`send_next`], apart so that `scripts/drain.sh` can time it against the
/// send.
pub async fn claim(
    services: &Services,
    settings: &WorkerSettings,
) -> Result<Option<ClaimedChange>, ServiceError> {
    let lease_ms = i64::try_from(settings.lease().as_millis()).unwrap_or(i64::MAX);
    Ok(services
        .store
        .claim_next_change(services.clock.now_millis(), lease_ms)
        .await?)
}

/// Sends a change [`claim`] leased and records how it went: the second half of [`send_next`].
pub async fn deliver(
    services: &Services,
    settings: &WorkerSettings,
    change: ClaimedChange,
) -> Result<SendOutcome, ServiceError> {
    let span = tracing::Span::current();
    span.record("change", tracing::field::display(change.identifier.0));
    span.record("attempt", change.attempts);
    let started = std::time::Instant::now();
    // Bounded, so the lease always outlasts the send: a send cut short may have reached the EHR.
    let result = tokio::time::timeout(settings.send_budget(), send(services, &change))
        .await
        .unwrap_or_else(|_| {
            Err(EhrError::Ambiguous {
                message: "the EHR took longer than the send may take".into(),
            })
        });
    services.metrics.ehr_send(
        &change.resource_type.to_string(),
        started.elapsed(),
        result.is_ok(),
    );
    let now = services.clock.now_millis();
    match result {
        Ok(resource_id) => {
            if !services
                .store
                .mark_posted(&change, &resource_id, now)
                .await?
            {
                tracing::warn!(
                    "the lease ran out before the EHR answered; another worker has the change"
                );
            }
            tracing::info!(resource_type = %change.resource_type, "posted to the EHR");
            Ok(SendOutcome::Posted)
        }
        Err(error) if error.is_transient() && change.attempts < MAX_ATTEMPTS => {
            let delay = settings.retry_delay(change.attempts, &error);
            let retry_at = now.saturating_add(i64::try_from(delay.as_millis()).unwrap_or(i64::MAX));
            services
                .store
                .reschedule_change(&change, retry_at, &error.to_string(), now)
                .await?;
            tracing::warn!(
                retry_in_ms = delay.as_millis(),
                "EHR unavailable; will retry"
            );
            Ok(SendOutcome::Retrying)
        }
        Err(error) => {
            let (reason, message) = match &error {
                _ if error.is_transient() => (
                    HoldReason::EhrUnavailable,
                    format!("gave up after {} attempts; last: {error}", change.attempts),
                ),
                // Only an update sent over the version the patient saw can find the chart moved on.
                EhrError::Rejected {
                    status: 409 | 412, ..
                } if change.resource["meta"]["versionId"].is_string() => {
                    (HoldReason::ChartChanged, error.to_string())
                }
                EhrError::Rejected {
                    status: 400 | 422, ..
                } => (HoldReason::InvalidForEhr, error.to_string()),
                _ => (HoldReason::RejectedByEhr, error.to_string()),
            };
            services
                .store
                .mark_failed(&change, reason, &message, now)
                .await?;
            tracing::warn!("EHR refused the change; it is in the exception queue");
            Ok(SendOutcome::Failed)
        }
    }
}

/// Looks for the change on the EHR if an earlier attempt may have reached it, else posts it.
async fn send(services: &Services, change: &ClaimedChange) -> Result<String, EhrError> {
    if let Some(resource_id) = already_posted(services, change).await? {
        return Ok(resource_id);
    }
    services
        .ehr
        .post(OutgoingChange {
            identifier: change.identifier,
            resource_type: change.resource_type,
            resource: &change.resource,
        })
        .await
        .map(|receipt| receipt.resource_id)
}

/// After a first attempt that may have reached the EHR (a timeout, a lost connection, a
/// worker that died mid-send), the EHR may already hold the change: ask before sending again.
async fn already_posted(
    services: &Services,
    change: &ClaimedChange,
) -> Result<Option<String>, EhrError> {
    if change.attempts <= 1 {
        return Ok(None);
    }
    services
        .ehr
        .find_posted(change.resource_type, change.identifier)
        .await
}

fn jitter() -> f64 {
    let mut byte = [0_u8; 1];
    match SystemRandom::new().fill(&mut byte) {
        Ok(()) => f64::from(byte[0]) / 256.0,
        Err(_) => 0.5,
    }
}

/// Drains the outbox until `shutdown` fires, finishing the send in progress first.
pub async fn run_worker(services: Services, settings: WorkerSettings, shutdown: CancellationToken) {
    tracing::info!("write-back worker started");
    loop {
        let outcome = send_next(&services, &settings).await;
        let pause = match outcome {
            Ok(SendOutcome::Idle) => settings.poll,
            Ok(_) => Duration::ZERO,
            Err(error) => {
                tracing::error!(%error, "write-back worker failed to reach the database");
                settings.poll.max(Duration::from_secs(1))
            }
        };
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep(pause) => {}
        }
    }
    tracing::info!("write-back worker stopped");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(ehr_timeout_secs: u64, backoff_ms: u64) -> WorkerSettings {
        WorkerSettings {
            poll: Duration::from_millis(500),
            backoff_base: Duration::from_millis(backoff_ms),
            ehr_timeout: Duration::from_secs(ehr_timeout_secs),
        }
    }

    #[test]
    fn the_lease_outlasts_the_longest_send_whatever_the_timeout() {
        // Before, the lease was 120 s whatever the timeout: with a 90 s timeout a lookup and a
        // post could outlast it, and a second worker would send the same change meanwhile.
        for secs in [1, 20, 90, 600] {
            let s = settings(secs, 2000);
            assert!(
                s.lease() >= s.send_budget() + s.ehr_timeout * 2 + LEASE_MARGIN,
                "{secs}"
            );
            assert!(
                s.send_budget() >= s.ehr_timeout * 2,
                "a lookup and a post fit"
            );
        }
        assert_eq!(settings(20, 2000).lease(), Duration::from_secs(130));
    }

    #[test]
    fn the_backoff_scales_with_its_base_but_never_undercuts_retry_after() {
        let unavailable = |retry_after: Option<u64>| EhrError::Transient {
            message: "HTTP 503".into(),
            retry_after: retry_after.map(Duration::from_secs),
        };
        let fast = settings(1, 50);
        for attempts in 1..=6 {
            let step = 50 * 2_u64.pow(u32::try_from(attempts - 1).unwrap());
            let delay = fast.retry_delay(attempts, &unavailable(None));
            assert!(
                delay >= Duration::from_millis(step * 8 / 10)
                    && delay <= Duration::from_millis(step * 12 / 10),
                "attempt {attempts}: {delay:?}"
            );
        }
        assert!(fast.retry_delay(1, &unavailable(Some(2))) >= Duration::from_secs(2));
        let default = settings(20, 2000);
        let delay = default.retry_delay(1, &unavailable(None));
        assert!(delay >= Duration::from_millis(1600) && delay <= Duration::from_millis(2400));
    }

    #[test]
    fn after_a_send_the_ehr_may_have_applied_the_next_waits_at_least_two_timeouts() {
        // Before, a timed-out send (or a 504) was looked up and resent after the backoff alone
        // (2 s), while a slow EHR could still be creating it: HFS then created it twice.
        let no_answer = EhrError::Ambiguous {
            message: "timed out".into(),
        };
        for (timeout, backoff) in [(1, 50), (20, 2000), (20, 100)] {
            let s = settings(timeout, backoff);
            assert!(
                s.retry_delay(1, &no_answer) >= s.ehr_timeout * 2,
                "{timeout} s"
            );
        }
    }
}
