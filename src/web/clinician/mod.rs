//! The clinician's pages: submissions, and one pre-visit summary per submission.

mod changes;
mod summary;

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Router,
    extract::State,
    response::{IntoResponse, Response},
    routing::{get, post},
};

use super::{
    AppState, Error, flags, format, paths,
    staff::{Staff, StaffHeader},
};
use crate::{
    forms::Audience,
    store::{StaffRole, Viewed},
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
}

#[derive(Template, WebTemplate)]
#[template(path = "clinician/list.html")]
struct ListPage {
    header: StaffHeader,
    rows: Vec<ListRow>,
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
    /// "Reviewed by Dr. Lee, Dr. Ortiz", or empty.
    reviewed: String,
}

async fn list(State(state): State<AppState>, staff: Staff) -> Result<Response, Error> {
    staff.require(StaffRole::Clinician)?;
    let rows = state.services.submissions().await?;
    staff
        .viewed(&state, Viewed::List("submission_list"))
        .await?;
    let rows = rows
        .into_iter()
        .map(|s| ListRow {
            when: format::when(s.starts_at),
            patient: s.patient_name.as_str().to_owned(),
            urgent: flags::for_audience(&s.flags, Audience::Clinician)
                .iter()
                .filter(|f| f.severity == "urgent")
                .count(),
            visit: s.visit_type,
            submitted: format::when(s.submitted_at),
            url: paths::submission(s.id),
            reviewed: if s.reviewed_by.is_empty() {
                String::new()
            } else {
                format!("Reviewed by {}", s.reviewed_by.join(", "))
            },
        })
        .collect();
    Ok(ListPage {
        header: staff.header(),
        rows,
    }
    .into_response())
}
