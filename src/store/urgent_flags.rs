//! Urgent flags as records: raised with the submission (in its transaction, with one outbox
//! message per recipient), acknowledged by staff (who, when, note; audited), and escalated once
//! when nobody acknowledged them in time, claimed in the database so that of several workers
//! exactly one escalates each.

use sqlx::FromRow;
use uuid::Uuid;

use super::{NewMessage, StaffAudit, Store, StoreError, on_pool, staff_audit::insert_staff_audit};
use crate::domain::{Channel, MessageState, PatientName};

/// An urgent flag to record with its submission, and its alerts.
#[derive(Debug, Clone)]
pub struct NewUrgentFlag {
    /// Its id (the alerts and the acknowledge button name it).
    pub id: Uuid,
    /// The submission whose answers raised it.
    pub submission_id: Uuid,
    /// The appointment.
    pub appointment_id: Uuid,
    /// The form's flag id.
    pub flag_id: String,
    /// When, epoch milliseconds.
    pub raised_at: i64,
    /// When it is escalated if nobody acknowledged it.
    pub escalate_at: i64,
    /// One alert per recipient.
    pub messages: Vec<NewMessage>,
}

/// Who acknowledged an urgent flag, when, and what they noted. Its `Debug` output leaves the
/// note out: it may describe the patient's situation.
#[derive(Clone, PartialEq, Eq)]
pub struct Acknowledgement {
    /// The staff member.
    pub by: Uuid,
    /// Their display name.
    pub by_name: String,
    /// Epoch milliseconds.
    pub at: i64,
    /// Their note (may be empty).
    pub note: String,
}

impl std::fmt::Debug for Acknowledgement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Acknowledgement")
            .field("by", &self.by)
            .field("at", &self.at)
            .field("note", &"[redacted]")
            .finish()
    }
}

/// An urgent flag as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrgentFlagRecord {
    /// Its id.
    pub id: Uuid,
    /// The submission.
    pub submission_id: Uuid,
    /// The form's flag id.
    pub flag_id: String,
    /// When it was raised.
    pub raised_at: i64,
    /// When it was escalated, if it was.
    pub escalated_at: Option<i64>,
    /// Who acknowledged it, if anyone.
    pub acknowledgement: Option<Acknowledgement>,
}

/// An urgent flag nobody has acknowledged, with the patient and visit, for the top of the
/// clinician's list.
#[derive(Debug, Clone)]
pub struct OpenUrgentFlag {
    /// The flag's record.
    pub flag: UrgentFlagRecord,
    /// The patient's name.
    pub patient_name: PatientName,
    /// The visit type.
    pub visit_type: String,
    /// The appointment's start.
    pub starts_at: i64,
}

/// An urgent flag the escalation round claimed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromRow)]
pub struct EscalationDue {
    /// The urgent flag.
    pub id: Uuid,
    /// Its submission.
    pub submission_id: Uuid,
    /// Its appointment.
    pub appointment_id: Uuid,
}

/// One alert of an urgent flag, for staff and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrgentAlert {
    /// The message.
    pub id: Uuid,
    /// How it goes.
    pub channel: Channel,
    /// To whom.
    pub recipient: String,
    /// 0 when raised, 1 the escalation.
    pub round: i64,
    /// Where it stands.
    pub state: MessageState,
}

#[derive(FromRow)]
struct Row {
    id: Uuid,
    submission_id: Uuid,
    flag_id: String,
    raised_at: i64,
    escalated_at: Option<i64>,
    acknowledged_at: Option<i64>,
    acknowledged_by: Option<Uuid>,
    by_name: Option<String>,
    acknowledgement_note: Option<String>,
}

impl From<Row> for UrgentFlagRecord {
    fn from(row: Row) -> Self {
        let acknowledgement = match (row.acknowledged_at, row.acknowledged_by) {
            (Some(at), Some(by)) => Some(Acknowledgement {
                by,
                by_name: row.by_name.unwrap_or_default(),
                at,
                note: row.acknowledgement_note.unwrap_or_default(),
            }),
            _ => None,
        };
        Self {
            id: row.id,
            submission_id: row.submission_id,
            flag_id: row.flag_id,
            raised_at: row.raised_at,
            escalated_at: row.escalated_at,
            acknowledgement,
        }
    }
}

#[derive(FromRow)]
struct OpenRow {
    #[sqlx(flatten)]
    flag: Row,
    appointment_id: Uuid,
    patient_name: String,
    visit_type: String,
    starts_at: i64,
}

const COLUMNS: &str = "u.id, u.submission_id, u.flag_id, u.raised_at, u.escalated_at, \
    u.acknowledged_at, u.acknowledged_by, su.display_name AS by_name, u.acknowledgement_note";

/// Inserts urgent flags and their alerts on a transaction of either backend.
macro_rules! insert_urgent_flags {
    ($tx:expr, $flags:expr, $round:expr) => {{
        let flags: &[NewUrgentFlag] = $flags;
        for flag in flags {
            sqlx::query(
                "INSERT INTO urgent_flags (id, submission_id, appointment_id, flag_id, raised_at, escalate_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(flag.id)
            .bind(flag.submission_id)
            .bind(flag.appointment_id)
            .bind(&flag.flag_id)
            .bind(flag.raised_at)
            .bind(flag.escalate_at)
            .execute(&mut *$tx)
            .await?;
            insert_alerts!($tx, flag.id, &flag.messages, $round, flag.raised_at);
        }
    }};
}

/// Inserts the alerts of one urgent flag (round 0 or 1) on a transaction of either backend.
macro_rules! insert_alerts {
    ($tx:expr, $flag_id:expr, $messages:expr, $round:expr, $now:expr) => {{
        let messages: &[NewMessage] = $messages;
        for m in messages {
            sqlx::query(
                "INSERT INTO messages (id, invitation_id, appointment_id, purpose, sequence, channel, recipient, \
                 language, subject, body, state, attempts, next_attempt_at, created_at, updated_at, urgent_flag_id) \
                 VALUES ($1, NULL, $2, 'urgent_alert', $3, $4, $5, $6, $7, $8, 'queued', 0, $9, $10, $10, $11) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(m.id)
            .bind(m.appointment_id)
            .bind($round)
            .bind(m.channel.as_str())
            .bind(&m.recipient)
            .bind(&m.language)
            .bind(&m.subject)
            .bind(&m.body)
            .bind(m.due_at)
            .bind($now)
            .bind($flag_id)
            .execute(&mut *$tx)
            .await?;
        }
    }};
}
pub(super) use {insert_alerts, insert_urgent_flags};

impl Store {
    /// The urgent flags of one submission, in the order they were raised.
    pub async fn urgent_flags_of_submission(
        &self,
        submission_id: Uuid,
    ) -> Result<Vec<UrgentFlagRecord>, StoreError> {
        self.urgent_flags_of_submissions(&[submission_id]).await
    }

    /// The urgent flags of some submissions (a list page's): one indexed query.
    pub async fn urgent_flags_of_submissions(
        &self,
        submission_ids: &[Uuid],
    ) -> Result<Vec<UrgentFlagRecord>, StoreError> {
        if submission_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM urgent_flags u LEFT JOIN staff_users su ON su.id = u.acknowledged_by \
             WHERE u.submission_id IN ({}) ORDER BY u.raised_at, u.id",
            super::in_list(submission_ids.len())
        );
        let rows: Vec<Row> = on_pool!(self, pool => {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for id in submission_ids {
                query = query.bind(*id);
            }
            query.fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(UrgentFlagRecord::from).collect())
    }

    /// The oldest `limit` urgent flags nobody has acknowledged, with how many there are in all.
    /// Reads the partial index of open flags only, so its cost follows the open flags, not the
    /// table.
    pub async fn open_urgent_flags(
        &self,
        limit: i64,
    ) -> Result<(Vec<OpenUrgentFlag>, i64), StoreError> {
        let sql = format!(
            "SELECT {COLUMNS}, a.id AS appointment_id, a.patient_name, a.visit_type, a.starts_at FROM urgent_flags u \
             JOIN appointments a ON a.id = u.appointment_id \
             LEFT JOIN staff_users su ON su.id = u.acknowledged_by \
             WHERE u.acknowledged_at IS NULL ORDER BY u.raised_at, u.id LIMIT $1"
        );
        let (rows, total): (Vec<OpenRow>, i64) = on_pool!(self, pool => {
            let rows = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(limit)
                .fetch_all(pool)
                .await?;
            let total: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM urgent_flags WHERE acknowledged_at IS NULL",
            )
            .fetch_one(pool)
            .await?;
            Ok::<_, sqlx::Error>((rows, total))
        })?;
        let open = rows
            .into_iter()
            .map(|row| {
                Ok(OpenUrgentFlag {
                    patient_name: PatientName::new(self.unseal(
                        "appointments.patient_name",
                        row.appointment_id,
                        &row.patient_name,
                    )?),
                    flag: row.flag.into(),
                    visit_type: row.visit_type,
                    starts_at: row.starts_at,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok((open, total))
    }

    /// Records who acknowledged an urgent flag, when and with what note, with its staff audit
    /// event naming the patient, in one transaction. [`StoreError::Conflict`] when someone
    /// acknowledged it first; [`StoreError::NotFound`] when there is no such flag.
    pub async fn acknowledge_urgent_flag(
        &self,
        id: Uuid,
        staff_user: Uuid,
        note: &str,
        event: &StaffAudit,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let patient: Option<Option<String>> = sqlx::query_scalar(
                "UPDATE urgent_flags SET acknowledged_at = $2, acknowledged_by = $3, acknowledgement_note = $4 \
                 WHERE id = $1 AND acknowledged_at IS NULL \
                 RETURNING (SELECT a.patient_lookup FROM appointments a WHERE a.id = urgent_flags.appointment_id)",
            )
            .bind(id)
            .bind(event.at)
            .bind(staff_user)
            .bind(note)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(patient) = patient else {
                let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM urgent_flags WHERE id = $1)")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
                tx.rollback().await?;
                return Err(if exists {
                    StoreError::Conflict("this urgent flag was already acknowledged")
                } else {
                    StoreError::NotFound
                });
            };
            insert_staff_audit!(&mut *tx, event, patient.as_deref())?;
            tx.commit().await?;
            Ok::<_, StoreError>(())
        })
    }

    /// Claims the next urgent flag due for escalation (unacknowledged, not escalated, its time
    /// come) and queues the messages `alerts` makes for it, in one transaction: of several
    /// workers racing, one claims each flag (`FOR UPDATE SKIP LOCKED` on Postgres, the write
    /// lock on SQLite), and it is escalated once. `None` when none is due.
    pub async fn escalate_next_urgent_flag(
        &self,
        now: i64,
        alerts: impl FnOnce(&EscalationDue) -> Vec<NewMessage> + Send,
    ) -> Result<Option<EscalationDue>, StoreError> {
        let lock = match &self.backend {
            super::Backend::Sqlite(_) => "",
            super::Backend::Postgres(_) => "FOR UPDATE SKIP LOCKED",
        };
        let claim = format!(
            "UPDATE urgent_flags SET escalated_at = $1 \
             WHERE id = (SELECT id FROM urgent_flags WHERE acknowledged_at IS NULL AND escalated_at IS NULL \
                         AND escalate_at <= $1 ORDER BY escalate_at, id LIMIT 1 {lock}) \
               AND escalated_at IS NULL AND acknowledged_at IS NULL \
             RETURNING id, submission_id, appointment_id"
        );
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let due: Option<EscalationDue> = sqlx::query_as(sqlx::AssertSqlSafe(claim))
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(due) = due else {
                tx.rollback().await?;
                return Ok::<_, StoreError>(None);
            };
            let messages = alerts(&due);
            insert_alerts!(tx, due.id, &messages, 1_i64, now);
            let audit = super::AuditEvent {
                at: now,
                actor: "worker".into(),
                action: "urgent_flag.escalated",
                subject_kind: "urgent_flag",
                subject_id: due.id,
                detail: serde_json::json!({ "submission": due.submission_id, "alerts": messages.len() }),
            };
            super::audit::insert_audit!(&mut *tx, &audit)?;
            tx.commit().await?;
            Ok(Some(due))
        })
    }

    /// The form and the flags of the submission made on an invitation, if it has one.
    pub async fn flags_of_invitation(
        &self,
        invitation_id: Uuid,
    ) -> Result<Option<(String, Vec<crate::engine::RaisedFlag>)>, StoreError> {
        let row: Option<(String, sqlx::types::Json<Vec<crate::engine::RaisedFlag>>)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT form_id, flags FROM submissions WHERE invitation_id = $1",
        )
        .bind(invitation_id)
        .fetch_optional(pool)
        .await)?;
        Ok(row.map(|(form, flags)| (form, flags.0)))
    }

    /// The alerts of an urgent flag, first round first.
    pub async fn urgent_alerts(
        &self,
        urgent_flag_id: Uuid,
    ) -> Result<Vec<UrgentAlert>, StoreError> {
        let rows: Vec<(Uuid, String, String, i64, String)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT id, channel, recipient, sequence, state FROM messages \
             WHERE urgent_flag_id = $1 ORDER BY sequence, created_at, id",
        )
        .bind(urgent_flag_id)
        .fetch_all(pool)
        .await)?;
        rows.into_iter()
            .map(|(id, channel, recipient, round, state)| {
                Ok(UrgentAlert {
                    id,
                    channel: Channel::parse(&channel)
                        .ok_or(StoreError::Corrupt("messages.channel"))?,
                    recipient,
                    round,
                    state: MessageState::parse(&state)
                        .ok_or(StoreError::Corrupt("messages.state"))?,
                })
            })
            .collect()
    }
}
