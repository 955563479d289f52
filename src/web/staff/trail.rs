//! The trail of one submission for staff and analysts: the chart read, the submission, each
//! change's routing, sends, acknowledgements, exceptions and resolutions, in time order, with
//! who did each. A page, or JSON with `?format=json` or `Accept: application/json`. The JSON
//! carries ids, codes, times and actors, and as details the EHR's own words and a rejection's
//! reason; it names no patient and holds no answer (the page shows the patient's name).

use crate::web::staff_texts::StaffTexts;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Json,
    extract::{Path, Query, State},
    http::{HeaderMap, header},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Staff, StaffHeader};
use crate::{
    clock::{fhir_instant, from_millis},
    intake::SubmissionTrail,
    mapping::ResourceType,
    store::{StaffRole, Viewed},
    web::{AppState, Error, format},
    writeback::{Stage, actor_name},
};

#[derive(Template, WebTemplate)]
#[template(path = "staff/trail.html")]
struct TrailPage {
    header: StaffHeader,
    patient: String,
    form: String,
    submission: String,
    rows: Vec<TrailRow>,
}

struct TrailRow {
    when: String,
    category: &'static str,
    what: String,
    who: String,
    change: String,
    detail: String,
}

/// The page's query.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TrailQuery {
    format: String,
}

/// The JSON variant.
#[derive(Debug, Serialize)]
struct TrailJson {
    submission: Uuid,
    form: String,
    entries: Vec<EntryJson>,
}

#[derive(Debug, Serialize)]
struct EntryJson {
    at: i64,
    time: String,
    category: &'static str,
    stage: Stage,
    actor: String,
    actor_name: String,
    change: Option<Uuid>,
    resource_type: Option<ResourceType>,
    detail: Option<String>,
}

/// `GET /staff/submissions/{id}/trail`: for the front desk and clinicians.
pub async fn trail(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
    Query(query): Query<TrailQuery>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    staff.require_any(&[StaffRole::FrontDesk, StaffRole::Clinician])?;
    let trail = state.services.submission_trail(id).await?;
    staff.viewed(&state, Viewed::Submission(id)).await?;
    if wants_json(&query, &headers) {
        return Ok(Json(trail_json(&trail)).into_response());
    }
    let zone = &state.services.clinic.zone;
    let rows = trail
        .entries
        .iter()
        .map(|entry| TrailRow {
            when: format::when(zone, entry.at),
            category: entry.stage.category(),
            what: StaffTexts.message(&entry.stage.message()),
            who: StaffTexts.phrase(&actor_name(&entry.actor, &trail.staff_names)),
            change: entry
                .resource_type
                .map(|t| t.as_str().to_owned())
                .unwrap_or_default(),
            detail: entry
                .detail
                .as_ref()
                .map(|d| StaffTexts.phrase(d))
                .unwrap_or_default(),
        })
        .collect();
    Ok(TrailPage {
        header: staff.header(),
        patient: trail.patient_name,
        form: format::form_name(&state.services.forms, &trail.form_id),
        submission: trail.submission_id.to_string(),
        rows,
    }
    .into_response())
}

/// JSON when asked by `?format=json`, or by an `Accept` that names JSON and not HTML.
fn wants_json(query: &TrailQuery, headers: &HeaderMap) -> bool {
    if query.format == "json" {
        return true;
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    accept.contains("application/json") && !accept.contains("text/html")
}

fn trail_json(trail: &SubmissionTrail) -> TrailJson {
    TrailJson {
        submission: trail.submission_id,
        form: trail.form_id.clone(),
        entries: trail
            .entries
            .iter()
            .map(|entry| EntryJson {
                at: entry.at,
                // For machines: an instant with its offset (UTC), whatever the clinic's zone.
                time: fhir_instant(from_millis(entry.at)),
                category: entry.stage.category(),
                stage: entry.stage,
                actor: entry.actor.clone(),
                actor_name: StaffTexts.phrase(&actor_name(&entry.actor, &trail.staff_names)),
                change: entry.change,
                resource_type: entry.resource_type,
                // In English words, as the page shows them; the stage and actor are codes.
                detail: entry.detail.as_ref().map(|d| StaffTexts.phrase(d)),
            })
            .collect(),
    }
}
