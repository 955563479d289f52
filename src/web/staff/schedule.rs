//! `/staff/schedule`: when the schedule sync last ran, what it did, and each appointment it
//! could not bring in, by the EHR's appointment id, a page of 50 at a time (by key).

use crate::web::staff_texts::StaffTexts;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Query, State},
    response::IntoResponse,
};
use serde::Deserialize;

use super::{Staff, StaffHeader};
use crate::{
    store::StaffRole,
    web::{AppState, Error, format},
};

const PAGE: i64 = 50;

#[derive(Template, WebTemplate)]
#[template(path = "staff/schedule.html")]
struct SchedulePage {
    header: StaffHeader,
    /// The clinic's time zone, which the times are in.
    zone: String,
    last_run: Option<(String, String)>,
    problems: Vec<ProblemRow>,
    next: Option<String>,
}

struct ProblemRow {
    appointment: String,
    when: String,
    message: String,
}

/// `?after=` the last EHR appointment id of the page before.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ScheduleQuery {
    after: String,
}

/// `GET /staff/schedule`.
pub async fn problems(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<ScheduleQuery>,
) -> Result<impl IntoResponse, Error> {
    staff.require(StaffRole::FrontDesk)?;
    let after = Some(query.after.as_str()).filter(|a| !a.is_empty());
    let mut problems = state.services.schedule_problems(after, PAGE + 1).await?;
    let more = problems.len() > usize::try_from(PAGE).unwrap_or(50);
    problems.truncate(usize::try_from(PAGE).unwrap_or(50));
    let next = more.then(|| problems.last()).flatten().map(|p| {
        format!(
            "?after={}",
            url::form_urlencoded::byte_serialize(p.ehr_appointment_id.as_bytes())
                .collect::<String>()
        )
    });
    let zone = &state.services.clinic.zone;
    let when = |at| format::when(zone, at);
    let last_run = state
        .services
        .store
        .last_schedule_sync()
        .await
        .map_err(crate::intake::ServiceError::from)?
        .map(|run| (when(run.finished_at), run.summary));
    Ok(SchedulePage {
        header: staff.header(),
        zone: zone.name().to_owned(),
        last_run,
        problems: problems
            .into_iter()
            .map(|p| ProblemRow {
                appointment: p.ehr_appointment_id,
                when: p
                    .starts_at
                    .map(when)
                    .unwrap_or_else(|| StaffTexts.schedule_no_start()),
                message: p.message,
            })
            .collect(),
        next,
    })
}
