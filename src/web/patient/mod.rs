//! The patient's pages: the invitation link, the date-of-birth check (and, where configured, a
//! one-time code), the form page by page, review, submit and confirmation. Every page works as
//! a plain HTML form; htmx (boosted links and forms) only saves full reloads.

mod code;
mod copy;
mod dates;
mod flow;
mod link;
mod pages;
mod search;
mod views;

use axum::{
    Router,
    extract::FromRequestParts,
    http::{HeaderValue, request::Parts},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};

use super::{AppState, Error, cookies::Cookie, paths};
use crate::{
    domain::{SecretToken, TokenHash, constant_time_eq},
    intake::SessionLookup,
    store::{InvitationStatus, PatientSession, SentAt},
};

/// The patient routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/i/{token}", get(link::open))
        .route(paths::INTAKE, get(link::start))
        .route(paths::VERIFY, post(link::verify))
        .route(paths::CODE, post(code::enter))
        .route(paths::CODE_RESEND, post(code::resend))
        .route("/intake/page/{index}", get(pages::show).post(pages::save))
        .route("/intake/page/{index}/live", post(pages::live))
        .route("/intake/page/{index}/keep", post(flow::keep))
        .route(paths::STAY, post(flow::stay))
        .route(paths::REVIEW, get(pages::review))
        .route(paths::SUBMIT, post(pages::submit))
        .route(paths::DONE, get(pages::done))
        .route(paths::COPY, get(copy::show))
        .route(paths::SIGN_OUT, post(link::sign_out))
        .route("/language/{code}", get(super::i18n::switch))
}

/// A request from a patient with a live session.
#[derive(Debug)]
pub struct Patient {
    /// The session cookie's token.
    pub token: SecretToken,
    /// The session with its invitation and appointment.
    pub session: PatientSession,
    /// The session was kept in memory from an earlier request, not read for this one: saves
    /// then write only while it still holds (`Services::save_page`).
    pub kept: Option<TokenHash>,
    /// How long the session may sit idle, in seconds: the pages warn a minute before.
    pub idle_seconds: u64,
    /// The clinic's time zone, for the visit's time on the pages.
    pub zone: crate::domain::ClinicZone,
}

impl FromRequestParts<AppState> for Patient {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        // Pages read the session every time; only saves may use one kept in memory.
        match PageSession::read(state, session_token(parts, state)?).await? {
            PageSession::Live(patient) => Ok(patient),
            PageSession::Expired(_) => Err(Error::NoPatientSession),
        }
    }
}

/// A request that posts answers: from a live session, or from one this very request found
/// expired, whose answers are held rather than lost (issue 17).
#[derive(Debug)]
pub enum PageSession {
    /// A live session.
    Live(Patient),
    /// The session has just ended for being idle too long.
    Expired(PatientSession),
}

impl FromRequestParts<AppState> for PageSession {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let token = session_token(parts, state)?;
        let hash = token.hash();
        match state.services.kept_patient_session(&hash) {
            Some(session) => Ok(Self::Live(Patient::new(state, token, session, Some(hash)))),
            None => Self::read(state, token).await,
        }
    }
}

/// The patient session cookie's token.
fn session_token(parts: &Parts, state: &AppState) -> Result<SecretToken, Error> {
    state
        .cookies
        .read(&parts.headers, Cookie::Patient)
        .and_then(|raw| SecretToken::parse(&raw))
        .ok_or(Error::NoPatientSession)
}

impl PageSession {
    /// The session as the database has it now.
    async fn read(state: &AppState, token: SecretToken) -> Result<Self, Error> {
        match Box::pin(state.services.look_up_patient_session(&token)).await? {
            SessionLookup::Live(session) => {
                Ok(Self::Live(Patient::new(state, token, session, None)))
            }
            SessionLookup::Expired(session) => Ok(Self::Expired(session)),
            SessionLookup::Unknown => Err(Error::NoPatientSession),
        }
    }

    /// This session as the database has it now, when it was kept in memory and `read` is
    /// asked for (a save with files, which are stored before the draft is written).
    async fn read_if(self, state: &AppState, read: bool) -> Result<Self, Error> {
        match self {
            Self::Live(patient) if read && patient.kept.is_some() => {
                Self::read(state, patient.token).await
            }
            other => Ok(other),
        }
    }

    /// The token of a session kept in memory, which a save may find no longer holds.
    fn kept_token(&self) -> Option<SecretToken> {
        match self {
            Self::Live(patient) if patient.kept.is_some() => Some(patient.token.clone()),
            _ => None,
        }
    }
}

/// The token to read the session with and save again, when a save made with a session kept
/// in memory (`kept`) found it no longer holds and wrote nothing.
fn read_again(saved: &Result<Response, Error>, kept: Option<SecretToken>) -> Option<SecretToken> {
    kept.filter(|_| matches!(saved, Err(Error::SessionChanged)))
}

impl Patient {
    fn new(
        state: &AppState,
        token: SecretToken,
        session: PatientSession,
        kept: Option<TokenHash>,
    ) -> Self {
        Self {
            token,
            session,
            kept,
            idle_seconds: state.services.lifetimes.patient_idle.as_secs(),
            zone: state.services.clinic.zone.clone(),
        }
    }

    /// Checks a posted CSRF token against the session's.
    pub fn check_csrf(&self, posted: &str) -> Result<(), Error> {
        if constant_time_eq(posted, &self.session.csrf_token) {
            Ok(())
        } else {
            Err(Error::Forgery)
        }
    }

    /// The cookie of a new session id, for a session that just proved who it is: an id someone
    /// planted in the browser before (session fixation) stops working at that moment.
    pub async fn renewed_cookie(&self, state: &AppState) -> Result<HeaderValue, Error> {
        let renewed = state.services.renew_patient_session(&self.token).await?;
        Ok(state.cookies.set(Cookie::Patient, renewed.expose()))
    }

    /// Where to send a patient who cannot answer questions right now: not yet verified (or
    /// locked) to the start, already submitted to the confirmation.
    pub fn redirect_unless_answering(&self) -> Option<Response> {
        match self.session.status {
            InvitationStatus::Submitted => Some(Redirect::to(paths::DONE).into_response()),
            InvitationStatus::Open if self.session.verified => None,
            _ => Some(Redirect::to(paths::INTAKE).into_response()),
        }
    }
}

/// The CSRF field of a posted form.
fn csrf_field(fields: &[(String, String)]) -> &str {
    posted_field(fields, "csrf").unwrap_or("")
}

/// When the page sent this save, as its script stamps every save (`sent_at`); pages without
/// JavaScript send none.
fn sent_at_field(fields: &[(String, String)]) -> Option<SentAt> {
    posted_field(fields, "sent_at")?.parse().ok().map(SentAt)
}

/// The first value of the field `name` in a posted form.
fn posted_field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(field, _)| field == name)
        .map(|(_, value)| value.as_str())
}
