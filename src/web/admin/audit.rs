//! `/staff/admin/audit`: the audit log, newest first, filtered by user, patient, action and
//! date range through a plain GET form, and paged by key (`before` = the last row's time and
//! id), so a page costs the same however long the log is and stays put while events arrive.

use crate::web::staff_texts::StaffTexts;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Query, State},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use time::{Date, macros::format_description};
use uuid::Uuid;

use super::audit_words;
use crate::{
    domain::{ClinicZone, StaffRole},
    intake::{AuditFilter, AuditLine, FormCatalog},
    web::{
        AppState, Error, format, paths,
        staff::{Staff, StaffHeader},
    },
};

#[derive(Template, WebTemplate)]
#[template(path = "admin/audit.html")]
struct AuditPageView {
    header: StaffHeader,
    /// The clinic's time zone, which the times and the date filters are in.
    zone: String,
    query: AuditQueryForm,
    actions: Vec<(&'static str, String)>,
    rows: Vec<AuditRowView>,
    problems: Vec<String>,
    older_url: Option<String>,
    newest_url: Option<String>,
}

struct AuditRowView {
    when: String,
    who: String,
    action: String,
    subject: String,
    patient: String,
    source: String,
    /// Each part of the event's detail, "Label: value".
    detail: Vec<String>,
}

/// The filter form's fields, all text so a bad value is explained rather than an error page.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct AuditQueryForm {
    user: String,
    patient: String,
    action: String,
    from: String,
    to: String,
    before: String,
}

/// `GET /staff/admin/audit?user=&patient=&action=&from=&to=&before=`.
pub async fn view(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<AuditQueryForm>,
) -> Result<Response, Error> {
    staff.require(StaffRole::Admin)?;
    let zone = &state.services.clinic.zone;
    let (filter, problems) = query.filter(zone);
    let page = state.services.audit_page(&filter).await?;
    let mut problems = problems;
    if page.unknown_user {
        problems.push(StaffTexts.audit_unknown_user(query.user.trim()));
    }
    let older_url = page.next.map(|(at, id)| query.url_before(Some((at, id))));
    let newest_url = filter.before.map(|_| query.url_before(None));
    Ok(AuditPageView {
        header: staff.header(),
        zone: zone.name().to_owned(),
        actions: audit_words::ACTIONS
            .iter()
            .map(|(code, words)| (*code, words(StaffTexts)))
            .collect(),
        rows: page
            .lines
            .iter()
            .map(|line| row(zone, &state.services.forms, line))
            .collect(),
        problems,
        older_url,
        newest_url,
        query,
    }
    .into_response())
}

impl AuditQueryForm {
    /// The filter, and what in the form could not be read (that part is then not applied).
    /// The dates are the clinic's: from its midnight to its midnight.
    fn filter(&self, zone: &ClinicZone) -> (AuditFilter, Vec<String>) {
        let mut problems = Vec::new();
        let text = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
        let mut day = |label: String, raw: &str| {
            let raw = raw.trim();
            if raw.is_empty() {
                return None;
            }
            let parsed = Date::parse(raw, format_description!("[year]-[month]-[day]")).ok();
            if parsed.is_none() {
                problems.push(StaffTexts.audit_not_a_date(label, raw));
            }
            parsed
        };
        let from = day(StaffTexts.audit_from_label(), &self.from).map(|d| zone.day_millis(d).0);
        let until = day(StaffTexts.audit_to_label(), &self.to).map(|d| zone.day_millis(d).1);
        let before = self
            .before
            .split_once('.')
            .and_then(|(at, id)| Some((at.parse::<i64>().ok()?, Uuid::parse_str(id).ok()?)));
        let filter = AuditFilter {
            username: text(&self.user),
            patient: text(&self.patient),
            action: text(&self.action),
            from,
            until,
            before,
        };
        (filter, problems)
    }

    /// This view's URL with another page key.
    fn url_before(&self, before: Option<(i64, Uuid)>) -> String {
        let mut url = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("user", &self.user),
            ("patient", &self.patient),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !value.trim().is_empty() {
                url.append_pair(name, value.trim());
            }
        }
        if let Some((at, id)) = before {
            url.append_pair("before", &format!("{at}.{id}"));
        }
        format!("{}?{}", paths::ADMIN_AUDIT, url.finish())
    }
}

fn row(zone: &ClinicZone, forms: &FormCatalog, line: &AuditLine) -> AuditRowView {
    let event = &line.row;
    let action = audit_words::action(&event.action);
    let who = match (&line.username, event.actor.as_str()) {
        (Some(name), _) => name.clone(),
        (None, "anonymous") => StaffTexts.audit_unknown_username(),
        (None, other) => other.to_owned(),
    };
    let subject = if event.subject_id.is_nil() {
        event.subject_kind.replace('_', " ")
    } else {
        format!(
            "{} {}",
            event.subject_kind.replace('_', " "),
            event.subject_id
        )
    };
    let detail = audit_words::detail(zone, forms, &event.detail.0);
    AuditRowView {
        when: format::when(zone, event.at),
        who,
        action,
        subject,
        // The audit keeps the keyed hash of the record number (the number is sealed): shown
        // as a short pseudonym, the same for every event about one patient; the filter above
        // finds them by the number itself.
        patient: event
            .patient
            .as_deref()
            .map(|hash| format!("#{}", hash.get(..12).unwrap_or(hash)))
            .unwrap_or_default(),
        source: event.source.clone().unwrap_or_default(),
        detail,
    }
}
