//! What the front desk does with an exception: accept, edit then accept, reject, retry, and
//! accept or retry many at once. Each is a plain form POST with the session's CSRF token; with
//! htmx, accept and retry answer with the row's new status instead of a redirect.

use crate::web::form::{Form, TypedForm};
use crate::web::staff_texts::StaffTexts;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use axum_htmx::HxRequest;
use serde::Deserialize;
use uuid::Uuid;

use super::{
    Staff,
    detail::{Typed, detail_page},
    queue::{BulkEcho, QueueQuery, queue_page},
};
use crate::{
    domain::Message,
    intake::{BulkAction, EditOutcome, reviewer_of},
    mapping::ChangeEdit,
    store::{QueueFilter, StaffRole},
    web::{AppState, Error, paths},
};

/// What htmx swaps into a row's actions cell once it is accepted.
#[derive(Template, WebTemplate)]
#[template(path = "staff/_accepted.html")]
struct AcceptedFragment;

/// What htmx swaps into a row's actions cell once it is sent again.
#[derive(Template, WebTemplate)]
#[template(path = "staff/_retried.html")]
struct RetriedFragment;

/// The CSRF field of an action.
#[derive(Debug, Deserialize)]
pub struct ActionForm {
    csrf: String,
    #[serde(default)]
    back: Option<String>,
}

/// The reject form. `Debug` leaves out the reason, which staff type freely.
#[derive(Deserialize)]
pub struct RejectForm {
    csrf: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    back: Option<String>,
}

impl std::fmt::Debug for RejectForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RejectForm")
            .field("csrf", &"[redacted]")
            .field("reason", &"[redacted]")
            .field("back", &self.back)
            .finish()
    }
}

/// Where a decision lands: the pre-visit summary it was made from (`back=summary`), else the
/// queue. The URL is built here from the change, never taken from the request.
async fn after_decision(state: &AppState, id: Uuid, back: Option<&str>) -> Result<Response, Error> {
    let to = match back {
        Some("summary") => {
            paths::submission(state.services.proposed_change(id).await?.submission_id)
        }
        _ => paths::EXCEPTIONS.to_owned(),
    };
    Ok(Redirect::to(&to).into_response())
}

/// The edit form: the fields the change's type offers (a field not sent is left alone), the
/// code picker's search words, and which button was pressed (`search` looks the words up).
/// `Debug` shows which fields were sent, never their values.
#[derive(Deserialize)]
pub struct EditForm {
    csrf: String,
    text: Option<String>,
    code: Option<String>,
    status: Option<String>,
    clinical_status: Option<String>,
    verification: Option<String>,
    value: Option<String>,
    #[serde(default)]
    q: String,
    #[serde(default)]
    action: Option<String>,
}

impl std::fmt::Debug for EditForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = |typed: &Option<String>| typed.as_ref().map(|_| "[redacted]");
        f.debug_struct("EditForm")
            .field("csrf", &"[redacted]")
            .field("text", &shown(&self.text))
            .field("code", &shown(&self.code))
            .field("status", &shown(&self.status))
            .field("clinical_status", &shown(&self.clinical_status))
            .field("verification", &shown(&self.verification))
            .field("value", &shown(&self.value))
            .field("q", &"[redacted]")
            .field("action", &self.action)
            .finish()
    }
}

/// `POST /staff/exceptions/{id}/approve`: to the outbox. With htmx, answers with the updated row.
pub async fn approve(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(htmx): HxRequest,
    Path(id): Path<Uuid>,
    Form(form): Form<ActionForm>,
) -> Result<Response, Error> {
    staff.require_any(&[StaffRole::FrontDesk, StaffRole::Clinician])?;
    staff.check_csrf(&form.csrf)?;
    state.services.approve_change(&staff.session, id).await?;
    if !htmx {
        return after_decision(&state, id, form.back.as_deref()).await;
    }
    Ok(AcceptedFragment.into_response())
}

/// `POST /staff/exceptions/{id}/retry`: a failed change goes back to the outbox now.
pub async fn retry(
    State(state): State<AppState>,
    staff: Staff,
    HxRequest(htmx): HxRequest,
    Path(id): Path<Uuid>,
    Form(form): Form<ActionForm>,
) -> Result<Response, Error> {
    staff.require_any(&[StaffRole::FrontDesk, StaffRole::Clinician])?;
    staff.check_csrf(&form.csrf)?;
    state.services.retry_change(&staff.session, id).await?;
    if !htmx {
        return Ok(Redirect::to(paths::EXCEPTIONS).into_response());
    }
    Ok(RetriedFragment.into_response())
}

/// `POST /staff/exceptions/{id}/edit`: the edited change replaces the proposal and goes to the
/// outbox; a value the checks refuse re-renders the page with the message beside its field and
/// what was typed still in it. The Search button (`action=search`) saves nothing: the page
/// comes back with the code list's matches for the typed words, everything else as typed.
pub async fn edit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
    TypedForm(form): TypedForm<EditForm>,
) -> Result<Response, Error> {
    staff.require_any(&[StaffRole::FrontDesk, StaffRole::Clinician])?;
    staff.check_csrf(&form.csrf)?;
    let edit = ChangeEdit {
        text: form.text,
        code: form.code,
        status: form.status,
        clinical_status: form.clinical_status,
        verification: form.verification,
        value: form.value,
    };
    let searching = form.action.as_deref() == Some("search");
    let errors = if searching {
        Vec::new()
    } else {
        match state
            .services
            .edit_change(&staff.session, id, &edit)
            .await?
        {
            EditOutcome::Accepted => return Ok(Redirect::to(paths::EXCEPTIONS).into_response()),
            EditOutcome::Invalid(errors) => errors,
        }
    };
    let search = state
        .services
        .search_codes(&staff.session, id, &form.q)
        .await?;
    let typed = Typed {
        edit: &edit,
        errors: &errors,
        query: &form.q,
        search: search.as_ref(),
    };
    let page = detail_page(&state, &staff, id, Some(typed)).await?;
    staff
        .viewed(&state, crate::store::Viewed::Exception(id))
        .await?;
    let status = if searching {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, page).into_response())
}

/// `POST /staff/exceptions/{id}/reject`: never goes on the chart; the reason is audited.
pub async fn reject(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<Uuid>,
    TypedForm(form): TypedForm<RejectForm>,
) -> Result<Response, Error> {
    staff.require_any(&[StaffRole::FrontDesk, StaffRole::Clinician])?;
    staff.check_csrf(&form.csrf)?;
    if crate::domain::has_control_character(&form.reason) {
        let page = detail_page(&state, &staff, id, None)
            .await?
            .with_refused_reason(
                &form.reason,
                StaffTexts.message(&Message::new(crate::mapping::CONTROL_CHARACTER_ID)),
            );
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    // None given is stored empty: the page says so in the reader's words when it shows it.
    state
        .services
        .reject_change(&staff.session, id, form.reason.trim())
        .await?;
    after_decision(&state, id, form.back.as_deref()).await
}

/// `POST /staff/exceptions/bulk`: `action` (accept, retry, or reject with the reason `why`)
/// on every checked `id`, or with `scope=filter` on every change the list's filter matches (the
/// first [`crate::intake::QUEUE_COUNT_CAP`]); each change is checked as this staff member's to
/// decide and audited on its own. Back to the list as it was filtered, saying what was done; a
/// rejection without a reason comes back to be fixed with everything as it was.
pub async fn bulk(
    State(state): State<AppState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Error> {
    staff.require_any(&[StaffRole::FrontDesk, StaffRole::Clinician])?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    staff.check_csrf(field("csrf").unwrap_or_default())?;
    let query = QueueQuery::from_fields(&fields);
    // A value that is not an id was not sent by the list: it is ignored.
    let checked: Vec<Uuid> = fields
        .iter()
        .filter(|(name, _)| name == "id")
        .filter_map(|(_, value)| Uuid::parse_str(value).ok())
        .collect();
    let everything = field("scope") == Some("filter");
    let why = field("why").unwrap_or_default().trim();
    let (action, done) = match field("action") {
        Some("accept") => (BulkAction::Accept, "accepted"),
        Some("retry") => (BulkAction::Retry, "retried"),
        Some("reject") if !why.is_empty() => (BulkAction::Reject(why.to_owned()), "rejected"),
        Some("reject") => {
            let echo = BulkEcho {
                why: String::new(),
                why_error: Some(StaffTexts.queue_why_missing()),
                everything,
                checked,
            };
            return queue_page(&state, &staff, &query, echo).await;
        }
        _ => return Err(Error::NotFound),
    };
    let ids = if everything {
        let filter = QueueFilter {
            reviewer: reviewer_of(&staff.session),
            ..query.filter()
        };
        state.services.matching_exceptions(&filter).await?
    } else {
        checked
    };
    let outcome = state
        .services
        .bulk_resolve(&staff.session, action, &ids)
        .await?;
    let mut back = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in fields
        .iter()
        .filter(|(n, _)| matches!(n.as_str(), "reason" | "type" | "state" | "sort"))
    {
        back.append_pair(name, value);
    }
    back.append_pair("done", done)
        .append_pair("count", &outcome.done.to_string())
        .append_pair("skipped", &outcome.skipped.to_string());
    Ok(Redirect::to(&format!("{}?{}", paths::EXCEPTIONS, back.finish())).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_edit_form_and_the_edit_never_show_what_was_typed_in_debug() {
        let form = EditForm {
            csrf: "ZZQ-csrf".into(),
            text: Some("ZZQ-latex".into()),
            code: Some("ZZQ-system|ZZQ-code|ZZQ-display".into()),
            status: None,
            clinical_status: None,
            verification: None,
            value: Some("ZZQ-72".into()),
            q: "ZZQ-search".into(),
            action: None,
        };
        let edit = ChangeEdit {
            text: form.text.clone(),
            code: form.code.clone(),
            value: form.value.clone(),
            ..ChangeEdit::default()
        };
        for shown in [format!("{form:?}"), format!("{edit:?}")] {
            assert!(!shown.contains("ZZQ"), "{shown}");
            assert!(shown.contains("[redacted]"), "{shown}");
        }
    }
}
