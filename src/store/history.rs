//! What happened to a submission and its changes, read back for staff and analysts: the send
//! attempts with the EHR's words, the audit events, and the chart read the patient started from.

use sqlx::{FromRow, types::Json};
use uuid::Uuid;

use super::{ChangeRecord, Store, StoreError, on_pool};
use crate::domain::PatientName;

/// How one send ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// The EHR acknowledged the change.
    Posted,
    /// A transient failure; the change went back to the outbox.
    Retry,
    /// The EHR refused it (or it kept failing); it went to the exception queue.
    Failed,
}

impl AttemptOutcome {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Posted => "posted",
            Self::Retry => "retry",
            Self::Failed => "failed",
        }
    }

    fn parse(code: &str) -> Result<Self, StoreError> {
        [Self::Posted, Self::Retry, Self::Failed]
            .into_iter()
            .find(|o| o.code() == code)
            .ok_or(StoreError::Corrupt("change_attempts.outcome"))
    }
}

/// One send of a change to the EHR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendAttempt {
    /// The change.
    pub change_id: Uuid,
    /// 1 for the first send.
    pub number: i64,
    /// When a worker claimed it, epoch milliseconds.
    pub started_at: i64,
    /// When the outcome was recorded; `None` while in flight, or if the lease ran out first.
    pub finished_at: Option<i64>,
    /// How it ended.
    pub outcome: Option<AttemptOutcome>,
    /// The EHR's words on a failure (may quote the resource: shown to staff, never logged).
    pub ehr_words: Option<String>,
    /// The id the EHR gave the resource, when posted.
    pub ehr_resource_id: Option<String>,
}

/// A stored audit event.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    /// When, epoch milliseconds.
    pub at: i64,
    /// Who: `staff:<uuid>`, `patient:<uuid>`, `worker` or `system`.
    pub actor: String,
    /// What, e.g. `change.approved`.
    pub action: String,
    /// What it was done to.
    pub subject_id: Uuid,
    /// Ids and codes.
    pub detail: serde_json::Value,
}

/// Everything recorded about one submission.
#[derive(Debug, Clone)]
pub struct SubmissionHistory {
    /// The submission.
    pub submission_id: Uuid,
    /// Its form.
    pub form_id: String,
    /// The patient. PHI.
    pub patient_name: PatientName,
    /// When the chart was read for the patient's form, if it was.
    pub chart_read_at: Option<i64>,
    /// When the patient submitted.
    pub submitted_at: i64,
    /// Its proposed changes, in extraction order.
    pub changes: Vec<ChangeRecord>,
    /// Every send of any of its changes, oldest first.
    pub attempts: Vec<SendAttempt>,
    /// Every audit event on it or its changes, oldest first.
    pub events: Vec<AuditRecord>,
}

#[derive(FromRow)]
struct AttemptRow {
    change_id: Uuid,
    attempt: i64,
    started_at: i64,
    finished_at: Option<i64>,
    outcome: Option<String>,
    ehr_words: Option<String>,
    ehr_resource_id: Option<String>,
}

impl TryFrom<AttemptRow> for SendAttempt {
    type Error = StoreError;
    fn try_from(row: AttemptRow) -> Result<Self, StoreError> {
        Ok(Self {
            change_id: row.change_id,
            number: row.attempt,
            started_at: row.started_at,
            finished_at: row.finished_at,
            outcome: row
                .outcome
                .as_deref()
                .map(AttemptOutcome::parse)
                .transpose()?,
            ehr_words: row.ehr_words,
            ehr_resource_id: row.ehr_resource_id,
        })
    }
}

#[derive(FromRow)]
struct EventRow {
    at: i64,
    actor: String,
    action: String,
    subject_id: Uuid,
    detail: Json<serde_json::Value>,
}

impl From<EventRow> for AuditRecord {
    fn from(row: EventRow) -> Self {
        Self {
            at: row.at,
            actor: row.actor,
            action: row.action,
            subject_id: row.subject_id,
            detail: row.detail.0,
        }
    }
}

#[derive(FromRow)]
struct HeaderRow {
    id: Uuid,
    form_id: String,
    submitted_at: i64,
    appointment_id: Uuid,
    patient_name: String,
    read_at: Option<i64>,
}

const ATTEMPT_COLUMNS: &str = "SELECT t.change_id, t.attempt, t.started_at, t.finished_at, t.outcome, \
     t.ehr_words, t.ehr_resource_id FROM change_attempts t";

impl Store {
    /// The sends of one change, oldest first.
    pub async fn attempts_of(&self, change_id: Uuid) -> Result<Vec<SendAttempt>, StoreError> {
        let sql = format!("{ATTEMPT_COLUMNS} WHERE t.change_id = $1 ORDER BY t.attempt");
        let rows: Vec<AttemptRow> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(change_id)
            .fetch_all(pool)
            .await)?;
        rows.into_iter().map(SendAttempt::try_from).collect()
    }

    /// The audit events of one subject, oldest first, with their details.
    pub async fn audit_events(&self, subject_id: Uuid) -> Result<Vec<AuditRecord>, StoreError> {
        let rows: Vec<EventRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT at, actor, action, subject_id, detail FROM audit_events WHERE subject_id = $1 \
             ORDER BY at, id",
        )
        .bind(subject_id)
        .fetch_all(pool)
        .await)?;
        Ok(rows.into_iter().map(AuditRecord::from).collect())
    }

    /// Everything recorded about one submission: the chart read, its changes, their sends and
    /// the audit events on it and on them.
    pub async fn submission_history(
        &self,
        submission_id: Uuid,
    ) -> Result<SubmissionHistory, StoreError> {
        let header: Option<HeaderRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT s.id, s.form_id, s.submitted_at, a.id AS appointment_id, a.patient_name, r.read_at FROM submissions s \
             JOIN invitations i ON i.id = s.invitation_id JOIN appointments a ON a.id = i.appointment_id \
             LEFT JOIN chart_reads r ON r.invitation_id = s.invitation_id WHERE s.id = $1",
        )
        .bind(submission_id)
        .fetch_optional(pool)
        .await)?;
        let header = header.ok_or(StoreError::NotFound)?;
        let changes = self.changes_for_submission(submission_id).await?;
        let sql = format!(
            "{ATTEMPT_COLUMNS} JOIN proposed_changes c ON c.id = t.change_id \
             WHERE c.submission_id = $1 ORDER BY t.started_at, c.position, t.attempt"
        );
        let attempts: Vec<AttemptRow> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(submission_id)
            .fetch_all(pool)
            .await)?;
        // One list of subjects rather than `subject_id = $1 OR subject_id IN (…)`: Postgres
        // reads an `OR` with a subquery by scanning the whole audit log.
        let events: Vec<EventRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT at, actor, action, subject_id, detail FROM audit_events \
             WHERE subject_id IN (SELECT $1 UNION ALL SELECT id FROM proposed_changes WHERE submission_id = $1) \
             ORDER BY at, id",
        )
        .bind(submission_id)
        .fetch_all(pool)
        .await)?;
        Ok(SubmissionHistory {
            submission_id: header.id,
            form_id: header.form_id,
            patient_name: PatientName::new(self.unseal(
                "appointments.patient_name",
                header.appointment_id,
                &header.patient_name,
            )?),
            chart_read_at: header.read_at,
            submitted_at: header.submitted_at,
            changes,
            attempts: attempts
                .into_iter()
                .map(SendAttempt::try_from)
                .collect::<Result<_, _>>()?,
            events: events.into_iter().map(AuditRecord::from).collect(),
        })
    }

    /// Every staff member's id and display name, to name them in a trail.
    pub async fn staff_names(&self) -> Result<Vec<(Uuid, String)>, StoreError> {
        let rows = on_pool!(self, pool => sqlx::query_as("SELECT id, display_name FROM staff_users")
            .fetch_all(pool)
            .await)?;
        Ok(rows)
    }
}
