//! One exception: the proposed change beside the chart's current value, its lifecycle, every
//! send with the EHR's words, and the forms to accept, edit then accept, reject or retry it.

use crate::web::staff_texts::StaffTexts;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Path, State},
    response::{IntoResponse, Response},
};
use uuid::Uuid;

use super::{
    Staff, StaffHeader,
    codes::{CodePicker, concept_of, picker},
};
use crate::{
    domain::ClinicZone,
    intake::{ChartNow, CodeSearch, ExceptionDetail, retry_can_fix, reviewer_of},
    mapping::{
        ChangeEdit, ChosenCode, ComparedRow, EditError, EditField, EditableField, PatientSays,
        compare_in_words,
    },
    store::{AttemptOutcome, ChangeState, SendAttempt, StaffRole, Viewed},
    terminology::CodeList,
    web::{AppState, Error, format, paths},
    writeback::{TrailEntry, actor_name},
};

#[derive(Template, WebTemplate)]
#[template(path = "staff/exception.html")]
pub(super) struct ExceptionPage {
    header: StaffHeader,
    summary: String,
    /// The change in a few clinical words, for the heading: what it is and what changes.
    headline: String,
    /// What the patient said of it, with when on the clinic's clocks.
    patient_says: Option<String>,
    /// What kind of entry, e.g. "Allergy".
    kind: String,
    /// Who and which visit: name, date of birth, record number, visit type and time.
    patient: PatientLine,
    /// Each fact beside the chart's, with what differs marked.
    rows: Vec<FactRow>,
    /// Whether the chart has a current value (else the rows are the proposal alone).
    compared_with_chart: bool,
    reason: String,
    state: &'static str,
    /// How often it was sent to the EHR, in words ("not sent yet", "1 send attempt").
    send_attempts: String,
    ehr_words: Option<String>,
    proposed: String,
    /// The resource as extracted, when staff edited it.
    original: Option<String>,
    /// The chart's current value, pretty-printed, when the change would update one.
    on_file: Option<String>,
    /// Why there is no current value to show.
    on_file_note: String,
    lifecycle: Vec<StepRow>,
    attempts: Vec<AttemptRow>,
    fields: Vec<FieldView>,
    /// The code picker, when the change takes a code.
    picker: Option<CodePicker>,
    error_count: usize,
    /// Whether the change waits for someone's decision.
    waiting: bool,
    /// Whether it waits for this user's.
    actionable: bool,
    /// Who decides on it: "a clinician", "the front desk".
    reviewer: String,
    retryable: bool,
    approve_url: String,
    reject_url: String,
    retry_url: String,
    edit_url: String,
    trail_url: String,
    /// A refused reason for rejecting, as typed, with what is wrong with it.
    reject_refused: Option<(String, String)>,
}

impl ExceptionPage {
    /// The page again after a reason for rejecting was refused: what was typed stays in the
    /// field, with the message beside it.
    pub(super) fn with_refused_reason(mut self, typed: &str, message: String) -> Self {
        self.reject_refused = Some((crate::domain::without_control_characters(typed), message));
        self
    }
}

/// The patient and the visit, as the heading names them.
struct PatientLine {
    name: String,
    birth_date: String,
    mrn: String,
    visit: String,
    /// "Answered in Vietnamese": the patient's own words below are in that language.
    answered_in: String,
}

/// One fact on both sides, in words.
pub(super) struct FactRow {
    label: String,
    proposed: Option<String>,
    on_file: Option<String>,
    differs: bool,
}

impl FactRow {
    /// `row` in the staff pages' language.
    pub(super) fn of(row: &ComparedRow) -> Self {
        let words =
            |phrase: &Option<crate::domain::Phrase>| phrase.as_ref().map(|p| StaffTexts.phrase(p));
        Self {
            label: StaffTexts.phrase(&row.label),
            proposed: words(&row.proposed),
            on_file: words(&row.on_file),
            differs: row.differs,
        }
    }
}

/// One step of the change's lifecycle.
struct StepRow {
    when: String,
    what: String,
    stage: &'static str,
    who: String,
    detail: String,
}

/// One send to the EHR.
struct AttemptRow {
    number: i64,
    started: String,
    finished: String,
    outcome: String,
    words: String,
}

/// One field of the edit form, with what was typed and why it was refused.
struct FieldView {
    name: &'static str,
    label: String,
    value: String,
    error: Option<String>,
    choices: Vec<Choice>,
    /// Whether it is the code, chosen with the picker.
    is_code: bool,
}

/// One option of a field with a fixed list: the code sent, the words shown.
struct Choice {
    value: &'static str,
    words: String,
    selected: bool,
}

/// An edit being made: what was typed, what the checks refused, and the code search.
#[derive(Debug, Clone, Copy)]
pub(super) struct Typed<'a> {
    /// The fields as typed.
    pub edit: &'a ChangeEdit,
    /// Why some were refused.
    pub errors: &'a [EditError],
    /// The code picker's search words.
    pub query: &'a str,
    /// What they found.
    pub search: Option<&'a CodeSearch>,
}

/// `GET /staff/exceptions/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
) -> Result<Response, Error> {
    staff.require_any(&[StaffRole::FrontDesk, StaffRole::Clinician])?;
    let page = detail_page(&state, &staff, id, None).await?;
    staff.viewed(&state, Viewed::Exception(id)).await?;
    Ok(page.into_response())
}

/// The page of change `id`; `typed` holds an edit being made (searched, or refused by the
/// checks), to show again.
pub(super) async fn detail_page(
    state: &AppState,
    staff: &Staff,
    id: Uuid,
    typed: Option<Typed<'_>>,
) -> Result<ExceptionPage, Error> {
    let found = state.services.exception_detail(id).await?;
    let (on_file, on_file_note) = match &found.chart_now {
        ChartNow::OnFile(resource) => (serde_json::to_string_pretty(resource).ok(), String::new()),
        ChartNow::NewEntry => (None, StaffTexts.exception_new_entry()),
        ChartNow::Gone => (None, StaffTexts.exception_gone()),
        ChartNow::Unreadable(_) => (None, StaffTexts.exception_unreadable()),
    };
    let fields: Vec<FieldView> = found
        .editable
        .iter()
        .map(|f| field_view(f, typed))
        .collect();
    let change = &found.change;
    let picker = fields.iter().any(|f| f.is_code).then(|| {
        picker(
            id,
            CodeList::for_resource(change.resource_type).unwrap_or(CodeList::Conditions),
            typed.map_or("", |t| t.query),
            ChosenCode::of_concept(concept_of(&change.resource)),
            typed.and_then(|t| t.edit.code.as_deref()),
            typed.and_then(|t| t.search),
        )
    });
    let current = match &found.chart_now {
        ChartNow::OnFile(resource) => Some(resource),
        _ => None,
    };
    let compared = compare_in_words(&change.resource, current);
    let visit = &found.visit.details;
    let zone = &state.services.clinic.zone;
    Ok(ExceptionPage {
        header: staff.header(),
        summary: StaffTexts.change_summary(&change.summary),
        headline: StaffTexts.phrase(&compared.heading),
        patient_says: compared
            .patient_says
            .as_ref()
            .map(|said| patient_says(zone, said)),
        kind: StaffTexts.message(&compared.kind.message()),
        patient: PatientLine {
            name: visit.patient_name.as_str().to_owned(),
            birth_date: visit.patient_birth_date.to_display(),
            mrn: visit.patient.value.clone(),
            visit: format!(
                "{}, {}",
                visit.visit_type,
                format::when(zone, visit.starts_at)
            ),
            answered_in: format::answered_in(found.answered_in.as_deref()),
        },
        compared_with_chart: compared.on_file,
        rows: compared.rows.iter().map(FactRow::of).collect(),
        reason: change
            .hold_reason
            .map(|reason| StaffTexts.message(&reason.message()))
            .unwrap_or_default(),
        state: change.state.code(),
        send_attempts: StaffTexts.exception_send_attempts(change.attempts),
        ehr_words: change.last_error.clone(),
        proposed: serde_json::to_string_pretty(&change.resource).unwrap_or_default(),
        original: change
            .original_resource
            .as_ref()
            .and_then(|r| serde_json::to_string_pretty(r).ok()),
        on_file,
        on_file_note,
        lifecycle: lifecycle(zone, &found),
        attempts: found
            .attempts
            .iter()
            .map(|attempt| attempt_row(zone, attempt))
            .collect(),
        error_count: fields.iter().filter(|f| f.error.is_some()).count(),
        fields,
        picker,
        waiting: matches!(change.state, ChangeState::Held | ChangeState::Failed),
        actionable: matches!(change.state, ChangeState::Held | ChangeState::Failed)
            && reviewer_of(&staff.session) == Some(change.reviewer),
        reviewer: StaffTexts.message(&change.reviewer.message()),
        retryable: retry_can_fix(change),
        approve_url: paths::approve(id),
        reject_url: paths::reject(id),
        retry_url: paths::retry(id),
        edit_url: paths::edit(id),
        trail_url: paths::trail(change.submission_id),
        reject_refused: None,
    })
}

fn lifecycle(zone: &ClinicZone, found: &ExceptionDetail) -> Vec<StepRow> {
    found
        .lifecycle
        .iter()
        .map(|entry: &TrailEntry| StepRow {
            when: format::when(zone, entry.at),
            what: StaffTexts.message(&entry.stage.message()),
            stage: entry.stage.category(),
            who: StaffTexts.phrase(&actor_name(&entry.actor, &found.staff_names)),
            detail: entry
                .detail
                .as_ref()
                .map(|d| StaffTexts.phrase(d))
                .unwrap_or_default(),
        })
        .collect()
}

fn attempt_row(zone: &ClinicZone, attempt: &SendAttempt) -> AttemptRow {
    let when = |at| format::when(zone, at);
    AttemptRow {
        number: attempt.number,
        started: when(attempt.started_at),
        finished: attempt.finished_at.map(when).unwrap_or_default(),
        outcome: match attempt.outcome {
            Some(AttemptOutcome::Posted) => StaffTexts.attempt_posted(),
            Some(AttemptOutcome::Retry) => StaffTexts.attempt_retry(),
            Some(AttemptOutcome::Failed) => StaffTexts.attempt_refused(),
            None => StaffTexts.attempt_no_answer(),
        },
        words: attempt
            .ehr_words
            .clone()
            .or_else(|| {
                attempt
                    .ehr_resource_id
                    .as_ref()
                    .map(|id| StaffTexts.ehr_id(id))
            })
            .unwrap_or_default(),
    }
}

fn field_view(field: &EditableField, typed: Option<Typed<'_>>) -> FieldView {
    let value = typed
        .and_then(|t| t.edit.get(field.field))
        .map_or_else(|| field.current.clone(), str::to_owned);
    let error = typed.and_then(|t| {
        t.errors
            .iter()
            .find(|e| e.field == field.field)
            .map(|e| StaffTexts.phrase(&e.message))
    });
    FieldView {
        name: field.field.name(),
        label: StaffTexts.message(&crate::domain::Message::new(field.label)),
        choices: field
            .choices
            .iter()
            .map(|choice| Choice {
                value: choice.code,
                words: StaffTexts.message(&choice.words()),
                selected: choice.code == value,
            })
            .collect(),
        is_code: field.field == EditField::Code,
        value,
        error,
    }
}

/// "Patient says (22 Nov 2026, 05:00): stopped in October", the time on the clinic's clocks.
fn patient_says(zone: &ClinicZone, said: &PatientSays) -> String {
    let at = said.at.as_deref().and_then(|at| {
        time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).ok()
    });
    match at {
        Some(at) => StaffTexts
            .exception_patient_says_at(format::when(zone, crate::clock::millis(at)), &said.words),
        None => StaffTexts.exception_patient_says(&said.words),
    }
}
