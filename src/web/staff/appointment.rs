//! One appointment for the front desk: the patient, the visit, the form, the intake's state,
//! every message with the gateway's words, and the actions on its link. A link can only be
//! shown when it is made (the token is stored hashed), so "show link and QR code" makes a fresh
//! one and shows it once, as text to copy and as a QR code drawn on the server.

use crate::web::form::Form;
use crate::web::staff_texts::StaffTexts;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use uuid::Uuid;

use super::{Staff, StaffHeader};
use crate::{
    domain::{ClinicZone, IntakeState, LinkStatus},
    forms::Audience,
    intake::{AppointmentDetail, ServiceError, Services},
    store::{AppointmentMessage, StaffRole, Viewed},
    web::{
        AppState, Error,
        flags::{self, FlagLine},
        format, paths,
    },
};

#[derive(Template, WebTemplate)]
#[template(path = "staff/appointment.html")]
struct AppointmentPage {
    header: StaffHeader,
    patient: String,
    birth_date: String,
    record_number: String,
    visit_when: String,
    visit_type: String,
    form: String,
    state_code: &'static str,
    state_label: String,
    flags: Vec<FlagLine>,
    /// What the answers marked for the front desk, with those answers.
    notes: Vec<crate::summary::StaffNote>,
    messages: Vec<MessageRow>,
    /// Whether this user may act (the front desk; clinicians read).
    can_act: bool,
    csrf: String,
    back: String,
    worklist_url: String,
    link_url: Option<String>,
    send_url: Option<String>,
    /// "Send now" before any message, "Re-send" after.
    send_label: String,
    unlock_url: Option<String>,
    cancel_url: Option<String>,
    notice: Option<String>,
    /// A link just made, to show once.
    fresh_link: Option<String>,
    /// Its QR code, as inline SVG made here.
    qr_svg: Option<String>,
}

/// One message about the appointment.
struct MessageRow {
    when: String,
    purpose: String,
    channel: String,
    state: String,
    words: String,
}

/// The page's query: what an action did.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageParams {
    done: String,
}

/// An action's form: the CSRF token and where to come back to.
#[derive(Debug, Deserialize)]
pub struct ActionForm {
    csrf: String,
    #[serde(default)]
    back: String,
}

/// `GET /staff/appointments/{id}`: front desk and clinicians alike (clinicians see no actions).
pub async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
    axum::extract::Query(params): axum::extract::Query<PageParams>,
) -> Result<Response, Error> {
    staff.require_any(&[StaffRole::FrontDesk, StaffRole::Clinician])?;
    let detail = state.services.appointment_detail(id).await?;
    staff.viewed(&state, Viewed::Appointment(id)).await?;
    let mut page = page(&staff, &state.services, &detail);
    page.notice = super::worklist::notice(&params.done);
    Ok(page.into_response())
}

/// `POST /staff/appointments/{id}/link`: a fresh link (the old one stops working), shown once
/// as text and as a QR code.
pub async fn link(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
    Form(form): Form<ActionForm>,
) -> Result<Response, Error> {
    staff.require(StaffRole::FrontDesk)?;
    staff.check_csrf(&form.csrf)?;
    let token = state.services.issue_link(&staff.session, id).await?;
    let link = state.services.messaging.link(&token);
    let detail = state.services.appointment_detail(id).await?;
    let mut page = page(&staff, &state.services, &detail);
    page.qr_svg = Some(qr_svg(&link)?);
    page.fresh_link = Some(link);
    Ok(page.into_response())
}

/// `POST /staff/appointments/{id}/send`: send now, or re-send: a fresh link (the old one stops
/// working) in a message by text or email, through the outbox.
pub async fn send(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
    Form(form): Form<ActionForm>,
) -> Result<Response, Error> {
    staff.require(StaffRole::FrontDesk)?;
    staff.check_csrf(&form.csrf)?;
    let actor = crate::store::staff_actor(staff.session.user.id);
    let done = match state.services.send_invitation(id, &actor).await {
        Ok(_) => "sent",
        Err(ServiceError::Unreachable(_)) => "unreachable",
        Err(ServiceError::Conflict(_)) => "not-sendable",
        Err(other) => return Err(other.into()),
    };
    Ok(back_to(&form.back, id, done))
}

/// `POST /staff/appointments/{id}/unlock`: the locked link works again.
pub async fn unlock(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
    Form(form): Form<ActionForm>,
) -> Result<Response, Error> {
    staff.require(StaffRole::FrontDesk)?;
    staff.check_csrf(&form.csrf)?;
    let done = state.services.unlock_link(&staff.session, id).await;
    Ok(back_to(
        &form.back,
        id,
        outcome(done, "unlocked", "not-locked")?,
    ))
}

/// `POST /staff/appointments/{id}/cancel`: the open or locked link stops working.
pub async fn cancel(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
    Form(form): Form<ActionForm>,
) -> Result<Response, Error> {
    staff.require(StaffRole::FrontDesk)?;
    staff.check_csrf(&form.csrf)?;
    let done = state.services.cancel_link(&staff.session, id).await;
    Ok(back_to(
        &form.back,
        id,
        outcome(done, "cancelled", "nothing-to-cancel")?,
    ))
}

/// The notice code for an action's result: `done` when it worked, `refused` when it did not
/// apply (someone else acted first); other failures are errors.
fn outcome(
    result: Result<(), ServiceError>,
    done: &'static str,
    refused: &'static str,
) -> Result<&'static str, Error> {
    match result {
        Ok(()) => Ok(done),
        Err(ServiceError::Conflict(_)) => Ok(refused),
        Err(other) => Err(other.into()),
    }
}

/// A 303 to `back` (a staff page the form came from) with the notice, or to the appointment's
/// page when `back` is not one of ours.
fn back_to(back: &str, id: Uuid, done: &str) -> Response {
    let base =
        paths::internal(back, &[paths::STAFF_HOME]).unwrap_or_else(|| paths::appointment(id));
    let separator = if base.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{base}{separator}done={done}")).into_response()
}

/// The link as an SVG QR code, for inline use in the page (no XML prolog), labelled for
/// screen readers. Medium error correction: readable from a screen at an angle.
fn qr_svg(link: &str) -> Result<String, Error> {
    let code = qrcode::QrCode::with_error_correction_level(link.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| Error::Internal(format!("QR code: {e}")))?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    let start = svg.find("<svg").unwrap_or(0);
    // Written into the page as it is (`|safe`): the label is escaped for the attribute.
    let label = askama::filters::escape(StaffTexts.appointment_qr(), askama::filters::Html)
        .map_or_else(|never| match never {}, |escaped| escaped.to_string());
    Ok(svg[start..].replacen(
        "<svg",
        &format!("<svg role=\"img\" aria-label=\"{label}\""),
        1,
    ))
}

fn page(staff: &Staff, services: &Services, detail: &AppointmentDetail) -> AppointmentPage {
    let (zone, forms) = (&services.clinic.zone, &services.forms);
    let entry = &detail.entry;
    let appointment = &entry.row.appointment;
    let id = appointment.id;
    let details = &appointment.details;
    let can_act = staff.session.user.role == StaffRole::FrontDesk;
    let can_link = can_act
        && !entry.row.cancelled
        && !matches!(
            entry.state,
            IntakeState::Submitted | IntakeState::Posted | IntakeState::WaitingForReview
        );
    let open_link = entry
        .row
        .link
        .as_ref()
        .is_some_and(|l| matches!(l.status, LinkStatus::Open | LinkStatus::Locked));
    let day = zone.local_millis(details.starts_at).date();
    let day_text = format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    );
    AppointmentPage {
        header: staff.header(),
        patient: details.patient_name.as_str().to_owned(),
        birth_date: details.patient_birth_date.to_display(),
        record_number: details.patient.value.clone(),
        visit_when: format::when(zone, details.starts_at),
        visit_type: details.visit_type.clone(),
        form: format::form_name(forms, details.form_id.as_str()),
        state_code: entry.state.code(),
        state_label: StaffTexts.message(&entry.state.message()),
        flags: flags::for_audience(&entry.row.flags, Audience::Staff),
        notes: entry.row.staff_notes.clone(),
        messages: detail
            .messages
            .iter()
            .map(|message| message_row(zone, message))
            .collect(),
        can_act,
        csrf: staff.session.csrf_token.clone(),
        back: paths::appointment(id),
        worklist_url: paths::worklist(&day_text, "", None, None),
        link_url: can_link.then(|| paths::appointment_link(id)),
        send_url: can_link.then(|| paths::appointment_send(id)),
        send_label: if entry.row.link.as_ref().is_some_and(|l| l.message.is_some()) {
            StaffTexts.resend()
        } else {
            StaffTexts.send_now()
        },
        unlock_url: (can_act && entry.state == IntakeState::Locked)
            .then(|| paths::appointment_unlock(id)),
        cancel_url: (can_act && open_link && entry.state != IntakeState::Cancelled)
            .then(|| paths::appointment_cancel(id)),
        notice: None,
        fresh_link: None,
        qr_svg: None,
    }
}

fn message_row(zone: &ClinicZone, message: &AppointmentMessage) -> MessageRow {
    MessageRow {
        when: format::when(zone, message.sent_at.unwrap_or(message.created_at)),
        purpose: format::purpose(&message.purpose),
        channel: format::channel(&message.channel),
        state: match message.state.as_str() {
            "sent" => StaffTexts.message_sent(),
            "failed" => StaffTexts.message_failed(message.attempts),
            "sending" => StaffTexts.message_sending(),
            _ => StaffTexts.message_waiting(),
        },
        words: message.last_error.clone().unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_come_back_only_to_staff_pages() {
        let id = Uuid::nil();
        let location = |back: &str| {
            back_to(back, id, "unlocked")
                .headers()
                .get("location")
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned()
        };
        assert_eq!(
            location("/staff?day=2026-12-04&after=1.x"),
            "/staff?day=2026-12-04&after=1.x&done=unlocked"
        );
        let own = format!("/staff/appointments/{id}?done=unlocked");
        assert_eq!(location("https://elsewhere.example/"), own);
        assert_eq!(location("//elsewhere.example/staff"), own);
        assert_eq!(location(""), own);
        assert_eq!(location("/\t/elsewhere.example"), own);
    }

    #[test]
    fn the_qr_code_is_inline_svg_labelled_for_screen_readers() {
        let svg = qr_svg("https://intake.clinic.example/i/abc").unwrap();
        assert!(
            svg.starts_with("<svg role=\"img\" aria-label=\"QR code of the link\""),
            "{svg}"
        );
        assert!(!svg.contains("<?xml"));
        assert!(svg.contains("<path") || svg.contains("<rect"), "{svg}");
    }
}
