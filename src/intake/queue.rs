//! The exception queue's use cases beyond accept and reject: filtering, the detail with its
//! lifecycle and attempts, edit then accept, retry, bulk actions, and a submission's trail.

use std::collections::HashMap;

use uuid::Uuid;

use super::{ChartNow, ServiceError, Services, review::actor};
use crate::{
    mapping::{
        ChangeEdit, EditError, EditableField, HoldReason, apply_edit, editable_fields, source_item,
    },
    store::{
        Appointment, ChangeRecord, ChangeState, ExceptionItem, QueueCursor, QueueFilter,
        SendAttempt, StaffSession, StoreError,
    },
    writeback::{TrailEntry, change_trail, submission_trail},
};

/// A change with everything staff need to decide on it.
#[derive(Debug, Clone)]
pub struct ExceptionDetail {
    /// The change.
    pub change: ChangeRecord,
    /// What the chart holds now.
    pub chart_now: ChartNow,
    /// Every send, oldest first.
    pub attempts: Vec<SendAttempt>,
    /// Its lifecycle so far.
    pub lifecycle: Vec<TrailEntry>,
    /// What staff may edit before accepting it.
    pub editable: Vec<EditableField>,
    /// Staff display names by id, to name who acted.
    pub staff_names: HashMap<Uuid, String>,
    /// The visit the submission was for, to name the patient and the visit.
    pub visit: Appointment,
    /// The language the patient answered in (`en`, `es`, `vi`); `None` for submissions stored
    /// before it was kept.
    pub answered_in: Option<String>,
}

/// What an edit came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditOutcome {
    /// The edited change is in the outbox.
    Accepted,
    /// Nothing changed: these fields need fixing.
    Invalid(Vec<EditError>),
}

/// An action on many changes at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkAction {
    /// Accept each (held or failed).
    Accept,
    /// Send each failed one again.
    Retry,
    /// Reject each (held or failed), for this reason (never empty: the page asks for one).
    Reject(String),
}

/// Rows a page of the exception queue holds.
pub const QUEUE_PAGE_SIZE: i64 = 50;

/// How many changes a bulk action on everything the filter matches takes at a time.
pub const QUEUE_COUNT_CAP: i64 = 1000;

/// How far the queue's count counts: past it the page says "100+". Counting reads the waiting
/// changes' index entry by entry, so the cap is what a page pays for it whatever the queue
/// holds: counting to 1,000 made the first page 4.3 ms on Postgres with 100,000 waiting
/// against 1.0 ms with 100; two pages' worth tells a reviewer what the number is for (is
/// there a backlog?) at a tenth of the reading.
pub const QUEUE_COUNT_SHOWN: i64 = 100;

/// One page of the exception queue.
#[derive(Debug, Clone)]
pub struct QueuePage {
    /// Its rows, in the list's order.
    pub items: Vec<ExceptionItem>,
    /// The cursor to the page before, when there is one.
    pub earlier: Option<QueueCursor>,
    /// The cursor to the page after, when there is one.
    pub later: Option<QueueCursor>,
    /// How many changes the filter matches, counted up to [`QUEUE_COUNT_SHOWN`] + 1.
    pub matching: i64,
}

/// How a bulk action went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BulkOutcome {
    /// Changes the action applied to.
    pub done: usize,
    /// Changes it did not apply to (already resolved, not failed, unknown).
    pub skipped: usize,
}

/// A submission's trail, with the names of the staff in it.
#[derive(Debug, Clone)]
pub struct SubmissionTrail {
    /// The submission.
    pub submission_id: Uuid,
    /// Its form.
    pub form_id: String,
    /// The patient. PHI: for the page, not for the JSON an analyst exports.
    pub patient_name: String,
    /// What happened, in time order.
    pub entries: Vec<TrailEntry>,
    /// Staff display names by id.
    pub staff_names: HashMap<Uuid, String>,
}

/// Whether sending a change again may succeed: it failed only because the EHR was unavailable.
pub fn retry_can_fix(change: &ChangeRecord) -> bool {
    change.state == ChangeState::Failed && change.hold_reason == Some(HoldReason::EhrUnavailable)
}

impl Services {
    /// The exception queue as `filter` narrows and orders it.
    pub async fn find_exceptions(
        &self,
        filter: &QueueFilter,
    ) -> Result<Vec<ExceptionItem>, ServiceError> {
        Ok(self.store.find_exceptions(filter).await?)
    }

    /// One page of the exception queue as `filter` narrows and orders it, from `from`.
    pub async fn exception_page(
        &self,
        filter: &QueueFilter,
        from: Option<QueueCursor>,
        page_size: i64,
    ) -> Result<QueuePage, ServiceError> {
        let mut items = self.store.exceptions_page(filter, from, page_size).await?;
        let more = usize::try_from(page_size).is_ok_and(|size| items.len() > size);
        let backwards = matches!(from, Some(QueueCursor::Before(_)));
        if more {
            // The extra row is the one past the page, in the direction asked.
            if backwards {
                items.remove(0);
            } else {
                items.pop();
            }
        }
        // A cursor to a page that no longer holds anything reads as the first page.
        let (has_earlier, has_later) = match from {
            None => (false, more),
            Some(QueueCursor::After(_)) => (true, more),
            Some(QueueCursor::Before(_)) => (more, true),
        };
        let id = |item: &ExceptionItem| item.change.identifier.0;
        Ok(QueuePage {
            earlier: items
                .first()
                .filter(|_| has_earlier)
                .map(|item| QueueCursor::Before(id(item))),
            later: items
                .last()
                .filter(|_| has_later)
                .map(|item| QueueCursor::After(id(item))),
            matching: self
                .store
                .count_exceptions_capped(filter, QUEUE_COUNT_SHOWN)
                .await?,
            items,
        })
    }

    /// The ids of the first [`QUEUE_COUNT_CAP`] changes `filter` matches, in its order, for a
    /// bulk action on everything it matches.
    pub async fn matching_exceptions(
        &self,
        filter: &QueueFilter,
    ) -> Result<Vec<Uuid>, ServiceError> {
        Ok(self
            .store
            .exceptions_page(filter, None, QUEUE_COUNT_CAP - 1)
            .await?
            .into_iter()
            .map(|item| item.change.identifier.0)
            .collect())
    }

    /// One change with the chart's current value, its sends and its lifecycle.
    pub async fn exception_detail(&self, id: Uuid) -> Result<ExceptionDetail, ServiceError> {
        let change = self.store.find_change(id).await?;
        let attempts = self.store.attempts_of(id).await?;
        let events = self.store.audit_events(id).await?;
        let chart_now = self.chart_now(&change).await;
        let visit = self
            .store
            .appointment_of_submission(change.submission_id)
            .await?;
        let answered_in = self
            .store
            .find_submission(change.submission_id)
            .await?
            .language;
        Ok(ExceptionDetail {
            visit,
            answered_in,
            lifecycle: change_trail(&change, &attempts, &events),
            editable: editable_fields(change.resource_type, &change.resource),
            staff_names: self.staff_names().await?,
            chart_now,
            attempts,
            change,
        })
    }

    /// Edits a held or failed change and accepts it, once the typed values pass the checks of
    /// the form item the patient answered (looked up through the submission) or, without one,
    /// the general ones.
    pub async fn edit_change(
        &self,
        staff: &StaffSession,
        id: Uuid,
        edit: &ChangeEdit,
    ) -> Result<EditOutcome, ServiceError> {
        let change = self.change_to_decide(staff, id).await?;
        if !matches!(change.state, ChangeState::Held | ChangeState::Failed) {
            return Err(ServiceError::Conflict("this change was already resolved"));
        }
        if editable_fields(change.resource_type, &change.resource).is_empty() {
            return Err(ServiceError::Conflict("this change cannot be edited here"));
        }
        let submission = self.store.find_submission(change.submission_id).await?;
        let form = self.forms.get(&submission.form_id);
        let source = form.as_deref().and_then(|form| {
            source_item(form, &submission.answers, submission.id, change.identifier)
        });
        let edited = match apply_edit(
            change.resource_type,
            &change.resource,
            &change.summary,
            source,
            edit,
            crate::i18n::Language::english(),
        ) {
            Ok(edited) => edited,
            Err(errors) => return Ok(EditOutcome::Invalid(errors)),
        };
        self.store
            .edit_change(
                id,
                &actor(staff),
                (edited.resource, edited.summary),
                &edited.changed,
                self.clock.now_millis(),
            )
            .await?;
        Ok(EditOutcome::Accepted)
    }

    /// Sends a failed change again, now: only one the EHR failed to take for being unavailable
    /// (a refusal or a conflict comes back the same; it needs an edit or a rejection).
    pub async fn retry_change(&self, staff: &StaffSession, id: Uuid) -> Result<(), ServiceError> {
        let change = self.change_to_decide(staff, id).await?;
        if !retry_can_fix(&change) {
            return Err(ServiceError::Conflict(
                "sending it again would not help: edit or reject it",
            ));
        }
        Ok(self
            .store
            .retry_change(
                id,
                &actor(staff),
                serde_json::json!({}),
                self.clock.now_millis(),
            )
            .await?)
    }

    /// Applies `action` to each of `ids`, each change in its own transaction with its own audit
    /// event; changes it does not apply to are counted and left alone.
    pub async fn bulk_resolve(
        &self,
        staff: &StaffSession,
        action: BulkAction,
        ids: &[Uuid],
    ) -> Result<BulkOutcome, ServiceError> {
        let actor = actor(staff);
        let mut outcome = BulkOutcome::default();
        for &id in ids {
            let decidable = match self.change_to_decide(staff, id).await {
                Ok(change) => action != BulkAction::Retry || retry_can_fix(&change),
                Err(ServiceError::NotFound | ServiceError::NotYourDecision(_)) => false,
                Err(other) => return Err(other),
            };
            if !decidable {
                outcome.skipped += 1;
                continue;
            }
            let detail = serde_json::json!({ "bulk": true });
            let now = self.clock.now_millis();
            let applied = match &action {
                BulkAction::Accept => {
                    self.store
                        .approve_change_with(id, &actor, detail, now)
                        .await
                }
                BulkAction::Retry => self.store.retry_change(id, &actor, detail, now).await,
                BulkAction::Reject(reason) => {
                    self.store
                        .reject_change_with(id, &actor, reason, detail, now)
                        .await
                }
            };
            match applied {
                Ok(()) => outcome.done += 1,
                Err(StoreError::Conflict(_) | StoreError::NotFound) => outcome.skipped += 1,
                Err(other) => return Err(other.into()),
            }
        }
        Ok(outcome)
    }

    /// Everything that happened to one submission, in time order.
    pub async fn submission_trail(&self, id: Uuid) -> Result<SubmissionTrail, ServiceError> {
        let history = self.store.submission_history(id).await?;
        Ok(SubmissionTrail {
            entries: submission_trail(&history),
            submission_id: history.submission_id,
            form_id: history.form_id,
            patient_name: history.patient_name.as_str().to_owned(),
            staff_names: self.staff_names().await?,
        })
    }

    async fn staff_names(&self) -> Result<HashMap<Uuid, String>, ServiceError> {
        Ok(self.store.staff_names().await?.into_iter().collect())
    }
}
