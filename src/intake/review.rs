//! The staff side of a submission: the exception queue and the clinician's summary.

use uuid::Uuid;

use super::{ServiceError, Services};
use crate::{
    store::{
        AppointmentOverview, ChangeRecord, ExceptionItem, StaffSession, SubmissionOverview,
        SubmissionRecord,
    },
    summary::{PreVisitSummary, summarize},
};

/// A submission with its summary and the fate of each proposed change.
#[derive(Debug, Clone)]
pub struct SubmissionSummary {
    /// The submission.
    pub submission: SubmissionRecord,
    /// The summary.
    pub summary: PreVisitSummary,
    /// Its proposed changes.
    pub changes: Vec<ChangeRecord>,
}

fn actor(staff: &StaffSession) -> String {
    format!("staff:{}", staff.user.id)
}

impl Services {
    /// The exception queue, oldest first.
    pub async fn exception_queue(&self) -> Result<Vec<ExceptionItem>, ServiceError> {
        Ok(self.store.list_exceptions().await?)
    }

    /// One proposed change.
    pub async fn proposed_change(&self, id: Uuid) -> Result<ChangeRecord, ServiceError> {
        Ok(self.store.find_change(id).await?)
    }

    /// Accepts a held or failed change: it goes to the outbox.
    pub async fn approve_change(&self, staff: &StaffSession, id: Uuid) -> Result<(), ServiceError> {
        Ok(self
            .store
            .approve_change(id, &actor(staff), self.clock.now_millis())
            .await?)
    }

    /// Rejects a held or failed change with a reason.
    pub async fn reject_change(
        &self,
        staff: &StaffSession,
        id: Uuid,
        reason: &str,
    ) -> Result<(), ServiceError> {
        Ok(self
            .store
            .reject_change(id, &actor(staff), reason, self.clock.now_millis())
            .await?)
    }

    /// Appointments with their intake status.
    pub async fn appointments(&self) -> Result<Vec<AppointmentOverview>, ServiceError> {
        Ok(self.store.list_appointments().await?)
    }

    /// Proposed changes counted by state and resource type, for `/metrics`.
    pub async fn queue_counts(&self) -> Result<crate::store::QueueCounts, ServiceError> {
        Ok(self.store.queue_counts().await?)
    }

    /// The audit trail of one change: `(at, actor, action)`, oldest first.
    pub async fn change_trail(&self, id: Uuid) -> Result<Vec<(i64, String, String)>, ServiceError> {
        Ok(self.store.audit_trail(id).await?)
    }

    /// Submissions for the clinician's list.
    pub async fn submissions(&self) -> Result<Vec<SubmissionOverview>, ServiceError> {
        Ok(self.store.list_submissions().await?)
    }

    /// The pre-visit summary of one submission, read against the form version it pinned.
    pub async fn submission_summary(&self, id: Uuid) -> Result<SubmissionSummary, ServiceError> {
        let submission = self.store.find_submission(id).await?;
        let form = self
            .forms
            .get(&submission.form_id)
            .ok_or_else(|| ServiceError::UnknownForm(submission.form_id.clone()))?;
        // Summaries follow the form in service; a later form version keeps its item ids, and
        // answers to removed items are still shown by the QuestionnaireResponse on the chart.
        let summary = summarize(&form, &submission.answers, "en");
        let changes = self.store.changes_for_submission(id).await?;
        Ok(SubmissionSummary {
            submission,
            summary,
            changes,
        })
    }
}
