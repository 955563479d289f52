//! The exception queue's list: what could not post on its own, why,
//! for whom and since when, filtered and sorted by a plain GET form.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Query, State},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::{Staff, StaffHeader};
use crate::{
    intake::{retry_can_fix, reviewer_of},
    mapping::{HoldReason, ResourceType, Reviewer},
    store::{ChangeRecord, ChangeState, ExceptionItem, QueueFilter, QueueSort, StaffRole, Viewed},
    web::{AppState, Error, format, paths},
};

#[derive(Template, WebTemplate)]
#[template(path = "staff/exceptions.html")]
struct ExceptionsPage {
    header: StaffHeader,
    /// "Exception queue" for the front desk, "Review queue" for clinicians.
    title: &'static str,
    /// Whose decisions the queue holds: "the front desk's", "a clinician's".
    whose: &'static str,
    rows: Vec<ExceptionRow>,
    filters: Vec<Filter>,
    /// The filter's fields, carried by the bulk form so its answer comes back to this view.
    kept: Vec<(&'static str, String)>,
    notice: Option<String>,
    filtered: bool,
}

/// One row of the queue.
struct ExceptionRow {
    id: String,
    patient: String,
    form: String,
    summary: String,
    reason: &'static str,
    age: String,
    state: &'static str,
    /// Whether a retry may fix it (it failed only for the EHR being unavailable).
    failed: bool,
    open_url: String,
    approve_url: String,
    retry_url: String,
}

/// One `<select>` of the filter form.
struct Filter {
    name: &'static str,
    label: &'static str,
    options: Vec<FilterOption>,
}

struct FilterOption {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

/// The list's query: the filter form's fields and, after a bulk action, what it did. Every
/// field is text so that a value the form never offers is ignored, not an error page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QueueQuery {
    reason: String,
    #[serde(rename = "type")]
    resource_type: String,
    state: String,
    sort: String,
    done: String,
    count: String,
    skipped: String,
}

const REASONS: [(HoldReason, &str); 3] = [
    (
        HoldReason::PatientReportedNeedsReview,
        "Reported by the patient",
    ),
    (HoldReason::RejectedByEhr, "Rejected by the EHR"),
    (HoldReason::IdentityMismatch, "Name or birth date differs"),
];

const TYPES: [(ResourceType, &str); 9] = [
    (ResourceType::AllergyIntolerance, "Allergy"),
    (ResourceType::MedicationStatement, "Medication"),
    (ResourceType::Condition, "Condition"),
    (ResourceType::Observation, "Observation"),
    (ResourceType::Patient, "Patient details"),
    (ResourceType::QuestionnaireResponse, "Answers"),
    (ResourceType::Provenance, "Provenance"),
    (ResourceType::Flag, "Urgent flag"),
    (ResourceType::Task, "Urgent task"),
];

const STATES: [(ChangeState, &str); 2] = [
    (ChangeState::Held, "Held for review"),
    (ChangeState::Failed, "Failed to post"),
];

const SORTS: [(QueueSort, &str, &str); 3] = [
    (QueueSort::OldestFirst, "oldest", "Oldest first"),
    (QueueSort::NewestFirst, "newest", "Newest first"),
    (QueueSort::Patient, "patient", "By patient"),
];

impl QueueQuery {
    /// The filter it asks for; what it does not name (or names wrongly) is not filtered on.
    fn filter(&self) -> QueueFilter {
        QueueFilter {
            reason: HoldReason::parse(&self.reason),
            resource_type: ResourceType::parse(&self.resource_type),
            state: STATES
                .iter()
                .map(|(state, _)| *state)
                .find(|state| state.code() == self.state),
            reviewer: None,
            sort: SORTS
                .iter()
                .find(|(_, code, _)| *code == self.sort)
                .map_or(QueueSort::OldestFirst, |(sort, _, _)| *sort),
        }
    }

    /// What the last bulk action did, in words.
    fn notice(&self) -> Option<String> {
        let verb = match self.done.as_str() {
            "accepted" => "accepted and sent to the outbox",
            "retried" => "sent again",
            _ => return None,
        };
        let count: usize = self.count.parse().unwrap_or(0);
        let skipped: usize = self.skipped.parse().unwrap_or(0);
        let mut notice = format!(
            "{count} {} {verb}.",
            if count == 1 { "change" } else { "changes" }
        );
        if skipped > 0 {
            notice.push_str(&format!(
                " {skipped} left as they were: already resolved, not yours to decide, or not \
                 something a retry can fix."
            ));
        }
        Some(notice)
    }
}

/// The filter form's selects for `filter`.
fn filters(filter: &QueueFilter) -> Vec<Filter> {
    let any = |label| FilterOption {
        value: "",
        label,
        selected: false,
    };
    let option = |value, label, selected| FilterOption {
        value,
        label,
        selected,
    };
    let mut reason = vec![any("Any reason")];
    reason.extend(
        REASONS
            .iter()
            .map(|(r, label)| option(r.code(), *label, filter.reason == Some(*r))),
    );
    let mut kind = vec![any("Any kind")];
    kind.extend(
        TYPES
            .iter()
            .map(|(t, label)| option(t.as_str(), *label, filter.resource_type == Some(*t))),
    );
    let mut state = vec![any("Held or failed")];
    state.extend(
        STATES
            .iter()
            .map(|(s, label)| option(s.code(), *label, filter.state == Some(*s))),
    );
    let sort = SORTS
        .iter()
        .map(|(s, code, label)| option(*code, *label, filter.sort == *s))
        .collect();
    vec![
        Filter {
            name: "reason",
            label: "Reason",
            options: reason,
        },
        Filter {
            name: "type",
            label: "Kind of change",
            options: kind,
        },
        Filter {
            name: "state",
            label: "State",
            options: state,
        },
        Filter {
            name: "sort",
            label: "Sort",
            options: sort,
        },
    ]
}

/// The filter as query fields, to come back to after a bulk action.
fn kept(filter: &QueueFilter) -> Vec<(&'static str, String)> {
    let mut kept = Vec::new();
    if let Some(reason) = filter.reason {
        kept.push(("reason", reason.code().to_owned()));
    }
    if let Some(kind) = filter.resource_type {
        kept.push(("type", kind.as_str().to_owned()));
    }
    if let Some(state) = filter.state {
        kept.push(("state", state.code().to_owned()));
    }
    if let Some((_, code, _)) = SORTS.iter().find(|(s, _, _)| *s == filter.sort) {
        kept.push(("sort", (*code).to_owned()));
    }
    kept
}

fn reason_of(change: &ChangeRecord) -> &'static str {
    change.hold_reason.map_or("", HoldReason::describe)
}

/// `GET /staff/exceptions?reason=&type=&state=&sort=`: the queue, filtered and sorted.
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<QueueQuery>,
) -> Result<Response, Error> {
    staff.require_any(&[StaffRole::FrontDesk, StaffRole::Clinician])?;
    let chosen = query.filter();
    // Each role's queue holds what it decides on: clinical changes a clinician's.
    let filter = QueueFilter {
        reviewer: reviewer_of(&staff.session),
        ..chosen
    };
    let now = state.services.clock.now_millis();
    let rows = state
        .services
        .find_exceptions(&filter)
        .await?
        .iter()
        .map(|item| row(item, now))
        .collect();
    staff
        .viewed(&state, Viewed::List("exception_queue"))
        .await?;
    let clinical = filter.reviewer == Some(Reviewer::Clinician);
    Ok(ExceptionsPage {
        header: staff.header(),
        title: if clinical {
            "Review queue"
        } else {
            "Exception queue"
        },
        whose: if clinical {
            "a clinician's"
        } else {
            "the front desk's"
        },
        rows,
        filters: filters(&filter),
        kept: kept(&filter),
        notice: query.notice(),
        filtered: chosen != QueueFilter::default(),
    }
    .into_response())
}

fn row(item: &ExceptionItem, now: i64) -> ExceptionRow {
    let change = &item.change;
    let id = change.identifier.0;
    ExceptionRow {
        id: id.to_string(),
        patient: item.patient_name.as_str().to_owned(),
        form: item.form_id.clone(),
        summary: change.summary.clone(),
        reason: reason_of(change),
        age: format::age(change.created_at, now),
        state: change.state.code(),
        failed: retry_can_fix(change),
        open_url: paths::exception(id),
        approve_url: paths::approve(id),
        retry_url: paths::retry(id),
    }
}
