//! The clinician's pages: submissions, and one pre-visit summary per submission.

mod changes;
mod summary;
mod urgent;

use crate::web::staff_texts::StaffTexts;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Router,
    extract::{Query, State},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    AppState, Error, flags, format, paths,
    staff::{Staff, StaffHeader},
};
use crate::{
    forms::Audience,
    store::{QueueCursor, StaffRole, Viewed},
};

/// The clinician routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::CLINICIAN_HOME, get(list))
        .route("/clinician/submissions/{id}", get(summary::page))
        .route(
            "/clinician/submissions/{id}/reviewed",
            post(summary::reviewed),
        )
        .route(paths::ACKNOWLEDGE_FLAG, post(urgent::acknowledge))
}

#[derive(Template, WebTemplate)]
#[template(path = "clinician/list.html")]
struct ListPage {
    header: StaffHeader,
    rows: Vec<ListRow>,
    /// The unacknowledged urgent flags, oldest first, and how many there are in all.
    open_flags: Vec<urgent::OpenFlagLine>,
    open_total: i64,
    earlier_url: Option<String>,
    later_url: Option<String>,
}

/// One submission in the clinician's list.
struct ListRow {
    when: String,
    patient: String,
    visit: String,
    submitted: String,
    url: String,
    /// How many urgent flags its answers raised for clinicians.
    urgent: usize,
    /// How many of its urgent flags nobody has acknowledged yet.
    unacknowledged: usize,
    /// "Reviewed by Dr. Lee, Dr. Ortiz", or empty.
    reviewed: String,
}

/// The list's query: where a page starts. A value that is not an id is ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    after: String,
    before: String,
}

/// Rows a page of the clinician's list holds.
const LIST_PAGE_SIZE: i64 = 50;

/// `GET /clinician?after=|before=`: submissions by appointment time, a page at a time.
async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<ListQuery>,
) -> Result<Response, Error> {
    staff.require(StaffRole::Clinician)?;
    let from = Uuid::parse_str(&query.after)
        .ok()
        .map(QueueCursor::After)
        .or_else(|| Uuid::parse_str(&query.before).ok().map(QueueCursor::Before));
    let page = state
        .services
        .submissions_page(from, LIST_PAGE_SIZE)
        .await?;
    let link = |cursor: QueueCursor| match cursor {
        QueueCursor::After(id) => format!("{}?after={id}", paths::CLINICIAN_HOME),
        QueueCursor::Before(id) => format!("{}?before={id}", paths::CLINICIAN_HOME),
    };
    let (earlier_url, later_url) = (page.earlier.map(link), page.later.map(link));
    let rows = page.rows;
    let ids: Vec<Uuid> = rows.iter().map(|s| s.id).collect();
    let records = state.services.urgent_flags_of(&ids).await?;
    let (open, open_total) = state.services.open_urgent_flags().await?;
    staff
        .viewed(&state, Viewed::List("submission_list"))
        .await?;
    let zone = &state.services.clinic.zone;
    let rows = rows
        .into_iter()
        .map(|s| ListRow {
            unacknowledged: records
                .iter()
                .filter(|r| r.submission_id == s.id && r.acknowledgement.is_none())
                .count(),
            when: format::when(zone, s.starts_at),
            patient: s.patient_name.as_str().to_owned(),
            urgent: flags::for_audience(&s.flags, Audience::Clinician)
                .iter()
                .filter(|f| f.severity == "urgent")
                .count(),
            visit: s.visit_type,
            submitted: format::when(zone, s.submitted_at),
            url: paths::submission(s.id),
            reviewed: if s.reviewed_by.is_empty() {
                StaffTexts.summaries_not_yet()
            } else {
                StaffTexts.summaries_reviewed_by(s.reviewed_by.join(", "))
            },
        })
        .collect();
    Ok(ListPage {
        header: staff.header(),
        rows,
        open_flags: urgent::open_lines(zone, open),
        open_total,
        earlier_url,
        later_url,
    }
    .into_response())
}
