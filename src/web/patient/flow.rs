//! What keeps a patient's typing (issue 17): the save as they type and when the page is
//! hidden (`keep`), the idle warning's button (`stay`), answers posted with a session found
//! expired (held against the draft), and where a patient who proved who they are picks up.

use axum::{
    extract::{Path, State},
    http::{HeaderMap, HeaderName, HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
};

use super::{PageSession, Patient, csrf_field, dates, read_again, sent_at_field};
use crate::{
    domain::constant_time_eq,
    store::PatientSession,
    web::{AppState, Error, form::TypedForm, paths},
};

/// `POST /intake/page/{index}/keep` (JavaScript, as the patient types and when the page is
/// hidden, by `fetch` with `keepalive` or `navigator.sendBeacon`): saves what parses, sends
/// nothing back. The CSRF token travels in the body like any form's.
pub async fn keep(
    State(state): State<AppState>,
    session: PageSession,
    Path(index): Path<usize>,
    TypedForm(posted): TypedForm<Vec<(String, String)>>,
) -> Result<Response, Error> {
    let posted = dates::join_parts(posted, "a.");
    let kept = session.kept_token();
    let saved = keep_as(&state, session, index, &posted).await;
    match read_again(&saved, kept) {
        Some(token) => {
            keep_as(
                &state,
                PageSession::read(&state, token).await?,
                index,
                &posted,
            )
            .await
        }
        None => saved,
    }
}

/// [`keep`] with the session read or kept.
async fn keep_as(
    state: &AppState,
    session: PageSession,
    index: usize,
    posted: &[(String, String)],
) -> Result<Response, Error> {
    let patient = match session {
        PageSession::Live(patient) => patient,
        PageSession::Expired(session) => return expired(state, &session, index, posted).await,
    };
    patient.check_csrf(csrf_field(posted))?;
    if patient.redirect_unless_answering().is_none() {
        state
            .services
            .save_page(
                &patient.session,
                patient.kept.as_ref(),
                index,
                posted,
                Vec::new(),
                sent_at_field(posted),
            )
            .await?;
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /intake/stay`: the idle warning's button. Any request keeps a session; this one
/// does nothing else.
pub async fn stay(
    patient: Patient,
    TypedForm(posted): TypedForm<Vec<(String, String)>>,
) -> Result<Response, Error> {
    patient.check_csrf(csrf_field(&posted))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A page posted with a session this very request found expired: its answers are held
/// against the draft (when the token is the session's), and the patient is asked to open
/// their link again, after which the page opens with them. An htmx request is sent there by
/// `HX-Redirect`, as swapping an error page into the fields would hide them.
pub async fn expired(
    state: &AppState,
    session: &PatientSession,
    index: usize,
    posted: &[(String, String)],
) -> Result<Response, Error> {
    if constant_time_eq(csrf_field(posted), &session.csrf_token) {
        state.services.hold_page(session, index, posted).await?;
    }
    Err(Error::NoPatientSession)
}

/// Whether a request came from htmx.
fn from_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

/// [`expired`] for htmx's live save: the browser goes to the start, which asks for the link.
pub async fn expired_live(
    state: &AppState,
    headers: &HeaderMap,
    session: &PatientSession,
    index: usize,
    posted: &[(String, String)],
) -> Result<Response, Error> {
    let held = expired(state, session, index, posted).await;
    if from_htmx(headers) && matches!(held, Err(Error::NoPatientSession)) {
        return Ok((
            StatusCode::NO_CONTENT,
            [(
                HeaderName::from_static("hx-redirect"),
                HeaderValue::from_static(paths::INTAKE),
            )],
        )
            .into_response());
    }
    held
}

/// Where a patient who just proved who they are goes: the page they were on when their
/// session expired (with what they had posted), else the first page with something left to
/// answer, else the review.
pub async fn resume(state: &AppState, session: &PatientSession) -> Result<Redirect, Error> {
    Ok(match state.services.resume_page(session).await? {
        Some(index) => Redirect::to(&paths::page(index)),
        None => Redirect::to(paths::REVIEW),
    })
}
