//! The pre-visit summary page: who and what visit, urgent flags, scores with their meaning,
//! what differs from the chart, the positive answers; the rest behind disclosures. A
//! clinician marks it reviewed; `?print=1` is the same page laid out for paper.

use crate::web::staff_texts::StaffTexts;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Form,
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use uuid::Uuid;

use super::changes::{self, ChangeLine};
use crate::{
    domain::{BirthDate, ClinicZone, Message},
    forms::Audience,
    intake::{SubmissionSummary, reviewer_of},
    mapping::ResourceType,
    store::{StaffRole, Viewed},
    summary::{ScoreLine, SummarySection},
    web::{
        AppState, Error,
        flags::{self, FlagLine},
        format, paths,
        staff::{Staff, StaffHeader},
    },
};

#[derive(Template, WebTemplate)]
#[template(path = "clinician/summary.html")]
struct SummaryPage {
    header: StaffHeader,
    patient: String,
    /// "52 y · Female · born 3 Mar 1974".
    facts: String,
    visit: String,
    /// "Answered in Spanish · Interpreter requested".
    language: String,
    interpreter: String,
    submitted: String,
    form_title: String,
    flags: Vec<FlagLine>,
    /// The urgent flags with their acknowledgements (`_urgent_flags.html`).
    urgent: Vec<super::urgent::UrgentLine>,
    /// The submission, for the acknowledge forms to come back to.
    submission_id: Uuid,
    scores: Vec<ScoreLine>,
    /// Allergies, medicines and conditions.
    differences: Vec<ChangeLine>,
    notable: Vec<SummarySection>,
    other: Vec<SummarySection>,
    /// The rest: demographics, the answers as a whole, scores as observations.
    other_changes: Vec<ChangeLine>,
    consents: Vec<ConsentLine>,
    /// The patient's photos: the question and where staff see the file.
    photos: Vec<(String, String)>,
    reviews: Vec<String>,
    /// Where "Mark as reviewed" posts, while this clinician has not.
    review_url: Option<String>,
    trail_url: String,
    print_url: String,
    print: bool,
}

/// A consent as the summary shows it.
struct ConsentLine {
    title: String,
    version: String,
    agreed: bool,
    signed: String,
    at: String,
    /// Where staff see the signature the patient drew, when they drew one.
    drawn: Option<String>,
}

/// `?print=1` lays the page out for paper.
#[derive(Debug, Deserialize)]
pub(super) struct PrintQuery {
    #[serde(default)]
    print: Option<String>,
}

/// `GET /clinician/submissions/{id}`.
pub(super) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
    Query(query): Query<PrintQuery>,
) -> Result<Response, Error> {
    staff.require(StaffRole::Clinician)?;
    let found = state.services.submission_summary(id).await?;
    let urgent = state.services.urgent_flags_of(&[id]).await?;
    staff.viewed(&state, Viewed::Submission(id)).await?;
    let print = query.print.as_deref() == Some("1");
    let zone = &state.services.clinic.zone;
    let urgent = super::urgent::lines(zone, &urgent, &found.submission.flags);
    Ok(render(&staff, zone, found, urgent, print).into_response())
}

/// The posted "reviewed" form.
#[derive(Debug, Deserialize)]
pub(super) struct ReviewedForm {
    csrf: String,
}

/// `POST /clinician/submissions/{id}/reviewed`: this clinician reviewed it (audited once).
pub(super) async fn reviewed(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
    Form(form): Form<ReviewedForm>,
) -> Result<Response, Error> {
    staff.require(StaffRole::Clinician)?;
    staff.check_csrf(&form.csrf)?;
    let source = staff.client.0.to_string();
    state
        .services
        .mark_reviewed(&staff.session, id, &source)
        .await?;
    Ok(Redirect::to(&paths::submission(id)).into_response())
}

fn render(
    staff: &Staff,
    zone: &ClinicZone,
    found: SubmissionSummary,
    urgent: Vec<super::urgent::UrgentLine>,
    print: bool,
) -> SummaryPage {
    let submission = &found.submission;
    let id = submission.id;
    let viewer = reviewer_of(&staff.session);
    let (differences, other_changes): (Vec<_>, Vec<_>) = found
        .changes
        .iter()
        .partition(|c| clinical(c.resource_type));
    let line = |c: &&crate::store::ChangeRecord| {
        changes::line(c, found.decisions.get(&c.identifier.0), viewer)
    };
    let when = |at| format::when(zone, at);
    let mine = found
        .reviews
        .iter()
        .any(|r| r.staff_id == staff.session.user.id);
    SummaryPage {
        header: staff.header(),
        patient: submission.patient_name.as_str().to_owned(),
        facts: facts(
            &submission.patient_birth_date,
            zone.local_millis(submission.starts_at).date(),
            found.chart.sex.as_ref(),
        ),
        visit: format!("{} · {}", submission.visit_type, when(submission.starts_at)),
        language: format::answered_in(submission.language.as_deref()),
        interpreter: match (found.summary.interpreter, found.chart.interpreter_required) {
            (Some(true), _) => StaffTexts.interpreter_requested(),
            (Some(false), _) => StaffTexts.interpreter_not_wanted(),
            (None, Some(true)) => StaffTexts.interpreter_needed(),
            (None, _) => StaffTexts.interpreter_no_request(),
        },
        submitted: when(submission.submitted_at),
        form_title: found.summary.form_title.clone(),
        flags: flags::for_audience(&submission.flags, Audience::Clinician),
        urgent,
        submission_id: id,
        scores: found.summary.scores.clone(),
        differences: differences.iter().map(line).collect(),
        other_changes: other_changes.iter().map(line).collect(),
        notable: found.summary.notable.clone(),
        other: found.summary.other.clone(),
        consents: submission
            .consents
            .iter()
            .map(|c| ConsentLine {
                title: c.title.clone(),
                version: c.version.clone(),
                agreed: c.agreed,
                signed: c.signed_name.clone().unwrap_or_default(),
                at: when(c.recorded_at),
                drawn: c.drawn.as_ref().map(|file| crate::web::files::url(file.id)),
            })
            .collect(),
        photos: found
            .photos
            .iter()
            .map(|(question, file)| (question.clone(), crate::web::files::url(file.id)))
            .collect(),
        reviews: found
            .reviews
            .iter()
            .map(|r| StaffTexts.summary_reviewed_by(&r.staff_name, when(r.reviewed_at)))
            .collect(),
        review_url: (!mine).then(|| paths::submission_reviewed(id)),
        trail_url: paths::trail(id),
        print_url: format!("{}?print=1", paths::submission(id)),
        print,
    }
}

/// Allergies, medicines and conditions: what the clinician compares with the chart.
fn clinical(kind: ResourceType) -> bool {
    matches!(
        kind,
        ResourceType::AllergyIntolerance
            | ResourceType::MedicationStatement
            | ResourceType::Condition
    )
}

/// "52 y · Female · born 3 Mar 1974": age on the day of the visit (`visit_day`, the clinic's).
fn facts(birth_date: &str, visit_day: time::Date, sex: Option<&Message>) -> String {
    let sex = sex.map_or_else(|| StaffTexts.summary_no_sex(), |m| StaffTexts.message(m));
    let mut parts = Vec::new();
    if let Ok(born) = BirthDate::from_chart(birth_date) {
        parts.push(StaffTexts.summary_age(born.age_on(visit_day)));
        parts.push(sex);
        parts.push(StaffTexts.summary_born(born.to_display()));
    } else {
        parts.push(sex);
    }
    parts.join(" · ")
}
