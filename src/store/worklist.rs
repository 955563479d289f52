//! The front desk's worklist: one day's appointments with the facts their intake state is
//! decided from, a page at a time by key `(starts_at, id)`, so a page costs the same whatever
//! the table holds; and the staff actions on an appointment's link.

use sqlx::{AssertSqlSafe, FromRow, types::Json};
use uuid::Uuid;

use super::{
    Appointment, AuditEvent, Store, StoreError,
    appointments::{APPOINTMENT_COLUMNS, AppointmentRow},
    audit::insert_audit,
    on_pool,
};
use crate::{
    domain::{ChangeTally, LinkMessage, LinkStatus, TokenHash},
    engine::RaisedFlag,
    summary::StaffNote,
};

/// A position in the day's list: the `(starts_at, id)` of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorklistKey {
    /// The appointment's start, epoch milliseconds.
    pub starts_at: i64,
    /// The appointment's id.
    pub id: Uuid,
}

/// Which way to page from a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageDirection {
    /// The rows after the key.
    After(WorklistKey),
    /// The rows before the key.
    Before(WorklistKey),
}

/// One page of one day's appointments.
#[derive(Debug, Clone)]
pub struct WorklistQuery {
    /// The day's first millisecond.
    pub day_start: i64,
    /// The next day's first millisecond.
    pub day_end: i64,
    /// Part of a name (lower case, matched anywhere) or a whole record number; `None` for all.
    pub search: Option<String>,
    /// Where the page starts; `None` for the day's first page.
    pub from: Option<PageDirection>,
    /// Rows a page holds.
    pub limit: i64,
}

/// The newest invitation of an appointment, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLink {
    /// Its id.
    pub invitation_id: Uuid,
    /// Its status.
    pub status: LinkStatus,
    /// When it stops working.
    pub expires_at: i64,
    /// When the patient first opened it.
    pub opened_at: Option<i64>,
    /// When the patient proved who they are.
    pub verified_at: Option<i64>,
    /// Whether a draft exists, and the page last saved (unknown for older drafts).
    pub draft: Option<Option<i64>>,
    /// The newest invitation or reminder message's state.
    pub message: Option<LinkMessage>,
    /// The submission and its changes' tally, once submitted.
    pub submission: Option<(Uuid, ChangeTally)>,
}

/// An appointment with everything its worklist row shows.
#[derive(Debug, Clone)]
pub struct WorklistRow {
    /// The appointment.
    pub appointment: Appointment,
    /// Whether it was cancelled.
    pub cancelled: bool,
    /// Its newest invitation.
    pub link: Option<StoredLink>,
    /// Whether a send after the newest invitation found no way to reach the patient.
    pub unreachable: bool,
    /// The flags its submission raised, most severe first.
    pub flags: Vec<RaisedFlag>,
    /// What the submission's answers marked for the front desk, never the clinical answers.
    pub staff_notes: Vec<StaffNote>,
}

/// One message to the patient about an appointment, for its page. No recipient or body: the
/// channel says enough, and the body held the link.
#[derive(Debug, Clone, FromRow)]
pub struct AppointmentMessage {
    /// `invitation`, `reminder`, `one_time_code`, `urgent_alert`.
    pub purpose: String,
    /// `email`, `sms` or `log`.
    pub channel: String,
    /// `queued`, `sending`, `sent` or `failed`.
    pub state: String,
    /// Sends tried.
    pub attempts: i64,
    /// The gateway's words on the last failure.
    pub last_error: Option<String>,
    /// When it was recorded.
    pub created_at: i64,
    /// When the gateway took it.
    pub sent_at: Option<i64>,
}

#[derive(FromRow)]
struct Row {
    #[sqlx(flatten)]
    appointment: AppointmentRow,
    appointment_status: String,
    invitation_id: Option<Uuid>,
    link_status: Option<String>,
    expires_at: Option<i64>,
    opened_at: Option<i64>,
    verified_at: Option<i64>,
    draft_of: Option<Uuid>,
    draft_page: Option<i64>,
    message_state: Option<String>,
    unreachable: bool,
    submission_id: Option<Uuid>,
    flags: Option<Json<Vec<RaisedFlag>>>,
    staff_notes: Option<Json<Vec<StaffNote>>>,
    waiting: i64,
    pending: i64,
    settled: i64,
}

/// The row's columns: the appointment, its newest invitation (ties broken by id), that
/// invitation's draft, newest link message and submission with its changes counted by state.
/// Each subquery reads one appointment's rows through an index, so a row costs the same
/// whatever the tables hold.
fn select() -> String {
    format!(
        "SELECT {APPOINTMENT_COLUMNS}, a.status AS appointment_status, \
           i.id AS invitation_id, i.status AS link_status, i.expires_at, i.opened_at, i.verified_at, \
           d.invitation_id AS draft_of, d.page AS draft_page, \
           (SELECT m.state FROM messages m WHERE m.invitation_id = i.id \
              AND m.purpose IN ('invitation', 'reminder') AND m.state <> 'cancelled' \
              ORDER BY m.created_at DESC, m.id DESC LIMIT 1) AS message_state, \
           EXISTS (SELECT 1 FROM messages u WHERE u.appointment_id = a.id \
              AND u.invitation_id IS NULL AND u.state = 'failed' \
              AND u.created_at >= COALESCE(i.created_at, 0)) AS unreachable, \
           s.id AS submission_id, s.flags, s.staff_notes, \
           (SELECT COUNT(*) FROM proposed_changes c WHERE c.submission_id = s.id \
              AND c.state IN ('held', 'failed')) AS waiting, \
           (SELECT COUNT(*) FROM proposed_changes c WHERE c.submission_id = s.id \
              AND c.state IN ('queued', 'sending')) AS pending, \
           (SELECT COUNT(*) FROM proposed_changes c WHERE c.submission_id = s.id \
              AND c.state IN ('posted', 'rejected')) AS settled \
         FROM appointments a \
         LEFT JOIN invitations i ON i.id = (SELECT i2.id FROM invitations i2 \
           WHERE i2.appointment_id = a.id ORDER BY i2.created_at DESC, i2.id DESC LIMIT 1) \
         LEFT JOIN drafts d ON d.invitation_id = i.id \
         LEFT JOIN submissions s ON s.invitation_id = i.id"
    )
}

impl Store {
    fn worklist_row(&self, mut row: Row) -> Result<WorklistRow, StoreError> {
        row.appointment = self.open_appointment(row.appointment)?;
        row.try_into()
    }
}

impl TryFrom<Row> for WorklistRow {
    type Error = StoreError;
    fn try_from(row: Row) -> Result<Self, StoreError> {
        let link = match (row.invitation_id, row.link_status, row.expires_at) {
            (Some(invitation_id), Some(status), Some(expires_at)) => Some(StoredLink {
                invitation_id,
                status: LinkStatus::parse(&status)
                    .ok_or(StoreError::Corrupt("invitations.status"))?,
                expires_at,
                opened_at: row.opened_at,
                verified_at: row.verified_at,
                draft: row.draft_of.map(|_| row.draft_page),
                message: row
                    .message_state
                    .as_deref()
                    .map(|s| LinkMessage::parse(s).ok_or(StoreError::Corrupt("messages.state")))
                    .transpose()?,
                submission: row.submission_id.map(|id| {
                    (
                        id,
                        ChangeTally {
                            waiting: row.waiting,
                            pending: row.pending,
                            posted: row.settled,
                        },
                    )
                }),
            }),
            _ => None,
        };
        Ok(Self {
            appointment: row.appointment.try_into()?,
            cancelled: row.appointment_status == "cancelled",
            unreachable: row.unreachable,
            link,
            flags: row.flags.map(|f| f.0).unwrap_or_default(),
            staff_notes: row.staff_notes.map(|n| n.0).unwrap_or_default(),
        })
    }
}

impl Store {
    /// One page of a day's appointments, in `(starts_at, id)` order, with one row more than
    /// `limit` when there are more in the direction asked (the caller drops it).
    pub async fn worklist_page(
        &self,
        query: &WorklistQuery,
    ) -> Result<Vec<WorklistRow>, StoreError> {
        let (key, compare, order) = match query.from {
            None => (
                WorklistKey {
                    starts_at: query.day_start,
                    id: Uuid::nil(),
                },
                ">=",
                "ASC",
            ),
            Some(PageDirection::After(key)) => (key, ">", "ASC"),
            Some(PageDirection::Before(key)) => (key, "<", "DESC"),
        };
        // Only the operator and the order come from here (constants, never input).
        let sql = format!(
            "{} WHERE a.starts_at >= $1 AND a.starts_at < $2 \
               AND (a.starts_at, a.id) {compare} ($3, $4) \
               AND ($5 = '' OR a.patient_lookup = $6 OR (' ' || a.name_lookup || ' ') LIKE $7) \
             ORDER BY a.starts_at {order}, a.id {order} LIMIT $8",
            select()
        );
        // Record numbers and names are sealed: the search matches a whole record number, a whole
        // name or one whole word of it (any case and spacing) through their keyed hashes, not a
        // part of one. The day's range bounds the rows the hash list is compared on.
        let search = query.search.clone().unwrap_or_default();
        let search = search.trim();
        let rows: Vec<Row> = on_pool!(self, pool => sqlx::query_as(AssertSqlSafe(sql))
            .bind(query.day_start)
            .bind(query.day_end)
            .bind(key.starts_at)
            .bind(key.id)
            .bind(search)
            .bind(self.record_lookup(search))
            .bind(format!("% {} %", self.name_lookup(search)))
            .bind(query.limit.saturating_add(1))
            .fetch_all(pool)
            .await)?;
        let mut rows = rows
            .into_iter()
            .map(|row| self.worklist_row(row))
            .collect::<Result<Vec<_>, _>>()?;
        if order == "DESC" {
            rows.reverse();
        }
        Ok(rows)
    }

    /// Every appointment of a day, for its counts by state. Bounded by one day's schedule, not
    /// by the table.
    pub async fn worklist_day(
        &self,
        day_start: i64,
        day_end: i64,
    ) -> Result<Vec<WorklistRow>, StoreError> {
        let sql = format!(
            "{} WHERE a.starts_at >= $1 AND a.starts_at < $2 ORDER BY a.starts_at, a.id",
            select()
        );
        let rows: Vec<Row> = on_pool!(self, pool => sqlx::query_as(AssertSqlSafe(sql))
            .bind(day_start)
            .bind(day_end)
            .fetch_all(pool)
            .await)?;
        rows.into_iter().map(|row| self.worklist_row(row)).collect()
    }

    /// One appointment as its worklist row shows it.
    pub async fn worklist_entry(&self, id: Uuid) -> Result<WorklistRow, StoreError> {
        let sql = format!("{} WHERE a.id = $1", select());
        let row: Option<Row> = on_pool!(self, pool => sqlx::query_as(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(pool)
            .await)?;
        self.worklist_row(row.ok_or(StoreError::NotFound)?)
    }

    /// The messages about an appointment, newest first (at most 50).
    pub async fn appointment_messages(
        &self,
        id: Uuid,
    ) -> Result<Vec<AppointmentMessage>, StoreError> {
        let rows = on_pool!(self, pool => sqlx::query_as(
            "SELECT purpose, channel, state, attempts, last_error, created_at, sent_at \
             FROM messages WHERE appointment_id = $1 ORDER BY created_at DESC, id DESC LIMIT 50",
        )
        .bind(id)
        .fetch_all(pool)
        .await)?;
        Ok(rows)
    }

    /// Issues a new link for an appointment on behalf of `actor`, revoking any earlier open
    /// or locked one, in one transaction with its audit event.
    pub async fn issue_invitation_by(
        &self,
        appointment_id: Uuid,
        token: &TokenHash,
        expires_at: i64,
        now: i64,
        actor: &str,
    ) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        let audit = AuditEvent {
            at: now,
            actor: actor.to_owned(),
            action: "invitation.issued",
            subject_kind: "invitation",
            subject_id: id,
            detail: serde_json::json!({ "appointment": appointment_id }),
        };
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            // The appointment's row lock first, as the message planner takes it: a planner that
            // checked for an invitation before this one committed cannot then revoke it.
            sqlx::query("UPDATE appointments SET updated_at = updated_at WHERE id = $1")
                .bind(appointment_id)
                .execute(&mut *tx)
                .await?;
            // A message still queued with an older link would carry a link that no longer works.
            sqlx::query(super::messages::CANCEL_REPLACED_MESSAGES)
            .bind(appointment_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE invitations SET status = 'revoked' WHERE appointment_id = $1 AND status IN ('open', 'locked')")
                .bind(appointment_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO invitations (id, appointment_id, token_hash, status, expires_at, created_at) \
                 VALUES ($1, $2, $3, 'open', $4, $5)",
            )
            .bind(id)
            .bind(appointment_id)
            .bind(token.as_str())
            .bind(expires_at)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            insert_audit!(&mut *tx, &audit)?;
            tx.commit().await
        })?;
        Ok(id)
    }

    /// Unlocks the appointment's locked link (its wrong answers forgotten), with the audit
    /// event. [`StoreError::Conflict`] when its newest link is not locked.
    pub async fn unlock_invitation(
        &self,
        appointment_id: Uuid,
        actor: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        self.change_link(
            appointment_id,
            actor,
            now,
            "UPDATE invitations SET status = 'open', failed_attempts = 0 \
             WHERE appointment_id = $1 AND status = 'locked' RETURNING id",
            "invitation.unlocked",
            "the link is not locked",
        )
        .await
    }

    /// Cancels the appointment's open or locked link, with the audit event.
    /// [`StoreError::Conflict`] when there is none.
    pub async fn cancel_invitation(
        &self,
        appointment_id: Uuid,
        actor: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        self.change_link(
            appointment_id,
            actor,
            now,
            "UPDATE invitations SET status = 'revoked' \
             WHERE appointment_id = $1 AND status IN ('open', 'locked') RETURNING id",
            "invitation.cancelled",
            "there is no open link to cancel",
        )
        .await
    }

    /// Runs one of the literal link updates above and audits each invitation it changed.
    async fn change_link(
        &self,
        appointment_id: Uuid,
        actor: &str,
        now: i64,
        sql: &'static str,
        action: &'static str,
        conflict: &'static str,
    ) -> Result<(), StoreError> {
        let changed: Vec<Uuid> = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let changed: Vec<Uuid> = sqlx::query_scalar(sql)
                .bind(appointment_id)
                .fetch_all(&mut *tx)
                .await?;
            for invitation in &changed {
                let audit = AuditEvent {
                    at: now,
                    actor: actor.to_owned(),
                    action,
                    subject_kind: "invitation",
                    subject_id: *invitation,
                    detail: serde_json::json!({ "appointment": appointment_id }),
                };
                insert_audit!(&mut *tx, &audit)?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(changed)
        })?;
        if changed.is_empty() {
            return Err(StoreError::Conflict(conflict));
        }
        Ok(())
    }

    /// The status of the link whose token hashes to `link`, if there is one.
    pub async fn link_status(&self, link: &TokenHash) -> Result<Option<LinkStatus>, StoreError> {
        let status: Option<String> = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT status FROM invitations WHERE token_hash = $1",
        )
        .bind(link.as_str())
        .fetch_optional(pool)
        .await)?;
        status
            .map(|s| LinkStatus::parse(&s).ok_or(StoreError::Corrupt("invitations.status")))
            .transpose()
    }
}
