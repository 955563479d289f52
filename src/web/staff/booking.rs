//! `/staff/appointments/new`: the front desk adds an appointment in two steps that work
//! without JavaScript: find the patient on the EHR (record number, or name and date of birth)
//! with the visit's time and type, then confirm with the form the rules suggest.

use crate::web::form::Form;
use crate::web::staff_texts::StaffTexts;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use super::{Staff, StaffHeader};
use crate::{
    domain::BirthDate,
    intake::{DeskBooking, FoundPatient, LookupOutcome, PatientLookup, Services},
    schedule::Code,
    store::StaffRole,
    web::{AppState, Error, paths},
};

/// The page, at either step.
#[derive(Template, WebTemplate)]
#[template(path = "staff/new_appointment.html")]
struct NewAppointmentPage {
    header: StaffHeader,
    /// The clinic's time zone, which the visit's time is typed in.
    zone: String,
    fields: BookingFields,
    visit_types: Vec<(String, String, bool)>,
    errors: FieldErrors,
    found: Option<FoundView>,
}

/// The patient found, and the form choice, for the confirm step.
struct FoundView {
    name: String,
    birth_date: String,
    record_number: String,
    patient_ref: String,
    visit_type: String,
    /// The visit's time as understood, on the clinic's clocks.
    visit_when: String,
    why: String,
    forms: Vec<(String, String, bool)>,
}

/// What went wrong, next to which field.
#[derive(Default)]
struct FieldErrors {
    mrn: Option<String>,
    birth_date: Option<String>,
    visit_time: Option<String>,
}

impl FieldErrors {
    fn any(&self) -> bool {
        self.mrn.is_some() || self.birth_date.is_some() || self.visit_time.is_some()
    }
}

/// The posted fields of both steps. Text throughout, so a bad value is a message, not an error page.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct BookingFields {
    csrf: String,
    step: String,
    mrn: String,
    family: String,
    given: String,
    birth_date: String,
    visit_time: String,
    visit_code: String,
    patient_ref: String,
    form: String,
}

/// `GET /staff/appointments/new`.
pub async fn form(staff: Staff, State(state): State<AppState>) -> Result<Response, Error> {
    staff.require(StaffRole::FrontDesk)?;
    Ok(page(
        &state.services,
        &staff,
        BookingFields::default(),
        FieldErrors::default(),
        None,
    ))
}

/// `POST /staff/appointments/new`: `step=find` looks the patient up; `step=confirm` books.
pub async fn submit(
    staff: Staff,
    State(state): State<AppState>,
    Form(fields): Form<BookingFields>,
) -> Result<Response, Error> {
    staff.require(StaffRole::FrontDesk)?;
    staff.check_csrf(&fields.csrf)?;
    let services = &state.services;
    let (starts_at, mut errors) = read_time(services, &fields.visit_time);
    let visit_code = Code::parse(&fields.visit_code);
    if fields.step == "confirm"
        && !errors.any()
        && let (Some(starts_at), Some(form_id)) =
            (starts_at, crate::forms::FormId::parse(&fields.form))
    {
        let request = DeskBooking {
            patient_ref: fields.patient_ref.clone(),
            starts_at,
            visit_type: visit_name(services, visit_code.as_ref()),
            visit_code,
            form_id,
        };
        let id = services
            .book_at_desk(staff.session.user.id, request)
            .await?;
        return Ok(Redirect::to(&paths::appointment(id)).into_response());
    }
    let found = match lookup(services, &fields, &mut errors) {
        Some(lookup) if !errors.any() => match services.look_up_patient(&lookup).await? {
            LookupOutcome::Found(patient) => Some(*patient),
            LookupOutcome::NotFound => {
                errors.mrn = Some(match lookup {
                    PatientLookup::RecordNumber(_) => StaffTexts.booking_no_such_mrn(),
                    PatientLookup::NameAndBirthDate { .. } => StaffTexts.booking_no_such_name(),
                });
                None
            }
            LookupOutcome::Several(n) => {
                errors.mrn = Some(StaffTexts.booking_several(n));
                None
            }
        },
        _ => None,
    };
    let found = found
        .zip(starts_at)
        .map(|(p, at)| found_view(services, &p, &fields, at));
    Ok(page(services, &staff, fields, errors, found))
}

/// Renders either step; with errors, 422.
fn page(
    services: &Services,
    staff: &Staff,
    fields: BookingFields,
    errors: FieldErrors,
    found: Option<FoundView>,
) -> Response {
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let visit_types = services
        .visit_types()
        .into_iter()
        .map(|o| {
            let selected = o.value == fields.visit_code;
            (o.value, o.label, selected)
        })
        .collect();
    let page = NewAppointmentPage {
        header: staff.header(),
        zone: services.clinic.zone.name().to_owned(),
        fields,
        visit_types,
        errors,
        found,
    };
    (status, page).into_response()
}

/// The visit's time from `<input type=datetime-local>`, read on the clinic's clocks (as every
/// page shows times); not more than 12 hours past.
fn read_time(services: &Services, text: &str) -> (Option<i64>, FieldErrors) {
    let mut errors = FieldErrors::default();
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let parsed = time::PrimitiveDateTime::parse(text.trim(), &format)
        .ok()
        .map(|at| crate::clock::millis(services.clinic.zone.instant(at)));
    match parsed {
        None => errors.visit_time = Some(StaffTexts.booking_enter_time()),
        Some(at) if at < services.clock.now_millis() - 12 * 3_600_000 => {
            errors.visit_time = Some(StaffTexts.booking_time_passed());
        }
        Some(_) => {}
    }
    (parsed.filter(|_| errors.visit_time.is_none()), errors)
}

/// The look-up the fields ask for, or the error that says what is missing.
fn lookup(
    services: &Services,
    fields: &BookingFields,
    errors: &mut FieldErrors,
) -> Option<PatientLookup> {
    if !fields.mrn.trim().is_empty() {
        return Some(PatientLookup::RecordNumber(fields.mrn.trim().to_owned()));
    }
    if fields.family.trim().is_empty() || fields.given.trim().is_empty() {
        errors.mrn = Some(StaffTexts.booking_enter_patient());
        return None;
    }
    let today = services.clinic.zone.today(services.clock.now());
    match BirthDate::parse(&fields.birth_date, today) {
        Ok(birth_date) => Some(PatientLookup::NameAndBirthDate {
            family: fields.family.trim().to_owned(),
            given: fields.given.trim().to_owned(),
            birth_date,
        }),
        Err(error) => {
            errors.birth_date = Some(error.to_string());
            None
        }
    }
}

fn visit_name(services: &Services, code: Option<&Code>) -> String {
    code.and_then(|code| {
        let value = code.to_string();
        services
            .visit_types()
            .into_iter()
            .find(|o| o.value == value)
            .map(|o| o.label)
    })
    .unwrap_or_else(|| StaffTexts.general_visit().to_string())
}

fn found_view(
    services: &Services,
    patient: &FoundPatient,
    fields: &BookingFields,
    starts_at: i64,
) -> FoundView {
    let code = Code::parse(&fields.visit_code);
    let choice = services.suggest_form(&patient.chart, code.as_ref(), starts_at);
    let chosen = choice
        .as_ref()
        .map(|c| c.form.as_str().to_owned())
        .unwrap_or_default();
    let forms = services
        .forms
        .library()
        .iter()
        .map(|form| {
            let id = form.id.as_str().to_owned();
            let title = form.title.en().to_owned();
            let selected = id == chosen;
            (id, title, selected)
        })
        .collect();
    FoundView {
        name: patient.chart.name.as_str().to_owned(),
        birth_date: patient
            .chart
            .birth_date
            .map(BirthDate::to_display)
            .unwrap_or_else(|| StaffTexts.booking_not_on_chart()),
        record_number: patient.identifier.value.clone(),
        patient_ref: patient.chart.reference.clone(),
        visit_type: visit_name(services, code.as_ref()),
        visit_when: crate::web::format::when(&services.clinic.zone, starts_at),
        why: choice.map_or_else(
            || StaffTexts.booking_no_rule(),
            |c| StaffTexts.booking_suggested_by(StaffTexts.phrase(&c.reason)),
        ),
        forms,
    }
}
