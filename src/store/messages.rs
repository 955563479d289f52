//! The message outbox: messages to people (invitations, reminders, one-time codes, urgent
//! alerts), recorded in the transaction that decides them, leased by a sender, and finished as
//! sent, failed (with the gateway's words) or cancelled. The body, which holds the link or the
//! code, is kept only until the message is finished.

use sqlx::FromRow;
use uuid::Uuid;

use super::{AuditEvent, Store, StoreError, audit::insert_audit, on_pool};
use crate::domain::{Channel, MessageState, Purpose, TokenHash};

/// A message to queue. Its `Debug` output leaves out the recipient and the text.
#[derive(Clone)]
pub struct NewMessage {
    /// Its id.
    pub id: Uuid,
    /// The invitation it concerns.
    pub invitation_id: Option<Uuid>,
    /// The appointment it concerns.
    pub appointment_id: Option<Uuid>,
    /// Why it is sent.
    pub purpose: Purpose,
    /// How it goes.
    pub channel: Channel,
    /// The phone number or email address.
    pub recipient: String,
    /// Its language's tag.
    pub language: String,
    /// The email subject.
    pub subject: String,
    /// The text (with the link or the code).
    pub body: String,
    /// When it may go first, epoch milliseconds.
    pub due_at: i64,
}

impl std::fmt::Debug for NewMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewMessage")
            .field("id", &self.id)
            .field("purpose", &self.purpose)
            .field("channel", &self.channel)
            .finish_non_exhaustive()
    }
}

/// A fresh invitation and the messages that carry its link, stored together.
#[derive(Debug, Clone)]
pub struct InvitationMessages {
    /// The new invitation's id (the messages name it).
    pub invitation_id: Uuid,
    /// The appointment.
    pub appointment_id: Uuid,
    /// The link's hash.
    pub token: TokenHash,
    /// When the link stops working, epoch milliseconds.
    pub expires_at: i64,
    /// The invitation message, and the reminder behind it if one follows.
    pub messages: Vec<NewMessage>,
    /// Who: `staff:<uuid>`, or `system` for the planner.
    pub actor: String,
    /// Only if the appointment was never invited (the planner), so two planners racing invite
    /// once; staff re-sending replace the earlier link.
    pub only_if_uninvited: bool,
}

/// What the planner and `send_invitation` need of an appointment.
#[derive(Debug, Clone, FromRow)]
pub struct MessageTarget {
    /// `booked` or `cancelled`.
    pub status: String,
    /// Its start, epoch milliseconds.
    pub starts_at: i64,
    /// The EHR's reference to the patient.
    pub patient_ref: String,
    /// The mobile number the schedule sync read from the chart.
    pub patient_mobile: Option<String>,
    /// The email address it read.
    pub patient_email: Option<String>,
    /// The language it read (a BCP 47 tag).
    pub patient_language: Option<String>,
    /// Whether it ever had an invitation, or an invitation message (sent or not).
    pub invited_before: bool,
}

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

/// One message as stored, for staff and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRecord {
    /// Where it stands.
    pub state: MessageState,
    /// Sends tried.
    pub attempts: i64,
    /// The gateway's words, or why it was cancelled.
    pub last_error: Option<String>,
    /// Whether the body (the link or the code) is still kept: only until it is finished.
    pub body_kept: bool,
    /// The code's number (one-time codes), else 0.
    pub sequence: i64,
}

/// One message of an appointment, as the worklist summarises them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageSummary {
    /// The appointment.
    pub appointment_id: Uuid,
    /// Why it is sent.
    pub purpose: Purpose,
    /// How it goes.
    pub channel: Channel,
    /// Where it stands.
    pub state: MessageState,
    /// The gateway's words when it failed, or why it was cancelled.
    pub last_error: Option<String>,
    /// When it may go (queued) or was last touched.
    pub next_attempt_at: i64,
    /// When it was queued.
    pub created_at: i64,
    /// When it last changed.
    pub updated_at: i64,
    /// When it was sent.
    pub sent_at: Option<i64>,
}

#[derive(FromRow)]
struct SummaryRow {
    appointment_id: Uuid,
    purpose: String,
    channel: String,
    state: String,
    last_error: Option<String>,
    next_attempt_at: i64,
    created_at: i64,
    updated_at: i64,
    sent_at: Option<i64>,
}

/// Inserts one message (sequence 0) on a transaction of either backend.
macro_rules! insert_message {
    ($conn:expr, $message:expr, $now:expr) => {{
        let m: &NewMessage = $message;
        sqlx::query(
            "INSERT INTO messages (id, invitation_id, appointment_id, purpose, sequence, channel, recipient, \
             language, subject, body, state, attempts, next_attempt_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8, $9, 'queued', 0, $10, $11, $11)",
        )
        .bind(m.id)
        .bind(m.invitation_id)
        .bind(m.appointment_id)
        .bind(m.purpose.as_str())
        .bind(m.channel.as_str())
        .bind(&m.recipient)
        .bind(&m.language)
        .bind(&m.subject)
        .bind(&m.body)
        .bind(m.due_at)
        .bind($now)
        .execute($conn)
        .await
    }};
}

/// What a lease that ran out mid-send leaves: it may or may not have reached the gateway.
pub const ABANDONED: &str = "unknown whether it went out: the sender stopped mid-send; send again if the patient did not get it";

impl Store {
    /// The appointment as messages need it.
    pub async fn message_target(&self, appointment_id: Uuid) -> Result<MessageTarget, StoreError> {
        let row: Option<MessageTarget> = on_pool!(self, pool => sqlx::query_as(
            "SELECT a.status, a.starts_at, a.patient_ref, a.patient_mobile, a.patient_email, a.patient_language, \
               (EXISTS (SELECT 1 FROM invitations i WHERE i.appointment_id = a.id) \
                OR EXISTS (SELECT 1 FROM messages m WHERE m.appointment_id = a.id AND m.purpose = 'invitation')) AS invited_before \
             FROM appointments a WHERE a.id = $1",
        )
        .bind(appointment_id)
        .fetch_optional(pool)
        .await)?;
        row.ok_or(StoreError::NotFound)
    }

    /// Booked appointments starting after `now` and by `until` that were never invited, soonest
    /// first, at most `limit`: what the planner invites. Reads the start-time index's range.
    pub async fn appointments_to_invite(
        &self,
        now: i64,
        until: i64,
        limit: i64,
    ) -> Result<Vec<Uuid>, StoreError> {
        let ids: Vec<Uuid> = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT a.id FROM appointments a \
             WHERE a.starts_at > $1 AND a.starts_at <= $2 AND a.status = 'booked' \
               AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.appointment_id = a.id) \
               AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.appointment_id = a.id AND m.purpose = 'invitation') \
             ORDER BY a.starts_at, a.id LIMIT $3",
        )
        .bind(now)
        .bind(until)
        .bind(limit)
        .fetch_all(pool)
        .await)?;
        Ok(ids)
    }

    /// Issues a fresh invitation and queues the messages that carry its link, in one
    /// transaction with its audit event: earlier open or locked links of the appointment stop
    /// working, and their messages still queued are cancelled. `false` (and nothing changed)
    /// when `only_if_uninvited` and the appointment was invited meanwhile.
    pub async fn queue_invitation(
        &self,
        new: &InvitationMessages,
        now: i64,
    ) -> Result<bool, StoreError> {
        let audit = AuditEvent {
            at: now,
            actor: new.actor.clone(),
            action: "invitation.sent",
            subject_kind: "invitation",
            subject_id: new.invitation_id,
            detail: serde_json::json!({
                "appointment": new.appointment_id,
                "messages": new.messages.iter().map(|m| serde_json::json!({
                    "id": m.id, "purpose": m.purpose.as_str(), "channel": m.channel.as_str(),
                })).collect::<Vec<_>>(),
            }),
        };
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            // A write first: it takes the appointment's row lock (Postgres) or the database's
            // write lock (SQLite), so two planners check and invite one after the other.
            let found = sqlx::query("UPDATE appointments SET updated_at = updated_at WHERE id = $1")
                .bind(new.appointment_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if found == 0 {
                tx.rollback().await?;
                return Err(StoreError::NotFound);
            }
            if new.only_if_uninvited {
                let invited: bool = sqlx::query_scalar(
                    "SELECT EXISTS (SELECT 1 FROM invitations i WHERE i.appointment_id = $1) \
                     OR EXISTS (SELECT 1 FROM messages m WHERE m.appointment_id = $1 AND m.purpose = 'invitation')",
                )
                .bind(new.appointment_id)
                .fetch_one(&mut *tx)
                .await?;
                if invited {
                    tx.rollback().await?;
                    return Ok(false);
                }
            }
            sqlx::query(
                "UPDATE messages SET state = 'cancelled', body = NULL, updated_at = $2, \
                   last_error = 'a newer link replaced this one before it went out' \
                 WHERE state = 'queued' AND invitation_id IN \
                   (SELECT id FROM invitations WHERE appointment_id = $1 AND status IN ('open', 'locked'))",
            )
            .bind(new.appointment_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE invitations SET status = 'revoked' WHERE appointment_id = $1 AND status IN ('open', 'locked')")
                .bind(new.appointment_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO invitations (id, appointment_id, token_hash, status, expires_at, created_at) \
                 VALUES ($1, $2, $3, 'open', $4, $5)",
            )
            .bind(new.invitation_id)
            .bind(new.appointment_id)
            .bind(new.token.as_str())
            .bind(new.expires_at)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            for message in &new.messages {
                insert_message!(&mut *tx, message, now)?;
            }
            insert_audit!(&mut *tx, &audit)?;
            tx.commit().await?;
            Ok::<_, StoreError>(true)
        })
    }

    /// Records that a message could not even be queued (no contact on file, no sender for the
    /// only contact), as a failed message with the reason, so the worklist shows it and the
    /// planner does not try again each round.
    pub async fn record_unsendable(
        &self,
        appointment_id: Uuid,
        purpose: Purpose,
        reason: &str,
        actor: &str,
        now: i64,
    ) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        let audit = AuditEvent {
            at: now,
            actor: actor.to_owned(),
            action: "message.unsendable",
            subject_kind: "message",
            subject_id: id,
            detail: serde_json::json!({ "appointment": appointment_id, "purpose": purpose.as_str() }),
        };
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO messages (id, invitation_id, appointment_id, purpose, sequence, channel, recipient, \
                 language, subject, body, state, attempts, next_attempt_at, last_error, created_at, updated_at) \
                 VALUES ($1, NULL, $2, $3, 0, 'log', '', 'en', '', NULL, 'failed', 0, $4, $5, $4, $4)",
            )
            .bind(id)
            .bind(appointment_id)
            .bind(purpose.as_str())
            .bind(now)
            .bind(reason)
            .execute(&mut *tx)
            .await?;
            insert_audit!(&mut *tx, &audit)?;
            tx.commit().await
        })?;
        Ok(id)
    }

    /// Queues a one-time code's message, numbered after the link's earlier codes (whose
    /// messages still queued are cancelled: their codes no longer work).
    pub async fn queue_code_message(
        &self,
        message: &NewMessage,
        now: i64,
    ) -> Result<(), StoreError> {
        let invitation_id = message.invitation_id.ok_or(StoreError::NotFound)?;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "UPDATE messages SET state = 'cancelled', body = NULL, updated_at = $2, \
                   last_error = 'a newer code replaced this one before it went out' \
                 WHERE invitation_id = $1 AND purpose = 'one_time_code' AND state = 'queued'",
            )
            .bind(invitation_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO messages (id, invitation_id, appointment_id, purpose, sequence, channel, recipient, \
                 language, subject, body, state, attempts, next_attempt_at, created_at, updated_at) \
                 VALUES ($1, $2, (SELECT appointment_id FROM invitations WHERE id = $2), 'one_time_code', \
                   (SELECT COALESCE(MAX(sequence), 0) + 1 FROM messages WHERE invitation_id = $2 AND purpose = 'one_time_code'), \
                   $3, $4, $5, $6, $7, 'queued', 0, $8, $8, $8)",
            )
            .bind(message.id)
            .bind(invitation_id)
            .bind(message.channel.as_str())
            .bind(&message.recipient)
            .bind(&message.language)
            .bind(&message.subject)
            .bind(&message.body)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::conflict_on_unique(e, "a code message was queued at the same moment"))?;
            tx.commit().await?;
            Ok::<_, StoreError>(())
        })
    }

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
            let mut tx = pool.begin().await?;
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
        })
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
            let mut tx = pool.begin().await?;
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
            if let Some(audit) = &audit {
                insert_audit!(&mut *tx, audit)?;
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

    /// The invitation and reminder messages of some appointments (a worklist page's), oldest
    /// first. One indexed query however many messages the table holds.
    pub async fn messages_of_appointments(
        &self,
        appointment_ids: &[Uuid],
    ) -> Result<Vec<MessageSummary>, StoreError> {
        if appointment_ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=appointment_ids.len())
            .map(|n| format!("${n}"))
            .collect();
        let sql = format!(
            "SELECT appointment_id, purpose, channel, state, last_error, next_attempt_at, created_at, updated_at, sent_at \
             FROM messages WHERE appointment_id IN ({}) AND purpose IN ('invitation', 'reminder') \
             ORDER BY created_at, id",
            placeholders.join(", ")
        );
        let rows: Vec<SummaryRow> = on_pool!(self, pool => {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for id in appointment_ids {
                query = query.bind(*id);
            }
            query.fetch_all(pool).await
        })?;
        rows.into_iter()
            .map(|row| {
                Ok(MessageSummary {
                    appointment_id: row.appointment_id,
                    purpose: Purpose::parse(&row.purpose)
                        .ok_or(StoreError::Corrupt("messages.purpose"))?,
                    channel: Channel::parse(&row.channel)
                        .ok_or(StoreError::Corrupt("messages.channel"))?,
                    state: MessageState::parse(&row.state)
                        .ok_or(StoreError::Corrupt("messages.state"))?,
                    last_error: row.last_error,
                    next_attempt_at: row.next_attempt_at,
                    created_at: row.created_at,
                    updated_at: row.updated_at,
                    sent_at: row.sent_at,
                })
            })
            .collect()
    }

    /// One message as stored: its state, attempts, the words kept, and whether its body (the
    /// link or the code) is still kept.
    pub async fn message_record(&self, id: Uuid) -> Result<MessageRecord, StoreError> {
        let row: Option<(String, i64, Option<String>, bool, i64)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT state, attempts, last_error, body IS NOT NULL, sequence FROM messages WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await)?;
        let (state, attempts, last_error, body_kept, sequence) = row.ok_or(StoreError::NotFound)?;
        Ok(MessageRecord {
            state: MessageState::parse(&state).ok_or(StoreError::Corrupt("messages.state"))?,
            attempts,
            last_error,
            body_kept,
            sequence,
        })
    }

    /// The ids of an invitation's messages, oldest first, with their purpose.
    pub async fn messages_of_invitation(
        &self,
        invitation_id: Uuid,
    ) -> Result<Vec<(Uuid, Purpose)>, StoreError> {
        let rows: Vec<(Uuid, String)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT id, purpose FROM messages WHERE invitation_id = $1 ORDER BY created_at, sequence, id",
        )
        .bind(invitation_id)
        .fetch_all(pool)
        .await)?;
        rows.into_iter()
            .map(|(id, purpose)| {
                Ok((
                    id,
                    Purpose::parse(&purpose).ok_or(StoreError::Corrupt("messages.purpose"))?,
                ))
            })
            .collect()
    }

    /// Messages by purpose and state, for `/metrics`.
    pub async fn message_counts(&self) -> Result<Vec<(String, String, i64)>, StoreError> {
        let rows: Vec<(String, String, i64)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT purpose, state, COUNT(*) FROM messages GROUP BY purpose, state ORDER BY purpose, state",
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows)
    }
}
