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

/// Cancels the messages still queued with the appointment's (`$1`) open or locked links, at
/// `$2`: run before those links are revoked for a new one, whose link they would not carry.
pub(super) const CANCEL_REPLACED_MESSAGES: &str = "UPDATE messages SET state = 'cancelled', body = NULL, updated_at = $2, \
     last_error = 'a newer link replaced this one before it went out' \
     WHERE state = 'queued' AND invitation_id IN \
     (SELECT id FROM invitations WHERE appointment_id = $1 AND status IN ('open', 'locked'))";

impl Store {
    /// `m` with its recipient (a patient's phone number or email address) and body (the link
    /// or the code) sealed, under the message's id. An urgent alert's recipient, a staff
    /// contact, stays as it is: one alert per recipient is a unique index on it.
    pub(super) fn sealed_message(&self, m: &NewMessage) -> Result<NewMessage, StoreError> {
        let mut sealed = m.clone();
        if m.purpose != Purpose::UrgentAlert {
            sealed.recipient = self.seal("messages.recipient", m.id, &m.recipient)?;
        }
        sealed.body = self.seal("messages.body", m.id, &m.body)?;
        Ok(sealed)
    }

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
        let mut target = row.ok_or(StoreError::NotFound)?;
        target.patient_mobile = self.unseal_opt(
            "appointments.patient_mobile",
            appointment_id,
            target.patient_mobile.as_deref(),
        )?;
        target.patient_email = self.unseal_opt(
            "appointments.patient_email",
            appointment_id,
            target.patient_email.as_deref(),
        )?;
        Ok(target)
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
        let sealed = new
            .messages
            .iter()
            .map(|m| self.sealed_message(m))
            .collect::<Result<Vec<_>, _>>()?;
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
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
            sqlx::query(CANCEL_REPLACED_MESSAGES)
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
            for message in &sealed {
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
            let mut tx = pool.begin_write().await?;
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
        let message = &self.sealed_message(message)?;
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
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

    /// The invitation and reminder messages of some appointments (a worklist page's), oldest
    /// first. One indexed query however many messages the table holds.
    pub async fn messages_of_appointments(
        &self,
        appointment_ids: &[Uuid],
    ) -> Result<Vec<MessageSummary>, StoreError> {
        if appointment_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT appointment_id, purpose, channel, state, last_error, next_attempt_at, created_at, updated_at, sent_at \
             FROM messages WHERE appointment_id IN ({}) AND purpose IN ('invitation', 'reminder') \
             ORDER BY created_at, id",
            super::in_list(appointment_ids.len())
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
