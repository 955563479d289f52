//! Front-desk pages: sign-in, the day's worklist and each appointment, the exception queue and the trail of a
//! submission.

mod actions;
mod appointment;
mod booking;
mod codes;
mod detail;
mod login;
mod queue;
mod schedule;
mod steps;
mod trail;
mod worklist;

use axum::{
    Router,
    extract::FromRequestParts,
    http::request::Parts,
    routing::{get, post},
};

use super::{AppState, Error, cookies::Cookie, paths, rate_limit::ClientAddress};
use crate::{
    auth::PendingStep,
    domain::{SecretToken, constant_time_eq},
    store::{StaffRole, StaffSession, Viewed},
};

/// The staff routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::STAFF_LOGIN, get(login::form).post(login::sign_in))
        .route(paths::STAFF_LOGOUT, post(login::sign_out))
        .route(paths::STAFF_HOME, get(worklist::home))
        .route(paths::WORKLIST_ROWS, get(worklist::rows))
        .route("/staff/appointments/{id}", get(appointment::show))
        .route("/staff/appointments/{id}/link", post(appointment::link))
        .route("/staff/appointments/{id}/send", post(appointment::send))
        .route("/staff/appointments/{id}/unlock", post(appointment::unlock))
        .route("/staff/appointments/{id}/cancel", post(appointment::cancel))
        .route(paths::EXCEPTIONS, get(queue::list))
        .route(paths::EXCEPTIONS_BULK, post(actions::bulk))
        .route("/staff/exceptions/{id}", get(detail::detail))
        .route("/staff/exceptions/{id}/approve", post(actions::approve))
        .route("/staff/exceptions/{id}/reject", post(actions::reject))
        .route("/staff/exceptions/{id}/retry", post(actions::retry))
        .route("/staff/exceptions/{id}/edit", post(actions::edit))
        .route("/staff/exceptions/{id}/codes", get(codes::results))
        .route("/staff/submissions/{id}/trail", get(trail::trail))
        .merge(steps::router())
        .route(paths::SCHEDULE, get(schedule::problems))
        .route(
            paths::APPOINTMENT_NEW,
            get(booking::form).post(booking::submit),
        )
}

/// A request from a signed-in staff member who has passed every sign-in step. Without a
/// session, a staff page redirects to sign-in; with steps left, to the next step.
#[derive(Debug)]
pub struct Staff {
    /// The session and its user.
    pub session: StaffSession,
    /// Where the request came from (the address the rate limits use), for the audit.
    pub client: ClientAddress,
}

/// Why a request did not get a [`Staff`]: an error, or a sign-in step to finish first.
#[derive(Debug)]
pub enum StaffRejection {
    /// No session, or a failure.
    Error(Error),
    /// The session has a step left: go there.
    Step(&'static str),
}

impl From<Error> for StaffRejection {
    fn from(error: Error) -> Self {
        Self::Error(error)
    }
}

impl axum::response::IntoResponse for StaffRejection {
    fn into_response(self) -> axum::response::Response {
        match self {
            Self::Error(error) => error.into_response(),
            Self::Step(path) => axum::response::Redirect::to(path).into_response(),
        }
    }
}

/// The page of a sign-in step.
pub fn step_path(step: PendingStep) -> &'static str {
    match step {
        PendingStep::SecondFactor => paths::SIGN_IN_CODE,
        PendingStep::ChangePassword => paths::SIGN_IN_PASSWORD,
        PendingStep::EnrolSecondFactor => paths::SIGN_IN_AUTHENTICATOR,
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = StaffRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, StaffRejection> {
        let signing_in = SigningIn::from_request_parts(parts, state).await?;
        if let Some(step) = state.services.sign_in_step(&signing_in.session) {
            return Err(StaffRejection::Step(step_path(step)));
        }
        Ok(Self {
            session: signing_in.session,
            client: signing_in.client,
        })
    }
}

/// A request with a staff session that may still have sign-in steps to pass: only the step
/// pages and sign-out take one.
#[derive(Debug)]
pub struct SigningIn {
    /// The session cookie's token.
    pub token: SecretToken,
    /// The session and its user.
    pub session: StaffSession,
    /// Where the request came from.
    pub client: ClientAddress,
}

impl FromRequestParts<AppState> for SigningIn {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let token = state
            .cookies
            .read(&parts.headers, Cookie::Staff)
            .and_then(|raw| SecretToken::parse(&raw))
            .ok_or(Error::SignInRequired)?;
        let session = state
            .services
            .staff_session(&token)
            .await?
            .ok_or(Error::SignInRequired)?;
        let Ok(client) = ClientAddress::from_request_parts(parts, state).await;
        Ok(Self {
            token,
            session,
            client,
        })
    }
}

impl SigningIn {
    /// Checks a posted CSRF token against the session's.
    pub fn check_csrf(&self, posted: &str) -> Result<(), Error> {
        if constant_time_eq(posted, &self.session.csrf_token) {
            Ok(())
        } else {
            Err(Error::Forgery)
        }
    }
}

impl Staff {
    /// Refuses the request unless the user has `role`.
    pub fn require(&self, role: StaffRole) -> Result<(), Error> {
        if self.session.user.role == role {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }

    /// Refuses the request unless the user has one of `roles`.
    pub fn require_any(&self, roles: &[StaffRole]) -> Result<(), Error> {
        if roles.contains(&self.session.user.role) {
            Ok(())
        } else {
            Err(Error::Forbidden)
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

    /// What the page header shows.
    pub fn header(&self) -> StaffHeader {
        StaffHeader {
            name: self.session.user.display_name.clone(),
            csrf: self.session.csrf_token.clone(),
            front_desk: self.session.user.role == StaffRole::FrontDesk,
            admin: self.session.user.role == StaffRole::Admin,
        }
    }

    /// Audits that this staff member saw a page with patient data: one call in every handler
    /// that shows any, after the data loaded.
    pub async fn viewed(&self, state: &AppState, viewed: Viewed) -> Result<(), Error> {
        let source = self.client.0.to_string();
        Ok(state
            .services
            .record_view(&self.session, &source, viewed)
            .await?)
    }
}

/// The staff page header: who is signed in, the menu for their role, and sign-out.
#[derive(Debug, Clone)]
pub struct StaffHeader {
    /// The user's display name.
    pub name: String,
    /// The session's CSRF token, for the sign-out form.
    pub csrf: String,
    /// Whether to show the front desk's menu (otherwise the clinician's).
    pub front_desk: bool,
    /// Whether to show the admin's menu instead.
    pub admin: bool,
}
