//! The sender's side of the message outbox: leasing a due message, what it concerns now, and
//! finishing it as sent, retried, failed or cancelled; and the round that cancels queued
//! messages that no longer apply.

use sqlx::FromRow;
use uuid::Uuid;

use super::{AuditEvent, Store, StoreError, audit::insert_audit, on_pool};
use crate::domain::{Channel, Purpose};

/// A message a sender leased.
#[derive(Clone, FromRow)]
pub struct ClaimedMessage {
    /// Its id.
    pub id: Uuid,
    /// The invitation it concerns.
    pub invitation_id: Option<Uuid>,
    /// The appointment it concerns.
    pub appointment_id: Option<Uuid>,
    purpose: String,
    /// The code's number, for one-time codes.
    pub sequence: i64,
    channel: String,
    /// The phone number or email address.
    pub recipient: String,
    /// Its language's tag.
    pub language: String,
    /// The email subject.
    pub subject: String,
    /// The text; `None` only for a row finished meanwhile.
    pub body: Option<String>,
    /// Sends tried, this one included.
    pub attempts: i64,
    /// When it was queued.
    pub created_at: i64,
}

impl std::fmt::Debug for ClaimedMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClaimedMessage")
            .field("id", &self.id)
            .field("purpose", &self.purpose)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl ClaimedMessage {
    /// Why it is sent.
    pub fn purpose(&self) -> Result<Purpose, StoreError> {
        Purpose::parse(&self.purpose).ok_or(StoreError::Corrupt("messages.purpose"))
    }

    /// How it goes.
    pub fn channel(&self) -> Result<Channel, StoreError> {
        Channel::parse(&self.channel).ok_or(StoreError::Corrupt("messages.channel"))
    }
}

/// What a sender needs to know, when it takes a message, to decide whether it still applies.
#[derive(Debug, Clone, Default, FromRow)]
pub struct MessageSituation {
    /// The appointment's status, if the message concerns one.
    pub appointment_status: Option<String>,
    /// Its start.
    pub starts_at: Option<i64>,
    /// The invitation's status, if the message concerns one.
    pub invitation_status: Option<String>,
    /// Whether that invitation has a submission.
    pub submitted: bool,
}

/// How a leased message ends (or goes back to wait).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageEnding {
    /// The gateway took it.
    Sent,
    /// Try again at this time, after these words.
    Retry {
        /// Epoch milliseconds.
        at: i64,
        /// The gateway's words.
        error: String,
    },
    /// Not yet: back to the queue until this time, the attempt uncounted.
    NotBefore(i64),
    /// Failed for good, in these words.
    Failed(String),
    /// Not sent: it no longer applies, for this reason.
    Cancelled(String),
}

/// What a lease that ran out mid-send leaves: it may or may not have reached the gateway.
pub const ABANDONED: &str = "unknown whether it went out: the sender stopped mid-send; send again if the patient did not get it";

impl Store {
    /// Leases the next due message for `lease_ms`, or `None` when none is due. First, messages
    /// whose sender stopped mid-send (their lease ran out) are failed as [`ABANDONED`], not sent
    /// again: text gateways and SMTP have no way to ask whether a message already went, and a
    /// patient must never get two.
    pub async fn claim_next_message(
        &self,
        now: i64,
        lease_ms: i64,
    ) -> Result<Option<ClaimedMessage>, StoreError> {
        // An idle sender polls often: a read first, taking no write lock when nothing is due.
        let due: Option<Uuid> = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT id FROM messages WHERE (state = 'queued' AND next_attempt_at <= $1) \
             OR (state = 'sending' AND lease_until < $1) LIMIT 1",
        )
        .bind(now)
        .fetch_optional(pool)
        .await)?;
        if due.is_none() {
            return Ok(None);
        }
        let lock = match &self.backend {
            super::Backend::Sqlite(_) => "",
            super::Backend::Postgres(_) => "FOR UPDATE SKIP LOCKED",
        };
        let claim = format!(
            "UPDATE messages SET state = 'sending', lease_until = $2, attempts = attempts + 1, updated_at = $1 \
             WHERE id = (SELECT id FROM messages WHERE state = 'queued' AND next_attempt_at <= $1 \
                         ORDER BY next_attempt_at, id LIMIT 1 {lock}) \
             RETURNING id, invitation_id, appointment_id, purpose, sequence, channel, recipient, language, \
               subject, body, attempts, created_at"
        );
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "UPDATE messages SET state = 'failed', body = NULL, lease_until = NULL, last_error = $2, updated_at = $1 \
                 WHERE state = 'sending' AND lease_until < $1",
            )
            .bind(now)
            .bind(ABANDONED)
            .execute(&mut *tx)
            .await?;
            let row: Option<ClaimedMessage> = sqlx::query_as(sqlx::AssertSqlSafe(claim))
                .bind(now)
                .bind(now.saturating_add(lease_ms))
                .fetch_optional(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<_, StoreError>(row)
        })?
        .map(|row| self.opened_message(row))
        .transpose()
    }

    /// A claimed message with what [`Store::sealed_message`] sealed opened.
    fn opened_message(&self, mut row: ClaimedMessage) -> Result<ClaimedMessage, StoreError> {
        // Urgent alerts' recipients are staff contacts, kept as they are (see sealed_message);
        // their bodies are sealed only from this version on.
        if row.purpose != "urgent_alert" {
            row.recipient = self.unseal("messages.recipient", row.id, &row.recipient)?;
        }
        if let Some(body) = &row.body
            && body.starts_with(crate::crypt::TEXT_PREFIX)
        {
            row.body = Some(self.unseal("messages.body", row.id, body)?);
        }
        Ok(row)
    }

    /// What a leased message concerns, as it stands now.
    pub async fn message_situation(
        &self,
        message: &ClaimedMessage,
    ) -> Result<MessageSituation, StoreError> {
        let row: Option<MessageSituation> = on_pool!(self, pool => sqlx::query_as(
            "SELECT a.status AS appointment_status, a.starts_at, i.status AS invitation_status, \
               EXISTS (SELECT 1 FROM submissions s WHERE s.invitation_id = $2) AS submitted \
             FROM (SELECT 1 AS one) x \
             LEFT JOIN appointments a ON a.id = $1 \
             LEFT JOIN invitations i ON i.id = $2",
        )
        .bind(message.appointment_id)
        .bind(message.invitation_id)
        .fetch_optional(pool)
        .await)?;
        Ok(row.unwrap_or_default())
    }

    /// Ends (or puts back) a leased message, if the lease is still this attempt's. Sent,
    /// failed and cancelled messages lose their body; a failed one-time code also stops
    /// working, so the patient can ask for a new one at once. `false` when the lease was lost.
    pub async fn finish_message(
        &self,
        claim: &ClaimedMessage,
        ending: &MessageEnding,
        now: i64,
    ) -> Result<bool, StoreError> {
        let (state, next_at, error, uncount, action) = match ending {
            MessageEnding::Sent => ("sent", now, None, 0, Some("message.sent")),
            MessageEnding::Retry { at, error } => ("queued", *at, Some(error.as_str()), 0, None),
            MessageEnding::NotBefore(at) => ("queued", *at, None, 1, None),
            MessageEnding::Failed(error) => (
                "failed",
                now,
                Some(error.as_str()),
                0,
                Some("message.failed"),
            ),
            MessageEnding::Cancelled(reason) => (
                "cancelled",
                now,
                Some(reason.as_str()),
                0,
                Some("message.cancelled"),
            ),
        };
        let finished = state != "queued";
        let audit = action.map(|action| AuditEvent {
            at: now,
            actor: "worker".into(),
            action,
            subject_kind: "message",
            subject_id: claim.id,
            detail: serde_json::json!({
                "purpose": claim.purpose, "channel": claim.channel, "attempts": claim.attempts,
                "invitation": claim.invitation_id, "appointment": claim.appointment_id,
            }),
        });
        let code_failed = matches!(ending, MessageEnding::Failed(_))
            && claim.purpose == Purpose::OneTimeCode.as_str();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let updated = sqlx::query(
                "UPDATE messages SET state = $3, next_attempt_at = $4, last_error = $5, lease_until = NULL, \
                   attempts = attempts - $6, updated_at = $7, \
                   sent_at = CASE WHEN $3 = 'sent' THEN $7 ELSE sent_at END, \
                   body = CASE WHEN $8 THEN NULL ELSE body END \
                 WHERE id = $1 AND state = 'sending' AND attempts = $2",
            )
            .bind(claim.id)
            .bind(claim.attempts)
            .bind(state)
            .bind(next_at)
            .bind(error)
            .bind(uncount)
            .bind(now)
            .bind(finished)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if !updated {
                tx.rollback().await?;
                return Ok::<_, StoreError>(false);
            }
            if code_failed {
                sqlx::query(
                    "UPDATE one_time_codes SET expires_at = $3 WHERE invitation_id = $1 AND sends = $2 AND expires_at > $3",
                )
                .bind(claim.invitation_id)
                .bind(claim.sequence)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            // Last, so the audit chain's head is held only until the commit.
            if let Some(audit) = &audit {
                insert_audit!(&mut *tx, audit)?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Cancels queued messages that no longer apply (their link was replaced or used; for
    /// invitations and reminders, their visit cancelled or begun), so their bodies do not linger, and brings reminders of visits
    /// moved earlier forward to their new time. Urgent alerts are left alone. Returns how many
    /// were cancelled.
    pub async fn tidy_queued_messages(
        &self,
        now: i64,
        reminder_before_ms: i64,
    ) -> Result<u64, StoreError> {
        let cancelled = on_pool!(self, pool => sqlx::query(
            "UPDATE messages SET state = 'cancelled', body = NULL, updated_at = $1, \
               last_error = 'no longer needed: the link was replaced or used, or the visit was cancelled or has begun' \
             WHERE state = 'queued' AND purpose IN ('invitation', 'reminder', 'one_time_code') \
               AND (EXISTS (SELECT 1 FROM invitations i WHERE i.id = messages.invitation_id AND i.status <> 'open') \
                    OR (purpose IN ('invitation', 'reminder') AND EXISTS (SELECT 1 FROM appointments a \
                        WHERE a.id = messages.appointment_id AND (a.status = 'cancelled' OR a.starts_at <= $1))))",
        )
        .bind(now)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        on_pool!(self, pool => sqlx::query(
            "UPDATE messages SET next_attempt_at = \
               (SELECT a.starts_at - $1 FROM appointments a WHERE a.id = messages.appointment_id) \
             WHERE state = 'queued' AND purpose = 'reminder' AND next_attempt_at > \
               (SELECT a.starts_at - $1 FROM appointments a WHERE a.id = messages.appointment_id)",
        )
        .bind(reminder_before_ms)
        .execute(pool)
        .await
        .map(drop))?;
        Ok(cancelled)
    }
}
