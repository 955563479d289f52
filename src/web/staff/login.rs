//! Staff sign-in and sign-out. A new session id is issued at every sign-in, so a session id
//! planted before sign-in is worthless.

use crate::web::form::{Form, TypedForm};
use crate::web::staff_texts::StaffTexts;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{AppendHeaders, IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use validator::Validate;

use super::SigningIn;
use crate::{
    domain::{SecretToken, constant_time_eq, has_control_character, without_control_characters},
    intake::SignInOutcome,
    web::{
        AppState, Error,
        cookies::Cookie,
        paths,
        rate_limit::{ClientAddress, Door},
    },
};

#[derive(Template, WebTemplate)]
#[template(path = "staff/login.html")]
struct SignInPage {
    csrf: String,
    username: String,
    error: Option<String>,
    /// How long this username must wait, in words.
    wait: Option<String>,
}

/// The sign-in form's fields. `Debug` shows none of what was typed.
#[derive(Deserialize, Validate)]
pub struct SignInForm {
    #[validate(length(min = 1, max = 100))]
    username: String,
    #[validate(length(min = 1, max = 1024))]
    password: String,
    csrf: String,
}

impl std::fmt::Debug for SignInForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInForm")
            .field("username", &"[redacted]")
            .field("password", &"[redacted]")
            .field("csrf", &"[redacted]")
            .finish()
    }
}

/// The sign-out form's fields.
#[derive(Debug, Deserialize)]
pub struct SignOutForm {
    csrf: String,
}

/// `GET /staff/login`: the form, with a fresh CSRF token in a cookie and a hidden field.
pub async fn form(State(state): State<AppState>) -> Response {
    let csrf = SecretToken::generate();
    let cookie = state.cookies.set(Cookie::SignInCsrf, csrf.expose());
    let page = SignInPage {
        csrf: csrf.expose().to_owned(),
        username: String::new(),
        error: None,
        wait: None,
    };
    ([(header::SET_COOKIE, cookie)], page).into_response()
}

/// `POST /staff/login`.
pub async fn sign_in(
    State(state): State<AppState>,
    client: ClientAddress,
    headers: HeaderMap,
    TypedForm(form): TypedForm<SignInForm>,
) -> Result<Response, Error> {
    let expected = state
        .cookies
        .read(&headers, Cookie::SignInCsrf)
        .unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(&form.csrf, &expected) {
        return Err(Error::Forgery);
    }
    let refuse = |error: String| {
        let page = SignInPage {
            csrf: form.csrf.clone(),
            username: form.username.clone(),
            error: Some(error),
            wait: None,
        };
        Ok((StatusCode::UNAUTHORIZED, page).into_response())
    };
    let now = state.services.clock.now_millis();
    let over = state
        .limits
        .check(Door::StaffSignIn, client.0, now)
        .await
        .map_err(|e| Error::Internal(format!("rate limits: {e}")))?;
    if let Some(wait) = over {
        let page = SignInPage {
            csrf: form.csrf.clone(),
            username: form.username.clone(),
            error: Some(StaffTexts.login_too_many()),
            wait: None,
        };
        let retry = [(header::RETRY_AFTER, wait.as_secs().max(1).to_string())];
        return Ok((StatusCode::TOO_MANY_REQUESTS, retry, page).into_response());
    }
    if has_control_character(&form.username) || has_control_character(&form.password) {
        let page = SignInPage {
            csrf: form.csrf.clone(),
            username: without_control_characters(&form.username),
            error: Some(StaffTexts.login_control_character()),
            wait: None,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    if form.validate().is_err() {
        return refuse(StaffTexts.login_enter_both());
    }
    let source = client.0.to_string();
    let session = match state
        .services
        .log_in(&form.username, &form.password, &source)
        .await?
    {
        SignInOutcome::SignedIn(session) => session,
        SignInOutcome::Refused { wait: None } => {
            state
                .limits
                .failed(Door::StaffSignIn, client.0, now)
                .await
                .map_err(|e| Error::Internal(format!("rate limits: {e}")))?;
            return refuse(StaffTexts.login_no_match());
        }
        SignInOutcome::Refused {
            wait: Some(seconds),
        } => {
            state
                .limits
                .failed(Door::StaffSignIn, client.0, now)
                .await
                .map_err(|e| Error::Internal(format!("rate limits: {e}")))?;
            return delayed(&form, seconds, true);
        }
        SignInOutcome::Wait(seconds) => return delayed(&form, seconds, false),
    };
    // Two cookies: `AppendHeaders`, because a plain header array would keep only the last.
    let response = (
        AppendHeaders([
            (
                header::SET_COOKIE,
                state.cookies.set(Cookie::Staff, session.expose()),
            ),
            (header::SET_COOKIE, state.cookies.clear(Cookie::SignInCsrf)),
        ]),
        Redirect::to(paths::STAFF_HOME),
    );
    Ok(response.into_response())
}

/// `POST /staff/logout`: ends the session on the server, not just in the browser (also a
/// session with sign-in steps left).
pub async fn sign_out(
    State(state): State<AppState>,
    staff: SigningIn,
    Form(form): Form<SignOutForm>,
) -> Result<Response, Error> {
    staff.check_csrf(&form.csrf)?;
    let source = staff.client.0.to_string();
    state
        .services
        .log_out(&staff.token, &staff.session, &source)
        .await?;
    Ok((
        [
            (header::SET_COOKIE, state.cookies.clear(Cookie::Staff)),
            (
                crate::web::security::CLEAR_SITE_DATA,
                crate::web::security::clear_site_data(),
            ),
        ],
        Redirect::to(paths::STAFF_LOGIN),
    )
        .into_response())
}

/// The answer while a username waits out its sign-in delay: 429 with `Retry-After` and the
/// seconds in words. `failed` when this attempt was itself wrong.
fn delayed(form: &SignInForm, seconds: u64, failed: bool) -> Result<Response, Error> {
    let message = if failed {
        StaffTexts.login_no_match_wait(seconds)
    } else {
        StaffTexts.login_username_wait(seconds)
    };
    let page = SignInPage {
        csrf: form.csrf.clone(),
        username: form.username.clone(),
        error: None,
        wait: Some(message),
    };
    let status = if failed {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::TOO_MANY_REQUESTS
    };
    let retry = [(header::RETRY_AFTER, seconds.max(1).to_string())];
    Ok((status, retry, page).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sign_in_form_never_shows_what_was_typed_in_debug() {
        let form = SignInForm {
            username: "ZZQ-user".into(),
            password: "ZZQ-secret".into(),
            csrf: "ZZQ-csrf".into(),
        };
        let shown = format!("{form:?}");
        assert!(!shown.contains("ZZQ"), "{shown}");
        assert!(shown.contains("[redacted]"), "{shown}");
    }
}
