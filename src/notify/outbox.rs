//! The sender worker and the planner loop. Each send is: lease one due message, check that it
//! still applies (the visit, the link, the form), hand it to its channel's sender, and finish it
//! as sent, retried with backoff (the write-back's schedule), failed in the gateway's words, or
//! cancelled.
//!
//! What is and is not guaranteed. The unique index on (invitation, purpose, number) means a
//! message is recorded once, and the lease means one sender holds it at a time, so two workers,
//! or two processes on one Postgres, never send the same message. A retry follows only an answer
//! that says the message was not taken (a 5xx, a 429, an SMTP 4xx, no connection). What cannot
//! be known is whether a send that got no answer went out: the gateway may have taken it just
//! before a timeout or a crash between the send and the mark. Text gateways and SMTP offer no
//! way to ask, so such a message is failed, not sent again ([`crate::store::ABANDONED`]): a
//! patient may (rarely) miss a message, which the worklist shows and staff can re-send, but
//! never gets two. Emails carry the message's id as their `Message-ID`, too.

use std::time::Duration;

use ring::rand::{SecureRandom, SystemRandom};
use tokio_util::sync::CancellationToken;

use super::{
    SendFailure,
    plan::{SendContext, SendDecision, Visit, decide_send},
    senders::Outgoing,
};
use crate::{
    domain::Purpose,
    intake::{CODE_LIFETIME, ServiceError, Services},
    store::{ClaimedMessage, MessageEnding, MessageSituation},
    writeback::retry_delay,
};

/// Sends tried before a message that keeps failing transiently is failed: with the default
/// backoff about a quarter of an hour of trying.
pub const MAX_MESSAGE_ATTEMPTS: i64 = 10;

/// Room in a lease for the database writes after a send and clocks that differ a little.
const LEASE_MARGIN: Duration = Duration::from_secs(10);

/// How the sender worker paces itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxSettings {
    /// `INTAKE_WORKER_POLL_MS`: how long an idle sender waits before looking again.
    pub poll: Duration,
    /// `INTAKE_WORKER_BACKOFF_MS`: the first retry's wait; later ones double from it.
    pub backoff_base: Duration,
    /// The longest one send may take.
    pub send_timeout: Duration,
}

impl OutboxSettings {
    /// How long a sender holds a message: past any send it can still be making.
    pub fn lease(&self) -> Duration {
        self.send_timeout
            .saturating_mul(2)
            .saturating_add(LEASE_MARGIN)
    }

    fn retry_delay(&self, attempts: i64) -> Duration {
        let scale = self.backoff_base.as_secs_f64() / 2.0;
        retry_delay(attempts, None, jitter()).mul_f64(scale)
    }
}

/// What one round of the sender did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageOutcome {
    /// Nothing was due.
    Idle,
    /// The gateway took it.
    Sent,
    /// A transient failure; it will be tried again.
    Retrying,
    /// Refused, or kept failing: failed, with the words kept.
    Failed,
    /// It no longer applied, or is not due yet after all.
    NotSent,
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Sends the next due message, if any.
#[tracing::instrument(skip_all, fields(message = tracing::field::Empty, attempt = tracing::field::Empty))]
pub async fn send_next_message(
    services: &Services,
    settings: &OutboxSettings,
) -> Result<MessageOutcome, ServiceError> {
    let store = &services.store;
    let Some(claim) = store
        .claim_next_message(services.clock.now_millis(), millis(settings.lease()))
        .await?
    else {
        return Ok(MessageOutcome::Idle);
    };
    let span = tracing::Span::current();
    span.record("message", tracing::field::display(claim.id));
    span.record("attempt", claim.attempts);
    let (ending, outcome) = attempt(services, settings, &claim).await?;
    let now = services.clock.now_millis();
    if let Ok(channel) = claim.channel()
        && matches!(outcome, MessageOutcome::Sent | MessageOutcome::Failed)
    {
        services
            .metrics
            .message_finished(channel.as_str(), outcome == MessageOutcome::Sent);
    }
    if !store.finish_message(&claim, &ending, now).await? {
        tracing::warn!("the lease ran out before the send finished; the message is marked as such");
    }
    Ok(outcome)
}

/// Decides, sends, and says how the message ends.
async fn attempt(
    services: &Services,
    settings: &OutboxSettings,
    claim: &ClaimedMessage,
) -> Result<(MessageEnding, MessageOutcome), ServiceError> {
    let purpose = claim.purpose()?;
    let channel = claim.channel()?;
    let situation = services.store.message_situation(claim).await?;
    let now = services.clock.now_millis();
    let context = send_context(purpose, claim.created_at, &situation);
    match decide_send(context, now, services.messaging.timing, CODE_LIFETIME) {
        SendDecision::Send => {}
        SendDecision::NotBefore(at) => {
            return Ok((MessageEnding::NotBefore(at), MessageOutcome::NotSent));
        }
        SendDecision::Cancel(reason) => {
            tracing::info!(
                purpose = purpose.as_str(),
                reason,
                "message cancelled before it went"
            );
            return Ok((
                MessageEnding::Cancelled(reason.to_owned()),
                MessageOutcome::NotSent,
            ));
        }
    }
    let Some(body) = claim.body.as_deref() else {
        return Ok((
            MessageEnding::Failed("nothing to send".into()),
            MessageOutcome::Failed,
        ));
    };
    let outgoing = Outgoing {
        id: claim.id,
        invitation_id: claim.invitation_id,
        purpose,
        to: &claim.recipient,
        subject: &claim.subject,
        body,
        language: &claim.language,
    };
    let result = match services.messaging.senders.for_channel(channel) {
        Ok(sender) => tokio::time::timeout(settings.send_timeout, sender.send(&outgoing))
            .await
            .unwrap_or_else(|_| {
                Err(SendFailure::Ambiguous(
                    "no answer in time; unknown whether it went out".into(),
                ))
            }),
        Err(failure) => Err(failure),
    };
    let now = services.clock.now_millis();
    Ok(match result {
        Ok(()) => {
            tracing::info!(
                purpose = purpose.as_str(),
                channel = channel.as_str(),
                "message sent"
            );
            (MessageEnding::Sent, MessageOutcome::Sent)
        }
        Err(SendFailure::Transient(words)) if claim.attempts < MAX_MESSAGE_ATTEMPTS => {
            let delay = settings.retry_delay(claim.attempts);
            tracing::warn!(
                purpose = purpose.as_str(),
                channel = channel.as_str(),
                retry_in_ms = delay.as_millis(),
                "message not sent; will retry"
            );
            (
                MessageEnding::Retry {
                    at: now.saturating_add(millis(delay)),
                    error: words,
                },
                MessageOutcome::Retrying,
            )
        }
        Err(failure) => {
            let words = match failure {
                SendFailure::Transient(words) => {
                    format!("gave up after {} attempts; last: {words}", claim.attempts)
                }
                SendFailure::Refused(words) | SendFailure::Ambiguous(words) => words,
            };
            // The words stay out of the log: they may quote the address.
            tracing::warn!(
                purpose = purpose.as_str(),
                channel = channel.as_str(),
                "message failed"
            );
            (MessageEnding::Failed(words), MessageOutcome::Failed)
        }
    })
}

/// The planner's view of what a message concerns.
fn send_context(purpose: Purpose, queued_at: i64, situation: &MessageSituation) -> SendContext {
    SendContext {
        purpose,
        queued_at,
        visit: situation.starts_at.map(|starts_at| Visit {
            booked: situation.appointment_status.as_deref() != Some("cancelled"),
            starts_at,
        }),
        link_open: situation
            .invitation_status
            .as_deref()
            .map(|status| status == "open"),
        submitted: situation.submitted,
    }
}

fn jitter() -> f64 {
    let mut byte = [0_u8; 1];
    match SystemRandom::new().fill(&mut byte) {
        Ok(()) => f64::from(byte[0]) / 256.0,
        Err(_) => 0.5,
    }
}

/// Sends messages until `shutdown` fires, finishing the send in progress first.
pub async fn run_outbox(services: Services, settings: OutboxSettings, shutdown: CancellationToken) {
    tracing::info!("message sender started");
    loop {
        let pause = match send_next_message(&services, &settings).await {
            Ok(MessageOutcome::Idle) => settings.poll,
            Ok(_) => Duration::ZERO,
            Err(error) => {
                tracing::error!(%error, "message sender failed to reach the database");
                settings.poll.max(Duration::from_secs(1))
            }
        };
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep(pause) => {}
            () = services.messaging.wake.notified() => {}
        }
    }
    tracing::info!("message sender stopped");
}

/// Runs the planner every `INTAKE_MESSAGE_PLAN_SECS` until `shutdown` fires.
pub async fn run_planner(services: Services, shutdown: CancellationToken) {
    let every = services.messaging.plan_every;
    loop {
        match services.plan_messages().await {
            Ok(round) if round != super::PlanRound::default() => {
                tracing::info!(
                    invited = round.invited,
                    unreachable = round.unreachable,
                    cancelled = round.cancelled,
                    "message planner round"
                );
            }
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "message planner failed"),
        }
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep(every) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lease_outlasts_a_send_and_retries_follow_the_write_back_schedule_scaled() {
        let settings = OutboxSettings {
            poll: Duration::from_millis(500),
            backoff_base: Duration::from_millis(100),
            send_timeout: Duration::from_secs(30),
        };
        assert!(settings.lease() > settings.send_timeout * 2);
        for attempts in 1..=5 {
            let step = 100.0 * 2_f64.powi(i32::try_from(attempts - 1).unwrap());
            let delay = settings.retry_delay(attempts).as_secs_f64() * 1000.0;
            assert!(
                delay >= step * 0.79 && delay <= step * 1.21,
                "attempt {attempts}: {delay}"
            );
        }
    }
}
