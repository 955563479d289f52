//! Audit events of staff: sign-ins and their failures, second-factor use, account changes and
//! every view of a page with patient data, each with the source address and, for a view, the
//! patient's record number. The audit viewer pages them newest first by `(at, id)`.

use serde_json::Value;
use sqlx::FromRow;
use uuid::Uuid;

use super::{Store, StoreError, on_pool};

/// One staff audit event. `detail` holds ids and codes (and a username tried), never PHI.
#[derive(Debug, Clone)]
pub struct StaffAudit {
    /// When, epoch milliseconds.
    pub at: i64,
    /// Who: `staff:<uuid>`, `cli`, or `anonymous` for a failed sign-in of an unknown name.
    pub actor: String,
    /// What, e.g. `staff.signed_in`, `patient_data.viewed`.
    pub action: &'static str,
    /// The kind of thing acted on or viewed, e.g. `staff_user`, `submission`.
    pub subject_kind: &'static str,
    /// Its id (nil for a list).
    pub subject_id: Uuid,
    /// Ids and codes that explain the event.
    pub detail: Value,
    /// The client address (the one the rate limits use); `None` from the CLI.
    pub source: Option<String>,
}

/// The actor text of a staff member.
pub fn staff_actor(user_id: Uuid) -> String {
    format!("staff:{user_id}")
}

/// Appends a [`StaffAudit`] to the `staff` chain on a transaction of either backend
/// (`&mut *tx`), with the patient's record number when the event is about one patient's data;
/// see [`insert_chained`](super::audit_chain::insert_chained).
macro_rules! insert_staff_audit {
    ($conn:expr, $event:expr, $patient:expr) => {{
        let event: &$crate::store::StaffAudit = $event;
        let patient: Option<&str> = $patient;
        $crate::store::audit_chain::insert_chained!(
            $conn,
            $crate::store::audit_chain::STAFF_CHAIN,
            $crate::store::audit_chain::LinkFields {
                id: uuid::Uuid::now_v7(),
                at: event.at,
                actor: &event.actor,
                action: event.action,
                subject_kind: event.subject_kind,
                subject_id: event.subject_id,
                detail: &event.detail,
                source: event.source.as_deref(),
                patient,
            }
        )
    }};
}
pub(crate) use insert_staff_audit;

/// Whose data a staff page showed, so the audit can name the patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewed {
    /// One exception (a proposed change) and the patient it is for.
    Exception(Uuid),
    /// One submission (its trail, its summary).
    Submission(Uuid),
    /// One appointment.
    Appointment(Uuid),
    /// A patient's photo or drawn signature.
    Attachment(Uuid),
    /// A list of many patients (the appointments, the clinician's list, the exception queue).
    List(&'static str),
}

impl Viewed {
    fn subject(self) -> (&'static str, Uuid) {
        match self {
            Self::Exception(id) => ("proposed_change", id),
            Self::Submission(id) => ("submission", id),
            Self::Attachment(id) => ("attachment", id),
            Self::Appointment(id) => ("appointment", id),
            Self::List(kind) => (kind, Uuid::nil()),
        }
    }

    /// The query for the patient's record number, given the subject id as `$1`.
    fn patient_query(self) -> Option<&'static str> {
        match self {
            Self::Exception(_) => Some(
                "SELECT a.patient_lookup FROM proposed_changes c \
                 JOIN submissions s ON s.id = c.submission_id \
                 JOIN invitations i ON i.id = s.invitation_id \
                 JOIN appointments a ON a.id = i.appointment_id WHERE c.id = $1",
            ),
            Self::Submission(_) => Some(
                "SELECT a.patient_lookup FROM submissions s \
                 JOIN invitations i ON i.id = s.invitation_id \
                 JOIN appointments a ON a.id = i.appointment_id WHERE s.id = $1",
            ),
            Self::Attachment(_) => Some(
                "SELECT a.patient_lookup FROM attachments f \
                 JOIN invitations i ON i.id = f.invitation_id \
                 JOIN appointments a ON a.id = i.appointment_id WHERE f.id = $1",
            ),
            Self::Appointment(_) => {
                Some("SELECT a.patient_lookup FROM appointments a WHERE a.id = $1")
            }
            Self::List(_) => None,
        }
    }
}

/// One row of the audit viewer.
#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    /// The event's id (the page key's tie-breaker).
    pub id: Uuid,
    /// When, epoch milliseconds.
    pub at: i64,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// The kind of thing acted on.
    pub subject_kind: String,
    /// Its id.
    pub subject_id: Uuid,
    /// Ids and codes.
    pub detail: sqlx::types::Json<Value>,
    /// The client address, if any.
    pub source: Option<String>,
    /// The keyed hash of the patient's record number (`Store::record_lookup`), if the event is
    /// about one patient: the audit can be searched by record number without holding it.
    pub patient: Option<String>,
}

/// What the audit viewer asks for. Every filter is optional; a page holds at most `limit` rows,
/// newest first, strictly before `before` (the last row of the previous page).
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Exact actor text, e.g. `staff:<uuid>`.
    pub actor: Option<String>,
    /// Exact action, e.g. `staff.sign_in_failed`.
    pub action: Option<String>,
    /// Exact patient record number.
    pub patient: Option<String>,
    /// From this time on (inclusive), epoch milliseconds.
    pub from: Option<i64>,
    /// Before this time (exclusive), epoch milliseconds.
    pub until: Option<i64>,
    /// The key of the last row already shown: `(at, id)`.
    pub before: Option<(i64, Uuid)>,
    /// Rows per page.
    pub limit: u32,
}

impl AuditQuery {
    /// The SQL for this query: only the filters given, so each can use its index; placeholders
    /// numbered in the order [`Store::audit_page`] binds them.
    pub fn sql(&self) -> String {
        let mut conditions = Vec::new();
        let mut n = 0;
        let mut next = || {
            n += 1;
            n
        };
        if self.actor.is_some() {
            conditions.push(format!("actor = ${}", next()));
        }
        if self.action.is_some() {
            conditions.push(format!("action = ${}", next()));
        }
        if self.patient.is_some() {
            conditions.push(format!("patient = ${}", next()));
        }
        if self.from.is_some() {
            conditions.push(format!("at >= ${}", next()));
        }
        if self.until.is_some() {
            conditions.push(format!("at < ${}", next()));
        }
        if self.before.is_some() {
            let (at, id) = (next(), next());
            conditions.push(format!("(at, id) < (${at}, ${id})"));
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        format!(
            "SELECT id, at, actor, action, subject_kind, subject_id, detail, source, patient \
             FROM audit_events{filter} ORDER BY at DESC, id DESC LIMIT ${}",
            next()
        )
    }
}

impl Store {
    /// Records a staff audit event on its own (a view, a refused sign-in: nothing else changes).
    pub async fn record_staff_audit(&self, event: &StaffAudit) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            insert_staff_audit!(&mut *tx, event, None)?;
            tx.commit().await
        })?;
        Ok(())
    }

    /// Records that a staff member saw a page with patient data, naming the patient.
    pub async fn record_view(&self, event: &StaffAudit, viewed: Viewed) -> Result<(), StoreError> {
        let patient: Option<String> = match viewed.patient_query() {
            Some(query) => on_pool!(self, pool => sqlx::query_scalar(query)
                .bind(viewed.subject().1)
                .fetch_optional(pool)
                .await)?,
            None => None,
        };
        let (kind, id) = viewed.subject();
        let event = StaffAudit {
            subject_kind: kind,
            subject_id: id,
            ..event.clone()
        };
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            insert_staff_audit!(&mut *tx, &event, patient.as_deref())?;
            tx.commit().await
        })?;
        Ok(())
    }

    /// One page of the audit log, newest first.
    pub async fn audit_page(&self, query: &AuditQuery) -> Result<Vec<AuditRow>, StoreError> {
        let sql = query.sql();
        let rows = on_pool!(self, pool => {
            let mut q = sqlx::query_as::<_, AuditRow>(sqlx::AssertSqlSafe(sql.clone()));
            if let Some(actor) = &query.actor {
                q = q.bind(actor.clone());
            }
            if let Some(action) = &query.action {
                q = q.bind(action.clone());
            }
            // The audit keeps the keyed hash of the record number, not the number itself.
            if let Some(patient) = &query.patient {
                q = q.bind(self.record_lookup(patient));
            }
            if let Some(from) = query.from {
                q = q.bind(from);
            }
            if let Some(until) = query.until {
                q = q.bind(until);
            }
            if let Some((at, id)) = query.before {
                q = q.bind(at).bind(id);
            }
            q.bind(i64::from(query.limit)).fetch_all(pool).await
        })?;
        Ok(rows)
    }

    /// How the database would run an audit page query (SQLite only; `None` on Postgres), so a
    /// test can check that every filter reads an index in order rather than sorting the table.
    pub async fn explain_audit_page(
        &self,
        query: &AuditQuery,
    ) -> Result<Option<Vec<String>>, StoreError> {
        let super::Backend::Sqlite(pool) = &self.backend else {
            return Ok(None);
        };
        let sql = format!("EXPLAIN QUERY PLAN {}", query.sql());
        let mut q = sqlx::query_as::<_, (i64, i64, i64, String)>(sqlx::AssertSqlSafe(sql));
        for value in [&query.actor, &query.action, &query.patient]
            .into_iter()
            .flatten()
        {
            q = q.bind(value.clone());
        }
        for value in [query.from, query.until].into_iter().flatten() {
            q = q.bind(value);
        }
        if let Some((at, id)) = query.before {
            q = q.bind(at).bind(id);
        }
        let rows = q.bind(i64::from(query.limit)).fetch_all(pool).await?;
        Ok(Some(rows.into_iter().map(|r| r.3).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_query_numbers_only_the_filters_given() {
        let query = AuditQuery {
            action: Some("staff.signed_in".into()),
            before: Some((5, Uuid::nil())),
            limit: 50,
            ..AuditQuery::default()
        };
        let sql = query.sql();
        assert!(
            sql.contains(
                "WHERE action = $1 AND (at, id) < ($2, $3) ORDER BY at DESC, id DESC LIMIT $4"
            ),
            "{sql}"
        );
        assert!(
            AuditQuery::default()
                .sql()
                .ends_with("FROM audit_events ORDER BY at DESC, id DESC LIMIT $1")
        );
    }
}
