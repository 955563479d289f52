//! Submissions: the answers as submitted, stored in one transaction with their proposed
//! changes (queued or held), the invitation's closing and the audit event.

use sqlx::{AssertSqlSafe, FromRow, types::Json};
use uuid::Uuid;

use super::{
    AuditEvent, NewMessage, NewUrgentFlag, QueueCursor, Store, StoreError,
    audit::insert_audit,
    on_pool,
    urgent_flags::{insert_alerts, insert_urgent_flags},
};
use crate::{
    domain::PatientName,
    engine::{Answers, RaisedFlag},
    forms::{ContentHash, FormId},
    mapping::{Route, RoutedChange},
    summary::{ConsentRecord, StaffNote},
};

/// A submission to store.
#[derive(Debug, Clone)]
pub struct NewSubmission {
    /// Its id (extraction derived the change identifiers from it).
    pub id: Uuid,
    /// The invitation it closes.
    pub invitation_id: Uuid,
    /// The form.
    pub form_id: FormId,
    /// The exact form version answered.
    pub form_hash: ContentHash,
    /// The answers, disabled items stripped.
    pub answers: Answers,
    /// The EHR patient.
    pub patient_ref: String,
    /// When, epoch milliseconds.
    pub submitted_at: i64,
    /// Every proposed change with the posting policy's route and reviewer.
    pub changes: Vec<RoutedChange>,
    /// The consents given or declined, with the version of each text and the signed name.
    pub consents: Vec<ConsentRecord>,
    /// The flags the answers raised, most severe first.
    pub flags: Vec<RaisedFlag>,
    /// The language the patient answered in (`en`, `es`).
    pub language: String,
    /// What the answers marked for the front desk.
    pub staff_notes: Vec<StaffNote>,
}

/// A stored submission with the appointment details staff need.
#[derive(Debug, Clone)]
pub struct SubmissionRecord {
    /// Its id.
    pub id: Uuid,
    /// The form.
    pub form_id: FormId,
    /// The form version answered.
    pub form_hash: ContentHash,
    /// The answers.
    pub answers: Answers,
    /// The consents recorded with it.
    pub consents: Vec<ConsentRecord>,
    /// The flags its answers raised, most severe first.
    pub flags: Vec<RaisedFlag>,
    /// When, epoch milliseconds.
    pub submitted_at: i64,
    /// The patient's name.
    pub patient_name: PatientName,
    /// The visit type.
    pub visit_type: String,
    /// The appointment's start, epoch milliseconds.
    pub starts_at: i64,
    /// The invitation it closed (its chart read is the chart the patient saw).
    pub invitation_id: Uuid,
    /// The patient's date of birth, `YYYY-MM-DD`.
    pub patient_birth_date: String,
    /// The language the patient answered in; `None` for submissions stored before it was kept.
    pub language: Option<String>,
}

/// A submission in the clinician's list.
#[derive(Debug, Clone)]
pub struct SubmissionOverview {
    /// Its id.
    pub id: Uuid,
    /// The patient's name.
    pub patient_name: PatientName,
    /// The visit type.
    pub visit_type: String,
    /// The appointment's start, epoch milliseconds.
    pub starts_at: i64,
    /// When submitted, epoch milliseconds.
    pub submitted_at: i64,
    /// The flags its answers raised, most severe first.
    pub flags: Vec<RaisedFlag>,
    /// The clinicians who marked it reviewed, by display name, first first.
    pub reviewed_by: Vec<String>,
}

#[derive(FromRow)]
struct RecordRow {
    id: Uuid,
    form_id: String,
    form_hash: String,
    /// Sealed JSON (or `{}`, what the retention purge leaves).
    answers: String,
    /// Sealed JSON.
    consents: String,
    flags: Json<Vec<RaisedFlag>>,
    submitted_at: i64,
    appointment_id: Uuid,
    patient_name: String,
    visit_type: String,
    starts_at: i64,
    invitation_id: Uuid,
    patient_birth_date: String,
    language: Option<String>,
}

#[derive(FromRow)]
struct OverviewRow {
    id: Uuid,
    appointment_id: Uuid,
    patient_name: String,
    visit_type: String,
    starts_at: i64,
    submitted_at: i64,
    flags: Json<Vec<RaisedFlag>>,
}

impl Store {
    /// Stores a submission with its proposed changes and closes the invitation, all in one
    /// transaction. A second submission for the same invitation is a [`StoreError::Conflict`].
    pub async fn submit(&self, new: &NewSubmission) -> Result<(), StoreError> {
        self.submit_raising(new, &[]).await
    }

    /// [`Store::submit`], recording in the same transaction the urgent flags the answers
    /// raised and queuing their alerts, so a crash cannot lose one.
    pub async fn submit_raising(
        &self,
        new: &NewSubmission,
        urgent: &[NewUrgentFlag],
    ) -> Result<(), StoreError> {
        let audit = AuditEvent {
            at: new.submitted_at,
            actor: format!("patient:{}", new.invitation_id),
            action: "submission.received",
            subject_kind: "submission",
            subject_id: new.id,
            detail: serde_json::json!({
                "form": new.form_id, "form_hash": new.form_hash,
                "changes": new.changes.iter().map(|routed| routed.change.identifier).collect::<Vec<_>>(),
            }),
        };
        let answers = self.seal_json("submissions.answers", new.id, &new.answers)?;
        let consents = self.seal_json("submissions.consents", new.id, &new.consents)?;
        let changes = new
            .changes
            .iter()
            .map(|routed| {
                let id = routed.change.identifier.0;
                Ok((
                    self.seal_json("proposed_changes.resource", id, &routed.change.resource)?,
                    self.seal(
                        "proposed_changes.summary",
                        id,
                        &routed.change.summary.to_stored(),
                    )?,
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO submissions (id, invitation_id, form_id, form_hash, answers, patient_ref, submitted_at, consents, flags, language, staff_notes) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(new.id)
            .bind(new.invitation_id)
            .bind(new.form_id.as_str())
            .bind(new.form_hash.as_str())
            .bind(&answers)
            .bind(&new.patient_ref)
            .bind(new.submitted_at)
            .bind(&consents)
            .bind(Json(&new.flags))
            .bind(&new.language)
            .bind(Json(&new.staff_notes))
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::conflict_on_unique(e, "this invitation was already submitted"))?;
            // The queue's "by patient" order reads an index on the change, so the change keeps
            // the keyed hash of the patient's name: it groups a patient's changes together
            // (in no alphabetical order, as names are sealed), then by age.
            let patient_key: Option<String> = sqlx::query_scalar(
                "SELECT SUBSTR(a.name_lookup, 1, 64) FROM invitations i \
                 JOIN appointments a ON a.id = i.appointment_id WHERE i.id = $1",
            )
            .bind(new.invitation_id)
            .fetch_optional(&mut *tx)
            .await?;
            let patient_key = patient_key.unwrap_or_default();
            // The audit events go last, so the chain's head is held only until the commit.
            let mut events = vec![audit];
            for ((position, RoutedChange { change, route, reviewer }), (resource, summary)) in (0_i32..).zip(&new.changes).zip(&changes) {
                let (state, reason) = match route {
                    Route::Post => ("queued", None),
                    Route::Hold(reason) => ("held", Some(reason.code())),
                };
                sqlx::query(
                    "INSERT INTO proposed_changes (id, submission_id, position, resource_type, resource, summary, \
                     state, hold_reason, next_attempt_at, created_at, updated_at, reviewer, patient_key) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $9, $10, $11)",
                )
                .bind(change.identifier.0)
                .bind(new.id)
                .bind(position)
                .bind(change.resource_type.as_str())
                .bind(resource)
                .bind(summary)
                .bind(state)
                .bind(reason)
                .bind(new.submitted_at)
                .bind(reviewer.code())
                .bind(&patient_key)
                .execute(&mut *tx)
                .await?;
                // The posting policy's decision is the change's first transition.
                let routed = match route {
                    Route::Post => AuditEvent::by_system(change.identifier.0, "change.queued", new.submitted_at, serde_json::json!({})),
                    Route::Hold(reason) => AuditEvent::by_system(change.identifier.0, "change.held", new.submitted_at, serde_json::json!({ "reason": reason.code() })),
                };
                events.push(routed);
            }
            // Only an open invitation takes a submission: a locked or replaced link must not,
            // even from a session opened before it was locked or replaced.
            let closed = sqlx::query("UPDATE invitations SET status = 'submitted' WHERE id = $1 AND status = 'open'")
                .bind(new.invitation_id)
                .execute(&mut *tx)
                .await?;
            if closed.rows_affected() != 1 {
                return Err(StoreError::Conflict("this invitation is no longer open"));
            }
            insert_urgent_flags!(tx, urgent, 0_i64);
            for event in &events {
                insert_audit!(&mut *tx, event)?;
            }
            tx.commit().await?;
            Ok::<_, StoreError>(())
        })
    }

    /// One submission.
    pub async fn find_submission(&self, id: Uuid) -> Result<SubmissionRecord, StoreError> {
        let row: Option<RecordRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT s.id, s.form_id, s.form_hash, s.answers, s.consents, s.flags, s.submitted_at, a.id AS appointment_id, a.patient_name, a.visit_type, a.starts_at, \
             s.invitation_id, a.patient_birth_date, s.language \
             FROM submissions s JOIN invitations i ON i.id = s.invitation_id \
             JOIN appointments a ON a.id = i.appointment_id WHERE s.id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await)?;
        let row = row.ok_or(StoreError::NotFound)?;
        Ok(SubmissionRecord {
            id: row.id,
            form_id: FormId::parse(&row.form_id)
                .ok_or(StoreError::Corrupt("submissions.form_id"))?,
            form_hash: ContentHash::from_stored(row.form_hash),
            // The retention purge leaves `{}` in place of the answers.
            answers: if row.answers == "{}" {
                Answers::default()
            } else {
                self.unseal_json("submissions.answers", row.id, &row.answers)?
            },
            consents: self.unseal_json("submissions.consents", row.id, &row.consents)?,
            flags: row.flags.0,
            submitted_at: row.submitted_at,
            patient_name: PatientName::new(self.unseal(
                "appointments.patient_name",
                row.appointment_id,
                &row.patient_name,
            )?),
            visit_type: row.visit_type,
            starts_at: row.starts_at,
            invitation_id: row.invitation_id,
            patient_birth_date: self.unseal(
                "appointments.patient_birth_date",
                row.appointment_id,
                &row.patient_birth_date,
            )?,
            language: row.language,
        })
    }

    /// Every submission by appointment time: for tests and tools; the clinician's list reads
    /// [`Store::submissions_page`].
    pub async fn list_submissions(&self) -> Result<Vec<SubmissionOverview>, StoreError> {
        self.submissions_page(None, i64::MAX).await
    }

    /// One page of submissions by appointment time, by key `(starts_at, appointment id,
    /// submission id)` from
    /// the submission `from` names (after it, or before it), with one row more than `limit`
    /// when there are more that way. Rows come in the list's order either way; a cursor naming
    /// no submission reads as the first page.
    pub async fn submissions_page(
        &self,
        from: Option<QueueCursor>,
        limit: i64,
    ) -> Result<Vec<SubmissionOverview>, StoreError> {
        const SELECT: &str = "SELECT s.id, a.id AS appointment_id, a.patient_name, a.visit_type, a.starts_at, \
             s.submitted_at, s.flags FROM submissions s JOIN invitations i ON i.id = s.invitation_id \
             JOIN appointments a ON a.id = i.appointment_id";
        let key = match from {
            Some(QueueCursor::After(id) | QueueCursor::Before(id)) => {
                let sql = format!("{SELECT} WHERE s.id = $1");
                let row: Option<OverviewRow> = on_pool!(self, pool => sqlx::query_as(AssertSqlSafe(sql))
                    .bind(id)
                    .fetch_optional(pool)
                    .await)?;
                row.map(|row| (row.starts_at, row.appointment_id, row.id))
            }
            None => None,
        };
        let backwards = matches!(from, Some(QueueCursor::Before(_))) && key.is_some();
        let (compare, order) = if backwards {
            ("<", "DESC")
        } else {
            (">", "ASC")
        };
        // Only the operators and the order come from here (constants, never input). The key
        // leads with the appointments' index `(starts_at, id)`, so the read walks that index
        // from the key and stops after a page; the bound on `a.starts_at` alone repeats what
        // the row comparison implies, so that the read starts at the key rather than filtering
        // every earlier row. (An appointment re-sent after a submission may have two.)
        let after_key = if key.is_some() {
            let bound = if backwards { "<=" } else { ">=" };
            format!(
                "WHERE a.starts_at {bound} $1 AND (a.starts_at, a.id, s.id) {compare} ($1, $2, $3)"
            )
        } else {
            "WHERE $1 = $1 AND $2 = $2 AND $3 = $3".to_owned()
        };
        let sql = format!(
            "{SELECT} {after_key} ORDER BY a.starts_at {order}, a.id {order}, s.id {order} LIMIT $4"
        );
        let (starts_at, appointment, id) = key.unwrap_or((0, Uuid::nil(), Uuid::nil()));
        let rows: Vec<OverviewRow> = on_pool!(self, pool => sqlx::query_as(AssertSqlSafe(sql))
            .bind(starts_at)
            .bind(appointment)
            .bind(id)
            .bind(limit.saturating_add(1))
            .fetch_all(pool)
            .await)?;
        // The page's review marks in one query, not one a row.
        let ids: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
        let mut reviewed_by = self.reviewers_of(&ids).await?;
        let mut rows: Vec<SubmissionOverview> = rows
            .into_iter()
            .map(|row| {
                Ok(SubmissionOverview {
                    reviewed_by: reviewed_by.remove(&row.id).unwrap_or_default(),
                    id: row.id,
                    patient_name: PatientName::new(self.unseal(
                        "appointments.patient_name",
                        row.appointment_id,
                        &row.patient_name,
                    )?),
                    visit_type: row.visit_type,
                    starts_at: row.starts_at,
                    submitted_at: row.submitted_at,
                    flags: row.flags.0,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        if backwards {
            rows.reverse();
        }
        Ok(rows)
    }
}
