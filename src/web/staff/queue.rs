//! The exception queue's list: what could not post on its own, why,
//! for whom and since when, filtered and sorted by a plain GET form.

use crate::web::staff_texts::{StaffTexts, Words};
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use uuid::Uuid;

use super::{Staff, StaffHeader};
use crate::{
    intake::{FormCatalog, QUEUE_COUNT_SHOWN, QUEUE_PAGE_SIZE, retry_can_fix, reviewer_of},
    mapping::{HoldReason, ResourceType, Reviewer},
    store::{
        ChangeRecord, ChangeState, ExceptionItem, QueueCursor, QueueFilter, QueueSort, StaffRole,
        Viewed,
    },
    web::{AppState, Error, format, paths},
};

#[derive(Template, WebTemplate)]
#[template(path = "staff/exceptions.html")]
struct ExceptionsPage {
    header: StaffHeader,
    /// "Exception queue" for the front desk, "Review queue" for clinicians.
    title: String,
    /// Whose decisions the queue holds: "the front desk's", "a clinician's".
    whose: String,
    rows: Vec<ExceptionRow>,
    filters: Vec<Filter>,
    /// The filter's fields, carried by the bulk form so its answer comes back to this view.
    kept: Vec<(&'static str, String)>,
    notice: Option<String>,
    filtered: bool,
    /// "87 waiting", or "100+ waiting" past the count's cap.
    matching: String,
    /// Whether the filter matches more than this page shows.
    more_than_page: bool,
    earlier_url: Option<String>,
    later_url: Option<String>,
    /// This page with every row checked (the "check all" of a page without JavaScript).
    check_all_url: String,
    /// The bulk form as it was sent, when it comes back to be fixed.
    bulk: BulkEcho,
}

/// What a bulk form held when it comes back with something to fix: nothing is lost.
#[derive(Debug, Default)]
pub struct BulkEcho {
    /// The reason typed for rejecting.
    pub why: String,
    /// What is wrong with it.
    pub why_error: Option<String>,
    /// Whether it asked for every change the filter matches.
    pub everything: bool,
    /// The ids that were checked.
    pub checked: Vec<Uuid>,
}

/// One row of the queue.
struct ExceptionRow {
    id: String,
    patient: String,
    /// The front desk's markers from the patient's answers (never a clinical answer).
    markers: Vec<String>,
    form: String,
    summary: String,
    reason: String,
    age: String,
    state: &'static str,
    /// Whether a retry may fix it (it failed only for the EHR being unavailable).
    failed: bool,
    /// Whether its box is checked.
    checked: bool,
    open_url: String,
    approve_url: String,
    retry_url: String,
}

/// One `<select>` of the filter form.
struct Filter {
    name: &'static str,
    label: String,
    options: Vec<FilterOption>,
}

struct FilterOption {
    value: &'static str,
    label: String,
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
    after: String,
    before: String,
    /// `page`: every row of the page checked.
    select: String,
    done: String,
    count: String,
    skipped: String,
}

const REASONS: [(HoldReason, Words); 3] = [
    (
        HoldReason::PatientReportedNeedsReview,
        StaffTexts::queue_reason_patient,
    ),
    (HoldReason::RejectedByEhr, StaffTexts::queue_reason_ehr),
    (
        HoldReason::IdentityMismatch,
        StaffTexts::queue_reason_identity,
    ),
];

const TYPES: [(ResourceType, Words); 11] = [
    (ResourceType::AllergyIntolerance, StaffTexts::kind_allergy),
    (
        ResourceType::MedicationStatement,
        StaffTexts::kind_medication,
    ),
    (ResourceType::Condition, StaffTexts::kind_condition),
    (ResourceType::Observation, StaffTexts::kind_observation),
    (ResourceType::Patient, StaffTexts::kind_patient),
    (
        ResourceType::QuestionnaireResponse,
        StaffTexts::kind_answers,
    ),
    (ResourceType::Provenance, StaffTexts::kind_provenance),
    (ResourceType::Flag, StaffTexts::kind_flag),
    (ResourceType::Task, StaffTexts::kind_task),
    (ResourceType::Consent, StaffTexts::kind_consent),
    (ResourceType::DocumentReference, StaffTexts::kind_photo),
];

const STATES: [(ChangeState, Words); 2] = [
    (ChangeState::Held, StaffTexts::queue_state_held),
    (ChangeState::Failed, StaffTexts::queue_state_failed),
];

const SORTS: [(QueueSort, &str, Words); 3] = [
    (
        QueueSort::OldestFirst,
        "oldest",
        StaffTexts::queue_sort_oldest,
    ),
    (
        QueueSort::NewestFirst,
        "newest",
        StaffTexts::queue_sort_newest,
    ),
    (
        QueueSort::Patient,
        "patient",
        StaffTexts::queue_sort_patient,
    ),
];

impl QueueQuery {
    /// The filter fields of a posted bulk form (it carries them to come back to this view).
    pub fn from_fields(fields: &[(String, String)]) -> Self {
        let mut query = Self::default();
        for (name, value) in fields {
            let slot = match name.as_str() {
                "reason" => &mut query.reason,
                "type" => &mut query.resource_type,
                "state" => &mut query.state,
                "sort" => &mut query.sort,
                _ => continue,
            };
            value.clone_into(slot);
        }
        query
    }

    /// The page to start from: a cursor that is not an id was not made by this page and is
    /// ignored.
    fn cursor(&self) -> Option<QueueCursor> {
        Uuid::parse_str(&self.after)
            .ok()
            .map(QueueCursor::After)
            .or_else(|| Uuid::parse_str(&self.before).ok().map(QueueCursor::Before))
    }

    /// The filter it asks for; what it does not name (or names wrongly) is not filtered on.
    pub fn filter(&self) -> QueueFilter {
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
        let count: usize = self.count.parse().unwrap_or(0);
        let mut notice = match self.done.as_str() {
            "accepted" => StaffTexts.queue_done_accepted(count),
            "retried" => StaffTexts.queue_done_retried(count),
            "rejected" => StaffTexts.queue_done_rejected(count),
            _ => return None,
        };
        let skipped: usize = self.skipped.parse().unwrap_or(0);
        if skipped > 0 {
            notice.push(' ');
            notice.push_str(&StaffTexts.queue_done_skipped(skipped));
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
    let option = |value, label: &Words, selected| FilterOption {
        value,
        label: label(StaffTexts),
        selected,
    };
    let mut reason = vec![any(StaffTexts.queue_any_reason())];
    reason.extend(
        REASONS
            .iter()
            .map(|(r, label)| option(r.code(), label, filter.reason == Some(*r))),
    );
    let mut kind = vec![any(StaffTexts.queue_any_kind())];
    kind.extend(
        TYPES
            .iter()
            .map(|(t, label)| option(t.as_str(), label, filter.resource_type == Some(*t))),
    );
    let mut state = vec![any(StaffTexts.queue_any_state())];
    state.extend(
        STATES
            .iter()
            .map(|(s, label)| option(s.code(), label, filter.state == Some(*s))),
    );
    let sort = SORTS
        .iter()
        .map(|(s, code, label)| option(*code, label, filter.sort == *s))
        .collect();
    vec![
        Filter {
            name: "reason",
            label: StaffTexts.queue_filter_reason(),
            options: reason,
        },
        Filter {
            name: "type",
            label: StaffTexts.queue_filter_kind(),
            options: kind,
        },
        Filter {
            name: "state",
            label: StaffTexts.queue_filter_state(),
            options: state,
        },
        Filter {
            name: "sort",
            label: StaffTexts.queue_filter_sort(),
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

fn reason_of(change: &ChangeRecord) -> String {
    change
        .hold_reason
        .map(|reason| StaffTexts.message(&reason.message()))
        .unwrap_or_default()
}

/// `GET /staff/exceptions?reason=&type=&state=&sort=&after=|before=&select=`: the queue,
/// filtered and sorted, a page at a time.
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<QueueQuery>,
) -> Result<Response, Error> {
    staff.require_any(&[StaffRole::FrontDesk, StaffRole::Clinician])?;
    let page = queue_page(&state, &staff, &query, BulkEcho::default()).await?;
    Ok(page.into_response())
}

/// The queue page for `query`, with the bulk form as `bulk` left it.
pub async fn queue_page(
    state: &AppState,
    staff: &Staff,
    query: &QueueQuery,
    bulk: BulkEcho,
) -> Result<Response, Error> {
    let chosen = query.filter();
    // Each role's queue holds what it decides on: clinical changes a clinician's.
    let filter = QueueFilter {
        reviewer: reviewer_of(&staff.session),
        ..chosen
    };
    let page = state
        .services
        .exception_page(&filter, query.cursor(), QUEUE_PAGE_SIZE)
        .await?;
    let now = state.services.clock.now_millis();
    let all_checked = query.select == "page";
    let rows: Vec<ExceptionRow> = page
        .items
        .iter()
        .map(|item| {
            let checked = all_checked || bulk.checked.contains(&item.change.identifier.0);
            row(item, &state.services.forms, now, checked)
        })
        .collect();
    staff.viewed(state, Viewed::List("exception_queue")).await?;
    let clinical = filter.reviewer == Some(Reviewer::Clinician);
    let kept = kept(&filter);
    let here = |extra: Option<(&str, String)>| list_url(&kept, extra);
    let status = if bulk.why_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let cursor_field = |cursor: QueueCursor| match cursor {
        QueueCursor::After(id) => ("after", id.to_string()),
        QueueCursor::Before(id) => ("before", id.to_string()),
    };
    let mut this_page: Vec<(&'static str, String)> = kept.clone();
    this_page.extend(query.cursor().map(cursor_field));
    this_page.push(("select", "page".to_owned()));
    let page_view = ExceptionsPage {
        header: staff.header(),
        title: if clinical {
            StaffTexts.nav_review_queue().to_string()
        } else {
            StaffTexts.nav_exceptions().to_string()
        },
        whose: if clinical {
            StaffTexts.queue_whose_clinician()
        } else {
            StaffTexts.queue_whose_front_desk()
        },
        matching: matching_text(page.matching),
        more_than_page: usize::try_from(page.matching).is_ok_and(|n| n > rows.len()),
        earlier_url: page.earlier.map(|c| here(Some(cursor_field(c)))),
        later_url: page.later.map(|c| here(Some(cursor_field(c)))),
        check_all_url: list_url(&this_page, None),
        rows,
        filters: filters(&filter),
        kept,
        notice: query.notice(),
        filtered: chosen != QueueFilter::default(),
        bulk,
    };
    Ok((status, page_view).into_response())
}

/// The list's URL with `kept` and one more field.
fn list_url(kept: &[(&'static str, String)], extra: Option<(&str, String)>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in kept {
        query.append_pair(name, value);
    }
    if let Some((name, value)) = extra {
        query.append_pair(name, &value);
    }
    format!("{}?{}", paths::EXCEPTIONS, query.finish())
}

/// "87 waiting", or "100+ waiting" when the count stopped at its cap.
pub(super) fn matching_text(count: i64) -> String {
    // Grouped here: Fluent as bundled writes numbers without a thousands separator.
    if count > QUEUE_COUNT_SHOWN {
        StaffTexts.queue_waiting_capped(thousands(QUEUE_COUNT_SHOWN))
    } else {
        StaffTexts.queue_waiting_count(thousands(count))
    }
}

/// `n` with a comma between thousands.
fn thousands(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

fn row(item: &ExceptionItem, forms: &FormCatalog, now: i64, checked: bool) -> ExceptionRow {
    let change = &item.change;
    let id = change.identifier.0;
    ExceptionRow {
        id: id.to_string(),
        patient: item.patient_name.as_str().to_owned(),
        markers: item.markers.clone(),
        form: format::form_name(forms, &item.form_id),
        summary: StaffTexts.change_summary(&change.summary),
        reason: reason_of(change),
        age: format::age(change.created_at, now),
        state: change.state.code(),
        failed: retry_can_fix(change),
        checked,
        open_url: paths::exception(id),
        approve_url: paths::approve(id),
        retry_url: paths::retry(id),
    }
}

#[cfg(test)]
mod tests {
    use super::{matching_text, thousands};

    #[test]
    fn counts_read_with_thousands_separated_and_stop_at_the_cap() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(matching_text(100), "100 waiting");
        assert_eq!(matching_text(101), "100+ waiting");
    }
}
