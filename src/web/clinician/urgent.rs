//! Urgent flags on the clinician's pages: each with who acknowledged it, when and their note,
//! or a form to acknowledge it (a plain POST with the CSRF token; no JavaScript needed); and the
//! unacknowledged ones at the top of the list.

use axum::{
    Form,
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use uuid::Uuid;

use crate::web::staff_texts::StaffTexts;

use super::super::{AppState, Error, format, paths, staff::Staff};
use crate::{
    domain::ClinicZone,
    engine::RaisedFlag,
    store::{OpenUrgentFlag, StaffRole, UrgentFlagRecord},
};

/// One urgent flag as the summary shows it.
#[derive(Debug, Clone)]
pub struct UrgentLine {
    /// What the flag says (the form's words for clinicians).
    pub message: String,
    /// When it was raised.
    pub raised: String,
    /// When it was escalated, if it was.
    pub escalated: Option<String>,
    /// "Acknowledged by … at …: note", once someone has.
    pub acknowledged: Option<String>,
    /// Where the acknowledge form posts.
    pub acknowledge_url: String,
    /// The note field's id (unique on the page).
    pub note_id: String,
}

/// One unacknowledged urgent flag at the top of the list.
#[derive(Debug, Clone)]
pub struct OpenFlagLine {
    /// The patient's name.
    pub patient: String,
    /// The visit and its time.
    pub visit: String,
    /// When it was raised, and whether it was escalated.
    pub raised: String,
    /// The summary.
    pub url: String,
    /// Where the acknowledge form posts.
    pub acknowledge_url: String,
    /// The note field's id.
    pub note_id: String,
}

/// The summary's lines for a submission's urgent flags.
pub fn lines(
    zone: &ClinicZone,
    records: &[UrgentFlagRecord],
    raised: &[RaisedFlag],
) -> Vec<UrgentLine> {
    let when = |at| format::when(zone, at);
    records
        .iter()
        .map(|record| UrgentLine {
            message: raised
                .iter()
                .find(|f| f.id == record.flag_id)
                .map_or_else(|| record.flag_id.clone(), |f| f.message.en().to_owned()),
            raised: when(record.raised_at),
            escalated: record.escalated_at.map(when),
            acknowledged: record.acknowledgement.as_ref().map(|a| {
                if a.note.is_empty() {
                    StaffTexts.urgent_acknowledged(&a.by_name, when(a.at))
                } else {
                    StaffTexts.urgent_acknowledged_note(&a.by_name, when(a.at), &a.note)
                }
            }),
            acknowledge_url: paths::acknowledge_flag(record.id),
            note_id: format!("ack-note-{}", record.id),
        })
        .collect()
}

/// The list's lines for the unacknowledged urgent flags.
pub fn open_lines(zone: &ClinicZone, open: Vec<OpenUrgentFlag>) -> Vec<OpenFlagLine> {
    let when = |at| format::when(zone, at);
    open.into_iter()
        .map(|o| OpenFlagLine {
            patient: o.patient_name.as_str().to_owned(),
            visit: format!("{} · {}", o.visit_type, when(o.starts_at)),
            raised: match o.flag.escalated_at {
                Some(at) => format!("raised {}, escalated {}", when(o.flag.raised_at), when(at)),
                None => format!("raised {}", when(o.flag.raised_at)),
            },
            url: paths::submission(o.flag.submission_id),
            acknowledge_url: paths::acknowledge_flag(o.flag.id),
            note_id: format!("ack-note-{}", o.flag.id),
        })
        .collect()
}

/// The acknowledge form.
#[derive(Debug, serde::Deserialize)]
pub struct AcknowledgeForm {
    csrf: String,
    #[serde(default)]
    note: String,
    /// `list`, or the submission whose summary the form was on.
    #[serde(default)]
    back: Option<Uuid>,
}

/// `POST /clinician/flags/{id}/acknowledge`: any signed-in front desk or clinician
/// acknowledges an urgent flag, with a note; back to the summary (or the list, or the front
/// desk's home) it came from, which shows who did it. Someone who acknowledged first keeps theirs.
pub async fn acknowledge(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
    Form(form): Form<AcknowledgeForm>,
) -> Result<Response, Error> {
    staff.require_any(&[StaffRole::FrontDesk, StaffRole::Clinician])?;
    staff.check_csrf(&form.csrf)?;
    let source = staff.client.0.to_string();
    state
        .services
        .acknowledge_urgent_flag(&staff.session, id, &form.note, &source)
        .await?;
    let home = if staff.session.user.role == StaffRole::Clinician {
        paths::CLINICIAN_HOME
    } else {
        paths::STAFF_HOME
    };
    let back = form.back.map_or_else(|| home.to_owned(), paths::submission);
    Ok(Redirect::to(&back).into_response())
}
