//! The staff side of a submission: the exception queue and the clinician's summary.

use std::collections::HashMap;

use uuid::Uuid;

use super::{ServiceError, Services};
use crate::{
    mapping::Reviewer,
    store::{
        ChangeRecord, ExceptionItem, QueueCursor, QueueFilter, ReviewMark, StaffSession,
        SubmissionOverview, SubmissionRecord,
    },
    summary::{ChartFacts, PreVisitSummary, summarize},
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
    /// The last staff decision on each change that has one, by change id.
    pub decisions: HashMap<Uuid, Decision>,
    /// What the chart the patient saw says of their sex and need of an interpreter.
    pub chart: ChartFacts,
    /// The clinicians who marked it reviewed, first first.
    pub reviews: Vec<ReviewMark>,
    /// The photos the patient sent, each with its question.
    pub photos: Vec<(String, crate::engine::FileRef)>,
}

/// One page of the clinician's list of submissions.
#[derive(Debug, Clone)]
pub struct SubmissionsPage {
    /// Its rows, by appointment time.
    pub rows: Vec<SubmissionOverview>,
    /// The cursor to the page before, when there is one.
    pub earlier: Option<QueueCursor>,
    /// The cursor to the page after, when there is one.
    pub later: Option<QueueCursor>,
}

/// A staff member's decision on a change, as the summary states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Whether it was rejected (else accepted, as proposed or edited).
    pub rejected: bool,
    /// Who decided: a staff member by display name, else a role's message id.
    pub by: crate::domain::Phrase,
    /// The reason for a rejection: as typed, or the words for none given.
    pub reason: Option<crate::domain::Phrase>,
}

/// How a staff member is named in the audit log.
pub(super) fn actor(staff: &StaffSession) -> String {
    crate::store::staff_actor(staff.user.id)
}

/// Which held changes a staff member decides on: a front-desk user the front desk's, a
/// clinician a clinician's; other roles none.
pub fn reviewer_of(staff: &StaffSession) -> Option<Reviewer> {
    Reviewer::parse(staff.user.role.code())
}

/// What the chart holds now of what a change would update.
#[derive(Debug, Clone, PartialEq)]
pub enum ChartNow {
    /// The change would add a new entry.
    NewEntry,
    /// The resource as the chart has it now.
    OnFile(serde_json::Value),
    /// The chart no longer has the resource.
    Gone,
    /// The EHR could not be asked now; in its words.
    Unreadable(String),
}

impl Services {
    /// The exception queue, oldest first.
    pub async fn exception_queue(&self) -> Result<Vec<ExceptionItem>, ServiceError> {
        Ok(self.store.list_exceptions().await?)
    }

    /// How many changes wait for `reviewer` (every change: `None`), for the worklist's "N waiting", counted
    /// no further than [`super::QUEUE_COUNT_SHOWN`] + 1 as the queue's own page does.
    pub async fn exception_count(&self, reviewer: Option<Reviewer>) -> Result<i64, ServiceError> {
        let filter = QueueFilter {
            reviewer,
            ..QueueFilter::default()
        };
        Ok(self
            .store
            .count_exceptions_capped(&filter, super::QUEUE_COUNT_SHOWN)
            .await?)
    }

    /// One proposed change.
    pub async fn proposed_change(&self, id: Uuid) -> Result<ChangeRecord, ServiceError> {
        Ok(self.store.find_change(id).await?)
    }

    /// What the chart holds now of the resource a change would update, read from the EHR as
    /// staff look at it; nothing for a change that would be a new entry.
    pub async fn chart_now(&self, change: &ChangeRecord) -> ChartNow {
        let Some(id) = change.resource["id"].as_str() else {
            return ChartNow::NewEntry;
        };
        let query = format!("{}?_id={id}", change.resource_type);
        match self.ehr.search(&query).await {
            Ok(bundle) => bundle["entry"]
                .as_array()
                .and_then(|entries| entries.iter().find(|e| e["resource"]["id"] == id))
                .map_or(ChartNow::Gone, |e| ChartNow::OnFile(e["resource"].clone())),
            Err(error) => ChartNow::Unreadable(error.to_string()),
        }
    }

    /// The change, if `staff` is who decides on it (see [`reviewer_of`]).
    pub(super) async fn change_to_decide(
        &self,
        staff: &StaffSession,
        id: Uuid,
    ) -> Result<ChangeRecord, ServiceError> {
        let change = self.store.find_change(id).await?;
        if reviewer_of(staff) == Some(change.reviewer) {
            Ok(change)
        } else {
            Err(ServiceError::NotYourDecision(change.reviewer))
        }
    }

    /// Accepts a held or failed change: it goes to the outbox.
    pub async fn approve_change(&self, staff: &StaffSession, id: Uuid) -> Result<(), ServiceError> {
        self.change_to_decide(staff, id).await?;
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
        self.change_to_decide(staff, id).await?;
        Ok(self
            .store
            .reject_change(id, &actor(staff), reason, self.clock.now_millis())
            .await?)
    }

    /// Proposed changes counted by state and resource type, for `/metrics`.
    pub async fn queue_counts(&self) -> Result<crate::store::QueueCounts, ServiceError> {
        Ok(self.store.queue_counts().await?)
    }

    /// Submissions for the clinician's list.
    pub async fn submissions(&self) -> Result<Vec<SubmissionOverview>, ServiceError> {
        Ok(self.store.list_submissions().await?)
    }

    /// One page of the clinician's list of submissions, by appointment time, from `from`.
    pub async fn submissions_page(
        &self,
        from: Option<QueueCursor>,
        page_size: i64,
    ) -> Result<SubmissionsPage, ServiceError> {
        let mut rows = self.store.submissions_page(from, page_size).await?;
        let more = usize::try_from(page_size).is_ok_and(|size| rows.len() > size);
        let backwards = matches!(from, Some(QueueCursor::Before(_)));
        if more {
            if backwards {
                rows.remove(0);
            } else {
                rows.pop();
            }
        }
        let (has_earlier, has_later) = match from {
            None => (false, more),
            Some(QueueCursor::After(_)) => (true, more),
            Some(QueueCursor::Before(_)) => (more, true),
        };
        Ok(SubmissionsPage {
            earlier: rows
                .first()
                .filter(|_| has_earlier)
                .map(|row| QueueCursor::Before(row.id)),
            later: rows
                .last()
                .filter(|_| has_later)
                .map(|row| QueueCursor::After(row.id)),
            rows,
        })
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
        let summary = summarize(&form, &submission.answers, crate::i18n::Language::english());
        let photos = crate::summary::photos(&form, &submission.answers);
        // The changes and every event on them in a fixed number of queries, however many
        // changes the submission proposed; the last decision on each is what the summary states.
        let history = self.store.submission_history(id).await?;
        let names: HashMap<Uuid, String> = self.store.staff_names().await?.into_iter().collect();
        let mut decisions = HashMap::new();
        for event in &history.events {
            let rejected = match event.action.as_str() {
                "change.approved" | "change.edited" => false,
                "change.rejected" => true,
                _ => continue,
            };
            decisions.insert(
                event.subject_id,
                Decision {
                    rejected,
                    by: crate::writeback::actor_name(&event.actor, &names),
                    reason: event.detail["reason"]
                        .as_str()
                        .map(crate::writeback::rejection_reason),
                },
            );
        }
        let changes = history.changes;
        let chart = self
            .store
            .load_chart_read(submission.invitation_id)
            .await?
            .map(|chart| ChartFacts::read(&chart))
            .unwrap_or_default();
        let reviews = self.store.review_marks(id).await?;
        Ok(SubmissionSummary {
            photos,
            submission,
            summary,
            changes,
            decisions,
            chart,
            reviews,
        })
    }

    /// Records that `staff` (a clinician) reviewed submission `id`, with its audit event; a
    /// second mark by the same clinician changes nothing.
    pub async fn mark_reviewed(
        &self,
        staff: &StaffSession,
        id: Uuid,
        source: &str,
    ) -> Result<bool, ServiceError> {
        let event = crate::store::StaffAudit {
            at: self.clock.now_millis(),
            actor: actor(staff),
            action: "submission.reviewed",
            subject_kind: "submission",
            subject_id: id,
            detail: serde_json::json!({}),
            source: Some(source.to_owned()),
        };
        Ok(self.store.mark_reviewed(id, staff.user.id, &event).await?)
    }
}
