//! Front-desk pages: sign-in, the day's worklist and each appointment, the exception queue and the trail of a
//! submission.

mod actions;
mod appointment;
mod detail;
mod login;
mod queue;
mod trail;
mod worklist;

use axum::{
    Router,
    extract::FromRequestParts,
    http::request::Parts,
    routing::{get, post},
};

use super::{AppState, Error, cookies::Cookie, paths};
use crate::{
    domain::{SecretToken, constant_time_eq},
    store::{StaffRole, StaffSession},
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
        .route("/staff/submissions/{id}/trail", get(trail::trail))
}

/// A request from a signed-in staff member. Without a session, a staff page redirects to sign-in.
#[derive(Debug)]
pub struct Staff {
    /// The session cookie's token.
    pub token: SecretToken,
    /// The session and its user.
    pub session: StaffSession,
}

impl FromRequestParts<AppState> for Staff {
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
        Ok(Self { token, session })
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
        }
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
}
