//! The trail of a submission and the lifecycle of each change, in time order, built from what
//! the store recorded: the chart read, the submission, each change's routing, every send with
//! its outcome and the EHR's words, and what staff decided. Pure: the caller loads the records.
//!
//! A change's lifecycle: extracted → held or queued → sent → posted, or failed (or retried)
//! → resolved by staff (accepted, edited, rejected, retried) → sent → …

use std::collections::HashMap;

use serde::Serialize;
use uuid::Uuid;

use crate::{
    domain::{Message, Phrase},
    mapping::{HoldReason, ResourceType},
    store::{AttemptOutcome, AuditRecord, ChangeRecord, SendAttempt, SubmissionHistory},
};

/// A step in a submission's trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// The chart was read from the EHR when the patient started.
    ChartRead,
    /// The patient submitted; the answers were stored.
    Submitted,
    /// A change was extracted from the answers.
    Extracted,
    /// The posting policy held the change for staff.
    Held,
    /// The posting policy sent the change to the outbox.
    Queued,
    /// A worker sent the change to the EHR.
    Sent,
    /// The EHR acknowledged it.
    Posted,
    /// A transient failure; it will be sent again.
    RetryScheduled,
    /// The EHR refused it; it is in the exception queue.
    Failed,
    /// Staff accepted it.
    Accepted,
    /// Staff edited and accepted it.
    Edited,
    /// Staff rejected it.
    Rejected,
    /// Staff sent it again after a failure.
    Retried,
}

impl Stage {
    /// The kind of step, as analysts group them.
    pub fn category(self) -> &'static str {
        match self {
            Self::ChartRead => "read",
            Self::Submitted | Self::Extracted | Self::Queued => "transform",
            Self::Sent | Self::RetryScheduled => "write",
            Self::Posted => "acknowledgement",
            Self::Held | Self::Failed => "exception",
            Self::Accepted | Self::Edited | Self::Rejected | Self::Retried => "resolution",
        }
    }

    /// Every message id of [`Self::message`], in the order of the stages.
    pub const MESSAGE_IDS: [&'static str; 13] = [
        "stage-chart-read",
        "stage-submitted",
        "stage-extracted",
        "stage-held",
        "stage-queued",
        "stage-sent",
        "stage-posted",
        "stage-retry-scheduled",
        "stage-failed",
        "stage-accepted",
        "stage-edited",
        "stage-rejected",
        "stage-retried",
    ];

    /// What happened, for staff: `changes.ftl`, rendered at the edge.
    pub fn message(self) -> crate::domain::Message {
        let index = match self {
            Self::ChartRead => 0,
            Self::Submitted => 1,
            Self::Extracted => 2,
            Self::Held => 3,
            Self::Queued => 4,
            Self::Sent => 5,
            Self::Posted => 6,
            Self::RetryScheduled => 7,
            Self::Failed => 8,
            Self::Accepted => 9,
            Self::Edited => 10,
            Self::Rejected => 11,
            Self::Retried => 12,
        };
        crate::domain::Message::new(Self::MESSAGE_IDS[index])
    }
}

/// One step of a trail.
#[derive(Debug, Clone, PartialEq)]
pub struct TrailEntry {
    /// When, epoch milliseconds.
    pub at: i64,
    /// What happened.
    pub stage: Stage,
    /// Who: `staff:<uuid>`, `patient:<invitation uuid>`, `worker` or `system`.
    pub actor: String,
    /// The change it concerns, if one.
    pub change: Option<Uuid>,
    /// That change's resource type.
    pub resource_type: Option<ResourceType>,
    /// The attempt number, the hold reason, the EHR's words or its resource id, a rejection's
    /// reason, the fields an edit changed: message ids (`locales/<language>/changes.ftl`) with
    /// what the EHR or staff wrote as it is, rendered at the edge.
    pub detail: Option<Phrase>,
}

/// The lifecycle of one change. `attempts` and `events` may hold other changes' records too.
pub fn change_trail(
    change: &ChangeRecord,
    attempts: &[SendAttempt],
    events: &[AuditRecord],
) -> Vec<TrailEntry> {
    let id = change.identifier.0;
    let entry = |at: i64, stage: Stage, actor: &str, detail: Option<Phrase>| TrailEntry {
        at,
        stage,
        actor: actor.to_owned(),
        change: Some(id),
        resource_type: Some(change.resource_type),
        detail,
    };
    let attempts: Vec<&SendAttempt> = attempts.iter().filter(|a| a.change_id == id).collect();
    let mut sent = 0;
    let mut trail = vec![entry(change.created_at, Stage::Extracted, "system", None)];
    for event in events.iter().filter(|e| e.subject_id == id) {
        let Some(stage) = stage_of(&event.action) else {
            continue;
        };
        let mut detail = event_detail(stage, &event.detail);
        if let Some(outcome) = outcome_of(stage) {
            // The send this outcome ends, and any before it that never got an answer.
            let ended = attempts
                .iter()
                .find(|a| a.outcome == Some(outcome) && a.finished_at == Some(event.at));
            if let Some(ended) = ended {
                for attempt in attempts
                    .iter()
                    .filter(|a| a.number <= ended.number)
                    .skip(sent)
                {
                    trail.push(entry(
                        attempt.started_at,
                        Stage::Sent,
                        "worker",
                        Some(attempt_note(attempt)),
                    ));
                    sent += 1;
                }
                detail = detail.or_else(|| ended.ehr_words.clone().map(Phrase::Verbatim));
            }
        }
        trail.push(entry(event.at, stage, &event.actor, detail));
    }
    for attempt in attempts.iter().skip(sent) {
        trail.push(entry(
            attempt.started_at,
            Stage::Sent,
            "worker",
            Some(attempt_note(attempt)),
        ));
    }
    // Stable: steps recorded in the same millisecond keep the order they happened in.
    trail.sort_by_key(|e| e.at);
    trail
}

/// The whole trail of a submission: the chart read, the submission, and every change's
/// lifecycle, in time order.
pub fn submission_trail(history: &SubmissionHistory) -> Vec<TrailEntry> {
    let mut trail = Vec::new();
    if let Some(at) = history.chart_read_at {
        trail.push(TrailEntry {
            at,
            stage: Stage::ChartRead,
            actor: "system".to_owned(),
            change: None,
            resource_type: None,
            detail: None,
        });
    }
    let received = history
        .events
        .iter()
        .find(|e| e.subject_id == history.submission_id && e.action == "submission.received");
    trail.push(TrailEntry {
        at: received.map_or(history.submitted_at, |e| e.at),
        stage: Stage::Submitted,
        actor: received.map_or_else(|| "patient".to_owned(), |e| e.actor.clone()),
        change: None,
        resource_type: None,
        detail: Some(Phrase::Said(
            Message::new("step-detail-form").with("form", history.form_id.as_str()),
        )),
    });
    for change in &history.changes {
        trail.extend(change_trail(change, &history.attempts, &history.events));
    }
    trail.sort_by_key(|e| e.at);
    trail
}

/// Who an actor is, for staff: a staff member by name, the others by role (message ids
/// `actor-*`, [`ACTOR_MESSAGE_IDS`]).
pub fn actor_name(actor: &str, staff: &HashMap<Uuid, String>) -> Phrase {
    match actor.split_once(':') {
        Some(("staff", id)) => Uuid::parse_str(id)
            .ok()
            .and_then(|id| staff.get(&id).cloned())
            .map_or_else(|| Phrase::said("actor-former-staff"), Phrase::Verbatim),
        Some(("patient", _)) => Phrase::said("actor-patient"),
        _ if actor == "worker" => Phrase::said("actor-worker"),
        _ => Phrase::said("actor-intake"),
    }
}

/// Every message id [`actor_name`] gives, for the tests that hold them against `locales/`.
pub const ACTOR_MESSAGE_IDS: [&str; 4] = [
    "actor-former-staff",
    "actor-patient",
    "actor-worker",
    "actor-intake",
];

fn stage_of(action: &str) -> Option<Stage> {
    Some(match action {
        "change.held" => Stage::Held,
        "change.queued" => Stage::Queued,
        "change.posted" => Stage::Posted,
        "change.retry_scheduled" => Stage::RetryScheduled,
        "change.failed" => Stage::Failed,
        "change.approved" => Stage::Accepted,
        "change.edited" => Stage::Edited,
        "change.rejected" => Stage::Rejected,
        "change.retried" => Stage::Retried,
        _ => return None,
    })
}

fn outcome_of(stage: Stage) -> Option<AttemptOutcome> {
    match stage {
        Stage::Posted => Some(AttemptOutcome::Posted),
        Stage::RetryScheduled => Some(AttemptOutcome::Retry),
        Stage::Failed => Some(AttemptOutcome::Failed),
        _ => None,
    }
}

/// Every message id of a step's detail, for the tests that hold them against `locales/`.
pub const DETAIL_MESSAGE_IDS: [&str; 8] = [
    NO_REASON,
    "step-detail-form",
    "step-detail-ehr-id",
    "step-detail-nothing-changed",
    "step-detail-changed",
    "step-detail-with-others",
    "step-detail-attempt",
    "step-detail-attempt-no-answer",
];

/// What a rejection without a reason reads as: a message id of `locales/<language>/changes.ftl`.
const NO_REASON: &str = "reject-no-reason";

/// The reason stored with a rejection, to show: as typed, or when none was given (stored
/// empty) the words for that. Rejections stored before kept the English words as their
/// reason, and read as they are.
pub fn rejection_reason(stored: &str) -> Phrase {
    if stored.is_empty() {
        Phrase::said(NO_REASON)
    } else {
        Phrase::verbatim(stored)
    }
}

fn event_detail(stage: Stage, detail: &serde_json::Value) -> Option<Phrase> {
    let text = |key: &str| detail[key].as_str();
    let bulk = detail["bulk"].as_bool() == Some(true);
    match stage {
        Stage::Held => text("reason").map(|code| {
            HoldReason::parse(code).map_or_else(|| Phrase::verbatim(code), |r| r.message().into())
        }),
        Stage::Posted => text("ehr_resource_id")
            .map(|id| Message::new("step-detail-ehr-id").with("id", id).into()),
        Stage::Rejected => text("reason").map(rejection_reason),
        Stage::Edited => detail["fields"].as_array().map(|fields| {
            // Element paths (`code.text`), the same in every language.
            let names: Vec<&str> = fields.iter().filter_map(|f| f.as_str()).collect();
            if names.is_empty() {
                Phrase::said("step-detail-nothing-changed")
            } else {
                Message::new("step-detail-changed")
                    .with("fields", names.join(", "))
                    .into()
            }
        }),
        Stage::Accepted | Stage::Retried if bulk => Some(Phrase::said("step-detail-with-others")),
        _ => None,
    }
}

fn attempt_note(attempt: &SendAttempt) -> Phrase {
    let id = match attempt.outcome {
        Some(_) => "step-detail-attempt",
        None => "step-detail-attempt-no-answer",
    };
    Message::new(id).with("number", attempt.number).into()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::{mapping::ChangeIdentifier, store::ChangeState};

    const T0: i64 = 1_000_000;

    fn change() -> ChangeRecord {
        ChangeRecord {
            identifier: ChangeIdentifier(Uuid::from_u128(1)),
            submission_id: Uuid::from_u128(9),
            resource_type: ResourceType::AllergyIntolerance,
            resource: json!({}),
            summary: crate::mapping::ChangeSummary::verbatim(""),
            state: ChangeState::Posted,
            hold_reason: None,
            attempts: 2,
            ehr_resource_id: Some("a-1".into()),
            last_error: None,
            created_at: T0,
            original_resource: None,
            reviewer: crate::mapping::Reviewer::Clinician,
        }
    }

    fn event(at: i64, actor: &str, action: &str, detail: serde_json::Value) -> AuditRecord {
        AuditRecord {
            at,
            actor: actor.into(),
            action: action.into(),
            subject_id: Uuid::from_u128(1),
            detail,
        }
    }

    fn attempt(number: i64, at: i64, outcome: AttemptOutcome, words: Option<&str>) -> SendAttempt {
        SendAttempt {
            change_id: Uuid::from_u128(1),
            number,
            started_at: at,
            finished_at: Some(at + 5),
            outcome: Some(outcome),
            ehr_words: words.map(str::to_owned),
            ehr_resource_id: None,
        }
    }

    #[test]
    fn a_held_change_that_failed_and_was_retried_reads_as_its_lifecycle() {
        let events = [
            event(
                T0,
                "system",
                "change.held",
                json!({ "reason": "patient-reported" }),
            ),
            event(T0 + 10, "staff:x", "change.approved", json!({})),
            event(T0 + 25, "worker", "change.failed", json!({})),
            event(
                T0 + 30,
                "staff:x",
                "change.retried",
                json!({ "bulk": true }),
            ),
            event(
                T0 + 45,
                "worker",
                "change.posted",
                json!({ "ehr_resource_id": "a-1" }),
            ),
        ];
        let attempts = [
            attempt(
                1,
                T0 + 20,
                AttemptOutcome::Failed,
                Some("HTTP 422: bad code"),
            ),
            attempt(2, T0 + 40, AttemptOutcome::Posted, None),
        ];
        let trail = change_trail(&change(), &attempts, &events);
        // In the staff pages' English, as the trail page shows them.
        let english = crate::i18n::Language::english();
        let steps: Vec<(Stage, Option<String>)> = trail
            .iter()
            .map(|e| (e.stage, e.detail.as_ref().map(|d| english.phrase(d))))
            .collect();
        let steps: Vec<(Stage, Option<&str>)> =
            steps.iter().map(|(s, d)| (*s, d.as_deref())).collect();
        assert_eq!(
            steps,
            [
                (Stage::Extracted, None),
                (
                    Stage::Held,
                    Some("Reported by the patient; review before it goes on the chart")
                ),
                (Stage::Accepted, None),
                (Stage::Sent, Some("attempt 1")),
                (Stage::Failed, Some("HTTP 422: bad code")),
                (Stage::Retried, Some("with others, in one action")),
                (Stage::Sent, Some("attempt 2")),
                (Stage::Posted, Some("EHR id a-1")),
            ]
        );
        assert!(trail.windows(2).all(|w| w[0].at <= w[1].at));
    }

    #[test]
    fn steps_in_the_same_millisecond_keep_their_order_and_a_send_in_flight_shows() {
        let events = [
            event(T0, "system", "change.queued", json!({})),
            event(
                T0,
                "worker",
                "change.retry_scheduled",
                json!({ "retry_at": T0 + 9 }),
            ),
        ];
        let mut first = attempt(1, T0, AttemptOutcome::Retry, Some("HTTP 503"));
        first.finished_at = Some(T0);
        let mut second = attempt(2, T0, AttemptOutcome::Posted, None);
        second.finished_at = None;
        second.outcome = None;
        let stages: Vec<Stage> = change_trail(&change(), &[first, second], &events)
            .into_iter()
            .map(|e| e.stage)
            .collect();
        assert_eq!(
            stages,
            [
                Stage::Extracted,
                Stage::Queued,
                Stage::Sent,
                Stage::RetryScheduled,
                Stage::Sent
            ]
        );
    }

    #[test]
    fn actors_read_as_people_and_roles() {
        let id = Uuid::from_u128(5);
        let staff = HashMap::from([(id, "Dana Desk".to_owned())]);
        assert_eq!(
            actor_name(&format!("staff:{id}"), &staff),
            Phrase::verbatim("Dana Desk")
        );
        assert_eq!(
            actor_name(&format!("staff:{}", Uuid::from_u128(6)), &staff),
            Phrase::said("actor-former-staff")
        );
        assert_eq!(
            actor_name("patient:abc", &staff),
            Phrase::said("actor-patient")
        );
        assert_eq!(actor_name("worker", &staff), Phrase::said("actor-worker"));
        assert_eq!(actor_name("system", &staff), Phrase::said("actor-intake"));
    }
}
