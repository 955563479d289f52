//! The front desk's home and the exception queue: what could not post on its own, why, and
//! the actions to resolve it.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Form,
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use axum_htmx::HxRequest;
use serde::Deserialize;
use uuid::Uuid;

use super::{Staff, StaffHeader};
use crate::{
    intake::ChartNow,
    store::{ChangeRecord, StaffRole},
    web::{AppState, Error, format, paths},
};

#[derive(Template, WebTemplate)]
#[template(path = "staff/home.html")]
struct HomePage {
    header: StaffHeader,
    appointments: Vec<AppointmentRow>,
    exception_count: usize,
}

struct AppointmentRow {
    when: String,
    patient: String,
    visit_type: String,
    status: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/exceptions.html")]
struct ExceptionsPage {
    header: StaffHeader,
    rows: Vec<ExceptionRow>,
}

/// What htmx swaps into a row's actions cell once it is accepted.
#[derive(Template, WebTemplate)]
#[template(path = "staff/_accepted.html")]
struct AcceptedFragment;

/// One row of the queue.
struct ExceptionRow {
    patient: String,
    form: String,
    summary: String,
    reason: &'static str,
    age: String,
    state: &'static str,
    csrf: String,
    open_url: String,
    approve_url: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/exception.html")]
struct ExceptionPage {
    header: StaffHeader,
    summary: String,
    reason: &'static str,
    state: &'static str,
    attempts: i64,
    ehr_words: Option<String>,
    proposed: String,
    /// The chart's current value, pretty-printed, when the change would update one.
    on_file: Option<String>,
    /// Why there is no current value to show.
    on_file_note: &'static str,
    trail: Vec<(String, String, String)>,
    actionable: bool,
    approve_url: String,
    reject_url: String,
}

/// The CSRF field of an action.
#[derive(Debug, Deserialize)]
pub struct ActionForm {
    csrf: String,
}

/// The reject form.
#[derive(Debug, Deserialize)]
pub struct RejectForm {
    csrf: String,
    #[serde(default)]
    reason: String,
}

fn reason_of(change: &ChangeRecord) -> &'static str {
    change
        .hold_reason
        .map_or("", crate::mapping::HoldReason::describe)
}

/// `GET /staff`: today's appointments with intake status, and the queue's size.
pub async fn home(State(state): State<AppState>, staff: Staff) -> Result<Response, Error> {
    if staff.session.user.role == StaffRole::Clinician {
        return Ok(Redirect::to(paths::CLINICIAN_HOME).into_response());
    }
    let appointments = state.services.appointments().await?;
    let exception_count = state.services.exception_queue().await?.len();
    let appointments = appointments
        .into_iter()
        .map(|a| AppointmentRow {
            when: format::when(a.appointment.details.starts_at),
            patient: a.appointment.details.patient_name.as_str().to_owned(),
            visit_type: a.appointment.details.visit_type,
            status: match a.intake_status.as_deref() {
                Some("submitted") => "Submitted",
                Some("open") => "Link sent",
                Some("locked") => "Link locked",
                Some("revoked") => "Link replaced",
                _ => "No link yet",
            },
        })
        .collect();
    Ok(HomePage {
        header: staff.header(),
        appointments,
        exception_count,
    }
    .into_response())
}

/// `GET /staff/exceptions`.
pub async fn list(State(state): State<AppState>, staff: Staff) -> Result<Response, Error> {
    staff.require(StaffRole::FrontDesk)?;
    let now = state.services.clock.now_millis();
    let rows = state
        .services
        .exception_queue()
        .await?
        .into_iter()
        .map(|item| {
            row(
                &staff,
                &item.change,
                item.patient_name.as_str(),
                &item.form_id,
                now,
            )
        })
        .collect();
    Ok(ExceptionsPage {
        header: staff.header(),
        rows,
    }
    .into_response())
}

fn row(staff: &Staff, change: &ChangeRecord, patient: &str, form: &str, now: i64) -> ExceptionRow {
    let id = change.identifier.0;
    ExceptionRow {
        patient: patient.to_owned(),
        form: form.to_owned(),
        summary: change.summary.clone(),
        reason: reason_of(change),
        age: format::age(change.created_at, now),
        state: change.state.code(),
        csrf: staff.session.csrf_token.clone(),
        open_url: paths::exception(id),
        approve_url: paths::approve(id),
    }
}

/// `GET /staff/exceptions/{id}`: the proposed change beside what the chart holds, the EHR's
/// words and the history.
pub async fn detail(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
) -> Result<Response, Error> {
    staff.require(StaffRole::FrontDesk)?;
    let change = state.services.proposed_change(id).await?;
    let trail = state
        .services
        .change_trail(id)
        .await?
        .into_iter()
        .map(|(at, actor, action)| (format::when(at), actor, action))
        .collect();
    let actionable = matches!(change.state.code(), "held" | "failed");
    let (on_file, on_file_note) = match state.services.chart_now(&change).await {
        ChartNow::OnFile(resource) => (serde_json::to_string_pretty(&resource).ok(), ""),
        ChartNow::NewEntry => (None, "Nothing on file: this would be a new entry."),
        ChartNow::Gone => (None, "The chart no longer has this entry."),
        ChartNow::Unreadable(_) => (
            None,
            "The chart cannot be read right now; try again shortly.",
        ),
    };
    Ok(ExceptionPage {
        header: staff.header(),
        summary: change.summary.clone(),
        reason: reason_of(&change),
        state: change.state.code(),
        attempts: change.attempts,
        ehr_words: change.last_error.clone(),
        proposed: serde_json::to_string_pretty(&change.resource).unwrap_or_default(),
        on_file,
        on_file_note,
        trail,
        actionable,
        approve_url: paths::approve(id),
        reject_url: paths::reject(id),
    }
    .into_response())
}

/// `POST /staff/exceptions/{id}/approve`: to the outbox. With htmx, answers with the updated row.
pub async fn approve(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(htmx): HxRequest,
    Path(id): Path<Uuid>,
    Form(form): Form<ActionForm>,
) -> Result<Response, Error> {
    staff.require(StaffRole::FrontDesk)?;
    staff.check_csrf(&form.csrf)?;
    state.services.approve_change(&staff.session, id).await?;
    if !htmx {
        return Ok(Redirect::to(paths::EXCEPTIONS).into_response());
    }
    Ok(AcceptedFragment.into_response())
}

/// `POST /staff/exceptions/{id}/reject`: never goes on the chart; the reason is audited.
pub async fn reject(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
    Form(form): Form<RejectForm>,
) -> Result<Response, Error> {
    staff.require(StaffRole::FrontDesk)?;
    staff.check_csrf(&form.csrf)?;
    let reason = form.reason.trim();
    let reason = if reason.is_empty() {
        "no reason given"
    } else {
        reason
    };
    state
        .services
        .reject_change(&staff.session, id, reason)
        .await?;
    Ok(Redirect::to(paths::EXCEPTIONS).into_response())
}
