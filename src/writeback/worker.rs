//! The outbox worker. Each send is: lease one due change, and if an earlier attempt may have
//! reached the EHR, look for the change's identifier there first; then a conditional create.
//! Only transient failures retry; a refusal goes to the exception queue with the EHR's words.

use std::time::Duration;

use ring::rand::{SecureRandom, SystemRandom};
use tokio_util::sync::CancellationToken;

use super::{MAX_ATTEMPTS, retry_delay};
use crate::{
    ehr::{EhrError, OutgoingChange},
    intake::{ServiceError, Services},
    mapping::HoldReason,
    store::ClaimedChange,
};

/// How long a worker holds a change before another may take it over.
const LEASE: Duration = Duration::from_secs(120);

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
pub async fn send_next(services: &Services) -> Result<SendOutcome, ServiceError> {
    let lease_ms = i64::try_from(LEASE.as_millis()).unwrap_or(i64::MAX);
    let Some(change) = services
        .store
        .claim_next_change(services.clock.now_millis(), lease_ms)
        .await?
    else {
        return Ok(SendOutcome::Idle);
    };
    let span = tracing::Span::current();
    span.record("change", tracing::field::display(change.identifier.0));
    span.record("attempt", change.attempts);
    let started = std::time::Instant::now();
    let result = match already_posted(services, &change).await {
        Ok(Some(resource_id)) => Ok(resource_id),
        Ok(None) => services
            .ehr
            .post(OutgoingChange {
                identifier: change.identifier,
                resource_type: change.resource_type,
                resource: &change.resource,
            })
            .await
            .map(|receipt| receipt.resource_id),
        Err(error) => Err(error),
    };
    services
        .ehr_timings
        .record(change.resource_type, started.elapsed(), result.is_ok());
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
            let retry_after = match &error {
                EhrError::Transient { retry_after, .. } => *retry_after,
                _ => None,
            };
            let delay = retry_delay(change.attempts, retry_after, jitter());
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
                EhrError::Rejected {
                    status: 409 | 412, ..
                } => (HoldReason::ChartChanged, error.to_string()),
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
pub async fn run_worker(services: Services, poll: Duration, shutdown: CancellationToken) {
    tracing::info!("write-back worker started");
    loop {
        let outcome = send_next(&services).await;
        let pause = match outcome {
            Ok(SendOutcome::Idle) => poll,
            Ok(_) => Duration::ZERO,
            Err(error) => {
                tracing::error!(%error, "write-back worker failed to reach the database");
                poll.max(Duration::from_secs(1))
            }
        };
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep(pause) => {}
        }
    }
    tracing::info!("write-back worker stopped");
}
