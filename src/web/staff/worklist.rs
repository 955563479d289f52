//! The front desk's home: one day's appointments with each intake's state, the day's counts by
//! state, search by name or record number, and pages by key. A plain GET form picks the day and
//! the search; htmx refreshes the rows and counts every 30 seconds.

use crate::web::staff_texts::{StaffTexts, Words};
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Query, State},
    response::{IntoResponse, Redirect, Response},
};
use axum_htmx::HxRequest;
use serde::Deserialize;
use uuid::Uuid;

use super::{Staff, StaffHeader};
use crate::{
    domain::{ClinicZone, IntakeState},
    forms::Audience,
    intake::{WORKLIST_PAGE_SIZE, Worklist, WorklistEntry, WorklistRequest},
    store::{PageDirection, StaffRole, Viewed, WorklistKey},
    web::{
        AppState, Error,
        flags::{self, FlagLine},
        format, paths,
    },
};

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "staff/worklist.html")]
struct WorklistPage {
    header: StaffHeader,
    /// "7 waiting", or "100+ waiting" past the count's cap.
    exception_count: String,
    day: String,
    day_label: String,
    previous_day_url: String,
    next_day_url: String,
    today_url: String,
    clear_search_url: String,
    search: String,
    notice: Option<String>,
    problem: Option<String>,
    table: WorklistTable,
}

/// The rows and counts alone, for htmx's refresh.
#[derive(Template, WebTemplate)]
#[template(path = "staff/_worklist.html")]
struct WorklistFragment {
    table: WorklistTable,
}

/// What the page and the fragment share.
struct WorklistTable {
    rows: Vec<Row>,
    counts: Vec<Count>,
    day_total: usize,
    searching: bool,
    earlier_url: Option<String>,
    later_url: Option<String>,
    refresh_url: String,
    /// Where actions come back to: this day, search and page.
    back: String,
    csrf: String,
}

/// One appointment.
struct Row {
    time: String,
    patient: String,
    record_number: String,
    visit_type: String,
    state_code: &'static str,
    state_label: String,
    flags: Vec<FlagLine>,
    /// The front desk's markers from the answers ("Call me before the visit").
    markers: Vec<String>,
    open_url: String,
    link_url: Option<String>,
    send_url: Option<String>,
    send_label: String,
    unlock_url: Option<String>,
    cancel_url: Option<String>,
}

/// How many appointments are in one state.
struct Count {
    code: &'static str,
    label: String,
    count: usize,
}

/// The page's query. Every field is text, so a value the page never makes is reported or
/// ignored, never an error page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WorklistParams {
    day: String,
    q: String,
    after: String,
    before: String,
    done: String,
}

/// What an action did, by the code it came back with.
const NOTICES: [(&str, Words); 7] = [
    ("unlocked", StaffTexts::notice_unlocked),
    ("cancelled", StaffTexts::notice_cancelled),
    ("sent", StaffTexts::notice_sent),
    ("unreachable", StaffTexts::notice_unreachable),
    ("not-sendable", StaffTexts::notice_not_sendable),
    ("not-locked", StaffTexts::notice_not_locked),
    ("nothing-to-cancel", StaffTexts::notice_nothing_to_cancel),
];

/// The notice for an action's code.
pub(super) fn notice(done: &str) -> Option<String> {
    NOTICES
        .iter()
        .find(|(code, _)| *code == done)
        .map(|(_, text)| text(StaffTexts))
}

const DAY_FORMAT: &[time::format_description::FormatItem<'_>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// A page key as the URL carries it: `millis.uuid`.
fn key_text(key: WorklistKey) -> String {
    format!("{}.{}", key.starts_at, key.id)
}

fn parse_key(text: &str) -> Option<WorklistKey> {
    let (millis, id) = text.split_once('.')?;
    Some(WorklistKey {
        starts_at: millis.parse().ok()?,
        id: Uuid::parse_str(id).ok()?,
    })
}

impl WorklistParams {
    /// The day asked for, else today; with what was wrong with the day typed.
    fn day(&self, today: time::Date) -> (time::Date, Option<String>) {
        let typed = self.day.trim();
        if typed.is_empty() {
            return (today, None);
        }
        match time::Date::parse(typed, DAY_FORMAT) {
            Ok(day) => (day, None),
            Err(_) => (today, Some(StaffTexts.worklist_not_a_date(typed))),
        }
    }

    fn request(&self, day: time::Date) -> WorklistRequest {
        let from = parse_key(&self.after)
            .map(PageDirection::After)
            .or_else(|| parse_key(&self.before).map(PageDirection::Before));
        WorklistRequest {
            day,
            search: Some(self.q.trim().to_owned()).filter(|q| !q.is_empty()),
            from,
            page_size: WORKLIST_PAGE_SIZE,
        }
    }
}

/// `GET /staff?day=&q=&after=|before=&done=`: a day's worklist. Clinicians go to their own list.
pub async fn home(
    State(state): State<AppState>,
    staff: Staff,
    Query(params): Query<WorklistParams>,
) -> Result<Response, Error> {
    if staff.session.user.role == StaffRole::Clinician {
        return Ok(Redirect::to(paths::CLINICIAN_HOME).into_response());
    }
    if staff.session.user.role == StaffRole::Admin {
        return Ok(Redirect::to(paths::ADMIN_ACCOUNTS).into_response());
    }
    let zone = &state.services.clinic.zone;
    let today = zone.today(state.services.clock.now());
    let (day, problem) = params.day(today);
    let worklist = state.services.worklist(&params.request(day)).await?;
    // What waits for this person: a clinician's changes are not the front desk's to count.
    let exception_count = state
        .services
        .exception_count(crate::intake::reviewer_of(&staff.session))
        .await?;
    staff
        .viewed(&state, Viewed::List("appointment_list"))
        .await?;
    let day_text = day.format(DAY_FORMAT).unwrap_or_default();
    let day_url = |d: Option<time::Date>| {
        let text = d
            .and_then(|d| d.format(DAY_FORMAT).ok())
            .unwrap_or_default();
        paths::worklist(&text, &params.q, None, None)
    };
    Ok(WorklistPage {
        header: staff.header(),
        exception_count: super::queue::matching_text(exception_count),
        day_label: day_label(day),
        previous_day_url: day_url(day.previous_day()),
        next_day_url: day_url(day.next_day()),
        today_url: day_url(Some(today)),
        clear_search_url: paths::worklist(&day_text, "", None, None),
        search: params.q.trim().to_owned(),
        notice: notice(&params.done),
        problem,
        table: table(&staff, zone, &worklist, &day_text, &params),
        day: day_text,
    }
    .into_response())
}

/// `GET /staff/worklist/rows?…`: the rows and counts alone, for htmx; other requests are
/// refused.
pub async fn rows(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(htmx): HxRequest,
    Query(params): Query<WorklistParams>,
) -> Result<Response, Error> {
    staff.require(StaffRole::FrontDesk)?;
    if !htmx {
        return Err(Error::NotFound);
    }
    let zone = &state.services.clinic.zone;
    let (day, _) = params.day(zone.today(state.services.clock.now()));
    let worklist = state.services.worklist(&params.request(day)).await?;
    let day_text = day.format(DAY_FORMAT).unwrap_or_default();
    let table = table(&staff, zone, &worklist, &day_text, &params);
    Ok(WorklistFragment { table }.into_response())
}

/// "Friday 4 December 2026".
fn day_label(day: time::Date) -> String {
    StaffTexts.worklist_day_label(
        day.weekday().number_from_monday(),
        day.day(),
        u8::from(day.month()),
        day.year(),
    )
}

fn table(
    staff: &Staff,
    zone: &ClinicZone,
    worklist: &Worklist,
    day: &str,
    params: &WorklistParams,
) -> WorklistTable {
    let search = params.q.trim();
    let after = Some(params.after.as_str()).filter(|a| !a.is_empty());
    let before = Some(params.before.as_str()).filter(|b| !b.is_empty() && after.is_none());
    let here = paths::worklist(day, search, after, before);
    let mut refresh_query = url::form_urlencoded::Serializer::new(String::new());
    refresh_query
        .append_pair("day", day)
        .append_pair("q", search);
    if let Some(after) = after {
        refresh_query.append_pair("after", after);
    }
    if let Some(before) = before {
        refresh_query.append_pair("before", before);
    }
    WorklistTable {
        rows: worklist
            .entries
            .iter()
            .map(|entry| row(zone, entry))
            .collect(),
        counts: worklist
            .counts
            .iter()
            .map(|(state, count)| Count {
                code: state.code(),
                label: StaffTexts.message(&state.message()),
                count: *count,
            })
            .collect(),
        day_total: worklist.day_total,
        searching: !search.is_empty(),
        earlier_url: worklist
            .earlier
            .map(|key| paths::worklist(day, search, None, Some(&key_text(key)))),
        later_url: worklist
            .later
            .map(|key| paths::worklist(day, search, Some(&key_text(key)), None)),
        refresh_url: format!("{}?{}", paths::WORKLIST_ROWS, refresh_query.finish()),
        back: here,
        csrf: staff.session.csrf_token.clone(),
    }
}

fn row(zone: &ClinicZone, entry: &WorklistEntry) -> Row {
    let appointment = &entry.row.appointment;
    let id = appointment.id;
    let can_link = !entry.row.cancelled
        && !matches!(
            entry.state,
            IntakeState::Submitted | IntakeState::Posted | IntakeState::WaitingForReview
        );
    let open_link = entry.row.link.as_ref().is_some_and(|l| {
        matches!(
            l.status,
            crate::domain::LinkStatus::Open | crate::domain::LinkStatus::Locked
        )
    });
    Row {
        time: format::time_of_day(zone, appointment.details.starts_at),
        patient: appointment.details.patient_name.as_str().to_owned(),
        record_number: appointment.details.patient.value.clone(),
        visit_type: appointment.details.visit_type.clone(),
        state_code: entry.state.code(),
        state_label: StaffTexts.message(&entry.state.message()),
        flags: flags::for_audience(&entry.row.flags, Audience::Staff),
        markers: entry
            .row
            .staff_notes
            .iter()
            .map(|note| note.marker.clone())
            .collect(),
        open_url: paths::appointment(id),
        link_url: can_link.then(|| paths::appointment_link(id)),
        send_url: can_link.then(|| paths::appointment_send(id)),
        send_label: if entry.row.link.as_ref().is_some_and(|l| l.message.is_some()) {
            StaffTexts.resend()
        } else {
            StaffTexts.send_now()
        },
        unlock_url: (entry.state == IntakeState::Locked).then(|| paths::appointment_unlock(id)),
        cancel_url: (open_link && entry.state != IntakeState::Cancelled)
            .then(|| paths::appointment_cancel(id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_key_reads_back_as_written_and_anything_else_is_no_key() {
        let key = WorklistKey {
            starts_at: 1_764_835_200_000,
            id: Uuid::now_v7(),
        };
        assert_eq!(parse_key(&key_text(key)), Some(key));
        assert_eq!(parse_key("yesterday"), None);
        assert_eq!(parse_key("12.not-a-uuid"), None);
    }

    #[test]
    fn a_day_that_is_not_a_date_shows_today_and_says_why() {
        let today = time::macros::date!(2026 - 12 - 04);
        let params = |day: &str| WorklistParams {
            day: day.into(),
            ..WorklistParams::default()
        };
        assert_eq!(params("").day(today), (today, None));
        assert_eq!(
            params("2026-12-25").day(today).0,
            time::macros::date!(2026 - 12 - 25)
        );
        let (day, problem) = params("31/12").day(today);
        assert_eq!(day, today);
        assert!(problem.unwrap().contains("“31/12”"));
        assert_eq!(day_label(today), "Friday 4 December 2026");
    }
}
